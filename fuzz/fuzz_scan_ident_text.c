/* libFuzzer target: service identification's text-protocol answer parsers (scan_ident_text.c):
 * SSH, FTP/SMTP greetings and reply lines, POP3, IMAP, telnet, VNC, Redis, memcached, the
 * content-based guess and the escaping of banners. Seeds: answers captured from Debian's
 * sshd, redis-server, memcached, pyftpdlib and aiosmtpd. */
#include "scan/scan_ident_parse.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    scan_service s;
    char esc[SCAN_BANNER_MAX];
    int minor = 0;
    bool none;
    memset(&s, 0, sizeof s);
    scan_escape(p, n, esc, sizeof esc);
    scan_escape(p, n, esc, 5);
    scan_parse_ssh(p, n, &s);
    scan_parse_220(p, n, &s);
    scan_reply_code(p, n);
    scan_line_done(p, n);
    scan_parse_pop3(p, n, &s);
    scan_parse_imap(p, n, &s);
    scan_parse_telnet(p, n, &s);
    scan_parse_vnc(p, n, &s, &minor);
    scan_parse_vnc_sec(p, n, 8, &none);
    scan_parse_vnc_sec(p, n, 3, &none);
    scan_parse_redis(p, n, &s);
    scan_parse_memcached(p, n, &s);
    memset(&s, 0, sizeof s);
    scan_ident_guess(p, n, &s);
    return 0;
}

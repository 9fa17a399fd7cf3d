/* The text-protocol answer parsers of service identification: SSH, FTP/SMTP greetings, POP3,
 * IMAP, telnet negotiation, VNC, Redis, memcached, the escaping of what was read, and the
 * content-based naming of a service from its first answer. Pure: bytes in, fields out. */
#include "scan/scan_ident_parse.h"

#include <stdio.h>
#include <string.h>

void scan_escape(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    if (!cap)
        return;
    for (size_t i = 0; i < n; i++) {
        char tmp[5];
        size_t k;
        uint8_t c = p[i];
        if (c == '\r' || c == '\n') {
            tmp[0] = '\\', tmp[1] = c == '\r' ? 'r' : 'n', k = 2;
        } else if (c == '\\') {
            tmp[0] = '\\', tmp[1] = '\\', k = 2;
        } else if (c >= 0x20 && c < 0x7f) {
            tmp[0] = (char)c, k = 1;
        } else {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            k = 4;
        }
        if (o + k + 4 > cap) { /* room for "..." and the NUL */
            if (o + 4 <= cap)
                memcpy(out + o, "...", 3), o += 3;
            break;
        }
        memcpy(out + o, tmp, k);
        o += k;
    }
    out[o] = 0;
}

/* The start of the last complete line in p (or n when there is none). */
static size_t last_line(const uint8_t *p, size_t n, size_t *end)
{
    if (!n || p[n - 1] != '\n')
        return n;
    size_t e = n - 1, s = e;
    while (s > 0 && p[s - 1] != '\n')
        s--;
    *end = e;
    return s;
}

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

int scan_reply_code(const uint8_t *p, size_t n)
{
    size_t end = 0, s = last_line(p, n, &end);
    if (s >= n || end - s < 3 || !is_digit(p[s]) || !is_digit(p[s + 1]) || !is_digit(p[s + 2]))
        return -1;
    if (end - s > 3 && p[s + 3] != ' ' && p[s + 3] != '\r')
        return -1;
    return (p[s] - '0') * 100 + (p[s + 1] - '0') * 10 + (p[s + 2] - '0');
}

bool scan_line_done(const uint8_t *p, size_t n)
{
    size_t end = 0, s = last_line(p, n, &end);
    if (s >= n)
        return false;
    /* a continued "NNN-" line waits for the last one */
    if (end - s >= 4 && is_digit(p[s]) && is_digit(p[s + 1]) && is_digit(p[s + 2]) && p[s + 3] == '-')
        return false;
    return true;
}

/* Where needle (NUL-terminated) first occurs in p[0..n), or NULL. */
static const uint8_t *find(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k && i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return p + i;
    return NULL;
}

/* Case-insensitive find of an ASCII word. */
static const uint8_t *find_ci(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k && i + k <= n; i++) {
        size_t j = 0;
        while (j < k && (p[i + j] | 0x20) == (needle[j] | 0x20))
            j++;
        if (j == k)
            return p + i;
    }
    return NULL;
}

/* Length of the first line of p (without \r\n). */
static size_t line_len(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] != '\r' && p[i] != '\n')
        i++;
    return i;
}

static void set_name(scan_service *out, const char *name)
{
    scan_field_set(out->name, sizeof out->name, name, strlen(name));
}

/* Product and version from "Name_1.2" or "Name/1.2" or "Name 1.2" at p (a token of the given
 * separators), up to the first space. */
static void product_version(const uint8_t *p, size_t n, const char *seps, scan_service *out)
{
    size_t tok = 0;
    while (tok < n && p[tok] != ' ' && p[tok] != '\r' && p[tok] != '\n' && p[tok] != ')')
        tok++;
    size_t sep = 0;
    while (sep < tok && !strchr(seps, p[sep]))
        sep++;
    scan_field_set(out->product, sizeof out->product, (const char *)p, sep);
    if (sep < tok)
        scan_field_set(out->version, sizeof out->version, (const char *)p + sep + 1, tok - sep - 1);
}

bool scan_parse_ssh(const uint8_t *p, size_t n, scan_service *out)
{
    if (n < 8 || memcmp(p, "SSH-", 4) != 0)
        return false;
    size_t len = line_len(p, n);
    const uint8_t *dash = memchr(p + 4, '-', len - 4);
    if (!dash)
        return false;
    set_name(out, "ssh");
    size_t proto_len = (size_t)(dash - (p + 4));
    const uint8_t *sw = dash + 1;
    size_t sw_len = len - (size_t)(sw - p);
    product_version(sw, sw_len, "_-", out);
    /* the comment after the software version */
    const uint8_t *sp = memchr(sw, ' ', sw_len);
    char comment[128] = "", proto[16];
    if (sp)
        scan_field_set(comment, sizeof comment, (const char *)sp + 1, sw_len - (size_t)(sp + 1 - sw));
    scan_field_set(proto, sizeof proto, (const char *)p + 4, proto_len);
    snprintf(out->info, sizeof out->info, "%s%sprotocol %s", comment, comment[0] ? "; " : "", proto);
    return true;
}

/* A product named in a greeting: "(vsFTPd 3.0.3)", "ProFTPD 1.3.8 Server", "pyftpdlib 1.5.7",
 * "ESMTP Postfix (Debian/GNU)", "ESMTP Exim 4.96", "Python SMTP 1.4.4". */
static void greeting_product(const uint8_t *p, size_t n, scan_service *out)
{
    static const struct {
        const char *word;
        const char *product;
    } known[] = {
        {"vsFTPd", "vsftpd"}, {"ProFTPD", "ProFTPD"}, {"Pure-FTPd", "Pure-FTPd"},
        {"pyftpdlib", "pyftpdlib"}, {"FileZilla Server", "FileZilla Server"},
        {"Microsoft FTP", "Microsoft ftpd"}, {"Postfix", "Postfix"}, {"Exim", "Exim"},
        {"Sendmail", "Sendmail"}, {"Python SMTP", "aiosmtpd"}, {"Microsoft ESMTP", "Microsoft Exchange"},
        {"OpenSMTPD", "OpenSMTPD"}, {"Dovecot", "Dovecot"}, {"Cyrus", "Cyrus"}, {"Courier", "Courier"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const uint8_t *w = find(p, n, known[i].word);
        if (!w)
            continue;
        scan_field_set(out->product, sizeof out->product, known[i].product, strlen(known[i].product));
        const uint8_t *v = w + strlen(known[i].word);
        size_t left = n - (size_t)(v - p);
        if (left > 1 && (*v == ' ' || *v == '/') && is_digit(v[1])) {
            size_t k = 1;
            while (k < left && (is_digit(v[k]) || v[k] == '.' || (v[k] >= 'a' && v[k] <= 'z')))
                k++;
            scan_field_set(out->version, sizeof out->version, (const char *)v + 1, k - 1);
        }
        return;
    }
}

scan_banner220 scan_parse_220(const uint8_t *p, size_t n, scan_service *out)
{
    if (n < 4 || memcmp(p, "220", 3) != 0 || (p[3] != ' ' && p[3] != '-'))
        return SCAN_220_NONE;
    size_t len = line_len(p, n);
    bool ftp = find_ci(p, len, "FTP") != NULL;
    bool smtp = find_ci(p, len, "SMTP") || find(p, len, "Postfix") || find(p, len, "Exim") ||
                find(p, len, "Sendmail") || find_ci(p, len, " mail");
    greeting_product(p, len, out);
    scan_field_set(out->info, sizeof out->info, (const char *)p + 4, len - 4);
    if (ftp && !smtp) {
        set_name(out, "ftp");
        return SCAN_220_FTP;
    }
    if (smtp && !ftp) {
        set_name(out, "smtp");
        return SCAN_220_SMTP;
    }
    return SCAN_220_EITHER;
}

/* A mail-access greeting: name, the product it names, the text after the skip bytes. */
static bool mail_greeting(const uint8_t *p, size_t n, const char *name, size_t skip, scan_service *out)
{
    size_t len = line_len(p, n);
    set_name(out, name);
    greeting_product(p, len, out);
    scan_field_set(out->info, sizeof out->info, (const char *)p + skip, len - skip);
    return true;
}

bool scan_parse_pop3(const uint8_t *p, size_t n, scan_service *out)
{
    if (n < 4 || memcmp(p, "+OK", 3) != 0)
        return false;
    return mail_greeting(p, n, "pop3", 3, out);
}

bool scan_parse_imap(const uint8_t *p, size_t n, scan_service *out)
{
    if (n < 5 || (memcmp(p, "* OK", 4) != 0 && (n < 9 || memcmp(p, "* PREAUTH", 9) != 0)))
        return false;
    return mail_greeting(p, n, "imap", 2, out);
}

bool scan_parse_telnet(const uint8_t *p, size_t n, scan_service *out)
{
    if (n < 3 || p[0] != 0xff || p[1] < 0xfb || p[1] > 0xfe)
        return false;
    set_name(out, "telnet");
    /* the text after the negotiation, when there is some, is the login prompt */
    size_t i = 0;
    while (i + 2 < n && p[i] == 0xff) {
        if (p[i + 1] == 0xfa) { /* subnegotiation up to IAC SE */
            const uint8_t *se = find(p + i, n - i, "\xff\xf0");
            if (!se)
                return true;
            i = (size_t)(se - p) + 2;
        } else {
            i += 3;
        }
    }
    if (i < n)
        scan_field_set(out->info, sizeof out->info, (const char *)p + i, line_len(p + i, n - i));
    return true;
}

bool scan_parse_vnc(const uint8_t *p, size_t n, scan_service *out, int *minor)
{
    if (n < 12 || memcmp(p, "RFB ", 4) != 0 || p[7] != '.' || p[11] != '\n')
        return false;
    int maj = 0, min = 0;
    for (int i = 4; i < 7; i++) {
        if (!is_digit(p[i]))
            return false;
        maj = maj * 10 + (p[i] - '0');
    }
    for (int i = 8; i < 11; i++) {
        if (!is_digit(p[i]))
            return false;
        min = min * 10 + (p[i] - '0');
    }
    set_name(out, "vnc");
    snprintf(out->version, sizeof out->version, "%d.%d", maj, min);
    *minor = min;
    return true;
}

bool scan_parse_vnc_sec(const uint8_t *p, size_t n, int minor, bool *none)
{
    *none = false;
    if (minor < 7) {
        if (n < 4)
            return false;
        uint32_t t = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        *none = t == 1;
        return t != 0;
    }
    if (n < 1 || p[0] == 0 || n < 1u + p[0])
        return false;
    for (size_t i = 0; i < p[0]; i++)
        if (p[1 + i] == 1)
            *none = true;
    return true;
}

scan_redis_state scan_parse_redis(const uint8_t *p, size_t n, scan_service *out)
{
    scan_redis_state st = SCAN_REDIS_NO;
    if (n >= 5 && memcmp(p, "+PONG", 5) == 0)
        st = SCAN_REDIS_OPEN;
    else if (n >= 7 && memcmp(p, "-NOAUTH", 7) == 0)
        st = SCAN_REDIS_AUTH;
    else if (n >= 7 && memcmp(p, "-DENIED", 7) == 0)
        st = SCAN_REDIS_PROTECTED;
    else if (n >= 30 && memcmp(p, "-ERR wrong number of arguments", 30) == 0)
        st = SCAN_REDIS_OPEN;
    const uint8_t *v = find(p, n, "redis_version:");
    if (v) {
        st = SCAN_REDIS_OPEN;
        v += 14;
        size_t k = line_len(v, n - (size_t)(v - p));
        scan_field_set(out->version, sizeof out->version, (const char *)v, k);
    }
    if (st == SCAN_REDIS_NO && n > 0 && p[0] == '$' && find(p, n, "# Server"))
        st = SCAN_REDIS_OPEN;
    if (st == SCAN_REDIS_NO)
        return st;
    set_name(out, "redis");
    scan_field_set(out->product, sizeof out->product, "Redis", 5);
    const uint8_t *mode = find(p, n, "redis_mode:");
    if (mode) {
        mode += 11;
        snprintf(out->info, sizeof out->info, "mode ");
        scan_field_set(out->info + 5, sizeof out->info - 5, (const char *)mode, line_len(mode, n - (size_t)(mode - p)));
    }
    return st;
}

bool scan_parse_memcached(const uint8_t *p, size_t n, scan_service *out)
{
    const uint8_t *v = NULL;
    if (n >= 9 && memcmp(p, "VERSION ", 8) == 0)
        v = p + 8;
    else if (n >= 5 && memcmp(p, "STAT ", 5) == 0 && (v = find(p, n, "STAT version ")) != NULL)
        v += 13;
    if (!v)
        return false;
    set_name(out, "memcached");
    scan_field_set(out->product, sizeof out->product, "memcached", 9);
    scan_field_set(out->version, sizeof out->version, (const char *)v, line_len(v, n - (size_t)(v - p)));
    return true;
}

bool scan_ident_guess(const uint8_t *p, size_t n, scan_service *out)
{
    int minor;
    scan_mysql m;
    scan_http h;
    scan_pg pg;
    if (scan_parse_ssh(p, n, out) || scan_parse_telnet(p, n, out) || scan_parse_vnc(p, n, out, &minor) ||
        scan_parse_pop3(p, n, out) || scan_parse_imap(p, n, out) || scan_parse_memcached(p, n, out) ||
        scan_parse_redis(p, n, out) != SCAN_REDIS_NO)
        return true;
    scan_banner220 b = scan_parse_220(p, n, out);
    if (b == SCAN_220_EITHER)
        set_name(out, "ftp");
    if (b != SCAN_220_NONE)
        return true;
    if (scan_parse_http(p, n, &h)) {
        scan_http_service(&h, false, out);
        return true;
    }
    if (scan_parse_mysql(p, n, out, &m))
        return true;
    if (scan_parse_pg(p, n, &pg) && pg.error[0]) {
        set_name(out, "postgresql");
        scan_field_set(out->product, sizeof out->product, "PostgreSQL", 10);
        return true;
    }
    return false;
}

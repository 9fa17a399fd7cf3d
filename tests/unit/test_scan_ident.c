/* Unit tests of service identification's answer parsers and probe builders (scan_ident_parse.h)
 * on real answers and on hostile ones. Real answers were captured on this machine from Debian 12's
 * servers (openssh-server 9.2p1, redis-server 7.0.15, memcached 1.6.18, mariadb-server 10.11.19,
 * postgresql 15.20, slapd 2.5, python3 http.server, pyftpdlib 1.5.7, aiosmtpd 1.4.3, openssl
 * s_server 3.0); the others are built after the protocols' published layouts, named at each. */
#include "kw_test.h"

#include "scan/scan_ident_parse.h"

#include <stdlib.h>

/* Hex digits to bytes; returns the length. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; hex[0] && hex[1] && n < cap; hex += 2) {
        char b[3] = {hex[0], hex[1], 0};
        out[n++] = (uint8_t)strtoul(b, NULL, 16);
    }
    return n;
}

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static void test_escape(void)
{
    char out[32];
    scan_escape(S("SSH-2.0-x\r\n\x01\xff\\"), out, sizeof out);
    CHECK_STR(out, "SSH-2.0-x\\r\\n\\x01\\xff\\\\");
    uint8_t big[100];
    memset(big, 'A', sizeof big);
    scan_escape(big, sizeof big, out, sizeof out);
    CHECK_INT(strlen(out), 31);
    CHECK(strcmp(out + 28, "...") == 0);
    scan_escape(S("\x80\x80\x80\x80\x80\x80\x80\x80"), out, 12); /* no escape is cut in half */
    CHECK_STR(out, "\\x80\\x80...");
    scan_escape(S(""), out, sizeof out);
    CHECK_STR(out, "");
}

static void test_ssh(void)
{
    scan_service s = {0};
    CHECK(scan_parse_ssh(S("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"), &s)); /* captured */
    CHECK_STR(s.name, "ssh");
    CHECK_STR(s.product, "OpenSSH");
    CHECK_STR(s.version, "9.2p1");
    CHECK_STR(s.info, "Debian-2+deb12u10; protocol 2.0");
    memset(&s, 0, sizeof s);
    CHECK(scan_parse_ssh(S("SSH-2.0-dropbear_2022.83\r\n"), &s)); /* Debian's dropbear 2022.83 */
    CHECK_STR(s.product, "dropbear");
    CHECK_STR(s.version, "2022.83");
    CHECK_STR(s.info, "protocol 2.0");
    memset(&s, 0, sizeof s);
    CHECK(scan_parse_ssh(S("SSH-1.99-Cisco-1.25\r\n"), &s)); /* an IOS banner, as Cisco documents */
    CHECK_STR(s.product, "Cisco");
    CHECK_STR(s.version, "1.25");
    CHECK_STR(s.info, "protocol 1.99");
    CHECK(!scan_parse_ssh(S("SSH-2.0"), &s));
    CHECK(!scan_parse_ssh(S("SSH-\r\n\r\n\r\n"), &s));
    CHECK(!scan_parse_ssh(S("HTTP/1.1 400 Bad Request\r\n"), &s));
    memset(&s, 0, sizeof s);
    CHECK(scan_parse_ssh(S("SSH-2.0-\x01\x02\xff evil\r\n"), &s)); /* non-printable bytes are not copied */
    CHECK(strchr(s.product, '\x01') == NULL);
}

static void test_220(void)
{
    scan_service s = {0};
    CHECK_INT(scan_parse_220(S("220 pyftpdlib 1.5.7 ready.\r\n"), &s), SCAN_220_FTP); /* captured */
    CHECK_STR(s.name, "ftp");
    CHECK_STR(s.product, "pyftpdlib");
    CHECK_STR(s.version, "1.5.7");
    memset(&s, 0, sizeof s);
    CHECK_INT(scan_parse_220(S("220 (vsFTPd 3.0.3)\r\n"), &s), SCAN_220_FTP); /* Debian's vsftpd */
    CHECK_STR(s.product, "vsftpd");
    CHECK_STR(s.version, "3.0.3");
    memset(&s, 0, sizeof s);
    CHECK_INT(scan_parse_220(S("220 localhost Python SMTP 1.4.3\r\n"), &s), SCAN_220_SMTP); /* captured: aiosmtpd */
    CHECK_STR(s.name, "smtp");
    CHECK_STR(s.product, "aiosmtpd");
    CHECK_STR(s.version, "1.4.3");
    memset(&s, 0, sizeof s);
    CHECK_INT(scan_parse_220(S("220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n"), &s), SCAN_220_SMTP);
    CHECK_STR(s.product, "Postfix");
    CHECK_STR(s.version, "");
    memset(&s, 0, sizeof s);
    CHECK_INT(scan_parse_220(S("220 mx.example.org ESMTP Exim 4.96 Tue, 01 Dec 2026 10:00:00 +0000\r\n"), &s), SCAN_220_SMTP);
    CHECK_STR(s.product, "Exim");
    CHECK_STR(s.version, "4.96");
    CHECK_INT(scan_parse_220(S("220 Welcome\r\n"), &s), SCAN_220_EITHER);
    CHECK_INT(scan_parse_220(S("230 Login successful.\r\n"), &s), SCAN_220_NONE);
    CHECK_INT(scan_parse_220(S("220"), &s), SCAN_220_NONE);
}

static void test_reply_lines(void)
{
    CHECK_INT(scan_reply_code(S("220-first\r\n220-second\r\n220 last\r\n")), 220);
    CHECK_INT(scan_reply_code(S("331 Username ok, send password.\r\n")), 331); /* pyftpdlib, captured */
    CHECK_INT(scan_reply_code(S("230 Login successful.\r\n")), 230);
    CHECK_INT(scan_reply_code(S("230 Login successful.")), -1);              /* not all there */
    CHECK_INT(scan_reply_code(S("2x0 nope\r\n")), -1);
    CHECK_INT(scan_reply_code(S("")), -1);
    CHECK(scan_line_done(S("250-vm\r\n250-SIZE 33554432\r\n250 HELP\r\n")));
    CHECK(!scan_line_done(S("250-vm\r\n250-SIZE 33554432\r\n")));
    CHECK(!scan_line_done(S("250 HELP")));
    CHECK(scan_line_done(S("\n")));
}

static void test_mail_greetings(void)
{
    scan_service s = {0};
    CHECK(scan_parse_pop3(S("+OK Dovecot (Debian) ready.\r\n"), &s)); /* Debian's dovecot-pop3d */
    CHECK_STR(s.name, "pop3");
    CHECK_STR(s.product, "Dovecot");
    memset(&s, 0, sizeof s);
    CHECK(scan_parse_imap(S("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n"), &s));
    CHECK_STR(s.name, "imap");
    CHECK_STR(s.product, "Dovecot");
    CHECK(!scan_parse_imap(S("* BYE\r\n"), &s));
    CHECK(!scan_parse_pop3(S("-ERR\r\n"), &s));
}

static void test_telnet_vnc(void)
{
    scan_service s = {0};
    /* inetutils telnetd's first bytes: DO TERMINAL-TYPE, DO TSPEED, DO XDISPLOC, DO NEW-ENVIRON (RFC 854/1091) */
    CHECK(scan_parse_telnet(S("\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27"), &s));
    CHECK_STR(s.name, "telnet");
    memset(&s, 0, sizeof s);
    CHECK(scan_parse_telnet(S("\xff\xfb\x01\xff\xfb\x03login: "), &s));
    CHECK_STR(s.info, "login: ");
    CHECK(scan_parse_telnet(S("\xff\xfd\x18\xff\xfa\x18\x01"), &s)); /* a subnegotiation cut short */
    CHECK(!scan_parse_telnet(S("\xff\xff\xff"), &s));
    int minor = 0;
    memset(&s, 0, sizeof s);
    CHECK(scan_parse_vnc(S("RFB 003.008\n"), &s, &minor)); /* RFC 6143 7.1.1 */
    CHECK_STR(s.name, "vnc");
    CHECK_STR(s.version, "3.8");
    CHECK_INT(minor, 8);
    CHECK(!scan_parse_vnc(S("RFB 00a.008\n"), &s, &minor));
    CHECK(!scan_parse_vnc(S("RFB 003.008"), &s, &minor));
    bool none = false;
    CHECK(scan_parse_vnc_sec(S("\x02\x02\x01"), 8, &none)); /* RFC 6143 7.1.2: VNC auth and None */
    CHECK(none);
    CHECK(scan_parse_vnc_sec(S("\x01\x02"), 8, &none));
    CHECK(!none);
    CHECK(!scan_parse_vnc_sec(S("\x05\x02"), 8, &none)); /* 5 types announced, 1 sent */
    CHECK(!scan_parse_vnc_sec(S("\x00\x00\x00\x10"), 8, &none)); /* a failure: count 0 */
    CHECK(scan_parse_vnc_sec(S("\x00\x00\x00\x01"), 3, &none)); /* 3.3: the server chose None */
    CHECK(none);
}

static void test_redis(void)
{
    scan_service s = {0};
    /* captured: INFO server from redis-server 7.0.15 (cut) */
    CHECK_INT(scan_parse_redis(S("$582\r\n# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
                                 "redis_build_id:ae4d7c971a948f0\r\nredis_mode:standalone\r\nos:Linux\r\n"), &s),
              SCAN_REDIS_OPEN);
    CHECK_STR(s.name, "redis");
    CHECK_STR(s.version, "7.0.15");
    CHECK_STR(s.info, "mode standalone");
    memset(&s, 0, sizeof s);
    CHECK_INT(scan_parse_redis(S("-NOAUTH Authentication required.\r\n"), &s), SCAN_REDIS_AUTH); /* captured, requirepass */
    CHECK_STR(s.version, "");
    CHECK_INT(scan_parse_redis(S("-DENIED Redis is running in protected mode because protected mode is enabled\r\n"), &s),
              SCAN_REDIS_PROTECTED);
    CHECK_INT(scan_parse_redis(S("+PONG\r\n"), &s), SCAN_REDIS_OPEN);
    CHECK_INT(scan_parse_redis(S("-ERR wrong number of arguments for 'get' command\r\n"), &s), SCAN_REDIS_OPEN);
    CHECK_INT(scan_parse_redis(S("-ERR wrong"), &s), SCAN_REDIS_NO);
    CHECK_INT(scan_parse_redis(S("HTTP/1.1 400 Bad Request\r\n"), &s), SCAN_REDIS_NO);
    CHECK_INT(scan_parse_redis(S("redis_version:"), &s), SCAN_REDIS_OPEN); /* cut right after the key */
}

static void test_memcached(void)
{
    scan_service s = {0};
    CHECK(scan_parse_memcached(S("VERSION 1.6.18\r\n"), &s)); /* captured */
    CHECK_STR(s.name, "memcached");
    CHECK_STR(s.version, "1.6.18");
    memset(&s, 0, sizeof s);
    CHECK(scan_parse_memcached(S("STAT pid 17534\r\nSTAT uptime 432\r\nSTAT time 1796142343\r\nSTAT version 1.6.18\r\n"), &s));
    CHECK_STR(s.version, "1.6.18");
    CHECK(!scan_parse_memcached(S("ERROR\r\n"), &s));
    CHECK(!scan_parse_memcached(S("STAT pid 1\r\n"), &s));
}

static void test_http(void)
{
    /* captured: python3 -m http.server (3.11) */
    static const char resp[] =
        "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.7\r\nDate: Tue, 01 Dec 2026 16:25:45 GMT\r\n"
        "Content-type: text/html; charset=utf-8\r\nContent-Length: 60\r\n\r\n"
        "<html>\n<head>\n<title>Directory   listing\nfor /</title></head>\n";
    scan_http h;
    CHECK(scan_parse_http(S(resp), &h));
    CHECK_INT(h.status, 200);
    CHECK_STR(h.server, "SimpleHTTP/0.6 Python/3.11.7");
    CHECK_STR(h.title, "Directory listing for /");
    CHECK(h.complete);
    CHECK_INT(h.body_len, 60);
    scan_service s = {0};
    scan_http_service(&h, true, &s);
    CHECK_STR(s.name, "https");
    CHECK_STR(s.product, "SimpleHTTP");
    CHECK_STR(s.version, "0.6");
    CHECK(s.tls);
    CHECK(!scan_http_done(S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")));
    CHECK(scan_http_done(S("HTTP/1.1 204 No Content\r\n\r\n")));
    CHECK(scan_parse_http(S("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"security\"\r\n\r\n"), &h));
    CHECK(h.auth_asked);
    CHECK_STR(h.realm, "security"); /* Elasticsearch's realm with security on */
    CHECK(scan_parse_http(S("HTTP/1.1 401 X\r\nWWW-Authenticate: Basic realm=\"never closed\r\n\r\n"), &h));
    CHECK_STR(h.realm, "never closed");
    CHECK(scan_parse_http(S("HTTP/1.1 404 Not Found\r\nApi-Version: 1.43\r\nServer: Docker/24.0.7 (linux)\r\n\r\n"), &h));
    CHECK(h.api_version);
    memset(&s, 0, sizeof s);
    scan_http_service(&h, false, &s);
    CHECK_STR(s.product, "Docker");
    CHECK_STR(s.version, "24.0.7");
    CHECK(!scan_parse_http(S("HTTP/1.1 2x0 OK\r\n"), &h));
    CHECK(!scan_parse_http(S("SSH-2.0-OpenSSH_9.2p1\r\n"), &h));
    CHECK(scan_parse_http(S("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\nx"), &h));
    CHECK(!h.complete);
    CHECK(scan_parse_http(S("HTTP/1.1 200 OK\r\n\r\n<title>never closed"), &h));
    CHECK_STR(h.title, "never closed");
}

static void test_api_json(void)
{
    char v[64];
    /* Elasticsearch's GET / as its reference documentation shows it */
    static const char es[] = "{\"name\":\"instance-0000000000\",\"cluster_name\":\"my_cluster\",\"cluster_uuid\":\"5QaxoN0pRZuOmWSxstBBwQ\","
                             "\"version\":{\"number\":\"8.11.1\",\"build_flavor\":\"default\"},\"tagline\":\"You Know, for Search\"}";
    CHECK_INT(scan_parse_api_json(S(es), v, sizeof v), SCAN_API_ES);
    CHECK_STR(v, "8.11.1");
    /* the Docker Engine API's GET /version (its API reference) */
    static const char docker[] = "{\"Platform\":{\"Name\":\"Docker Engine - Community\"},\"Version\":\"24.0.7\",\"ApiVersion\":\"1.43\","
                                 "\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\",\"Arch\":\"amd64\"}";
    CHECK_INT(scan_parse_api_json(S(docker), v, sizeof v), SCAN_API_DOCKER);
    CHECK_STR(v, "24.0.7");
    /* Kubernetes' GET /version and GET /api (kubectl get --raw) */
    CHECK_INT(scan_parse_api_json(S("{\"major\":\"1\",\"minor\":\"28\",\"gitVersion\":\"v1.28.2\",\"platform\":\"linux/amd64\"}"), v, sizeof v),
              SCAN_API_K8S);
    CHECK_STR(v, "v1.28.2");
    CHECK_INT(scan_parse_api_json(S("{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}"), v, sizeof v), SCAN_API_K8S_LIST);
    CHECK_INT(scan_parse_api_json(S("{\"kind\":\"Status\",\"code\":401}"), v, sizeof v), SCAN_API_NONE);
    CHECK_INT(scan_parse_api_json(S("{\"version\":{\"number\":1}}"), v, sizeof v), SCAN_API_NONE);
    CHECK_INT(scan_parse_api_json(S("[[[[[[[[[[[[[[["), v, sizeof v), SCAN_API_NONE);
    CHECK_INT(scan_parse_api_json(S(""), v, sizeof v), SCAN_API_NONE);
}

static void test_mysql(void)
{
    uint8_t p[256];
    /* captured: mariadbd 10.11.19 (Debian 12), its handshake v10 */
    size_t n = unhex("640000000a352e352e352d31302e31312e31392d4d6172696144422d302b64656231327531000300000064685c765b48336700fef708"
                     "0200ff81150000000000001d0000002d4b6f6e5a57285e23316c50006d7973716c5f6e61746976655f70617373776f726400", p, sizeof p);
    scan_service s = {0};
    scan_mysql m;
    CHECK(scan_parse_mysql(p, n, &s, &m));
    CHECK_STR(s.name, "mysql");
    CHECK_STR(s.product, "MariaDB");
    CHECK_STR(s.version, "10.11.19");
    CHECK_STR(s.info, "0+deb12u1");
    CHECK_INT(m.salt_len, 20);
    CHECK_INT(m.salt[0], 0x64);
    CHECK_INT(m.salt[19], 0x50);
    CHECK_STR(m.plugin, "mysql_native_password");
    CHECK(!m.error);
    /* its login for root/root: SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))), worked out with Python's hashlib */
    uint8_t login[256], want[20];
    size_t ln = scan_mysql_login(login, sizeof login, "root", "root", m.salt, m.salt_len);
    unhex("3ca6c27b287e51aeb1964edab954837d19b8eb73", want, sizeof want);
    CHECK_INT(ln, 4 + 32 + 5 + 1 + 20 + 22);
    CHECK_INT(login[3], 1);
    CHECK(memcmp(login + 4 + 32, "root", 5) == 0);
    CHECK_INT(login[4 + 32 + 5], 20);
    CHECK(memcmp(login + 4 + 32 + 6, want, 20) == 0);
    CHECK_INT(scan_mysql_login(login, sizeof login, "root", "", m.salt, m.salt_len), 4 + 32 + 5 + 1 + 22);
    CHECK_INT(scan_mysql_login(login, 10, "root", "", m.salt, m.salt_len), 0);
    /* MySQL 8's version string (Oracle's protocol documentation) */
    memset(&s, 0, sizeof s);
    static const uint8_t my8[] = {0x0f, 0, 0, 0, 0x0a, '8', '.', '0', '.', '3', '5', 0, 1, 0, 0, 0, 'a', 'b', 'c'};
    CHECK(scan_parse_mysql(my8, sizeof my8, &s, &m));
    CHECK_STR(s.product, "MySQL");
    CHECK_STR(s.version, "8.0.35");
    /* an ERR packet at connect: MariaDB's ER_HOST_NOT_PRIVILEGED (1130) */
    static const char err[] = "\x47\x00\x00\x00\xff\x6a\x04Host '192.0.2.5' is not allowed to connect to this MariaDB server";
    memset(&s, 0, sizeof s);
    CHECK(scan_parse_mysql(S(err), &s, &m));
    CHECK(m.error);
    CHECK_CONTAINS(m.error_msg, "not allowed to connect");
    CHECK(!scan_parse_mysql(S("SSH-2.0-OpenSSH\r\n"), &s, &m));
    CHECK(!scan_parse_mysql(S("\x05\x00\x00\x00\x0a\x01\x02\x03\x04"), &s, &m)); /* no NUL, control bytes */
    CHECK_INT(scan_mysql_reply(S("\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00")), 0);
    CHECK_INT(scan_mysql_reply(S("\x07\x00\x00\x02\xff\x15\x04#28000")), 1);
    CHECK_INT(scan_mysql_reply(S("\x07\x00\x00\x00\x00")), -1);
}

/* RFC 7677, section 3: user "user", password "pencil", its nonces, salt and 4096 iterations;
 * the client-final message with its proof is the RFC's. */
static void test_pg_scram(void)
{
    uint8_t out[600];
    size_t n = scan_pg_scram_first(out, sizeof out, "user", "rOprNGfwEbeRWgbNEkqO");
    CHECK(n > 5 && out[0] == 'p');
    CHECK(n > 0 && memmem(out, n, "SCRAM-SHA-256", 13) && memmem(out, n, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO", 31));
    const char *server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    n = scan_pg_scram_final(out, sizeof out, "user", "rOprNGfwEbeRWgbNEkqO", "pencil", server_first);
    const char *want = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                       "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    CHECK_INT((int64_t)n, (int64_t)(5 + strlen(want)));
    CHECK(n == 5 + strlen(want) && memcmp(out + 5, want, strlen(want)) == 0);
    /* a server nonce that does not extend ours, too many iterations, a bad salt: refused */
    CHECK_INT((int64_t)scan_pg_scram_final(out, sizeof out, "user", "rOprNGfwEbeRWgbNEkqO", "pencil",
                                           "r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"), 0);
    CHECK_INT((int64_t)scan_pg_scram_final(out, sizeof out, "user", "rOpr", "pencil", "r=rOprX,s=W22ZaJ0S,i=999999999"), 0);
    CHECK_INT((int64_t)scan_pg_scram_final(out, sizeof out, "user", "rOpr", "pencil", "r=rOprX,s=!!!,i=4096"), 0);
    CHECK_INT((int64_t)scan_pg_scram_final(out, sizeof out, "user", "rOpr", "pencil", "r=rOpr,s=W22ZaJ0S,i=4096"), 0);
    CHECK_INT((int64_t)scan_pg_scram_first(out, sizeof out, "", "has,comma"), 0);
    /* the server's SASLContinue, as the parser reads it */
    uint8_t cont[160] = {'R', 0, 0, 0, 0, 0, 0, 0, 11};
    size_t sl = strlen(server_first);
    memcpy(cont + 9, server_first, sl);
    uint32_t len = (uint32_t)(8 + sl);
    cont[1] = (uint8_t)(len >> 24), cont[2] = (uint8_t)(len >> 16), cont[3] = (uint8_t)(len >> 8), cont[4] = (uint8_t)len;
    scan_pg pg;
    CHECK(scan_parse_pg(cont, 1 + len, &pg));
    CHECK_INT(pg.auth, 11);
    CHECK_STR(pg.sasl_data, server_first);
}

static void test_pg(void)
{
    uint8_t p[1024];
    scan_pg pg;
    /* captured: postgresql 15.20, pg_hba trust: AuthenticationOk, ParameterStatus..., BackendKeyData, ReadyForQuery */
    size_t n = unhex("52000000080000000053000000166170706c69636174696f6e5f6e616d6500005300000019636c69656e745f656e636f64696e6700"
                     "55544638005300000017446174655374796c650049534f2c204d445900530000002664656661756c745f7472616e73616374696f6e5f"
                     "726561645f6f6e6c79006f6666005300000017696e5f686f745f7374616e646279006f6666005300000019696e74656765725f6461"
                     "746574696d6573006f6e00530000001b496e74657276616c5374796c6500706f73746772657300530000001469735f737570657275"
                     "736572006f6e0053000000197365727665725f656e636f64696e6700555446380053000000327365727665725f76657273696f6e00"
                     "31352e3230202844656269616e2031352e32302d302b646562313275312900530000002373657373696f6e5f617574686f72697a61"
                     "74696f6e00706f7374677265730053000000237374616e646172645f636f6e666f726d696e675f737472696e6773006f6e00530000"
                     "001554696d655a6f6e65004574632f555443004b0000000c000068e0ea5ae8565a0000000549", p, sizeof p);
    CHECK(scan_parse_pg(p, n, &pg));
    CHECK_INT(pg.auth, 0);
    CHECK_STR(pg.version, "15.20 (Debian 15.20-0+deb12u1)");
    CHECK(pg.ready);
    CHECK(pg.done);
    /* the same, cut before ReadyForQuery: not done yet */
    CHECK(scan_parse_pg(p, 40, &pg));
    CHECK_INT(pg.auth, 0);
    CHECK(!pg.done);
    /* captured: scram-sha-256 */
    n = unhex("52000000170000000a534352414d2d5348412d3235360000", p, sizeof p);
    CHECK(scan_parse_pg(p, n, &pg));
    CHECK_INT(pg.auth, 10);
    CHECK_STR(pg.sasl, "SCRAM-SHA-256");
    CHECK(pg.done);
    /* captured: a reject line */
    n = unhex("45000000a753464154414c0056464154414c00433238303030004d70675f6862612e636f6e662072656a6563747320636f6e6e65637469"
              "6f6e20666f7220686f737420223132372e302e302e31222c20757365722022706f737467726573222c2064617461626173652022706f7374"
              "67726573222c206e6f20656e6372797074696f6e0046617574682e63004c3437360052436c69656e7441757468656e7469636174696f6e0000",
              p, sizeof p);
    CHECK(scan_parse_pg(p, n, &pg));
    CHECK_CONTAINS(pg.error, "28000 pg_hba.conf rejects connection");
    CHECK(pg.done);
    /* AuthenticationMD5Password (the protocol documentation's layout) and its answer for postgres/postgres */
    CHECK(scan_parse_pg(S("R\x00\x00\x00\x0c\x00\x00\x00\x05\x01\x02\x03\x04"), &pg));
    CHECK_INT(pg.auth, 5);
    CHECK(memcmp(pg.md5_salt, "\x01\x02\x03\x04", 4) == 0);
    uint8_t msg[128];
    size_t mn = scan_pg_password(msg, sizeof msg, "postgres", "postgres", pg.md5_salt);
    CHECK_INT(mn, 1 + 4 + 35 + 1);
    CHECK_INT(msg[0], 'p');
    CHECK_STR((const char *)msg + 5, "md568be9ed08db75f318087ab337aaea044"); /* Python's hashlib */
    mn = scan_pg_password(msg, sizeof msg, "postgres", "pw", NULL);
    CHECK_STR((const char *)msg + 5, "pw");
    /* the probes */
    mn = scan_pg_startup(msg, sizeof msg, "postgres");
    CHECK_INT(mn, 41);
    CHECK(memcmp(msg, "\x00\x00\x00\x29\x00\x03\x00\x00user\0postgres\0database\0postgres\0\0", 41) == 0);
    CHECK_INT(scan_pg_startup(msg, 10, "postgres"), 0);
    CHECK(!scan_parse_pg(S("HTTP/1.1 400"), &pg));
    CHECK(!scan_parse_pg(S("R\xff\xff\xff\xff"), &pg));
    CHECK(scan_parse_pg(S("R\x00\x00\x00\x08\x00\x00"), &pg)); /* cut: recognised, nothing known yet */
    CHECK_INT(pg.auth, -1);
    CHECK(!pg.done);
}

/* A MongoDB OP_MSG reply (the wire protocol documentation's layout) holding the BSON doc. */
static size_t mongo_reply(uint8_t *out, const uint8_t *doc, size_t dl)
{
    size_t len = 21 + dl;
    memset(out, 0, 21);
    out[0] = (uint8_t)len, out[1] = (uint8_t)(len >> 8);
    out[12] = 0xdd, out[13] = 0x07; /* 2013 */
    memcpy(out + 21, doc, dl);
    return len;
}

static void test_mongo(void)
{
    uint8_t msg[256], rep[512];
    size_t n = scan_mongo_msg(msg, sizeof msg, 7, "hello");
    CHECK_INT(n, 21 + 4 + 11 + 15 + 1);
    CHECK_INT(msg[0], n);
    CHECK_INT(msg[4], 7);
    CHECK_INT(msg[12], 0xdd);
    CHECK(scan_mongo_done(msg, n));
    CHECK(!scan_mongo_done(msg, n - 1));
    /* {ok: 1.0, maxWireVersion: 17, version: "6.0.5"} */
    static const uint8_t hello[] = {0x38, 0, 0, 0, 0x01, 'o', 'k', 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,
                                    0x10, 'm', 'a', 'x', 'W', 'i', 'r', 'e', 'V', 'e', 'r', 's', 'i', 'o', 'n', 0, 17, 0, 0, 0,
                                    0x02, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0, 6, 0, 0, 0, '6', '.', '0', '.', '5', 0, 0};
    scan_mongo m;
    CHECK(scan_parse_mongo(rep, mongo_reply(rep, hello, sizeof hello), &m));
    CHECK(m.ok);
    CHECK_INT(m.max_wire, 17);
    CHECK_STR(m.version, "6.0.5");
    /* {ok: 0.0, errmsg: "command listDatabases requires authentication", code: 13} */
    uint8_t doc[128];
    size_t o = 4;
    doc[o++] = 0x01, memcpy(doc + o, "ok", 3), o += 3, memset(doc + o, 0, 8), o += 8;
    const char *em = "command listDatabases requires authentication";
    size_t el = strlen(em) + 1;
    doc[o++] = 0x02, memcpy(doc + o, "errmsg", 7), o += 7, doc[o++] = (uint8_t)el, doc[o++] = 0, doc[o++] = 0, doc[o++] = 0;
    memcpy(doc + o, em, el), o += el;
    doc[o++] = 0x10, memcpy(doc + o, "code", 5), o += 5, doc[o++] = 13, doc[o++] = 0, doc[o++] = 0, doc[o++] = 0;
    doc[o++] = 0x0a, memcpy(doc + o, "n", 2), o += 2; /* a null, as the last element */
    doc[o++] = 0;
    doc[0] = (uint8_t)o, doc[1] = doc[2] = doc[3] = 0;
    CHECK(scan_parse_mongo(rep, mongo_reply(rep, doc, o), &m));
    CHECK(!m.ok);
    CHECK_INT(m.code, 13);
    CHECK_STR(m.errmsg, em);
    /* hostile: a string longer than its document, a document longer than the message */
    uint8_t bad[64];
    memcpy(bad, hello, sizeof hello);
    bad[45] = 0x7f;
    CHECK(!scan_parse_mongo(rep, mongo_reply(rep, bad, sizeof hello), &m));
    bad[45] = 6;
    bad[0] = 0xff;
    CHECK(!scan_parse_mongo(rep, mongo_reply(rep, bad, sizeof hello), &m));
    CHECK(!scan_parse_mongo(S("HTTP/1.0 200 OK\r\n\r\n"), &m));
    CHECK_INT(scan_mongo_msg(msg, 20, 1, "hello"), 0);
}

static void test_rdp_smb(void)
{
    int proto = 9;
    /* an X.224 Connection Confirm with RDP_NEG_RSP selecting CredSSP ([MS-RDPBCGR] 2.2.1.2) */
    CHECK(scan_parse_rdp(S("\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x1f\x08\x00\x02\x00\x00\x00"), &proto));
    CHECK_INT(proto, 2);
    CHECK(scan_parse_rdp(S("\x03\x00\x00\x0b\x06\xd0\x00\x00\x12\x34\x00"), &proto)); /* no negotiation: classic RDP */
    CHECK_INT(proto, 0);
    CHECK(scan_parse_rdp(S("\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x03\x00\x08\x00\x05\x00\x00\x00"), &proto));
    CHECK_INT(proto, -1);
    CHECK(!scan_parse_rdp(S("\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00"), &proto)); /* a request, not a confirm */
    CHECK(!scan_parse_rdp(S("\x03\x00\x00\x0b\xff\xd0\x00\x00\x12\x34\x00"), &proto));  /* LI past the packet */
    CHECK_INT(scan_rdp_request[4], 0x0e);

    uint8_t req[128];
    size_t n = scan_smb_negotiate(req, sizeof req, false);
    CHECK_INT(n, 4 + 32 + 3 + 12);
    CHECK(memcmp(req + 4, "\xffSMB\x72", 5) == 0);
    CHECK(memcmp(req + 39, "\x02NT LM 0.12", 12) == 0);
    CHECK_INT(scan_smb_negotiate(req, sizeof req, true), 4 + 32 + 3 + 12 + 11 + 11);
    CHECK_INT(scan_smb_negotiate(req, 20, true), 0);
    /* [MS-SMB] 2.2.4.5.2: an SMB1 Negotiate response choosing dialect 0 (NT LM 0.12) */
    uint8_t r1[80] = {0, 0, 0, 0x45, 0xff, 'S', 'M', 'B', 0x72};
    r1[4 + 32] = 17; /* WordCount */
    r1[4 + 33] = 0, r1[4 + 34] = 0;
    bool smb1;
    unsigned dialect;
    CHECK(scan_parse_smb(r1, sizeof r1, &smb1, &dialect));
    CHECK(smb1);
    r1[4 + 33] = 0xff, r1[4 + 34] = 0xff; /* no dialect accepted */
    CHECK(scan_parse_smb(r1, sizeof r1, &smb1, &dialect));
    CHECK(!smb1);
    /* [MS-SMB2] 2.2.4: a Negotiate response choosing 3.1.1 */
    uint8_t r2[4 + 64 + 8] = {0, 0, 0, 72, 0xfe, 'S', 'M', 'B', 64};
    r2[4 + 64] = 65, r2[4 + 64 + 4] = 0x11, r2[4 + 64 + 5] = 0x03;
    CHECK(scan_parse_smb(r2, sizeof r2, &smb1, &dialect));
    CHECK(!smb1);
    CHECK_INT(dialect, 0x0311);
    CHECK(!scan_parse_smb(S("\x00\x00\x00\x04GET "), &smb1, &dialect));
}

static void test_ldap(void)
{
    scan_ldap l;
    uint8_t p[512];
    /* captured: slapd 2.5's answer to the anonymous bind */
    size_t n = unhex("300c02010161070a010004000400", p, sizeof p);
    CHECK(scan_parse_ldap(p, n, &l));
    CHECK(l.bind_ok);
    CHECK_INT(l.result, 0);
    CHECK(l.done);
    /* captured: its root DSE */
    n = unhex("304d0201026448040030443025040e6e616d696e67436f6e74657874733113041164633d6578616d706c652c64633d6f7267301b0414"
              "737570706f727465644c44415056657273696f6e3103040133300c02010265070a010004000400", p, sizeof p);
    CHECK(scan_parse_ldap(p, n, &l));
    CHECK(l.entry);
    CHECK_STR(l.naming, "dc=example,dc=org");
    CHECK_INT(l.result, 0);
    CHECK(l.done);
    CHECK(!scan_parse_ldap(p, 40, &l)); /* cut inside the entry: not whole yet */
    CHECK(!l.done);
    /* an invalidCredentials bind answer (RFC 4511 4.2.2) */
    CHECK(scan_parse_ldap(S("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x31\x04\x00\x04\x00"), &l));
    CHECK(!l.bind_ok);
    CHECK_INT(l.result, 49);
    /* a 4-byte result code (once a signed shift overflow, found by fuzz_scan_ident_win) */
    CHECK(scan_parse_ldap(S("\x30\x0f\x02\x01\x01\x61\x0a\x0a\x04\xff\xff\xff\xff\x04\x00\x04\x00"), &l));
    CHECK_INT(l.result, -1);
    CHECK(!l.bind_ok);
    CHECK(!scan_parse_ldap(S("\x30\x84\xff\xff\xff\xff\x02\x01"), &l)); /* a length past the bytes */
    CHECK(!scan_parse_ldap(S("\x30\x85\x01\x01\x01\x01\x01"), &l));     /* a length of 5 bytes */
    CHECK(!scan_parse_ldap(S("HTTP/1.1 400"), &l));
    uint8_t req[160];
    n = scan_ldap_rootdse(req, sizeof req);
    CHECK_INT(n, 104);
    CHECK_INT(req[0], 0x30);
    CHECK_INT(req[1], n - 2);
    CHECK_INT(req[5], 0x63);
    CHECK_INT(scan_ldap_rootdse(req, 50), 0);
}

static void test_tls_records(void)
{
    static const uint16_t suites[] = {0x0034, 0x003a};
    uint8_t hello[512];
    size_t n = scan_tls_client_hello(hello, sizeof hello, 0x0303, suites, 2, "localhost");
    CHECK(n > 60);
    CHECK_INT(hello[0], 0x16);
    CHECK_INT(((size_t)hello[3] << 8 | hello[4]) + 5, n);
    CHECK_INT(hello[5], 0x01);
    CHECK_INT(((size_t)hello[6] << 16 | (size_t)hello[7] << 8 | hello[8]) + 9, n);
    CHECK_INT(hello[9], 0x03);
    CHECK_INT(hello[10], 0x03);
    CHECK_INT(hello[43], 0); /* an empty session id after the version and random */
    CHECK_INT(hello[45], 4); /* the suites' length */
    CHECK(memcmp(hello + 46, "\x00\x34\x00\x3a", 4) == 0);
    CHECK(memmem(hello, n, "localhost", 9) != NULL);
    size_t n_ip = scan_tls_client_hello(hello, sizeof hello, 0x0303, suites, 2, "127.0.0.1");
    CHECK_INT(n_ip, n - 9 - 9); /* no SNI for an address */
    CHECK_INT(scan_tls_client_hello(hello, 40, 0x0303, suites, 2, NULL), 0);
    CHECK_INT(scan_tls_client_hello(hello, sizeof hello, 0x0303, suites, 0, NULL), 0);
    /* captured: openssl s_server -tls1 -cipher ALL:@SECLEVEL=0 choosing DHE... anonymous suite 0x0034 */
    uint8_t p[256];
    n = unhex("16030100510200004d0301982a505d43b9e1162a4eb4116ea15b4137bf7fd5270f15aca67ac717bbfe34fa207672ce1db0af012b09"
              "3e6aef48475c7524fcbf3fd835297caf016369916df09a0034000005ff01000100", p, sizeof p);
    scan_tls_answer a;
    CHECK(scan_parse_tls_answer(p, n, &a));
    CHECK(a.server_hello);
    CHECK_INT(a.version, 0x0301);
    CHECK_INT(a.suite, 0x0034);
    CHECK(!scan_parse_tls_answer(p, 40, &a)); /* cut before the suite */
    CHECK(scan_parse_tls_answer(S("\x15\x03\x01\x00\x02\x02\x28"), &a)); /* alert handshake_failure */
    CHECK(!a.server_hello);
    CHECK_INT(a.alert, 40);
    CHECK(!scan_parse_tls_answer(S("HTTP/1.1 400 Bad Request\r\n"), &a));
    CHECK(!scan_parse_tls_answer(S("\x16\x03\x03\xff\xff\x02\x00\x00\x00"), &a));
}

static void test_guess(void)
{
    scan_service s = {0};
    CHECK(scan_ident_guess(S("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"), &s));
    CHECK_STR(s.name, "ssh");
    memset(&s, 0, sizeof s);
    CHECK(scan_ident_guess(S("220 Welcome\r\n"), &s));
    CHECK_STR(s.name, "ftp");
    memset(&s, 0, sizeof s);
    CHECK(scan_ident_guess(S("HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\n\r\n"), &s));
    CHECK_STR(s.name, "http");
    CHECK_STR(s.product, "nginx");
    CHECK_STR(s.version, "1.22.1");
    memset(&s, 0, sizeof s);
    CHECK(scan_ident_guess(S("-NOAUTH Authentication required.\r\n"), &s));
    CHECK_STR(s.name, "redis");
    uint8_t garbage[256];
    for (int i = 0; i < 256; i++)
        garbage[i] = (uint8_t)i;
    CHECK(!scan_ident_guess(garbage, sizeof garbage, &s));
    CHECK(!scan_ident_guess(S(""), &s));
}

static void test_field_set(void)
{
    char f[8];
    scan_field_set(f, sizeof f, "abcdefghij", 10);
    CHECK_STR(f, "abcdefg");
    scan_field_set(f, sizeof f, "a\x01\n", 3);
    CHECK_STR(f, "a??");
    scan_field_set(f, sizeof f, "ab\0cd", 5);
    CHECK_STR(f, "ab");
}

int main(void)
{
    RUN(test_escape);
    RUN(test_field_set);
    RUN(test_ssh);
    RUN(test_220);
    RUN(test_reply_lines);
    RUN(test_mail_greetings);
    RUN(test_telnet_vnc);
    RUN(test_redis);
    RUN(test_memcached);
    RUN(test_http);
    RUN(test_api_json);
    RUN(test_mysql);
    RUN(test_pg);
    RUN(test_pg_scram);
    RUN(test_mongo);
    RUN(test_rdp_smb);
    RUN(test_ldap);
    RUN(test_tls_records);
    RUN(test_guess);
    TEST_MAIN_END();
}

/* The probe families of service identification and the findings their answers prove: the
 * banner family (servers that talk first: SSH, FTP, SMTP, POP3, IMAP, telnet, VNC, MySQL), HTTP
 * (and Elasticsearch, the Docker and Kubernetes APIs), Redis, memcached, PostgreSQL, MongoDB,
 * RDP, SMB and LDAP; each runs on fresh connections within the port's budget. */
#include "scan/scan_ident_int.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Takes what a parser named in t (name, product, version, info), keeping the banner. */
static void adopt(si_port *sp, const scan_service *t)
{
    if (sp->named)
        return;
    scan_service *o = sp->out;
    memcpy(o->name, t->name, sizeof o->name);
    memcpy(o->product, t->product, sizeof o->product);
    memcpy(o->version, t->version, sizeof o->version);
    memcpy(o->info, t->info, sizeof o->info);
    sp->named = true;
}

si_family si_family_of(const uint8_t *p, size_t n)
{
    scan_service t = {0};
    scan_mongo m;
    scan_pg pg;
    scan_ldap l;
    if (scan_parse_redis(p, n, &t) != SCAN_REDIS_NO)
        return SI_REDIS;
    if (scan_parse_memcached(p, n, &t) || (n >= 7 && memcmp(p, "ERROR\r\n", 7) == 0))
        return SI_MEMCACHED;
    if (scan_parse_mongo(p, n, &m) || (n > 40 && memmem(p, n, "trying to access MongoDB over HTTP", 34)))
        return SI_MONGO;
    if (scan_parse_http(p, n, &(scan_http){0}))
        return SI_HTTP;
    if (scan_parse_pg(p, n, &pg) && (pg.error[0] || pg.auth >= 0))
        return SI_PG;
    if (n >= 5 && (p[0] == 0x16 || p[0] == 0x15) && p[1] == 0x03) /* a handshake record or an alert */
        return SI_TLS;
    if (scan_parse_ldap(p, n, &l))
        return SI_LDAP;
    if (scan_ident_guess(p, n, &t))
        return SI_BANNER;
    return SI_NFAMILIES;
}

/* When an answer was not the protocol asked, points the driver at the family it looks like. */
static void point(si_port *sp, const uint8_t *p, size_t n)
{
    si_family f = si_family_of(p, n);
    if (f != SI_NFAMILIES && !sp->tried[f])
        sp->next = f;
}

/* ---- the banner family ---- */

static bool banner_done(const uint8_t *p, size_t n)
{
    if (p[0] == 0xff || (n >= 12 && memcmp(p, "RFB ", 4) == 0))
        return true;
    if (n >= 4 && p[3] == 0) { /* a MySQL packet */
        size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
        if (n >= 4 + len)
            return true;
    }
    return scan_line_done(p, n);
}

/* Sends a line and reads the reply lines; the bytes answered. */
static size_t say(si_port *sp, si_conn *c, const char *line, uint8_t *buf, size_t cap)
{
    if (!si_send(sp, c, line, strlen(line)))
        return 0;
    return si_read(sp, c, buf, cap, sp->read_ms, scan_line_done);
}

static void ftp_anonymous(si_port *sp, si_conn *c)
{
    uint8_t buf[2048], pass[2048];
    size_t n = say(sp, c, "USER anonymous\r\n", buf, sizeof buf);
    int code = scan_reply_code(buf, n);
    size_t pn = 0;
    if (code == 331 && si_send(sp, c, "PASS keepwatch@example.invalid\r\n", 32)) {
        /* a login that works answers at once; servers hold a failed one back (pyftpdlib 3 s,
         * vsftpd's delay_failed_login 1 s): half a read's wait is enough to tell */
        pn = si_read(sp, c, pass, sizeof pass, sp->read_ms / 2, scan_line_done);
        code = scan_reply_code(pass, pn);
    }
    if (code == 230)
        si_emit(sp, SI_FTP_ANON, NULL, "USER anonymous / PASS keepwatch@example.invalid", pn ? pass : buf, pn ? pn : n);
    if (code > 0) /* not while a failed login is held back: closing is enough */
        say(sp, c, "QUIT\r\n", buf, sizeof buf);
}

static void greet_220(si_port *sp, si_conn *c, const uint8_t *p, size_t n)
{
    scan_service t = {0};
    scan_banner220 kind = scan_parse_220(p, n, &t);
    uint8_t buf[4096];
    if (kind != SCAN_220_FTP) {
        size_t bn = say(sp, c, "EHLO keepwatch.invalid\r\n", buf, sizeof buf);
        int code = scan_reply_code(buf, bn);
        if (code == 250 || (kind == SCAN_220_SMTP && bn)) {
            snprintf(t.name, sizeof t.name, "smtp");
            adopt(sp, &t);
            say(sp, c, "QUIT\r\n", buf, sizeof buf);
            return;
        }
    }
    snprintf(t.name, sizeof t.name, "ftp");
    adopt(sp, &t);
    ftp_anonymous(sp, c);
}

static void vnc_security(si_port *sp, si_conn *c, int minor)
{
    const char *hello = minor >= 8 ? "RFB 003.008\n" : minor == 7 ? "RFB 003.007\n" : "RFB 003.003\n";
    uint8_t buf[256];
    if (!si_send(sp, c, hello, 12))
        return;
    size_t n = si_read(sp, c, buf, sizeof buf, sp->read_ms, NULL);
    bool none = false;
    if (scan_parse_vnc_sec(buf, n, minor, &none) && none)
        si_emit(sp, SI_VNC_NOAUTH, NULL, hello, buf, n);
}

/* MySQL: the handshake names it; with check_credentials, root with an empty and a default
 * password. */
static void mysql_checks(si_port *sp, const uint8_t *p, size_t n, const scan_mysql *m);

static void banner_dispatch(si_port *sp, si_conn *c, const uint8_t *p, size_t n)
{
    scan_service t = {0};
    scan_mysql m;
    int minor = 0;
    if (scan_parse_ssh(p, n, &t) || scan_parse_pop3(p, n, &t) || scan_parse_imap(p, n, &t)) {
        adopt(sp, &t);
    } else if (scan_parse_telnet(p, n, &t)) {
        adopt(sp, &t);
        si_emit(sp, SI_TELNET_EXPOSED, NULL, "connect (the server negotiates telnet options first)", p, n);
    } else if (scan_parse_vnc(p, n, &t, &minor)) {
        adopt(sp, &t);
        vnc_security(sp, c, minor);
    } else if (scan_parse_220(p, n, &t) != SCAN_220_NONE) {
        greet_220(sp, c, p, n);
    } else if (scan_parse_mysql(p, n, &t, &m)) {
        adopt(sp, &t);
        mysql_checks(sp, p, n, &m);
    } else if (scan_ident_guess(p, n, &t)) {
        adopt(sp, &t);
    } else {
        point(sp, p, n);
    }
}

static bool family_banner(si_port *sp)
{
    si_conn c;
    if (!si_connect(sp, &c))
        return false;
    int64_t wait = sp->usual == SI_BANNER ? sp->read_ms : sp->read_ms < 800 ? sp->read_ms : 800;
    uint8_t buf[4096];
    size_t n = si_read(sp, &c, buf, sizeof buf, wait, banner_done);
    if (n)
        banner_dispatch(sp, &c, buf, n);
    si_close(&c);
    return sp->named;
}

/* ---- MySQL credentials ---- */

static bool mysql_try(si_port *sp, const char *pw, uint8_t *ans, size_t cap, size_t *ansn)
{
    si_conn c;
    uint8_t hs[4096], login[256];
    *ansn = 0;
    if (!si_connect(sp, &c))
        return false;
    size_t n = si_read(sp, &c, hs, sizeof hs, sp->read_ms, banner_done);
    scan_service t = {0};
    scan_mysql m;
    bool ok = false;
    if (n && scan_parse_mysql(hs, n, &t, &m) && !m.error) {
        size_t ln = scan_mysql_login(login, sizeof login, "root", pw, m.salt, m.salt_len);
        if (ln && si_send(sp, &c, login, ln)) {
            *ansn = si_read(sp, &c, ans, cap, sp->read_ms, banner_done);
            ok = scan_mysql_reply(ans, *ansn) == 0;
        }
    }
    si_close(&c);
    return ok;
}

static void mysql_checks(si_port *sp, const uint8_t *p, size_t n, const scan_mysql *m)
{
    si_emit(sp, SI_DB_EXPOSED, "MySQL/MariaDB sent its handshake.", "connect", p, n);
    if (m->error || !sp->opts->check_credentials)
        return;
    static const char *const pws[] = {"", "root", "mysql"};
    for (size_t i = 0; i < sizeof pws / sizeof pws[0] && si_left(sp); i++) {
        uint8_t ans[1024];
        size_t an;
        if (mysql_try(sp, pws[i], ans, sizeof ans, &an)) {
            char sent[96];
            snprintf(sent, sizeof sent, "login user root, password %s (mysql_native_password)", pws[i][0] ? "from the default list" : "empty");
            si_emit(sp, SI_MYSQL_ROOT_NOPW, pws[i][0] ? "The password is a well-known default." : "The password is empty.", sent, ans, an);
            return;
        }
    }
}

/* ---- HTTP, Elasticsearch, Docker, Kubernetes ---- */

/* "GET path HTTP/1.0" with Host; its length (0 when it does not fit). */
static size_t http_request(const si_port *sp, const char *path, char *req, size_t cap)
{
    const char *h = sp->opts->host && sp->opts->host[0] ? sp->opts->host : sp->ip;
    bool v6 = strchr(h, ':') != NULL;
    int rl = snprintf(req, cap,
                      "GET %s HTTP/1.0\r\nHost: %s%s%s:%d\r\nUser-Agent: keepwatch-scan\r\nAccept: */*\r\n"
                      "Connection: close\r\n\r\n",
                      path, v6 ? "[" : "", h, v6 ? "]" : "", sp->port);
    return rl > 0 && (size_t)rl < cap ? (size_t)rl : 0;
}

/* GET path; the bytes answered into buf (SI_READ_MAX). */
static size_t http_get(si_port *sp, const char *path, uint8_t *buf)
{
    char req[512];
    size_t rl = http_request(sp, path, req, sizeof req);
    return rl ? si_ask(sp, req, rl, buf, SI_READ_MAX, scan_http_done) : 0;
}

static void api_name(si_port *sp, const char *name, const char *product, const char *version)
{
    scan_service *o = sp->out;
    snprintf(o->name, sizeof o->name, "%s", name);
    snprintf(o->product, sizeof o->product, "%s", product);
    scan_field_set(o->version, sizeof o->version, version, strlen(version));
}

static bool docker_or_k8s_hint(const si_port *sp, const scan_http *h)
{
    int p = sp->port;
    return h->api_version || strncmp(h->server, "Docker", 6) == 0 || p == 2375 || p == 2376 || p == 6443 ||
           p == 8001 || p == 10250 ||
           (h->body_len && (memmem(h->body, h->body_len, "\"kind\"", 6) || memmem(h->body, h->body_len, "\"paths\"", 7) ||
                            memmem(h->body, h->body_len, "{\"message\":\"page not found\"}", 28)));
}

static void k8s_api(si_port *sp, uint8_t *buf)
{
    size_t n = http_get(sp, "/api", buf);
    scan_http h;
    char v[8];
    if (scan_parse_http(buf, n, &h) && h.status == 200 && scan_parse_api_json(h.body, h.body_len, v, sizeof v) == SCAN_API_K8S_LIST)
        si_emit(sp, SI_K8S_NOAUTH, NULL, "GET /api (no credentials)", buf, n);
}

static void http_api(si_port *sp, uint8_t *buf)
{
    size_t n = http_get(sp, "/version", buf);
    scan_http h;
    char v[SCAN_VERSION_MAX];
    if (!scan_parse_http(buf, n, &h) || h.status != 200)
        return;
    scan_api_kind k = scan_parse_api_json(h.body, h.body_len, v, sizeof v);
    if (k == SCAN_API_DOCKER) {
        api_name(sp, "docker", "Docker", v);
        si_emit(sp, SI_DOCKER_NOAUTH, NULL, "GET /version (no credentials)", buf, n);
    } else if (k == SCAN_API_K8S) {
        api_name(sp, "kubernetes", "Kubernetes", v[0] == 'v' ? v + 1 : v);
        k8s_api(sp, buf);
    }
}

bool si_family_http(si_port *sp)
{
    uint8_t *buf = malloc(SI_READ_MAX);
    if (!buf)
        return false;
    size_t n = http_get(sp, "/", buf);
    scan_http h;
    scan_service t = {0};
    if (!scan_parse_http(buf, n, &h)) {
        /* inside TLS the answer names the service itself (an IMAP greeting on a TLS port) */
        bool named = sp->tls_inner && n && scan_ident_guess(buf, n, &t);
        if (named)
            adopt(sp, &t);
        else
            point(sp, buf, n);
        free(buf);
        return named;
    }
    scan_http_service(&h, sp->tls_inner, &t);
    adopt(sp, &t);
    char v[SCAN_VERSION_MAX];
    if (h.status == 200 && scan_parse_api_json(h.body, h.body_len, v, sizeof v) == SCAN_API_ES) {
        api_name(sp, "elasticsearch", "Elasticsearch", v);
        si_emit(sp, SI_DB_EXPOSED, "Elasticsearch answered.", "GET /", buf, n);
        si_emit(sp, SI_ES_NOAUTH, NULL, "GET / (no credentials)", buf, n);
    } else if (h.status == 401 && strcmp(h.realm, "security") == 0) { /* Elasticsearch with security on */
        api_name(sp, "elasticsearch", "Elasticsearch", "");
        snprintf(sp->out->info, sizeof sp->out->info, "authentication required");
        si_emit(sp, SI_DB_EXPOSED, "Elasticsearch answered.", "GET /", buf, n);
    } else if (docker_or_k8s_hint(sp, &h)) {
        if (h.api_version || strncmp(h.server, "Docker", 6) == 0) { /* the Docker daemon's headers on every answer */
            char dv[SCAN_VERSION_MAX];
            memcpy(dv, sp->out->version, sizeof dv);
            api_name(sp, "docker", "Docker", dv);
        }
        http_api(sp, buf);
    }
    free(buf);
    return true;
}

/* ---- Redis, memcached ---- */

static bool redis_done(const uint8_t *p, size_t n)
{
    if (p[0] != '$')
        return scan_line_done(p, n);
    long len = 0;
    size_t i = 1;
    while (i < n && p[i] >= '0' && p[i] <= '9' && len < 1000000)
        len = len * 10 + (p[i++] - '0');
    return i + 1 < n && p[i] == '\r' && n >= i + 2 + (size_t)len + 2;
}

static bool family_redis(si_port *sp)
{
    uint8_t buf[8192];
    size_t n = si_ask(sp, "INFO server\r\n", 13, buf, sizeof buf, redis_done);
    scan_service t = {0};
    scan_redis_state st = scan_parse_redis(buf, n, &t);
    if (st == SCAN_REDIS_NO) {
        point(sp, buf, n);
        return false;
    }
    if (st == SCAN_REDIS_AUTH)
        snprintf(t.info, sizeof t.info, "password required");
    else if (st == SCAN_REDIS_PROTECTED)
        snprintf(t.info, sizeof t.info, "protected mode");
    adopt(sp, &t);
    si_emit(sp, SI_DB_EXPOSED, "Redis answered.", "INFO server", buf, n > 80 ? 80 : n);
    if (st == SCAN_REDIS_OPEN)
        si_emit(sp, SI_REDIS_NOAUTH, NULL, "INFO server (no AUTH)", buf, n > 200 ? 200 : n);
    return true;
}

static bool memcached_done(const uint8_t *p, size_t n)
{
    return (n >= 5 && memcmp(p + n - 5, "END\r\n", 5) == 0) || (memcmp(p, "STAT", n < 4 ? n : 4) != 0 && scan_line_done(p, n));
}

static bool family_memcached(si_port *sp)
{
    si_conn c;
    uint8_t buf[8192];
    if (!si_connect(sp, &c))
        return false;
    scan_service t = {0};
    size_t n = say(sp, &c, "version\r\n", buf, sizeof buf);
    if (!scan_parse_memcached(buf, n, &t)) {
        si_close(&c);
        point(sp, buf, n);
        return false;
    }
    adopt(sp, &t);
    if (si_send(sp, &c, "stats\r\n", 7)) {
        size_t sn = si_read(sp, &c, buf, sizeof buf, sp->read_ms, memcached_done);
        if (sn >= 5 && memcmp(buf, "STAT ", 5) == 0)
            si_emit(sp, SI_MEMCACHED_NOAUTH, NULL, "stats (no SASL)", buf, sn > 200 ? 200 : sn);
    }
    si_close(&c);
    return true;
}

/* ---- PostgreSQL ---- */

static bool pg_done(const uint8_t *p, size_t n)
{
    scan_pg pg;
    return scan_parse_pg(p, n, &pg) && pg.done;
}

/* The answer to an SSLRequest: one byte, 'S' or 'N' (or an old server's ErrorResponse). */
static bool pg_ssl_done(const uint8_t *p, size_t n)
{
    return p[0] != 'E' || pg_done(p, n);
}

static const char *pg_method(int auth)
{
    switch (auth) {
    case 3: return "password (cleartext)";
    case 5: return "md5";
    case 10: return "SASL";
    case 7: return "GSSAPI";
    case 9: return "SSPI";
    default: return "?";
    }
}

/* A SCRAM-SHA-256 login on c, the startup answered with SASL: true when the server took pw. */
static bool pg_scram_login(si_port *sp, si_conn *c, const char *pw, uint8_t *buf, size_t cap, size_t *n)
{
    unsigned char rnd[18];
    char nonce[32];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return false;
    EVP_EncodeBlock((unsigned char *)nonce, rnd, sizeof rnd); /* 24 characters, no comma */
    uint8_t msg[600];
    scan_pg pg;
    size_t mn = scan_pg_scram_first(msg, sizeof msg, "", nonce);
    if (!mn || !si_send(sp, c, msg, mn) || !(*n = si_read(sp, c, buf, cap, sp->read_ms, pg_done)) ||
        !scan_parse_pg(buf, *n, &pg) || pg.auth != 11)
        return false;
    mn = scan_pg_scram_final(msg, sizeof msg, "", nonce, pw, pg.sasl_data);
    if (!mn || !si_send(sp, c, msg, mn) || !(*n = si_read(sp, c, buf, cap, sp->read_ms, pg_done)))
        return false;
    return scan_parse_pg(buf, *n, &pg) && !pg.error[0] && (pg.ok || pg.auth == 12);
}

/* With check_credentials: postgres/postgres by SCRAM-SHA-256, md5 or cleartext password. */
static void pg_default_password(si_port *sp, int method)
{
    si_conn c;
    uint8_t msg[256], buf[4096];
    if (!sp->opts->check_credentials || (method != 3 && method != 5 && method != 10) || !si_connect(sp, &c))
        return;
    size_t n = scan_pg_startup(msg, sizeof msg, "postgres");
    scan_pg pg;
    bool in = false;
    if (n && si_send(sp, &c, msg, n) && (n = si_read(sp, &c, buf, sizeof buf, sp->read_ms, pg_done)) &&
        scan_parse_pg(buf, n, &pg)) {
        if (pg.auth == 3 || pg.auth == 5) {
            size_t pn = scan_pg_password(msg, sizeof msg, "postgres", "postgres", pg.auth == 5 ? pg.md5_salt : NULL);
            in = pn && si_send(sp, &c, msg, pn) && (n = si_read(sp, &c, buf, sizeof buf, sp->read_ms, pg_done)) &&
                 scan_parse_pg(buf, n, &pg) && pg.auth == 0;
        } else if (pg.auth == 10 && strstr(pg.sasl, "SCRAM-SHA-256")) {
            in = pg_scram_login(sp, &c, "postgres", buf, sizeof buf, &n);
        }
    }
    if (in)
        si_emit(sp, SI_PG_DEFAULT_PW, NULL, "StartupMessage user=postgres, password from the default list", buf,
                n > 200 ? 200 : n);
    si_close(&c);
}

static bool family_pg(si_port *sp)
{
    uint8_t buf[4096], msg[128];
    bool ssl = false;
    size_t n = si_ask(sp, scan_pg_sslrequest, sizeof scan_pg_sslrequest, buf, sizeof buf, pg_ssl_done);
    if (n == 1 && (buf[0] == 'S' || buf[0] == 'N'))
        ssl = buf[0] == 'S';
    else if (!n || buf[0] != 'E') {
        point(sp, buf, n);
        return false;
    }
    size_t mn = scan_pg_startup(msg, sizeof msg, "postgres");
    n = si_ask(sp, msg, mn, buf, sizeof buf, pg_done);
    scan_pg pg;
    if (!scan_parse_pg(buf, n, &pg) || (pg.auth < 0 && !pg.error[0]))
        return false;
    scan_service t = {0};
    snprintf(t.name, sizeof t.name, "postgresql");
    snprintf(t.product, sizeof t.product, "PostgreSQL");
    size_t vl = strcspn(pg.version, " ");
    scan_field_set(t.version, sizeof t.version, pg.version, vl);
    if (pg.auth == 0)
        snprintf(t.info, sizeof t.info, "no password asked (trust)%s", ssl ? "; SSL offered" : "");
    else if (pg.auth > 0)
        snprintf(t.info, sizeof t.info, "auth %s%s%s%s", pg_method(pg.auth), pg.sasl[0] ? " " : "", pg.sasl, ssl ? "; SSL offered" : "");
    else
        snprintf(t.info, sizeof t.info, "%s%s", pg.error, ssl ? "; SSL offered" : "");
    adopt(sp, &t);
    si_emit(sp, SI_DB_EXPOSED, "PostgreSQL answered a StartupMessage.", "StartupMessage user=postgres", buf, n > 120 ? 120 : n);
    if (pg.auth == 0) {
        char sent[200];
        snprintf(sent, sizeof sent, "StartupMessage user=postgres database=postgres, no password sent: AuthenticationOk; server_version %s",
                 pg.version[0] ? pg.version : "?");
        si_emit(sp, SI_PG_TRUST, NULL, sent, buf, n > 300 ? 300 : n);
    }
    else
        pg_default_password(sp, pg.auth);
    return true;
}

/* ---- MongoDB ---- */

static bool mongo_cmd(si_port *sp, const char *cmd, int32_t id, scan_mongo *m, uint8_t *buf, size_t cap, size_t *n)
{
    uint8_t msg[128];
    size_t mn = scan_mongo_msg(msg, sizeof msg, id, cmd);
    *n = si_ask(sp, msg, mn, buf, cap, scan_mongo_done);
    return scan_parse_mongo(buf, *n, m);
}

static bool family_mongo(si_port *sp)
{
    uint8_t buf[SI_READ_MAX / 2];
    size_t n;
    scan_mongo m;
    if (!mongo_cmd(sp, "hello", 1, &m, buf, sizeof buf, &n) && !mongo_cmd(sp, "isMaster", 2, &m, buf, sizeof buf, &n)) {
        point(sp, buf, n);
        return false;
    }
    scan_service t = {0};
    snprintf(t.name, sizeof t.name, "mongodb");
    snprintf(t.product, sizeof t.product, "MongoDB");
    if (m.max_wire >= 0)
        snprintf(t.info, sizeof t.info, "wire version %d", m.max_wire);
    if (mongo_cmd(sp, "buildInfo", 3, &m, buf, sizeof buf, &n) && m.version[0])
        snprintf(t.version, sizeof t.version, "%s", m.version);
    adopt(sp, &t);
    si_emit(sp, SI_DB_EXPOSED, "MongoDB answered hello.", "OP_MSG {hello: 1}", NULL, 0);
    if (mongo_cmd(sp, "listDatabases", 4, &m, buf, sizeof buf, &n) && m.ok && m.databases)
        si_emit(sp, SI_MONGO_NOAUTH, NULL, "OP_MSG {listDatabases: 1, $db: \"admin\"} (no credentials)", buf, n > 300 ? 300 : n);
    return true;
}

/* ---- RDP, SMB, LDAP ---- */

static bool family_rdp(si_port *sp)
{
    uint8_t buf[512];
    size_t n = si_ask(sp, scan_rdp_request, sizeof scan_rdp_request, buf, sizeof buf, NULL);
    int proto;
    if (!scan_parse_rdp(buf, n, &proto)) {
        point(sp, buf, n);
        return false;
    }
    scan_service t = {0};
    snprintf(t.name, sizeof t.name, "rdp");
    snprintf(t.info, sizeof t.info, "selected protocol %s", proto == 0 ? "RDP" : proto == 1 ? "TLS" : proto == 2 ? "CredSSP (NLA)" : proto < 0 ? "none (negotiation failed)" : "other");
    adopt(sp, &t);
    si_emit(sp, SI_RDP_EXPOSED, NULL, "X.224 Connection Request (RDP_NEG_REQ TLS|CredSSP)", buf, n);
    return true;
}

static bool smb_done(const uint8_t *p, size_t n)
{
    return n >= 4 && n >= 4 + ((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
}

static bool family_smb(si_port *sp)
{
    uint8_t req[128], buf[2048];
    size_t rn = scan_smb_negotiate(req, sizeof req, false);
    size_t n = si_ask(sp, req, rn, buf, sizeof buf, smb_done);
    bool smb1 = false;
    unsigned dialect = 0;
    bool is_smb = scan_parse_smb(buf, n, &smb1, &dialect);
    if (!smb1) {
        rn = scan_smb_negotiate(req, sizeof req, true);
        size_t n2 = si_ask(sp, req, rn, buf, sizeof buf, smb_done);
        bool dummy;
        if (scan_parse_smb(buf, n2, &dummy, &dialect))
            is_smb = true, n = n2;
    }
    if (!is_smb) {
        point(sp, buf, n);
        return false;
    }
    scan_service t = {0};
    snprintf(t.name, sizeof t.name, "smb");
    if (dialect)
        snprintf(t.info, sizeof t.info, "SMB2 dialect 0x%04x%s", dialect, smb1 ? "; SMBv1 accepted" : "");
    else if (smb1)
        snprintf(t.info, sizeof t.info, "SMBv1 accepted");
    adopt(sp, &t);
    if (smb1)
        si_emit(sp, SI_SMB1, NULL, "SMB1 Negotiate offering only NT LM 0.12", buf, n > 64 ? 64 : n);
    return true;
}

static bool ldap_done(const uint8_t *p, size_t n)
{
    scan_ldap l;
    return scan_parse_ldap(p, n, &l) && l.done;
}

static bool family_ldap(si_port *sp)
{
    si_conn c;
    uint8_t buf[8192], req[160];
    if (!si_connect(sp, &c))
        return false;
    scan_ldap l;
    size_t n = 0;
    if (si_send(sp, &c, scan_ldap_bind, sizeof scan_ldap_bind))
        n = si_read(sp, &c, buf, sizeof buf, sp->read_ms, ldap_done);
    if (!scan_parse_ldap(buf, n, &l) || l.result < 0) {
        si_close(&c);
        point(sp, buf, n);
        return false;
    }
    scan_service t = {0};
    snprintf(t.name, sizeof t.name, "ldap");
    bool anon = l.bind_ok;
    size_t rn = scan_ldap_rootdse(req, sizeof req);
    if (anon && si_send(sp, &c, req, rn) && (n = si_read(sp, &c, buf, sizeof buf, sp->read_ms, ldap_done)) &&
        scan_parse_ldap(buf, n, &l)) {
        scan_field_set(t.product, sizeof t.product, l.vendor, strlen(l.vendor));
        scan_field_set(t.version, sizeof t.version, l.version, strlen(l.version));
        snprintf(t.info, sizeof t.info, "naming contexts %.*s", (int)sizeof t.info - 17, l.naming[0] ? l.naming : "(none)");
    }
    adopt(sp, &t);
    if (anon && l.entry)
        si_emit(sp, SI_LDAP_ANON, NULL, "anonymous simple bind, then a base search of the root DSE", buf, n > 300 ? 300 : n);
    si_close(&c);
    return true;
}

size_t si_family_probe(const si_port *sp, si_family f, uint8_t *out, size_t cap)
{
    static const uint16_t common[] = {0xc02f, 0xc030, 0xc02b, 0xc02c, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0x000a};
    switch (f) {
    case SI_BANNER: return 0;
    case SI_HTTP: return http_request(sp, "/", (char *)out, cap);
    case SI_REDIS: return cap >= 13 ? (memcpy(out, "INFO server\r\n", 13), 13) : 0;
    case SI_MEMCACHED: return cap >= 9 ? (memcpy(out, "version\r\n", 9), 9) : 0;
    case SI_TLS: return scan_tls_client_hello(out, cap, 0x0303, common, sizeof common / 2, sp->opts->host);
    case SI_PG: return cap >= 8 ? (memcpy(out, scan_pg_sslrequest, 8), 8) : 0;
    case SI_MONGO: return scan_mongo_msg(out, cap, 1, "hello");
    case SI_RDP: return cap >= sizeof scan_rdp_request ? (memcpy(out, scan_rdp_request, sizeof scan_rdp_request), sizeof scan_rdp_request) : 0;
    case SI_SMB: return scan_smb_negotiate(out, cap, true);
    case SI_LDAP: return cap >= sizeof scan_ldap_bind ? (memcpy(out, scan_ldap_bind, sizeof scan_ldap_bind), sizeof scan_ldap_bind) : 0;
    default: return 0;
    }
}

bool si_family_run(si_port *sp, si_family f)
{
    switch (f) {
    case SI_BANNER: return family_banner(sp);
    case SI_TLS:
        sp->inner_family = si_family_http; /* a service inside TLS that waits to be asked */
        return si_family_tls(sp);
    case SI_HTTP: return si_family_http(sp);
    case SI_REDIS: return family_redis(sp);
    case SI_MEMCACHED: return family_memcached(sp);
    case SI_PG: return family_pg(sp);
    case SI_MONGO: return family_mongo(sp);
    case SI_RDP: return family_rdp(sp);
    case SI_SMB: return family_smb(sp);
    case SI_LDAP: return family_ldap(sp);
    default: return false;
    }
}

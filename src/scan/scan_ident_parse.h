/* The pure parsers of service identification: what one answer, as bytes read from a port, says
 * about the service that sent it, and the probes sent to make services answer. No I/O here;
 * every input is hostile and only its first n bytes are looked at (scan_ident.c reads them,
 * each parser is fuzzed). A parser returns true when the bytes are that protocol's answer and
 * then fills the scan_service (name, product, version, info) and its own facts struct. */
#ifndef KW_SCAN_IDENT_PARSE_H
#define KW_SCAN_IDENT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan/scan_ident.h"

/* ---- text protocols (scan_ident_text.c) ---- */

/* Writes p[0..n) into out (cap bytes, NUL-terminated, always) with bytes outside printable
 * ASCII as \xNN, \r\n as \r \n escapes; cut at cap with "..." when longer. */
void scan_escape(const uint8_t *p, size_t n, char *out, size_t cap);

/* Copies s (NUL-terminated or not, at most n bytes) into a field of cap bytes, keeping
 * printable ASCII only (others become '?'). */
void scan_field_set(char *field, size_t cap, const char *s, size_t n);

/* True when p holds a complete line-protocol reply: a last line "NNN text\r\n" (FTP, SMTP) or
 * "+OK"/"-ERR"/"* " line (POP3, IMAP) or any full line ending "\n". */
bool scan_line_done(const uint8_t *p, size_t n);

/* The 3-digit code of the final line of an FTP/SMTP-style reply ("220-..." lines continue);
 * -1 when p is not one. */
int scan_reply_code(const uint8_t *p, size_t n);

/* "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3": ssh, OpenSSH, 9.2p1, "Debian-2+deb12u3; protocol 2.0". */
bool scan_parse_ssh(const uint8_t *p, size_t n, scan_service *out);

typedef enum scan_banner220 { SCAN_220_NONE, SCAN_220_FTP, SCAN_220_SMTP, SCAN_220_EITHER } scan_banner220;
/* A "220" greeting: which of FTP and SMTP it names (EITHER when it does not say), and the
 * product and version it gives, into out (name left for the caller when EITHER). */
scan_banner220 scan_parse_220(const uint8_t *p, size_t n, scan_service *out);

/* "+OK Dovecot ready." (pop3) and "* OK [CAPABILITY IMAP4rev1 ...] Dovecot ready." (imap). */
bool scan_parse_pop3(const uint8_t *p, size_t n, scan_service *out);
bool scan_parse_imap(const uint8_t *p, size_t n, scan_service *out);

/* A telnet server's first bytes: IAC WILL/WONT/DO/DONT option negotiation. */
bool scan_parse_telnet(const uint8_t *p, size_t n, scan_service *out);

/* "RFB 003.008\n": vnc, version "3.8"; *minor gets the protocol's minor version. */
bool scan_parse_vnc(const uint8_t *p, size_t n, scan_service *out, int *minor);
/* The security types a VNC server offers after the client's version (3.7+: count and list;
 * 3.3: one u32). *none: type 1 (None) offered. False when incomplete or a failure. */
bool scan_parse_vnc_sec(const uint8_t *p, size_t n, int minor, bool *none);

typedef enum scan_redis_state { SCAN_REDIS_NO, SCAN_REDIS_OPEN, SCAN_REDIS_AUTH, SCAN_REDIS_PROTECTED } scan_redis_state;
/* A Redis answer to PING or INFO: +PONG or INFO's "redis_version:" (open), -NOAUTH (needs a
 * password), -DENIED (protected mode). The version from INFO goes into out. */
scan_redis_state scan_parse_redis(const uint8_t *p, size_t n, scan_service *out);

/* memcached: "VERSION 1.6.18\r\n" or a stats listing with "STAT version 1.6.18". */
bool scan_parse_memcached(const uint8_t *p, size_t n, scan_service *out);

/* ---- HTTP (scan_ident_http.c) ---- */

typedef struct scan_http {
    int status;                  /* 200; 0 when not HTTP */
    char server[SCAN_PRODUCT_MAX];
    char title[128];
    bool auth_asked;             /* 401 or a WWW-Authenticate header */
    char realm[64];              /* WWW-Authenticate's realm ("security": Elasticsearch) */
    bool api_version;            /* an Api-Version header (Docker's daemon) */
    const uint8_t *body;         /* into p */
    size_t body_len;
    bool complete;               /* the whole body is in p (Content-Length or the close) */
} scan_http;

/* An HTTP/1.x response's status line, headers and body. False when p does not start with
 * "HTTP/1.". */
bool scan_parse_http(const uint8_t *p, size_t n, scan_http *h);

/* True when p holds a whole response head (and the body Content-Length says). */
bool scan_http_done(const uint8_t *p, size_t n);

/* Names http(s) and product/version from the Server header ("nginx/1.22.1" -> nginx 1.22.1),
 * title into info. */
void scan_http_service(const scan_http *h, bool tls, scan_service *out);

typedef enum scan_api_kind { SCAN_API_NONE, SCAN_API_ES, SCAN_API_DOCKER, SCAN_API_K8S, SCAN_API_K8S_LIST } scan_api_kind;
/* What a JSON body says its server is: Elasticsearch (GET /: version.number, tagline), the
 * Docker API (GET /version: Version, ApiVersion), Kubernetes (GET /version: gitVersion;
 * GET /api: kind APIVersions -> K8S_LIST). The version goes into *version (cap bytes). */
scan_api_kind scan_parse_api_json(const uint8_t *body, size_t n, char *version, size_t cap);

/* ---- databases (scan_ident_db.c) ---- */

typedef struct scan_mysql {
    bool error;                 /* an ERR packet (e.g. "Host ... is not allowed to connect") */
    char error_msg[128];
    uint8_t salt[20];           /* the scramble, for mysql_native_password */
    size_t salt_len;
    uint32_t caps;
    char plugin[32];            /* auth plugin name */
} scan_mysql;
/* A MySQL/MariaDB server's first packet: handshake v10 (version "10.11.6-MariaDB-0+deb12u1" ->
 * MariaDB 10.11.6, info "0+deb12u1") or an ERR packet. */
bool scan_parse_mysql(const uint8_t *p, size_t n, scan_service *out, scan_mysql *m);
/* A HandshakeResponse41 (sequence 1) logging user in with mysql_native_password:
 * SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))), empty for an empty password. The length written,
 * 0 when cap is too small. */
size_t scan_mysql_login(uint8_t *out, size_t cap, const char *user, const char *pw, const uint8_t *salt, size_t salt_len);
/* The packet a server answers a login with: 0 OK, 1 ERR, 2 auth switch/more data, -1 not one. */
int scan_mysql_reply(const uint8_t *p, size_t n);

typedef struct scan_pg {
    int auth;                   /* -1 none yet; 0 AuthenticationOk; 3 cleartext, 5 md5, 10 SASL,
                                   11 SASL continue, 12 SASL final (AuthenticationOk may follow) */
    uint8_t md5_salt[4];
    char sasl_data[512];        /* 11, 12: the server's SCRAM message (cut when longer) */
    bool ok;                    /* an AuthenticationOk was among the messages */
    char sasl[64];              /* mechanisms offered, space-separated */
    char version[SCAN_VERSION_MAX]; /* ParameterStatus server_version */
    char error[160];            /* an ErrorResponse's message (and SQLSTATE) */
    bool ready;                 /* ReadyForQuery seen */
    bool done;                  /* nothing more to wait for: error, ready, or a password asked */
} scan_pg;
/* The messages a PostgreSQL server answers a StartupMessage with (Authentication*, ParameterStatus,
 * ErrorResponse, ReadyForQuery). False when p is not PostgreSQL's protocol. */
bool scan_parse_pg(const uint8_t *p, size_t n, scan_pg *pg);
/* PostgreSQL's 8-byte SSLRequest and a v3.0 StartupMessage for user (database = user). Return
 * the length written, 0 when cap is too small. */
size_t scan_pg_startup(uint8_t *out, size_t cap, const char *user);
extern const uint8_t scan_pg_sslrequest[8];
/* A PasswordMessage: cleartext (salt NULL) or "md5" + md5hex(md5hex(pw + user) + salt). */
size_t scan_pg_password(uint8_t *out, size_t cap, const char *user, const char *pw, const uint8_t *salt);

/* SCRAM-SHA-256 (RFC 5802, 7677), as PostgreSQL asks it: the SASLInitialResponse carrying the
 * client-first message "n,,n=USER,r=NONCE" (PostgreSQL takes the user from the startup: USER
 * ""; nonce and user printable, no comma or '='), and the SASLResponse answering the
 * server-first message with the proof for pw ("c=biws,r=...,p=..."). The final one is 0 when
 * the server's message is not a valid server-first for this nonce, or asks more than
 * SCAN_SCRAM_MAX_ITER iterations (a hostile server would have the scanner spin). */
#define SCAN_SCRAM_MAX_ITER 100000
size_t scan_pg_scram_first(uint8_t *out, size_t cap, const char *user, const char *nonce);
size_t scan_pg_scram_final(uint8_t *out, size_t cap, const char *user, const char *nonce, const char *pw,
                           const char *server_first);

typedef struct scan_mongo {
    bool ok;                     /* "ok": 1 */
    int code;                    /* error code (13: Unauthorized); 0 none */
    char errmsg[128];
    char version[SCAN_VERSION_MAX];  /* buildInfo's version */
    bool databases;              /* listDatabases' "databases" array present */
    int max_wire;                /* hello's maxWireVersion; -1 when not said */
} scan_mongo;
/* An OP_MSG (or OP_REPLY) answer's first document. */
bool scan_parse_mongo(const uint8_t *p, size_t n, scan_mongo *m);
/* An OP_MSG with the command {cmd: 1, $db: "admin"}; the length written, 0 when cap is too small. */
size_t scan_mongo_msg(uint8_t *out, size_t cap, int32_t request_id, const char *cmd);
/* True when p holds a whole wire message (its length prefix). */
bool scan_mongo_done(const uint8_t *p, size_t n);

/* ---- Windows and directory protocols (scan_ident_win.c) ---- */

/* An X.224 Connection Confirm (RDP); *proto gets the selected protocol (0 RDP, 1 TLS, 2 CredSSP)
 * or -1 when a negotiation failure or none. */
bool scan_parse_rdp(const uint8_t *p, size_t n, int *proto);
extern const uint8_t scan_rdp_request[19];

/* An SMB negotiate response: *smb1 when it is an SMB1 (\xffSMB) answer accepting a dialect;
 * *dialect the SMB2 dialect revision (0x0202, 0x0210, 0x0300, 0x0302, 0x0311) or 0. */
bool scan_parse_smb(const uint8_t *p, size_t n, bool *smb1, unsigned *dialect);
/* NetBIOS session + SMB1 Negotiate offering only "NT LM 0.12" (SMBv1), or "SMB 2.002" and
 * "SMB 2.???" too. The length written, 0 when cap is too small. */
size_t scan_smb_negotiate(uint8_t *out, size_t cap, bool with_smb2);

typedef struct scan_ldap {
    bool bind_ok;                /* an anonymous BindResponse success */
    int result;                  /* the last LDAPResult code; -1 none */
    bool entry;                  /* a SearchResultEntry came */
    char vendor[SCAN_PRODUCT_MAX];
    char version[SCAN_VERSION_MAX];
    char naming[SCAN_INFO_MAX];  /* namingContexts, separated by "; " */
    bool done;                   /* a SearchResultDone or a bind answer came */
} scan_ldap;
/* LDAP messages (BER): BindResponse, SearchResultEntry, SearchResultDone. False when not LDAP. */
bool scan_parse_ldap(const uint8_t *p, size_t n, scan_ldap *l);
extern const uint8_t scan_ldap_bind[14];
/* The rootDSE search request (message id 2); its length. */
size_t scan_ldap_rootdse(uint8_t *out, size_t cap);

/* ---- TLS records (scan_ident_tlsmsg.c) ---- */

/* A TLS ClientHello record offering exactly the given cipher suites at `version` (0x0301 TLS
 * 1.0 ... 0x0303 TLS 1.2), with SNI (when sni is a name), groups, point formats, signature
 * algorithms and renegotiation_info: what asks a server whether it accepts suites the local
 * TLS library no longer implements. The length written, 0 when cap is too small. */
size_t scan_tls_client_hello(uint8_t *out, size_t cap, unsigned version, const uint16_t *suites, size_t nsuites,
                             const char *sni);

typedef struct scan_tls_answer {
    bool server_hello;   /* a ServerHello: version and suite are set */
    unsigned version;    /* the protocol version it chose */
    unsigned suite;      /* the cipher suite it chose */
    int alert;           /* an alert's description (40 handshake_failure, 70 protocol_version); -1 none */
} scan_tls_answer;
/* A server's answer to a ClientHello: its ServerHello or an alert. False when it is neither
 * (or not all there yet). */
bool scan_parse_tls_answer(const uint8_t *p, size_t n, scan_tls_answer *a);

/* ---- content-based naming (scan_ident_text.c) ---- */

/* Names a service from whatever it said first or answered (SSH, telnet, VNC, MySQL, FTP,
 * SMTP, POP3, IMAP, HTTP, Redis, memcached, PostgreSQL error); false when nothing fits. */
bool scan_ident_guess(const uint8_t *p, size_t n, scan_service *out);

#endif

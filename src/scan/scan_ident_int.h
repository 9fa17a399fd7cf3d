/* Internals of service identification shared by its I/O files: one port's state (deadline,
 * result, the sink), one connection (plain or TLS, always non-blocking, every wait bounded),
 * the probe families, and the findings table. Not for use outside src/scan/scan_ident*.c. */
#ifndef KW_SCAN_IDENT_INT_H
#define KW_SCAN_IDENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "scan/scan_ident.h"
#include "scan/scan_ident_parse.h"

#define SI_READ_MAX 16384   /* one answer's ceiling */
#define SI_IDLE_MS 300      /* after the first bytes, the longest pause before an answer counts as whole */

typedef enum si_family {
    SI_BANNER, SI_HTTP, SI_REDIS, SI_MEMCACHED, SI_TLS, SI_PG, SI_MONGO, SI_RDP, SI_SMB, SI_LDAP,
    SI_NFAMILIES
} si_family;

typedef struct si_port {
    const struct sockaddr *addr;
    socklen_t addrlen;
    const scan_ident_opts *opts;
    const finding_sink *sink;
    scan_service *out;
    int64_t deadline;          /* kw_mono_ms() at which the port's budget ends */
    int64_t read_ms;           /* one read's wait for a first byte */
    char ip[64];
    int port;
    int connected;             /* connections made */
    bool read_any;             /* some bytes came */
    bool named;                /* out names the service */
    kw_rc sink_rc;             /* the first error the sink returned */
    bool tried[SI_NFAMILIES];
    si_family next;            /* a family an answer pointed at; SI_NFAMILIES: none */
    bool tls_inner;            /* the TLS family is running the inner probe (HTTP over TLS) */
    /* what si_family_tls runs inside TLS for a service that waits to be asked (the HTTP
     * family, given by si_family_run: scan_ident_tls.c sits below the families) */
    bool (*inner_family)(struct si_port *sp);
    si_family usual;           /* the family of the port's usual service; SI_NFAMILIES: none */
} si_port;

typedef struct si_conn {
    int fd;
    void *ssl;                 /* SSL *, when TLS is on */
    void *ctx;                 /* SSL_CTX * */
} si_conn;

/* ---- connections (scan_ident.c) ---- */

/* Waits for fd to be ready for events, at most ms; false on timeout. */
bool si_wait(int fd, short events, int64_t ms);
/* A fresh TCP connection within the port's budget; false after a refusal or the deadline. */
bool si_connect(si_port *sp, si_conn *c);
void si_close(si_conn *c);
/* Sends all of p (plain or TLS); false on a failure or the deadline. */
bool si_send(si_port *sp, si_conn *c, const void *p, size_t n);
/* Reads an answer into buf (cap bytes): waits first_ms at most for the first bytes, then
 * SI_IDLE_MS between bytes, until done(buf, n) says it is whole, cap is reached, the peer
 * closes, or the deadline. The bytes read (0: nothing). Remembers the first answer as the
 * port's banner. */
size_t si_read(si_port *sp, si_conn *c, uint8_t *buf, size_t cap, int64_t first_ms,
               bool (*done)(const uint8_t *, size_t));
/* Milliseconds left of the port's budget (0 when spent). */
int64_t si_left(const si_port *sp);
/* si_connect, si_send, si_read in one: the bytes answered (0: none or no connection). */
size_t si_ask(si_port *sp, const void *req, size_t reqn, uint8_t *buf, size_t cap,
              bool (*done)(const uint8_t *, size_t));

/* ---- TLS (scan_ident_tls.c) ---- */

/* Runs a TLS handshake on c (connected) with the port's budget; on success c->ssl is set.
 * min/max_proto: TLS1_VERSION... (0: library default); ciphers: an OpenSSL cipher list at
 * security level 0 (NULL: default). */
bool si_tls_handshake(si_port *sp, si_conn *c, int min_proto, int max_proto, const char *ciphers);
/* The TLS family: handshake, the inner service, then the weak-protocol, weak-cipher and
 * certificate checks. */
bool si_family_tls(si_port *sp);
/* The name a TLS probe gives (SNI, the certificate's check): the host scanned, else the address. */
const char *si_tls_host(const si_port *sp);
/* Whether h is an IPv4 or IPv6 address. */
bool si_is_ip(const char *h);
/* Connects and, when the port speaks TLS (tls_inner), shakes hands: a ready connection. */
bool si_open(si_port *sp, si_conn *c);

/* ---- families and findings (scan_ident_check.c) ---- */

/* Runs one family's probes on a fresh connection; true when it named the service. */
bool si_family_run(si_port *sp, si_family f);
/* The first request family f sends (nothing for the banner family); its length. */
size_t si_family_probe(const si_port *sp, si_family f, uint8_t *out, size_t cap);
/* The HTTP family over an already chosen transport (plain or TLS). */
bool si_family_http(si_port *sp);
/* The family an answer belongs to, from its bytes (scan_ident_guess); SI_NFAMILIES when none. */
si_family si_family_of(const uint8_t *p, size_t n);

typedef enum si_check {
    SI_TELNET_EXPOSED, SI_RDP_EXPOSED, SI_SMB1, SI_DB_EXPOSED,
    SI_REDIS_NOAUTH, SI_MONGO_NOAUTH, SI_ES_NOAUTH, SI_MEMCACHED_NOAUTH, SI_DOCKER_NOAUTH,
    SI_K8S_NOAUTH, SI_PG_TRUST, SI_PG_DEFAULT_PW, SI_MYSQL_ROOT_NOPW, SI_FTP_ANON, SI_LDAP_ANON,
    SI_VNC_NOAUTH,
    SI_TLS10, SI_TLS11, SI_CIPHER_RC4, SI_CIPHER_3DES, SI_CIPHER_NULL, SI_CIPHER_EXPORT, SI_CIPHER_ANON,
    SI_CERT_EXPIRED, SI_CERT_SELF_SIGNED, SI_CERT_MISMATCH, SI_CERT_WEAK_KEY,
    SI_NCHECKS
} si_check;

/* Emits one finding of the table; detail (may be NULL) is added to the description; the
 * evidence is `sent` (a description of the probe) and the answer's bytes escaped. */
void si_emit(si_port *sp, si_check check, const char *detail, const char *sent, const uint8_t *ans, size_t ansn);
/* The vulnerability id of a check ("KW-REDIS-NOAUTH"). */
const char *si_check_id(si_check check);

/* Names the service (name, product, version, info) unless already named. */
void si_name(si_port *sp, const char *name, const char *product);
/* Keeps the first bytes a port answered as its banner (escaped), once. */
void si_keep_banner(si_port *sp, const uint8_t *p, size_t n);

#endif

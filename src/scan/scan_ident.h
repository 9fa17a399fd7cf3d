/* Service identification on one open port, and the findings a service's own answers prove:
 * what the network scanner (scan_net.c) calls for every open port it found.
 *
 * scan_ident connects (fresh connections, as many as its probes need), sends protocol probes
 * chosen by the port's usual service and then by what the banner says, and names the service,
 * product and version from the answers (the pure banner and answer parsers are
 * scan_ident_*.c, no I/O, each fuzzed). It reports into a finding_sink what the answers prove:
 * services that answer without authentication, weak TLS, exposed high-risk services, database
 * weaknesses. Everything it reads is hostile: each read is bounded, the whole port is bounded by
 * opts->deadline_ms, and a service that never answers, answers endlessly or answers garbage is
 * named "unknown" with what was read as its banner. Thread-safe: the scanner runs several at
 * once. The process must ignore SIGPIPE (OpenSSL writes to sockets with write(), and a hostile
 * peer closes whenever it likes): the daemon and `keepwatch scan service` do. */
#ifndef KW_SCAN_IDENT_H
#define KW_SCAN_IDENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/kw_err.h"
#include "findings/finding.h"

#define SCAN_NAME_MAX 32
#define SCAN_PRODUCT_MAX 64
#define SCAN_VERSION_MAX 64
#define SCAN_INFO_MAX 256
#define SCAN_BANNER_MAX 256

typedef struct scan_service {
    char name[SCAN_NAME_MAX];         /* "ssh", "http", "https", "redis", ...; "unknown" */
    char product[SCAN_PRODUCT_MAX];   /* "OpenSSH", "nginx", "Redis"; "" when not said */
    char version[SCAN_VERSION_MAX];   /* "9.2p1"; "" when not said */
    char info[SCAN_INFO_MAX];         /* the rest worth showing ("Debian 2+deb12u3", "protocol 2.0") */
    char banner[SCAN_BANNER_MAX];     /* the first bytes read, non-printable ones escaped as \xNN */
    bool tls;                         /* spoken over TLS */
} scan_service;

typedef struct scan_ident_opts {
    int64_t deadline_ms;       /* the whole port's budget (all its connections); 0: 5000 */
    int64_t read_timeout_ms;   /* one read's wait for a first byte; 0: 2000 */
    bool check_credentials;    /* the job said `credentials: check`: try the short list of defaults */
    const char *host;          /* the target's name as given (TLS SNI, certificate name check) */
    bool internet_facing;      /* the asset is exposed: exposed-service findings are rated higher */
} scan_ident_opts;

/* Identifies the service at addr (a TCP address with its port) and emits what it proves into
 * sink (may be NULL: identification only). *out is always filled, "unknown" when nothing was
 * recognised. KW_OK when the port was read (whatever it said); KW_ERR_IO when no connection
 * could be made; KW_ERR_TIMEOUT when the deadline passed before anything was read; an error
 * the sink returned stops it and is returned. */
kw_rc scan_ident_tcp(const struct sockaddr *addr, socklen_t addrlen, const scan_ident_opts *opts,
                     scan_service *out, const finding_sink *sink);

#endif

/* Service checks: process alive, TCP port accepting, HTTP(S) URL, TLS certificate expiry,
 * systemd unit active, a command's exit status. Each run has a deadline (the check's timeout)
 * and polls `cancel` at least every 100 ms, so a hung service or a daemon shutting down never
 * waits on it. Each configured check runs on its own thread (check_runner). */
#ifndef CHECK_H
#define CHECK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"

struct metric_set;

typedef struct check_result {
    bool up;
    double duration_s;
    char message[512];       /* why it is down, or a short note when up */
    int http_status;         /* 0 when not an HTTP check or no response */
    double cert_days;        /* days until the certificate expires; NAN when unknown */
    bool cert_verified;
    int exit_code;           /* command: -1 when killed or not run */
    int64_t process_count;   /* process: how many matched */
} check_result;

/* What a check keeps between runs on its thread: a TLS context with the CA store loaded once,
 * a curl handle (its CA cache). Connections are still opened afresh on every run. */
typedef struct check_ctx check_ctx;
check_ctx *check_ctx_new(void);
void check_ctx_free(check_ctx *x);

/* Runs c once; ctx may be NULL (a one-off run). The result is always filled in; the return is
 * KW_ERR_CANCELLED if cancel was raised, else KW_OK. */
kw_rc check_run(const conf_check *c, check_ctx *ctx, const atomic_bool *cancel, check_result *out);

/* Per-type runners (check_net.c, check_http.c, check_proc.c, check_cmd.c). deadline is on
 * kw_mono_ms(). */
void check_tcp(const conf_check *c, int64_t deadline, const atomic_bool *cancel, check_result *r);
void check_tls(const conf_check *c, check_ctx *x, int64_t deadline, const atomic_bool *cancel, check_result *r);
void check_http(const conf_check *c, check_ctx *x, int64_t deadline, const atomic_bool *cancel, check_result *r);
void check_process(const conf_check *c, check_result *r);
void check_command(const conf_check *c, int64_t deadline, const atomic_bool *cancel, check_result *r);
void check_systemd(const conf_check *c, int64_t deadline, const atomic_bool *cancel, check_result *r);

/* The context's TLS client context and curl handle, created on first use. */
struct ssl_ctx_st *check_ctx_ssl(check_ctx *x, bool verify);
void *check_ctx_curl(check_ctx *x);

/* Connects to host:port before deadline; returns a blocking-mode socket or -1 with err set. */
int check_connect(const char *host, int port, int64_t deadline, const atomic_bool *cancel, char *err, size_t errn);

/* Who command and systemd checks run as while the daemon is still root: daemon.user's ids
 * (on), set once before the first check runs; off: as the daemon. A daemon that dropped root
 * runs them as itself anyway. */
void check_run_as(bool on, uid_t uid, gid_t gid, const gid_t *groups, int ngroups);

/* Runs argv (argv[0] searched in PATH) with stdin from /dev/null, capturing up to outn-1 bytes
 * of stdout and stderr; kills its process group at the deadline. Returns the exit status,
 * -1 when it was killed or could not start (err says why). */
int check_exec(char *const argv[], int64_t deadline, const atomic_bool *cancel, char *out, size_t outn, char *err,
               size_t errn);

/* The result as metrics: check_up, check_duration_seconds, and per type check_http_status_code,
 * check_tls_cert_expiry_days, check_command_exit_code, check_process_count. */
void check_result_metrics(const conf_check *c, const check_result *r, struct metric_set *out);
/* The result as one ECS document (event.kind: event, event.dataset: keepwatch.check). */
void check_result_ecs(const conf_check *c, const check_result *r, int64_t ts_ms, kw_buf *out);

/* Days until an OpenSSL-formatted time ("Nov 24 04:23:54 2027 GMT") from now_s; NAN if the
 * text is not such a time. */
double check_days_until(const char *openssl_time, int64_t now_s);

/* check_module.c: the daemon's module, a thread per enabled check. */
struct kw_module;
extern const struct kw_module check_module;

#endif

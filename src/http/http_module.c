/* The http module: the API server, started before the privileges go (it may listen on a
 * port below 1024), and the configuration its threads read, swapped on reload. Its listener
 * and threads change only at a restart (the daemon's reload says so). */
#include "http/http.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "daemon/kw_core.h"

#include <stdlib.h>

typedef struct http_module_state {
    kw_core *core;
    http_server *server; /* NULL: http.enabled is false */
} http_module_state;

/* Publishes c to the HTTP threads and starts the server; one that cannot start stops the
 * start-up. */
static kw_rc http_module_start(kw_core *core, const conf *c, void **state)
{
    http_module_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    http_shared_set_conf(core->sh, c);
    if (c->http.enabled) {
        http_opts ho = {c->http.listen,   (int)c->http.threads,   c->http.max_body,     c->http.tls_cert,
                        c->http.tls_key,  c->http.session_idle_ms, c->http.session_max_ms};
        char err[512];
        s->server = http_start(&ho, core->sh, err, sizeof err);
        if (!s->server) {
            log_error("http: %s", err);
            free(s);
            return KW_ERR_IO;
        }
    }
    *state = s;
    return KW_OK;
}

static void http_module_reload(void *state, const conf *old, const conf *next)
{
    http_module_state *s = state;
    http_shared_set_conf(s->core->sh, next);
}

static void http_module_stop(void *state, int64_t budget_ms)
{
    http_module_state *s = state;
    http_stop(s->server);
    free(s);
}

const kw_module http_module = {
    .name = "http",
    .phase = KW_PHASE_ROOT,
    .start = http_module_start,
    .reload = http_module_reload,
    .stop = http_module_stop,
};

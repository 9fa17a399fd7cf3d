#include "check/check.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "metric/metric.h"

#include <curl/curl.h>
#include <math.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const metric_desc m_up = {"check_up", "1 if the service check passed, 0 if it failed.", METRIC_GAUGE, true};
static const metric_desc m_dur = {"check_duration_seconds", "How long the last run of the check took.",
                                  METRIC_GAUGE, true};
static const metric_desc m_http = {"check_http_status_code", "HTTP status of the last response.", METRIC_GAUGE,
                                   false};
static const metric_desc m_days = {"check_tls_cert_expiry_days", "Days until the TLS certificate expires.",
                                   METRIC_GAUGE, true};
static const metric_desc m_exit = {"check_command_exit_code", "Exit status of the check command.", METRIC_GAUGE,
                                   false};
static const metric_desc m_procs = {"check_process_count", "Processes matching the check.", METRIC_GAUGE, true};

kw_rc check_run(const conf_check *c, check_ctx *ctx, const atomic_bool *cancel, check_result *r)
{
    check_ctx *own = ctx ? NULL : check_ctx_new();
    if (!ctx)
        ctx = own;
    memset(r, 0, sizeof *r);
    r->cert_days = NAN;
    r->exit_code = -1;
    int64_t start = kw_mono_ms();
    int64_t deadline = start + c->timeout_ms;
    switch (c->type) {
    case CHECK_PROCESS: check_process(c, r); break;
    case CHECK_TCP: check_tcp(c, deadline, cancel, r); break;
    case CHECK_TLS: check_tls(c, ctx, deadline, cancel, r); break;
    case CHECK_HTTP: check_http(c, ctx, deadline, cancel, r); break;
    case CHECK_SYSTEMD: check_systemd(c, deadline, cancel, r); break;
    case CHECK_COMMAND: check_command(c, deadline, cancel, r); break;
    }
    r->duration_s = (double)(kw_mono_ms() - start) / 1000.0;
    check_ctx_free(own);
    if (cancel && atomic_load(cancel)) {
        r->up = false;
        snprintf(r->message, sizeof r->message, "cancelled");
        return KW_ERR_CANCELLED;
    }
    return KW_OK;
}

void check_result_metrics(const conf_check *c, const check_result *r, metric_set *o)
{
    const char *type = check_type_name(c->type);
    metric_sample *m = c->asset ? metric_add(o, &m_up, r->up ? 1 : 0, "check", c->name, "type", type, "asset", c->asset, NULL)
                                : metric_add(o, &m_up, r->up ? 1 : 0, "check", c->name, "type", type, NULL);
    m->note = kw_arena_strdup(&o->arena, r->message);
    metric_add(o, &m_dur, r->duration_s, "check", c->name, "type", type, NULL);
    if (r->http_status)
        metric_add(o, &m_http, r->http_status, "check", c->name, NULL);
    if (!isnan(r->cert_days))
        metric_add(o, &m_days, r->cert_days, "check", c->name, NULL);
    if (c->type == CHECK_COMMAND)
        metric_add(o, &m_exit, r->exit_code, "check", c->name, NULL);
    if (c->type == CHECK_PROCESS)
        metric_add(o, &m_procs, (double)r->process_count, "check", c->name, NULL);
}

void check_result_ecs(const conf_check *c, const check_result *r, int64_t ts_ms, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "@timestamp", ts_ms);
    kw_json_key(&j, "event");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "event");
    kw_json_kv_str(&j, "module", "check");
    kw_json_kv_str(&j, "dataset", "keepwatch.check");
    kw_json_kv_str(&j, "outcome", r->up ? "success" : "failure");
    kw_json_kv_int(&j, "duration", (int64_t)(r->duration_s * 1e9));
    kw_json_obj_end(&j);
    kw_json_key(&j, "service");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "name", c->name);
    kw_json_kv_str(&j, "type", check_type_name(c->type));
    kw_json_obj_end(&j);
    if (r->message[0])
        kw_json_kv_str(&j, "message", r->message);
    if (c->url) {
        kw_json_key(&j, "url");
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "full", c->url);
        kw_json_obj_end(&j);
    }
    if (c->host) {
        kw_json_key(&j, "destination");
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "address", c->host);
        kw_json_kv_int(&j, "port", c->port);
        kw_json_obj_end(&j);
    }
    if (r->http_status) {
        kw_json_key(&j, "http");
        kw_json_obj_begin(&j);
        kw_json_key(&j, "response");
        kw_json_obj_begin(&j);
        kw_json_kv_int(&j, "status_code", r->http_status);
        kw_json_obj_end(&j);
        kw_json_obj_end(&j);
    }
    if (!isnan(r->cert_days)) {
        kw_json_key(&j, "tls");
        kw_json_obj_begin(&j);
        kw_json_key(&j, "server");
        kw_json_obj_begin(&j);
        kw_json_kv_time(&j, "not_after", (int64_t)(kw_now_ms() + r->cert_days * 86400000.0));
        kw_json_obj_end(&j);
        kw_json_obj_end(&j);
    }
    kw_json_key(&j, "keepwatch");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "check");
    kw_json_obj_begin(&j);
    kw_json_kv_bool(&j, "up", r->up);
    if (c->asset)
        kw_json_kv_str(&j, "asset", c->asset);
    if (c->type == CHECK_COMMAND)
        kw_json_kv_int(&j, "exit_code", r->exit_code);
    if (c->type == CHECK_PROCESS)
        kw_json_kv_int(&j, "process_count", r->process_count);
    if (!isnan(r->cert_days))
        kw_json_kv_num(&j, "cert_days_left", r->cert_days);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
}


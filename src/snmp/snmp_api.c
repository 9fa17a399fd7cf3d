/* The snmp module's route: GET /api/v1/snmp, every configured device with what its last polls
 * said (answering or not, polls missed, uptime, sysName and sysDescr, the busiest processor,
 * memory in use, interfaces up and down), read from the samples the poller last published. */
#include "http/http_reply.h"
#include "snmp/snmp.h"
#include "conf/conf.h"
#include "core/kw_json.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef snmp_device_view dev_view;

static dev_view *view_of(kw_map *m, const metric_sample *s)
{
    const char *d = metric_label(s, "device");
    return d ? kw_map_get(m, d) : NULL;
}

static void copy_label(char *out, size_t n, const metric_sample *s, const char *key)
{
    const char *v = metric_label(s, key);
    if (v)
        kw_strlcpy(out, v, n);
}

#define MAX_OF(field) v->field = isnan(v->field) || s->value > v->field ? s->value : v->field

static void take(void *arg, const metric_sample *s)
{
    dev_view *v = view_of(arg, s);
    if (!v)
        return;
    const char *n = s->desc->name;
    if (strcmp(n, "snmp_device_up") == 0)
        v->up = s->value;
    else if (strcmp(n, "snmp_device_failed_polls") == 0)
        v->failed = s->value;
    else if (strcmp(n, "snmp_device_last_answer_timestamp_seconds") == 0)
        v->answered = s->value;
    else if (strcmp(n, "snmp_device_uptime_seconds") == 0)
        v->uptime = s->value;
    else if (strcmp(n, "snmp_device_info") == 0) {
        copy_label(v->name, sizeof v->name, s, "sysname");
        copy_label(v->descr, sizeof v->descr, s, "descr");
    } else if (strcmp(n, "snmp_cpu_load_ratio") == 0 || strcmp(n, "snmp_cpu_usage_ratio") == 0)
        MAX_OF(cpu);
    else if (strcmp(n, "snmp_memory_total_bytes") == 0)
        v->mem_total = s->value;
    else if (strcmp(n, "snmp_memory_available_bytes") == 0)
        v->mem_avail = s->value;
    else if (strcmp(n, "snmp_memory_usage_ratio") == 0)
        MAX_OF(mem_ratio);
    else if (strcmp(n, "snmp_if_oper_up") == 0)
        s->value > 0 ? v->if_up++ : v->if_down++;
    else if (strcmp(n, "snmp_if_admin_up") == 0 && s->value <= 0)
        v->if_admin_down++;
}

static const char *const read_names[] = {
    "snmp_device_up", "snmp_device_failed_polls", "snmp_device_last_answer_timestamp_seconds",
    "snmp_device_uptime_seconds", "snmp_device_info",
    "snmp_cpu_load_ratio", "snmp_cpu_usage_ratio", "snmp_memory_total_bytes", "snmp_memory_available_bytes",
    "snmp_memory_usage_ratio", "snmp_if_oper_up", "snmp_if_admin_up",
};

static void kv_num_opt(kw_json *j, const char *k, double v)
{
    if (!isnan(v))
        kw_json_kv_num(j, k, v);
}

static void device_json(kw_json *j, const conf_snmp_device *c, const dev_view *v)
{
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "name", c->name);
    kw_json_kv_str(j, "address", c->address);
    kw_json_kv_str(j, "state", snmp_device_state(c, v));
    kv_num_opt(j, "failed_polls", v->failed);
    if (!isnan(v->answered))
        kw_json_kv_time(j, "last_answer", (int64_t)(v->answered * 1000.0));
    kv_num_opt(j, "uptime_seconds", v->uptime);
    if (v->name[0])
        kw_json_kv_str(j, "sysname", v->name);
    if (v->descr[0])
        kw_json_kv_str(j, "sysdescr", v->descr);
    kv_num_opt(j, "cpu_ratio", v->cpu);
    kv_num_opt(j, "memory_ratio", snmp_device_memory_ratio(v));
    kw_json_key(j, "interfaces");
    kw_json_obj_begin(j);
    kw_json_kv_int(j, "up", v->if_up);
    kw_json_kv_int(j, "down", v->if_down);
    kw_json_kv_int(j, "admin_down", v->if_admin_down);
    kw_json_obj_end(j);
    kw_json_obj_end(j);
}

void snmp_devices_each(http_shared *sh, void (*fn)(void *, const conf_snmp_device *, const snmp_device_view *),
                       void *arg)
{
    kw_map views;
    kw_map_init(&views);
    pthread_rwlock_rdlock(&sh->cfg_lock);
    const conf *c = sh->cfg;
    size_t n = c ? c->snmp.devices.n : 0;
    dev_view *v = kw_calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const conf_snmp_device *d = CONF_AT(c->snmp.devices, conf_snmp_device, i);
        v[i].up = v[i].failed = v[i].answered = v[i].uptime = v[i].cpu = v[i].mem_total = v[i].mem_avail =
            v[i].mem_ratio = NAN;
        if (d->name)
            kw_map_put(&views, d->name, &v[i]);
    }
    for (size_t k = 0; k < sizeof read_names / sizeof read_names[0]; k++)
        metric_registry_each(sh->metrics, read_names[k], take, &views);
    for (size_t i = 0; i < n; i++)
        fn(arg, CONF_AT(c->snmp.devices, conf_snmp_device, i), &v[i]);
    pthread_rwlock_unlock(&sh->cfg_lock);
    free(v);
    kw_map_free(&views);
}

double snmp_device_memory_ratio(const snmp_device_view *v)
{
    return !isnan(v->mem_ratio) ? v->mem_ratio
         : v->mem_total > 0 && !isnan(v->mem_avail) ? 1.0 - v->mem_avail / v->mem_total : NAN;
}

const char *snmp_device_state(const conf_snmp_device *c, const snmp_device_view *v)
{
    return !c->enabled ? "disabled" : isnan(v->up) ? "unknown" : v->up > 0 ? "up" : "unreachable";
}

static void device_one(void *arg, const conf_snmp_device *c, const snmp_device_view *v) { device_json(arg, c, v); }

static int api_snmp(const http_call *q)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "devices");
    kw_json_arr_begin(&j);
    snmp_devices_each(q->sh, device_one, &j);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

const http_route snmp_routes[] = {
    {"/api/v1/snmp", "GET", api_snmp},
    {0},
};

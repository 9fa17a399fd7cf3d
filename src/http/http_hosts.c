/* GET /api/v1/hosts: the fleet as a duty officer sees it. Every host keepwatch watches, with
 * its state, when it last reported, its CPU, memory and fullest filesystem, and how many
 * alerts are open on it: this server (and the others sharing its store), every agent, every
 * SNMP device. Readings come from the samples the sensors last published (an agent's carry
 * host=NAME), alerts from the store (an agent's carry the label host, a device's device).
 * Each host also says what the team groups it by: the configured asset it is (by name, else
 * by address), that asset's department, and the agent.groups an agent is a member of; the
 * query's kind, state, group, asset and department (each exact) keep only the hosts that have
 * them. */
#include "agent/agent.h"
#include "core/kw_json.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http_int.h"
#include "http/http_reply.h"
#include "snmp/snmp.h"
#include "store/store_agent.h"
#include "store/store_notify.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The latest readings and open alerts of one host, by name. */
typedef struct host_view {
    double cpu, mem, disk;
    int64_t alerts;
} host_view;

typedef struct fleet {
    kw_map hosts;          /* name -> host_view * (owned) */
    const char *self;      /* this server's name */
} fleet;

static host_view *view(fleet *f, const char *name)
{
    host_view *v = kw_map_get(&f->hosts, name);
    if (!v) {
        v = kw_calloc(1, sizeof *v);
        v->cpu = v->mem = v->disk = NAN;
        kw_map_put(&f->hosts, name, v);
    }
    return v;
}

/* A sample without host= is this server's own. */
static host_view *view_of_sample(fleet *f, const metric_sample *s)
{
    const char *h = metric_label(s, "host");
    return view(f, h ? h : f->self);
}

static void take_cpu(void *arg, const metric_sample *s) { view_of_sample(arg, s)->cpu = s->value; }
static void take_mem(void *arg, const metric_sample *s) { view_of_sample(arg, s)->mem = s->value; }

static void take_disk(void *arg, const metric_sample *s)
{
    host_view *v = view_of_sample(arg, s);
    if (isnan(v->disk) || s->value > v->disk)
        v->disk = s->value; /* the fullest filesystem */
}

/* An open alert counts for the agent host or SNMP device its labels name, else this server. */
static void count_alert(void *arg, const store_alert_view *a)
{
    fleet *f = arg;
    json_t *l = a->labels_json ? json_loads(a->labels_json, 0, NULL) : NULL;
    const char *host = l ? json_string_value(json_object_get(l, "host")) : NULL;
    const char *dev = l ? json_string_value(json_object_get(l, "device")) : NULL;
    view(f, host ? host : dev ? dev : f->self)->alerts++;
    json_decref(l);
}

static void readings_json(kw_json *j, const host_view *v)
{
    if (!isnan(v->cpu))
        kw_json_kv_num(j, "cpu_ratio", v->cpu);
    if (!isnan(v->mem))
        kw_json_kv_num(j, "memory_ratio", v->mem);
    if (!isnan(v->disk))
        kw_json_kv_num(j, "disk_ratio", v->disk);
    kw_json_kv_int(j, "alerts", v->alerts);
}

/* The query's filters (NULL: any). */
typedef struct host_filter {
    const char *kind, *state, *group, *asset, *department;
} host_filter;

typedef struct emit {
    fleet *f;
    kw_json *j;
    int64_t now;
    int64_t silent_after_ms;
    bool self_listed;
    const conf *c;
    host_filter q;
} emit;

/* "10.0.0.5", "10.0.0.5:161", "[::1]:161" -> the address alone, into out. */
static void address_only(const char *a, char *out, size_t n)
{
    const char *p = a;
    size_t len = strlen(a);
    if (*p == '[') {
        p++;
        len = strcspn(p, "]");
    } else if (strchr(a, ':') == strrchr(a, ':')) { /* one colon: host:port; none or more: as is */
        len = strcspn(a, ":");
    }
    snprintf(out, n, "%.*s", (int)len, p);
}

/* The configured asset a host is: by its name, else by its address inside one of the asset's. */
static const conf_asset *host_asset(const conf *c, const char *name, const char *address)
{
    if (!c)
        return NULL;
    const conf_asset *a = name ? conf_asset_find(c, name) : NULL;
    if (a || !address || !*address)
        return a;
    char ip[64];
    address_only(address, ip, sizeof ip);
    return conf_asset_by_address(c, ip);
}

/* Whether agent `name` is a member of group g (its members are names or globs). */
static bool in_group(const conf_agent_group *g, const char *name)
{
    for (size_t k = 0; k < g->members.n; k++)
        if (fnmatch(g->members.v[k], name, 0) == 0)
            return true;
    return false;
}

static bool same(const char *want, const char *have)
{
    return !want || (have && strcmp(want, have) == 0);
}

/* Whether the host passes the query's filters; if so, opens its object with the fields they
 * are about (name, kind, state, asset, department, groups). */
static bool host_begin(emit *e, const char *name, const char *kind, const char *state, const char *address)
{
    const conf_asset *as = host_asset(e->c, name, address);
    const char *dept = as ? as->department : NULL;
    bool agent = strcmp(kind, "agent") == 0;
    bool grouped = !e->q.group;
    for (size_t i = 0; agent && e->c && !grouped && i < e->c->agent.groups.n; i++) {
        const conf_agent_group *g = CONF_AT(e->c->agent.groups, conf_agent_group, i);
        grouped = strcmp(g->name, e->q.group) == 0 && in_group(g, name);
    }
    if (!grouped || !same(e->q.kind, kind) || !same(e->q.state, state) || !same(e->q.asset, as ? as->name : NULL) ||
        !same(e->q.department, dept))
        return false;
    kw_json_obj_begin(e->j);
    kw_json_kv_str(e->j, "name", name);
    kw_json_kv_str(e->j, "kind", kind);
    kw_json_kv_str(e->j, "state", state);
    if (as)
        kw_json_kv_str(e->j, "asset", as->name);
    if (dept)
        kw_json_kv_str(e->j, "department", dept);
    if (agent && e->c && e->c->agent.groups.n) {
        kw_json_key(e->j, "groups");
        kw_json_arr_begin(e->j);
        for (size_t i = 0; i < e->c->agent.groups.n; i++) {
            const conf_agent_group *g = CONF_AT(e->c->agent.groups, conf_agent_group, i);
            if (in_group(g, name))
                kw_json_str(e->j, g->name);
        }
        kw_json_arr_end(e->j);
    }
    return true;
}

static void server_one(void *arg, const char *name, int64_t started, int64_t seen, bool leads)
{
    emit *e = arg;
    bool self = strcmp(name, e->f->self) == 0;
    e->self_listed |= self;
    if (!host_begin(e, name, "server", self || e->now - seen < e->silent_after_ms ? "up" : "silent", NULL))
        return;
    kw_json_kv_bool(e->j, "leader", leads);
    kw_json_kv_time(e->j, "last_report", seen);
    kw_json_kv_time(e->j, "started", started);
    readings_json(e->j, view(e->f, name));
    kw_json_obj_end(e->j);
}

static void agent_one(void *arg, const store_agent *a)
{
    emit *e = arg;
    int silent = agent_silent(a->id);
    const char *state = a->revoked_ms ? "revoked" : !a->enrolled_ms ? "pending" : !a->last_seen_ms ? "never"
                      : silent > 0 || (silent < 0 && e->now - a->last_seen_ms >= e->silent_after_ms) ? "silent"
                                                                                                      : "up";
    if (!host_begin(e, a->name, "agent", state, a->address))
        return;
    if (a->last_seen_ms)
        kw_json_kv_time(e->j, "last_report", a->last_seen_ms);
    if (a->address[0])
        kw_json_kv_str(e->j, "address", a->address);
    readings_json(e->j, view(e->f, a->name));
    kw_json_obj_end(e->j);
}

static void device_one(void *arg, const conf_snmp_device *d, const snmp_device_view *v)
{
    emit *e = arg;
    host_view *h = view(e->f, d->name ? d->name : "?");
    h->cpu = v->cpu;
    h->mem = snmp_device_memory_ratio(v);
    if (!host_begin(e, d->name ? d->name : "?", "snmp", snmp_device_state(d, v), d->address))
        return;
    kw_json_kv_str(e->j, "address", d->address);
    if (v->name[0])
        kw_json_kv_str(e->j, "sysname", v->name);
    readings_json(e->j, h);
    kw_json_key(e->j, "interfaces");
    kw_json_obj_begin(e->j);
    kw_json_kv_int(e->j, "up", v->if_up);
    kw_json_kv_int(e->j, "down", v->if_down);
    kw_json_obj_end(e->j);
    kw_json_obj_end(e->j);
}

enum MHD_Result api_hosts(http_server *s, struct MHD_Connection *c)
{
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the store is not available");
    http_shared *sh = s->sh;
    fleet f;
    kw_map_init(&f.hosts);
    char self[64];
    pthread_mutex_lock(&sh->mu);
    kw_strlcpy(self, sh->lead.server[0] ? sh->lead.server : "keepwatch", sizeof self);
    pthread_mutex_unlock(&sh->mu);
    f.self = self;
    metric_registry_each(sh->metrics, "host_cpu_usage_ratio", take_cpu, &f);
    metric_registry_each(sh->metrics, "host_memory_used_ratio", take_mem, &f);
    metric_registry_each(sh->metrics, "host_filesystem_used_ratio", take_disk, &f);
    kw_rc rc = store_alert_each_open_view(st, count_alert, &f);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "hosts");
    kw_json_arr_begin(&j);
    /* held while the hosts are written (they name its assets); snmp_devices_each takes it for
     * reading again, which the default (reader-preferring) rwlock allows */
    pthread_rwlock_rdlock(&sh->cfg_lock);
    int64_t silent_after = sh->cfg ? sh->cfg->agent.silent_after_ms : 60000;
    emit e = {&f, &j, kw_now_ms(), silent_after > 0 ? silent_after : 60000, false, sh->cfg, {0}};
    static const char *const keys[] = {"kind", "state", "group", "asset", "department"};
    const char **vals[] = {&e.q.kind, &e.q.state, &e.q.group, &e.q.asset, &e.q.department};
    for (size_t i = 0; i < 5; i++) {
        const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, keys[i]);
        *vals[i] = v && *v ? v : NULL;
    }
    if (rc == KW_OK)
        rc = store_servers_each(st, server_one, &e);
    if (rc == KW_OK && !e.self_listed) /* a store of one machine: this server is all there is */
        server_one(&e, self, sh->started_ms, e.now, true);
    if (rc == KW_OK)
        rc = store_agent_each(st, agent_one, &e);
    if (rc == KW_OK)
        snmp_devices_each(sh, device_one, &e);
    pthread_rwlock_unlock(&sh->cfg_lock);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    const char *k;
    void *v;
    for (size_t i = 0; kw_map_next(&f.hosts, &i, &k, &v);)
        free(v);
    kw_map_free(&f.hosts);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return http_store_error(c, st);
    }
    return http_json(c, MHD_HTTP_OK, &b);
}

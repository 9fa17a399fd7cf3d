/* GET /api/v1/hosts: the fleet as a duty officer sees it. Every host keepwatch watches, with
 * its state, when it last reported, its CPU, memory and fullest filesystem, and how many
 * alerts are open on it: this server (and the others sharing its store), every agent, every
 * SNMP device. Readings come from the samples the sensors last published (an agent's carry
 * host=NAME), alerts from the store (an agent's carry the label host, a device's device).
 * Each host also says what the team groups it by: the configured asset it is (by name, else
 * by address), that asset's department, and the agent.groups an agent is a member of; the
 * query's kind, state, group, asset and department (each exact) keep only the hosts that have
 * them.
 * GET /api/v1/hosts/NAME: one of them, with more of what it is (an agent's id and enrolment, a
 * server's version, a device's sysDescr and uptime) and its open alerts.
 * GET /api/v1/hosts/NAME/series: its charts' history (store_metric_host_json). */
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

#define HOST_ALERTS_MAX 500 /* open alerts a host's page lists */

typedef struct fleet {
    kw_map hosts;          /* name -> host_view * (owned) */
    const char *self;      /* this server's name */
    const char *only;      /* one host's page: its name (NULL: the list) */
    bool bare;             /* who the hosts are only: no readings, no alerts counted */
    int64_t ids[HOST_ALERTS_MAX]; /* that host's open alerts, newest first */
    size_t nids;
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
    const char *whose = host ? host : dev ? dev : f->self;
    view(f, whose)->alerts++;
    if (f->only && strcmp(whose, f->only) == 0 && f->nids < HOST_ALERTS_MAX)
        f->ids[f->nids++] = a->id;
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
    const char *name; /* one host's page */
} host_filter;

typedef struct emit {
    fleet *f;
    kw_json *j;
    int64_t now;
    int64_t silent_after_ms;
    bool self_listed;
    const conf *c;
    host_filter q;
    size_t found;         /* hosts written */
    char kind[8];         /* the last one's kind */
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
        !same(e->q.department, dept) || !same(e->q.name, name) || (e->q.name && e->found))
        return false;
    e->found++;
    kw_strlcpy(e->kind, kind, sizeof e->kind);
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
    if (self) {
        kw_json_kv_bool(e->j, "self", true);
        kw_json_kv_str(e->j, "version", KW_VERSION);
    }
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
    kw_json_kv_int(e->j, "agent_id", a->id);
    if (a->version[0])
        kw_json_kv_str(e->j, "version", a->version);
    if (a->enrolled_ms)
        kw_json_kv_time(e->j, "enrolled", a->enrolled_ms);
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
    if (!isnan(v->answered)) /* a device reports when it answers a poll */
        kw_json_kv_time(e->j, "last_report", (int64_t)(v->answered * 1000.0));
    if (v->name[0])
        kw_json_kv_str(e->j, "sysname", v->name);
    if (e->q.name && v->descr[0])
        kw_json_kv_str(e->j, "sysdescr", v->descr);
    if (e->q.name && !isnan(v->uptime))
        kw_json_kv_num(e->j, "uptime_seconds", v->uptime);
    readings_json(e->j, h);
    kw_json_key(e->j, "interfaces");
    kw_json_obj_begin(e->j);
    kw_json_kv_int(e->j, "up", v->if_up);
    kw_json_kv_int(e->j, "down", v->if_down);
    kw_json_obj_end(e->j);
    kw_json_obj_end(e->j);
}

/* Writes the hosts that pass q into j, as the elements of an array; e says how many and the
 * last one's kind. f->only set: that host's open alerts are gathered into f->ids. */
static kw_rc fleet_write(http_server *s, kw_store *st, fleet *f, kw_json *j, const host_filter *q, emit *e)
{
    http_shared *sh = s->sh;
    kw_rc rc = KW_OK;
    if (!f->bare) {
        metric_registry_each(sh->metrics, "host_cpu_usage_ratio", take_cpu, f);
        metric_registry_each(sh->metrics, "host_memory_used_ratio", take_mem, f);
        metric_registry_each(sh->metrics, "host_filesystem_used_ratio", take_disk, f);
        rc = store_alert_each_open_view(st, count_alert, f);
    }
    /* held while the hosts are written (they name its assets); snmp_devices_each takes it for
     * reading again, which the default (reader-preferring) rwlock allows */
    pthread_rwlock_rdlock(&sh->cfg_lock);
    int64_t silent_after = sh->cfg ? sh->cfg->agent.silent_after_ms : 60000;
    *e = (emit){f, j, kw_now_ms(), silent_after > 0 ? silent_after : 60000, false, sh->cfg, *q, 0, ""};
    if (rc == KW_OK)
        rc = store_servers_each(st, server_one, e);
    if (rc == KW_OK && !e->self_listed) /* a store of one machine: this server is all there is */
        server_one(e, f->self, sh->started_ms, e->now, true);
    if (rc == KW_OK)
        rc = store_agent_each(st, agent_one, e);
    if (rc == KW_OK)
        snmp_devices_each(sh, device_one, e);
    pthread_rwlock_unlock(&sh->cfg_lock);
    return rc;
}

static void fleet_init(http_server *s, fleet *f, char *self, size_t n, const char *only)
{
    memset(f, 0, sizeof *f);
    kw_map_init(&f->hosts);
    pthread_mutex_lock(&s->sh->mu);
    kw_strlcpy(self, s->sh->lead.server[0] ? s->sh->lead.server : "keepwatch", n);
    pthread_mutex_unlock(&s->sh->mu);
    f->self = self;
    f->only = only;
}

static void fleet_free(fleet *f)
{
    const char *k;
    void *v;
    for (size_t i = 0; kw_map_next(&f->hosts, &i, &k, &v);)
        free(v);
    kw_map_free(&f->hosts);
}

enum MHD_Result api_hosts(http_server *s, struct MHD_Connection *c)
{
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the store is not available");
    host_filter q = {0};
    static const char *const keys[] = {"kind", "state", "group", "asset", "department"};
    const char **vals[] = {&q.kind, &q.state, &q.group, &q.asset, &q.department};
    for (size_t i = 0; i < 5; i++) {
        const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, keys[i]);
        *vals[i] = v && *v ? v : NULL;
    }
    char self[64];
    fleet f;
    fleet_init(s, &f, self, sizeof self, NULL);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "hosts");
    kw_json_arr_begin(&j);
    emit e;
    kw_rc rc = fleet_write(s, st, &f, &j, &q, &e);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    fleet_free(&f);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return http_store_error(c, st);
    }
    return http_json(c, MHD_HTTP_OK, &b);
}

/* A host's name in a URL: what configuration, agent and server names are made of (letters,
 * digits, '_', '-', '.', UTF-8), at most 128 bytes. */
static bool host_name_ok(const char *name, size_t n)
{
    if (n == 0 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!(ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '.'))
            return false;
    }
    return true;
}

/* The host called name, its object written into one as the list has it (one initialised
 * here); e->found says whether there is one, e->kind what it is. *fp (the caller frees it with
 * fleet_free and free) has its open alerts' ids, self this server's name. bare: who it is
 * only (its kind), without its readings and alerts. */
static kw_rc host_lookup(http_server *s, kw_store *st, const char *name, bool bare, char self[64], kw_buf *one,
                         emit *e, fleet **fp)
{
    fleet *f = *fp = kw_calloc(1, sizeof *f);
    fleet_init(s, f, self, 64, name);
    f->bare = bare;
    kw_buf_init(one, 0);
    kw_json j;
    kw_json_init(&j, one);
    host_filter q = {.name = name};
    return fleet_write(s, st, f, &j, &q, e);
}

/* GET /api/v1/hosts/NAME: {"host": {...as in the list, and more}, "alerts": [...open, newest first]}. */
static enum MHD_Result host_detail(http_server *s, struct MHD_Connection *c, kw_store *st, const char *name)
{
    char self[64];
    fleet *f;
    kw_buf one;
    emit e;
    kw_rc rc = host_lookup(s, st, name, false, self, &one, &e, &f);
    kw_buf b;
    kw_buf_init(&b, 0);
    if (rc == KW_OK && e.found)
        rc = store_alert_rows_json(st, f->ids, f->nids, &b); /* {"alerts": [...]} */
    fleet_free(f);
    free(f);
    enum MHD_Result r;
    if (rc != KW_OK) {
        r = http_store_error(c, st);
    } else if (!e.found) {
        r = http_error(c, MHD_HTTP_NOT_FOUND, "no such host");
    } else {
        b.len--; /* its closing brace */
        kw_buf_puts(&b, ",\"host\":");
        kw_buf_append(&b, one.data, one.len);
        kw_buf_putc(&b, '}');
        kw_buf_free(&one);
        return http_json(c, MHD_HTTP_OK, &b);
    }
    kw_buf_free(&one);
    kw_buf_free(&b);
    return r;
}

/* The series a host's page charts: its CPU, memory, filesystems, load, network and disk
 * rates; a device's processors, memory, storage, load and its interfaces' rates and errors. */
static const char *const host_charts[] = {
    "host_cpu_usage_ratio", "host_memory_used_ratio", "host_swap_used_ratio", "host_filesystem_used_ratio",
    "host_load1", "host_load5", "host_load15", "host_network_receive_bytes_per_second",
    "host_network_transmit_bytes_per_second", "host_disk_read_bytes_per_second", "host_disk_write_bytes_per_second",
};
static const char *const device_charts[] = {
    "snmp_device_up", "snmp_cpu_load_ratio", "snmp_cpu_usage_ratio", "snmp_memory_usage_ratio",
    "snmp_memory_total_bytes", "snmp_memory_available_bytes", "snmp_storage_used_bytes", "snmp_storage_size_bytes",
    "snmp_load_average", "snmp_if_in_octets_per_second", "snmp_if_out_octets_per_second",
    "snmp_if_in_errors_per_second", "snmp_if_out_errors_per_second", "snmp_if_in_discards_per_second",
    "snmp_if_out_discards_per_second",
};

#define HOST_SERIES_MAX 256          /* series one answer holds */
#define HOST_RANGE_MAX_MIN (60 * 24 * 90) /* the history kept longest (history.hour_keep's default) */

typedef struct series_query {
    int64_t minutes, points;
    const char *metric, *bad; /* bad: the parameter refused */
} series_query;

static int64_t range_minutes(const char *v)
{
    static const struct {
        const char *name;
        int64_t minutes;
    } ranges[] = {{"1h", 60}, {"6h", 360}, {"24h", 1440}, {"7d", 10080}, {"30d", 43200}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (strcmp(v, ranges[i].name) == 0)
            return ranges[i].minutes;
    return 0;
}

/* A whole number of at most 7 digits in [lo, hi], else 0. */
static int64_t small_int(const char *v, int64_t lo, int64_t hi)
{
    size_t n = strspn(v, "0123456789");
    if (n == 0 || n > 7 || v[n])
        return 0;
    int64_t x = strtoll(v, NULL, 10);
    return x >= lo && x <= hi ? x : 0;
}

static enum MHD_Result series_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                  const char *value, size_t value_size)
{
    (void)kind;
    series_query *q = cls;
    value = value ? value : "";
    bool ok;
    if (strlen(key) != key_size || strlen(value) != value_size) /* a NUL inside: what it is not */
        ok = false;
    else if (strcmp(key, "range") == 0)
        ok = (q->minutes = range_minutes(value)) > 0;
    else if (strcmp(key, "minutes") == 0)
        ok = (q->minutes = small_int(value, 5, HOST_RANGE_MAX_MIN)) > 0;
    else if (strcmp(key, "points") == 0)
        ok = (q->points = small_int(value, 10, 1000)) > 0;
    else if (strcmp(key, "metric") == 0)
        ok = (q->metric = value)[0] != '\0';
    else
        ok = false;
    if (!ok) {
        q->bad = key;
        return MHD_NO;
    }
    return MHD_YES;
}

/* GET /api/v1/hosts/NAME/series?range=1h|6h|24h|7d|30d (or minutes=5..129600)&points=10..1000
 * [&metric=NAME]: {"host", "kind", and store_metric_host_json's}. */
static enum MHD_Result host_series(http_server *s, struct MHD_Connection *c, kw_store *st, const char *name)
{
    series_query q = {60, 240, NULL, NULL};
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, series_arg, &q);
    if (q.bad) {
        char msg[160];
        snprintf(msg, sizeof msg, "%.32s: use range=1h|6h|24h|7d|30d or minutes=5..%d, points=10..1000, metric=NAME",
                 q.bad, HOST_RANGE_MAX_MIN);
        return http_error(c, MHD_HTTP_BAD_REQUEST, msg);
    }
    char self[64];
    fleet *f;
    kw_buf scratch;
    emit e;
    kw_rc rc = host_lookup(s, st, name, true, self, &scratch, &e, &f); /* its kind: which series */
    bool self_host = strcmp(name, self) == 0;
    fleet_free(f);
    free(f);
    kw_buf_free(&scratch);
    if (rc != KW_OK)
        return http_store_error(c, st);
    if (!e.found)
        return http_error(c, MHD_HTTP_NOT_FOUND, "no such host");
    bool device = strcmp(e.kind, "snmp") == 0;
    store_host_kind kind = device ? STORE_HOST_DEVICE : strcmp(e.kind, "agent") == 0 ? STORE_HOST_AGENT
                                                                                    : STORE_HOST_SERVER;
    const char *const *names = device ? device_charts : host_charts;
    size_t nnames = device ? sizeof device_charts / sizeof *device_charts : sizeof host_charts / sizeof *host_charts;
    if (q.metric) {
        size_t i = 0;
        while (i < nnames && strcmp(names[i], q.metric) != 0)
            i++;
        if (i == nnames)
            return http_error(c, MHD_HTTP_BAD_REQUEST, "metric: not one of this host's charts");
        names += i;
        nnames = 1;
    }
    int64_t now = kw_now_ms();
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, "{\"host\":");
    kw_json_escape(&b, name, strlen(name));
    kw_buf_puts(&b, ",\"kind\":");
    kw_json_escape(&b, e.kind, strlen(e.kind));
    kw_buf_putc(&b, ',');
    kw_buf rest;
    kw_buf_init(&rest, 0);
    rc = store_metric_host_json(st, kind, kind == STORE_HOST_SERVER && self_host ? NULL : name, names, nnames,
                                now - q.minutes * 60000, now, (int)q.points, HOST_SERIES_MAX, &rest);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        kw_buf_free(&rest);
        return rc == KW_ERR_RANGE ? http_error(c, MHD_HTTP_BAD_REQUEST, "no such range") : http_store_error(c, st);
    }
    kw_buf_append(&b, rest.data + 1, rest.len - 1); /* its fields after the opening brace */
    kw_buf_free(&rest);
    return http_json(c, MHD_HTTP_OK, &b);
}

enum MHD_Result api_host_page(http_server *s, struct MHD_Connection *c, const char *rest)
{
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    if (!host_name_ok(rest, n))
        return http_error(c, MHD_HTTP_BAD_REQUEST, "a host's name: letters, digits, '_', '-' and '.' (at most 128)");
    if (slash && strcmp(slash, "/series") != 0)
        return http_error(c, MHD_HTTP_NOT_FOUND, "not found");
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the store is not available");
    char name[129];
    memcpy(name, rest, n);
    name[n] = '\0';
    return slash ? host_series(s, c, st, name) : host_detail(s, c, st, name);
}

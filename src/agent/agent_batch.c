/* agent_batch.c: the batch an agent sends, read (agent_batch_decode, which trusts nothing:
 * every name's syntax, every count and number is checked) and written (agent_batch_writer),
 * and its packages section alone (agent_packages_decode: what the server stores). No I/O. */
#include "agent/agent.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const bad_names[AGENT_BAD_COUNT] = {"none", "gzip", "json", "shape", "name", "value", "limit"};

const char *agent_bad_name(agent_bad b) { return b < AGENT_BAD_COUNT ? bad_names[b] : "?"; }

static const char *const alert_kinds[] = {"fire", "update", "resolve"};

const char *agent_alert_kind_name(agent_alert_kind k)
{
    return (size_t)k < sizeof alert_kinds / sizeof alert_kinds[0] ? alert_kinds[k] : "?";
}

typedef struct dec {
    agent_bad bad;
    char *why;
    size_t whyn;
    size_t samples;
} dec;

static bool fail(dec *d, agent_bad b, const char *what)
{
    if (d->bad == AGENT_BAD_NONE) {
        d->bad = b;
        snprintf(d->why, d->whyn, "%s", what);
    }
    return false;
}

/* [a-zA-Z_][a-zA-Z0-9_]* (label keys; metric names may also hold ':'; sources '.', '-', ':'). */
static bool name_ok(const char *s, const char *extra, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              strchr(extra, c)))
            return false;
    }
    return true;
}

/* A whole number member in [lo, hi]. */
static bool get_int(dec *d, json_t *o, const char *key, int64_t lo, int64_t hi, bool need, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return !need || fail(d, AGENT_BAD_SHAPE, key);
    if (!json_is_integer(v))
        return fail(d, AGENT_BAD_SHAPE, key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return fail(d, AGENT_BAD_VALUE, key);
    *out = (int64_t)x;
    return true;
}

static bool get_num(dec *d, json_t *o, const char *key, bool need, double *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return !need || fail(d, AGENT_BAD_SHAPE, key);
    if (!json_is_number(v))
        return fail(d, AGENT_BAD_SHAPE, key);
    *out = json_number_value(v);
    return isfinite(*out) || fail(d, AGENT_BAD_VALUE, key);
}

/* A string member of at most max bytes without control characters (NULL when absent and not
 * needed); with tab, tabs too, which the lines of configuration files carry. */
static bool get_str_tab(dec *d, json_t *o, const char *key, size_t max, bool need, bool tab, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v)
        return !need || fail(d, AGENT_BAD_SHAPE, key);
    if (!json_is_string(v))
        return fail(d, AGENT_BAD_SHAPE, key);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n > max || strlen(s) != n)
        return fail(d, AGENT_BAD_VALUE, key);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && !(tab && s[i] == '\t'))
            return fail(d, AGENT_BAD_VALUE, key);
    *out = s;
    return true;
}

static bool get_str(dec *d, json_t *o, const char *key, size_t max, bool need, const char **out)
{
    return get_str_tab(d, o, key, max, need, false, out);
}

/* labels: {key: value...}: at most max, keys label names (with '.' when dots) other than "host". */
static bool get_labels(dec *d, json_t *o, const char *key, size_t max, bool dots, uint8_t *n, const char **lk,
                       const char **lv)
{
    json_t *l = json_object_get(o, key);
    *n = 0;
    if (!l)
        return true;
    if (!json_is_object(l))
        return fail(d, AGENT_BAD_SHAPE, key);
    if (json_object_size(l) > max)
        return fail(d, AGENT_BAD_LIMIT, "labels");
    const char *k;
    json_t *v;
    json_object_foreach(l, k, v)
    {
        if (!name_ok(k, dots ? "." : "", 64) || strcmp(k, "host") == 0)
            return fail(d, AGENT_BAD_NAME, "label name");
        if (!json_is_string(v))
            return fail(d, AGENT_BAD_SHAPE, "label value");
        const char *s = json_string_value(v);
        if (json_string_length(v) > AGENT_VALUE_MAX || strlen(s) != json_string_length(v))
            return fail(d, AGENT_BAD_VALUE, "label value");
        lk[*n] = k;
        lv[*n] = s;
        (*n)++;
    }
    return true;
}

static bool get_sample(dec *d, json_t *o, agent_sample *s)
{
    if (!json_is_object(o))
        return fail(d, AGENT_BAD_SHAPE, "sample");
    const char *t = NULL;
    int64_t h = 0;
    if (!get_str(d, o, "n", AGENT_NAME_MAX, true, &s->name) || !get_num(d, o, "v", true, &s->value) ||
        !get_str(d, o, "t", 1, false, &t) || !get_int(d, o, "h", 0, 1, false, &h) ||
        !get_labels(d, o, "l", AGENT_MAX_LABELS, false, &s->nlabels, s->lk, s->lv))
        return false;
    if (!name_ok(s->name, ":", AGENT_NAME_MAX))
        return fail(d, AGENT_BAD_NAME, "metric name");
    if (t && strcmp(t, "g") != 0 && strcmp(t, "c") != 0)
        return fail(d, AGENT_BAD_VALUE, "t");
    s->type = t && t[0] == 'c' ? METRIC_COUNTER : METRIC_GAUGE;
    s->history = h == 1;
    return true;
}

/* Times: after 2000-01-01 and before 2200 (milliseconds). */
#define TS_MIN 946684800000LL
#define TS_MAX 7258118400000LL

static bool get_set(dec *d, json_t *o, agent_set *set)
{
    if (!json_is_object(o))
        return fail(d, AGENT_BAD_SHAPE, "set");
    json_t *arr = json_object_get(o, "samples");
    if (!get_str(d, o, "source", AGENT_NAME_MAX, true, &set->source) ||
        !get_int(d, o, "ts", TS_MIN, TS_MAX, true, &set->ts_ms))
        return false;
    if (!name_ok(set->source, ":.-", AGENT_SOURCE_MAX))
        return fail(d, AGENT_BAD_NAME, "source");
    if (!json_is_array(arr))
        return fail(d, AGENT_BAD_SHAPE, "samples");
    size_t n = json_array_size(arr);
    if (n > AGENT_MAX_SAMPLES - d->samples)
        return fail(d, AGENT_BAD_LIMIT, "samples");
    d->samples += n;
    set->v = kw_calloc(n ? n : 1, sizeof *set->v);
    for (size_t i = 0; i < n; i++, set->n++)
        if (!get_sample(d, json_array_get(arr, i), &set->v[i]))
            return false;
    return true;
}

static bool get_alert(dec *d, json_t *o, agent_alert *a)
{
    if (!json_is_object(o))
        return fail(d, AGENT_BAD_SHAPE, "alert");
    const char *kind;
    int64_t sev = 3;
    a->value = 0;
    if (!get_str(d, o, "kind", 16, true, &kind) || !get_str(d, o, "rule", AGENT_NAME_MAX, true, &a->rule) ||
        !get_str(d, o, "summary", AGENT_TEXT_MAX, false, &a->summary) ||
        !get_int(d, o, "ts", TS_MIN, TS_MAX, true, &a->ts_ms) || !get_int(d, o, "severity", 1, 4, false, &sev) ||
        !get_num(d, o, "value", false, &a->value) ||
        !get_labels(d, o, "labels", AGENT_MAX_ALERT_LABELS, true, &a->nlabels, a->lk, a->lv))
        return false;
    size_t k = 0;
    while (k < sizeof alert_kinds / sizeof alert_kinds[0] && strcmp(kind, alert_kinds[k]) != 0)
        k++;
    if (k == sizeof alert_kinds / sizeof alert_kinds[0])
        return fail(d, AGENT_BAD_VALUE, "kind");
    if (!name_ok(a->rule, "", AGENT_NAME_MAX))
        return fail(d, AGENT_BAD_NAME, "rule");
    a->kind = (agent_alert_kind)k;
    a->severity = (int)sev;
    return true;
}

/* An array member of at most max items (absent: none). */
static bool get_array(dec *d, json_t *root, const char *key, size_t max, json_t **arr, size_t *n)
{
    *arr = json_object_get(root, key);
    *n = 0;
    if (!*arr)
        return true;
    if (!json_is_array(*arr))
        return fail(d, AGENT_BAD_SHAPE, key);
    *n = json_array_size(*arr);
    return *n <= max || fail(d, AGENT_BAD_LIMIT, key);
}

static bool get_events(dec *d, json_t *arr, size_t n, agent_batch *b)
{
    b->events = kw_calloc(n ? n : 1, sizeof *b->events);
    for (size_t i = 0; i < n; i++, b->nevents++) {
        json_t *e = json_array_get(arr, i);
        if (!json_is_object(e))
            return fail(d, AGENT_BAD_SHAPE, "event");
        json_object_del(e, "host"); /* the server says whose it is */
        json_object_del(e, "agent");
        b->events[i] = json_dumps(e, JSON_COMPACT);
        if (!b->events[i] || strlen(b->events[i]) > 65536)
            return fail(d, AGENT_BAD_LIMIT, "event");
    }
    return true;
}

/* ---- the packages section ---- */

agent_packages *agent_packages_new(const char *manager)
{
    static const char *const names[] = {"dpkg", "rpm", "apk"};
    static const scan_vkind kinds[] = {SCAN_V_DEB, SCAN_V_RPM, SCAN_V_APK};
    for (size_t i = 0; manager && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(manager, names[i]) == 0) {
            agent_packages *p = kw_calloc(1, sizeof *p);
            snprintf(p->manager, sizeof p->manager, "%s", names[i]);
            scan_pkg_list_init(&p->list, kinds[i], p->manager);
            return p;
        }
    return NULL;
}

void agent_packages_free(agent_packages *p)
{
    if (!p)
        return;
    scan_pkg_list_free(&p->list);
    free(p);
}

/* Whether s holds only letters, digits and the characters of extra ("" passes unless need). */
static bool token_ok(const char *s, const char *extra, bool need)
{
    if (need && !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
            return false;
    return true;
}

/* os: {id, version_id, codename}, short tokens as os-release has them. */
static bool get_os(dec *d, json_t *o, scan_os *os)
{
    static const char *const keys[] = {"id", "version_id", "codename"};
    char *const into[] = {os->id, os->version_id, os->codename};
    if (!json_is_object(o))
        return fail(d, AGENT_BAD_SHAPE, "packages.os");
    for (size_t i = 0; i < 3; i++) {
        const char *v;
        if (!get_str(d, o, keys[i], sizeof os->id - 1, i == 0, &v))
            return false;
        if (v && !token_ok(v, "._~+-", i == 0))
            return fail(d, AGENT_BAD_NAME, keys[i]);
        snprintf(into[i], sizeof os->id, "%s", v ? v : "");
    }
    return true;
}

/* Whether s[n] is at most SCAN_PKG_FIELD_MAX printable ASCII characters without spaces. */
static bool field_ok(const char *s, size_t n)
{
    if (n > SCAN_PKG_FIELD_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

/* One package: [name, version, source, source_version, arch]. */
static bool get_package(dec *d, json_t *o, agent_packages *p)
{
    const char *f[5];
    if (!json_is_array(o) || json_array_size(o) != 5)
        return fail(d, AGENT_BAD_SHAPE, "package: not [name, version, source, source_version, arch]");
    for (size_t i = 0; i < 5; i++) {
        json_t *v = json_array_get(o, i);
        if (!json_is_string(v))
            return fail(d, AGENT_BAD_SHAPE, "package: a field is not a string");
        f[i] = json_string_value(v);
        if (!field_ok(f[i], json_string_length(v)) || strlen(f[i]) != json_string_length(v))
            return fail(d, AGENT_BAD_VALUE, "package: a field is too long or not printable");
    }
    kw_rc rc = scan_pkg_list_add(&p->list, f[0], f[1], f[2], f[3], f[4]);
    if (rc == KW_OK)
        return true;
    char why[256];
    snprintf(why, sizeof why, "package %s", p->list.first_error);
    return fail(d, rc == KW_ERR_FULL ? AGENT_BAD_LIMIT : AGENT_BAD_VALUE, why);
}

/* packages: {manager, os, list}; *out set (the caller's) as soon as the manager is known. */
static bool get_packages(dec *d, json_t *o, agent_packages **out)
{
    const char *mgr;
    *out = NULL;
    if (!json_is_object(o))
        return fail(d, AGENT_BAD_SHAPE, "packages");
    if (!get_str(d, o, "manager", 8, true, &mgr))
        return false;
    agent_packages *p = *out = agent_packages_new(mgr);
    if (!p)
        return fail(d, AGENT_BAD_VALUE, "packages.manager: not dpkg, rpm or apk");
    json_t *list = json_object_get(o, "list");
    if (!get_os(d, json_object_get(o, "os"), &p->os))
        return false;
    if (!json_is_array(list))
        return fail(d, AGENT_BAD_SHAPE, "packages.list");
    if (json_array_size(list) > AGENT_MAX_PACKAGES)
        return fail(d, AGENT_BAD_LIMIT, "packages.list: more than 20000 packages");
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!get_package(d, json_array_get(list, i), p))
            return false;
    return true;
}

/* ---- the audit section ---- */

static bool get_audit_status(dec *d, const char *s, audit_status *out)
{
    static const char *const names[] = {"pass", "fail", "n/a", "note"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (audit_status)i;
            return true;
        }
    return fail(d, AGENT_BAD_VALUE, "audit.results[].status");
}

/* One result; its strings point into the document. */
static bool get_audit_res(dec *d, json_t *o, audit_res *r)
{
    /* tab: what a configuration line holds (text, found, expected, key: "UMASK\t\t022") */
    static const struct { const char *key; size_t max; bool need, tab; size_t off; } strs[] = {
        {"id", AGENT_NAME_MAX, true, false, offsetof(audit_res, id)},
        {"category", 32, false, false, offsetof(audit_res, category)},
        {"group", 32, false, false, offsetof(audit_res, group)},
        {"title_en", AGENT_TEXT_MAX, true, false, offsetof(audit_res, title_en)},
        {"title_zh", AGENT_TEXT_MAX, false, false, offsetof(audit_res, title_zh)},
        {"file", AGENT_AUDIT_TEXT_MAX, false, false, offsetof(audit_res, file)},
        {"text", AGENT_AUDIT_TEXT_MAX, false, true, offsetof(audit_res, text)},
        {"found", AGENT_AUDIT_TEXT_MAX, false, true, offsetof(audit_res, found)},
        {"expected", AGENT_TEXT_MAX, false, true, offsetof(audit_res, expected)},
        {"why", AGENT_AUDIT_TEXT_MAX, false, true, offsetof(audit_res, why)},
        {"fix", AGENT_AUDIT_TEXT_MAX, false, true, offsetof(audit_res, fix)},
        {"key", AGENT_TEXT_MAX, false, true, offsetof(audit_res, key)},
        {"cis", 64, false, false, offsetof(audit_res, refs.cis)},
        {"gb", 64, false, false, offsetof(audit_res, refs.gb)},
    };
    if (!json_is_object(o))
        return fail(d, AGENT_BAD_SHAPE, "audit.results[]");
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (!get_str_tab(d, o, strs[i].key, strs[i].max, strs[i].need, strs[i].tab,
                         (const char **)((char *)r + strs[i].off)))
            return false;
    const char *st;
    int64_t sev = 0, line = 0;
    if (!get_str(d, o, "status", 8, true, &st) || !get_audit_status(d, st, &r->status) ||
        !get_int(d, o, "severity", 0, 4, true, &sev) || !get_int(d, o, "line", 0, 100000000, false, &line))
        return false;
    if (!name_ok(r->id, "-.", AGENT_NAME_MAX))
        return fail(d, AGENT_BAD_NAME, "audit.results[].id");
    r->severity = (finding_sev)sev;
    r->line = (int)line;
    return true;
}

/* audit: {kind: "host", results: [...]}; *out set (the caller's) once the kind is known. */
static bool get_audit(dec *d, json_t *o, agent_audit **out)
{
    const char *kind;
    *out = NULL;
    if (!json_is_object(o))
        return fail(d, AGENT_BAD_SHAPE, "audit");
    if (!get_str(d, o, "kind", 8, true, &kind))
        return false;
    if (strcmp(kind, "host") != 0)
        return fail(d, AGENT_BAD_VALUE, "audit.kind: not host");
    json_t *list = json_object_get(o, "results");
    if (!json_is_array(list))
        return fail(d, AGENT_BAD_SHAPE, "audit.results");
    size_t n = json_array_size(list);
    if (n > AGENT_MAX_AUDIT_RESULTS)
        return fail(d, AGENT_BAD_LIMIT, "audit.results: more than 10000 results");
    agent_audit *a = *out = kw_calloc(1, sizeof *a);
    a->v = kw_calloc(n ? n : 1, sizeof *a->v);
    for (size_t i = 0; i < n; i++, a->n++)
        if (!get_audit_res(d, json_array_get(list, i), &a->v[i]))
            return false;
    return true;
}

void agent_audit_free(agent_audit *a)
{
    if (!a)
        return;
    free(a->v);
    free(a);
}

static bool decode_root(dec *d, json_t *root, agent_batch *b)
{
    if (!json_is_object(root))
        return fail(d, AGENT_BAD_SHAPE, "not an object");
    json_t *sets, *alerts, *events;
    size_t ns, na, ne;
    if (!get_int(d, root, "seq", 1, INT64_MAX / 2, true, &b->seq) ||
        !get_int(d, root, "spool_dropped", 0, INT64_MAX / 2, false, &b->spool_dropped) ||
        !get_array(d, root, "sets", AGENT_MAX_SETS, &sets, &ns) ||
        !get_array(d, root, "alerts", AGENT_MAX_ALERTS, &alerts, &na) ||
        !get_array(d, root, "events", AGENT_MAX_EVENTS, &events, &ne))
        return false;
    b->sets = kw_calloc(ns ? ns : 1, sizeof *b->sets);
    for (size_t i = 0; i < ns; i++) {
        b->nsets = i + 1; /* its samples are freed with the batch even when it fails */
        if (!get_set(d, json_array_get(sets, i), &b->sets[i]))
            return false;
    }
    b->alerts = kw_calloc(na ? na : 1, sizeof *b->alerts);
    for (size_t i = 0; i < na; i++, b->nalerts++)
        if (!get_alert(d, json_array_get(alerts, i), &b->alerts[i]))
            return false;
    json_t *pk = json_object_get(root, "packages"), *au = json_object_get(root, "audit");
    return get_events(d, events, ne, b) && (!pk || get_packages(d, pk, &b->packages)) &&
           (!au || get_audit(d, au, &b->audit));
}

/* The document json[0..len) (NULL with *bad and why set when it is too large or not JSON). */
static json_t *load_doc(dec *d, const char *json, size_t len, agent_bad *bad)
{
    *bad = AGENT_BAD_NONE;
    if (d->whyn)
        d->why[0] = '\0';
    json_error_t jerr;
    json_t *root = NULL;
    if (len > AGENT_BODY_MAX)
        fail(d, AGENT_BAD_LIMIT, "too large");
    else if (!(root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)))
        fail(d, AGENT_BAD_JSON, jerr.text);
    *bad = d->bad;
    return root;
}

kw_rc agent_packages_decode(const char *json, size_t len, agent_packages **out, agent_bad *bad, char *why, size_t n)
{
    dec d = {AGENT_BAD_NONE, why, n, 0};
    *out = NULL;
    json_t *root = load_doc(&d, json, len, bad);
    bool ok = root && get_packages(&d, root, out);
    json_decref(root);
    if (ok)
        return KW_OK;
    *bad = d.bad;
    agent_packages_free(*out);
    *out = NULL;
    return KW_ERR_PARSE;
}

kw_rc agent_batch_decode(const char *json, size_t len, agent_batch *out, agent_bad *bad, char *why, size_t n)
{
    memset(out, 0, sizeof *out);
    dec d = {AGENT_BAD_NONE, why, n, 0};
    json_t *root = load_doc(&d, json, len, bad);
    if (!root)
        return KW_ERR_PARSE;
    out->doc = root;
    if (!decode_root(&d, root, out)) {
        *bad = d.bad;
        return KW_ERR_PARSE;
    }
    return KW_OK;
}

void agent_batch_free(agent_batch *b)
{
    for (size_t i = 0; i < b->nsets; i++)
        free(b->sets[i].v);
    free(b->sets);
    free(b->alerts);
    for (size_t i = 0; i < b->nevents; i++)
        free(b->events[i]);
    free(b->events);
    agent_packages_free(b->packages);
    agent_audit_free(b->audit);
    json_decref(b->doc);
    memset(b, 0, sizeof *b);
}

/* ---- the writer ---- */

struct agent_batch_writer {
    kw_json j;
    kw_buf *out;
    const char *open; /* the array being written: "sets", "alerts", "events" (NULL: none) */
};

agent_batch_writer *agent_batch_begin(kw_buf *out, int64_t seq, int64_t spool_dropped)
{
    agent_batch_writer *w = kw_calloc(1, sizeof *w);
    w->out = out;
    kw_json_init(&w->j, out);
    kw_json_obj_begin(&w->j);
    kw_json_kv_int(&w->j, "seq", seq);
    kw_json_kv_int(&w->j, "spool_dropped", spool_dropped);
    return w;
}

/* Moves the writer into the array key (each is written once, in the order sets, alerts, events). */
static void writer_enter(agent_batch_writer *w, const char *key)
{
    if (w->open && strcmp(w->open, key) == 0)
        return;
    if (w->open)
        kw_json_arr_end(&w->j);
    kw_json_key(&w->j, key);
    kw_json_arr_begin(&w->j);
    w->open = key;
}

static void writer_labels(kw_json *j, const char *key, uint8_t n, uint8_t max, const char *const *lk,
                          const char *const *lv)
{
    uint8_t k = 0;
    for (uint8_t i = 0; i < n; i++) {
        if (strcmp(lk[i], "host") == 0 || k == max)
            continue;
        if (!k++) {
            kw_json_key(j, key);
            kw_json_obj_begin(j);
        }
        kw_json_kv_str(j, lk[i], lv[i]);
    }
    if (k)
        kw_json_obj_end(j);
}

void agent_batch_add_set(agent_batch_writer *w, const char *source, const metric_set *ms)
{
    kw_json *j = &w->j;
    writer_enter(w, "sets");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "source", source);
    kw_json_kv_int(j, "ts", ms->ts_ms);
    kw_json_key(j, "samples");
    kw_json_arr_begin(j);
    for (size_t i = 0; i < ms->n; i++) {
        const metric_sample *m = &ms->v[i];
        if (!isfinite(m->value))
            continue;
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "n", m->desc->name);
        kw_json_kv_num(j, "v", m->value);
        if (m->desc->type == METRIC_COUNTER)
            kw_json_kv_str(j, "t", "c");
        if (m->desc->history)
            kw_json_kv_int(j, "h", 1);
        writer_labels(j, "l", m->nlabels, AGENT_MAX_LABELS, m->lk, m->lv);
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
    kw_json_obj_end(j);
}

void agent_batch_add_alert(agent_batch_writer *w, const agent_alert *a)
{
    kw_json *j = &w->j;
    writer_enter(w, "alerts");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "kind", agent_alert_kind_name(a->kind));
    kw_json_kv_str(j, "rule", a->rule);
    kw_json_kv_int(j, "ts", a->ts_ms);
    kw_json_kv_int(j, "severity", a->severity);
    if (a->summary)
        kw_json_kv_str(j, "summary", a->summary);
    kw_json_kv_num(j, "value", a->value);
    writer_labels(j, "labels", a->nlabels, AGENT_MAX_ALERT_LABELS, a->lk, a->lv);
    kw_json_obj_end(j);
}

void agent_batch_add_event(agent_batch_writer *w, const char *ecs, size_t n)
{
    writer_enter(w, "events");
    kw_json_raw_n(&w->j, ecs, n);
}

void agent_packages_os_json(kw_json *j, const agent_packages *p)
{
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "id", p->os.id);
    kw_json_kv_str(j, "version_id", p->os.version_id);
    kw_json_kv_str(j, "codename", p->os.codename);
    kw_json_obj_end(j);
}

void agent_packages_list_json(kw_json *j, const agent_packages *p)
{
    kw_json_arr_begin(j);
    for (size_t i = 0; i < p->list.n && i < AGENT_MAX_PACKAGES; i++) {
        const scan_pkg *x = &p->list.v[i];
        const char *f[] = {x->name, x->version, x->source, x->source_version, x->arch};
        kw_json_arr_begin(j);
        for (size_t k = 0; k < 5; k++)
            kw_json_str(j, f[k] ? f[k] : "");
        kw_json_arr_end(j);
    }
    kw_json_arr_end(j);
}

void agent_packages_json(kw_json *j, const agent_packages *p)
{
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "manager", p->manager);
    kw_json_key(j, "os");
    agent_packages_os_json(j, p);
    kw_json_key(j, "list");
    agent_packages_list_json(j, p);
    kw_json_obj_end(j);
}

void agent_batch_add_packages(agent_batch_writer *w, const char *section, size_t n)
{
    if (w->open)
        kw_json_arr_end(&w->j);
    w->open = NULL;
    kw_json_key(&w->j, "packages");
    kw_json_raw_n(&w->j, section, n);
}

void agent_batch_add_audit(agent_batch_writer *w, const char *section, size_t n)
{
    if (w->open)
        kw_json_arr_end(&w->j);
    w->open = NULL;
    kw_json_key(&w->j, "audit");
    kw_json_raw_n(&w->j, section, n);
}

kw_rc agent_batch_end(agent_batch_writer *w)
{
    if (w->open)
        kw_json_arr_end(&w->j);
    kw_json_obj_end(&w->j);
    bool over = w->out->overflow;
    free(w);
    return over ? KW_ERR_FULL : KW_OK;
}

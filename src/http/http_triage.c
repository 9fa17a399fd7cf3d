/* Triage for the console: open alerts grouped by attack (the same rule and asset, or the same
 * source), a group's alerts, acknowledging and assigning a whole group, the notifications
 * an alert caused, silences, and how the console writes times (console.timezone).
 *
 * A group's key is "a" US rule US asset (asset "" when none is known), "h" US rule US host
 * label US its value (no configured asset, but a machine's name), or "s" US source address; the console gets it from the list and sends it back as it is. Groups are
 * computed here, server-side, from one pass over the open alerts, so 20,000 alerts of one
 * attack are one row on the wire. */
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http_int.h"
#include "http/http_reply.h"
#include "notify/notify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define TRIAGE_MAX_MEMBERS 100000 /* a bulk change touches at most this many alerts */
#define TRIAGE_KEY_MAX 512
#define TRIAGE_MAX_GROUPS 10000   /* alerts of groups past this many are counted, not grouped */
#define SILENCE_MAX_MINUTES (90 * 24 * 60)

typedef struct tgroup {
    char key[TRIAGE_KEY_MAX];
    char rule[128], asset[192], source[64], summary[256], assignee[64]; /* asset: see triage_key */
    bool mixed_source, mixed_assignee;
    int severity;
    int64_t count, firing, first_ms, last_ms, newest_id;
} tgroup;

typedef struct tscan {
    const conf *cf;
    bool by_source;
    const char *want;            /* members of this key only (NULL: every group) */
    bool firing_only;
    kw_map index;                /* key -> 1 + index into groups */
    tgroup *groups;
    size_t n, cap;
    int64_t *ids;                /* members of `want` */
    size_t nids, capids;
    int64_t total, ungrouped;
} tscan;

/* Labels that name the machine when no configured asset is known. */
static const char *const host_labels[] = {"host.name", "host.hostname", "observer.name", NULL};

/* The alert's group key, where it happened (a configured asset's name, or else a host label
 * as "LABEL\x1fVALUE") and its source address. */
static void triage_key(const tscan *t, const store_alert_view *v, char *key, char *where, size_t wn, char *src,
                       size_t sn)
{
    notify_alert a;
    notify_alert_init(&a, t->cf, v->id, v->rule, v->state, v->summary, v->severity, v->started_ms, v->labels_json);
    const char *ip = json_string_value(json_object_get(a.labels, "source.ip"));
    snprintf(src, sn, "%s", ip ? ip : "");
    snprintf(where, wn, "%s", a.asset ? a.asset->name : "");
    for (size_t i = 0; !a.asset && host_labels[i]; i++) {
        const char *h = json_string_value(json_object_get(a.labels, host_labels[i]));
        if (h && *h && strcmp(h, "-") != 0) {
            snprintf(where, wn, "%s\x1f%s", host_labels[i], h);
            break;
        }
    }
    if (t->by_source && ip)
        snprintf(key, TRIAGE_KEY_MAX, "s\x1f%s", ip);
    else
        snprintf(key, TRIAGE_KEY_MAX, "%c\x1f%s\x1f%s", a.asset || !where[0] ? 'a' : 'h', v->rule, where);
    notify_alert_fini(&a);
}

static void group_add(tscan *t, const store_alert_view *v, const char *key, const char *asset, const char *src)
{
    size_t at = (size_t)(intptr_t)kw_map_get(&t->index, key);
    tgroup *g;
    if (!at && t->n >= TRIAGE_MAX_GROUPS) {
        t->ungrouped++;
        return;
    }
    if (!at) {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 32;
            t->groups = kw_realloc(t->groups, t->cap * sizeof *t->groups);
        }
        g = &t->groups[t->n++];
        memset(g, 0, sizeof *g);
        kw_map_put(&t->index, key, (void *)(intptr_t)t->n);
        kw_strlcpy(g->key, key, sizeof g->key);
        kw_strlcpy(g->rule, v->rule, sizeof g->rule);
        kw_strlcpy(g->asset, asset, sizeof g->asset);
        kw_strlcpy(g->source, src, sizeof g->source);
        kw_strlcpy(g->summary, v->summary, sizeof g->summary);
        kw_strlcpy(g->assignee, v->assignee ? v->assignee : "", sizeof g->assignee);
        g->newest_id = v->id; /* rows come newest first */
        g->last_ms = g->first_ms = v->started_ms;
    } else {
        g = &t->groups[at - 1];
    }
    g->count++;
    g->firing += !strcmp(v->state, "firing");
    g->severity = v->severity > g->severity ? v->severity : g->severity;
    g->first_ms = v->started_ms < g->first_ms ? v->started_ms : g->first_ms;
    g->last_ms = v->started_ms > g->last_ms ? v->started_ms : g->last_ms;
    g->mixed_source |= strcmp(g->source, src) != 0;
    g->mixed_assignee |= strcmp(g->assignee, v->assignee ? v->assignee : "") != 0;
}

static void triage_row(void *arg, const store_alert_view *v)
{
    tscan *t = arg;
    char key[TRIAGE_KEY_MAX], asset[192], src[64];
    triage_key(t, v, key, asset, sizeof asset, src, sizeof src);
    t->total++;
    if (!t->want) {
        group_add(t, v, key, asset, src);
        return;
    }
    if (strcmp(key, t->want) != 0 || (t->firing_only && strcmp(v->state, "firing") != 0) ||
        t->nids >= TRIAGE_MAX_MEMBERS)
        return;
    if (t->nids == t->capids) {
        t->capids = t->capids ? t->capids * 2 : 256;
        t->ids = kw_realloc(t->ids, t->capids * sizeof *t->ids);
    }
    t->ids[t->nids++] = v->id;
}

/* Severity first, then the newest. */
static int group_cmp(const void *x, const void *y)
{
    const tgroup *a = x, *b = y;
    if (a->severity != b->severity)
        return b->severity - a->severity;
    return a->last_ms < b->last_ms ? 1 : a->last_ms > b->last_ms ? -1 : 0;
}

/* One pass over the alerts in state of at least min_severity, under the configuration lock
 * (assets are the configuration's). */
static kw_rc triage_scan(http_server *s, kw_store *st, int state, int min_severity, tscan *t)
{
    kw_map_init(&t->index);
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    t->cf = s->sh->cfg;
    kw_rc rc = t->cf ? store_alert_each_view(st, state, min_severity, triage_row, t) : KW_ERR_STORE;
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    t->cf = NULL;
    return rc;
}

static void triage_free(tscan *t)
{
    kw_map_free(&t->index);
    free(t->groups);
    free(t->ids);
}

/* The conditions a silence of this group needs: {"rule", "asset" or a host label} or
 * {"source.ip"}. */
static void group_matchers(kw_json *j, const tgroup *g)
{
    const char *sep = strchr(g->asset, '\x1f');
    kw_json_key(j, "matchers");
    kw_json_obj_begin(j);
    if (g->key[0] == 's') {
        kw_json_kv_str(j, "source.ip", g->key + 2);
    } else {
        kw_json_kv_str(j, "rule", g->rule);
        if (sep) {
            kw_json_keyn(j, g->asset, (size_t)(sep - g->asset));
            kw_json_str(j, sep + 1);
        } else if (g->asset[0]) {
            kw_json_kv_str(j, "asset", g->asset);
        }
    }
    kw_json_obj_end(j);
}

static void group_json(kw_json *j, const tgroup *g)
{
    const char *sep = strchr(g->asset, '\x1f');
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "key", g->key);
    kw_json_kv_str(j, "by", g->key[0] == 's' ? "source" : "asset");
    kw_json_kv_str(j, "rule", g->rule);
    if (g->asset[0])
        kw_json_kv_str(j, sep ? "host" : "asset", sep ? sep + 1 : g->asset);
    if (g->source[0] && !g->mixed_source)
        kw_json_kv_str(j, "source", g->source);
    kw_json_kv_int(j, "severity", g->severity);
    kw_json_kv_str(j, "severity_name", kw_severity_name(g->severity));
    kw_json_kv_int(j, "count", g->count);
    kw_json_kv_int(j, "firing", g->firing);
    kw_json_kv_int(j, "acked", g->count - g->firing);
    kw_json_kv_time(j, "first", g->first_ms);
    kw_json_kv_time(j, "last", g->last_ms);
    kw_json_kv_int(j, "newest", g->newest_id);
    kw_json_kv_str(j, "summary", g->summary);
    if (g->assignee[0] && !g->mixed_assignee)
        kw_json_kv_str(j, "assignee", g->assignee);
    group_matchers(j, g);
    kw_json_obj_end(j);
}

typedef struct tquery {
    int state, min_severity;
    bool by_source;
    int64_t limit;
} tquery;

static bool build_groups(http_server *s, struct MHD_Connection *c, kw_store *st, kw_buf *out, void *arg)
{
    const tquery *q = arg;
    tscan t = {.by_source = q->by_source};
    if (triage_scan(s, st, q->state, q->min_severity, &t) != KW_OK) {
        triage_free(&t);
        http_store_error(c, st);
        return false;
    }
    if (t.n)
        qsort(t.groups, t.n, sizeof *t.groups, group_cmp);
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "alerts", t.total);
    kw_json_kv_int(&j, "total_groups", (int64_t)t.n);
    if (t.ungrouped)
        kw_json_kv_int(&j, "ungrouped", t.ungrouped);
    kw_json_key(&j, "groups");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < t.n && (int64_t)i < q->limit; i++)
        group_json(&j, &t.groups[i]);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    triage_free(&t);
    return true;
}

/* state=open|firing|acked (open), severity=low|medium|high|critical (the least shown). */
static bool triage_filters(struct MHD_Connection *c, int *state, int *min_severity)
{
    const char *sv = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
    *state = !sv || !strcmp(sv, "open") ? -1 : alert_state_parse(sv);
    if (!*state || *state == ALERT_RESOLVED)
        return false;
    const char *sev = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "severity");
    *min_severity = 0;
    for (int i = 1; sev && *sev && i <= 4; i++)
        if (!strcmp(sev, kw_severity_name(i)))
            *min_severity = i;
    return !(sev && *sev && !*min_severity);
}

/* GET /api/v1/alert-groups?state=S&severity=S&by=asset|source&limit=N: groups by severity,
 * then the newest. */
static enum MHD_Result triage_groups(http_server *s, struct MHD_Connection *c)
{
    tquery q = {.limit = http_query_int(c, "limit", 200, 1, 1000)};
    const char *by = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "by");
    if (!triage_filters(c, &q.state, &q.min_severity) || (by && strcmp(by, "asset") && strcmp(by, "source")))
        return http_error(c, MHD_HTTP_BAD_REQUEST,
                          "state is open, firing or acked; severity low, medium, high or critical; by asset or source");
    q.by_source = by && !strcmp(by, "source");
    char key[96];
    snprintf(key, sizeof key, "groups %d %d %d %lld", q.state, q.min_severity, q.by_source, (long long)q.limit);
    return http_cached_json(s, c, key, build_groups, &q);
}

/* The members of group key (firing ones only when firing_only), newest first. */
static kw_rc triage_members(http_server *s, kw_store *st, const char *key, int state, bool firing_only, tscan *t)
{
    memset(t, 0, sizeof *t);
    t->want = key;
    t->by_source = key[0] == 's';
    t->firing_only = firing_only;
    return triage_scan(s, st, state, 0, t);
}

/* GET /api/v1/alert-groups/alerts?key=K&state=S&limit=N&offset=M: one group's alerts. */
static enum MHD_Result triage_group_alerts(http_server *s, struct MHD_Connection *c)
{
    const char *key = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "key");
    int state, sev;
    if (!key || !*key || strlen(key) >= TRIAGE_KEY_MAX || !triage_filters(c, &state, &sev))
        return http_error(c, MHD_HTTP_BAD_REQUEST, "key=GROUP (from /api/v1/alert-groups), state=open|firing|acked");
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    tscan t;
    if (triage_members(s, st, key, state, false, &t) != KW_OK) {
        triage_free(&t);
        return http_store_error(c, st);
    }
    size_t limit = (size_t)http_query_int(c, "limit", 100, 1, 1000), off = (size_t)http_query_int(c, "offset", 0, 0, INT64_MAX);
    off = off < t.nids ? off : t.nids;
    size_t n = t.nids - off < limit ? t.nids - off : limit;
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_rc rc = store_alert_rows_json(st, n ? t.ids + off : NULL, n, &b);
    if (rc == KW_OK) { /* {"alerts": [...], "count": N} */
        b.len--;
        kw_buf_printf(&b, ",\"count\":%zu}", t.nids);
    }
    triage_free(&t);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return http_store_error(c, st);
    }
    return http_json(c, MHD_HTTP_OK, &b);
}

/* POST /api/v1/alert-groups/ack {"key", "note"} and /assign {"key", "to": NAME|null}: every
 * alert of the group at once, each in its history and the duty log as one change would be. */
static enum MHD_Result triage_bulk(http_server *s, struct MHD_Connection *c, bool ack, http_req *req, const principal *p)
{
    enum MHD_Result ret;
    json_t *root = http_body_object(c, req, ack ? "send {\"key\": GROUP, \"note\": TEXT}" : "send {\"key\": GROUP, \"to\": NAME or null}", &ret);
    if (!root)
        return ret;
    const char *key = json_string_value(json_object_get(root, "key"));
    json_t *arg = json_object_get(root, ack ? "note" : "to");
    bool bad = !key || !*key || strlen(key) >= TRIAGE_KEY_MAX ||
               (arg && !json_is_null(arg) && (!json_is_string(arg) || json_string_length(arg) >= (ack ? 2048 : 64)));
    char k[TRIAGE_KEY_MAX] = "", val[2048] = "";
    if (!bad) {
        kw_strlcpy(k, key, sizeof k);
        if (json_is_string(arg))
            kw_strlcpy(val, json_string_value(arg), sizeof val);
    }
    json_decref(root);
    if (bad)
        return http_error(c, MHD_HTTP_BAD_REQUEST, ack ? "\"key\" is a group's key, \"note\" at most 2 KiB"
                                                       : "\"key\" is a group's key, \"to\" a name (under 64 bytes) or null");
    if (p->user.role < ROLE_MEMBER || (!ack && p->user.role < ROLE_OFFICER && val[0] && strcmp(val, p->user.name)))
        return http_error(c, MHD_HTTP_FORBIDDEN, ack ? "viewers cannot acknowledge alerts"
                                                     : "members take alerts themselves; officers assign them to others");
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    tscan t;
    size_t changed = 0;
    kw_rc rc = triage_members(s, st, k, -1, ack, &t);
    if (rc == KW_OK)
        rc = store_alert_bulk(st, t.ids, t.nids, ack, p->user.name, ack ? (val[0] ? val : NULL) : val, kw_now_ms(),
                              &changed);
    size_t matched = t.nids;
    triage_free(&t);
    if (rc != KW_OK)
        return http_store_error(c, st);
    log_info("alert group %s: %zu of %zu alerts %s by %s", k + 2, changed, matched,
             ack ? "acknowledged" : val[0] ? "assigned" : "unassigned", p->user.name);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, "{\"matched\":%zu,\"changed\":%zu}", matched, changed);
    return http_json(c, MHD_HTTP_OK, &b);
}

/* ---- silences ---- */

/* The body's matchers as a compact JSON object of checked conditions; NULL (err says why)
 * when there is none or one is not a condition silences take. The caller frees. */
static char *silence_matchers(json_t *m, char *err, size_t errn)
{
    if (!json_is_object(m) || !json_object_size(m) || json_object_size(m) > 16) {
        snprintf(err, errn, "\"matchers\" is an object of 1 to 16 conditions, e.g. {\"rule\": \"port_scan\"}");
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        size_t pos;
        char why[200];
        if (!json_is_string(v) || json_string_length(v) > 512 || strlen(k) > 128) {
            snprintf(err, errn, "matcher \"%.64s\": a string value, at most 512 bytes", k);
            return NULL;
        }
        if (notify_cond_check(k, json_string_value(v), why, sizeof why, &pos) != KW_OK) {
            snprintf(err, errn, "matcher \"%.64s\": %s", k, why);
            return NULL;
        }
    }
    return json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
}

/* POST /api/v1/silences {"matchers": {...}, "minutes": N, "comment": TEXT}: officers silence. */
static enum MHD_Result silence_post(http_server *s, struct MHD_Connection *c, http_req *req, const principal *p)
{
    if (p->user.role < ROLE_OFFICER)
        return http_error(c, MHD_HTTP_FORBIDDEN, "only duty officers and admins add silences");
    enum MHD_Result ret;
    json_t *root = http_body_object(c, req, "send {\"matchers\": {...}, \"minutes\": N, \"comment\": TEXT}", &ret);
    if (!root)
        return ret;
    char err[320] = "";
    char *m = silence_matchers(json_object_get(root, "matchers"), err, sizeof err);
    json_t *mins = json_object_get(root, "minutes");
    const char *comment = json_string_value(json_object_get(root, "comment"));
    if (m && (!json_is_integer(mins) || json_integer_value(mins) < 1 || json_integer_value(mins) > SILENCE_MAX_MINUTES))
        snprintf(err, sizeof err, "\"minutes\" is 1 to %d", SILENCE_MAX_MINUTES);
    else if (m && (!comment || !*comment || strlen(comment) > 2048))
        snprintf(err, sizeof err, "\"comment\" says why (1 byte to 2 KiB)");
    if (err[0]) {
        free(m);
        json_decref(root);
        return http_error(c, MHD_HTTP_BAD_REQUEST, err);
    }
    kw_store *st = http_store(s);
    int64_t now = kw_now_ms(), id = 0;
    kw_rc rc = st ? store_silence_add(st, m, now, now + json_integer_value(mins) * 60000, p->user.name, comment, now, &id)
                  : KW_ERR_STORE;
    json_decref(root);
    free(m);
    if (rc != KW_OK)
        return http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, st ? store_errmsg(st) : "store unavailable");
    log_info("silence %lld added by %s", (long long)id, p->user.name);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, "{\"id\":%lld}", (long long)id);
    return http_json(c, MHD_HTTP_CREATED, &b);
}

static enum MHD_Result silence_list(http_server *s, struct MHD_Connection *c)
{
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    const char *all = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "all");
    kw_buf b;
    kw_buf_init(&b, 0);
    if (store_silences_json(st, all && strcmp(all, "0"), kw_now_ms(), &b) != KW_OK) {
        kw_buf_free(&b);
        return http_store_error(c, st);
    }
    return http_json(c, MHD_HTTP_OK, &b);
}

/* DELETE /api/v1/silences/ID: ends it now. */
static enum MHD_Result silence_delete(http_server *s, struct MHD_Connection *c, int64_t id, const principal *p)
{
    if (p->user.role < ROLE_OFFICER)
        return http_error(c, MHD_HTTP_FORBIDDEN, "only duty officers and admins expire silences");
    kw_store *st = http_store(s);
    kw_rc rc = st ? store_silence_expire(st, id, p->user.name, kw_now_ms()) : KW_ERR_STORE;
    if (rc == KW_ERR_NOTFOUND)
        return http_error(c, MHD_HTTP_NOT_FOUND, "no such silence in force");
    if (rc != KW_OK)
        return http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, st ? store_errmsg(st) : "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, "{\"expired\":%lld}", (long long)id);
    return http_json(c, MHD_HTTP_OK, &b);
}

/* ---- the rest ---- */

/* GET /api/v1/alerts/ID/notifications */
static enum MHD_Result alert_notifications(http_server *s, struct MHD_Connection *c, int64_t id)
{
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_rc rc = store_alert_notifications_json(st, id, &b);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return rc == KW_ERR_NOTFOUND ? http_error(c, MHD_HTTP_NOT_FOUND, "no such alert")
                                     : http_store_error(c, st);
    }
    return http_json(c, MHD_HTTP_OK, &b);
}

/* GET /api/v1/console: how the console writes times (console.timezone). */
static enum MHD_Result console_settings(http_server *s, struct MHD_Connection *c)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    const conf *cf = s->sh->cfg;
    const char *z = cf && cf->console.timezone ? cf->console.timezone : "local";
    kw_json_kv_str(&j, "timezone", z);
    kw_json_kv_bool(&j, "iana", cf && cf->console.tz_named);
    kw_json_kv_int(&j, "offset_minutes", cf ? cf->console.tz_min : 0);
    kw_json_kv_str(&j, "abbreviation", cf ? cf->console.tz_abbr : "");
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    kw_json_obj_end(&j);
    return http_json(c, MHD_HTTP_OK, &b);
}

static int64_t triage_id(const char *p, const char **rest)
{
    char *end;
    long long v = strtoll(p, &end, 10);
    *rest = end;
    return end == p || v <= 0 || *p == '+' || *p == '-' ? 0 : v;
}

bool http_triage_owns(const char *url)
{
    if (!strncmp(url, "/api/v1/alert-groups", 20) || !strncmp(url, "/api/v1/silences", 16) ||
        !strcmp(url, "/api/v1/console"))
        return true;
    const char *rest;
    return !strncmp(url, "/api/v1/alerts/", 15) && triage_id(url + 15, &rest) && !strcmp(rest, "/notifications");
}

enum MHD_Result http_triage_route(http_server *s, struct MHD_Connection *c, const char *url, const char *method,
                                  http_req *req, const principal *p)
{
    bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
    bool post = !strcmp(method, MHD_HTTP_METHOD_POST), del = !strcmp(method, MHD_HTTP_METHOD_DELETE);
    const char *rest;
    if (!strcmp(url, "/api/v1/alert-groups"))
        return get ? triage_groups(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (!strcmp(url, "/api/v1/alert-groups/alerts"))
        return get ? triage_group_alerts(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (!strcmp(url, "/api/v1/alert-groups/ack") || !strcmp(url, "/api/v1/alert-groups/assign"))
        return post ? triage_bulk(s, c, url[21] == 'a' && url[22] == 'c', req, p)
                    : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
    if (!strcmp(url, "/api/v1/silences"))
        return get ? silence_list(s, c) : post ? silence_post(s, c, req, p)
                                               : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET or POST");
    if (!strncmp(url, "/api/v1/silences/", 17)) {
        int64_t id = triage_id(url + 17, &rest);
        if (!id || *rest)
            return http_error(c, MHD_HTTP_NOT_FOUND, "not found");
        return del ? silence_delete(s, c, id, p) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use DELETE");
    }
    if (!strcmp(url, "/api/v1/console"))
        return get ? console_settings(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (!strncmp(url, "/api/v1/alerts/", 15))
        return get ? alert_notifications(s, c, triage_id(url + 15, &rest))
                   : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    return http_error(c, MHD_HTTP_NOT_FOUND, "not found");
}

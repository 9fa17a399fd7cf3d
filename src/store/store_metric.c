/* Metric history: raw samples, rolled up into 1-minute and 1-hour rows (avg, min, max).
 * Retention per resolution comes from the history: section of the configuration. */
#include "store/store_int.h"
#include "store/store_rows.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "metric/metric.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The id of a series, created on first sight. */
static int64_t series_id(kw_store *s, const metric_sample *m, kw_buf *key)
{
    kw_buf_reset(key);
    metric_sample_id(m, key);
    void *cached = kw_map_get(&s->series_ids, kw_buf_cstr(key));
    if (cached)
        return (int64_t)(intptr_t)cached;
    const char *brace = strchr(kw_buf_cstr(key), '{');
    const char *labels = brace ? brace : "";
    /* SQLite's series are unique by (name, labels), its server always "" (store.c, version 9) */
    db_stmt *st = store_stmt(s, db_backend(s->db) == DB_SQLITE
                                    ? "INSERT INTO metric_series (name, labels, server) VALUES (?, ?, ?) "
                                      "ON CONFLICT (name, labels) DO UPDATE SET name = excluded.name RETURNING id"
                                    : "INSERT INTO metric_series (name, labels, server) VALUES (?, ?, ?) "
                                      "ON CONFLICT (server, name, labels) DO UPDATE SET name = excluded.name RETURNING id");
    if (!st)
        return 0;
    db_bind_text(st, 1, m->desc->name);
    db_bind_text(st, 2, labels);
    db_bind_text(st, 3, s->server);
    int64_t id = 0;
    if (db_step(st) == DB_ROW)
        id = db_col_int64(st, 0);
    db_reset(st);
    if (id)
        kw_map_put(&s->series_ids, kw_buf_cstr(key), (void *)(intptr_t)id);
    return id;
}

/* SQLite: a statement per sample, in-process. */
static kw_rc metric_write_rows(kw_store *s, const metric_set *ms)
{
    kw_buf key;
    kw_buf_init(&key, 8192);
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < ms->n; i++) {
        const metric_sample *m = &ms->v[i];
        if (!m->desc->history || !isfinite(m->value))
            continue;
        int64_t id = series_id(s, m, &key);
        db_stmt *st = store_stmt(s, "INSERT INTO metric_raw (series, ts, value) VALUES (?, ?, ?)"
                                    " ON CONFLICT (series, ts) DO UPDATE SET value = excluded.value");
        if (!id || !st) {
            rc = KW_ERR_STORE;
            break;
        }
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, ms->ts_ms);
        db_bind_double(st, 3, m->value);
        if (store_step_ahead(s, st) != KW_OK) { /* in the core's group transaction: sent ahead */
            rc = KW_ERR_STORE;
            break;
        }
    }
    kw_buf_free(&key);
    return rc;
}

/* Creates the series staged in r (name, labels; each once) in one statement; their ids go
 * into `made` under their stored text (name and labels, UTF-8 mended). */
static kw_rc series_create_pg(kw_store *s, store_rows *r, kw_map *made)
{
    db_stmt *st = store_rows_stmt(s, "INSERT INTO metric_series (name, labels, server)"
                                     " SELECT u.n, u.l, ?3 FROM unnest(?1::TEXT[], ?2::TEXT[]) WITH ORDINALITY"
                                     " AS u(n, l, o) ORDER BY u.o ON CONFLICT (server, name, labels)"
                                     " DO UPDATE SET name = excluded.name RETURNING id, name, labels",
                                  r, "metric series");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 3, s->server);
    kw_buf stored;
    kw_buf_init(&stored, 0);
    db_step_rc sr;
    while ((sr = db_step(st)) == DB_ROW) {
        kw_buf_reset(&stored);
        kw_buf_puts(&stored, db_col_text(st, 1) ? db_col_text(st, 1) : "");
        kw_buf_puts(&stored, db_col_text(st, 2) ? db_col_text(st, 2) : "");
        int64_t id = db_col_int64(st, 0);
        if (id > 0)
            kw_map_put(made, kw_buf_cstr(&stored), (void *)(intptr_t)id);
    }
    db_reset(st);
    kw_buf_free(&stored);
    if (sr != DB_DONE) {
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
        return KW_ERR_STORE;
    }
    return KW_OK;
}

/* The samples staged in r (series, value) at ts, in one statement sent ahead. */
static kw_rc samples_write_pg(kw_store *s, store_rows *r, int64_t ts)
{
    db_stmt *st = store_rows_stmt(s, "INSERT INTO metric_raw (series, ts, value)"
                                     " SELECT u.series, CAST(?3 AS BIGINT), u.value"
                                     " FROM unnest(?1::BIGINT[], ?2::DOUBLE PRECISION[]) AS u(series, value)"
                                     " ON CONFLICT (series, ts) DO UPDATE SET value = excluded.value",
                                  r, "metric samples");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 3, ts);
    return store_step_ahead(s, st);
}

/* A sample's series id from the cache, else from `made` (its stored text: the key UTF-8
 * mended), then cached under its key; 0 when neither has it. */
static int64_t series_known(kw_store *s, kw_map *made, const char *key)
{
    int64_t id = (int64_t)(intptr_t)kw_map_get(&s->series_ids, key);
    if (id || !made)
        return id;
    char *fixed = kw_utf8_fix(key);
    id = (int64_t)(intptr_t)kw_map_get(made, fixed ? fixed : key);
    free(fixed);
    if (id > 0)
        kw_map_put(&s->series_ids, key, (void *)(intptr_t)id);
    return id > 0 ? id : 0;
}

/* PostgreSQL: the set's new series in one statement (a round trip for their ids), then its
 * samples in one more, sent ahead, instead of a statement per series and per sample. A series
 * the set names twice is written once, with its last value (as one by one would leave it). */
static kw_rc metric_write_pg(kw_store *s, const metric_set *ms)
{
    kw_map made, last; /* stored text -> id (-1: staged); series id -> its last sample */
    kw_map_init(&made);
    kw_map_init(&last);
    store_rows rows;
    store_rows_init(&rows, 2);
    kw_buf key;
    kw_buf_init(&key, 8192);
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < ms->n && rc == KW_OK; i++) { /* the series not known yet, each once */
        const metric_sample *m = &ms->v[i];
        if (!m->desc->history || !isfinite(m->value))
            continue;
        kw_buf_reset(&key);
        metric_sample_id(m, &key);
        const char *k = kw_buf_cstr(&key);
        if (kw_map_get(&s->series_ids, k))
            continue;
        char *fixed = kw_utf8_fix(k);
        const char *stored = fixed ? fixed : k;
        if (!kw_map_get(&made, stored)) {
            kw_map_put(&made, stored, (void *)(intptr_t)-1);
            const char *brace = strchr(stored, '{');
            char *name = kw_strndup(stored, brace ? (size_t)(brace - stored) : strlen(stored));
            store_rows_text(&rows, 0, name);
            store_rows_text(&rows, 1, brace ? brace : "");
            store_rows_next(&rows);
            free(name);
        }
        free(fixed);
        if (store_rows_full(&rows))
            rc = series_create_pg(s, &rows, &made);
    }
    if (rc == KW_OK && rows.n)
        rc = series_create_pg(s, &rows, &made);
    for (size_t i = 0; i < ms->n && rc == KW_OK; i++) { /* the last sample of each series */
        const metric_sample *m = &ms->v[i];
        if (!m->desc->history || !isfinite(m->value))
            continue;
        kw_buf_reset(&key);
        metric_sample_id(m, &key);
        int64_t id = series_known(s, made.n ? &made : NULL, kw_buf_cstr(&key));
        if (!id) {
            snprintf(s->err, sizeof s->err, "metric series %.200s: not created", kw_buf_cstr(&key));
            rc = KW_ERR_STORE;
            break;
        }
        char ids[24];
        snprintf(ids, sizeof ids, "%lld", (long long)id);
        kw_map_put(&last, ids, (void *)m);
    }
    const char *k;
    void *v;
    for (size_t j = 0; rc == KW_OK && kw_map_next(&last, &j, &k, &v);) {
        store_rows_int(&rows, 0, strtoll(k, NULL, 10));
        store_rows_real(&rows, 1, ((const metric_sample *)v)->value);
        store_rows_next(&rows);
        if (store_rows_full(&rows))
            rc = samples_write_pg(s, &rows, ms->ts_ms);
    }
    if (rc == KW_OK && rows.n)
        rc = samples_write_pg(s, &rows, ms->ts_ms);
    kw_buf_free(&key);
    store_rows_free(&rows);
    kw_map_free(&made);
    kw_map_free(&last);
    return rc;
}

kw_rc store_metric_write(kw_store *s, const metric_set *ms)
{
    return db_backend(s->db) == DB_POSTGRES ? metric_write_pg(s, ms) : metric_write_rows(s, ms);
}

static int64_t meta_get(kw_store *s, const char *key)
{
    return store_query_int(s, "SELECT value FROM meta WHERE key = ?", key);
}

static bool meta_set(kw_store *s, const char *key, int64_t v)
{
    db_stmt *st = store_stmt(s, "INSERT INTO meta (key, value) VALUES (?, ?)"
                                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!st)
        return false;
    db_bind_text(st, 1, key);
    db_bind_int64(st, 2, v);
    return db_step(st) == DB_DONE;
}

/* A rolled-up bucket written again replaces the one there. */
#define ROLLUP_UPSERT                                                                                                  \
    " ON CONFLICT (series, ts) DO UPDATE SET avg = excluded.avg, min = excluded.min, max = excluded.max,"            \
    " n = excluded.n"

/* Runs sql with its first parameter a and, when nb, its second b. */
static bool exec_range(kw_store *s, const char *sql, int64_t a, int64_t b, bool nb)
{
    db_stmt *st = store_stmt(s, sql);
    if (!st)
        return false;
    db_bind_int64(st, 1, a);
    if (nb)
        db_bind_int64(st, 2, b);
    if (db_step(st) != DB_DONE) {
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
        return false;
    }
    return true;
}

kw_rc store_metric_maintain(kw_store *s, int64_t now_ms, int64_t raw_keep_ms, int64_t minute_keep_ms,
                            int64_t hour_keep_ms)
{
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    /* roll up whole minutes and hours that have ended since the last run */
    int64_t minute = now_ms / 60000 * 60000, hour = now_ms / 3600000 * 3600000;
    int64_t wm_m = meta_get(s, "rollup_1m"), wm_h = meta_get(s, "rollup_1h");
    bool ok = exec_range(s,
                         "INSERT INTO metric_1m (series, ts, avg, min, max, n) "
                         "SELECT series, ts / 60000 * 60000 AS m, avg(value), min(value), max(value), count(*) "
                         "FROM metric_raw WHERE ts >= ? AND ts < ? GROUP BY series, m" ROLLUP_UPSERT,
                         wm_m, minute, true) &&
              meta_set(s, "rollup_1m", minute) &&
              exec_range(s,
                         "INSERT INTO metric_1h (series, ts, avg, min, max, n) "
                         "SELECT series, ts / 3600000 * 3600000 AS h, sum(avg * n) / sum(n), min(min), max(max), sum(n) "
                         "FROM metric_1m WHERE ts >= ? AND ts < ? GROUP BY series, h" ROLLUP_UPSERT,
                         wm_h, hour, true) &&
              meta_set(s, "rollup_1h", hour) &&
              exec_range(s, "DELETE FROM metric_raw WHERE ts < ?", now_ms - raw_keep_ms, 0, false) &&
              exec_range(s, "DELETE FROM metric_1m WHERE ts < ?", now_ms - minute_keep_ms, 0, false) &&
              exec_range(s, "DELETE FROM metric_1h WHERE ts < ?", now_ms - hour_keep_ms, 0, false);
    if (!ok) {
        store_rollback(s);
        return KW_ERR_STORE;
    }
    return store_commit(s);
}

/* The resolutions of a series' history, finest first: its rows in [?2, ?3] as (ts, avg, min,
 * max), as buckets of ?4 ms (start, sum of values, how many, min, max), and its oldest row. */
static const struct {
    const char *name, *sql, *buckets, *oldest;
} res[] = {
    {"raw", "SELECT ts, value, value, value FROM metric_raw WHERE series = ?1 AND ts BETWEEN ?2 AND ?3 ORDER BY ts",
     "SELECT ts / ?4 * ?4 AS b, sum(value), count(*), min(value), max(value) FROM metric_raw"
     " WHERE series = ?1 AND ts BETWEEN ?2 AND ?3 GROUP BY b",
     "SELECT min(ts) FROM metric_raw WHERE series = ?1"},
    {"1m", "SELECT ts, avg, min, max FROM metric_1m WHERE series = ?1 AND ts BETWEEN ?2 AND ?3 ORDER BY ts",
     "SELECT ts / ?4 * ?4 AS b, sum(avg * n), sum(n), min(min), max(max) FROM metric_1m"
     " WHERE series = ?1 AND ts BETWEEN ?2 AND ?3 GROUP BY b",
     "SELECT min(ts) FROM metric_1m WHERE series = ?1"},
    {"1h", "SELECT ts, avg, min, max FROM metric_1h WHERE series = ?1 AND ts BETWEEN ?2 AND ?3 ORDER BY ts",
     "SELECT ts / ?4 * ?4 AS b, sum(avg * n), sum(n), min(min), max(max) FROM metric_1h"
     " WHERE series = ?1 AND ts BETWEEN ?2 AND ?3 GROUP BY b",
     "SELECT min(ts) FROM metric_1h WHERE series = ?1"},
};

/* The finest resolution of series id whose oldest row reaches back to from_ms; when none does
 * (a store younger than the window, or a window past every retention) the one reaching
 * furthest back, the finer of those within a minute of each other. -1: a store error. */
static int pick_resolution(kw_store *s, int64_t id, int64_t from_ms)
{
    int pick = 0;
    int64_t pick_oldest = INT64_MAX;
    for (int i = 0; i < 3; i++) {
        db_stmt *o = store_stmt(s, res[i].oldest);
        if (!o)
            return -1;
        db_bind_int64(o, 1, id);
        bool has = db_step(o) == DB_ROW && !db_col_null(o, 0);
        int64_t oldest = has ? db_col_int64(o, 0) : INT64_MAX;
        db_reset(o);
        if (!has)
            continue;
        if (oldest <= from_ms + 60000)
            return i;
        if (pick_oldest == INT64_MAX || oldest < pick_oldest - 60000) {
            pick = i;
            pick_oldest = oldest;
        }
    }
    return pick;
}

/* The statement reading series id over [from, to] from the resolution pick_resolution chooses
 * (*r), as rows or (buckets > 0) as buckets of that many ms; NULL on a store error. */
static db_stmt *resolution_stmt(kw_store *s, int64_t id, int64_t from_ms, int64_t to_ms, int64_t buckets, int *r)
{
    *r = pick_resolution(s, id, from_ms);
    db_stmt *q = *r < 0 ? NULL : store_stmt(s, buckets > 0 ? res[*r].buckets : res[*r].sql);
    if (!q)
        return NULL;
    db_bind_int64(q, 1, id);
    db_bind_int64(q, 2, from_ms);
    db_bind_int64(q, 3, to_ms);
    if (buckets > 0)
        db_bind_int64(q, 4, buckets);
    return q;
}

kw_rc store_metric_query_json(kw_store *s, const char *series, int64_t from_ms, int64_t to_ms, kw_buf *out)
{
    const char *brace = strchr(series, '{');
    char name[256];
    size_t nl = brace ? (size_t)(brace - series) : strlen(series);
    if (nl >= sizeof name)
        return KW_ERR_RANGE;
    memcpy(name, series, nl);
    name[nl] = '\0';
    db_stmt *st = store_stmt(s, "SELECT id FROM metric_series WHERE name = ? AND labels = ? AND server = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, brace ? brace : "");
    db_bind_text(st, 3, s->server);
    if (db_step(st) != DB_ROW) {
        db_reset(st);
        return KW_ERR_NOTFOUND;
    }
    int64_t id = db_col_int64(st, 0);
    db_reset(st);
    int pick;
    db_stmt *q = resolution_stmt(s, id, from_ms, to_ms, 0, &pick);
    if (!q)
        return KW_ERR_STORE;
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "series", series);
    kw_json_kv_str(&j, "resolution", res[pick].name);
    kw_json_key(&j, "points");
    kw_json_arr_begin(&j);
    while (db_step(q) == DB_ROW) {
        kw_json_arr_begin(&j);
        kw_json_int(&j, db_col_int64(q, 0));
        kw_json_num(&j, db_col_double(q, 1));
        kw_json_num(&j, db_col_double(q, 2));
        kw_json_num(&j, db_col_double(q, 3));
        kw_json_arr_end(&j);
    }
    db_reset(q);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return KW_OK;
}

kw_rc store_metric_names_json(kw_store *s, const char *prefix, kw_buf *out)
{
    db_stmt *st = store_stmt(s, "SELECT name, labels FROM metric_series WHERE substr(name, 1, length(?1)) = ?1 "
                                "AND server = ?2 ORDER BY name, labels LIMIT 5000");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, prefix);
    db_bind_text(st, 2, s->server);
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "series");
    kw_json_arr_begin(&j);
    kw_buf id;
    kw_buf_init(&id, 4096);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        kw_buf_reset(&id);
        kw_buf_puts(&id, db_col_text(st, 0));
        kw_buf_puts(&id, db_col_text(st, 1));
        kw_json_strn(&j, id.data, id.len);
    }
    kw_buf_free(&id);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    db_reset(st);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

/* ---- one host's series (the console's host page) ---- */

#define HOST_SERIES_IDS 8    /* servers holding one series of a host (an agent that moved between them) */
#define HOST_SERIES_ROWS 2000 /* series of one name looked at for a host */

typedef struct host_series {
    char *name, *labels; /* owned */
    int64_t ids[HOST_SERIES_IDS];
    size_t nids;
} host_series;

typedef struct host_bucket {
    double sum, n, min, max;
} host_bucket;

/* Reads the label at *p of a series' labels ("{k=\"v\",...}", values escaped as
 * metric_sample_id writes them): its key (k, kl) and its value as written (v, vl), and moves *p
 * past it. false at the end, or where the rest is not of that form. */
static bool label_next(const char **p, const char **k, size_t *kl, const char **v, size_t *vl)
{
    const char *q = *p;
    if (*q == '{' || *q == ',')
        q++;
    const char *eq = strchr(q, '=');
    if (!*q || *q == '}' || !eq || eq[1] != '"')
        return false;
    const char *e = eq + 2;
    while (*e && *e != '"')
        e += *e == '\\' && e[1] ? 2 : 1;
    if (*e != '"')
        return false;
    *k = q;
    *kl = (size_t)(eq - q);
    *v = eq + 2;
    *vl = (size_t)(e - *v);
    *p = e + 1;
    return true;
}

static bool is(const char *s, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(s, want, n) == 0;
}

/* Whether a series is the host's: an agent's last label is host=NAME (the server adds it last),
 * an SNMP device's first is device=NAME, a server's own have no host label. (host has nothing
 * label escaping would change.) */
static bool series_of(store_host_kind kind, const char *labels, const char *host)
{
    const char *p = labels, *k, *v;
    size_t kl, vl;
    bool first = true, last_is = false;
    while (label_next(&p, &k, &kl, &v, &vl)) {
        bool host_label = is(k, kl, "host");
        if (kind == STORE_HOST_DEVICE)
            return first && is(k, kl, "device") && is(v, vl, host);
        if (kind == STORE_HOST_SERVER && host_label)
            return false;
        last_is = host_label && is(v, vl, host);
        first = false;
    }
    return kind == STORE_HOST_AGENT ? last_is && strcmp(p, "}") == 0 : kind == STORE_HOST_SERVER;
}

/* Writes a series' labels as a JSON object of their keys and (unescaped) values. */
static void labels_json(kw_json *j, const char *labels)
{
    kw_json_obj_begin(j);
    const char *p = labels, *k, *v;
    size_t kl, vl;
    kw_buf u;
    kw_buf_init(&u, 4096);
    while (label_next(&p, &k, &kl, &v, &vl)) {
        kw_buf_reset(&u);
        for (size_t i = 0; i < vl; i++) {
            char c = v[i];
            if (c == '\\' && i + 1 < vl)
                c = v[++i] == 'n' ? '\n' : v[i];
            kw_buf_putc(&u, c);
        }
        kw_json_keyn(j, k, kl);
        kw_json_strn(j, u.data ? u.data : "", u.len);
    }
    kw_buf_free(&u);
    kw_json_obj_end(j);
}

/* host inside a LIKE pattern (ESCAPE '!'), between before and after. */
static void like_pattern(kw_buf *out, const char *before, const char *host, const char *after)
{
    kw_buf_puts(out, before);
    for (const char *p = host; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '!')
            kw_buf_putc(out, '!');
        kw_buf_putc(out, *p);
    }
    kw_buf_puts(out, after);
}

/* Adds the host's series of one name to *v (sorted by labels; one entry for the rows of
 * several servers). KW_ERR_FULL: past max of them. */
static kw_rc host_series_find(kw_store *s, store_host_kind kind, const char *host, const char *name, host_series **v,
                              size_t *n, size_t *cap, size_t max)
{
    kw_buf pat;
    kw_buf_init(&pat, 512);
    db_stmt *st;
    if (kind == STORE_HOST_SERVER) {
        st = store_stmt(s, "SELECT id, labels FROM metric_series WHERE name = ?1 AND server = ?2"
                           " ORDER BY labels LIMIT 2000");
        if (st)
            db_bind_text(st, 2, host ? host : s->server);
    } else {
        st = store_stmt(s, "SELECT id, labels FROM metric_series WHERE name = ?1 AND labels LIKE ?2 ESCAPE '!'"
                           " ORDER BY labels, server LIMIT 2000");
        if (kind == STORE_HOST_AGENT)
            like_pattern(&pat, "%host=\"", host, "\"}");
        else
            like_pattern(&pat, "{device=\"", host, "\"%");
        if (st)
            db_bind_text(st, 2, kw_buf_cstr(&pat));
    }
    if (!st) {
        kw_buf_free(&pat);
        return KW_ERR_STORE;
    }
    db_bind_text(st, 1, name);
    kw_rc rc = KW_OK;
    int step;
    const char *who = kind == STORE_HOST_SERVER ? (host ? host : s->server) : host;
    while ((step = db_step(st)) == DB_ROW) {
        const char *labels = db_col_text(st, 1);
        labels = labels ? labels : "";
        if (!series_of(kind, labels, who))
            continue;
        host_series *last = *n ? &(*v)[*n - 1] : NULL;
        if (last && strcmp(last->name, name) == 0 && strcmp(last->labels, labels) == 0) {
            if (last->nids < HOST_SERIES_IDS)
                last->ids[last->nids++] = db_col_int64(st, 0);
            continue;
        }
        if (*n >= max) {
            rc = KW_ERR_FULL;
            break;
        }
        kw_grow(v, cap, *n + 1, sizeof **v);
        host_series *x = &(*v)[(*n)++];
        x->name = kw_strdup(name);
        x->labels = kw_strdup(labels);
        x->ids[0] = db_col_int64(st, 0);
        x->nids = 1;
    }
    if (step != DB_ROW && step != DB_DONE) {
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
        rc = KW_ERR_STORE;
    }
    db_reset(st);
    kw_buf_free(&pat);
    return rc;
}

/* Adds the rows of series id in [from, to] to the buckets of step ms from base. */
static kw_rc host_buckets_fill(kw_store *s, int64_t id, int64_t from_ms, int64_t to_ms, int64_t step, int64_t base,
                               host_bucket *b, size_t nb, int *resolution)
{
    int r;
    db_stmt *q = resolution_stmt(s, id, from_ms, to_ms, step, &r);
    if (!q)
        return KW_ERR_STORE;
    if (*resolution < 0)
        *resolution = r;
    int rc;
    while ((rc = db_step(q)) == DB_ROW) {
        int64_t at = db_col_int64(q, 0);
        if (at < base || (at - base) / step >= (int64_t)nb)
            continue;
        host_bucket *x = &b[(at - base) / step];
        double sum = db_col_double(q, 1), n = db_col_double(q, 2), lo = db_col_double(q, 3), hi = db_col_double(q, 4);
        if (!(n > 0))
            continue;
        if (!(x->n > 0) || lo < x->min)
            x->min = lo;
        if (!(x->n > 0) || hi > x->max)
            x->max = hi;
        x->sum += sum;
        x->n += n;
    }
    if (rc != DB_DONE)
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    db_reset(q);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_metric_host_json(kw_store *s, store_host_kind kind, const char *host, const char *const *names,
                             size_t nnames, int64_t from_ms, int64_t to_ms, int max_points, size_t max_series,
                             kw_buf *out)
{
    if ((kind != STORE_HOST_SERVER && (!host || !*host)) || (host && strpbrk(host, "\"\\\n")) || from_ms < 0 ||
        to_ms <= from_ms || max_points < 1 || max_series < 1)
        return KW_ERR_RANGE;
    host_series *v = NULL;
    size_t n = 0, cap = 0;
    kw_rc rc = KW_OK;
    bool truncated = false;
    for (size_t i = 0; i < nnames && rc == KW_OK; i++)
        rc = host_series_find(s, kind, host, names[i], &v, &n, &cap, max_series);
    if (rc == KW_ERR_FULL) {
        truncated = true;
        rc = KW_OK;
    }
    int64_t step = (to_ms - from_ms + max_points - 1) / max_points;
    step = step < 1000 ? 1000 : step;
    int64_t base = from_ms / step * step;
    size_t nb = (size_t)((to_ms / step * step - base) / step + 1);
    host_bucket *b = kw_calloc(nb, sizeof *b);
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "from_ms", from_ms);
    kw_json_kv_int(&j, "to_ms", to_ms);
    kw_json_kv_int(&j, "step_ms", step);
    kw_json_kv_bool(&j, "truncated", truncated);
    kw_json_key(&j, "series");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < n && rc == KW_OK; i++) {
        memset(b, 0, nb * sizeof *b);
        int resolution = -1;
        for (size_t k = 0; k < v[i].nids && rc == KW_OK; k++)
            rc = host_buckets_fill(s, v[i].ids[k], from_ms, to_ms, step, base, b, nb, &resolution);
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", v[i].name);
        kw_json_key(&j, "labels");
        labels_json(&j, v[i].labels);
        kw_json_kv_str(&j, "resolution", res[resolution < 0 ? 0 : resolution].name);
        kw_json_key(&j, "points");
        kw_json_arr_begin(&j);
        for (size_t k = 0; k < nb; k++) {
            if (!(b[k].n > 0))
                continue;
            kw_json_arr_begin(&j);
            kw_json_int(&j, base + (int64_t)k * step);
            kw_json_num(&j, b[k].sum / b[k].n);
            kw_json_num(&j, b[k].min);
            kw_json_num(&j, b[k].max);
            kw_json_arr_end(&j);
        }
        kw_json_arr_end(&j);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    free(b);
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].labels);
    }
    free(v);
    return rc;
}

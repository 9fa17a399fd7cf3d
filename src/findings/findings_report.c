/* The remediation plan and the progress figures (findings_report.h), for the commands and the
 * API alike: the plan is the active findings highest risk first, grouped by owner (the owner
 * with the riskiest finding first); the stats count findings per severity and per department
 * in each state, and the burndown counts what was still to fix at the end of each day. */
#include "findings/findings_report.h"
#include "core/kw_json.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "store/store_findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

/* ---- the plan ---- */

typedef struct plan_row {
    int64_t id, due_ms;
    double risk;
    int severity;
    char *asset, *vuln_id, *title, *place, *status;
} plan_row;

typedef struct plan_group {
    char *owner, *department;
    plan_row *v;
    size_t n, cap;
    int64_t total, overdue; /* of the owner's findings, shown or not */
} plan_group;

typedef struct plan {
    kw_map by_owner; /* owner -> index + 1 */
    plan_group *g;
    size_t ng, capg;
    int64_t total, overdue, shown;
    int64_t now;
} plan;

/* The owners come first, the owner of the riskiest finding first, with their counts. */
static void plan_owner(void *arg, const char *owner, int64_t n, int64_t overdue)
{
    plan *p = arg;
    const char *key = owner ? owner : "";
    kw_grow(&p->g, &p->capg, p->ng + 1, sizeof *p->g);
    p->g[p->ng] = (plan_group){.owner = kw_strdup(key), .total = n, .overdue = overdue};
    kw_map_put(&p->by_owner, key, (void *)(uintptr_t)++p->ng);
    p->total += n;
    p->overdue += overdue;
}

static void plan_add(void *arg, const store_finding *f)
{
    plan *p = arg;
    uintptr_t at = (uintptr_t)kw_map_get(&p->by_owner, f->owner);
    if (!at) /* an owner since the counts were taken (another writer): the next plan has it */
        return;
    plan_group *g = &p->g[at - 1];
    if (!g->department && f->department[0]) /* the department of the owner's riskiest */
        g->department = kw_strdup(f->department);
    kw_grow(&g->v, &g->cap, g->n + 1, sizeof *g->v);
    g->v[g->n++] = (plan_row){
        .id = f->id, .due_ms = f->due_ms, .risk = f->risk, .severity = f->severity, .asset = kw_strdup(f->asset),
        .vuln_id = kw_strdup(f->vuln_id), .title = kw_strdup(f->title), .place = kw_strdup(f->place),
        .status = kw_strdup(f->status),
    };
    p->shown++;
}

static void plan_free(plan *p)
{
    for (size_t i = 0; i < p->ng; i++) {
        plan_group *g = &p->g[i];
        for (size_t k = 0; k < g->n; k++) {
            free(g->v[k].asset);
            free(g->v[k].vuln_id);
            free(g->v[k].title);
            free(g->v[k].place);
            free(g->v[k].status);
        }
        free(g->v);
        free(g->owner);
        free(g->department);
    }
    free(p->g);
    kw_map_free(&p->by_owner);
}

static void due_text(char *out, size_t n, int64_t due, int64_t now, int tz_min)
{
    if (!due) {
        snprintf(out, n, "-");
        return;
    }
    char t[40];
    kw_time_iso8601(due + (int64_t)tz_min * 60000, t, sizeof t);
    int64_t left = due - now;
    long long days = (long long)((left >= 0 ? left : -left) / DAY_MS);
    long long hours = (long long)(((left >= 0 ? left : -left) % DAY_MS) / 3600000);
    snprintf(out, n, "%.10s %.5s (%s%lldd%lldh)", t, t + 11, left < 0 ? "late " : "", days, hours);
}

static void plan_text(const plan *p, kw_buf *b, int tz_min)
{
    kw_buf_printf(b, "Remediation plan: %lld finding%s to fix, %lld overdue; highest risk first, by owner\n",
                  (long long)p->total, p->total == 1 ? "" : "s", (long long)p->overdue);
    for (size_t i = 0; i < p->ng; i++) {
        const plan_group *g = &p->g[i];
        char more[64] = "";
        if ((int64_t)g->n < g->total)
            snprintf(more, sizeof more, " (the riskiest %zu shown)", g->n);
        kw_buf_printf(b, "\n== %s%s%s%s: %lld finding%s, %lld overdue%s\n", g->owner[0] ? g->owner : "(unassigned)",
                      g->department ? " (" : "", g->department ? g->department : "", g->department ? ")" : "",
                      (long long)g->total, g->total == 1 ? "" : "s", (long long)g->overdue, more);
        kw_buf_printf(b, "  %5s  %-8s  %-27s  %-8s  %s\n", "RISK", "SEVERITY", "DUE", "ID", "FINDING");
        for (size_t k = 0; k < g->n; k++) {
            const plan_row *r = &g->v[k];
            char due[64], id[24];
            due_text(due, sizeof due, r->due_ms, p->now, tz_min);
            snprintf(id, sizeof id, "#%lld", (long long)r->id);
            char state[40] = "";
            if (strcmp(r->status, "open") != 0)
                snprintf(state, sizeof state, " [%s]", r->status);
            kw_buf_printf(b, "  %5.1f  %-8s  %-27s  %-8s  %s on %s%s%s: %s%s\n", r->risk,
                          finding_sev_name((finding_sev)r->severity), due, id, r->vuln_id, r->asset,
                          r->place[0] ? " " : "", r->place, r->title, state);
        }
    }
}

static void plan_json(const plan *p, kw_buf *b)
{
    kw_json j;
    kw_json_init(&j, b);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "total", p->total);
    kw_json_kv_int(&j, "overdue", p->overdue);
    kw_json_key(&j, "owners");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < p->ng; i++) {
        const plan_group *g = &p->g[i];
        kw_json_obj_begin(&j);
        if (g->owner[0])
            kw_json_kv_str(&j, "owner", g->owner);
        else
            kw_json_kv_str(&j, "owner", NULL);
        kw_json_kv_str(&j, "department", g->department);
        kw_json_kv_int(&j, "total", g->total);
        kw_json_kv_int(&j, "overdue", g->overdue);
        kw_json_key(&j, "findings");
        kw_json_arr_begin(&j);
        for (size_t k = 0; k < g->n; k++) {
            const plan_row *r = &g->v[k];
            kw_json_obj_begin(&j);
            kw_json_kv_int(&j, "id", r->id);
            kw_json_kv_num(&j, "risk", r->risk);
            kw_json_kv_str(&j, "severity", finding_sev_name((finding_sev)r->severity));
            kw_json_kv_str(&j, "status", r->status);
            if (r->due_ms)
                kw_json_kv_time(&j, "due", r->due_ms);
            kw_json_kv_bool(&j, "overdue", r->due_ms && r->due_ms < p->now);
            kw_json_kv_str(&j, "vulnerability.id", r->vuln_id);
            kw_json_kv_str(&j, "asset", r->asset);
            kw_json_kv_str(&j, "place", r->place);
            kw_json_kv_str(&j, "title", r->title);
            kw_json_obj_end(&j);
        }
        kw_json_arr_end(&j);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
}

kw_rc findings_plan(kw_store *s, const store_findings_query *q, int64_t now_ms, int tz_min, bool json, int per_owner,
                    kw_buf *out)
{
    plan p = {.now = now_ms};
    kw_map_init(&p.by_owner);
    store_findings_query sel = *q;
    sel.now_ms = now_ms;
    kw_rc rc = store_begin_read(s); /* the counts and the rows of one snapshot */
    bool own = rc == KW_OK;
    if (rc == KW_OK)
        rc = store_findings_owners_each(s, &sel, plan_owner, &p);
    if (rc == KW_OK)
        rc = store_findings_top_each(s, &sel, per_owner, plan_add, &p);
    store_release(s);
    if (own)
        store_commit(s);
    if (rc == KW_OK) {
        if (json)
            plan_json(&p, out);
        else
            plan_text(&p, out, tz_min);
    }
    plan_free(&p);
    return rc;
}

/* ---- stats ---- */

/* The columns: the statuses in finding_status order, then overdue. */
enum { COL_OVERDUE = FST_COUNT, NCOL };
static const char *const col_names[NCOL] = {"open",     "assigned", "fixing",         "fixed",  "verified",
                                            "reopened", "accepted", "false_positive", "overdue"};

typedef struct dept_row {
    char *name;
    int64_t c[NCOL];
} dept_row;

typedef struct stats {
    int64_t sev[5][NCOL];
    dept_row *d;
    size_t nd, capd;
    kw_map by_dept;
    int64_t now;
    /* burndown */
    int64_t from, days;
    int64_t *active, *found, *resolved;
} stats;

static void stats_add(void *arg, int severity, const char *status, const char *department, int64_t n,
                      int64_t overdue)
{
    stats *x = arg;
    finding_status st = FST_OPEN;
    finding_status_parse(status, &st);
    int col = (int)st; /* the first eight columns are the statuses in finding_status order */
    int sev = severity >= 0 && severity <= 4 ? severity : 0;
    const char *key = department ? department : "";
    uintptr_t at = (uintptr_t)kw_map_get(&x->by_dept, key);
    if (!at) {
        kw_grow(&x->d, &x->capd, x->nd + 1, sizeof *x->d);
        x->d[x->nd] = (dept_row){.name = kw_strdup(key)};
        kw_map_put(&x->by_dept, key, (void *)(uintptr_t)++x->nd);
        at = x->nd;
    }
    dept_row *d = &x->d[at - 1];
    x->sev[sev][col] += n;
    d->c[col] += n;
    x->sev[sev][COL_OVERDUE] += overdue;
    d->c[COL_OVERDUE] += overdue;
}

static void burn_add(void *arg, int severity, int64_t first_ms, int64_t resolved_ms)
{
    stats *x = arg;
    for (int64_t d = 0; d < x->days; d++) {
        int64_t end = x->from + (d + 1) * DAY_MS, start = end - DAY_MS;
        if (first_ms < end && (!resolved_ms || resolved_ms >= end))
            x->active[d]++;
        x->found[d] += first_ms >= start && first_ms < end;
        x->resolved[d] += resolved_ms >= start && resolved_ms < end;
    }
}

static void counts_json(kw_json *j, const int64_t c[NCOL])
{
    kw_json_obj_begin(j);
    for (int k = 0; k < NCOL; k++)
        kw_json_kv_int(j, col_names[k], c[k]);
    kw_json_obj_end(j);
}

static void stats_json(const stats *x, kw_buf *b)
{
    kw_json j;
    kw_json_init(&j, b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "by_severity");
    kw_json_obj_begin(&j);
    for (int s = 4; s >= 0; s--) {
        kw_json_key(&j, finding_sev_name((finding_sev)s));
        counts_json(&j, x->sev[s]);
    }
    kw_json_obj_end(&j);
    kw_json_key(&j, "by_department");
    kw_json_obj_begin(&j);
    for (size_t i = 0; i < x->nd; i++) {
        kw_json_key(&j, x->d[i].name[0] ? x->d[i].name : "(none)");
        counts_json(&j, x->d[i].c);
    }
    kw_json_obj_end(&j);
    kw_json_key(&j, "burndown");
    kw_json_arr_begin(&j);
    for (int64_t d = 0; d < x->days; d++) {
        char t[40];
        kw_time_iso8601(x->from + d * DAY_MS, t, sizeof t);
        t[10] = '\0';
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "date", t);
        kw_json_kv_int(&j, "active", x->active[d]);
        kw_json_kv_int(&j, "found", x->found[d]);
        kw_json_kv_int(&j, "resolved", x->resolved[d]);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
}

static void row_text(kw_buf *b, const char *name, const int64_t c[NCOL])
{
    kw_buf_printf(b, "%-16s", name);
    for (int k = 0; k < NCOL; k++)
        kw_buf_printf(b, " %9lld", (long long)c[k]);
    kw_buf_append(b, "\n", 1);
}

static void stats_text(const stats *x, kw_buf *b)
{
    kw_buf_printf(b, "%-16s", "SEVERITY");
    for (int k = 0; k < NCOL; k++)
        kw_buf_printf(b, " %9.9s", col_names[k]);
    kw_buf_append(b, "\n", 1);
    for (int s = 4; s >= 0; s--)
        row_text(b, finding_sev_name((finding_sev)s), x->sev[s]);
    kw_buf_printf(b, "\n%-16s", "DEPARTMENT");
    for (int k = 0; k < NCOL; k++)
        kw_buf_printf(b, " %9.9s", col_names[k]);
    kw_buf_append(b, "\n", 1);
    for (size_t i = 0; i < x->nd; i++)
        row_text(b, x->d[i].name[0] ? x->d[i].name : "(none)", x->d[i].c);
    kw_buf_printf(b, "\nBURNDOWN (still to fix at the end of each day)\n%-10s %8s %8s %8s\n", "DATE", "ACTIVE",
                  "FOUND", "RESOLVED");
    for (int64_t d = 0; d < x->days; d++) {
        char t[40];
        kw_time_iso8601(x->from + d * DAY_MS, t, sizeof t);
        kw_buf_printf(b, "%.10s %8lld %8lld %8lld\n", t, (long long)x->active[d], (long long)x->found[d],
                      (long long)x->resolved[d]);
    }
}

kw_rc findings_stats(kw_store *s, const conf *c, int64_t now_ms, int days, bool json, kw_buf *out)
{
    stats x = {.now = now_ms};
    kw_map_init(&x.by_dept);
    /* the burndown covers the protection period so far, else the last `days` days (UTC days) */
    int64_t today = now_ms / DAY_MS * DAY_MS;
    if (c && c->period.start_ms > 0 && c->period.start_ms <= now_ms) {
        x.from = c->period.start_ms / DAY_MS * DAY_MS;
        int64_t last = c->period.end_ms > 0 && c->period.end_ms < now_ms ? c->period.end_ms : now_ms;
        x.days = (last / DAY_MS * DAY_MS - x.from) / DAY_MS + 1;
    } else {
        x.days = days > 0 ? days : 30;
        x.from = today - (x.days - 1) * DAY_MS;
    }
    if (x.days > 366)
        x.days = 366;
    x.active = kw_calloc((size_t)x.days, sizeof *x.active);
    x.found = kw_calloc((size_t)x.days, sizeof *x.found);
    x.resolved = kw_calloc((size_t)x.days, sizeof *x.resolved);
    kw_rc rc = store_begin_read(s); /* the counts and the burndown of one snapshot */
    bool own = rc == KW_OK;
    if (rc == KW_OK)
        rc = store_findings_counts_each(s, now_ms, stats_add, &x);
    if (rc == KW_OK)
        rc = store_findings_times_each(s, burn_add, &x);
    store_release(s);
    if (own)
        store_commit(s);
    if (rc == KW_OK) {
        if (json)
            stats_json(&x, out);
        else
            stats_text(&x, out);
    }
    for (size_t i = 0; i < x.nd; i++)
        free(x.d[i].name);
    free(x.d);
    kw_map_free(&x.by_dept);
    free(x.active);
    free(x.found);
    free(x.resolved);
    return rc;
}

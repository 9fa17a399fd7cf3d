/* keepwatch oncall now|shifts: who is on duty, from the configuration's schedules. */
#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "logs/logs.h"
#include "oncall/oncall.h"
#include "store/store.h"

#include <getopt.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char oncall_usage[] =
    "usage: keepwatch oncall now [--json] [--at TIME] [-c FILE]\n"
    "       keepwatch oncall shifts [--schedule NAME] [--from TIME] [--to TIME] [--json] [-c FILE]\n"
    "       keepwatch oncall stats [--from TIME] [--to TIME] [--json] [-c FILE]\n"
    "\n"
    "now     who is on duty in each schedule, until when, and who is next\n"
    "shifts  the shifts of every schedule (or one) between two times (default: the next 7 days)\n"
    "stats   for alerts that started between two times (default: the last 30 days), the mean\n"
    "        time to acknowledge (MTTA, of those a person acknowledged) and to resolve (MTTR),\n"
    "        in all, per severity, per person who acknowledged, and per that person's department\n"
    "\n"
    "Schedules are layers of rotations (daily, weekly or custom shift lengths from a start day\n"
    "and handoff time, in the schedule's zone), restricted to days and hours if need be; a later\n"
    "layer wins where it has someone, a period_only layer applies during the protection period,\n"
    "and overrides win over all. TIME is now, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][zone]\n"
    "(local time when no zone is given).\n"
    "\n"
    "exit status: 0, or 1 for now when some schedule has nobody on duty, 2 for bad usage.\n";

/* "2026-11-24 09:00 +08:00": in the schedule's zone, as people read it. */
static void fmt_time(int64_t ms, int32_t tz, char *out, size_t n)
{
    char iso[40];
    kw_time_iso8601(ms + (int64_t)tz * 60000, iso, sizeof iso);
    int a = tz < 0 ? -tz : tz;
    snprintf(out, n, "%.10s %.5s %c%02d:%02d", iso, iso + 11, tz < 0 ? '-' : '+', a / 60, a % 60);
}

static const char *display_of(const conf *c, const char *person)
{
    const conf_person *p = person ? conf_person_find(c, person) : NULL;
    return p && p->display ? p->display : person ? person : "-";
}

static void json_person(kw_json *j, const conf *c, const char *key, const oncall_shift *sh, int32_t tz)
{
    kw_json_key(j, key);
    if (!sh->person) {
        kw_json_null(j);
        return;
    }
    const conf_person *p = conf_person_find(c, sh->person);
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "person", sh->person);
    if (p && p->display)
        kw_json_kv_str(j, "display", p->display);
    if (p && p->phone)
        kw_json_kv_str(j, "phone", p->phone);
    if (p && p->email)
        kw_json_kv_str(j, "email", p->email);
    kw_json_kv_str(j, "layer", sh->layer);
    kw_json_kv_time(j, "start", sh->start_ms);
    kw_json_kv_time(j, "end", sh->end_ms);
    kw_json_obj_end(j);
}

static int cmd_now(const conf *c, bool json, int64_t t)
{
    cli_listing out;
    cli_listing_begin(&out, json, "%-20s %-16s %-18s %-24s %s\n", "SCHEDULE", "ON DUTY", "PHONE", "UNTIL", "NEXT");
    int status = KW_EXIT_OK;
    for (size_t i = 0; i < c->schedules.n; i++) {
        const conf_schedule *s = CONF_AT(c->schedules, conf_schedule, i);
        oncall_shift now, next;
        bool on = oncall_at(c, s, t, &now, &next);
        if (!on)
            status = KW_EXIT_PROBLEM;
        if (json) {
            kw_json_obj_begin(&out.j);
            kw_json_kv_str(&out.j, "schedule", s->name);
            json_person(&out.j, c, "on_duty", &now, s->tz_min);
            json_person(&out.j, c, "next", &next, s->tz_min);
            kw_json_obj_end(&out.j);
            continue;
        }
        char until[48] = "-";
        if (on)
            fmt_time(now.end_ms, s->tz_min, until, sizeof until);
        const conf_person *p = on ? conf_person_find(c, now.person) : NULL;
        cli_put_col(&out.b, s->name, 20);
        cli_put_col(&out.b, on ? display_of(c, now.person) : "(nobody)", 16);
        cli_put_col(&out.b, p && p->phone ? p->phone : "-", 18);
        cli_put_col(&out.b, until, 24);
        kw_buf_printf(&out.b, "%s\n", next.person ? display_of(c, next.person) : "-");
    }
    cli_listing_end(&out, c->schedules.n, NULL);
    return status;
}

static int cmd_shifts(const conf *c, bool json, const char *only, int64_t from, int64_t to)
{
    cli_listing out;
    cli_listing_begin(&out, json, "%-20s %-24s %-24s %-16s %s\n", "SCHEDULE", "FROM", "TO", "ON DUTY", "LAYER");
    size_t found = 0;
    for (size_t i = 0; i < c->schedules.n; i++) {
        const conf_schedule *s = CONF_AT(c->schedules, conf_schedule, i);
        if (only && strcmp(only, s->name) != 0)
            continue;
        found++;
        oncall_shifts sh = {0};
        oncall_schedule_shifts(c, s, from, to, &sh);
        for (size_t k = 0; k < sh.n; k++) {
            if (json) {
                kw_json_obj_begin(&out.j);
                kw_json_kv_str(&out.j, "schedule", s->name);
                kw_json_kv_str(&out.j, "person", sh.v[k].person);
                kw_json_kv_str(&out.j, "layer", sh.v[k].layer);
                kw_json_kv_time(&out.j, "start", sh.v[k].start_ms);
                kw_json_kv_time(&out.j, "end", sh.v[k].end_ms);
                kw_json_obj_end(&out.j);
                continue;
            }
            char a[48], e[48];
            fmt_time(sh.v[k].start_ms, s->tz_min, a, sizeof a);
            fmt_time(sh.v[k].end_ms, s->tz_min, e, sizeof e);
            cli_put_col(&out.b, s->name, 20);
            cli_put_col(&out.b, a, 24);
            cli_put_col(&out.b, e, 24);
            cli_put_col(&out.b, display_of(c, sh.v[k].person), 16);
            kw_buf_printf(&out.b, "%s\n", sh.v[k].layer);
        }
        oncall_shifts_free(&sh);
    }
    cli_listing_end(&out, found, NULL);
    if (only && !found) {
        fprintf(stderr, "keepwatch oncall: no schedule named \"%s\"\n", only);
        return KW_EXIT_USAGE;
    }
    return KW_EXIT_OK;
}

/* ---- stats ---- */

typedef struct stat_row {
    const char *by;
    char name[96];
    uint64_t alerts, acked, resolved;
    double ack_sum_s, res_sum_s;
} stat_row;

typedef struct {
    const conf *c;
    stat_row *v;
    size_t n, cap;
} stats_ctx;

static stat_row *row_of(stats_ctx *x, const char *by, const char *name)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i].by == by && !strcmp(x->v[i].name, name))
            return &x->v[i];
    kw_grow(&x->v, &x->cap, x->n + 1, sizeof *x->v);
    stat_row *r = &x->v[x->n++];
    memset(r, 0, sizeof *r);
    r->by = by;
    snprintf(r->name, sizeof r->name, "%s", name);
    return r;
}

static void row_add(stat_row *r, const store_alert_times *t)
{
    r->alerts++;
    if (t->acked_ms >= t->started_ms && t->acked_ms > 0) {
        r->acked++;
        r->ack_sum_s += (double)(t->acked_ms - t->started_ms) / 1000.0;
    }
    if (t->resolved_ms >= t->started_ms && t->resolved_ms > 0) {
        r->resolved++;
        r->res_sum_s += (double)(t->resolved_ms - t->started_ms) / 1000.0;
    }
}

static void stats_one(void *arg, const store_alert_times *t)
{
    stats_ctx *x = arg;
    row_add(row_of(x, "all", "-"), t);
    row_add(row_of(x, "severity", kw_severity_name(t->severity)), t);
    const char *who = t->acked_by ? t->acked_by : "(nobody)";
    row_add(row_of(x, "person", who), t);
    const conf_person *p = t->acked_by ? conf_person_find(x->c, t->acked_by) : NULL;
    if (p && p->departments.n)
        for (size_t i = 0; i < p->departments.n; i++)
            row_add(row_of(x, "department", p->departments.v[i]), t);
    else
        row_add(row_of(x, "department", "(none)"), t);
}

static int cmd_stats(const conf *c, const char *cfg_path, bool json, int64_t from, int64_t to)
{
    kw_store *s = cli_store_open(cfg_path, "oncall", true);
    if (!s)
        return KW_EXIT_USAGE;
    stats_ctx x = {c};
    kw_rc rc = store_alert_times_each(s, from, to, stats_one, &x);
    store_close(s);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch oncall stats: cannot read the alerts\n");
        free(x.v);
        return KW_EXIT_USAGE;
    }
    cli_listing out;
    cli_listing_begin(&out, json, "%-11s %-20s %7s %7s %10s %9s %10s\n", "BY", "NAME", "ALERTS", "ACKED", "MTTA",
                  "RESOLVED", "MTTR");
    for (size_t i = 0; i < x.n; i++) {
        const stat_row *r = &x.v[i];
        double mtta = r->acked ? r->ack_sum_s / (double)r->acked : NAN, mttr = r->resolved ? r->res_sum_s / (double)r->resolved : NAN;
        if (json) {
            kw_json_obj_begin(&out.j);
            kw_json_kv_str(&out.j, "by", r->by);
            kw_json_kv_str(&out.j, "name", r->name);
            kw_json_kv_int(&out.j, "alerts", (int64_t)r->alerts);
            kw_json_kv_int(&out.j, "acknowledged", (int64_t)r->acked);
            kw_json_kv_num(&out.j, "mtta_seconds", mtta);
            kw_json_kv_int(&out.j, "resolved", (int64_t)r->resolved);
            kw_json_kv_num(&out.j, "mttr_seconds", mttr);
            kw_json_obj_end(&out.j);
            continue;
        }
        char a[32] = "-", m[32] = "-";
        if (r->acked)
            kw_duration_format((int64_t)(mtta * 1000), a, sizeof a);
        if (r->resolved)
            kw_duration_format((int64_t)(mttr * 1000), m, sizeof m);
        kw_buf_printf(&out.b, "%-11s ", r->by);
        cli_put_col(&out.b, r->name, 20);
        kw_buf_printf(&out.b, "%7llu %7llu %10s %9llu %10s\n", (unsigned long long)r->alerts, (unsigned long long)r->acked, a,
                      (unsigned long long)r->resolved, m);
    }
    cli_listing_end(&out, x.n, "no alerts started in that time\n");
    free(x.v);
    return KW_EXIT_OK;
}

int cli_oncall(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(oncall_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    bool now = !strcmp(argv[1], "now"), shifts = !strcmp(argv[1], "shifts"), stats = !strcmp(argv[1], "stats");
    if (!now && !shifts && !stats) {
        fprintf(stderr, "keepwatch oncall: unknown command \"%s\"\n\n%s", argv[1], oncall_usage);
        return KW_EXIT_USAGE;
    }
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},          {"config", required_argument, NULL, 'c'},
                                         {"at", required_argument, NULL, 'a'},      {"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},      {"schedule", required_argument, NULL, 's'},
                                         {0}};
    bool json = false;
    const char *cfg = NULL, *only = NULL;
    int64_t t = kw_now_ms(), from = t, to = -1;
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        int64_t *dst = ch == 'a' ? &t : ch == 'f' ? &from : ch == 't' ? &to : NULL;
        if (ch == 'j')
            json = true;
        else if (ch == 'c')
            cfg = optarg;
        else if (ch == 's')
            only = optarg;
        else if (dst) {
            if (!cli_parse_time(optarg, dst)) {
                fprintf(stderr, "keepwatch oncall: \"%s\" is not a time (now, 2026-11-24, 2026-11-24T09:00)\n", optarg);
                return KW_EXIT_USAGE;
            }
        } else {
            fputs(oncall_usage, stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (stats && from == t && to < 0) { /* stats look back: the last 30 days */
        to = t + 1;
        from = t - 30 * 86400000LL;
    }
    if (to < 0)
        to = from + 7 * 86400000LL;
    if (to <= from) {
        fprintf(stderr, "keepwatch oncall: --to must come after --from\n");
        return KW_EXIT_USAGE;
    }
    if (!stats && to - from > 400LL * 86400000) {
        fprintf(stderr, "keepwatch oncall: at most 400 days at a time\n");
        return KW_EXIT_USAGE;
    }
    conf *c = cli_conf_load(cli_conf_path(cfg));
    if (!c)
        return KW_EXIT_USAGE;
    if (stats) {
        int rc = cmd_stats(c, cfg, json, from, to);
        conf_free(c);
        return rc;
    }
    if (!c->schedules.n) {
        fprintf(stderr, "keepwatch oncall: no schedules in the configuration (schedules:)\n");
        conf_free(c);
        return KW_EXIT_USAGE;
    }
    int rc = now ? cmd_now(c, json, t) : cmd_shifts(c, json, only, from, to);
    conf_free(c);
    return rc;
}

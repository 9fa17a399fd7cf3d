/* keepwatch drill list|check|run|stop|mark|results|show (cli.h): the scenarios, a run requested
 * through the store and followed until the leading daemon has scored it, its results. */
#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_file.h"
#include "core/kw_time.h"
#include "drill/drill_conf.h"
#include "drill/drill_findings.h"
#include "drill/drill_inject.h"
#include "drill/drill_mark.h"
#include "drill/drill_score.h"
#include "store/store_drill.h"
#include "store/store_findings.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char drill_usage[] =
    "usage: keepwatch drill list [--json]\n"
    "       keepwatch drill check [FILE]\n"
    "       keepwatch drill run SCENARIO [--dry-run] [--no-wait] [--by NAME]\n"
    "       keepwatch drill stop [ID]\n"
    "       keepwatch drill mark ID STAGE [--by NAME] [--note TEXT]\n"
    "       keepwatch drill results [--scenario S] [--json]\n"
    "       keepwatch drill show ID [--json]\n"
    "       keepwatch drill findings ID\n"
    "  Drills rehearse an incident through the real sensors (replayed captures, log lines, a\n"
    "  check forced down, a synthetic alert) or as a tabletop exercise, and score the response:\n"
    "  each stage's measured time beside its target, who responded, the weak spots.\n"
    "  run asks the leading daemon to run SCENARIO and follows it (--no-wait prints its id);\n"
    "  --dry-run prints its timeline and expectations. STAGE: detected, notified, acked,\n"
    "  declared or step:NAME. findings makes each weak spot of run ID a finding (category\n"
    "  drill) with an owner and a due date. Options: -c FILE. Exit status: 0 ok, 1 a run scored with weak\n"
    "  spots or check found errors, 2 bad usage.\n";

typedef struct drill_opts {
    const char *cfg, *by, *note, *scenario;
    bool dry, no_wait, json;
    const char *args[3];
    int nargs;
} drill_opts;

static int parse(int argc, char **argv, drill_opts *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "-c") && more)
            o->cfg = argv[++i];
        else if (!strcmp(a, "--by") && more)
            o->by = argv[++i];
        else if (!strcmp(a, "--note") && more)
            o->note = argv[++i];
        else if (!strcmp(a, "--scenario") && more)
            o->scenario = argv[++i];
        else if (!strcmp(a, "--dry-run"))
            o->dry = true;
        else if (!strcmp(a, "--no-wait"))
            o->no_wait = true;
        else if (!strcmp(a, "--json"))
            o->json = true;
        else if (a[0] == '-' || o->nargs == 3) {
            fprintf(stderr, "keepwatch drill: unexpected \"%s\"\n%s", a, drill_usage);
            return KW_EXIT_USAGE;
        } else
            o->args[o->nargs++] = a;
    }
    return -1;
}

static const char *kind_name(int k)
{
    static const char *const n[] = {"?", "replay", "log", "check", "alert"};
    return n[k >= 1 && k <= 4 ? k : 0];
}

static int cmd_list(const conf *c, drill_opts *o)
{
    if (o->json) {
        kw_buf b;
        kw_buf_init(&b, 0);
        drill_conf_scenarios_json(c, &b);
        printf("%s\n", kw_buf_cstr(&b));
        kw_buf_free(&b);
        return KW_EXIT_OK;
    }
    for (size_t i = 0; i < c->drill.scenarios.n; i++) {
        const conf_drill_scenario *s = CONF_AT(c->drill.scenarios, conf_drill_scenario, i);
        printf("%-22s %-9s %-10s %s / %s\n", s->name, s->tabletop ? "tabletop" : "injected",
               s->origin && strcmp(s->origin, "built-in") == 0 ? "built-in" : "configured", s->title ? s->title : "",
               s->title_zh ? s->title_zh : "");
    }
    return KW_EXIT_OK;
}

static int cmd_check(conf *c, drill_opts *o)
{
    if (!o->nargs) {
        printf("%zu scenarios: OK\n", c->drill.scenarios.n);
        return KW_EXIT_OK;
    }
    kw_buf b;
    if (kw_file_read(o->args[0], 1u << 20, &b) != KW_OK) {
        fprintf(stderr, "keepwatch drill check: cannot read %s\n", o->args[0]);
        return KW_EXIT_USAGE;
    }
    conf_errors errs = {0};
    kw_rc rc = drill_conf_load_text(c, o->args[0], b.data ? b.data : "", b.len, false, &errs);
    for (size_t i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.v[i]);
    conf_errors_free(&errs);
    kw_buf_free(&b);
    if (rc == KW_OK)
        printf("%s: OK\n", o->args[0]);
    return rc == KW_OK ? KW_EXIT_OK : KW_EXIT_PROBLEM;
}

static void dur(int64_t ms, char *out, size_t n) { drill_score_dur(ms, false, out, n); }

static int dry_run(const conf *c, const conf_drill_scenario *s)
{
    char d[48];
    dur(s->duration_ms, d, sizeof d);
    printf("drill %s (%s), %s%s\n", s->name, s->title ? s->title : "", d, s->surprise ? ", unannounced" : "");
    for (size_t i = 0; i < s->inject.n; i++) {
        const conf_drill_inject *x = CONF_AT(s->inject, conf_drill_inject, i);
        kw_buf b;
        kw_buf_init(&b, 65536);
        char err[256] = "";
        if (x->kind == DRILL_INJ_ALERT)
            kw_buf_printf(&b, "a synthetic %s alert (%s)", x->rule, x->summary ? x->summary : "no summary");
        else if (drill_inject_plan(c, x, "en", &b, err, sizeof err) != KW_OK)
            kw_buf_printf(&b, " (cannot run here: %s)", err);
        dur(x->at_ms, d, sizeof d);
        printf("  +%-8s %-7s %s\n", d, kind_name(x->kind), kw_buf_cstr(&b));
        kw_buf_free(&b);
    }
    if (s->tabletop)
        printf("  tabletop: the stages are what people mark (keepwatch drill mark ID STAGE)\n");
    const conf_drill_expect *e = &s->expect;
    const struct { const char *what; int64_t ms; } t[] = {
        {"detected", e->detected_ms}, {"notified", e->notified_ms}, {"acked", e->acked_ms},
        {"declared", e->declared_ms}};
    printf("expected:\n");
    for (size_t i = 0; i < 4; i++)
        if (t[i].ms) {
            dur(t[i].ms, d, sizeof d);
            printf("  %-9s within %s\n", t[i].what, d);
        }
    if (e->playbook)
        printf("  playbook  %s%s\n", e->playbook, e->steps_on_time ? ", each step on time" : "");
    for (size_t i = 0; i < e->told.n; i++)
        printf("  told      %s\n", e->told.v[i]);
    return KW_EXIT_OK;
}

static void print_stages(json_t *run)
{
    json_t *v;
    size_t i;
    printf("  %-28s %-10s %-10s %s\n", "stage", "target", "measured", "");
    json_array_foreach(json_object_get(run, "stages"), i, v) {
        char t[48] = "-", m[48] = "never";
        json_t *ts = json_object_get(v, "target_s"), *ms = json_object_get(v, "measured_s");
        if (json_is_integer(ts))
            dur(json_integer_value(ts) * 1000, t, sizeof t);
        if (json_is_integer(ms))
            dur(json_integer_value(ms) * 1000, m, sizeof m);
        const char *who = json_string_value(json_object_get(v, "who"));
        printf("  %-28s %-10s %-10s %s%s%s\n", json_string_value(json_object_get(v, "stage")), t, m,
               json_is_true(json_object_get(v, "ok")) ? "ok" : "MISSED", who ? "  " : "", who ? who : "");
    }
}

static int show_run(json_t *run)
{
    json_t *score = json_object_get(run, "score"), *v;
    size_t i, nweak = json_array_size(json_object_get(run, "weak"));
    printf("drill #%lld %s: %s", (long long)json_integer_value(json_object_get(run, "id")),
           json_string_value(json_object_get(run, "scenario")), json_string_value(json_object_get(run, "state")));
    if (json_is_integer(score))
        printf(", score %lld", (long long)json_integer_value(score));
    printf("\n");
    print_stages(run);
    json_array_foreach(json_object_get(run, "responders"), i, v)
        printf("  responder %s (%s): %s\n", json_string_value(json_object_get(v, "name")),
               json_string_value(json_object_get(v, "department")) ? json_string_value(json_object_get(v, "department")) : "-",
               json_is_true(json_object_get(v, "acted")) ? "acted" : "did not act");
    json_array_foreach(json_object_get(run, "injections"), i, v) {
        const char *err = json_string_value(json_object_get(v, "error"));
        printf("  injection %zu %s: %s%s%s\n", i + 1, json_string_value(json_object_get(v, "kind")),
               json_string_value(json_object_get(v, "state")), err ? ": " : "", err ? err : "");
    }
    if (nweak)
        printf("weak spots:\n");
    json_array_foreach(json_object_get(run, "weak"), i, v)
        printf("  - %s / %s\n", json_string_value(json_object_get(v, "text")),
               json_string_value(json_object_get(v, "text_zh")));
    return nweak ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

static json_t *run_get(kw_store *s, int64_t id)
{
    kw_buf b;
    kw_buf_init(&b, (size_t)16 << 20);
    json_t *r = store_drill_run_json(s, id, &b) == KW_OK ? json_loads(kw_buf_cstr(&b), 0, NULL) : NULL;
    kw_buf_free(&b);
    return r;
}

/* Follows run id until it is scored: progress on a terminal, quiet when piped. */
static int follow(kw_store *s, int64_t id)
{
    bool tty = isatty(STDERR_FILENO);
    for (int waited = 0;; waited++) {
        json_t *r = run_get(s, id);
        const char *st = r ? json_string_value(json_object_get(r, "state")) : NULL;
        if (!st) {
            json_decref(r);
            fprintf(stderr, "keepwatch drill: run #%lld: %s\n", (long long)id, store_errmsg(s));
            return KW_EXIT_USAGE;
        }
        if (strcmp(st, "requested") && strcmp(st, "running") && strcmp(st, "scoring")) {
            int rc = show_run(r);
            json_decref(r);
            return rc;
        }
        if (waited == 10 && !strcmp(st, "requested"))
            fprintf(stderr, "keepwatch drill: no daemon is leading yet; run #%lld waits for one (Ctrl-C leaves it "
                            "requested)\n", (long long)id);
        else if (tty && waited % 5 == 0)
            fprintf(stderr, "drill #%lld: %s\n", (long long)id, st);
        json_decref(r);
        sleep(1);
    }
}

static int cmd_run(const conf *c, kw_store *s, drill_opts *o)
{
    const conf_drill_scenario *sc = o->nargs ? drill_conf_find(c, o->args[0]) : NULL;
    if (!sc) {
        fprintf(stderr, "keepwatch drill run: %s (keepwatch drill list)\n", o->nargs ? "no such scenario" : "which scenario");
        return KW_EXIT_USAGE;
    }
    if (o->dry)
        return dry_run(c, sc);
    char who[128];
    int64_t id;
    if (store_drill_request(s, sc->name, sc->title, sc->title_zh, sc->tabletop, sc->surprise,
                            o->by ? o->by : cli_whoami(who, sizeof who), kw_now_ms(), &id) != KW_OK) {
        fprintf(stderr, "keepwatch drill run: %s\n", store_errmsg(s));
        return KW_EXIT_USAGE;
    }
    if (o->no_wait) {
        printf("%lld\n", (long long)id);
        return KW_EXIT_OK;
    }
    return follow(s, id);
}

static int64_t id_arg(const drill_opts *o, int i)
{
    char *end;
    long long v = i < o->nargs ? strtoll(o->args[i], &end, 10) : 0;
    return i < o->nargs && !*end && v > 0 ? v : 0;
}

static int cmd_stop(kw_store *s, drill_opts *o)
{
    int64_t id = id_arg(o, 0);
    if (!id && (o->nargs || store_drill_current(s, &id) != KW_OK)) {
        fprintf(stderr, "keepwatch drill stop: %s\n", o->nargs ? "ID: a run's number" : "no run in progress");
        return KW_EXIT_USAGE;
    }
    kw_rc rc = store_drill_stop(s, id, kw_now_ms());
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch drill stop: #%lld: %s\n", (long long)id,
                rc == KW_ERR_NOTFOUND ? "not in progress" : store_errmsg(s));
        return KW_EXIT_USAGE;
    }
    printf("drill #%lld: stopping\n", (long long)id);
    return KW_EXIT_OK;
}

static int cmd_mark(kw_store *s, drill_opts *o)
{
    int64_t id = id_arg(o, 0);
    char who[128];
    if (!id || o->nargs < 2 || !drill_mark_stage_ok(o->args[1])) {
        fprintf(stderr, "keepwatch drill mark: ID STAGE (detected, notified, acked, declared or step:NAME)\n");
        return KW_EXIT_USAGE;
    }
    kw_rc rc = store_drill_mark(s, id, o->args[1], o->by ? o->by : cli_whoami(who, sizeof who), o->note, kw_now_ms());
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch drill mark: #%lld: %s\n", (long long)id,
                rc == KW_ERR_NOTFOUND ? "not running" : store_errmsg(s));
        return KW_EXIT_USAGE;
    }
    printf("drill #%lld: %s marked\n", (long long)id, o->args[1]);
    return KW_EXIT_OK;
}

/* The measured time of stage in run r ("never", "-" when the run has no such stage). */
static void stage_cell(json_t *r, const char *stage, char *out, size_t n)
{
    size_t k;
    json_t *v;
    snprintf(out, n, "-");
    json_array_foreach(json_object_get(r, "stages"), k, v) {
        const char *name = json_string_value(json_object_get(v, "stage"));
        json_t *ms = json_object_get(v, "measured_s");
        if (!name || strcmp(name, stage) != 0)
            continue;
        if (json_is_integer(ms))
            drill_score_dur(json_integer_value(ms) * 1000, false, out, n);
        else
            snprintf(out, n, "never");
    }
}

/* One scenario's runs side by side, oldest first: the score and each stage's measured time
 * (the stages of the newest run with any, their targets in the header). */
static void compare_table(json_t *runs)
{
    json_t *ref = NULL, *r, *v;
    size_t i, k;
    json_array_foreach(runs, i, r)
        if (!ref && json_array_size(json_object_get(r, "stages")))
            ref = r;
    printf("%-7s %-11s %-6s", "run", "started", "score");
    json_array_foreach(ref ? json_object_get(ref, "stages") : NULL, k, v) {
        char t[48] = "-", head[96];
        json_t *ts = json_object_get(v, "target_s");
        if (json_is_integer(ts))
            drill_score_dur(json_integer_value(ts) * 1000, false, t, sizeof t);
        snprintf(head, sizeof head, "%s(%s)", json_string_value(json_object_get(v, "stage")), t);
        printf(" %-18s", head);
    }
    printf("\n");
    for (i = json_array_size(runs); i-- > 0;) {
        r = json_array_get(runs, i);
        json_t *score = json_object_get(r, "score");
        const char *started = json_string_value(json_object_get(r, "started"));
        char sc[16] = "-";
        if (json_is_integer(score))
            snprintf(sc, sizeof sc, "%lld", (long long)json_integer_value(score));
        printf("#%-6lld %-11.10s %-6s", (long long)json_integer_value(json_object_get(r, "id")), started ? started : "-",
               sc);
        json_array_foreach(ref ? json_object_get(ref, "stages") : NULL, k, v) {
            char cell[48];
            stage_cell(r, json_string_value(json_object_get(v, "stage")), cell, sizeof cell);
            printf(" %-18s", cell);
        }
        printf("\n");
    }
}

static int cmd_results(kw_store *s, drill_opts *o)
{
    kw_buf b;
    kw_buf_init(&b, (size_t)64 << 20);
    if (store_drill_runs_query(s, o->scenario, 0, &b) != KW_OK) {
        fprintf(stderr, "keepwatch drill results: %s\n", store_errmsg(s));
        kw_buf_free(&b);
        return KW_EXIT_USAGE;
    }
    if (o->json) {
        printf("%s\n", kw_buf_cstr(&b));
        kw_buf_free(&b);
        return KW_EXIT_OK;
    }
    json_t *runs = json_loads(kw_buf_cstr(&b), 0, NULL), *r, *v;
    kw_buf_free(&b);
    if (o->scenario) {
        compare_table(runs);
        json_decref(runs);
        return KW_EXIT_OK;
    }
    size_t i, k;
    json_array_foreach(runs, i, r) {
        json_t *score = json_object_get(r, "score");
        char sc[16] = "-";
        if (json_is_integer(score))
            snprintf(sc, sizeof sc, "%lld", (long long)json_integer_value(score));
        const char *started = json_string_value(json_object_get(r, "started"));
        printf("#%-5lld %-20s %-9s %-24s score %-4s", (long long)json_integer_value(json_object_get(r, "id")),
               json_string_value(json_object_get(r, "scenario")), json_string_value(json_object_get(r, "state")),
               started ? started : "-", sc);
        json_array_foreach(json_object_get(r, "stages"), k, v) {
            json_t *ms = json_object_get(v, "measured_s");
            char m[48] = "never";
            if (json_is_integer(ms))
                dur(json_integer_value(ms) * 1000, m, sizeof m);
            printf("  %s %s", json_string_value(json_object_get(v, "stage")), m);
        }
        printf("\n");
    }
    json_decref(runs);
    return KW_EXIT_OK;
}

static int cmd_show(kw_store *s, drill_opts *o)
{
    int64_t id = id_arg(o, 0);
    if (!id) {
        fprintf(stderr, "keepwatch drill show: ID\n");
        return KW_EXIT_USAGE;
    }
    if (o->json) {
        kw_buf b;
        kw_buf_init(&b, (size_t)16 << 20);
        kw_rc rc = store_drill_run_json(s, id, &b);
        if (rc == KW_OK)
            printf("%s\n", kw_buf_cstr(&b));
        else
            fprintf(stderr, "keepwatch drill show: #%lld: %s\n", (long long)id, rc == KW_ERR_NOTFOUND ? "no such run" : store_errmsg(s));
        kw_buf_free(&b);
        return rc == KW_OK ? KW_EXIT_OK : KW_EXIT_USAGE;
    }
    json_t *r = run_get(s, id);
    if (!r) {
        fprintf(stderr, "keepwatch drill show: #%lld: no such run\n", (long long)id);
        return KW_EXIT_USAGE;
    }
    int rc = show_run(r);
    json_decref(r);
    return rc;
}

static int cmd_findings(const conf *c, kw_store *s, drill_opts *o)
{
    int64_t id = id_arg(o, 0);
    char who[128];
    if (!id) {
        fprintf(stderr, "keepwatch drill findings: ID\n");
        return KW_EXIT_USAGE;
    }
    if (store_findings_migrate(s) != KW_OK) {
        fprintf(stderr, "keepwatch drill findings: the findings tables: %s\n", store_errmsg(s));
        return KW_EXIT_USAGE;
    }
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    kw_rc rc = drill_findings_make(s, c, id, o->by ? o->by : cli_whoami(who, sizeof who), kw_now_ms(), &b);
    if (rc == KW_OK)
        printf("%s\n", kw_buf_cstr(&b));
    else
        fprintf(stderr, "keepwatch drill findings: #%lld: %s\n", (long long)id,
                rc == KW_ERR_NOTFOUND ? "no such run" : rc == KW_ERR_RANGE ? "not scored yet" : store_errmsg(s));
    kw_buf_free(&b);
    return rc == KW_OK ? KW_EXIT_OK : KW_EXIT_USAGE;
}

static int with_store(conf *c, drill_opts *o, const char *verb)
{
    bool writes = !strcmp(verb, "run") || !strcmp(verb, "stop") || !strcmp(verb, "mark") || !strcmp(verb, "findings");
    kw_store *s = cli_store_open(o->cfg, "drill", !writes);
    if (!s)
        return KW_EXIT_USAGE;
    int rc = KW_EXIT_USAGE;
    if (store_drill_migrate(s) != KW_OK)
        fprintf(stderr, "keepwatch drill: the drill tables: %s\n", store_errmsg(s));
    else if (!strcmp(verb, "run"))
        rc = cmd_run(c, s, o);
    else if (!strcmp(verb, "stop"))
        rc = cmd_stop(s, o);
    else if (!strcmp(verb, "mark"))
        rc = cmd_mark(s, o);
    else if (!strcmp(verb, "findings"))
        rc = cmd_findings(c, s, o);
    else if (!strcmp(verb, "results"))
        rc = cmd_results(s, o);
    else
        rc = cmd_show(s, o);
    store_close(s);
    return rc;
}

int cli_drill(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(drill_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    static const char *const verbs[] = {"list", "check", "run", "stop", "mark", "results", "show", "findings", NULL};
    const char *verb = argv[1];
    size_t v = 0;
    while (verbs[v] && strcmp(verbs[v], verb) != 0)
        v++;
    if (!verbs[v]) {
        fprintf(stderr, "keepwatch drill: unknown command \"%s\"\n%s", verb, drill_usage);
        return KW_EXIT_USAGE;
    }
    drill_opts o = {0};
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    conf *c = cli_conf_load(cli_conf_path(o.cfg));
    if (!c)
        return !strcmp(verb, "check") ? KW_EXIT_PROBLEM : KW_EXIT_USAGE;
    if (!strcmp(verb, "list"))
        rc = cmd_list(c, &o);
    else if (!strcmp(verb, "check"))
        rc = cmd_check(c, &o);
    else if (!strcmp(verb, "run") && o.dry)
        rc = cmd_run(c, NULL, &o);
    else
        rc = with_store(c, &o, verb);
    conf_free(c);
    return rc;
}

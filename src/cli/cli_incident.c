/* keepwatch incident open|list|show|step|assign|grade|note|attach|close|stats|playbook: incidents
 * run from the configuration's playbooks (src/incident/), on the store, without a daemon; and
 * report, the incident's record as a document (incident_report.h).
 * `playbook check|show|list` is cli_incident_playbook's (cli_incident_playbook.c), handed argv
 * from "playbook" on; this file keeps `playbook history`. The human output is in Chinese or English as notify.language says. */
#include "cli/cli.h"
#include "core/kw_time.h"
#include "incident/incident_class.h"
#include "incident/incident_ops.h"
#include "incident/incident_plan.h"
#include "incident/incident_report.h"
#include "store/store_incident.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char incident_usage[] =
    "usage: keepwatch incident open --playbook NAME [--grade G] [--title T] [--summary S] [--systems S]\n"
    "                               [--found TIME] [--alert ID]... [--drill] [--by NAME]\n"
    "       keepwatch incident list [--state open|closed|all] [--playbook P] [--json]\n"
    "       keepwatch incident show ID [--timeline] [--json]\n"
    "       keepwatch incident step done ID STEP [--note T]\n"
    "       keepwatch incident step skip ID STEP --reason T\n"
    "       keepwatch incident assign ID STEP TARGET\n"
    "       keepwatch incident grade ID G [--reason T]\n"
    "       keepwatch incident note ID TEXT\n"
    "       keepwatch incident attach ID ALERT\n"
    "       keepwatch incident close ID --cause T --impact T --lessons T [--proposal T]\n"
    "       keepwatch incident report ID [--for WHO] [--format md|html|pdf] [--lang zh|en] [-o FILE]\n"
    "       keepwatch incident stats [--since D] [--json]\n"
    "       keepwatch incident playbook history [NAME] [--json]\n"
    "       keepwatch incident playbook check|show|list ...\n"
    "\n"
    "An incident is declared from a playbook (incident.playbooks, incident.playbook_dir): its\n"
    "steps become tasks with owners resolved at the declaration (duty: who is on duty in\n"
    "incident.duty_schedule now; a department or kind with nobody in it falls back to the duty\n"
    "officer, and the fallback is recorded) and due times (the step's `within` after the\n"
    "declaration; a regulator report's deadline from incident.reporting for incident.org_type,\n"
    "counted from when the incident was found: --found, else the first --alert's start). Steps\n"
    "that do not apply at the grade are n/a; `grade` re-plans. A step is done or skipped once; a\n"
    "step whose `needs` are still pending is refused (skip them first). `close` takes the review:\n"
    "the cause, the impact and the lessons; a --proposal for the playbook goes into its history.\n"
    "After close only notes are taken. `report` renders the incident's record as the document a\n"
    "report step hands in (Chinese unless --lang en or notify.language: en): --for regulator\n"
    "(default: 网络安全事件报告, with the deadline to report by), security or operations (with the\n"
    "alerts and the timeline), business or customer_service (what users notice, what to tell\n"
    "them), management; Markdown on stdout by default, PDF only into -o FILE.\n"
    "Every change is a timeline event and a duty-log entry\n"
    "(`keepwatch duty verify` covers them); `show --timeline` is the review record.\n"
    "\n"
    "G is I, II, III or IV (Ⅰ 特别重大 .. Ⅳ 一般). TARGET is a person's name, duty, person:NAME,\n"
    "role:ROLE, department:NAME, head:DEPT, kind:KIND or schedule:NAME. TIME is YYYY-MM-DD,\n"
    "YYYY-MM-DDTHH:MM[:SS][zone] or now; D is such a time or a duration back from now (30d).\n"
    "--by names who acts (default: the login name). assign refuses a target naming nobody who\n"
    "exists (an unknown person, department, schedule or role). Every command takes -c FILE.\n"
    "Exit: 0 ok, 1 refused (unknown incident or step, double completion, a step needed first,\n"
    "a closed incident) or the store failed, 2 bad usage or input.\n";

#define MAX_ALERTS 64

typedef struct inc_opts {
    const char *cfg, *playbook, *title, *summary, *systems, *by, *note, *reason, *state;
    const char *cause, *impact, *lessons, *proposal;
    const char *audience, *format, *lang, *output;
    int grade;
    int64_t found_ms, since_ms;
    int64_t alerts[MAX_ALERTS];
    size_t nalerts;
    bool drill, json, timeline;
    int npos;
    char *pos[4];       /* the positional arguments after the verb */
} inc_opts;

static int usage_fail(const char *msg)
{
    fprintf(stderr, "keepwatch incident: %s\n%s", msg, incident_usage);
    return KW_EXIT_USAGE;
}

static bool parse_id(const char *s, int64_t *id)
{
    char *end = NULL;
    long long v = strtoll(s ? s : "", &end, 10);
    if (s && s[0] == '#')
        v = strtoll(s + 1, &end, 10);
    *id = v;
    return end && !*end && v > 0;
}

/* D: a time cli_parse_time reads, or a duration back from now. */
static bool parse_since(const char *s, int64_t *ms)
{
    char err[128];
    int64_t d;
    if (kw_duration_parse(s, &d, err, sizeof err) == KW_OK) {
        *ms = kw_now_ms() - d;
        return true;
    }
    return cli_parse_time(s, ms);
}

static int parse_opt(int ch, inc_opts *o)
{
    switch (ch) {
    case 'c': o->cfg = optarg; break;
    case 'p': o->playbook = optarg; break;
    case 'g':
        if (!(o->grade = incident_grade_parse(optarg)))
            return usage_fail("--grade takes I, II, III or IV");
        break;
    case 't': o->title = optarg; break;
    case 's': o->summary = optarg; break;
    case 'S': o->systems = optarg; break;
    case 'f':
        if (!cli_parse_time(optarg, &o->found_ms))
            return usage_fail("--found takes YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][zone] or now");
        break;
    case 'a':
        if (o->nalerts == MAX_ALERTS || !parse_id(optarg, &o->alerts[o->nalerts]))
            return usage_fail("--alert takes an alert id (at most 64 of them)");
        o->nalerts++;
        break;
    case 'd': o->drill = true; break;
    case 'b': o->by = optarg; break;
    case 'j': o->json = true; break;
    case 'T': o->timeline = true; break;
    case 'n': o->note = optarg; break;
    case 'r': o->reason = optarg; break;
    case 'x': o->state = optarg; break;
    case 'C': o->cause = optarg; break;
    case 'I': o->impact = optarg; break;
    case 'L': o->lessons = optarg; break;
    case 'P': o->proposal = optarg; break;
    case 'F': o->audience = optarg; break;
    case 'M': o->format = optarg; break;
    case 'G': o->lang = optarg; break;
    case 'o': o->output = optarg; break;
    case 'y':
        if (!parse_since(optarg, &o->since_ms))
            return usage_fail("--since takes a time or a duration (30d)");
        break;
    default: fputs(incident_usage, stderr); return KW_EXIT_USAGE;
    }
    return -1;
}

/* Reads the options from argv[first] on; the rest are positional. -1 when fine, else the exit. */
static int parse_opts(int argc, char **argv, int first, inc_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},  {"playbook", required_argument, NULL, 'p'},
        {"grade", required_argument, NULL, 'g'},   {"title", required_argument, NULL, 't'},
        {"summary", required_argument, NULL, 's'}, {"systems", required_argument, NULL, 'S'},
        {"found", required_argument, NULL, 'f'},   {"alert", required_argument, NULL, 'a'},
        {"drill", no_argument, NULL, 'd'},         {"by", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},          {"timeline", no_argument, NULL, 'T'},
        {"note", required_argument, NULL, 'n'},    {"reason", required_argument, NULL, 'r'},
        {"state", required_argument, NULL, 'x'},   {"cause", required_argument, NULL, 'C'},
        {"impact", required_argument, NULL, 'I'},  {"lessons", required_argument, NULL, 'L'},
        {"proposal", required_argument, NULL, 'P'}, {"since", required_argument, NULL, 'y'},
        {"for", required_argument, NULL, 'F'},     {"format", required_argument, NULL, 'M'},
        {"lang", required_argument, NULL, 'G'},    {"output", required_argument, NULL, 'o'},
        {0},
    };
    int ch;
    optind = first;
    while ((ch = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
        int rc = parse_opt(ch, o);
        if (rc >= 0)
            return rc;
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos == 4)
            return usage_fail("too many arguments");
        o->pos[o->npos++] = argv[i];
    }
    return -1;
}

/* ---- output ---- */

typedef struct out_ctx {
    bool zh;
    int64_t now;
} out_ctx;

#define L(o, en_, zh_) ((o)->zh ? (zh_) : (en_))

static void local_time(int64_t ms, char *out, size_t n)
{
    if (ms <= 0) {
        snprintf(out, n, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

static const char *js(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static int64_t ji(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* A span as people read it: whole minutes from a minute on, else whole seconds. */
static void span(int64_t ms, char *out, size_t n)
{
    ms = ms < 0 ? -ms : ms;
    int64_t unit = ms >= 60000 ? 60000 : 1000;
    kw_duration_format((ms + unit / 2) / unit * unit, out, n);
}

/* "due 10:15 (5m left)", "(12m late)", "done 10:05 (10m early)". */
static void step_clock(const out_ctx *o, json_t *s, kw_buf *b)
{
    int64_t due = ji(s, "due_ms"), done = ji(s, "done_ms");
    char t[32], d[32];
    if (!due) {
        kw_buf_puts(b, L(o, "no deadline", "无时限"));
        return;
    }
    local_time(due, t, sizeof t);
    kw_buf_printf(b, "%s %s", L(o, "due", "时限"), t);
    bool open = !strcmp(js(s, "state"), "pending");
    int64_t ref = open ? o->now : done;
    if (!open && (!done || strcmp(js(s, "state"), "done") != 0))
        return;
    span(ref - due, d, sizeof d);
    if (ref <= due)
        kw_buf_printf(b, " (%s %s)", d, open ? L(o, "left", "剩余") : L(o, "early", "提前"));
    else
        kw_buf_printf(b, " (%s %s)", d, L(o, "late", "超时"));
}

static const char *state_mark(const char *st)
{
    return !strcmp(st, "done") ? "[x]" : !strcmp(st, "skipped") ? "[-]" : !strcmp(st, "na") ? "[ ]n/a" : "[ ]";
}

static const char *phase_label(const out_ctx *o, const char *ph)
{
    return incident_phase_label(ph, o->zh);
}

static void print_step(const out_ctx *o, json_t *s)
{
    kw_buf b;
    kw_buf_init(&b, 1 << 16);
    const char *title = o->zh && *js(s, "title_zh") ? js(s, "title_zh") : js(s, "title");
    kw_buf_printf(&b, "  %-6s %-14s ", state_mark(js(s, "state")), js(s, "name"));
    cli_put_col(&b, title, 36);
    kw_buf_puts(&b, " ");
    cli_put_col(&b, *js(s, "owner") ? js(s, "owner") : L(o, "(nobody)", "(无人)"), 10);
    kw_buf_puts(&b, " ");
    step_clock(o, s, &b);
    if (*js(s, "done_by"))
        kw_buf_printf(&b, "  %s %s", L(o, "by", "由"), js(s, "done_by"));
    if (*js(s, "fallback"))
        kw_buf_printf(&b, "\n         ! %s", js(s, "fallback"));
    if (*js(s, "note"))
        kw_buf_printf(&b, "\n         %s", js(s, "note"));
    puts(kw_buf_cstr(&b));
    kw_buf_free(&b);
}

static void print_header(const out_ctx *o, json_t *inc)
{
    char f[32], d[32], c[32], x[32];
    int g = incident_grade_parse(js(inc, "grade"));
    local_time(ji(inc, "found_ms"), f, sizeof f);
    local_time(ji(inc, "declared_ms"), d, sizeof d);
    local_time(ji(inc, "contained_ms"), c, sizeof c);
    local_time(ji(inc, "closed_ms"), x, sizeof x);
    printf("%s #%lld  %s  [%s]%s\n", L(o, "incident", "事件"), (long long)ji(inc, "id"), js(inc, "title"),
           js(inc, "state"), json_is_true(json_object_get(inc, "drill")) ? L(o, "  (drill)", "  (演练)") : "");
    printf("%s %s %s  %s %s (%s%s%s)  %.16s\n", L(o, "grade", "级别"), incident_grade_roman(g),
           incident_grade_label(g, o->zh), L(o, "playbook", "预案"), js(inc, "playbook"), js(inc, "category"),
           *js(inc, "subcategory") ? "/" : "", js(inc, "subcategory"), js(inc, "playbook_digest"));
    printf("%s %s  %s %s %s %s  %s %s  %s %s\n", L(o, "found", "发现"), f, L(o, "declared", "宣布"), d,
           L(o, "by", "由"), js(inc, "declared_by"), L(o, "contained", "遏制"), c, L(o, "closed", "关闭"), x);
    static const char *const texts[][3] = {{"summary", "summary", "概要"}, {"systems", "systems", "受影响系统"},
                                           {"cause", "cause", "原因"},     {"impact", "impact", "影响"},
                                           {"lessons", "lessons", "经验教训"}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (*js(inc, texts[i][0]))
            printf("%s: %s\n", o->zh ? texts[i][2] : texts[i][1], js(inc, texts[i][0]));
}

static void print_timeline(const out_ctx *o, json_t *doc)
{
    size_t i;
    json_t *e;
    printf("\n%s\n", L(o, "timeline:", "时间线:"));
    json_array_foreach(json_object_get(doc, "timeline"), i, e) {
        char t[32];
        local_time(ji(e, "ts_ms"), t, sizeof t);
        printf("  %s  %-15s %-10s %s\n", t, js(e, "kind"), *js(e, "actor") ? js(e, "actor") : "-", js(e, "text"));
    }
}

static void print_incident(const out_ctx *o, json_t *doc, bool timeline)
{
    print_header(o, json_object_get(doc, "incident"));
    const char *phase = "";
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "steps"), i, s) {
        if (strcmp(js(s, "phase"), phase) != 0) {
            phase = js(s, "phase");
            printf("\n%s\n", phase_label(o, phase));
        }
        print_step(o, s);
    }
    json_t *alerts = json_object_get(doc, "alerts");
    if (json_array_size(alerts))
        printf("\n%s\n", L(o, "alerts:", "告警:"));
    json_array_foreach(alerts, i, s) printf("  #%lld %s %s\n", (long long)ji(s, "alert"), js(s, "rule"),
                                            js(s, "summary"));
    if (timeline)
        print_timeline(o, doc);
}

static void print_list(const out_ctx *o, json_t *doc)
{
    json_t *v = json_object_get(doc, "incidents"), *r;
    size_t i;
    if (!json_array_size(v)) {
        puts(L(o, "no incidents", "没有事件"));
        return;
    }
    static const int widths[] = {6, 7, 5, 14, 7, 17, 0};
    const char *heads[] = {"ID", L(o, "STATE", "状态"), L(o, "GRADE", "级别"), L(o, "PLAYBOOK", "预案"),
                           L(o, "STEPS", "步骤"), L(o, "DECLARED", "宣布时间"), L(o, "TITLE", "标题")};
    kw_buf h;
    kw_buf_init(&h, 4096);
    for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++)
        widths[k] ? cli_put_col(&h, heads[k], widths[k]) : (void)kw_buf_puts(&h, heads[k]);
    puts(kw_buf_cstr(&h));
    kw_buf_free(&h);
    json_array_foreach(v, i, r) {
        char id[24], steps[32], d[32];
        snprintf(id, sizeof id, "#%lld", (long long)ji(r, "id"));
        snprintf(steps, sizeof steps, "%lld/%lld", (long long)ji(r, "steps_finished"), (long long)ji(r, "steps"));
        local_time(ji(r, "declared_ms"), d, sizeof d);
        printf("%-6s %-7s %-5s %-14s %-7s %-17s %s%s\n", id, js(r, "state"), js(r, "grade"), js(r, "playbook"), steps,
               d, js(r, "title"), json_is_true(json_object_get(r, "drill")) ? L(o, " (drill)", " (演练)") : "");
    }
}

static void print_duration(const out_ctx *o, const char *label, json_t *d)
{
    char mean[32], max[32];
    span(ji(d, "mean_ms"), mean, sizeof mean);
    span(ji(d, "max_ms"), max, sizeof max);
    if (!ji(d, "count"))
        printf("  %s: -\n", label);
    else
        printf("  %s: %s %s, %s %s (%lld)\n", label, L(o, "mean", "平均"), mean, L(o, "max", "最长"), max,
               (long long)ji(d, "count"));
}

/* "label: KEY N ...", a GB/T 20986-2023 category with its name when `classes`. */
static void print_counts(const out_ctx *o, const char *label, json_t *m, bool classes)
{
    const char *k;
    json_t *v;
    printf("  %s:", label);
    json_object_foreach(m, k, v) {
        const incident_class *ic = classes ? incident_class_find(k) : NULL;
        printf(" %s%s%s%s %lld", k, ic ? " (" : "", ic ? (o->zh ? ic->name_zh : ic->name_en) : "", ic ? ")" : "",
               (long long)json_integer_value(v));
    }
    printf("%s\n", json_object_size(m) ? "" : " -");
}

static void print_stats_part(const out_ctx *o, const char *title, json_t *p)
{
    printf("%s: %lld\n", title, (long long)ji(p, "count"));
    print_counts(o, L(o, "by state", "按状态"), json_object_get(p, "by_state"), false);
    print_counts(o, L(o, "by category", "按类别"), json_object_get(p, "by_category"), true);
    print_counts(o, L(o, "by grade", "按级别"), json_object_get(p, "by_grade"), false);
    print_duration(o, L(o, "time to declare", "发现到宣布"), json_object_get(p, "time_to_declare"));
    print_duration(o, L(o, "time to contain", "宣布到遏制"), json_object_get(p, "time_to_contain"));
    printf("  %s:\n", L(o, "steps on time per department", "各部门按时完成的步骤"));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(p, "steps_on_time"), k, v) {
        int64_t on = ji(v, "on_time"), all = ji(v, "with_due");
        printf("    %-16s %lld/%lld (%lld%%)\n", k, (long long)on, (long long)all,
               (long long)(all ? on * 100 / all : 0));
    }
}

static void print_stats(const out_ctx *o, json_t *doc)
{
    print_stats_part(o, L(o, "incidents", "事件"), json_object_get(doc, "incidents"));
    print_stats_part(o, L(o, "drills", "演练"), json_object_get(doc, "drills"));
}

static void print_history(const out_ctx *o, json_t *doc)
{
    json_t *v = json_object_get(doc, "history"), *r;
    size_t i;
    if (!json_array_size(v))
        puts(L(o, "no playbook history", "没有预案修订记录"));
    json_array_foreach(v, i, r) {
        char t[32];
        local_time(ji(r, "ts_ms"), t, sizeof t);
        printf("%s  %-12s %-9s %s", t, js(r, "playbook"), js(r, "kind"), *js(r, "actor") ? js(r, "actor") : "-");
        if (ji(r, "incident"))
            printf(" (%s #%lld)", L(o, "incident", "事件"), (long long)ji(r, "incident"));
        printf(": %s\n", js(r, "text"));
    }
}

/* ---- commands ---- */

typedef struct inc_run {
    inc_opts *o;
    conf *c;
    kw_store *s;
    incident_ctx x;
    out_ctx out;
    char who[128];
} inc_run;

/* The exit status of a refused or failed operation, after saying why. */
static int refused(inc_run *r, const char *verb)
{
    fprintf(stderr, "keepwatch incident %s: %s\n", verb, r->x.err[0] ? r->x.err : store_errmsg(r->s));
    switch (r->x.why) {
    case INC_E_BAD_GRADE:
    case INC_E_MISSING:
    case INC_E_UNKNOWN_PLAYBOOK: return KW_EXIT_USAGE;
    default: return KW_EXIT_PROBLEM;
    }
}

typedef void (*print_fn)(const out_ctx *, json_t *);

/* Prints a JSON document as it is (--json) or through fn. */
static int emit(inc_run *r, kw_buf *b, print_fn fn)
{
    if (r->o->json) {
        puts(kw_buf_cstr(b));
        return KW_EXIT_OK;
    }
    json_t *doc = json_loads(kw_buf_cstr(b), 0, NULL);
    if (!doc) {
        fprintf(stderr, "keepwatch incident: the store gave unreadable JSON\n");
        return KW_EXIT_PROBLEM;
    }
    fn(&r->out, doc);
    json_decref(doc);
    return KW_EXIT_OK;
}

static void print_show(const out_ctx *o, json_t *doc)
{
    print_incident(o, doc, false);
}

static void print_show_timeline(const out_ctx *o, json_t *doc)
{
    print_incident(o, doc, true);
}

static int cmd_open(inc_run *r)
{
    inc_opts *o = r->o;
    if (!o->playbook || o->npos)
        return usage_fail("open takes --playbook NAME and no other arguments");
    incident_decl d = {.playbook = o->playbook, .grade = o->grade, .title = o->title, .summary = o->summary,
                       .systems = o->systems, .drill = o->drill, .found_ms = o->found_ms, .alerts = o->alerts,
                       .nalerts = o->nalerts, .zh = r->out.zh};
    int64_t id = 0;
    if (incident_declare(&r->x, &d, &id) != KW_OK)
        return refused(r, "open");
    if (o->json)
        printf("{\"incident\":%lld}\n", (long long)id);
    else
        printf(L(&r->out, "incident #%lld declared from playbook %s\n", "事件 #%lld 已按预案 %s 宣布\n"),
               (long long)id, o->playbook);
    return KW_EXIT_OK;
}

static int cmd_list(inc_run *r)
{
    const char *st = r->o->state ? r->o->state : "open";
    if (strcmp(st, "open") && strcmp(st, "closed") && strcmp(st, "all"))
        return usage_fail("--state takes open, closed or all");
    if (r->o->npos)
        return usage_fail("list takes no arguments");
    store_incident_query q = {.state = strcmp(st, "all") ? st : NULL, .playbook = r->o->playbook, .drill = -1,
                              .limit = 1000};
    kw_buf b;
    kw_buf_init(&b, 0);
    int rc = incident_list_json(&r->x, &q, &b) == KW_OK ? emit(r, &b, print_list) : refused(r, "list");
    kw_buf_free(&b);
    return rc;
}

static int cmd_show(inc_run *r)
{
    int64_t id;
    if (r->o->npos != 1 || !parse_id(r->o->pos[0], &id))
        return usage_fail("show takes an incident id");
    kw_buf b;
    kw_buf_init(&b, 0);
    int rc = incident_get_json(&r->x, id, &b) != KW_OK ? refused(r, "show")
                                                        : emit(r, &b, r->o->timeline ? print_show_timeline : print_show);
    kw_buf_free(&b);
    return rc;
}

/* The report's options checked: its kind and audience, its format and language. */
static int report_opts(inc_run *r, incident_report_in *in)
{
    const inc_opts *o = r->o;
    const char *fmt = o->format ? o->format : "md";
    if (!incident_report_parse_for(o->audience, &in->kind, &in->audience))
        return usage_fail("--for takes regulator, security, operations, business, customer_service or management");
    if (strcmp(fmt, "md") != 0 && strcmp(fmt, "html") != 0 && strcmp(fmt, "pdf") != 0)
        return usage_fail("--format takes md, html or pdf");
    if (!strcmp(fmt, "pdf") && !o->output)
        return usage_fail("a PDF goes into a file: -o FILE");
    if (o->lang && strcmp(o->lang, "zh") != 0 && strcmp(o->lang, "en") != 0)
        return usage_fail("--lang takes zh or en");
    const char *l = o->lang ? o->lang : r->c->notify.language; /* Chinese unless asked otherwise */
    in->lang = l && !strcmp(l, "en") ? DOC_LANG_EN : DOC_LANG_ZH;
    return -1;
}

/* Writes the rendered text to -o FILE or stdout. */
static int report_write(const char *path, const kw_buf *b)
{
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "keepwatch incident report: %s: %s\n", path, strerror(errno));
        return KW_EXIT_PROBLEM;
    }
    bool ok = fwrite(b->data, 1, b->len, f) == b->len;
    ok &= path ? fclose(f) == 0 : fflush(f) == 0;
    if (!ok)
        fprintf(stderr, "keepwatch incident report: cannot write %s\n", path ? path : "stdout");
    return ok ? KW_EXIT_OK : KW_EXIT_PROBLEM;
}

static int cmd_report(inc_run *r)
{
    int64_t id;
    incident_report_in in = {.c = r->c, .now_ms = r->out.now};
    if (r->o->npos != 1 || !parse_id(r->o->pos[0], &id))
        return usage_fail("report takes an incident id");
    int bad = report_opts(r, &in);
    if (bad >= 0)
        return bad;
    kw_buf js, out;
    kw_buf_init(&js, 0);
    kw_buf_init(&out, 0);
    if (incident_get_json(&r->x, id, &js) != KW_OK) {
        kw_buf_free(&js);
        return refused(r, "report");
    }
    in.json = js.data;
    in.len = js.len;
    kw_doc *d = NULL;
    const char *fmt = r->o->format ? r->o->format : "md";
    kw_rc rc = incident_report_build(&in, &d);
    if (rc == KW_OK)
        rc = !strcmp(fmt, "md")   ? doc_render_md(d, in.lang, &out)
             : !strcmp(fmt, "html") ? doc_render_html(d, in.lang, &out)
                                    : doc_render_pdf(d, in.lang, r->o->output, NULL, NULL);
    doc_free(d);
    kw_buf_free(&js);
    int exit = KW_EXIT_OK;
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch incident report: the report could not be made (%s)\n", kw_rc_str(rc));
        exit = KW_EXIT_PROBLEM;
    } else if (strcmp(fmt, "pdf") != 0) {
        exit = report_write(r->o->output, &out);
    }
    kw_buf_free(&out);
    return exit;
}

static int cmd_stats(inc_run *r)
{
    if (r->o->npos)
        return usage_fail("stats takes no arguments");
    kw_buf b;
    kw_buf_init(&b, 0);
    int rc = incident_stats_json(&r->x, r->o->since_ms, &b) == KW_OK ? emit(r, &b, print_stats) : refused(r, "stats");
    kw_buf_free(&b);
    return rc;
}

static int cmd_history(inc_run *r)
{
    if (r->o->npos > 1)
        return usage_fail("playbook history takes at most a playbook's name");
    kw_buf b;
    kw_buf_init(&b, 0);
    int rc = incident_history_json(&r->x, r->o->npos ? r->o->pos[0] : NULL, &b) == KW_OK ? emit(r, &b, print_history)
                                                                                         : refused(r, "playbook history");
    kw_buf_free(&b);
    return rc;
}

/* A change's outcome: the line that says it was done, or the refusal. */
static int changed(inc_run *r, kw_rc rc, const char *verb, int64_t id, const char *what)
{
    if (rc != KW_OK)
        return refused(r, verb);
    printf(L(&r->out, "incident #%lld: %s\n", "事件 #%lld: %s\n"), (long long)id, what);
    return KW_EXIT_OK;
}

static int cmd_step(inc_run *r)
{
    inc_opts *o = r->o;
    int64_t id;
    if (o->npos != 3 || !parse_id(o->pos[1], &id) || (strcmp(o->pos[0], "done") && strcmp(o->pos[0], "skip")))
        return usage_fail("step takes done|skip ID STEP");
    bool skip = !strcmp(o->pos[0], "skip");
    if (skip && !o->reason)
        return usage_fail("step skip takes --reason T");
    kw_rc rc = skip ? incident_step_skip(&r->x, id, o->pos[2], o->reason)
                    : incident_step_done(&r->x, id, o->pos[2], o->note);
    char what[256];
    snprintf(what, sizeof what, "%s %s %s", L(&r->out, "step", "步骤"), o->pos[2],
             skip ? L(&r->out, "skipped", "已跳过") : L(&r->out, "done", "已完成"));
    return changed(r, rc, skip ? "step skip" : "step done", id, what);
}

static int cmd_assign(inc_run *r)
{
    int64_t id;
    if (r->o->npos != 3 || !parse_id(r->o->pos[0], &id))
        return usage_fail("assign takes ID STEP TARGET");
    char what[512];
    snprintf(what, sizeof what, "%s %s -> %s", L(&r->out, "step", "步骤"), r->o->pos[1], r->o->pos[2]);
    return changed(r, incident_assign(&r->x, id, r->o->pos[1], r->o->pos[2]), "assign", id, what);
}

static int cmd_grade(inc_run *r)
{
    int64_t id;
    int g = r->o->npos == 2 ? incident_grade_parse(r->o->pos[1]) : 0;
    if (r->o->npos != 2 || !parse_id(r->o->pos[0], &id))
        return usage_fail("grade takes ID G");
    if (!g)
        return usage_fail("a grade is I, II, III or IV");
    char what[128];
    snprintf(what, sizeof what, "%s %s %s", L(&r->out, "grade", "级别"), incident_grade_roman(g),
             incident_grade_label(g, r->out.zh));
    return changed(r, incident_grade(&r->x, id, g, r->o->reason), "grade", id, what);
}

static int cmd_note(inc_run *r)
{
    int64_t id;
    if (r->o->npos != 2 || !parse_id(r->o->pos[0], &id))
        return usage_fail("note takes ID TEXT");
    return changed(r, incident_note(&r->x, id, r->o->pos[1]), "note", id, L(&r->out, "note added", "已添加备注"));
}

static int cmd_attach(inc_run *r)
{
    int64_t id, alert;
    if (r->o->npos != 2 || !parse_id(r->o->pos[0], &id) || !parse_id(r->o->pos[1], &alert))
        return usage_fail("attach takes ID ALERT");
    bool added = false;
    kw_rc rc = incident_attach(&r->x, id, alert, &added);
    char what[128];
    snprintf(what, sizeof what, added ? L(&r->out, "alert %lld attached", "已关联告警 %lld")
                                      : L(&r->out, "alert %lld was attached already", "告警 %lld 已关联"),
             (long long)alert);
    return changed(r, rc, "attach", id, what);
}

static int cmd_close(inc_run *r)
{
    int64_t id;
    inc_opts *o = r->o;
    if (o->npos != 1 || !parse_id(o->pos[0], &id))
        return usage_fail("close takes ID --cause T --impact T --lessons T");
    incident_review rv = {.cause = o->cause, .impact = o->impact, .lessons = o->lessons, .proposal = o->proposal};
    return changed(r, incident_close(&r->x, id, &rv), "close", id, L(&r->out, "closed", "已关闭"));
}

typedef struct inc_cmd {
    const char *name;
    int (*fn)(inc_run *);
    bool writes;
} inc_cmd;

static const inc_cmd inc_cmds[] = {
    {"open", cmd_open, true},     {"list", cmd_list, false},     {"show", cmd_show, false},
    {"stats", cmd_stats, false},  {"step", cmd_step, true},      {"assign", cmd_assign, true},
    {"grade", cmd_grade, true},   {"note", cmd_note, true},      {"attach", cmd_attach, true},
    {"close", cmd_close, true},   {"history", cmd_history, false}, {"report", cmd_report, false},
};

static int run_cmd(const inc_cmd *cmd, inc_opts *o)
{
    inc_run r = {.o = o};
    r.c = cli_conf_load(cli_conf_path(o->cfg));
    if (!r.c)
        return KW_EXIT_USAGE;
    r.out = (out_ctx){.zh = r.c->notify.language && !strcmp(r.c->notify.language, "zh"), .now = kw_now_ms()};
    r.s = cli_store_open(o->cfg, "incident", !cmd->writes);
    int rc = r.s ? KW_EXIT_PROBLEM : KW_EXIT_USAGE; /* no store: as keepwatch alert says */
    if (r.s && store_incident_migrate(r.s) != KW_OK)
        fprintf(stderr, "keepwatch incident: the incident tables: %s\n", store_errmsg(r.s));
    else if (r.s) {
        r.x = (incident_ctx){.s = r.s, .c = r.c, .now_ms = r.out.now,
                             .actor = o->by ? o->by : cli_whoami(r.who, sizeof r.who)};
        rc = cmd->fn(&r);
    }
    if (r.s)
        store_close(r.s);
    conf_free(r.c);
    return rc;
}

int cli_incident(int argc, char **argv)
{
    bool history = argc >= 3 && !strcmp(argv[1], "playbook") && !strcmp(argv[2], "history");
    if (argc >= 2 && !strcmp(argv[1], "playbook") && !history)
        return cli_incident_playbook(argc - 1, argv + 1);
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(incident_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = history ? "history" : argv[1];
    int first = history ? 3 : 2;
    for (size_t i = 0; i < sizeof inc_cmds / sizeof inc_cmds[0]; i++) {
        if (strcmp(verb, inc_cmds[i].name) != 0 || (!strcmp(verb, "history") && !history))
            continue;
        inc_opts o = {0};
        int rc = parse_opts(argc, argv, first, &o);
        return rc >= 0 ? rc : run_cmd(&inc_cmds[i], &o);
    }
    fprintf(stderr, "keepwatch incident: unknown command \"%s\"\n%s", argv[1], incident_usage);
    return KW_EXIT_USAGE;
}

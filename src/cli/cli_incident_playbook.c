/* keepwatch incident playbook check|show|list: validate the configuration's playbooks and
 * playbook files, print one playbook as a checklist by phase, list them all. */
#include "cli/cli.h"
#include "core/kw_file.h"
#include "core/kw_time.h"
#include "incident/incident_class.h"
#include "incident/incident_conf.h"
#include "incident/incident_pb.h"
#include "incident/incident_plan.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char pb_usage[] =
    "usage: keepwatch incident playbook check [FILE...] [-c FILE]\n"
    "       keepwatch incident playbook show NAME [--json] [--lang zh|en] [-c FILE]\n"
    "       keepwatch incident playbook list [--json] [-c FILE]\n"
    "\n"
    "  check   validate the configuration's playbooks (incident.playbooks, incident.playbook_dir,\n"
    "          the built-in ones) and each FILE given (one playbook per file, read as a\n"
    "          playbook_dir file is); print every problem as FILE:LINE:COLUMN: message;\n"
    "          exit 0 when all are good, 2 when not\n"
    "  show    the plan as a checklist by phase: each step with its owner, deadline (+15m; a\n"
    "          regulator report: its deadline per organisation type and grade from\n"
    "          incident.reporting), what it needs and tells, the grades it applies at; the\n"
    "          grade criteria\n"
    "  list    name, title, GB/T 20986-2023 category, default grade, steps, source\n"
    "\n"
    "  -c, --config FILE   the configuration (default: $KEEPWATCH_CONFIG, else built-in defaults only)\n"
    "  --json              JSON instead of text\n"
    "  --lang zh|en        show: the language of titles and instructions (default: notify.language)\n";

typedef struct pb_opts {
    const char *config;
    bool json;
    const char *lang;
    int first;                  /* argv index of the first operand */
} pb_opts;

static int pb_parse_opts(int argc, char **argv, pb_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
        {"lang", required_argument, NULL, 'l'}, {0}};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (ch == 'c')
            o->config = optarg;
        else if (ch == 'j')
            o->json = true;
        else if (ch == 'l' && (strcmp(optarg, "zh") == 0 || strcmp(optarg, "en") == 0))
            o->lang = optarg;
        else
            return -1;
    }
    o->first = optind;
    return 0;
}

static void print_errors(const conf_errors *e)
{
    for (size_t i = 0; i < e->n; i++)
        fprintf(stderr, "%s\n", e->v[i]);
}

/* Drops the playbook read from path (a playbook_dir file checked again by name). */
static void drop_source(conf *c, const char *path)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (!realpath(path, a))
        return;
    conf_list *l = &c->incident.playbooks;
    for (size_t i = 0; i < l->n; i++) {
        conf_playbook *pb = CONF_AT(*l, conf_playbook, i);
        if (!pb->source || !realpath(pb->source, b) || strcmp(a, b) != 0)
            continue;
        incident_playbook_free(pb);
        memmove(pb, pb + 1, (l->n - i - 1) * sizeof *pb);
        l->n--;
        return;
    }
}

static int pb_check(int argc, char **argv, const pb_opts *o)
{
    conf *c = NULL;
    conf_errors e = {0};
    if (conf_load(cli_conf_path(o->config), &c, &e) != KW_OK) {
        print_errors(&e);
        fprintf(stderr, "keepwatch: %zu error%s in the configuration\n", e.n, e.n == 1 ? "" : "s");
        conf_errors_free(&e);
        return KW_EXIT_USAGE;
    }
    bool unread = false;
    for (int i = o->first; i < argc; i++) {
        drop_source(c, argv[i]);
        kw_buf b;
        kw_rc rc = kw_file_read(argv[i], INCIDENT_PB_MAX_FILE, &b);
        if (rc == KW_OK)
            (void)incident_pb_load_text(c, argv[i], b.data ? b.data : "", b.len, false, &e);
        else
            fprintf(stderr, "%s:1:1: %s\n", argv[i],
                    rc == KW_ERR_FULL ? "a playbook file is at most 1 MiB" : strerror(errno));
        unread |= rc != KW_OK;
        kw_buf_free(&b);
    }
    int files = argc - o->first, st = e.n || unread ? KW_EXIT_USAGE : KW_EXIT_OK;
    print_errors(&e);
    if (st != KW_EXIT_OK)
        fprintf(stderr, "keepwatch: %zu error%s in the playbooks\n", e.n + unread, e.n + unread == 1 ? "" : "s");
    else
        printf("%zu playbook%s good (%d file%s given)\n", c->incident.playbooks.n,
               c->incident.playbooks.n == 1 ? "" : "s", files, files == 1 ? "" : "s");
    conf_errors_free(&e);
    conf_free(c);
    return st;
}

/* ---- show ---- */

static const char *pick(const char *en, const char *zh, bool inzh) { return inzh && zh ? zh : en ? en : zh; }

static size_t pb_steps(const conf_playbook *pb)
{
    size_t n = 0;
    for (size_t p = 0; p < pb->phases.n; p++)
        n += CONF_AT(pb->phases, conf_pb_phase, p)->steps.n;
    return n;
}

/* "I, II, III" for a grade mask; "all" for all four. */
static void grades_text(kw_buf *b, uint8_t mask)
{
    if (mask == 0x0f) {
        kw_buf_puts(b, "all");
        return;
    }
    bool first = true;
    for (int g = INCIDENT_GRADE_MIN; g <= INCIDENT_GRADE_MAX; g++)
        if (mask & (1u << (g - 1))) {
            kw_buf_printf(b, "%s%s", first ? "" : ", ", incident_grade_name(g));
            first = false;
        }
}


/* The grades of mask a reporting row covers (grades 1..min_grade). */
static uint8_t row_mask(const conf_inc_reporting *r, uint8_t mask)
{
    return (uint8_t)(mask & ((1u << r->min_grade) - 1));
}

static void show_regulator_text(kw_buf *b, const conf *c, const conf_pb_step *s, bool zh)
{
    char d[32];
    kw_buf_puts(b, "      regulator deadline:\n");
    for (size_t i = 0; i < c->incident.reporting.n; i++) {
        const conf_inc_reporting *r = CONF_AT(c->incident.reporting, conf_inc_reporting, i);
        uint8_t m = row_mask(r, s->grade_mask);
        kw_duration_format(r->within_ms, d, sizeof d);
        kw_buf_printf(b, "        %s %-12s ", r->org_type == c->incident.org_type ? "*" : " ", incident_org_name(r->org_type));
        if (!m) {
            kw_buf_puts(b, "n/a (the step's grades are below the table's)\n");
            continue;
        }
        kw_buf_printf(b, "+%s at grade ", d);
        grades_text(b, m);
        const char *to = pick(r->to, r->to_zh, zh);
        kw_buf_printf(b, "%s%s\n", to ? ", to " : "", to ? to : "");
    }
}

static void show_strs(kw_buf *b, const char *label, const conf_strs *l)
{
    kw_buf_printf(b, "      %s: ", label);
    for (size_t i = 0; i < l->n; i++)
        kw_buf_printf(b, "%s%s", i ? ", " : "", l->v[i]);
    kw_buf_puts(b, l->n ? "\n" : "-\n");
}

static void show_step_text(kw_buf *b, const conf *c, const conf_pb_step *s, bool zh)
{
    char d[32];
    kw_buf_printf(b, "  [ ] %s: %s\n", s->name, pick(s->title, s->title_zh, zh) ? pick(s->title, s->title_zh, zh) : "");
    kw_buf_printf(b, "      owner: %s", s->owner ? s->owner : "duty");
    if (s->within_ms) {
        kw_duration_format(s->within_ms, d, sizeof d);
        kw_buf_printf(b, "   due: +%s", d);
    }
    kw_buf_puts(b, "   grades: ");
    grades_text(b, s->grade_mask);
    kw_buf_putc(b, '\n');
    if (s->report == PB_REPORT_REGULATOR)
        show_regulator_text(b, c, s, zh);
    else if (s->report == PB_REPORT_DEPARTMENT)
        kw_buf_puts(b, "      prepares: a report to the departments\n");
    show_strs(b, "needs", &s->needs);
    show_strs(b, "tells", &s->tell);
    const char *msg = pick(s->message, s->message_zh, zh), *todo = pick(s->instructions, s->instructions_zh, zh);
    if (msg)
        kw_buf_printf(b, "      message: %s\n", msg);
    if (todo)
        kw_buf_printf(b, "      do: %s\n", todo);
}

static void show_class(kw_buf *b, const char *label, const char *code, bool zh)
{
    const incident_class *k = incident_class_find(code);
    if (code)
        kw_buf_printf(b, "%s: %s%s%s\n", label, code, k ? " " : "", k ? (zh ? k->name_zh : k->name_en) : "");
}

static void show_text(kw_buf *b, const conf *c, const conf_playbook *pb, bool zh)
{
    kw_buf_printf(b, "%s: %s (%s)\n", pb->name, pick(pb->title, pb->title_zh, zh),
                  pb->builtin ? "built-in" : pb->source ? pb->source : "configuration");
    show_class(b, "category", pb->category, zh);
    show_class(b, "sub-category", pb->subcategory, zh);
    kw_buf_printf(b, "default grade: %s %s\n", incident_grade_name(pb->grade), incident_grade_label(pb->grade, zh));
    const char *desc = pick(pb->description, pb->description_zh, zh);
    if (desc)
        kw_buf_printf(b, "%s\n", desc);
    if (pb->grades.n)
        kw_buf_puts(b, "grades:\n");
    for (size_t i = 0; i < pb->grades.n; i++) {
        const conf_pb_grade *g = CONF_AT(pb->grades, conf_pb_grade, i);
        const char *cr = pick(g->criteria, g->criteria_zh, zh);
        kw_buf_printf(b, "  %s %s: %s\n", incident_grade_name(g->grade), incident_grade_label(g->grade, zh),
                      cr ? cr : "");
    }
    for (size_t p = 0; p < pb->phases.n; p++) {
        const conf_pb_phase *ph = CONF_AT(pb->phases, conf_pb_phase, p);
        kw_buf_printf(b, "\n%s\n", incident_phase_names[ph->phase]);
        for (size_t k = 0; k < ph->steps.n; k++)
            show_step_text(b, c, CONF_AT(ph->steps, conf_pb_step, k), zh);
    }
}

static void json_strs(kw_json *j, const char *key, const conf_strs *l)
{
    kw_json_key(j, key);
    kw_json_arr_begin(j);
    for (size_t i = 0; i < l->n; i++)
        kw_json_str(j, l->v[i]);
    kw_json_arr_end(j);
}

static void json_grades(kw_json *j, const char *key, uint8_t mask)
{
    kw_json_key(j, key);
    kw_json_arr_begin(j);
    for (int g = INCIDENT_GRADE_MIN; g <= INCIDENT_GRADE_MAX; g++)
        if (mask & (1u << (g - 1)))
            kw_json_str(j, incident_grade_name(g));
    kw_json_arr_end(j);
}

static void json_step(kw_json *j, const conf *c, const conf_pb_step *s)
{
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "name", s->name);
    kw_json_kv_str_opt(j, "title", s->title);
    kw_json_kv_str_opt(j, "title_zh", s->title_zh);
    kw_json_kv_str_opt(j, "do", s->instructions);
    kw_json_kv_str_opt(j, "do_zh", s->instructions_zh);
    kw_json_kv_str(j, "owner", s->owner ? s->owner : "duty");
    kw_json_key(j, "within_ms");
    if (s->within_ms)
        kw_json_int(j, s->within_ms);
    else
        kw_json_null(j);
    json_strs(j, "needs", &s->needs);
    json_strs(j, "tell", &s->tell);
    kw_json_kv_str_opt(j, "message", s->message);
    kw_json_kv_str_opt(j, "message_zh", s->message_zh);
    kw_json_kv_str(j, "report", incident_report_name(s->report));
    json_grades(j, "grades", s->grade_mask);
    if (s->report == PB_REPORT_REGULATOR) {
        kw_json_key(j, "regulator");
        kw_json_arr_begin(j);
        for (size_t i = 0; i < c->incident.reporting.n; i++) {
            const conf_inc_reporting *r = CONF_AT(c->incident.reporting, conf_inc_reporting, i);
            kw_json_obj_begin(j);
            kw_json_kv_str(j, "org_type", incident_org_name(r->org_type));
            kw_json_kv_bool(j, "ours", r->org_type == c->incident.org_type);
            kw_json_kv_int(j, "within_ms", r->within_ms);
            json_grades(j, "grades", row_mask(r, s->grade_mask));
            kw_json_kv_str_opt(j, "to", r->to);
            kw_json_kv_str_opt(j, "to_zh", r->to_zh);
            kw_json_obj_end(j);
        }
        kw_json_arr_end(j);
    }
    kw_json_obj_end(j);
}

static void json_class(kw_json *j, const char *key, const char *code)
{
    const incident_class *k = incident_class_find(code);
    kw_json_key(j, key);
    if (!code) {
        kw_json_null(j);
        return;
    }
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "code", code);
    kw_json_kv_str_opt(j, "name", k ? k->name_en : NULL);
    kw_json_kv_str_opt(j, "name_zh", k ? k->name_zh : NULL);
    kw_json_obj_end(j);
}

/* The playbook's heading fields, shared by show and list. */
static void json_head(kw_json *j, const conf_playbook *pb)
{
    kw_json_kv_str(j, "name", pb->name);
    kw_json_kv_str_opt(j, "title", pb->title);
    kw_json_kv_str_opt(j, "title_zh", pb->title_zh);
    json_class(j, "category", pb->category);
    json_class(j, "subcategory", pb->subcategory);
    kw_json_kv_str(j, "grade", incident_grade_name(pb->grade));
    kw_json_kv_int(j, "steps", (int64_t)pb_steps(pb));
    kw_json_kv_str(j, "source", pb->builtin ? "built-in" : pb->source ? pb->source : "configuration");
}

static void show_json(kw_json *j, const conf *c, const conf_playbook *pb)
{
    kw_json_obj_begin(j);
    json_head(j, pb);
    kw_json_kv_str_opt(j, "description", pb->description);
    kw_json_kv_str_opt(j, "description_zh", pb->description_zh);
    kw_json_key(j, "grades");
    kw_json_arr_begin(j);
    for (size_t i = 0; i < pb->grades.n; i++) {
        const conf_pb_grade *g = CONF_AT(pb->grades, conf_pb_grade, i);
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "grade", incident_grade_name(g->grade));
        kw_json_kv_str_opt(j, "criteria", g->criteria);
        kw_json_kv_str_opt(j, "criteria_zh", g->criteria_zh);
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
    kw_json_key(j, "phases");
    kw_json_arr_begin(j);
    for (size_t p = 0; p < pb->phases.n; p++) {
        const conf_pb_phase *ph = CONF_AT(pb->phases, conf_pb_phase, p);
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "phase", incident_phase_names[ph->phase]);
        kw_json_key(j, "steps");
        kw_json_arr_begin(j);
        for (size_t k = 0; k < ph->steps.n; k++)
            json_step(j, c, CONF_AT(ph->steps, conf_pb_step, k));
        kw_json_arr_end(j);
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
    kw_json_obj_end(j);
}

static int pb_show(int argc, char **argv, const pb_opts *o)
{
    if (o->first + 1 != argc) {
        fputs(pb_usage, stderr);
        return KW_EXIT_USAGE;
    }
    conf *c = cli_conf_load(cli_conf_path(o->config));
    if (!c)
        return KW_EXIT_USAGE;
    const conf_playbook *pb = incident_pb_find(c, argv[o->first]);
    if (!pb) {
        fprintf(stderr, "keepwatch: no playbook \"%s\" (keepwatch incident playbook list)\n", argv[o->first]);
        conf_free(c);
        return KW_EXIT_USAGE;
    }
    const char *lang = o->lang ? o->lang : c->notify.language;
    kw_buf b;
    kw_buf_init(&b, 0);
    if (o->json) {
        kw_json j;
        kw_json_init(&j, &b);
        show_json(&j, c, pb);
        kw_buf_putc(&b, '\n');
    } else {
        show_text(&b, c, pb, lang && strcmp(lang, "zh") == 0);
    }
    fputs(kw_buf_cstr(&b), stdout);
    kw_buf_free(&b);
    conf_free(c);
    return KW_EXIT_OK;
}

static int pb_list(int argc, char **argv, const pb_opts *o)
{
    if (o->first != argc) {
        fputs(pb_usage, stderr);
        return KW_EXIT_USAGE;
    }
    conf *c = cli_conf_load(cli_conf_path(o->config));
    if (!c)
        return KW_EXIT_USAGE;
    bool zh = c->notify.language && strcmp(c->notify.language, "zh") == 0;
    cli_listing out;
    cli_listing_begin(&out, o->json, "%-20s %-44s %-28s %-5s %5s %s\n", "NAME", "TITLE", "CATEGORY", "GRADE",
                      "STEPS", "SOURCE");
    for (size_t i = 0; i < c->incident.playbooks.n; i++) {
        const conf_playbook *pb = CONF_AT(c->incident.playbooks, conf_playbook, i);
        if (o->json) {
            kw_json_obj_begin(&out.j);
            json_head(&out.j, pb);
            kw_json_obj_end(&out.j);
            continue;
        }
        const incident_class *k = incident_class_find(pb->category);
        char cat[128];
        snprintf(cat, sizeof cat, "%s %s", pb->category ? pb->category : "-", k ? (zh ? k->name_zh : k->name_en) : "");
        cli_put_col(&out.b, pb->name, 20);
        cli_put_col(&out.b, pick(pb->title, pb->title_zh, zh), 44);
        cli_put_col(&out.b, cat, 28);
        kw_buf_printf(&out.b, "%-5s %5zu %s\n", incident_grade_name(pb->grade), pb_steps(pb),
                      pb->builtin ? "built-in" : pb->source ? pb->source : "configuration");
    }
    cli_listing_end(&out, c->incident.playbooks.n, "no playbooks\n");
    conf_free(c);
    return KW_EXIT_OK;
}

int cli_incident_playbook(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(pb_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    pb_opts o = {0};
    if (pb_parse_opts(argc, argv, &o) != 0) {
        fputs(pb_usage, stderr);
        return KW_EXIT_USAGE;
    }
    if (strcmp(argv[1], "check") == 0)
        return pb_check(argc, argv, &o);
    if (strcmp(argv[1], "show") == 0)
        return pb_show(argc, argv, &o);
    if (strcmp(argv[1], "list") == 0)
        return pb_list(argc, argv, &o);
    fprintf(stderr, "keepwatch incident playbook: unknown command \"%s\"\n\n%s", argv[1], pb_usage);
    return KW_EXIT_USAGE;
}

/* drill_conf.c: the configuration's drill: section (its tables, defaults and checks), the
 * built-in scenarios (drills/NAME.yaml, embedded at build time) and drill.scenario_dir, and the
 * cross-check of what the scenarios name (checks, playbooks, participants, departments,
 * watched files, schedule times). A user scenario of a built-in's name replaces it. */
#include "drill/drill_conf.h"
#include "core/kw_buf.h"
#include "core/kw_file.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "incident/incident_conf.h"
#include "incident/incident_pb.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DRILL_MAX_FILES 256
#define DRILL_MAX_FILE (1u << 20)

/* generated from the drills directory by tools/embed_rules.cmake */
extern const char *const drill_embed_names[];
extern const char *const drill_embed_texts[];
extern const size_t drill_embed_lens[];
extern const size_t drill_embed_count;

static const char BUILTIN[] = "built-in";

static const char *const captures[] = {"syn_flood", "udp_reflection", "port_scan", "brute_force", NULL};
static const char *const line_sets[] = {"ssh_brute_force", "web_attack", "firewall_deny", "db_login_failure", "lines",
                                        NULL};

static bool in_names(const char *const *names, const char *s)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return true;
    return false;
}

/* ---- an injection ---- */

static void inject_syslog_check(cf_ctx *ctx, const conf_drill_inject *x, yaml_node_t *node)
{
    const char *s = x->syslog;
    if (strncmp(s, "udp://", 6) != 0 && strncmp(s, "tcp://", 6) != 0)
        cf_error(ctx, cf_find_or(ctx, node, "syslog"), "syslog: expected udp://HOST:PORT or tcp://HOST:PORT");
    else if (!cf_valid_listen(s + 6))
        cf_error(ctx, cf_find_or(ctx, node, "syslog"), "syslog: \"%s\" is not HOST:PORT", s + 6);
}

static void inject_kind_check(cf_ctx *ctx, conf_drill_inject *x, yaml_node_t *node)
{
    if (x->kind == DRILL_INJ_REPLAY) {
        size_t l = strlen(x->replay);
        if (!in_names(captures, x->replay) && x->replay[0] != '/' && !(l > 5 && strcmp(x->replay + l - 5, ".pcap") == 0))
            cf_error(ctx, cf_find_or(ctx, node, "replay"), "replay: \"%s\" is neither a built-in capture (syn_flood, "
                     "udp_reflection, port_scan, brute_force) nor a pcap file", x->replay);
        if (x->target && !cf_valid_prefix(x->target))
            cf_error(ctx, cf_find_or(ctx, node, "target"), "target: \"%s\" is not an IP address", x->target);
    } else if (x->kind == DRILL_INJ_LOG) {
        if (!in_names(line_sets, x->log))
            cf_error(ctx, cf_find_or(ctx, node, "log"), "log: \"%s\" is not a built-in line set (ssh_brute_force, "
                     "web_attack, firewall_deny, db_login_failure) nor lines", x->log);
        else if (strcmp(x->log, "lines") == 0 && !x->lines.n)
            cf_error(ctx, cf_find_or(ctx, node, "log"), "log: lines needs the lines themselves (lines: [...])");
        if (x->file && x->syslog)
            cf_error(ctx, cf_find_or(ctx, node, "syslog"), "log: either file or syslog, not both");
        if (x->syslog)
            inject_syslog_check(ctx, x, node);
    } else if (x->kind == DRILL_INJ_CHECK && !x->for_ms) {
        x->for_ms = 300000;
    }
    if (x->source && !cf_valid_prefix(x->source))
        cf_error(ctx, cf_find_or(ctx, node, "source"), "source: \"%s\" is not an IP address", x->source);
}

/* A rule's name as the detectors and alert rules spell them. */
static bool rule_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 127)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_' || s[i] == '-' || s[i] == '.'))
            return false;
    return true;
}

static void inject_check(cf_ctx *ctx, void *obj, yaml_node_t *node)
{
    conf_drill_inject *x = obj;
    int n = 0;
    if (x->replay)
        n++, x->kind = DRILL_INJ_REPLAY;
    if (x->log)
        n++, x->kind = DRILL_INJ_LOG;
    if (x->check)
        n++, x->kind = DRILL_INJ_CHECK;
    if (x->rule)
        n++, x->kind = DRILL_INJ_ALERT;
    if (n != 1) {
        cf_error(ctx, node, "inject: each injection is exactly one of replay, log, check or alert (%d given)", n);
        x->kind = 0;
        return;
    }
    if (x->rule && !rule_name_ok(x->rule))
        cf_error(ctx, cf_find_or(ctx, node, "alert"), "alert: \"%s\" is no rule name (letters, digits, _ - ., at most "
                 "127)", x->rule);
    inject_kind_check(ctx, x, node);
}

static const cf_field inject_fields[] = {
    F(conf_drill_inject, "at", CF_DURATION, at_ms, 0, CF_DAY),
    F(conf_drill_inject, "for", CF_DURATION, for_ms, 0, CF_DAY),
    F(conf_drill_inject, "replay", CF_STR, replay),
    F(conf_drill_inject, "interface", CF_STR, interface),
    F(conf_drill_inject, "pps", CF_NUM, pps, 0, 10000000),
    F(conf_drill_inject, "loop", CF_INT, loop, 0, 1000000),
    F(conf_drill_inject, "target", CF_STR, target),
    F(conf_drill_inject, "log", CF_STR, log),
    F(conf_drill_inject, "lines", CF_STRS, lines),
    F(conf_drill_inject, "file", CF_STR, file),
    F(conf_drill_inject, "syslog", CF_STR, syslog),
    F(conf_drill_inject, "count", CF_INT, count, 0, 10000000),
    F(conf_drill_inject, "rate", CF_NUM, rate, 0, 100000, .dflt = 20),
    F(conf_drill_inject, "source", CF_STR, source),
    F(conf_drill_inject, "check", CF_STR, check),
    F(conf_drill_inject, "alert", CF_STR, rule),
    F(conf_drill_inject, "severity", CF_ENUM, severity, .names = cf_severity_names, .base = 1, .dflt = 3),
    F(conf_drill_inject, "labels", CF_LABELS, labels),
    F(conf_drill_inject, "summary", CF_STR, summary),
    {0},
};
static const cf_section inject_section = {"drill.scenarios.inject", sizeof(conf_drill_inject), inject_fields,
                                          .check = inject_check, .unnamed = true};

/* ---- expectations and the scenario ---- */

static const cf_field expect_fields[] = {
    F(conf_drill_expect, "rule", CF_STR, rule),
    F(conf_drill_expect, "detected", CF_DURATION, detected_ms, 0, CF_DAY),
    F(conf_drill_expect, "notified", CF_DURATION, notified_ms, 0, CF_DAY),
    F(conf_drill_expect, "acked", CF_DURATION, acked_ms, 0, CF_DAY),
    F(conf_drill_expect, "declared", CF_DURATION, declared_ms, 0, CF_DAY),
    F(conf_drill_expect, "playbook", CF_STR, playbook),
    F(conf_drill_expect, "grade", CF_ENUM, grade, .names = incident_grade_names, .base = 1),
    F(conf_drill_expect, "steps_on_time", CF_BOOL, steps_on_time),
    F(conf_drill_expect, "told", CF_STRS, told),
    {0},
};
static const cf_section expect_section = {"drill.scenarios.expect", 0, expect_fields};

static void scenario_init(void *obj)
{
    conf_drill_scenario *s = obj;
    s->expect.steps_on_time = true;
}

static void scenario_check(cf_ctx *ctx, void *obj, yaml_node_t *node)
{
    conf_drill_scenario *s = obj;
    if (s->tabletop && s->inject.n)
        cf_error(ctx, cf_find_or(ctx, node, "inject"), "scenario \"%s\": a tabletop scenario has no injections",
                 s->name);
    else if (!s->tabletop && !s->inject.n)
        cf_error(ctx, node, "scenario \"%s\": needs an injection (inject: [...]) or tabletop: true", s->name);
    for (size_t i = 0; i < s->expect.told.n; i++) {
        const char *t = s->expect.told.v[i];
        if (strncmp(t, "kind:", 5) == 0 && incident_dept_kind_parse(t + 5) < 0)
            cf_error(ctx, cf_find_or(ctx, cf_find_or(ctx, node, "expect"), "told"), "told: \"%s\" is no department "
                     "kind (security, operations, business, customer_service, management, other)", t + 5);
    }
    s->origin = ctx->user_layer && ctx->file ? kw_strdup(ctx->file) : BUILTIN;
    s->line = node ? (unsigned)node->start_mark.line + 1 : 0;
}

static void scenario_fini(void *obj)
{
    conf_drill_scenario *s = obj;
    if (s->origin && s->origin != BUILTIN)
        free((char *)s->origin);
}

/* A built-in or scenario_dir scenario is not shown: it is read from there again. */
static bool scenario_hidden(const void *obj)
{
    const conf_drill_scenario *s = obj;
    return s->origin == BUILTIN || s->line == 0;
}

static const cf_field scenario_fields[] = {
    F(conf_drill_scenario, "name", CF_STR, name),
    F(conf_drill_scenario, "title", CF_STR, title),
    F(conf_drill_scenario, "title_zh", CF_STR, title_zh),
    F(conf_drill_scenario, "description", CF_STR, description),
    F(conf_drill_scenario, "description_zh", CF_STR, description_zh),
    F(conf_drill_scenario, "tabletop", CF_BOOL, tabletop),
    F(conf_drill_scenario, "surprise", CF_BOOL, surprise),
    F(conf_drill_scenario, "participants", CF_STRS, participants),
    F(conf_drill_scenario, "at", CF_STRS, at),
    F(conf_drill_scenario, "duration", CF_DURATION, duration_ms, 10000, CF_DAY, .dflt = 1800000),
    F(conf_drill_scenario, "inject", CF_LIST, inject, .sub = &inject_section),
    {"expect", CF_SECTION, offsetof(conf_drill_scenario, expect), .sub = &expect_section},
    {0},
};
static const cf_section scenario_section = {"drill.scenarios", sizeof(conf_drill_scenario), scenario_fields,
                                            .init = scenario_init, .check = scenario_check, .fini = scenario_fini,
                                            .hidden = scenario_hidden};

static const cf_field drill_fields[] = {
    F(conf, "scenarios", CF_LIST, drill.scenarios, .sub = &scenario_section),
    F(conf, "scenario_dir", CF_STR, drill.scenario_dir),
    F(conf, "netns", CF_STR, drill.netns),
    F(conf, "linger", CF_DURATION, drill.linger_ms, 0, CF_DAY),
    F(conf, "channels", CF_STRS, drill.channels),
    {0},
};
const cf_section drill_conf_section = {"drill", 0, drill_fields};

/* ---- loading: built in, scenario_dir ---- */

typedef struct load_arg {
    conf *c;
} load_arg;

/* cf_list_load_text's check: a scenario of a built-in's name replaces it (the engine's own
 * replacement knows only lists with a built-in flag), and files carry their line 0. */
static void scenario_loaded(cf_ctx *ctx, void *item, yaml_node_t *node, void *argp)
{
    load_arg *arg = argp;
    conf_drill_scenario *s = item;
    conf_list *l = &arg->c->drill.scenarios;
    s->line = 0;
    for (size_t i = 0; i < l->n; i++) {
        conf_drill_scenario *o = CONF_AT(*l, conf_drill_scenario, i);
        if (!o->name || strcmp(o->name, s->name) != 0 || o->origin != BUILTIN || !ctx->user_layer)
            continue;
        cf_free_section(&scenario_section, o);
        memmove(o, o + 1, (l->n - i - 1) * sizeof *o);
        l->n--;
        return;
    }
}

kw_rc drill_conf_load_text(conf *c, const char *name, const char *text, size_t len, bool builtin, conf_errors *errs)
{
    load_arg arg = {c};
    return cf_list_load_text(&scenario_section, &c->drill.scenarios, name, text, len, !builtin, errs, scenario_loaded,
                             &arg);
}

static void load_builtin(cf_ctx *ctx, conf *c)
{
    for (size_t i = 0; i < drill_embed_count; i++) {
        char name[256];
        snprintf(name, sizeof name, "drills/%s", drill_embed_names[i]);
        (void)drill_conf_load_text(c, name, drill_embed_texts[i], drill_embed_lens[i], true, ctx->errs);
    }
}

static void load_file(cf_ctx *ctx, conf *c, const char *path)
{
    cf_ctx fctx = {path, NULL, ctx->errs, true};
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        cf_error(&fctx, NULL, "cannot open: %s", errno ? strerror(errno) : "not a regular file");
        return;
    }
    kw_buf b;
    kw_rc rc = kw_file_read(path, DRILL_MAX_FILE, &b);
    if (rc == KW_ERR_FULL)
        cf_error(&fctx, NULL, "a scenario file is at most 1 MiB");
    else if (rc != KW_OK)
        cf_error(&fctx, NULL, "cannot read: %s", strerror(errno));
    else
        (void)drill_conf_load_text(c, path, b.data ? b.data : "", b.len, false, ctx->errs);
    kw_buf_free(&b);
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void load_dir(cf_ctx *ctx, conf *c, yaml_node_t *at)
{
    char *dir = c->drill.scenario_dir;
    const char *slash = ctx->file ? strrchr(ctx->file, '/') : NULL;
    if (dir[0] != '/' && slash) { /* relative to the configuration file */
        kw_buf p;
        kw_buf_init(&p, 8192);
        kw_buf_printf(&p, "%.*s/%s", (int)(slash - ctx->file), ctx->file, dir);
        free(dir);
        c->drill.scenario_dir = dir = kw_buf_take(&p);
    }
    DIR *d = opendir(dir);
    if (!d) {
        cf_error(ctx, at, "scenario_dir: cannot open \"%s\": %s", dir, strerror(errno));
        return;
    }
    char **v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < DRILL_MAX_FILES) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
            continue;
        kw_grow(&v, &cap, n + 1, sizeof *v);
        v[n++] = kw_strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, name_cmp);
    for (size_t i = 0; i < n; i++) {
        kw_buf p;
        kw_buf_init(&p, 8192);
        kw_buf_printf(&p, "%s/%s", dir, v[i]);
        load_file(ctx, c, kw_buf_cstr(&p));
        kw_buf_free(&p);
        free(v[i]);
    }
    free(v);
}

/* ---- the cross-check ---- */

/* Whether path is one of the log inputs' files (a glob of theirs matches it). */
static bool file_watched(const conf *c, const char *path)
{
    for (size_t i = 0; i < c->logs.inputs.n; i++) {
        const conf_log_input *in = CONF_AT(c->logs.inputs, conf_log_input, i);
        for (size_t k = 0; k < in->paths.n; k++)
            if (fnmatch(in->paths.v[k], path, 0) == 0)
                return true;
    }
    return false;
}

/* "YYYY-MM-DDTHH:MM" (local time). */
static bool at_valid(const char *s)
{
    int y, mo, d, h, mi;
    char tail;
    if (strlen(s) != 16 || sscanf(s, "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) != 5)
        return false;
    return y >= 2000 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60;
}

static void refs_target(cf_ctx *ctx, const conf *c, const conf_drill_scenario *s, const char *key, const char *t,
                        yaml_node_t *at)
{
    const char *what;
    inc_target_kind k = incident_target_parse(t, &what);
    if (k == INC_TARGET_BAD)
        cf_error(ctx, at, "scenario \"%s\": %s: \"%s\" is no target (duty, person:, department:, kind:, ...)", s->name,
                 key, t);
    else if (k == INC_TARGET_PERSON && !conf_person_find(c, what))
        cf_error(ctx, at, "scenario \"%s\": %s: person \"%s\" is not defined under people", s->name, key, what);
    else if ((k == INC_TARGET_DEPARTMENT || k == INC_TARGET_HEAD) && !conf_department_find(c, what))
        cf_error(ctx, at, "scenario \"%s\": %s: department \"%s\" is not defined under departments", s->name, key,
                 what);
}

static void refs_inject(cf_ctx *ctx, const conf *c, const conf_drill_scenario *s, const conf_drill_inject *x,
                        yaml_node_t *at)
{
    if (x->kind == DRILL_INJ_CHECK && !cf_list_find(&c->checks, sizeof(conf_check), x->check))
        cf_error(ctx, at, "scenario \"%s\": check \"%s\" is not defined under checks", s->name, x->check);
    if (x->kind == DRILL_INJ_LOG && x->file && !file_watched(c, x->file))
        cf_error(ctx, at, "scenario \"%s\": file \"%s\" is not watched by any of logs.inputs", s->name, x->file);
}

static void refs_scenario(cf_ctx *ctx, const conf *c, const conf_drill_scenario *s, yaml_node_t *n)
{
    cf_ctx own = *ctx;
    if (s->origin == BUILTIN) {
        own.file = "built-in scenario";
        own.doc = NULL;
        n = NULL;
    } else if (!ctx->file || strcmp(s->origin, ctx->file) != 0) {
        own.file = s->origin; /* a scenario_dir file: no nodes of it are open any more */
        own.doc = NULL;
        n = NULL;
    }
    for (size_t i = 0; i < s->inject.n; i++)
        refs_inject(&own, c, s, CONF_AT(s->inject, conf_drill_inject, i), cf_item_or(&own, cf_find_or(&own, n, "inject"), i));
    const conf_playbook *pb;
    if (s->expect.playbook && (!(pb = incident_pb_find(c, s->expect.playbook)) || (pb->builtin && !c->builtin_rules)))
        cf_error(&own, n, "scenario \"%s\": playbook \"%s\" is not defined", s->name, s->expect.playbook);
    for (size_t i = 0; i < s->participants.n; i++)
        refs_target(&own, c, s, "participants", s->participants.v[i], n);
    for (size_t i = 0; i < s->expect.told.n; i++)
        if (strncmp(s->expect.told.v[i], "kind:", 5) != 0 && !conf_department_find(c, s->expect.told.v[i]))
            cf_error(&own, n, "scenario \"%s\": told: department \"%s\" is not defined under departments", s->name,
                     s->expect.told.v[i]);
    for (size_t i = 0; i < s->at.n; i++)
        if (!at_valid(s->at.v[i]))
            cf_error(&own, n, "scenario \"%s\": at: \"%s\" is not YYYY-MM-DDTHH:MM", s->name, s->at.v[i]);
}

/* The mapping of the scenario named name in the file's drill.scenarios, or NULL. */
static yaml_node_t *scenario_node(cf_ctx *ctx, yaml_node_t *seq, const char *name)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return NULL;
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
        yaml_node_t *e = cf_node(ctx, *it), *nn = cf_find(ctx, e, "name");
        if (nn && nn->type == YAML_SCALAR_NODE && strcmp((const char *)nn->data.scalar.value, name) == 0)
            return e;
    }
    return NULL;
}

/* builtin_rules: false drops the built-in scenarios with the built-in playbooks they name. */
static void drop_builtin(conf *c)
{
    conf_list *l = &c->drill.scenarios;
    size_t keep = 0;
    for (size_t i = 0; i < l->n; i++) {
        conf_drill_scenario *s = CONF_AT(*l, conf_drill_scenario, i);
        if (s->origin == BUILTIN) {
            cf_free_section(&scenario_section, s);
            continue;
        }
        memmove(CONF_AT(*l, conf_drill_scenario, keep++), s, sizeof *s);
    }
    l->n = keep;
}

void drill_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top)
{
    yaml_node_t *dr = cf_find(ctx, top, "drill");
    if (!ctx->user_layer) { /* the defaults, before the file's */
        if (!c->drill.netns)
            c->drill.netns = kw_strdup("keepwatch-drill");
        c->drill.linger_ms = 600000;
        load_builtin(ctx, c);
        return;
    }
    if (!c->builtin_rules)
        drop_builtin(c);
    if (c->drill.scenario_dir && !*c->drill.scenario_dir)
        cf_error(ctx, cf_find_or(ctx, dr, "scenario_dir"), "scenario_dir: empty");
    else if (c->drill.scenario_dir)
        load_dir(ctx, c, cf_find_or(ctx, dr, "scenario_dir"));
    for (size_t i = 0; i < c->drill.channels.n; i++)
        if (!cf_list_find(&c->notify.channels, sizeof(conf_channel), c->drill.channels.v[i]))
            cf_error(ctx, cf_find_or(ctx, dr, "channels"), "channels: channel \"%s\" is not defined under "
                     "notify.channels", c->drill.channels.v[i]);
    yaml_node_t *seq = cf_find(ctx, dr, "scenarios");
    for (size_t i = 0; i < c->drill.scenarios.n; i++) {
        const conf_drill_scenario *s = CONF_AT(c->drill.scenarios, conf_drill_scenario, i);
        yaml_node_t *n = s->origin == BUILTIN ? NULL : scenario_node(ctx, seq, s->name);
        refs_scenario(ctx, c, s, n ? n : (s->origin == BUILTIN ? NULL : top));
    }
}

const conf_drill_scenario *drill_conf_find(const conf *c, const char *name)
{
    return name ? cf_list_find(&c->drill.scenarios, sizeof(conf_drill_scenario), name) : NULL;
}

void drill_conf_scenario_free(conf_drill_scenario *s) { cf_free_section(&scenario_section, s); }

void drill_conf_scenarios_json(const conf *c, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < c->drill.scenarios.n; i++) {
        const conf_drill_scenario *s = CONF_AT(c->drill.scenarios, conf_drill_scenario, i);
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", s->name);
        kw_json_kv_str(&j, "title", s->title);
        kw_json_kv_str(&j, "title_zh", s->title_zh);
        kw_json_kv_str(&j, "description", s->description);
        kw_json_kv_str(&j, "description_zh", s->description_zh);
        kw_json_kv_bool(&j, "tabletop", s->tabletop);
        kw_json_kv_bool(&j, "surprise", s->surprise);
        kw_json_kv_int(&j, "duration_s", s->duration_ms / 1000);
        kw_json_kv_int(&j, "injections", (int64_t)s->inject.n);
        kw_json_kv_str(&j, "origin", s->origin);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
}

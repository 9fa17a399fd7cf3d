/* incident_pb.c: the playbooks' validation (the check hook and the incident cross-check, see
 * incident_pb.h), the step graph they need (needs resolved to steps, cycles, the latest
 * deadline a step waits for), and loading the built-in playbooks and incident.playbook_dir.
 * Every error is reported at the YAML node it is about, found by walking the item's mapping in
 * step with the parsed structs. */
#include "incident/incident_pb.h"
#include "incident/incident_class.h"
#include "core/kw_buf.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* generated from the playbooks directory by tools/embed_rules.cmake */
extern const char *const incident_pb_embed_names[];
extern const char *const incident_pb_embed_texts[];
extern const size_t incident_pb_embed_lens[];
extern const size_t incident_pb_embed_count;

static const char *const kind_names[] = {"security", "operations", "business", "customer_service", "management",
                                         "other", NULL};

/* ---- targets ---- */

inc_target_kind incident_target_parse(const char *t, const char **what)
{
    static const struct {
        const char *prefix;
        inc_target_kind kind;
    } kinds[] = {
        {"schedule:", INC_TARGET_SCHEDULE}, {"person:", INC_TARGET_PERSON}, {"role:", INC_TARGET_ROLE},
        {"department:", INC_TARGET_DEPARTMENT}, {"head:", INC_TARGET_HEAD}, {"kind:", INC_TARGET_KIND},
    };
    if (what)
        *what = "";
    if (!t)
        return INC_TARGET_BAD;
    if (strcmp(t, "duty") == 0)
        return INC_TARGET_DUTY;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(t, kinds[i].prefix, n) == 0 && t[n]) {
            if (what)
                *what = t + n;
            return kinds[i].kind;
        }
    }
    return INC_TARGET_BAD;
}

int incident_dept_kind_parse(const char *s)
{
    for (int i = 0; s && kind_names[i]; i++)
        if (strcmp(s, kind_names[i]) == 0)
            return i;
    return -1;
}

/* Reports a target that is malformed, or (builtin) more than duty and kind:. */
static void target_check_form(cf_ctx *ctx, const char *step, const char *key, const char *t, bool builtin,
                              yaml_node_t *at)
{
    const char *what;
    inc_target_kind k = incident_target_parse(t, &what);
    if (k == INC_TARGET_BAD)
        cf_error(ctx, at, "step \"%s\": %s: \"%s\" is not a target: duty, schedule:NAME, person:NAME, role:ROLE, "
                 "department:NAME, head:DEPT or kind:KIND", step, key, t);
    else if (k == INC_TARGET_KIND && incident_dept_kind_parse(what) < 0)
        cf_error(ctx, at, "step \"%s\": %s: kind \"%s\" is not one of security, operations, business, "
                 "customer_service, management, other", step, key, what);
    else if (builtin && k != INC_TARGET_DUTY && k != INC_TARGET_KIND)
        cf_error(ctx, at, "step \"%s\": %s: a built-in playbook names only duty and kind:KIND (so that it is "
                 "valid with any configuration), not \"%s\"", step, key, t);
}

static bool role_held(const conf *c, const char *role)
{
    for (size_t i = 0; i < c->people.n; i++) {
        const conf_person *p = CONF_AT(c->people, conf_person, i);
        for (size_t k = 0; k < p->roles.n; k++)
            if (strcmp(p->roles.v[k], role) == 0)
                return true;
    }
    return false;
}

/* Reports a well-formed target that names nothing in c. */
static void target_check_refs(cf_ctx *ctx, const conf *c, const char *step, const char *key, const char *t,
                              yaml_node_t *at)
{
    const char *what;
    const conf_department *d;
    switch (incident_target_parse(t, &what)) {
    case INC_TARGET_SCHEDULE:
        if (!cf_list_find(&c->schedules, sizeof(conf_schedule), what))
            cf_error(ctx, at, "step \"%s\": %s: schedule \"%s\" is not defined under schedules", step, key, what);
        break;
    case INC_TARGET_PERSON:
        if (!conf_person_find(c, what))
            cf_error(ctx, at, "step \"%s\": %s: person \"%s\" is not defined under people", step, key, what);
        break;
    case INC_TARGET_ROLE:
        if (!role_held(c, what))
            cf_error(ctx, at, "step \"%s\": %s: role \"%s\" is held by nobody under people", step, key, what);
        break;
    case INC_TARGET_DEPARTMENT:
    case INC_TARGET_HEAD:
        d = conf_department_find(c, what);
        if (!d)
            cf_error(ctx, at, "step \"%s\": %s: department \"%s\" is not defined under departments", step, key, what);
        else if (t[0] == 'h' && !d->head)
            cf_error(ctx, at, "step \"%s\": %s: department \"%s\" has no head", step, key, what);
        break;
    default: /* duty (a schedule is needed only at declaration), kind (falls back to duty) */
        break;
    }
}

/* ---- the step graph ---- */

typedef struct pb_node {
    conf_pb_step *s;
    yaml_node_t *node;          /* its mapping (NULL: no document) */
    size_t phase;               /* index in pb->phases */
    size_t *needs;              /* resolved needs (indices) */
    size_t nneeds;
    size_t *need_at;            /* the needs entry each resolved need came from */
    int color;                  /* DFS: 0 new, 1 on the path, 2 done */
    ssize_t latest;             /* the step of the latest deadline among it and its needs (-1: not yet) */
} pb_node;

typedef struct pb_graph {
    pb_node *v;
    size_t n;
    bool cyclic;
    bool too_big;
} pb_graph;

static yaml_node_t *at_or(yaml_node_t *n, yaml_node_t *fallback) { return n ? n : fallback; }

/* The node of the k-th item the list parser kept (mappings only), or NULL. */
static yaml_node_t *list_item(cf_ctx *ctx, yaml_node_t *seq, size_t k)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return NULL;
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
        yaml_node_t *e = cf_node(ctx, *it);
        if (e && e->type == YAML_MAPPING_NODE && k-- == 0)
            return e;
    }
    return NULL;
}

/* The node of item i of a scalar list field `key` of map (or map itself). */
static yaml_node_t *strs_item(cf_ctx *ctx, yaml_node_t *map, const char *key, size_t i, yaml_node_t *fallback)
{
    yaml_node_t *v = cf_find(ctx, map, key);
    return at_or(v ? cf_item_or(ctx, v, i) : NULL, fallback);
}

static ssize_t graph_find(const pb_graph *g, const char *name)
{
    for (size_t i = 0; name && i < g->n; i++)
        if (g->v[i].s->name && strcmp(g->v[i].s->name, name) == 0)
            return (ssize_t)i;
    return -1;
}

static void graph_free(pb_graph *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->v[i].needs);
        free(g->v[i].need_at);
    }
    free(g->v);
    memset(g, 0, sizeof *g);
}

/* Collects the steps of pb (with their nodes under pbnode, which may be NULL). */
static void graph_collect(cf_ctx *ctx, conf_playbook *pb, yaml_node_t *pbnode, pb_graph *g)
{
    size_t total = 0;
    for (size_t p = 0; p < pb->phases.n; p++)
        total += CONF_AT(pb->phases, conf_pb_phase, p)->steps.n;
    if (total > INCIDENT_PB_MAX_STEPS) {
        g->too_big = true;
        return;
    }
    g->v = kw_calloc(total ? total : 1, sizeof *g->v);
    yaml_node_t *phases = cf_find(ctx, pbnode, "phases");
    for (size_t p = 0; p < pb->phases.n; p++) {
        conf_pb_phase *ph = CONF_AT(pb->phases, conf_pb_phase, p);
        yaml_node_t *steps = cf_find(ctx, list_item(ctx, phases, p), "steps");
        for (size_t k = 0; k < ph->steps.n; k++)
            g->v[g->n++] = (pb_node){.s = CONF_AT(ph->steps, conf_pb_step, k), .node = list_item(ctx, steps, k),
                                     .phase = p, .latest = -1};
    }
}

/* Resolves every step's needs; with report, says which name no step (or the step itself). */
static void graph_link(cf_ctx *ctx, pb_graph *g, bool report, yaml_node_t *fallback)
{
    for (size_t i = 0; i < g->n; i++) {
        pb_node *x = &g->v[i];
        x->needs = kw_calloc(x->s->needs.n ? x->s->needs.n : 1, sizeof *x->needs);
        x->need_at = kw_calloc(x->s->needs.n ? x->s->needs.n : 1, sizeof *x->need_at);
        for (size_t k = 0; k < x->s->needs.n; k++) {
            ssize_t j = graph_find(g, x->s->needs.v[k]);
            yaml_node_t *at = strs_item(ctx, x->node, "needs", k, at_or(x->node, fallback));
            if (j < 0 && report)
                cf_error(ctx, at, "step \"%s\": needs: no step \"%s\" in this playbook", x->s->name, x->s->needs.v[k]);
            else if ((size_t)j == i && report)
                cf_error(ctx, at, "step \"%s\": needs: a step cannot need itself", x->s->name);
            if (j < 0 || (size_t)j == i)
                continue;
            x->need_at[x->nneeds] = k;
            x->needs[x->nneeds++] = (size_t)j;
        }
    }
}

/* Depth-first from i; path holds the steps on the way. Reports each edge that closes a cycle. */
static void graph_dfs(cf_ctx *ctx, pb_graph *g, size_t i, size_t *path, size_t depth, bool report,
                      yaml_node_t *fallback)
{
    pb_node *x = &g->v[i];
    x->color = 1;
    path[depth] = i;
    for (size_t k = 0; k < x->nneeds; k++) {
        size_t j = x->needs[k];
        if (g->v[j].color == 2)
            continue;
        if (g->v[j].color == 0) {
            graph_dfs(ctx, g, j, path, depth + 1, report, fallback);
            continue;
        }
        g->cyclic = true;
        if (!report)
            continue;
        kw_buf b;
        kw_buf_init(&b, 16384);
        size_t from = depth;
        while (path[from] != j)
            from--;
        for (size_t d = from; d <= depth; d++)
            kw_buf_printf(&b, "%s -> ", g->v[path[d]].s->name);
        kw_buf_puts(&b, g->v[j].s->name);
        cf_error(ctx, strs_item(ctx, x->node, "needs", x->need_at[k], at_or(x->node, fallback)),
                 "step \"%s\": needs: a cycle: %s", x->s->name, kw_buf_cstr(&b));
        kw_buf_free(&b);
    }
    x->color = 2;
}

static void graph_cycles(cf_ctx *ctx, pb_graph *g, bool report, yaml_node_t *fallback)
{
    size_t *path = kw_calloc(g->n ? g->n : 1, sizeof *path);
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].color == 0)
            graph_dfs(ctx, g, i, path, 0, report, fallback);
    free(path);
}

/* The step with the latest deadline among i and what it needs at the grades of mask
 * (memoised; the graph is acyclic). */
static size_t graph_latest(pb_graph *g, size_t i)
{
    pb_node *x = &g->v[i];
    if (x->latest >= 0)
        return (size_t)x->latest;
    size_t best = i;
    for (size_t k = 0; k < x->nneeds; k++) {
        size_t j = x->needs[k];
        if (!(g->v[j].s->grade_mask & x->s->grade_mask))
            continue; /* not at the same grades: nothing to wait for */
        size_t l = graph_latest(g, j);
        if (g->v[l].s->within_ms > g->v[best].s->within_ms)
            best = l;
    }
    x->latest = (ssize_t)best;
    return best;
}

/* A graph of pb's steps with their needs resolved and cycles found (reported with report). */
static void graph_build(cf_ctx *ctx, conf_playbook *pb, yaml_node_t *pbnode, bool report, pb_graph *g)
{
    memset(g, 0, sizeof *g);
    graph_collect(ctx, pb, pbnode, g);
    if (g->too_big) {
        if (report)
            cf_error(ctx, at_or(cf_find(ctx, pbnode, "phases"), pbnode), "playbook \"%s\": more than %d steps",
                     pb->name ? pb->name : "?", INCIDENT_PB_MAX_STEPS);
        return;
    }
    graph_link(ctx, g, report, pbnode);
    graph_cycles(ctx, g, report, pbnode);
}

/* ---- the check hook ---- */

static void check_class(cf_ctx *ctx, const conf_playbook *pb, yaml_node_t *n)
{
    const incident_class *cat = incident_class_find(pb->category);
    if (!pb->category)
        cf_error(ctx, n, "playbook \"%s\": needs a category (a GB/T 20986-2023 category code, e.g. NA)", pb->name);
    else if (!cat)
        cf_error(ctx, cf_find(ctx, n, "category"), "playbook \"%s\": category \"%s\" is not a GB/T 20986-2023 "
                 "category code", pb->name, pb->category);
    else if (cat->parent)
        cf_error(ctx, cf_find(ctx, n, "category"), "playbook \"%s\": \"%s\" is a sub-category (of %s): category "
                 "takes a category, subcategory the sub-category", pb->name, pb->category, cat->parent);
    if (!pb->subcategory || !cat || cat->parent)
        return;
    const incident_class *sub = incident_class_find(pb->subcategory);
    yaml_node_t *at = cf_find(ctx, n, "subcategory");
    if (!sub)
        cf_error(ctx, at, "playbook \"%s\": subcategory \"%s\" is not a GB/T 20986-2023 sub-category code",
                 pb->name, pb->subcategory);
    else if (!sub->parent)
        cf_error(ctx, at, "playbook \"%s\": \"%s\" is a category, not a sub-category", pb->name, pb->subcategory);
    else if (strcmp(sub->parent, pb->category) != 0)
        cf_error(ctx, at, "playbook \"%s\": sub-category \"%s\" belongs to %s, not to %s", pb->name,
                 pb->subcategory, sub->parent, pb->category);
}

static void check_grades(cf_ctx *ctx, const conf_playbook *pb, yaml_node_t *n)
{
    yaml_node_t *seq = cf_find(ctx, n, "grades");
    for (size_t i = 0; i < pb->grades.n; i++) {
        const conf_pb_grade *g = CONF_AT(pb->grades, conf_pb_grade, i);
        yaml_node_t *at = at_or(list_item(ctx, seq, i), n);
        if (!g->grade) {
            cf_error(ctx, at, "playbook \"%s\": grades: each entry needs a grade (I, II, III or IV)", pb->name);
            continue;
        }
        for (size_t k = 0; k < i; k++)
            if (CONF_AT(pb->grades, conf_pb_grade, k)->grade == g->grade)
                cf_error(ctx, cf_find_or(ctx, at, "grade"), "playbook \"%s\": grades: grade %s is listed twice",
                         pb->name, incident_grade_name(g->grade));
    }
}

/* Phases: at least one, each once, each with a step; derives each step's phase. */
static void check_phases(cf_ctx *ctx, conf_playbook *pb, yaml_node_t *n)
{
    yaml_node_t *seq = cf_find(ctx, n, "phases");
    if (!pb->phases.n)
        cf_error(ctx, at_or(seq, n), "playbook \"%s\": needs at least one phase with a step", pb->name);
    for (size_t p = 0; p < pb->phases.n; p++) {
        conf_pb_phase *ph = CONF_AT(pb->phases, conf_pb_phase, p);
        yaml_node_t *at = at_or(list_item(ctx, seq, p), n);
        bool named = cf_find(ctx, at, "phase") != NULL;
        if (!named)
            cf_error(ctx, at, "playbook \"%s\": a phase needs phase: confirm, contain, eradicate, recover or report",
                     pb->name);
        for (size_t k = 0; named && k < p; k++) {
            yaml_node_t *first = cf_find(ctx, at_or(list_item(ctx, seq, k), n), "phase");
            if (first && CONF_AT(pb->phases, conf_pb_phase, k)->phase == ph->phase) {
                cf_error(ctx, cf_find_or(ctx, at, "phase"), "playbook \"%s\": phase \"%s\" is listed twice (first "
                         "at line %zu)", pb->name, incident_phase_names[ph->phase], first->start_mark.line + 1);
                break;
            }
        }
        if (!ph->steps.n)
            cf_error(ctx, cf_find_or(ctx, at, "steps"), "playbook \"%s\": a phase needs at least one step", pb->name);
        for (size_t k = 0; k < ph->steps.n; k++)
            CONF_AT(ph->steps, conf_pb_step, k)->phase = ph->phase;
    }
}

/* A step's grades (into grade_mask) and targets. */
static void check_step(cf_ctx *ctx, conf_pb_step *s, yaml_node_t *n, bool builtin)
{
    if (s->name && !s->title && !s->title_zh)
        cf_error(ctx, n, "step \"%s\": needs a title or title_zh", s->name);
    s->grade_mask = s->grades.n ? 0 : 0x0f;
    for (size_t i = 0; i < s->grades.n; i++) {
        int g = incident_grade_parse(s->grades.v[i]);
        if (!g)
            cf_error(ctx, strs_item(ctx, n, "grades", i, n), "step \"%s\": grades: \"%s\" is not a grade: I, II, "
                     "III or IV", s->name, s->grades.v[i]);
        else
            s->grade_mask |= (uint8_t)(1u << (g - 1));
    }
    if (s->owner)
        target_check_form(ctx, s->name, "owner", s->owner, builtin, cf_find_or(ctx, n, "owner"));
    for (size_t i = 0; i < s->tell.n; i++)
        target_check_form(ctx, s->name, "tell", s->tell.v[i], builtin, strs_item(ctx, n, "tell", i, n));
}

/* Step names unique across phases (the list parser catches a name twice in one phase). */
static void check_step_names(cf_ctx *ctx, const pb_graph *g, yaml_node_t *fallback)
{
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; k < i; k++)
            if (g->v[k].phase != g->v[i].phase && g->v[i].s->name && g->v[k].s->name &&
                strcmp(g->v[i].s->name, g->v[k].s->name) == 0) {
                cf_error(ctx, cf_find_or(ctx, at_or(g->v[i].node, fallback), "name"),
                         "step \"%s\": the name is used by another step of this playbook", g->v[i].s->name);
                break;
            }
}

/* No step due before a step it needs (directly or through others). */
static void check_deadlines(cf_ctx *ctx, pb_graph *g, yaml_node_t *fallback)
{
    char a[32], b[32];
    for (size_t i = 0; i < g->n; i++) {
        pb_node *x = &g->v[i];
        if (!x->s->within_ms)
            continue;
        for (size_t k = 0; k < x->nneeds; k++) {
            size_t j = x->needs[k];
            if (!(g->v[j].s->grade_mask & x->s->grade_mask))
                continue;
            const conf_pb_step *l = g->v[graph_latest(g, j)].s;
            if (l->within_ms <= x->s->within_ms)
                continue;
            kw_duration_format(x->s->within_ms, a, sizeof a);
            kw_duration_format(l->within_ms, b, sizeof b);
            cf_error(ctx, cf_find_or(ctx, at_or(x->node, fallback), "within"),
                     "step \"%s\" (%s) needs \"%s\" (%s)%s%s%s: it cannot be done in time", x->s->name, a,
                     l->name, b, l == g->v[j].s ? "" : " through \"", l == g->v[j].s ? "" : g->v[j].s->name,
                     l == g->v[j].s ? "" : "\"");
            break;
        }
    }
}

void incident_pb_check(cf_ctx *ctx, void *obj, yaml_node_t *node)
{
    conf_playbook *pb = obj;
    if (!pb->name)
        return; /* the list says it needs one */
    if (!pb->title && !pb->title_zh)
        cf_error(ctx, node, "playbook \"%s\": needs a title or title_zh", pb->name);
    check_class(ctx, pb, node);
    check_grades(ctx, pb, node);
    check_phases(ctx, pb, node);
    pb_graph g;
    graph_build(ctx, pb, node, true, &g);
    for (size_t i = 0; i < g.n; i++)
        check_step(ctx, g.v[i].s, at_or(g.v[i].node, node), !ctx->user_layer);
    check_step_names(ctx, &g, node);
    if (!g.cyclic && !g.too_big)
        check_deadlines(ctx, &g, node);
    graph_free(&g);
}

/* ---- regulator deadlines ---- */

const conf_inc_reporting *incident_pb_reporting(const conf *c, int org_type)
{
    for (size_t i = 0; i < c->incident.reporting.n; i++) {
        const conf_inc_reporting *r = CONF_AT(c->incident.reporting, conf_inc_reporting, i);
        if (r->org_type == org_type)
            return r;
    }
    return NULL;
}

int64_t incident_pb_regulator_ms(const conf *c, int org_type, int grade)
{
    const conf_inc_reporting *r = incident_pb_reporting(c, org_type);
    return r && grade >= INCIDENT_GRADE_MIN && grade <= r->min_grade ? r->within_ms : -1;
}

const char *incident_org_label(int org_type, bool zh)
{
    static const char *const en[] = {"critical information infrastructure operators", "central and state organs",
                                     "other network operators"};
    static const char *const cn[] = {"关键信息基础设施运营者", "中央和国家机关", "其他网络运营者"};
    return org_type >= 0 && org_type <= INC_ORG_OTHER ? (zh ? cn : en)[org_type] : "?";
}

/* A report: regulator step must reach the regulator in time: nothing it needs may be due later
 * than the regulator's deadline at the most severe grade the step applies at. */
static void check_regulator(cf_ctx *ctx, const conf *c, const conf_playbook *pb, pb_graph *g,
                            yaml_node_t *fallback)
{
    char a[32], b[32];
    for (size_t i = 0; i < g->n; i++) {
        pb_node *x = &g->v[i];
        if (x->s->report != PB_REPORT_REGULATOR)
            continue;
        int grade = 0;
        for (int gr = INCIDENT_GRADE_MIN; !grade && gr <= INCIDENT_GRADE_MAX; gr++)
            if ((x->s->grade_mask & (1u << (gr - 1))) && incident_pb_regulator_ms(c, c->incident.org_type, gr) >= 0)
                grade = gr;
        if (!grade)
            continue; /* at no grade the table covers: n/a */
        int64_t due = incident_pb_regulator_ms(c, c->incident.org_type, grade);
        const conf_pb_step *l = g->v[graph_latest(g, i)].s;
        if (l == x->s || l->within_ms <= due)
            continue;
        kw_duration_format(due, a, sizeof a);
        kw_duration_format(l->within_ms, b, sizeof b);
        cf_error(ctx, cf_find_or(ctx, at_or(x->node, fallback), "report"),
                 "playbook \"%s\", step \"%s\": the regulator's deadline for %s at grade %s is %s, but it needs "
                 "\"%s\" (%s)", pb->name, x->s->name, incident_org_label(c->incident.org_type, false), incident_grade_name(grade), a,
                 l->name, b);
    }
}

/* What a playbook refers to in the configuration: targets, the regulator deadline. node is
 * the playbook's mapping in ctx's document, or NULL (then fallback is where to report). */
static void pb_refs(cf_ctx *ctx, const conf *c, conf_playbook *pb, yaml_node_t *node, yaml_node_t *fallback)
{
    pb_graph g;
    graph_build(ctx, pb, node, false, &g);
    yaml_node_t *fb = at_or(node, fallback);
    for (size_t i = 0; node && i < g.n; i++) {
        const conf_pb_step *s = g.v[i].s;
        yaml_node_t *sn = at_or(g.v[i].node, fb);
        if (s->owner)
            target_check_refs(ctx, c, s->name, "owner", s->owner, cf_find_or(ctx, sn, "owner"));
        for (size_t k = 0; k < s->tell.n; k++)
            target_check_refs(ctx, c, s->name, "tell", s->tell.v[k], strs_item(ctx, sn, "tell", k, sn));
    }
    if (!g.cyclic && !g.too_big)
        check_regulator(ctx, c, pb, &g, fb);
    graph_free(&g);
}

/* ---- finding things ---- */

const conf_playbook *incident_pb_find(const conf *c, const char *name)
{
    return name ? cf_list_find(&c->incident.playbooks, sizeof(conf_playbook), name) : NULL;
}

const conf_pb_step *incident_pb_step_find(const conf_playbook *pb, const char *name)
{
    for (size_t p = 0; name && p < pb->phases.n; p++) {
        const conf_pb_phase *ph = CONF_AT(pb->phases, conf_pb_phase, p);
        const conf_pb_step *s = cf_list_find(&ph->steps, sizeof(conf_pb_step), name);
        if (s)
            return s;
    }
    return NULL;
}

/* The mapping in seq whose name is name, or NULL. */
static yaml_node_t *node_by_name(cf_ctx *ctx, yaml_node_t *seq, const char *name)
{
    for (size_t i = 0; name; i++) {
        yaml_node_t *e = list_item(ctx, seq, i);
        if (!e)
            return NULL;
        yaml_node_t *nn = cf_find(ctx, e, "name");
        if (nn && nn->type == YAML_SCALAR_NODE && strcmp((const char *)nn->data.scalar.value, name) == 0)
            return e;
    }
    return NULL;
}

/* ---- loading ---- */

typedef struct pb_load_arg {
    conf *c;
    cf_ctx *top;                /* the configuration file's context, or NULL */
    yaml_node_t *top_pbs;       /* its incident.playbooks, or NULL */
    bool builtin;
} pb_load_arg;

/* cf_list_load_text's check: a playbook read from a file. */
static void pb_loaded(cf_ctx *ctx, void *item, yaml_node_t *node, void *argp)
{
    pb_load_arg *arg = argp;
    conf_playbook *pb = item;
    const conf_playbook *first = incident_pb_find(arg->c, pb->name);
    if (first && !first->builtin) {
        yaml_node_t *fn = arg->top ? node_by_name(arg->top, arg->top_pbs, pb->name) : NULL;
        if (first->source)
            cf_error(ctx, cf_find_or(ctx, node, "name"), "playbook \"%s\" is defined twice: first in %s", pb->name,
                     first->source);
        else
            cf_error(ctx, cf_find_or(ctx, node, "name"), "playbook \"%s\" is defined twice: first at %s:%zu:%zu",
                     pb->name, arg->top ? arg->top->file : "the configuration",
                     fn ? fn->start_mark.line + 1 : 1, fn ? fn->start_mark.column + 1 : 1);
        return;
    }
    if (!arg->builtin)
        pb->source = kw_strdup(ctx->file);
    pb_refs(ctx, arg->c, pb, node, node);
}

static kw_rc pb_load(conf *c, const char *name, const char *text, size_t len, pb_load_arg *arg, conf_errors *errs)
{
    return cf_list_load_text(&incident_pb_section, &c->incident.playbooks, name, text, len, !arg->builtin, errs, pb_loaded, arg);
}

kw_rc incident_pb_load_text(conf *c, const char *name, const char *text, size_t len, bool builtin, conf_errors *errs)
{
    pb_load_arg arg = {.c = c, .builtin = builtin};
    return pb_load(c, name, text, len, &arg, errs);
}

size_t incident_pb_builtin_count(void) { return incident_pb_embed_count; }

const char *incident_pb_builtin_name(size_t i)
{
    return i < incident_pb_embed_count ? incident_pb_embed_names[i] : NULL;
}

const char *incident_pb_builtin_text(size_t i, size_t *len)
{
    if (i >= incident_pb_embed_count)
        return NULL;
    *len = incident_pb_embed_lens[i];
    return incident_pb_embed_texts[i];
}

static void pb_load_builtin(cf_ctx *ctx, conf *c)
{
    for (size_t i = 0; i < incident_pb_embed_count; i++) {
        char name[256];
        snprintf(name, sizeof name, "playbooks/%s", incident_pb_embed_names[i]);
        pb_load_arg arg = {.c = c, .builtin = true};
        (void)pb_load(c, name, incident_pb_embed_texts[i], incident_pb_embed_lens[i], &arg, ctx->errs);
    }
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.yaml names in dir, sorted; NULL (after an error at at) when it cannot be read or has
 * too many. */
static char **dir_list(cf_ctx *ctx, const char *dir, yaml_node_t *at, size_t *n)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d) {
        cf_error(ctx, at, "playbook_dir: cannot open \"%s\": %s", dir, strerror(errno));
        return NULL;
    }
    char **v = NULL;
    size_t cap = 0;
    bool many = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
            continue;
        if (*n == INCIDENT_PB_MAX_FILES) {
            many = true;
            break;
        }
        kw_grow(&v, &cap, *n + 1, sizeof *v);
        v[(*n)++] = kw_strdup(e->d_name);
    }
    closedir(d);
    if (many) {
        cf_error(ctx, at, "playbook_dir: \"%s\" has more than %d *.yaml files", dir, INCIDENT_PB_MAX_FILES);
        for (size_t i = 0; i < *n; i++)
            free(v[i]);
        free(v);
        *n = 0;
        return NULL;
    }
    if (*n)
        qsort(v, *n, sizeof *v, name_cmp);
    return v;
}

/* One playbook_dir file: a regular file of at most INCIDENT_PB_MAX_FILE bytes. */
static void dir_load_file(cf_ctx *ctx, pb_load_arg *arg, const char *path)
{
    cf_ctx fctx = {path, NULL, ctx->errs, true};
    struct stat st;
    if (stat(path, &st) != 0) {
        cf_error(&fctx, NULL, "cannot open: %s", strerror(errno));
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        cf_error(&fctx, NULL, "not a regular file");
        return;
    }
    kw_buf b;
    kw_rc rc = kw_file_read(path, INCIDENT_PB_MAX_FILE, &b);
    if (rc == KW_ERR_FULL)
        cf_error(&fctx, NULL, "a playbook file is at most 1 MiB");
    else if (rc != KW_OK)
        cf_error(&fctx, NULL, "cannot read: %s", strerror(errno));
    else
        (void)pb_load(arg->c, path, b.data ? b.data : "", b.len, arg, ctx->errs);
    kw_buf_free(&b);
}

/* Resolves a relative playbook_dir against the configuration file's directory (stored back). */
static void dir_resolve(cf_ctx *ctx, conf *c)
{
    char *dir = c->incident.playbook_dir;
    const char *slash = ctx->file ? strrchr(ctx->file, '/') : NULL;
    if (dir[0] == '/' || !slash)
        return;
    kw_buf b;
    kw_buf_init(&b, 8192);
    kw_buf_printf(&b, "%.*s/%s", (int)(slash - ctx->file), ctx->file, dir);
    free(dir);
    c->incident.playbook_dir = kw_buf_take(&b);
}

static void pb_load_dir(cf_ctx *ctx, conf *c, yaml_node_t *inc, yaml_node_t *pbs)
{
    if (!c->incident.playbook_dir)
        return;
    if (!*c->incident.playbook_dir) {
        cf_error(ctx, cf_find_or(ctx, inc, "playbook_dir"), "playbook_dir: empty");
        return;
    }
    dir_resolve(ctx, c);
    size_t n;
    char **names = dir_list(ctx, c->incident.playbook_dir, cf_find_or(ctx, inc, "playbook_dir"), &n);
    pb_load_arg arg = {.c = c, .top = ctx, .top_pbs = pbs};
    for (size_t i = 0; i < n; i++) {
        kw_buf p;
        kw_buf_init(&p, 8192);
        kw_buf_printf(&p, "%s/%s", c->incident.playbook_dir, names[i]);
        dir_load_file(ctx, &arg, kw_buf_cstr(&p));
        kw_buf_free(&p);
        free(names[i]);
    }
    free(names);
}

/* ---- the cross-check ---- */

static void check_triggers(cf_ctx *ctx, const conf *c, yaml_node_t *inc)
{
    yaml_node_t *seq = cf_find(ctx, inc, "triggers");
    for (size_t i = 0; i < c->incident.triggers.n; i++) {
        const conf_inc_trigger *t = CONF_AT(c->incident.triggers, conf_inc_trigger, i);
        const conf_playbook *pb;
        yaml_node_t *n = at_or(node_by_name(ctx, seq, t->name), at_or(inc, NULL));
        if (!t->match.n)
            cf_error(ctx, n, "trigger \"%s\": needs a match (the alert that opens the incident)", t->name);
        if (!t->playbook)
            cf_error(ctx, n, "trigger \"%s\": needs a playbook", t->name);
        else if (!(pb = incident_pb_find(c, t->playbook)) || (pb->builtin && !c->builtin_rules))
            cf_error(ctx, cf_find_or(ctx, n, "playbook"), "trigger \"%s\": playbook \"%s\" is not defined%s", t->name,
                     t->playbook, pb ? " (a built-in one, and builtin_rules: false drops them)" : "");
        for (size_t k = 0; k < t->key.n; k++)
            if (!*t->key.v[k])
                cf_error(ctx, strs_item(ctx, n, "key", k, n), "trigger \"%s\": key: an empty field name", t->name);
    }
}

static void check_section(cf_ctx *ctx, const conf *c, yaml_node_t *inc)
{
    if (c->incident.duty_schedule && !cf_list_find(&c->schedules, sizeof(conf_schedule), c->incident.duty_schedule))
        cf_error(ctx, cf_find_or(ctx, inc, "duty_schedule"), "duty_schedule: schedule \"%s\" is not defined under "
                 "schedules", c->incident.duty_schedule);
    for (size_t i = 0; i < c->incident.channels.n; i++)
        if (!cf_list_find(&c->notify.channels, sizeof(conf_channel), c->incident.channels.v[i]))
            cf_error(ctx, strs_item(ctx, inc, "channels", i, inc), "channels: channel \"%s\" is not defined under "
                     "notify.channels", c->incident.channels.v[i]);
    yaml_node_t *rep = cf_find(ctx, inc, "reporting");
    for (size_t i = 0, mine = 0; i < c->incident.reporting.n; i++) {
        const conf_inc_reporting *r = CONF_AT(c->incident.reporting, conf_inc_reporting, i);
        const conf_inc_reporting *first = incident_pb_reporting(c, r->org_type);
        size_t at = r->builtin ? 0 : mine++; /* the file's rows follow the built-in ones */
        yaml_node_t *row = at_or(list_item(ctx, rep, at), at_or(rep, inc));
        if (!r->builtin && rep && !cf_find(ctx, row, "org_type"))
            cf_error(ctx, row, "reporting: each row needs an org_type (cii, state_organ or other)");
        else if (first != r && !r->builtin)
            cf_error(ctx, cf_find_or(ctx, at_or(list_item(ctx, rep, at), at_or(rep, inc)), "org_type"),
                     "reporting: a second row for org_type %s (one row per organisation type)",
                     r->org_type == INC_ORG_CII ? "cii" : r->org_type == INC_ORG_STATE_ORGAN ? "state_organ" : "other");
    }
}

/* The built-in layer's reporting rows are marked; at the user layer a row of the file replaces
 * the built-in row of its org_type (the list itself appends). */
static void reporting_layer(cf_ctx *ctx, conf *c)
{
    conf_list *l = &c->incident.reporting;
    size_t keep = 0;
    for (size_t i = 0; i < l->n; i++) {
        conf_inc_reporting *r = CONF_AT(*l, conf_inc_reporting, i);
        bool replaced = false;
        for (size_t k = i + 1; ctx->user_layer && r->builtin && k < l->n; k++)
            if (!CONF_AT(*l, conf_inc_reporting, k)->builtin && CONF_AT(*l, conf_inc_reporting, k)->org_type == r->org_type)
                replaced = true;
        if (!ctx->user_layer)
            r->builtin = true;
        if (replaced) {
            free(r->to);
            free(r->to_zh);
            continue;
        }
        memmove(CONF_AT(*l, conf_inc_reporting, keep), r, sizeof *r);
        keep++;
    }
    l->n = keep;
}

void incident_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top)
{
    yaml_node_t *inc = cf_find(ctx, top, "incident");
    yaml_node_t *pbs = cf_find(ctx, inc, "playbooks");
    reporting_layer(ctx, c);
    if (!ctx->user_layer) {
        pb_load_builtin(ctx, c);
    } else {
        yaml_node_t *fb = at_or(cf_find(ctx, inc, "org_type"), at_or(inc, top));
        for (size_t i = 0; i < c->incident.playbooks.n; i++) {
            conf_playbook *pb = CONF_AT(c->incident.playbooks, conf_playbook, i);
            yaml_node_t *n = pb->builtin ? NULL : node_by_name(ctx, pbs, pb->name);
            if (pb->builtin || n)
                pb_refs(ctx, c, pb, n, fb); /* a built-in one: the regulator deadline under this org_type */
        }
        pb_load_dir(ctx, c, inc, pbs);
    }
    check_triggers(ctx, c, inc);
    check_section(ctx, c, at_or(inc, top));
}

/* ---- the playbook's tables (its checks above) ---- */

static const cf_field step_fields[] = {
    F(conf_pb_step, "name", CF_STR, name),
    F(conf_pb_step, "title", CF_STR, title),
    F(conf_pb_step, "title_zh", CF_STR, title_zh),
    F(conf_pb_step, "do", CF_STR, instructions),
    F(conf_pb_step, "do_zh", CF_STR, instructions_zh),
    F(conf_pb_step, "owner", CF_STR, owner),
    F(conf_pb_step, "within", CF_DURATION, within_ms, 0, CF_YEAR),
    F(conf_pb_step, "needs", CF_STRS, needs),
    F(conf_pb_step, "tell", CF_STRS, tell),
    F(conf_pb_step, "message", CF_STR, message),
    F(conf_pb_step, "message_zh", CF_STR, message_zh),
    F(conf_pb_step, "report", CF_ENUM, report, .names = incident_report_names),
    F(conf_pb_step, "grades", CF_STRS, grades),
    {0},
};
static const cf_section step_section = {"incident.playbooks.phases.steps", sizeof(conf_pb_step), step_fields};

static const cf_field phase_fields[] = {
    F(conf_pb_phase, "phase", CF_ENUM, phase, .names = incident_phase_names),
    F(conf_pb_phase, "steps", CF_LIST, steps, .sub = &step_section),
    {0},
};
static const cf_section phase_section = {"incident.playbooks.phases", sizeof(conf_pb_phase), phase_fields,
                                         .unnamed = true};

static const cf_field pb_grade_fields[] = {
    F(conf_pb_grade, "grade", CF_ENUM, grade, .names = incident_grade_names, .base = 1),
    F(conf_pb_grade, "criteria", CF_STR, criteria),
    F(conf_pb_grade, "criteria_zh", CF_STR, criteria_zh),
    {0},
};
static const cf_section pb_grade_section = {"incident.playbooks.grades", sizeof(conf_pb_grade), pb_grade_fields,
                                            .unnamed = true};

static const cf_field playbook_fields[] = {
    F(conf_playbook, "name", CF_STR, name),
    F(conf_playbook, "title", CF_STR, title),
    F(conf_playbook, "title_zh", CF_STR, title_zh),
    F(conf_playbook, "description", CF_STR, description),
    F(conf_playbook, "description_zh", CF_STR, description_zh),
    F(conf_playbook, "category", CF_STR, category),
    F(conf_playbook, "subcategory", CF_STR, subcategory),
    F(conf_playbook, "grade", CF_ENUM, grade, .names = incident_grade_names, .base = 1, .dflt = 4),
    F(conf_playbook, "grades", CF_LIST, grades, .sub = &pb_grade_section),
    F(conf_playbook, "phases", CF_LIST, phases, .sub = &phase_section),
    {0},
};
static void playbook_fini(void *obj) { free(((conf_playbook *)obj)->source); }

/* A playbook_dir file's playbook is not shown: playbook_dir reads it again. */
static bool playbook_hidden(const void *obj) { return ((const conf_playbook *)obj)->source != NULL; }

const cf_section incident_pb_section = {"incident.playbooks", sizeof(conf_playbook), playbook_fields,
                                            .check = incident_pb_check, .fini = playbook_fini,
                                            .builtin = offsetof(conf_playbook, builtin), .hidden = playbook_hidden};

void incident_playbook_free(conf_playbook *pb) { cf_free_section(&incident_pb_section, pb); }


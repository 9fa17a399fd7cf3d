/* The exact rule-order analysis of acl_analyze (audit_acl.h): shadowed rules (every packet
 * they match is decided earlier), redundant rules (removing them changes nothing), conflicts
 * (notes), jumps inlined; then the per-rule checks (audit_acl_check.c) and the parser's
 * issues. Pure: reads the config, emits results. */
#include "audit/audit_acl_an.h"
#include "audit/audit_acl_box.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JUMP_DEPTH 8
#define NAMED_MAX 5            /* rules named in a why */
#define CONFLICTS_PER_RULE 5
#define CONFLICTS_PER_CONFIG 1000
#define INLINE_MAX 10000       /* rules one list may decide with, jumps inlined: beyond, jumps stay undecided */

/* One rule as the analysed list sees it: its box (clipped by the jumps that lead to it) and
 * what it does. act ACL_JUMP: an undecided jump (its packets may be decided any way). */
typedef struct eff {
    acl_box box;
    const acl_rule *r;
    acl_action act;            /* ACL_PERMIT, ACL_DENY, ACL_RETURN, ACL_JUMP (undecided) */
    bool partial;
    bool own;                  /* a rule of the list itself, not inlined from a jump */
    bool never;                /* earlier rules match every packet it would (exactly so) */
} eff;

typedef struct effs {
    eff *v;
    size_t n, cap;
    const acl_rule *approx;    /* the list's own rule that led to the first undecided jump */
    const char *approx_to;     /* that jump's target */
} effs;

/* ---- the rules a list decides with, jumps inlined ---- */

/* Rule i of l is its last and returns every packet: the same as the list's end (a user
 * chain's habitual "-j RETURN"). */
static bool final_return(const acl_list *l, size_t i)
{
    const acl_rule *r = &l->v[i];
    if (r->disabled || r->action != ACL_RETURN || r->partial || !acl_rule_is_all(r) ||
        !acl_dim_is_all(&r->zin, ACL_ZONE_MAX) || !acl_dim_is_all(&r->zout, ACL_ZONE_MAX))
        return false;
    for (size_t k = i + 1; k < l->n; k++)
        if (!l->v[k].disabled)
            return false;
    return true;
}

static bool has_return(const acl_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (!l->v[i].disabled && l->v[i].action == ACL_RETURN && !final_return(l, i))
            return true;
    return false;
}

/* Appends r (clipped by clip when given) as act; nothing when the clipped box is empty. */
static void effs_push(effs *e, const acl_rule *r, const acl_box *clip, acl_action act, bool partial, bool own)
{
    kw_grow(&e->v, &e->cap, e->n + 1, sizeof *e->v);
    eff *x = &e->v[e->n];
    memset(x, 0, sizeof *x);
    acl_box_from_rule(&x->box, r);
    if (clip) {
        acl_box cut = {0};
        acl_box_intersect(&cut, &x->box, clip);
        acl_box_free(&x->box);
        x->box = cut;
    }
    if (acl_box_empty(&x->box) && !own) {
        acl_box_free(&x->box);
        return;
    }
    x->r = r;
    x->act = act;
    x->partial = partial || r->partial;
    x->own = own;
    e->n++;
}

typedef struct walk {
    const acl_config *c;
    const acl_rule *top;       /* the list's own jump being inlined */
    const acl_list *stack[JUMP_DEPTH + 1];
    int depth;
} walk;

static void flatten(walk *w, effs *e, const acl_list *l, const acl_box *clip, bool partial);

/* The jump j: its target's rules inline when they never return, else undecided (also when
 * inlining would pass INLINE_MAX rules: nested jumps multiply). */
static void inline_jump(walk *w, effs *e, const acl_rule *j, const acl_box *clip, bool partial)
{
    bool own = w->depth == 0;
    if (own)
        w->top = j;
    const acl_list *t = acl_an_list(w->c, j->target);
    bool cycle = false;
    for (int i = 0; t && i <= w->depth; i++)
        cycle |= w->stack[i] == t;
    bool ends = t && (t->fallthrough == ACL_PERMIT || t->fallthrough == ACL_DENY ||
                      (t->fallthrough == ACL_RETURN && !j->go));
    if (!t || cycle || w->depth >= JUMP_DEPTH || has_return(t) || !ends || e->n + t->n > INLINE_MAX) {
        effs_push(e, j, clip, ACL_JUMP, partial, own);
        if (!e->approx) {
            e->approx = w->top;
            e->approx_to = j->target;
        }
        return;
    }
    acl_box box = {0};
    acl_box_from_rule(&box, j);
    acl_box here = {0};
    if (clip)
        acl_box_intersect(&here, &box, clip);
    else
        acl_box_copy(&here, &box);
    acl_box_free(&box);
    if (!acl_box_empty(&here)) {
        w->stack[++w->depth] = t;
        flatten(w, e, t, &here, partial || j->partial);
        w->depth--;
        if (t->fallthrough != ACL_RETURN) /* what the target's end decides */
            effs_push(e, j, &here, t->fallthrough, partial, false);
    }
    acl_box_free(&here);
}

static void flatten(walk *w, effs *e, const acl_list *l, const acl_box *clip, bool partial)
{
    bool own = w->depth == 0;
    for (size_t i = 0; i < l->n; i++) {
        const acl_rule *r = &l->v[i];
        if (r->disabled || r->action == ACL_OTHER || (!own && final_return(l, i)))
            continue; /* inlined, a final return is the target's end: the caller's next rule */
        if (r->action == ACL_JUMP)
            inline_jump(w, e, r, clip, partial);
        else
            effs_push(e, r, clip, r->action, partial, own);
    }
}

static void effs_free(effs *e)
{
    for (size_t i = 0; i < e->n; i++)
        acl_box_free(&e->v[i].box);
    free(e->v);
}

static bool decisive(acl_action a)
{
    return a == ACL_PERMIT || a == ACL_DENY || a == ACL_RETURN;
}

static bool opposite(acl_action a, acl_action b)
{
    return (a == ACL_PERMIT && b == ACL_DENY) || (a == ACL_DENY && b == ACL_PERMIT);
}

static const char *act_verb(acl_action a)
{
    return a == ACL_PERMIT ? "permits" : a == ACL_DENY ? "denies" : a == ACL_RETURN ? "returns" : "decides";
}

static const char *act_name(acl_action a)
{
    return a == ACL_PERMIT ? "permit" : a == ACL_DENY ? "deny" : a == ACL_RETURN ? "return" : "unknown";
}

/* "rule 10 (line 12), rule 20 (line 14)" for up to NAMED_MAX of idx[0..n) into buf. */
static void name_rules(char *buf, size_t len, const effs *e, const size_t *idx, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && k < NAMED_MAX && at < len; k++) {
        char lab[160];
        int w = snprintf(buf + at, len - at, "%s%s", k ? ", " : "", acl_an_label(lab, sizeof lab, e->v[idx[k]].r));
        at += w > 0 ? (size_t)w : 0;
    }
    if (n > NAMED_MAX && at < len)
        snprintf(buf + at, len - at, " and %zu more", n - NAMED_MAX);
}

/* ---- the findings of one list ---- */

typedef struct idxs {
    size_t *v;
    size_t n, cap;
} idxs;

static void idxs_push(idxs *x, size_t i)
{
    kw_grow(&x->v, &x->cap, x->n + 1, sizeof *x->v);
    x->v[x->n++] = i;
}

static kw_rc note_incomplete(acl_an *a, const acl_list *l, const acl_rule *r, const char *why)
{
    char key[400];
    audit_res res = {.id = "KW-ACL-INCOMPLETE", .title_en = "ACL analysis is incomplete for this rule",
                     .title_zh = "该规则的访问控制分析不完整", .status = AUDIT_NOTE, .severity = FINDING_INFO,
                     .refs = {.gb = ACL_GB_MINIMAL}, .why = why,
                     .fix = "Review this rule's place in the list by hand.",
                     .key = acl_an_key(key, sizeof key, l, r)};
    return acl_an_emit(a, &res, r);
}

static kw_rc report_shadowed(acl_an *a, const acl_list *l, const effs *e, size_t i, const idxs *cov)
{
    const eff *x = &e->v[i];
    size_t alone = cov->n;
    for (size_t k = 0; k < cov->n && alone == cov->n; k++)
        if (acl_box_subset(&x->box, &e->v[cov->v[k]].box))
            alone = k;
    const eff *opp = NULL;
    for (size_t k = 0; k < cov->n && !opp; k++)
        if (opposite(x->act, e->v[cov->v[k]].act))
            opp = &e->v[cov->v[k]];
    char names[900], why[1400], lab[160], key[400];
    if (alone < cov->n)
        name_rules(names, sizeof names, e, &cov->v[alone], 1);
    else
        name_rules(names, sizeof names, e, cov->v, cov->n);
    int w = snprintf(why, sizeof why, "covered %sby %s", alone < cov->n ? "" : "together ", names);
    if (opp && w > 0 && (size_t)w < sizeof why)
        snprintf(why + w, sizeof why - (size_t)w, "; %s %s what this rule would %s: this %s never takes effect",
                 acl_an_label(lab, sizeof lab, opp->r), act_verb(opp->act), act_name(x->act), act_name(x->act));
    bool bad = x->act == ACL_DENY && opp;
    audit_res res = {.id = "KW-ACL-SHADOWED", .title_en = "Rule is shadowed: earlier rules match every packet it would",
                     .title_zh = "规则被前面的规则遮蔽，永远不会匹配", .status = AUDIT_FAIL,
                     .severity = bad ? FINDING_HIGH : FINDING_MEDIUM, .refs = {.gb = ACL_GB_MINIMAL},
                     .found = "never matched", .expected = "matches some packet", .why = why,
                     .fix = bad ? "Move this deny above the rules that cover it, or narrow them."
                                : "Remove the rule, or move it above the rules that cover it.",
                     .key = acl_an_key(key, sizeof key, l, x->r)};
    if (!opp) { /* covered only by rules that decide the same way: never matched, and removing it
                   changes nothing (shadowing proper takes an opposite action) */
        if (w > 0 && (size_t)w < sizeof why)
            snprintf(why + w, sizeof why - (size_t)w, ", which %s the same packets: removing it changes nothing",
                     act_verb(x->act));
        res.id = "KW-ACL-REDUNDANT";
        res.title_en = "Rule is redundant: earlier rules decide every packet it would, the same way";
        res.title_zh = "冗余规则：前面的规则已以相同动作匹配其全部报文";
        res.severity = FINDING_LOW;
        res.fix = "Remove the rule (the list decides the same without it).";
        a->st->shadowed++; /* never matched, */
        a->st->redundant++; /* and redundant */
        return acl_an_emit(a, &res, x->r);
    }
    a->st->shadowed++;
    return acl_an_emit(a, &res, x->r);
}

static kw_rc report_redundant(acl_an *a, const acl_list *l, const effs *e, size_t i, const idxs *by, bool fall)
{
    const eff *x = &e->v[i];
    char names[900], why[1400], key[400];
    name_rules(names, sizeof names, e, by->v, by->n);
    if (!by->n)
        snprintf(why, sizeof why, "without it, the packets it decides fall through to the list's default (%s), "
                 "which %s them too", act_name(l->fallthrough), act_verb(l->fallthrough));
    else if (fall)
        snprintf(why, sizeof why, "without it, %s %s its packets too and the rest fall through to the list's "
                 "default (%s)", names, act_verb(x->act), act_name(l->fallthrough));
    else
        snprintf(why, sizeof why, "without it, %s %s the same packets the same way", names, act_verb(x->act));
    audit_res res = {.id = "KW-ACL-REDUNDANT", .title_en = "Rule is redundant: removing it changes nothing",
                     .title_zh = "冗余规则：删除后访问控制行为不变", .status = AUDIT_FAIL, .severity = FINDING_LOW,
                     .refs = {.gb = ACL_GB_MINIMAL}, .found = "redundant", .expected = "decides some packet",
                     .why = why, .fix = "Remove the rule (the list decides the same without it).",
                     .key = acl_an_key(key, sizeof key, l, x->r)};
    a->st->redundant++;
    return acl_an_emit(a, &res, x->r);
}

/* Whether removing rule i (not shadowed, residual res) changes nothing: res is decided the
 * same way by the later rules or by the list's fall-through. 1 yes, 0 no, -1 inexact. */
static int redundant(const acl_list *l, const effs *e, size_t i, acl_region *res, idxs *by, bool *fall)
{
    acl_action act = e->v[i].act;
    for (size_t k = i + 1; k < e->n && res->n; k++) {
        const eff *y = &e->v[k];
        /* a rule never matched decides nothing: a duplicate after this one does not make it
         * redundant (the duplicate is the one reported) */
        if (y->never || !acl_box_bb_meet(&res->bb, &y->box) || (y->partial && y->act == act))
            continue;
        if (!decisive(y->act) || y->partial || y->act != act) {
            if (acl_region_overlaps(res, &y->box))
                return 0;
            continue;
        }
        bool changed;
        if (!acl_region_subtract(res, &y->box, ACL_REGION_MAX, &changed))
            return -1;
        if (changed)
            idxs_push(by, k);
    }
    *fall = res->n > 0;
    return !res->n || (decisive(l->fallthrough) && l->fallthrough == act) ? 1 : 0;
}

static kw_rc conflicts(acl_an *a, const acl_list *l, const effs *e, size_t i)
{
    const eff *x = &e->v[i];
    size_t here = 0;
    kw_rc rc = KW_OK;
    for (size_t j = 0; j < i && rc == KW_OK && here < CONFLICTS_PER_RULE && a->conflicts < CONFLICTS_PER_CONFIG; j++) {
        const eff *y = &e->v[j];
        /* an earlier rule on loopback or on connection state overlaps every later deny: no news */
        if (!y->own || y->partial || acl_an_loopback_only(a->c, y->r) || !opposite(x->act, y->act) ||
            !acl_box_overlaps(&x->box, &y->box) ||
            acl_box_subset(&y->box, &x->box))
            continue;
        char lab[160], why[400], key[400];
        snprintf(why, sizeof why, "this rule %s part of what %s %s", act_verb(x->act),
                 acl_an_label(lab, sizeof lab, y->r), act_verb(y->act));
        audit_res res = {.id = "KW-ACL-CONFLICT", .title_en = "Rule overlaps part of an earlier rule with the opposite action",
                         .title_zh = "规则与前面动作相反的规则部分重叠", .status = AUDIT_NOTE, .severity = FINDING_INFO,
                         .refs = {.gb = ACL_GB_MINIMAL}, .found = lab, .expected = "no partial overlap",
                         .why = why, .fix = "Check that the order of the two rules says what is intended.",
                         .key = acl_an_key(key, sizeof key, l, x->r)};
        here++;
        a->conflicts++;
        a->st->conflicts++;
        rc = acl_an_emit(a, &res, x->r);
    }
    return rc;
}

/* Rule i (own, decisive): shadowed, else redundant, then its conflicts. */
static kw_rc one_rule(acl_an *a, const acl_list *l, const effs *e, size_t i)
{
    const eff *x = &e->v[i];
    acl_region res = {0};
    acl_region_init(&res, &x->box);
    idxs cov = {0};
    bool exact = true;
    for (size_t j = 0; j < i && res.n && exact; j++) {
        const eff *y = &e->v[j];
        if (!decisive(y->act) || y->partial || !acl_box_bb_meet(&res.bb, &y->box))
            continue;
        bool changed;
        exact = acl_region_subtract(&res, &y->box, ACL_REGION_MAX, &changed);
        if (changed)
            idxs_push(&cov, j);
    }
    kw_rc rc = KW_OK;
    bool shadowed = exact && !res.n && !acl_box_empty(&x->box);
    if (shadowed)
        rc = report_shadowed(a, l, e, i, &cov);
    else if (exact && res.n) {
        idxs by = {0};
        bool fall = false;
        /* a rule that logs is not redundant: without it the packets go unlogged */
        int red = x->r->log ? 0 : redundant(l, e, i, &res, &by, &fall);
        if (red == 1)
            rc = report_redundant(a, l, e, i, &by, fall);
        exact = red >= 0;
        free(by.v);
    }
    if (!exact && rc == KW_OK) {
        a->st->inexact++;
        rc = note_incomplete(a, l, x->r, "the exact analysis of this rule needs more than 4,096 boxes: it is not "
                                         "claimed shadowed or redundant");
    }
    if (!shadowed && rc == KW_OK && (x->act == ACL_PERMIT || x->act == ACL_DENY))
        rc = conflicts(a, l, e, i);
    free(cov.v);
    acl_region_free(&res);
    return rc;
}

/* Whether earlier decisive rules cover all of rule i's box (false when that takes more boxes
 * than the bound: nothing is claimed). */
static bool covered_by_earlier(const effs *e, size_t i)
{
    const eff *x = &e->v[i];
    if (acl_box_empty(&x->box))
        return false;
    acl_region res = {0};
    acl_region_init(&res, &x->box);
    bool exact = true;
    for (size_t j = 0; j < i && res.n && exact; j++) {
        const eff *y = &e->v[j];
        if (!decisive(y->act) || y->partial || !acl_box_bb_meet(&res.bb, &y->box))
            continue;
        bool changed;
        exact = acl_region_subtract(&res, &y->box, ACL_REGION_MAX, &changed);
    }
    bool covered = exact && !res.n;
    acl_region_free(&res);
    return covered;
}

static kw_rc order_list(acl_an *a, const acl_list *l)
{
    effs e = {0};
    walk w = {.c = a->c};
    w.stack[0] = l;
    flatten(&w, &e, l, NULL, false);
    for (size_t i = 0; i < e.n; i++)
        e.v[i].never = decisive(e.v[i].act) && covered_by_earlier(&e, i);
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < e.n && rc == KW_OK; i++)
        if (e.v[i].own && decisive(e.v[i].act))
            rc = one_rule(a, l, &e, i);
    if (rc == KW_OK && e.approx) {
        char why[400];
        snprintf(why, sizeof why, "the jump to %s is not followed (its list returns, is missing, or the jumps nest "
                 "too deep): the analysis of the rules after it is approximate (nothing false is claimed, "
                 "some shadowing may be missed)", e.approx_to ? e.approx_to : "?");
        rc = note_incomplete(a, l, e.approx, why);
    }
    effs_free(&e);
    return rc;
}

static kw_rc issues(acl_an *a)
{
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < a->c->nissues && rc == KW_OK; i++) {
        const acl_issue *is = &a->c->issues[i];
        /* the statement (or, for something absent, what is said of it): stable when lines move */
        char key[600];
        snprintf(key, sizeof key, "%s", is->text ? is->text : is->why ? is->why : is->id);
        audit_res res = {.id = is->id, .title_en = is->title_en, .title_zh = is->title_zh, .status = AUDIT_FAIL,
                         .severity = is->sev, .line = is->line, .text = is->text, .why = is->why, .fix = is->fix,
                         .key = key};
        rc = acl_an_emit(a, &res, NULL);
    }
    return rc;
}

kw_rc acl_analyze(const acl_config *c, const char *file, audit_emit emit, void *arg, acl_stats *st)
{
    acl_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    acl_an a = {.c = c, .file = file, .emit = emit, .arg = arg, .st = st};
    st->lists = c->nlists;
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < c->nlists && rc == KW_OK; i++) {
        st->rules += c->lists[i].n;
        rc = order_list(&a, &c->lists[i]);
        if (rc == KW_OK)
            rc = acl_check_list(&a, &c->lists[i]);
    }
    if (rc == KW_OK)
        rc = issues(&a);
    return rc;
}

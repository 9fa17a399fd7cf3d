/* drill_score.c: a drill run's stages against its targets, its responders, its weak spots in
 * words and its score (the rules are in drill_score.h). Pure: the facts come in, nothing is
 * read or written elsewhere. */
#include "drill/drill_score.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define W_MAIN 2.0 /* detected, notified, acked, declared */
#define W_ONE 1.0  /* a step, a department told */

typedef struct acc {
    drill_result *r;
    double earned, total;
} acc;

void drill_score_dur(int64_t ms, bool zh, char *out, size_t n)
{
    int64_t s = ms < 0 ? 0 : (ms + 500) / 1000;
    if (s < 60)
        snprintf(out, n, zh ? "%lld 秒" : "%lld s", (long long)s);
    else if (s < 3600)
        snprintf(out, n, zh ? "%lld 分钟" : "%lld min", (long long)((s + 30) / 60));
    else if ((s % 3600) / 60 == 0)
        snprintf(out, n, zh ? "%lld 小时" : "%lld h", (long long)(s / 3600));
    else
        snprintf(out, n, zh ? "%lld 小时 %lld 分钟" : "%lld h %lld min", (long long)(s / 3600),
                 (long long)((s % 3600) / 60));
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void weak(acc *a, const char *en, const char *zh)
{
    if (a->r->nweak >= DRILL_WEAK_MAX)
        return;
    drill_weak_spot *w = &a->r->weak[a->r->nweak++];
    copy(w->text, sizeof w->text, en);
    copy(w->text_zh, sizeof w->text_zh, zh);
}

static drill_stage *stage(acc *a, const char *name, const char *en, const char *zh)
{
    if (a->r->nstages >= DRILL_STAGES_MAX)
        return NULL;
    drill_stage *s = &a->r->stages[a->r->nstages++];
    copy(s->stage, sizeof s->stage, name);
    copy(s->label_en, sizeof s->label_en, en);
    copy(s->label_zh, sizeof s->label_zh, zh);
    s->target_s = s->measured_s = -1;
    return s;
}

/* What a stage met at `at` (0: never) against a target after start earns of weight w. */
static double credit(int64_t start, int64_t target, int64_t at, double w)
{
    if (!at)
        return 0;
    int64_t took = at - start;
    if (took <= target)
        return w;
    return w * 0.5 * (double)target / (double)took;
}

/* The measured time of at after start in seconds (-1: never). */
static int64_t measured(int64_t start, int64_t at)
{
    if (!at)
        return -1;
    return at > start ? (at - start) / 1000 : 0;
}

/* One of the four main stages: its row, its credit and, when missed, its weak spot. who_en
 * names who acted ("operations"; NULL: the stage's own words). */
typedef struct main_stage {
    const char *name, *en, *zh;
    const char *late_en, *late_zh;     /* "%sacknowledged after %s, target %s" style: who, took, target */
    const char *never_en, *never_zh;   /* "... never ... (target %s)" */
} main_stage;

static const main_stage stages_main[] = {
    {"detected", "detected", "检测", "%sdetected after %s, target %s", "%s检测用时 %s，目标 %s",
     "the drill was never detected (target %s)", "演练始终未被检测到（目标 %s）"},
    {"notified", "notified", "通知", "%snotified after %s, target %s", "%s通知用时 %s，目标 %s",
     "no notification was delivered (target %s)", "始终未送达通知（目标 %s）"},
    {"acked", "acknowledged", "确认", "%sacknowledged after %s, target %s", "%s确认用时 %s，目标 %s",
     "the alert was never acknowledged (target %s)", "告警始终无人确认（目标 %s）"},
    {"declared", "incident declared", "宣布事件", "%sdeclared the incident after %s, target %s",
     "%s宣布事件用时 %s，目标 %s", "no incident was declared (target %s)", "始终未宣布事件（目标 %s）"},
};

static void main_one(acc *a, const drill_score_in *in, size_t k, int64_t target, int64_t at, const char *who,
                     const char *who_en, const char *who_zh)
{
    if (!target)
        return;
    const main_stage *m = &stages_main[k];
    drill_stage *s = stage(a, m->name, m->en, m->zh);
    double c = credit(in->start_ms, target, at, W_MAIN);
    a->total += W_MAIN;
    a->earned += c;
    if (s) {
        s->target_s = target / 1000;
        s->measured_s = measured(in->start_ms, at);
        s->ok = at && at - in->start_ms <= target;
        copy(s->who, sizeof s->who, who);
    }
    char tg[48], tgz[48], en[DRILL_TEXT_MAX], zh[DRILL_TEXT_MAX];
    drill_score_dur(target, false, tg, sizeof tg);
    drill_score_dur(target, true, tgz, sizeof tgz);
    if (!at) {
        snprintf(en, sizeof en, m->never_en, tg);
        snprintf(zh, sizeof zh, m->never_zh, tgz);
        weak(a, en, zh);
    } else if (at - in->start_ms > target) {
        char took[48], tookz[48];
        drill_score_dur(at - in->start_ms, false, took, sizeof took);
        drill_score_dur(at - in->start_ms, true, tookz, sizeof tookz);
        char pre[160];
        snprintf(pre, sizeof pre, "%s%s", who_en ? who_en : "", who_en && *who_en ? " " : "");
        snprintf(en, sizeof en, m->late_en, pre, took, tg);
        snprintf(zh, sizeof zh, m->late_zh, who_zh ? who_zh : "", tookz, tgz);
        weak(a, en, zh);
    }
}

/* The declaration's playbook and grade: half the stage's credit is lost on either. */
static void declared_what(acc *a, const drill_score_in *in)
{
    if (!in->declared_target_ms || !in->declared_ms)
        return;
    char en[DRILL_TEXT_MAX], zh[DRILL_TEXT_MAX];
    drill_stage *s = a->r->nstages ? &a->r->stages[a->r->nstages - 1] : NULL;
    bool bad = false;
    if (in->playbook_expected && (!in->playbook || strcmp(in->playbook, in->playbook_expected) != 0)) {
        snprintf(en, sizeof en, "the incident was declared from playbook %s, expected %s",
                 in->playbook ? in->playbook : "(none)", in->playbook_expected);
        snprintf(zh, sizeof zh, "事件按预案 %s 宣布，应为 %s", in->playbook ? in->playbook : "（无）", in->playbook_expected);
        weak(a, en, zh);
        bad = true;
    }
    if (in->grade_expected && in->grade != in->grade_expected) {
        snprintf(en, sizeof en, "the incident was declared at grade %d, expected %d", in->grade, in->grade_expected);
        snprintf(zh, sizeof zh, "事件定级为 %d 级，应为 %d 级", in->grade, in->grade_expected);
        weak(a, en, zh);
        bad = true;
    }
    if (bad) {
        a->earned -= credit(in->start_ms, in->declared_target_ms, in->declared_ms, W_MAIN) / 2;
        if (s && strcmp(s->stage, "declared") == 0)
            s->ok = false;
    }
}

static void step_one(acc *a, const drill_score_step *st)
{
    char name[160], en[DRILL_TEXT_MAX], zh[DRILL_TEXT_MAX], who[96];
    snprintf(name, sizeof name, "step:%s", st->name ? st->name : "?");
    snprintf(who, sizeof who, "%s%s%s", st->owner ? " (" : "", st->owner ? st->owner : "", st->owner ? ")" : "");
    drill_stage *s = stage(a, name, st->name, st->name);
    a->total += W_ONE;
    bool late = st->due_ms && st->done_ms > st->due_ms;
    if (s) {
        s->target_s = -1;
        s->measured_s = -1;
        s->ok = st->done_ms && !st->skipped && !late;
        copy(s->who, sizeof s->who, st->done_by ? st->done_by : st->owner);
    }
    if (st->skipped) {
        snprintf(en, sizeof en, "step %s%s skipped", st->name, who);
        snprintf(zh, sizeof zh, "步骤 %s%s 被跳过", st->name, who);
        weak(a, en, zh);
    } else if (!st->done_ms) {
        snprintf(en, sizeof en, "step %s%s was not done", st->name, who);
        snprintf(zh, sizeof zh, "步骤 %s%s 未完成", st->name, who);
        weak(a, en, zh);
    } else if (late) {
        char d[48], dz[48];
        drill_score_dur(st->done_ms - st->due_ms, false, d, sizeof d);
        drill_score_dur(st->done_ms - st->due_ms, true, dz, sizeof dz);
        snprintf(en, sizeof en, "step %s%s done %s late", st->name, who, d);
        snprintf(zh, sizeof zh, "步骤 %s%s 晚 %s 完成", st->name, who, dz);
        weak(a, en, zh);
        a->earned += W_ONE * 0.5;
    } else {
        a->earned += W_ONE;
    }
}

/* Step stages carry the step's due and done times relative to the start when known. */
static void step_times(drill_stage *s, int64_t start, const drill_score_step *st)
{
    if (!s)
        return;
    if (st->due_ms)
        s->target_s = st->due_ms > start ? (st->due_ms - start) / 1000 : 0;
    s->measured_s = measured(start, st->done_ms);
}

static void told_one(acc *a, const drill_score_in *in, const drill_score_told *t)
{
    char name[160], en[DRILL_TEXT_MAX], zh[DRILL_TEXT_MAX];
    const char *wen = t->name_en ? t->name_en : t->department, *wzh = t->name_zh ? t->name_zh : t->department;
    snprintf(name, sizeof name, "told:%s", t->department ? t->department : "?");
    snprintf(en, sizeof en, "%s told", wen);
    snprintf(zh, sizeof zh, "告知%s", wzh);
    drill_stage *s = stage(a, name, en, zh);
    a->total += W_ONE;
    if (s) {
        s->measured_s = measured(in->start_ms, t->told_ms);
        s->ok = t->told_ms != 0;
    }
    if (t->told_ms) {
        a->earned += W_ONE;
        return;
    }
    const char *kind = t->department && strncmp(t->department, "kind:", 5) == 0 ? t->department + 5 : NULL;
    if (t->no_route && kind) {
        snprintf(en, sizeof en, "%s was never told: no route for department kind %s", wen, kind);
        snprintf(zh, sizeof zh, "%s始终未获告知：没有通往 %s 类部门的通知渠道", wzh, kind);
    } else if (t->no_route) {
        snprintf(en, sizeof en, "%s was never told: no route for department %s", wen, t->department);
        snprintf(zh, sizeof zh, "%s始终未获告知：没有通往部门 %s 的通知渠道", wzh, t->department);
    } else {
        snprintf(en, sizeof en, "%s was never told", wen);
        snprintf(zh, sizeof zh, "%s始终未获告知", wzh);
    }
    weak(a, en, zh);
}

static bool same(const char *x, const char *y) { return x && y && strcmp(x, y) == 0; }

static bool person_acted(const drill_score_in *in, const char *name)
{
    if (same(name, in->acked_by) || same(name, in->declared_by))
        return true;
    for (size_t i = 0; i < in->nsteps; i++)
        if (in->steps[i].done_ms && same(name, in->steps[i].done_by))
            return true;
    for (size_t i = 0; i < in->nactors; i++)
        if (same(name, in->actors[i]))
            return true;
    return false;
}

static void responders(acc *a, const drill_score_in *in)
{
    for (size_t i = 0; i < in->npeople && a->r->nresponders < DRILL_RESPONDERS_MAX; i++) {
        const drill_score_person *p = &in->people[i];
        bool dup = false;
        for (size_t k = 0; k < a->r->nresponders && !dup; k++)
            dup = same(p->name, a->r->responders[k].name);
        if (!p->name || dup)
            continue;
        drill_responder *r = &a->r->responders[a->r->nresponders++];
        copy(r->name, sizeof r->name, p->name);
        copy(r->department, sizeof r->department, p->department);
        r->acted = person_acted(in, p->name);
    }
}

void drill_score(const drill_score_in *in, drill_result *out)
{
    memset(out, 0, sizeof *out);
    acc a = {.r = out};
    main_one(&a, in, 0, in->detected_target_ms, in->detected_ms, in->detected_rule, NULL, NULL);
    main_one(&a, in, 1, in->notified_target_ms, in->notified_ms, NULL, NULL, NULL);
    const char *ack_who = in->acked_department ? in->acked_department : in->acked_by;
    main_one(&a, in, 2, in->acked_target_ms, in->acked_ms, in->acked_by, ack_who, ack_who);
    main_one(&a, in, 3, in->declared_target_ms, in->declared_ms, in->declared_by, in->declared_by, in->declared_by);
    declared_what(&a, in);
    for (size_t i = 0; in->steps_on_time && i < in->nsteps; i++) {
        step_one(&a, &in->steps[i]);
        if (out->nstages && strncmp(out->stages[out->nstages - 1].stage, "step:", 5) == 0)
            step_times(&out->stages[out->nstages - 1], in->start_ms, &in->steps[i]);
    }
    for (size_t i = 0; i < in->ntold; i++)
        told_one(&a, in, &in->told[i]);
    responders(&a, in);
    out->score = a.total > 0 ? (int)(100.0 * a.earned / a.total + 0.5) : 100;
    if (out->score < 0)
        out->score = 0;
    if (out->score > 100)
        out->score = 100;
}

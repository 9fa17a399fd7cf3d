/* A drill run's scoring (drill_score.c), pure: no I/O, no clock. The caller (drill_run.c)
 * measures what happened (from the store: the drill's alerts and their history, the notify
 * outbox, the drill incident and its steps, the tabletop marks) and hands the facts here with
 * the scenario's targets; out come the stages (measured beside target), who responded, the
 * weak spots in words (en and zh) and a score of 0-100.
 *
 * The score: every expected stage has a weight (detected, notified, acked, declared: 2 each;
 * each playbook step and each department to be told: 1). A stage met on time earns its whole
 * weight; one met late earns half its weight times target/measured (so 2x late earns a
 * quarter); one never met, or a skipped step, earns nothing; a declaration from another
 * playbook or at another grade than expected earns half. The score is the earned share of the
 * total weight, rounded; a run with nothing expected scores 100. */
#ifndef KW_DRILL_SCORE_H
#define KW_DRILL_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A playbook step of the drill's incident. */
typedef struct drill_score_step {
    const char *name;
    const char *owner;          /* the step's owner as the playbook says it (may be NULL) */
    int64_t due_ms;             /* when it was due (0: no deadline) */
    int64_t done_ms;            /* when it was done (0: not done) */
    bool skipped;
    const char *done_by;        /* who did it (may be NULL) */
} drill_score_step;

/* A department the scenario expects told. */
typedef struct drill_score_told {
    const char *department;     /* as the scenario names it: a name or kind:KIND */
    const char *name_en, *name_zh; /* in words: "customer service", "客服" (NULL: department) */
    int64_t told_ms;            /* first delivery to one of its channels (0: never) */
    bool no_route;              /* no channel of the configuration reaches it */
} drill_score_told;

/* Someone expected to respond (participants, step owners, the duty officer). */
typedef struct drill_score_person {
    const char *name;
    const char *department;     /* may be NULL */
} drill_score_person;

/* The facts and the targets. Times are absolute (ms since the epoch), 0 meaning never;
 * targets are after start_ms, 0 meaning not expected. */
typedef struct drill_score_in {
    int64_t start_ms;           /* the first injection (a tabletop: the run's start) */
    int64_t detected_target_ms, notified_target_ms, acked_target_ms, declared_target_ms;
    int64_t detected_ms, notified_ms, acked_ms, declared_ms;
    const char *detected_rule;  /* the alert's rule (may be NULL) */
    const char *acked_by, *acked_department; /* who acknowledged (may be NULL) */
    const char *declared_by;
    const char *playbook_expected, *playbook; /* NULL: any / none */
    int grade_expected, grade;  /* 0: any / unknown */
    bool steps_on_time;         /* each step is a stage */
    const drill_score_step *steps;
    size_t nsteps;
    const drill_score_told *told;
    size_t ntold;
    const drill_score_person *people;
    size_t npeople;
    const char *const *actors;  /* others who acted (tabletop marks' by) */
    size_t nactors;
} drill_score_in;

#define DRILL_STAGES_MAX 64
#define DRILL_WEAK_MAX 64
#define DRILL_RESPONDERS_MAX 64
#define DRILL_TEXT_MAX 320

typedef struct drill_stage {
    char stage[160];            /* detected, notified, acked, declared, step:NAME, told:DEPT */
    char label_en[192], label_zh[192];
    int64_t target_s;           /* -1: no target */
    int64_t measured_s;         /* -1: never */
    bool ok;
    char who[128];              /* "" none */
} drill_stage;

typedef struct drill_weak_spot {
    char text[DRILL_TEXT_MAX], text_zh[DRILL_TEXT_MAX];
} drill_weak_spot;

typedef struct drill_responder {
    char name[128], department[128];
    bool acted;
} drill_responder;

typedef struct drill_result {
    drill_stage stages[DRILL_STAGES_MAX];
    size_t nstages;
    drill_weak_spot weak[DRILL_WEAK_MAX];
    size_t nweak;
    drill_responder responders[DRILL_RESPONDERS_MAX];
    size_t nresponders;
    int score;                  /* 0-100 */
} drill_result;

/* Scores in into *out (the caller's, overwritten; rows past the _MAX bounds are left out). */
void drill_score(const drill_score_in *in, drill_result *out);

/* A duration in words: "45 s", "14 min", "1 h 5 min" (en) or "45 秒", "14 分钟", "1 小时 5 分钟". */
void drill_score_dur(int64_t ms, bool zh, char *out, size_t n);

#endif

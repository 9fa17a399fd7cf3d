/* Inside the injections (drill_inject*.c): each kind's start, poll and stop behind the one
 * handle drill_inject.c hands out. Not for other subsystems. */
#ifndef KW_DRILL_INJECT_INT_H
#define KW_DRILL_INJECT_INT_H

#include "drill/drill_inject.h"

/* One kind's running injection: its own state behind st, its poll and its stop (which frees
 * st). */
typedef struct drill_inj_ops {
    bool (*done)(void *st, int64_t now_ms, bool *failed, char *err, size_t n);
    void (*stop)(void *st);
} drill_inj_ops;

struct drill_inj {
    int kind;                   /* drill_inj_kind */
    const drill_inj_ops *ops;
    void *st;
};

/* Each kind's start: on KW_OK *st and *ops are set (the handle's). */
kw_rc drill_replay_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now_ms, drill_seen *seen,
                         void **st, const drill_inj_ops **ops, char *err, size_t n);
kw_rc drill_log_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now_ms, drill_seen *seen,
                      void **st, const drill_inj_ops **ops, char *err, size_t n);
kw_rc drill_check_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now_ms, drill_seen *seen,
                        void **st, const drill_inj_ops **ops, char *err, size_t n);

/* Each kind's words for the plan (lang "zh" or "en"), and its checks here (err). */
kw_rc drill_replay_plan(const conf *c, const conf_drill_inject *x, bool zh, kw_buf *out, char *err, size_t n);
kw_rc drill_log_plan(const conf *c, const conf_drill_inject *x, bool zh, kw_buf *out, char *err, size_t n);
kw_rc drill_check_plan(const conf *c, const conf_drill_inject *x, bool zh, kw_buf *out, char *err, size_t n);

/* Where a log injection's lines go: resolved from x and the logs: section. */
typedef struct drill_log_dest {
    char file[512];             /* a watched file, or "" */
    bool tcp;                   /* syslog over TCP (else UDP) */
    char host[256], port[16];   /* the listener, when file is "" */
} drill_log_dest;
kw_rc drill_log_dest_of(const conf *c, const conf_drill_inject *x, drill_log_dest *d, char *err, size_t n);

#endif

/* The injections of a drill run (drill_inject*.c): what goes through the real sensors. Each
 * injection is started, polled until it is done and stopped (at once, by `drill stop` or at
 * the run's end), and says what it makes the sensors see, so that the alerts it causes are
 * marked as the drill's and no other:
 *   replay  built-in captures generated for the scenario (syn_flood, udp_reflection, port_scan,
 *           brute_force, aimed at the injection's target) or a pcap file, replayed by tcpreplay
 *           from a network namespace keepwatch creates through a veth pair whose other end the
 *           net module captures for the run, or into a configured interface;
 *   log     built-in line sets (ssh_brute_force, web_attack, firewall_deny, db_login_failure)
 *           or given lines, appended to a watched file or sent to the syslog listener;
 *   check   a check forced down (drill_check_forced answers true for it until then);
 *   alert   a synthetic alert of a rule, through the core like any detector's.
 * Injections run on the leader's drill thread; they never block it for longer than a poll. */
#ifndef KW_DRILL_INJECT_H
#define KW_DRILL_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "drill/drill_conf.h"

struct kw_core;

/* What the run's injections share. */
typedef struct drill_inject_env {
    const conf *conf;
    struct kw_core *core;       /* NULL for a dry run (nothing is started) */
    int64_t run_id;             /* names the namespace's and the veth pair's run: kwd<id>a / kwd<id>b */
    const char *scenario;
    const char *work_dir;       /* the run's own directory for generated captures (removed after) */
} drill_inject_env;

/* What an injection makes the sensors see: an alert change is the drill's when one of its
 * labels' values is one of these (the drill's own interface, its attacking addresses). */
#define DRILL_SEEN_MAX 64
typedef struct drill_seen {
    char values[DRILL_SEEN_MAX][64];
    size_t n;
    char check[128];            /* a check forced down ("" none) ... */
    int64_t check_until_ms;     /* ... until then */
} drill_seen;

typedef struct drill_inj drill_inj;

/* Starts x for the run env at now; on KW_OK *out is the caller's (drill_inject_stop frees it)
 * and seen says what it makes the sensors see. err (n bytes) says why it could not start
 * (no tcpreplay, no capability to make a namespace, a file not watched...). */
kw_rc drill_inject_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now_ms, drill_seen *seen,
                         drill_inj **out, char *err, size_t n);
/* Whether j has finished at now (its capture replayed, its lines sent, its check's time over);
 * *failed (may be NULL) says it ended in error, with err (n bytes) saying why. */
bool drill_inject_done(drill_inj *j, int64_t now_ms, bool *failed, char *err, size_t n);
/* Ends j at once (kills tcpreplay, stops the lines, releases the check, removes the namespace,
 * the veth pair and the generated files) and frees it. NULL is a no-op. */
void drill_inject_stop(drill_inj *j);
/* For `drill check` and `--dry-run`: what x would do, in words (lang "zh" or "en"), appended to
 * out; KW_ERR_* with err when it could not run here (a missing file or command, no privilege). */
kw_rc drill_inject_plan(const conf *c, const conf_drill_inject *x, const char *lang, kw_buf *out, char *err, size_t n);

#endif

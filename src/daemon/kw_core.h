/* What `keepwatch serve` shares with the modules it runs: the kw_core context (the event
 * queue, the alert engine, the metric registry, the store, what the HTTP threads read) and the
 * kw_module shape every subsystem the daemon runs fills in (src/X/X_module.c). A module
 * includes its own subsystem and this header; the daemon walks the table of
 * daemon_modules.h and holds no module's glue.
 *
 * Threads: start, reload and stop run on the daemon's main thread, one module after another;
 * tick runs on the core thread. */
#ifndef KW_CORE_H
#define KW_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "alert/alert.h"
#include "conf/conf.h"
#include "core/kw_err.h"
#include "core/kw_queue.h"
#include "event/event.h"
#include "http/http.h"
#include "metric/metric.h"
#include "store/store.h"

#define KW_CORE_JOIN_MS 1500 /* how long a reload waits for a module's threads to stop */

struct intel;

/* The intelligence lists the captures and the log sensor share (intel_module.c reads them
 * when one of them first asks, re-reads them from the core thread, frees them at the end). */
typedef struct kw_core_intel {
    pthread_mutex_t mu;       /* guards all of this */
    struct intel *lists;      /* NULL until a module asked (intel_module_share) */
    int64_t next_ms;          /* kw_mono_ms() of the next re-read */
    int64_t interval_ms;      /* intel.reload_interval in force */
} kw_core_intel;

/* What a drill makes the sensors see, shared under mu by the drill module (which keeps the
 * marks of the runs in progress on every server, src/drill/drill_mark.c), the core thread
 * (which marks the alert changes they match before they are written), the checks (forced
 * down) and the captures (opened on a drill's own interface by the net module). */
struct drill_marks;
struct kw_core;
typedef struct kw_core_drill {
    pthread_mutex_t mu;
    struct drill_marks *marks;  /* the drill module's; NULL: no drill in progress */
    /* set by the drill module at start: marks acts (labels.drill, a new fingerprint) the marks
     * match; the core thread calls it on every batch before writing. NULL: no drill module. */
    void (*mark)(struct kw_core *core, alert_acts *acts);
    /* set by the net module at start: opens (closes) a live capture on ifname, as one of
     * net.interfaces is; err says why not (no capability left, no such interface). */
    kw_rc (*capture_open)(void *arg, const char *ifname, char *err, size_t n);
    void (*capture_close)(void *arg, const char *ifname);
    void *capture_arg;
} kw_core_drill;

/* The daemon's context, made and freed by daemon.c; modules keep a pointer to it. */
typedef struct kw_core {
    kw_queue *queue;            /* readings and alert changes for the core thread */
    metric_registry *registry;  /* what /metrics serves */
    http_shared *sh;            /* what the HTTP threads read (locked) */
    kw_store *store;            /* the core thread's handle: a module may use it in start,
                                 * before the core thread runs, and in tick */
    const char *store_path;     /* for modules that open their own handle */
    alert_engine *engine;       /* the core thread's: tick only */
    /* The leader's scheduled work (core/kw_sched.h): modules register their jobs in start and
     * reload and drop them in stop; the core thread ticks it after the modules' ticks (under
     * the same lock as they, so no job starts while a module reloads). */
    struct kw_sched *sched;
    kw_core_intel intel;
    kw_core_drill drill;
    struct {                    /* daemon.user, for the commands checks run while still root */
        bool on;
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        int ngroups;
    } run_as;
    bool dropped_privileges;    /* captures and log files cannot be reopened any more */
    /* Several servers on one store: the leadership epoch while this server leads, 0 while
     * another does (daemon_lead.c; on SQLite always leading). Work that must run once (notify,
     * the store's upkeep, the sweep of servers gone) runs only while it is not 0. */
    _Atomic int_fast64_t lead_epoch;
    bool leaked;                /* a module left behind a thread that reads its configuration:
                                 * no configuration is freed from then on (sticky) */
} kw_core;

/* When in the start-up a module starts (the table is in this order). */
typedef enum kw_module_phase {
    KW_PHASE_STORE, /* before the store opens: what configures it */
    KW_PHASE_ROOT,  /* before the privileges go: sockets, captures, log files */
    KW_PHASE_USER,  /* as daemon.user, before the core thread */
} kw_module_phase;

typedef struct kw_module {
    const char *name;
    kw_module_phase phase;
    /* Starts the module on c (which outlives it until its reload or stop) and sets *state.
     * KW_OK lets the daemon go on (a module that logs what failed and runs without it returns
     * KW_OK too); any other code stops the start-up, with nothing of the module left to stop. */
    kw_rc (*start)(kw_core *core, const conf *c, void **state);
    /* Moves the module from old to next on SIGHUP; old is freed after every module reloaded.
     * What cannot change without a restart is logged here. NULL: nothing to do. */
    void (*reload)(void *state, const conf *old, const conf *next);
    /* Stops the module and frees state, its threads given up to budget_ms to end. It runs on
     * the main thread while the core thread still drains the queue and writes through
     * core->store: a stop that writes opens a store handle of its own (store_open). */
    void (*stop)(void *state, int64_t budget_ms);
    /* Called by the core thread at each turn of its loop (at least every 250 ms); alert
     * changes appended to acts are committed by the core. NULL: none. */
    void (*tick)(void *state, int64_t now_ms, alert_acts *acts);
    /* NULL-terminated: the series it puts into the registry itself. NULL: none, or declared
     * inside the subsystem. */
    const metric_desc *const *metrics;
    /* Its own tables: migrations[v] brings them from version v to v + 1 on either backend
     * (store_migrate_part, under the module's name), run when the store opens, before any
     * module starts; nmigrations of them. Append, never edit a released one. NULL: none. */
    const store_migration *migrations;
    size_t nmigrations;
    /* The HTTP routes it serves (NULL-terminated; handlers in src/X/X_api.c), answered by the
     * HTTP threads after authentication and CSRF checks. NULL: none. */
    const http_route *routes;
    /* Its config section (src/X/X_conf.c), for what is to come; NULL for every module today. */
    const struct cf_section *conf;
} kw_module;

/* Whether this server leads now (any thread). A module that caches this at its tick answers
 * an API call made between the start and its first tick with a stale "does not lead": read
 * it here instead. */
static inline bool kw_core_leads(const kw_core *core) { return atomic_load(&core->lead_epoch) != 0; }

/* Hands ev to the core; when the queue is full it is freed and the drop counted (and
 * logged at the 1st, 2nd, 4th... drop). */
void kw_core_push(kw_core *core, kw_event *ev);

/* Hands ev to the core, waiting up to 2 s for room: for what must not be dropped. False
 * (ev still the caller's) if there was none. */
bool kw_core_push_waiting(kw_core *core, kw_event *ev);

/* A detector restarted by a reload forgets what it was detecting: tells the core to hold its
 * open alerts until it reports them again (or resolves them after alerts.stale_after). */
void kw_core_detector_stopped(kw_core *core, const char *source);

/* Sensor threads that sleep between readings and stop together. */
typedef struct kw_sensors kw_sensors;

/* Returns an empty group for up to cap threads; kw_sensors_stop frees it. */
kw_sensors *kw_sensors_new(size_t cap);

/* Starts fn(arg) in a thread of the group (512 KiB of stack); label names it in the log
 * ("host sensor", "check web"). The group owns arg from now on and frees it with free()
 * once the thread is joined. False (arg freed) if no thread could be made. */
bool kw_sensors_spawn(kw_sensors *g, void *(*fn)(void *), void *arg, const char *label);

/* For the group's threads: sleeps until the monotonic time `until`; false if the group is
 * stopping. */
bool kw_sensors_wait(kw_sensors *g, int64_t until);

/* For the group's threads: the flag that says the group is stopping. */
atomic_bool *kw_sensors_stopping(kw_sensors *g);

/* Stops every thread and frees the group. One that does not stop within the budget (a
 * resolver hung in getaddrinfo) is logged and left behind, detached, with the group and its
 * args: *leaked is then set (kw_core.leaked: the configuration they read must stay) and false
 * returned. NULL is a no-op (true). */
bool kw_sensors_stop(kw_sensors *g, int64_t budget_ms, bool *leaked);

#endif

/* Inside the server's agent module: the hub that the HTTP threads (agent_http.c) and the core
 * thread (agent_module.c) share. It lives as long as the process: the metric descriptions and
 * label keys it interns are referred to by the registry's samples until the end. */
#ifndef AGENT_INT_H
#define AGENT_INT_H

#include <pthread.h>

#include "agent/agent.h"
#include "daemon/kw_core.h"
#include "store/store_agent.h"

#define AGENT_HUB_MAX_AGENTS 100000
#define AGENT_HUB_MAX_DESCS 4096  /* metric names from agents */
#define AGENT_HUB_MAX_KEYS 1024   /* label keys from agents */

/* An agent as this server knows it. Batch numbers are taken here, in memory (a write to the
 * store per batch would wait on the core's group commit); the core thread writes them to the
 * store about every second (store_agent_note), and a server that starts takes them up from
 * there. */
typedef struct agent_seen {
    int64_t id;
    char name[STORE_AGENT_NAME_MAX];
    int64_t last_ms;          /* the last batch (wall clock), or when the server started */
    int64_t enrolled_ms;      /* of the enrolment its numbers count from (0: not known yet) */
    int64_t last_seq;         /* the newest batch number taken */
    char address[64];         /* where the last batch came from */
    char version[32];         /* the keepwatch it came from ("" not said) */
    bool dirty;               /* taken since the store was last told */
    bool firing;              /* agent_silent is open */
    bool mark;                /* still in the store at the last refresh */
} agent_seen;

typedef struct agent_hub {
    pthread_mutex_t mu;       /* guards all of this */
    kw_core *core;            /* NULL while the module does not run: batches get 503 */
    int64_t silent_after_ms;
    agent_seen *v;
    size_t n, cap;
    metric_desc **descs;
    size_t ndescs, dcap;
    char **keys;
    size_t nkeys, kcap;
    uint64_t accepted, duplicates, unauthorized, limited, enrolled, samples, dropped_samples;
    uint64_t refused[AGENT_BAD_COUNT];
    agent_central *central;   /* agent.groups as the server's config has them (NULL: none) */
    char (*due)[STORE_AGENT_NAME_MAX]; /* agents whose stored package list is checked next */
    size_t ndue, duecap;
    pthread_cond_t due_cv;    /* signalled when one is added, or when the module stops */
    bool stopping;            /* the package thread is to end */
    uint64_t lists_stored, lists_checked, lists_failed;
    void *self;               /* the module's state while it runs (agent_module_audit's) */
    int inflight;             /* agent_module_audit calls under way: stop waits for them */
    uint64_t audits_recorded, audits_failed;
} agent_hub;

/* The one hub of the process. */
extern agent_hub agent_hub_the;

/* Under hub->mu: the agent id (name), added if new, seen at now_ms. NULL when the hub is full. */
agent_seen *agent_hub_seen_locked(agent_hub *h, int64_t id, const char *name, int64_t now_ms);
/* Under hub->mu: takes batch number seq of agent a (as the store knows it) at now_ms from
 * address: true when it is newer than every batch taken since a's enrolment (it is the last
 * now, *prev the one before), false for a replay or when the hub is full (*prev: -1). Either
 * way the agent has reported. */
bool agent_hub_claim_locked(agent_hub *h, const store_agent *a, int64_t seq, int64_t now_ms, const char *address,
                            int64_t *prev);
/* Under hub->mu: gives batch number seq of agent id back (it could not be handed on). */
void agent_hub_unclaim_locked(agent_hub *h, int64_t id, int64_t seq, int64_t prev);
/* Under hub->mu: the description for a sample's name and type (interned, lives forever);
 * NULL once AGENT_HUB_MAX_DESCS names are taken. */
const metric_desc *agent_hub_desc_locked(agent_hub *h, const char *name, metric_type type, bool history);
/* Under hub->mu: the interned copy of a label key; NULL once AGENT_HUB_MAX_KEYS are taken. */
const char *agent_hub_key_locked(agent_hub *h, const char *key);

/* Under hub->mu: agent name's package list is to be checked (once, however often it is asked). */
void agent_hub_due_locked(agent_hub *h, const char *name);

/* Under hub->mu: whether agent_silent is open for agent id (-1: not watched by this server). */
int agent_hub_silent_locked(const agent_hub *h, int64_t id);

/* Canonical labels JSON (keys sorted) of pairs lk/lv[n] (at most AGENT_MAX_ALERT_LABELS) plus
 * host=host. Caller frees. */
char *agent_labels_json(const char *const *lk, const char *const *lv, size_t n, const char *host);

/* ---- the host baseline (agent_audit.c) ---- */

/* The server's: records the results an agent sent for host as a findings run of the host
 * audit (source "agent HOST") on st, and compares them with the last ones (drift). note
 * gets the drift's word (audit_drift_take); counts in *k. */
struct findings_kev;
struct findings_counts;
kw_rc agent_audit_record(kw_store *st, const conf *c, const struct findings_kev *kev, const char *host,
                         const agent_audit *au, struct findings_counts *k, char *note, size_t noten, char *err,
                         size_t errn);

/* The agent module's: agent_audit_record with the configuration in force. */
kw_rc agent_module_audit(kw_store *st, const char *host, const agent_audit *au, char *err, size_t errn);

#endif

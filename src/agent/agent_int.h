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

typedef struct agent_seen {
    int64_t id;
    char name[STORE_AGENT_NAME_MAX];
    int64_t last_ms;          /* the last batch (wall clock), or when the server started */
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
    uint64_t accepted, duplicates, unauthorized, enrolled, samples, dropped_samples;
    uint64_t refused[AGENT_BAD_COUNT];
} agent_hub;

/* The one hub of the process. */
extern agent_hub agent_hub_the;

/* Under hub->mu: the agent id (name) reported at now_ms (added if new). */
void agent_hub_seen_locked(agent_hub *h, int64_t id, const char *name, int64_t now_ms);
/* Under hub->mu: the description for a sample's name and type (interned, lives forever);
 * NULL once AGENT_HUB_MAX_DESCS names are taken. */
const metric_desc *agent_hub_desc_locked(agent_hub *h, const char *name, metric_type type, bool history);
/* Under hub->mu: the interned copy of a label key; NULL once AGENT_HUB_MAX_KEYS are taken. */
const char *agent_hub_key_locked(agent_hub *h, const char *key);

/* Under hub->mu: whether agent_silent is open for agent id (-1: not watched by this server). */
int agent_hub_silent_locked(const agent_hub *h, int64_t id);

/* Canonical labels JSON (keys sorted) of pairs lk/lv[n] plus host=host. Caller frees. */
char *agent_labels_json(const char *const *lk, const char *const *lv, size_t n, const char *host);

#endif

/* The agent subsystem's tables (store_agent.c): enrolled agents (name, the SHA-256 of their
 * credential, when enrolled, last seen, the last batch number taken, revoked), the one-time
 * enrolment tokens (SHA-256, name, expiry, used) and each agent's last package list. Only hashes are kept: a copy of the store
 * enrols nobody and speaks for no agent. The tables are the agent module's (kw_module
 * .migrations): store_agent_migrate brings them up for the commands that open the store. */
#ifndef STORE_AGENT_H
#define STORE_AGENT_H

#include "store/store.h"

#define STORE_AGENT_NAME_MAX 64

typedef struct store_agent {
    int64_t id;
    char name[STORE_AGENT_NAME_MAX];
    char address[64];        /* where its last batch came from ("" never) */
    char version[32];        /* the keepwatch its last batch came from ("" not known) */
    int64_t enrolled_ms;     /* 0: a token waits, nobody enrolled yet */
    int64_t last_seen_ms;    /* 0: never reported */
    int64_t last_seq;        /* the newest batch number taken */
    int64_t revoked_ms;      /* 0: not revoked */
    int64_t token_expires_ms; /* of its newest unused token (0: none) */
} store_agent;

/* The migrations of the agent module's tables, for kw_module and store_agent_migrate:
 * STORE_AGENT_VERSIONS of them. */
#define STORE_AGENT_VERSIONS 3
extern const store_migration store_agent_migrations[STORE_AGENT_VERSIONS];
extern const size_t store_agent_nmigrations;
/* Brings the agent tables up to date (store_migrate_part "agent"). */
kw_rc store_agent_migrate(kw_store *s);

/* Whether name is an agent name: 1 to 63 of [A-Za-z0-9._-], not starting with '.' or '-'. */
bool store_agent_name_ok(const char *name);

/* Records a one-time enrolment token (its hex SHA-256) for name, good until expires_ms. */
kw_rc store_agent_token_add(kw_store *s, const char *name, const char *hash_hex, int64_t now_ms, int64_t expires_ms);
/* Spends an enrolment token: the agent it names gets the credential cred_hash (a new agent, or
 * one enrolled or revoked before: its old credential stops working, its batch numbers start
 * again) inside the caller's transaction. KW_ERR_NOTFOUND: no such token; KW_ERR_RANGE: used
 * or expired. *out: the agent as enrolled. */
kw_rc store_agent_enroll(kw_store *s, const char *token_hash, const char *cred_hash, const char *address,
                         int64_t now_ms, store_agent *out);
/* The agent a credential's hash names. KW_ERR_NOTFOUND: none; KW_ERR_RANGE: revoked. */
kw_rc store_agent_auth(kw_store *s, const char *cred_hash, store_agent *out);
/* Notes agent id's newest batch number taken, when and from where it last reported (numbers
 * and times only move forward) and its version ("" or NULL: the one noted before), if it is
 * still at the enrolment of enrolled_ms. */
kw_rc store_agent_note(kw_store *s, int64_t id, int64_t enrolled_ms, int64_t last_seq, int64_t seen_ms,
                       const char *address, const char *version);
/* Revokes the agent name (its credential and unused tokens). KW_ERR_NOTFOUND: no such agent;
 * KW_ERR_RANGE: already revoked. */
kw_rc store_agent_revoke(kw_store *s, const char *name, int64_t now_ms);
/* Calls fn for every agent, enrolled or waiting for its token, by name. */
kw_rc store_agent_each(kw_store *s, void (*fn)(void *, const store_agent *), void *arg);

/* An agent's installed packages as its last packages section said them (host_packages): the
 * section's manager, its os object and its list array as JSON text. */
typedef struct store_agent_packages {
    char host[STORE_AGENT_NAME_MAX];
    char *manager, *os_json, *list_json; /* owned by a row read (store_agent_packages_free) */
    int64_t packages;                    /* how many the list holds */
    int64_t received_ms;
} store_agent_packages;

/* Replaces host's list with p (the strings are the caller's). */
kw_rc store_agent_packages_put(kw_store *s, const store_agent_packages *p);
/* Reads host's list into *out (the caller frees it with store_agent_packages_free). KW_ERR_NOTFOUND: none. */
kw_rc store_agent_packages_get(kw_store *s, const char *host, store_agent_packages *out);
void store_agent_packages_free(store_agent_packages *p);
/* Calls fn for every host with a stored list, by name. */
kw_rc store_agent_packages_each(kw_store *s, void (*fn)(void *, const char *host), void *arg);

#endif

/* The drill subsystem's face: its module (drill_module.c: on the leader, the runs requested
 * through the store or scheduled, their injections and their scoring; on every server, the
 * marks of the runs in progress) and its HTTP routes (drill_api.c). The pieces:
 * drill_conf.h (the scenarios), drill_inject.h (the injections through the real sensors),
 * drill_score.h (a run's stages against its targets, the weak spots), store_drill.h (the
 * runs). */
#ifndef KW_DRILL_H
#define KW_DRILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct kw_core;

/* Whether the check named check is forced down by a drill in progress at now (why, n bytes:
 * "drill #12 (ddos): forced down"): the checks ask before each run. Any thread. */
bool drill_check_forced(struct kw_core *core, const char *check, int64_t now_ms, char *why, size_t n);

struct kw_module;
extern const struct kw_module drill_module;
extern const http_route drill_routes[];

#endif

/* What every child keepwatch starts gets (kw_spawn.c): a clean slate for posix_spawn. */
#ifndef KW_SPAWN_H
#define KW_SPAWN_H

#include <spawn.h>

/* Initialises at so the child has no signal blocked (the daemon blocks them in its threads),
 * every disposition at its default, and a process group of its own (killed as one). The
 * caller destroys at. */
void kw_spawnattr_clean(posix_spawnattr_t *at);

#endif

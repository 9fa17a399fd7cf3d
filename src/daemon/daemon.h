/* `keepwatch serve`: the threads and how they meet.
 *
 *   host sensor thread ─┐
 *   one thread per check ┼─> bounded queue ─> core thread ─> rules, store, events.jsonl
 *                        │   (drops counted)      │
 *   HTTP thread pool  <──┴──── metric registry, host JSON, alert counts (shared, locked)
 *
 * Each subsystem runs as a module of the table in daemon_modules.h (its glue in
 * src/X/X_module.c, what they share in kw_core.h), started in the table's order and stopped
 * in the reverse one. The main thread waits for signals: SIGHUP reloads the configuration
 * through every module (a bad file is logged and the running configuration stays), SIGTERM
 * and SIGINT stop everything cleanly. */
#ifndef DAEMON_H
#define DAEMON_H

#include <stdbool.h>

#include "conf/conf.h"

typedef struct daemon_opts {
    const char *config_path;  /* NULL: built-in configuration */
    const char *pidfile;
    bool use_syslog;
} daemon_opts;

/* Runs until SIGTERM or SIGINT; takes ownership of cfg. Returns the process exit status. */
int daemon_run(conf *cfg, const daemon_opts *opts);

/* Reads state_dir/api.token, creating it (0600, 256 random bits, hex) if missing.
 * created says whether it was made now. */
kw_rc daemon_token(const char *path, char out[65], bool *created, char *err, size_t errn);

#endif

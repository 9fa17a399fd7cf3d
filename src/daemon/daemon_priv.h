/* Who `keepwatch serve` runs as: daemon.user and daemon.group resolved before anything is
 * opened, the state directory made or checked, and the drop from root once captures,
 * listening sockets and log files are open. Internal to src/daemon/. */
#ifndef DAEMON_PRIV_H
#define DAEMON_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf/conf.h"
#include "core/kw_err.h"

#define DAEMON_MAX_GROUPS 64

typedef struct daemon_ident {
    bool drop;                       /* started as root and daemon.user names another user */
    bool exists;                     /* daemon.user names an existing user other than root */
    uid_t uid;
    gid_t gid;                       /* daemon.group, else the user's own group */
    gid_t groups[DAEMON_MAX_GROUPS]; /* supplementary groups: the user's in /etc/group, and adm */
    int ngroups;
    char name[64];
} daemon_ident;

/* Resolves daemon.user and daemon.group for this start. A user that does not exist is an error
 * when the daemon would have to become it (started as root); err then names the fix. */
kw_rc daemon_ident_resolve(const conf *c, daemon_ident *id, char *err, size_t errn);

/* Makes the state directory (0750) or checks the one that exists: it must belong to us or to
 * the daemon's user; wider modes are narrowed to 0750, with a log line. */
kw_rc daemon_state_dir(const char *dir, const daemon_ident *id, char *err, size_t errn);

/* When id->drop: gives the state directory and the files in it to the user (never through a
 * symbolic link, never files of a third user), then sets the groups and becomes the user for
 * good: no capability is kept. Checks that the state directory is still reachable. */
kw_rc daemon_ident_drop(const char *dir, const daemon_ident *id, char *err, size_t errn);

/* Clears this thread's ambient capabilities (systemd's AmbientCapabilities=), so that the
 * threads it starts from now on, and the commands they run, get none; this thread keeps its
 * effective ones to reopen captures on reload. Call after the captures are open. */
void daemon_caps_not_inherited(void);

/* NoNewPrivs for this thread and every thread and child made after: call before any thread. */
void daemon_no_new_privs(void);

#endif

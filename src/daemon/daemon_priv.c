/* Least privilege for `keepwatch serve` (daemon_priv.h): daemon.user and daemon.group, the
 * state directory's owner and mode, the drop from root, NoNewPrivs. */
#include "daemon/daemon_priv.h"
#include "core/kw_file.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_DIR_MODE 0750
#define LOG_READERS_GROUP "adm"

#define USERADD_HINT "make install, or useradd --system --no-create-home --home-dir /nonexistent " \
                     "--shell /usr/sbin/nologin %s"

/* "" and "root" keep root; so does a missing daemon.user. */
static bool keeps_root(const char *user)
{
    return !user || !user[0] || strcmp(user, "root") == 0;
}

/* Debian's log files are readable by group adm: log files reopened after rotation are read
 * as the user, so it is in adm too (when there is one) whether /etc/group says so or not. */
static void add_log_readers(daemon_ident *id)
{
    struct group *gr = getgrnam(LOG_READERS_GROUP);
    if (!gr)
        return;
    for (int i = 0; i < id->ngroups; i++)
        if (id->groups[i] == gr->gr_gid)
            return;
    id->groups[id->ngroups++] = gr->gr_gid;
}

static kw_rc resolve_group(const conf *c, daemon_ident *id, char *err, size_t errn)
{
    if (c->daemon.group && c->daemon.group[0]) {
        struct group *gr = getgrnam(c->daemon.group);
        if (!gr) {
            snprintf(err, errn, "daemon.group: there is no group \"%s\" (groupadd --system %s)", c->daemon.group,
                     c->daemon.group);
            return KW_ERR_NOTFOUND;
        }
        id->gid = gr->gr_gid;
    }
    id->ngroups = DAEMON_MAX_GROUPS - 1; /* room for adm */
    if (getgrouplist(id->name, id->gid, id->groups, &id->ngroups) < 0) {
        snprintf(err, errn, "daemon.user: %s is in more than %d groups", id->name, DAEMON_MAX_GROUPS - 1);
        return KW_ERR_RANGE;
    }
    add_log_readers(id);
    return KW_OK;
}

kw_rc daemon_ident_resolve(const conf *c, daemon_ident *id, char *err, size_t errn)
{
    memset(id, 0, sizeof *id);
    const char *user = c->daemon.user;
    if (keeps_root(user))
        return KW_OK;
    bool root = getuid() == 0 || geteuid() == 0;
    if (kw_strlcpy(id->name, user, sizeof id->name) >= sizeof id->name) {
        snprintf(err, errn, "daemon.user: \"%s\" is too long for a user name", user);
        return KW_ERR_RANGE;
    }
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        if (!root)
            return KW_OK; /* not root: there is nobody to become anyway */
        snprintf(err, errn, "daemon.user: there is no user \"%s\" to run as; create it (" USERADD_HINT
                 ") or set daemon.user: \"\" to keep root", user, user);
        return KW_ERR_NOTFOUND;
    }
    if (pw->pw_uid == 0)
        return KW_OK;
    id->exists = true;
    id->uid = pw->pw_uid;
    id->gid = pw->pw_gid;
    kw_rc rc = resolve_group(c, id, err, errn);
    if (rc != KW_OK)
        return root ? rc : KW_OK;
    id->drop = root && geteuid() != id->uid;
    return KW_OK;
}

kw_rc daemon_state_dir(const char *dir, const daemon_ident *id, char *err, size_t errn)
{
    kw_dir_state st;
    kw_rc rc = kw_dir_secure(dir, STATE_DIR_MODE, id->exists ? id->uid : (uid_t)-1, &st, err, errn);
    if (rc != KW_OK)
        return rc;
    if (st.was)
        log_warn("the state directory %s had mode %04o: narrowed to %04o so that other users cannot read the store",
                 dir, (unsigned)st.was, (unsigned)(st.was & STATE_DIR_MODE));
    else if (st.created)
        log_info("created the state directory %s (mode %04o)", dir, STATE_DIR_MODE);
    return KW_OK;
}

/* Gives one entry of the state directory to the user: only what root or the user owns, only
 * regular files and directories, the link itself never followed. */
static void give_entry(int dfd, const char *dir, const char *name, const daemon_ident *id)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        log_warn("%s/%s is neither a file nor a directory: left as it is", dir, name);
        return;
    }
    if (st.st_uid != 0 && st.st_uid != id->uid) {
        log_warn("%s/%s belongs to uid %u: not given to %s", dir, name, (unsigned)st.st_uid, id->name);
        return;
    }
    if ((st.st_uid != id->uid || st.st_gid != id->gid) && fchownat(dfd, name, id->uid, id->gid, AT_SYMLINK_NOFOLLOW) != 0)
        log_warn("cannot give %s/%s to %s: %s", dir, name, id->name, strerror(errno));
}

static kw_rc give_state_dir(const char *dir, const daemon_ident *id, char *err, size_t errn)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fchown(dfd, id->uid, id->gid) != 0) {
        snprintf(err, errn, "cannot give the state directory %s to %s: %s", dir, id->name, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        return KW_ERR_IO;
    }
    int lfd = dup(dfd);
    DIR *dh = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (!dh) {
        if (lfd >= 0)
            close(lfd);
        close(dfd);
        snprintf(err, errn, "cannot list the state directory %s: %s", dir, strerror(errno));
        return KW_ERR_IO;
    }
    for (struct dirent *e; (e = readdir(dh)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            give_entry(dfd, dir, e->d_name, id);
    closedir(dh);
    close(dfd);
    return KW_OK;
}

/* Groups, then group, then user, real, effective and saved alike: nothing to go back to. The
 * captures and sockets are open, so no capability is kept either (setresuid away from uid 0
 * clears them without PR_SET_KEEPCAPS); glibc applies each call to every thread. */
static kw_rc become(const daemon_ident *id, char *err, size_t errn)
{
    if (setgroups((size_t)id->ngroups, id->groups) != 0 || setresgid(id->gid, id->gid, id->gid) != 0 ||
        setresuid(id->uid, id->uid, id->uid) != 0) {
        snprintf(err, errn, "cannot become %s (uid %u): %s", id->name, (unsigned)id->uid, strerror(errno));
        return KW_ERR_IO;
    }
    if (setuid(0) == 0 || seteuid(0) == 0) {
        snprintf(err, errn, "became %s but could become root again", id->name);
        return KW_ERR_IO;
    }
    return KW_OK;
}

kw_rc daemon_ident_drop(const char *dir, const daemon_ident *id, char *err, size_t errn)
{
    if (!id->drop)
        return KW_OK;
    kw_rc rc = give_state_dir(dir, id, err, errn);
    if (rc == KW_OK)
        rc = become(id, err, errn);
    if (rc != KW_OK)
        return rc;
    if (access(dir, R_OK | W_OK | X_OK) != 0) {
        snprintf(err, errn,
                 "%s cannot reach the state directory %s (%s): a directory above it is closed to it; open "
                 "it (chmod o+x) or choose another daemon.state_dir",
                 id->name, dir, strerror(errno));
        return KW_ERR_IO;
    }
    return KW_OK;
}

void daemon_no_new_privs(void)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        log_warn("cannot set NoNewPrivs: %s", strerror(errno));
}

void daemon_caps_not_inherited(void)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        log_warn("cannot clear the ambient capabilities: checks' commands inherit them: %s", strerror(errno));
}

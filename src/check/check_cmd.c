/* Command and systemd checks: a child process with a deadline, killed with its process group
 * when the deadline passes; run as daemon.user when the daemon itself is still root. */
#include "check/check.h"
#include "core/kw_spawn.h"
#include "core/kw_time.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define RUN_AS_MAX_GROUPS 64

static struct {
    bool on;
    uid_t uid;
    gid_t gid;
    gid_t groups[RUN_AS_MAX_GROUPS];
    size_t ngroups;
} run_as;

void check_run_as(bool on, uid_t uid, gid_t gid, const gid_t *groups, int ngroups)
{
    run_as.on = on && uid != 0;
    run_as.uid = uid;
    run_as.gid = gid;
    run_as.ngroups = ngroups > 0 ? (size_t)ngroups : 0;
    if (run_as.ngroups > RUN_AS_MAX_GROUPS)
        run_as.ngroups = RUN_AS_MAX_GROUPS;
    if (run_as.ngroups)
        memcpy(run_as.groups, groups, run_as.ngroups * sizeof *groups);
}

/* fork and exec as run_as: between the two only async-signal-safe calls (another thread may
 * hold any lock). The child gets the same slate as posix_spawn gives below; 126: it could not
 * become the user, 127: nothing to run. */
static int spawn_as_user(char *const argv[], int wfd, pid_t *pid)
{
    sigset_t none;
    sigemptyset(&none);
    *pid = fork();
    if (*pid < 0)
        return errno;
    if (*pid > 0) {
        setpgid(*pid, *pid); /* also here: the parent may kill the group before the child ran */
        return 0;
    }
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);
    setpgid(0, 0);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(wfd, 1) < 0 || dup2(wfd, 2) < 0)
        _exit(126);
    if (setgroups(run_as.ngroups, run_as.groups) != 0 || setresgid(run_as.gid, run_as.gid, run_as.gid) != 0 ||
        setresuid(run_as.uid, run_as.uid, run_as.uid) != 0)
        _exit(126);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(argv[0], argv);
    _exit(127);
}

/* Starts argv with stdin from /dev/null and stdout, stderr to wfd, in its own process group.
 * Returns 0 or an errno value. */
static int spawn(char *const argv[], int wfd, pid_t *pid)
{
    if (run_as.on && geteuid() == 0)
        return spawn_as_user(argv, wfd, pid);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, wfd, 1);
    posix_spawn_file_actions_adddup2(&fa, wfd, 2);
    posix_spawnattr_t at;
    kw_spawnattr_clean(&at); /* the daemon blocks signals in its threads: a clean slate, in its own group */
    int rc = posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return rc;
}

int check_exec(char *const argv[], int64_t deadline, const atomic_bool *cancel, char *out, size_t outn, char *err,
               size_t errn)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        snprintf(err, errn, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid;
    int rc = spawn(argv, pfd[1], &pid);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        snprintf(err, errn, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    size_t got = 0;
    bool killed = false, open_pipe = true;
    int status = 0;
    for (;;) {
        if (!killed && ((cancel && atomic_load(cancel)) || kw_mono_ms() >= deadline)) {
            kill(-pid, SIGKILL);
            killed = true;
        }
        if (open_pipe) {
            struct pollfd p = {pfd[0], POLLIN, 0};
            if (poll(&p, 1, 100) > 0) {
                char buf[4096];
                ssize_t n = read(pfd[0], buf, sizeof buf);
                if (n <= 0) {
                    open_pipe = false;
                } else if (got + 1 < outn) {
                    size_t take = (size_t)n < outn - 1 - got ? (size_t)n : outn - 1 - got;
                    memcpy(out + got, buf, take);
                    got += take;
                }
            }
        }
        pid_t w = waitpid(pid, &status, open_pipe ? WNOHANG : 0);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            status = -1;
            break;
        }
        if (!open_pipe && w == 0) {
            struct timespec ts = {0, 50 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    close(pfd[0]);
    if (outn)
        out[got] = '\0';
    if (killed) {
        snprintf(err, errn, "%s: killed after the timeout", argv[0]);
        return -1;
    }
    if (WIFSIGNALED(status)) {
        snprintf(err, errn, "%s: killed by signal %d", argv[0], WTERMSIG(status));
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first line of s, trimmed, at most n-1 bytes. */
static void first_line(const char *s, char *out, size_t n)
{
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    size_t k = 0;
    while (s[k] && s[k] != '\n' && k + 1 < n) {
        out[k] = s[k];
        k++;
    }
    out[k] = '\0';
}

void check_command(const conf_check *c, int64_t deadline, const atomic_bool *cancel, check_result *r)
{
    char *argv[66];
    size_t n = 0;
    char sh[] = "/bin/sh", dash_c[] = "-c";
    if (c->command.shell) { /* written as one string: a shell command line */
        argv[n++] = sh;
        argv[n++] = dash_c;
        argv[n++] = c->command.argv.v[0];
    } else {
        for (size_t i = 0; i < c->command.argv.n && n < 64; i++)
            argv[n++] = c->command.argv.v[i];
    }
    argv[n] = NULL;
    char out[1024], line[256], err[256];
    r->exit_code = check_exec(argv, deadline, cancel, out, sizeof out, err, sizeof err);
    first_line(out, line, sizeof line);
    if (r->exit_code < 0) {
        snprintf(r->message, sizeof r->message, "%s", err);
    } else if (r->exit_code != 0) {
        snprintf(r->message, sizeof r->message, "exit status %d%s%s", r->exit_code, line[0] ? ": " : "", line);
    } else {
        r->up = true;
        snprintf(r->message, sizeof r->message, "%s", line[0] ? line : "exit status 0");
    }
}

void check_systemd(const conf_check *c, int64_t deadline, const atomic_bool *cancel, check_result *r)
{
    struct stat st;
    if (stat("/run/systemd/system", &st) != 0) {
        snprintf(r->message, sizeof r->message, "systemd is not running on this host: cannot check %s", c->unit);
        return;
    }
    char sc[] = "systemctl", ia[] = "is-active", dash[] = "--";
    char *argv[] = {sc, ia, dash, c->unit, NULL};
    char out[256], state[64], err[256];
    r->exit_code = check_exec(argv, deadline, cancel, out, sizeof out, err, sizeof err);
    first_line(out, state, sizeof state);
    if (r->exit_code == 0) {
        r->up = true;
        snprintf(r->message, sizeof r->message, "%s is %s", c->unit, state[0] ? state : "active");
    } else if (r->exit_code < 0) {
        snprintf(r->message, sizeof r->message, "%s", err);
    } else {
        snprintf(r->message, sizeof r->message, "%s is %s", c->unit, state[0] ? state : "not active");
    }
}

/* The replay injection: a capture (a built-in one generated into the run's directory, or a
 * pcap path as it is) replayed by tcpreplay so that the net module's live capture sees it
 * like any other traffic. Without an interface, keepwatch makes namespace
 * <drill.netns>-<run> and a veth pair, kwd<run>a in its own namespace (captured for the run
 * through kw_core.drill.capture_open) and kwd<run>b in the new one, and runs
 * `ip netns exec NS tcpreplay -q -i kwd<run>b ...` there; with one, tcpreplay sends into it.
 * Commands run through posix_spawnp (argv, no shell); stop kills tcpreplay, closes the
 * capture, deletes the pair, the namespace and the generated file. */
#include "drill/drill_inject_int.h"
#include "drill/drill_pcap.h"
#include "core/kw_mem.h"
#include "core/kw_spawn.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define IP_TIMEOUT_MS 5000    /* an `ip` command that takes longer is killed */
#define KILL_GRACE_MS 1000    /* SIGTERM, then SIGKILL after this */

/* ---- what it needs here ---- */

/* Whether argv0 is an executable file on PATH. */
static bool on_path(const char *argv0)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const char *p = path; *p;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char f[512];
        if (n && n < sizeof f - 64) {
            snprintf(f, sizeof f, "%.*s/%s", (int)n, p, argv0);
            if (access(f, X_OK) == 0)
                return true;
        }
        p += n + (e ? 1 : 0);
    }
    return false;
}

/* Whether this process holds CAP_NET_ADMIN and CAP_NET_RAW, and with ns CAP_SYS_ADMIN too
 * (making and entering a namespace), effective. */
static bool have_caps(bool ns)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{0}};
    if (syscall(SYS_capget, &h, d) != 0)
        return geteuid() == 0;
    uint32_t want = 1u << CAP_NET_ADMIN | 1u << CAP_NET_RAW | (ns ? 1u << CAP_SYS_ADMIN : 0);
    return (d[0].effective & want) == want;
}

/* The checks a replay makes before it starts anything (and `drill check` makes alone). */
static kw_rc replay_can_run(const conf_drill_inject *x, char *err, size_t n)
{
    if (!on_path("tcpreplay")) {
        snprintf(err, n, "tcpreplay is not on PATH (install the Debian package tcpreplay)");
        return KW_ERR_NOTFOUND;
    }
    if (!x->interface && !on_path("ip")) {
        snprintf(err, n, "ip is not on PATH (install the Debian package iproute2)");
        return KW_ERR_NOTFOUND;
    }
    if (!have_caps(!x->interface)) {
        snprintf(err, n, "%s: run keepwatch as root with daemon.user: \"\"",
                 x->interface ? "replaying into an interface needs CAP_NET_ADMIN and CAP_NET_RAW"
                              : "replaying through a namespace needs CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_NET_RAW");
        return KW_ERR_UNSUPPORTED;
    }
    if (!drill_pcap_builtin(x->replay) && access(x->replay, R_OK) != 0) {
        snprintf(err, n, "%s: %s", x->replay, strerror(errno));
        return KW_ERR_NOTFOUND;
    }
    return KW_OK;
}

/* ---- commands ---- */

/* Starts argv (searched on PATH) in its own process group, stdin and stdout /dev/null, stderr
 * to errfile (NULL: /dev/null); -1 with err when it cannot start. */
static pid_t spawn(char *const argv[], const char *errfile, char *err, size_t n)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, errfile ? errfile : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    kw_spawnattr_clean(&at);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        snprintf(err, n, "%s: %s", argv[0], strerror(rc));
        return -1;
    }
    return pid;
}

/* The first line of file (its error), into out. */
static void first_line(const char *file, char *out, size_t n)
{
    out[0] = 0;
    FILE *f = file ? fopen(file, "r") : NULL;
    if (!f)
        return;
    if (fgets(out, (int)n, f))
        out[strcspn(out, "\r\n")] = 0;
    fclose(f);
}

/* Kills pid's group and reaps it. */
static void kill_reap(pid_t pid)
{
    kill(-pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Runs `ip ARGS...` (args NULL-terminated, at most 10) to its end (killed after
 * IP_TIMEOUT_MS); KW_OK on exit 0, else err says what ip said. errfile (may be NULL) is where
 * its stderr goes meanwhile. */
static kw_rc run_ip(const char *errfile, char *err, size_t n, const char *const *args)
{
    char *argv[12] = {"ip"};
    size_t k = 0;
    for (; args[k] && k < 10; k++)
        argv[k + 1] = (char *)args[k];
    argv[k + 1] = NULL;
    pid_t pid = spawn(argv, errfile, err, n);
    if (pid < 0)
        return KW_ERR_IO;
    int64_t end = kw_mono_ms() + IP_TIMEOUT_MS;
    int st = 0;
    pid_t r;
    while ((r = waitpid(pid, &st, WNOHANG)) == 0 && kw_mono_ms() < end)
        usleep(2000);
    if (r == 0) {
        kill_reap(pid);
        snprintf(err, n, "ip %s %s: no answer in %d s", args[0], args[1] ? args[1] : "", IP_TIMEOUT_MS / 1000);
        return KW_ERR_TIMEOUT;
    }
    if (r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return KW_OK;
    char line[256];
    first_line(errfile, line, sizeof line);
    snprintf(err, n, "ip %s %s: %s", args[0], args[1] ? args[1] : "", line[0] ? line : "failed");
    return KW_ERR_IO;
}
#define IP(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- the injection ---- */

typedef struct replay_inj {
    kw_core *core;
    char ns[64], ifa[16], ifb[16];  /* ns "": into a given interface (ifa) */
    bool made_ns, made_veth, captured;
    char dir[512];                  /* where its files are */
    bool own_dir;                   /* a directory it made (removed at stop) */
    char pcap[600], errfile[600];
    bool generated;                 /* pcap is its own (removed at stop) */
    pid_t pid;                      /* tcpreplay, or -1 */
    int64_t start_ms, for_ms, term_at;
} replay_inj;

static void replay_cleanup(replay_inj *r)
{
    char e[256];
    if (r->pid > 0)
        kill_reap(r->pid);
    r->pid = -1;
    if (r->captured) { /* a net module that stopped first closed it already */
        pthread_mutex_lock(&r->core->drill.mu);
        void (*close_fn)(void *, const char *) = r->core->drill.capture_close;
        void *arg = r->core->drill.capture_arg;
        pthread_mutex_unlock(&r->core->drill.mu);
        if (close_fn)
            close_fn(arg, r->ifa);
    }
    if (r->made_veth)
        run_ip(NULL, e, sizeof e, IP("link", "del", r->ifa)); /* its peer goes with it */
    if (r->made_ns)
        run_ip(NULL, e, sizeof e, IP("netns", "del", r->ns));
    if (r->generated)
        unlink(r->pcap);
    if (r->errfile[0])
        unlink(r->errfile);
    if (r->own_dir)
        rmdir(r->dir);
}

static bool replay_done(void *st, int64_t now, bool *failed, char *err, size_t n)
{
    replay_inj *r = st;
    if (failed)
        *failed = false;
    if (r->pid < 0)
        return true;
    int s = 0;
    pid_t w = waitpid(r->pid, &s, WNOHANG);
    if (w < 0 && errno == ECHILD) { /* reaped by someone else: over, its status unknown */
        r->pid = -1;
        return true;
    }
    if (w == r->pid) {
        r->pid = -1;
        bool ok = r->term_at || (WIFEXITED(s) && WEXITSTATUS(s) == 0);
        if (!ok && failed) {
            char line[256];
            first_line(r->errfile, line, sizeof line);
            snprintf(err, n, "tcpreplay %s: %s", WIFEXITED(s) ? "failed" : "was killed", line[0] ? line : "no message");
            *failed = true;
        }
        return true;
    }
    if (r->for_ms > 0 && !r->term_at && now - r->start_ms >= r->for_ms) {
        kill(-r->pid, SIGTERM);
        r->term_at = now;
    } else if (r->term_at && now - r->term_at >= KILL_GRACE_MS) {
        kill_reap(r->pid);
        r->pid = -1;
        return true;
    }
    return false;
}

static void replay_stop(void *st)
{
    replay_inj *r = st;
    replay_cleanup(r);
    free(r);
}

static const drill_inj_ops replay_ops = {replay_done, replay_stop};

/* The run's directory for its files: env's, or one made for it. */
static kw_rc replay_dir(replay_inj *r, const drill_inject_env *env, char *err, size_t n)
{
    if (env->work_dir) {
        kw_strlcpy(r->dir, env->work_dir, sizeof r->dir);
        if (mkdir(r->dir, 0700) != 0 && errno != EEXIST) {
            snprintf(err, n, "%s: %s", r->dir, strerror(errno));
            return KW_ERR_IO;
        }
        return KW_OK;
    }
    snprintf(r->dir, sizeof r->dir, "/tmp/keepwatch-drill-XXXXXX");
    if (!mkdtemp(r->dir)) {
        snprintf(err, n, "cannot make a directory for the capture: %s", strerror(errno));
        return KW_ERR_IO;
    }
    r->own_dir = true;
    return KW_OK;
}

/* The capture to replay: generated, or the path given (its sources read). */
static kw_rc replay_capture(replay_inj *r, const conf_drill_inject *x, drill_seen *seen, char *err, size_t n)
{
    static atomic_uint seq;
    unsigned k = atomic_fetch_add(&seq, 1);
    snprintf(r->errfile, sizeof r->errfile, "%s/replay-%u.err", r->dir, k);
    if (!drill_pcap_builtin(x->replay)) {
        kw_strlcpy(r->pcap, x->replay, sizeof r->pcap);
        return drill_pcap_seen_file(r->pcap, seen, err, n);
    }
    snprintf(r->pcap, sizeof r->pcap, "%s/replay-%u-%s.pcap", r->dir, k, x->replay);
    r->generated = true;
    return drill_pcap_generate(x->replay, x->target, x->pps, x->for_ms, r->pcap, seen, NULL, err, n);
}

/* The namespace, the veth pair, both ends up; pre-existing ones of the same run (a daemon
 * that died mid-drill) are removed first. */
static kw_rc replay_veth(replay_inj *r, char *err, size_t n)
{
    char e[256];
    run_ip(NULL, e, sizeof e, IP("link", "del", r->ifa));
    run_ip(NULL, e, sizeof e, IP("netns", "del", r->ns));
    kw_rc rc = run_ip(r->errfile, err, n, IP("netns", "add", r->ns));
    if (rc != KW_OK)
        return rc;
    r->made_ns = true;
    rc = run_ip(r->errfile, err, n, IP("link", "add", r->ifa, "type", "veth", "peer", "name", r->ifb));
    if (rc != KW_OK)
        return rc;
    r->made_veth = true;
    if ((rc = run_ip(r->errfile, err, n, IP("link", "set", r->ifb, "netns", r->ns))) != KW_OK ||
        (rc = run_ip(r->errfile, err, n, IP("link", "set", r->ifa, "up"))) != KW_OK ||
        (rc = run_ip(r->errfile, err, n, IP("-n", r->ns, "link", "set", r->ifb, "up"))) != KW_OK)
        return rc;
    return KW_OK;
}

/* Whether ifname is one of net.interfaces (captured already). */
static bool net_captures(const conf *c, const char *ifname)
{
    for (size_t i = 0; i < c->net.interfaces.n; i++)
        if (strcmp(c->net.interfaces.v[i], ifname) == 0)
            return true;
    return false;
}

/* tcpreplay's argv into argv (strings in num), from the injection. */
static void replay_argv(const replay_inj *r, const conf_drill_inject *x, char *argv[16], char num[2][32])
{
    int a = 0;
    if (r->ns[0]) {
        argv[a++] = "ip";
        argv[a++] = "netns";
        argv[a++] = "exec";
        argv[a++] = (char *)r->ns;
    }
    argv[a++] = "tcpreplay";
    argv[a++] = "-q";
    argv[a++] = "-i";
    argv[a++] = (char *)(r->ns[0] ? r->ifb : r->ifa);
    const drill_pcap_info *b = drill_pcap_builtin(x->replay);
    double pps = x->pps > 0 ? x->pps : b ? b->pps : 0;
    if (pps > 0) {
        snprintf(num[0], 32, "--pps=%g", pps);
        argv[a++] = num[0];
    }
    int64_t loop = x->loop > 0 ? x->loop : x->for_ms > 0 ? 0 : 1; /* 0: until for_ms */
    snprintf(num[1], 32, "--loop=%lld", (long long)loop);
    argv[a++] = num[1];
    argv[a++] = (char *)r->pcap;
    argv[a] = NULL;
}

kw_rc drill_replay_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now, drill_seen *seen,
                         void **st, const drill_inj_ops **ops, char *err, size_t n)
{
    kw_rc rc = replay_can_run(x, err, n);
    if (rc != KW_OK)
        return rc;
    if (x->interface && strlen(x->interface) >= sizeof ((replay_inj *)0)->ifa) {
        snprintf(err, n, "interface \"%s\": longer than an interface name can be", x->interface);
        return KW_ERR_RANGE;
    }
    kw_rc (*open_fn)(void *, const char *, char *, size_t) = NULL;
    void *open_arg = NULL;
    if (env->core) { /* set by the net module at its start, cleared at its stop */
        pthread_mutex_lock(&env->core->drill.mu);
        open_fn = env->core->drill.capture_open;
        open_arg = env->core->drill.capture_arg;
        pthread_mutex_unlock(&env->core->drill.mu);
    }
    if (!open_fn) {
        snprintf(err, n, "the net module is not running here: nothing would capture the replay");
        return KW_ERR_UNSUPPORTED;
    }
    if (env->core->dropped_privileges && (!x->interface || !net_captures(env->conf, x->interface))) {
        snprintf(err, n, "keepwatch dropped its privileges (daemon.user): it can open no capture for the replay; run "
                         "it as root with daemon.user: \"\"");
        return KW_ERR_UNSUPPORTED;
    }
    replay_inj *r = kw_calloc(1, sizeof *r);
    r->core = env->core;
    r->pid = -1;
    r->start_ms = now;
    r->for_ms = x->for_ms;
    if (x->interface) {
        kw_strlcpy(r->ifa, x->interface, sizeof r->ifa);
    } else { /* everything on the pair is the drill's: its name first, whatever the capture fills */
        const conf *c = env->conf;
        snprintf(r->ns, sizeof r->ns, "%s-%lld", c->drill.netns ? c->drill.netns : "keepwatch-drill",
                 (long long)env->run_id);
        snprintf(r->ifa, sizeof r->ifa, "kwd%llda", (long long)env->run_id);
        snprintf(r->ifb, sizeof r->ifb, "kwd%lldb", (long long)env->run_id);
        drill_seen_add(seen, r->ifa);
    }
    if ((rc = replay_dir(r, env, err, n)) != KW_OK || (rc = replay_capture(r, x, seen, err, n)) != KW_OK ||
        (!x->interface && (rc = replay_veth(r, err, n)) != KW_OK))
        goto fail;
    if (!x->interface || !net_captures(env->conf, x->interface)) {
        if ((rc = open_fn(open_arg, r->ifa, err, n)) != KW_OK)
            goto fail;
        r->captured = true;
    }
    char *argv[16], num[2][32];
    replay_argv(r, x, argv, num);
    if ((r->pid = spawn(argv, r->errfile, err, n)) < 0) {
        rc = KW_ERR_IO;
        goto fail;
    }
    *st = r;
    *ops = &replay_ops;
    return KW_OK;
fail:
    replay_cleanup(r);
    free(r);
    return rc;
}

kw_rc drill_replay_plan(const conf *c, const conf_drill_inject *x, bool zh, kw_buf *out, char *err, size_t n)
{
    const drill_pcap_info *b = drill_pcap_builtin(x->replay);
    const char *target = x->target ? x->target : "192.0.2.10";
    double pps = x->pps > 0 ? x->pps : b ? b->pps : 0;
    double secs = (double)(x->for_ms > 0 ? x->for_ms : b ? 10000 : 0) / 1000.0;
    const char *ns = c->drill.netns ? c->drill.netns : "keepwatch-drill";
    static const struct {
        const char *builtin, *file, *pps, *secs, *iface, *veth;
    } words[2] = {
        {"replay the built-in capture %s (%s) at %s", "replay the capture %s", ", %g packets/s", " for %g s",
         ", into interface %s", ", through a veth pair in namespace %s-<run> (keepwatch captures kwd<run>a)"},
        {"回放内置流量 %s（%s），目标 %s", "回放抓包文件 %s", "，每秒 %g 个包", "，持续 %g 秒", "，发往接口 %s",
         "，经网络命名空间 %s-<演练编号> 中的 veth 对（kwd<编号>a 由 keepwatch 抓包）"},
    };
    const __typeof__(words[0]) *w = &words[zh];
    if (b)
        kw_buf_printf(out, w->builtin, b->name, zh ? b->zh : b->en, target);
    else
        kw_buf_printf(out, w->file, x->replay);
    if (pps > 0)
        kw_buf_printf(out, w->pps, pps);
    if (secs > 0)
        kw_buf_printf(out, w->secs, secs);
    if (x->interface)
        kw_buf_printf(out, w->iface, x->interface);
    else
        kw_buf_printf(out, w->veth, ns);
    return replay_can_run(x, err, n);
}

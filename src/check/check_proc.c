/* Process checks: by name (as ps -C matches: the kernel's comm, or argv[0]'s base name for
 * names longer than comm holds) or by pidfile. */
#include "check/check.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "host/host_procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COMM_MAX 15 /* TASK_COMM_LEN - 1 */

static ssize_t read_small(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = read(fd, buf, n - 1);
    close(fd);
    if (r < 0)
        return -1;
    buf[r] = '\0';
    return r;
}

/* Is the process pid, whose comm is `comm` (with its newline), the one called name? */
static bool proc_matches(int pid, const char *comm, const char *name)
{
    size_t cl = strcspn(comm, "\n");
    if (cl == strlen(name) && strncmp(comm, name, cl) == 0)
        return true;
    /* comm is cut at 15 bytes: compare argv[0]'s base name when the prefix matches */
    if (strlen(name) <= COMM_MAX || cl != COMM_MAX || strncmp(comm, name, COMM_MAX) != 0)
        return false;
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    if (read_small(path, buf, sizeof buf) <= 0)
        return false;
    const char *base = strrchr(buf, '/');
    return strcmp(base ? base + 1 : buf, name) == 0;
}

/* One table of (pid, comm) shared by every process check, rescanned when older than
 * PROC_TABLE_TTL_MS: checks that run in the same second share one scan of /proc. */
#define PROC_TABLE_TTL_MS 500

typedef struct {
    int pid;
    char comm[COMM_MAX + 2];
} proc_row;

static struct {
    pthread_mutex_t mu;
    proc_files *comm;
    proc_row *rows;
    size_t n, cap;
    int64_t scanned;
    bool ok;
} proc_table = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void on_comm(void *arg, int pid, const char *buf, size_t len)
{
    kw_grow(&proc_table.rows, &proc_table.cap, proc_table.n + 1, sizeof *proc_table.rows);
    proc_row *r = &proc_table.rows[proc_table.n++];
    r->pid = pid;
    kw_strlcpy(r->comm, buf, sizeof r->comm);
}

static void proc_table_refresh(void)
{
    int64_t now = kw_mono_ms();
    if (proc_table.scanned && now - proc_table.scanned < PROC_TABLE_TTL_MS)
        return;
    if (!proc_table.comm)
        proc_table.comm = proc_files_new("/proc", "comm", proc_files_budget() / 4);
    proc_table.n = 0;
    proc_table.ok = proc_files_scan(proc_table.comm, on_comm, NULL) >= 0;
    proc_table.scanned = now;
}

static void check_by_name(const conf_check *c, check_result *r)
{
    int64_t first = 0;
    pthread_mutex_lock(&proc_table.mu);
    proc_table_refresh();
    bool ok = proc_table.ok;
    for (size_t i = 0; i < proc_table.n; i++)
        if (proc_matches(proc_table.rows[i].pid, proc_table.rows[i].comm, c->process)) {
            if (!r->process_count)
                first = proc_table.rows[i].pid;
            r->process_count++;
        }
    pthread_mutex_unlock(&proc_table.mu);
    if (!ok) {
        snprintf(r->message, sizeof r->message, "cannot list /proc");
        return;
    }
    if (r->process_count >= c->min_count) {
        r->up = true;
        snprintf(r->message, sizeof r->message, "%lld process%s named %s (pid %lld%s)", (long long)r->process_count,
                 r->process_count == 1 ? "" : "es", c->process, (long long)first, r->process_count > 1 ? ", ..." : "");
    } else if (r->process_count == 0) {
        snprintf(r->message, sizeof r->message, "no process named %s", c->process);
    } else {
        snprintf(r->message, sizeof r->message, "%lld process%s named %s, fewer than %lld",
                 (long long)r->process_count, r->process_count == 1 ? "" : "es", c->process, (long long)c->min_count);
    }
}

static void check_by_pidfile(const conf_check *c, check_result *r)
{
    char buf[64];
    int fd = open(c->pidfile, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(r->message, sizeof r->message, "cannot read pidfile %s: %s", c->pidfile, strerror(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    char *end;
    long pid = strtol(buf, &end, 10);
    while (*end == '\n' || *end == ' ')
        end++;
    if (pid <= 0 || pid > 4194304 || *end) {
        snprintf(r->message, sizeof r->message, "pidfile %s does not hold a process id", c->pidfile);
        return;
    }
    if (kill((pid_t)pid, 0) != 0 && errno != EPERM) {
        snprintf(r->message, sizeof r->message, "process %ld from %s is not running", pid, c->pidfile);
        return;
    }
    if (c->process) {
        char path[64], comm[64];
        snprintf(path, sizeof path, "/proc/%ld/comm", pid);
        if (read_small(path, comm, sizeof comm) <= 0 || !proc_matches((int)pid, comm, c->process)) {
            snprintf(r->message, sizeof r->message, "process %ld from %s is not %s (a reused pid?)", pid, c->pidfile,
                     c->process);
            return;
        }
    }
    r->process_count = 1;
    r->up = true;
    snprintf(r->message, sizeof r->message, "process %ld from %s is running", pid, c->pidfile);
}

void check_process(const conf_check *c, check_result *r)
{
    if (c->pidfile)
        check_by_pidfile(c, r);
    else
        check_by_name(c, r);
}

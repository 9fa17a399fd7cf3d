/* The host collector: one reading of /proc and statvfs, with rates against the previous one. */
#include "host/host.h"
#include "host/host_procfs.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define HOST_FILE_MAX (8u << 20) /* /proc/stat on a large machine is big; cap it anyway */
#define HOST_UID_CACHE 64

typedef struct {
    int pid;
    uint64_t starttime, ticks;
} proc_prev;

typedef struct {
    char name[HOST_NAME_LEN];
    bool whole; /* a whole disk (has /sys/block/NAME), not a partition */
} disk_kind;

struct host_collector {
    char *proc_root;
    char *sys_root;
    conf_strs ignore_fstypes, ignore_mountpoints, ignore_interfaces, ignore_disks;
    bool include_readonly;
    size_t top_n;
    long clk_tck;
    long page_size;
    kw_buf file;              /* reused for every file read */
    proc_files *pid_stat;     /* /proc/PID/stat of every process, kept open */
    int mounts_fd;            /* /proc/self/mounts, polled for changes (POLLPRI) */
    host_mount *mounts;       /* the mount table as last read */
    size_t nmounts;
    struct {
        int pid;
        uint64_t starttime;
        char user[32];
        char cmdline[256];
    } details[2 * 50];        /* user and command line of recent top processes */
    size_t ndetails;
    /* previous reading */
    bool have_prev;
    int64_t prev_mono_ms;
    host_cpu_times prev_total;
    host_cpu_times *prev_cpu;
    size_t prev_ncpu;
    host_disk *prev_disk;
    size_t prev_ndisk;
    host_netif *prev_net;
    size_t prev_nnet;
    proc_prev *prev_proc;
    size_t prev_nproc;
    disk_kind *disk_kinds;
    size_t ndisk_kinds, disk_kinds_cap;
    struct {
        unsigned uid;
        char name[32];
    } uid_cache[HOST_UID_CACHE];
    size_t nuid;
};

static void strs_copy(conf_strs *dst, const conf_strs *src)
{
    dst->n = src->n;
    dst->v = kw_calloc(src->n, sizeof(char *));
    for (size_t i = 0; i < src->n; i++)
        dst->v[i] = kw_strdup(src->v[i]);
}

static void strs_free(conf_strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

host_collector *host_collector_new(const conf *c, const char *proc_root)
{
    host_collector *hc = kw_calloc(1, sizeof *hc);
    hc->proc_root = kw_strdup(proc_root ? proc_root : "/proc");
    hc->sys_root = kw_strdup("/sys");
    strs_copy(&hc->ignore_fstypes, &c->host.ignore_fstypes);
    strs_copy(&hc->ignore_mountpoints, &c->host.ignore_mountpoints);
    strs_copy(&hc->ignore_interfaces, &c->host.ignore_interfaces);
    strs_copy(&hc->ignore_disks, &c->host.ignore_disks);
    hc->include_readonly = c->host.include_readonly;
    hc->top_n = (size_t)c->host.top_processes;
    hc->clk_tck = sysconf(_SC_CLK_TCK);
    if (hc->clk_tck <= 0)
        hc->clk_tck = 100;
    hc->page_size = sysconf(_SC_PAGESIZE);
    if (hc->page_size <= 0)
        hc->page_size = 4096;
    kw_buf_init(&hc->file, HOST_FILE_MAX);
    hc->pid_stat = proc_files_new(hc->proc_root, "stat", proc_files_budget() / 2);
    hc->mounts_fd = -1;
    return hc;
}

void host_collector_free(host_collector *hc)
{
    if (!hc)
        return;
    free(hc->proc_root);
    free(hc->sys_root);
    strs_free(&hc->ignore_fstypes);
    strs_free(&hc->ignore_mountpoints);
    strs_free(&hc->ignore_interfaces);
    strs_free(&hc->ignore_disks);
    kw_buf_free(&hc->file);
    proc_files_free(hc->pid_stat);
    if (hc->mounts_fd >= 0)
        close(hc->mounts_fd);
    free(hc->mounts);
    free(hc->prev_cpu);
    free(hc->prev_disk);
    free(hc->prev_net);
    free(hc->prev_proc);
    free(hc->disk_kinds);
    free(hc);
}

/* Reads a whole file into hc->file. */
static kw_rc read_file(host_collector *hc, const char *path)
{
    kw_buf_reset(&hc->file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? KW_ERR_NOTFOUND : KW_ERR_IO;
    char chunk[16384];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        if (kw_buf_append(&hc->file, chunk, (size_t)n) != KW_OK)
            break;
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return KW_ERR_IO;
    }
    return KW_OK;
}

static void snap_warn(host_snapshot *s, const char *fmt, const char *arg)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, arg);
    s->warnings = kw_realloc(s->warnings, (s->nwarnings + 1) * sizeof(char *));
    s->warnings[s->nwarnings++] = kw_strdup(msg);
}

/* Reads proc_root/name; on failure records a warning and returns false. */
static bool read_proc(host_collector *hc, host_snapshot *s, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", hc->proc_root, name);
    if (read_file(hc, path) != KW_OK) {
        snap_warn(s, "cannot read %s", path);
        return false;
    }
    return true;
}

static bool has_prefix_in(const conf_strs *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->v[i]);
        if (strncmp(s, l->v[i], n) == 0 && (s[n] == '\0' || s[n] == '/' || l->v[i][n - 1] == '/' ||
                                            /* disk name prefixes: loop0, ram1 */ isdigit((unsigned char)s[n])))
            return true;
    }
    return false;
}

static bool in_list(const conf_strs *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

static double ticks_sum(const host_cpu_times *t)
{
    double sum = 0;
    for (int k = 0; k < HOST_CPU_MODES; k++)
        sum += (double)t->t[k];
    return sum;
}

/* Fraction of ticks that were busy between a and b (all modes but idle and iowait). */
static double cpu_busy(const host_cpu_times *a, const host_cpu_times *b, double *modes)
{
    double d[HOST_CPU_MODES], total = 0;
    for (int k = 0; k < HOST_CPU_MODES; k++) {
        d[k] = b->t[k] >= a->t[k] ? (double)(b->t[k] - a->t[k]) : 0;
        total += d[k];
    }
    if (total <= 0)
        return 0;
    if (modes)
        for (int k = 0; k < HOST_CPU_MODES; k++)
            modes[k] = d[k] / total;
    return (total - d[HOST_CPU_IDLE] - d[HOST_CPU_IOWAIT]) / total;
}

static void collect_cpu(host_collector *hc, host_snapshot *s)
{
    if (!read_proc(hc, s, "stat"))
        return;
    host_stat st;
    if (host_parse_stat(hc->file.data, hc->file.len, &st) != KW_OK) {
        snap_warn(s, "cannot parse %s/stat", hc->proc_root);
        return;
    }
    s->cpu_total = st.total;
    s->cpu = st.cpu;
    s->ncpu = st.ncpu;
    s->ctxt = st.ctxt;
    s->forks = st.forks;
    s->procs_running = st.procs_running;
    s->procs_blocked = st.procs_blocked;
    s->core_usage = kw_calloc(s->ncpu ? s->ncpu : 1, sizeof(double));
    if (hc->have_prev && ticks_sum(&hc->prev_total) > 0) {
        s->cpu_usage = cpu_busy(&hc->prev_total, &s->cpu_total, s->cpu_mode);
        for (size_t i = 0; i < s->ncpu; i++)
            for (size_t j = 0; j < hc->prev_ncpu; j++)
                if (hc->prev_cpu[j].id == s->cpu[i].id)
                    s->core_usage[i] = cpu_busy(&hc->prev_cpu[j], &s->cpu[i], NULL);
    }
    hc->prev_total = s->cpu_total;
    free(hc->prev_cpu);
    hc->prev_cpu = kw_memdup(s->cpu, s->ncpu * sizeof *s->cpu);
    hc->prev_ncpu = s->ncpu;
}

static void collect_mem_load(host_collector *hc, host_snapshot *s)
{
    if (read_proc(hc, s, "meminfo") && host_parse_meminfo(hc->file.data, hc->file.len, &s->mem) == KW_OK) {
        s->mem_used_ratio = s->mem.total ? 1.0 - (double)s->mem.available / (double)s->mem.total : 0;
        if (s->mem_used_ratio < 0)
            s->mem_used_ratio = 0;
        s->swap_used_ratio =
            s->mem.swap_total ? 1.0 - (double)s->mem.swap_free / (double)s->mem.swap_total : 0;
    }
    if (read_proc(hc, s, "loadavg"))
        host_parse_loadavg(hc->file.data, hc->file.len, &s->load);
    if (read_proc(hc, s, "uptime"))
        host_parse_uptime(hc->file.data, hc->file.len, &s->uptime_s);
}

typedef struct {
    host_collector *hc;
    host_snapshot *s;
    size_t cap;
} collect_ctx;

static bool disk_is_whole(host_collector *hc, const char *name)
{
    for (size_t i = 0; i < hc->ndisk_kinds; i++)
        if (strcmp(hc->disk_kinds[i].name, name) == 0)
            return hc->disk_kinds[i].whole;
    char path[512];
    snprintf(path, sizeof path, "%s/block/%s", hc->sys_root, name);
    bool whole = access(path, F_OK) == 0;
    if (hc->ndisk_kinds < 1024) {
        kw_grow(&hc->disk_kinds, &hc->disk_kinds_cap, hc->ndisk_kinds + 1, sizeof *hc->disk_kinds);
        kw_strlcpy(hc->disk_kinds[hc->ndisk_kinds].name, name, HOST_NAME_LEN);
        hc->disk_kinds[hc->ndisk_kinds++].whole = whole;
    }
    return whole;
}

static void on_disk(void *arg, const host_disk *d)
{
    collect_ctx *c = arg;
    if (has_prefix_in(&c->hc->ignore_disks, d->name) || !disk_is_whole(c->hc, d->name))
        return;
    kw_grow(&c->s->disk, &c->cap, c->s->ndisk + 1, sizeof *c->s->disk);
    c->s->disk[c->s->ndisk++] = *d;
}

static void on_netif(void *arg, const host_netif *i)
{
    collect_ctx *c = arg;
    if (in_list(&c->hc->ignore_interfaces, i->name))
        return;
    kw_grow(&c->s->net, &c->cap, c->s->nnet + 1, sizeof *c->s->net);
    c->s->net[c->s->nnet++] = *i;
}

static double rate(uint64_t now, uint64_t before, double dt)
{
    return now >= before && dt > 0 ? (double)(now - before) / dt : 0;
}

static void collect_disks_net(host_collector *hc, host_snapshot *s, double dt)
{
    collect_ctx c = {hc, s, 0};
    if (read_proc(hc, s, "diskstats"))
        host_parse_diskstats(hc->file.data, hc->file.len, on_disk, &c);
    for (size_t i = 0; dt > 0 && i < s->ndisk; i++) {
        host_disk *d = &s->disk[i];
        for (size_t j = 0; j < hc->prev_ndisk; j++) {
            const host_disk *p = &hc->prev_disk[j];
            if (strcmp(p->name, d->name) != 0)
                continue;
            d->read_bps = rate(d->read_sectors, p->read_sectors, dt) * 512;
            d->write_bps = rate(d->write_sectors, p->write_sectors, dt) * 512;
            d->read_iops = rate(d->reads, p->reads, dt);
            d->write_iops = rate(d->writes, p->writes, dt);
            d->util = rate(d->io_ms, p->io_ms, dt) / 1000.0;
            if (d->util > 1)
                d->util = 1;
        }
    }
    free(hc->prev_disk);
    hc->prev_disk = kw_memdup(s->disk, s->ndisk * sizeof *s->disk);
    hc->prev_ndisk = s->ndisk;

    c.cap = 0;
    if (read_proc(hc, s, "net/dev"))
        host_parse_netdev(hc->file.data, hc->file.len, on_netif, &c);
    for (size_t i = 0; dt > 0 && i < s->nnet; i++) {
        host_netif *n = &s->net[i];
        for (size_t j = 0; j < hc->prev_nnet; j++) {
            const host_netif *p = &hc->prev_net[j];
            if (strcmp(p->name, n->name) != 0)
                continue;
            n->rx_bps = rate(n->rx_bytes, p->rx_bytes, dt);
            n->tx_bps = rate(n->tx_bytes, p->tx_bytes, dt);
            n->rx_pps = rate(n->rx_packets, p->rx_packets, dt);
            n->tx_pps = rate(n->tx_packets, p->tx_packets, dt);
        }
    }
    free(hc->prev_net);
    hc->prev_net = kw_memdup(s->net, s->nnet * sizeof *s->net);
    hc->prev_nnet = s->nnet;
}

static void keep_mount(void *arg, const host_mount *m)
{
    collect_ctx *c = arg;
    host_collector *hc = c->hc;
    kw_grow(&hc->mounts, &c->cap, hc->nmounts + 1, sizeof *hc->mounts);
    hc->mounts[hc->nmounts++] = *m;
}

static void fs_add(host_collector *hc, host_snapshot *s, const host_mount *m, size_t *cap)
{
    if (in_list(&hc->ignore_fstypes, m->fstype) || has_prefix_in(&hc->ignore_mountpoints, m->mountpoint))
        return;
    if (m->readonly && !hc->include_readonly)
        return;
    /* the same block device mounted twice (bind mounts) is one filesystem */
    if (m->device[0] == '/')
        for (size_t i = 0; i < s->nfs; i++)
            if (strcmp(s->fs[i].m.device, m->device) == 0)
                return;
    struct statvfs v;
    if (statvfs(m->mountpoint, &v) != 0)
        return; /* unmounted since the mount table was read, or not ours to see */
    if (v.f_blocks == 0)
        return; /* a pseudo filesystem */
    kw_grow(&s->fs, cap, s->nfs + 1, sizeof *s->fs);
    host_fs *f = &s->fs[s->nfs++];
    memset(f, 0, sizeof *f);
    f->m = *m;
    uint64_t frsize = v.f_frsize ? v.f_frsize : v.f_bsize;
    f->size = (uint64_t)v.f_blocks * frsize;
    f->free = (uint64_t)v.f_bfree * frsize;
    f->avail = (uint64_t)v.f_bavail * frsize;
    f->files = v.f_files;
    f->files_free = v.f_ffree;
    /* as df computes Use%: used / (used + available to unprivileged users) */
    uint64_t used = f->size - f->free;
    f->used_ratio = used + f->avail ? (double)used / (double)(used + f->avail) : 0;
    f->inodes_used_ratio = f->files ? 1.0 - (double)f->files_free / (double)f->files : 0;
}

/* The kernel flags /proc/self/mounts with POLLPRI when the mount table changes, so it is
 * read again only then (as util-linux and systemd do). */
static bool mounts_changed(host_collector *hc, const char *path)
{
    if (hc->mounts_fd < 0) {
        hc->mounts_fd = open(path, O_RDONLY | O_CLOEXEC);
        return true;
    }
    struct pollfd p = {hc->mounts_fd, POLLPRI, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLPRI | POLLERR));
}

static void collect_fs(host_collector *hc, host_snapshot *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/self/mounts", hc->proc_root);
    if (mounts_changed(hc, path)) {
        if (read_file(hc, path) != KW_OK) {
            snap_warn(s, "cannot read %s", path);
            if (hc->mounts_fd >= 0)
                close(hc->mounts_fd);
            hc->mounts_fd = -1;
            return;
        }
        collect_ctx c = {hc, s, 0};
        free(hc->mounts);
        hc->mounts = NULL;
        hc->nmounts = 0;
        host_parse_mounts(hc->file.data ? hc->file.data : "", hc->file.len, keep_mount, &c);
    }
    size_t cap = 0;
    for (size_t i = 0; i < hc->nmounts; i++)
        fs_add(hc, s, &hc->mounts[i], &cap);
}

static void proc_details_read(host_collector *hc, host_proc *p);

static int proc_prev_cmp(const void *a, const void *b)
{
    const proc_prev *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

static const char *uid_name(host_collector *hc, unsigned uid, char *tmp, size_t n)
{
    for (size_t i = 0; i < hc->nuid; i++)
        if (hc->uid_cache[i].uid == uid)
            return hc->uid_cache[i].name;
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
        kw_strlcpy(tmp, res->pw_name, n);
    else
        snprintf(tmp, n, "%u", uid);
    size_t slot = hc->nuid < HOST_UID_CACHE ? hc->nuid++ : uid % HOST_UID_CACHE;
    hc->uid_cache[slot].uid = uid;
    kw_strlcpy(hc->uid_cache[slot].name, tmp, sizeof hc->uid_cache[slot].name);
    return hc->uid_cache[slot].name;
}

/* Fills in the user and command line of a process chosen for a top list; remembered by pid
 * and start time, so a process that stays on top is read once. */
static void proc_details(host_collector *hc, host_proc *p, uint64_t starttime)
{
    size_t nd = sizeof hc->details / sizeof hc->details[0];
    for (size_t i = 0; i < hc->ndetails; i++)
        if (hc->details[i].pid == p->pid && hc->details[i].starttime == starttime) {
            kw_strlcpy(p->user, hc->details[i].user, sizeof p->user);
            kw_strlcpy(p->cmdline, hc->details[i].cmdline, sizeof p->cmdline);
            return;
        }
    proc_details_read(hc, p);
    size_t slot = hc->ndetails < nd ? hc->ndetails++ : (size_t)p->pid % nd;
    hc->details[slot].pid = p->pid;
    hc->details[slot].starttime = starttime;
    kw_strlcpy(hc->details[slot].user, p->user, sizeof hc->details[slot].user);
    kw_strlcpy(hc->details[slot].cmdline, p->cmdline, sizeof hc->details[slot].cmdline);
}

static void proc_details_read(host_collector *hc, host_proc *p)
{
    char path[128], tmp[32];
    struct stat st;
    snprintf(path, sizeof path, "%s/%d", hc->proc_root, p->pid);
    if (stat(path, &st) == 0)
        kw_strlcpy(p->user, uid_name(hc, st.st_uid, tmp, sizeof tmp), sizeof p->user);
    snprintf(path, sizeof path, "%s/%d/cmdline", hc->proc_root, p->pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, p->cmdline, sizeof p->cmdline - 1);
    close(fd);
    if (n <= 0) {
        p->cmdline[0] = '\0';
        return;
    }
    for (ssize_t i = 0; i < n; i++)
        if (p->cmdline[i] == '\0')
            p->cmdline[i] = ' ';
    while (n > 0 && p->cmdline[n - 1] == ' ')
        n--;
    p->cmdline[n] = '\0';
}

/* Keeps the n largest in top[] (sorted descending by key). */
static void top_insert(host_proc *top, size_t *count, size_t n, const host_proc *p, bool by_mem)
{
    if (!n)
        return;
    double key = by_mem ? (double)p->rss_bytes : p->cpu_ratio;
    size_t pos = *count;
    while (pos > 0 && (by_mem ? (double)top[pos - 1].rss_bytes : top[pos - 1].cpu_ratio) < key)
        pos--;
    if (pos >= n)
        return;
    size_t last = *count < n ? *count : n - 1;
    memmove(&top[pos + 1], &top[pos], (last - pos) * sizeof *top);
    top[pos] = *p;
    if (*count < n)
        (*count)++;
}

typedef struct {
    host_collector *hc;
    host_snapshot *s;
    double dt;
    proc_prev *cur;
    size_t n, cap;
} procs_ctx;

static void on_pid_stat(void *arg, int pid, const char *buf, size_t len)
{
    procs_ctx *c = arg;
    host_collector *hc = c->hc;
    host_snapshot *s = c->s;
    host_pid_stat ps;
    if (host_parse_pid_stat(buf, len, &ps) != KW_OK || ps.pid != pid)
        return;
    s->processes++;
    s->threads += ps.threads > 0 ? (uint64_t)ps.threads : 0;
    kw_grow(&c->cur, &c->cap, c->n + 1, sizeof *c->cur);
    proc_prev *me = &c->cur[c->n++];
    me->pid = ps.pid;
    me->starttime = ps.starttime;
    me->ticks = ps.utime + ps.stime;
    host_proc p;
    memset(&p, 0, sizeof p);
    p.pid = ps.pid;
    p.starttime = ps.starttime;
    memcpy(p.comm, ps.comm, sizeof p.comm);
    p.state = ps.state;
    p.threads = ps.threads;
    p.rss_bytes = ps.rss_pages * (uint64_t)hc->page_size;
    if (c->dt > 0 && hc->prev_nproc) {
        proc_prev key = {.pid = ps.pid};
        proc_prev *old = bsearch(&key, hc->prev_proc, hc->prev_nproc, sizeof key, proc_prev_cmp);
        /* a process new since the last reading (or a recycled pid, which has another start
         * time) spent all its ticks within the interval */
        uint64_t base = old && old->starttime == ps.starttime && old->ticks <= me->ticks ? old->ticks : 0;
        p.cpu_ratio = (double)(me->ticks - base) / ((double)hc->clk_tck * c->dt);
    }
    top_insert(s->top_cpu, &s->ntop_cpu, hc->top_n, &p, false);
    top_insert(s->top_mem, &s->ntop_mem, hc->top_n, &p, true);
}

static void collect_procs(host_collector *hc, host_snapshot *s, double dt)
{
    s->top_cpu = kw_calloc(hc->top_n + 1, sizeof *s->top_cpu);
    s->top_mem = kw_calloc(hc->top_n + 1, sizeof *s->top_mem);
    procs_ctx c = {hc, s, dt, NULL, 0, 0};
    if (proc_files_scan(hc->pid_stat, on_pid_stat, &c) < 0) {
        snap_warn(s, "cannot list %s", hc->proc_root);
        return;
    }
    if (c.n)
        qsort(c.cur, c.n, sizeof *c.cur, proc_prev_cmp);
    free(hc->prev_proc);
    hc->prev_proc = c.cur;
    hc->prev_nproc = c.n;
    for (size_t i = 0; i < s->ntop_cpu; i++)
        proc_details(hc, &s->top_cpu[i], s->top_cpu[i].starttime);
    for (size_t i = 0; i < s->ntop_mem; i++)
        proc_details(hc, &s->top_mem[i], s->top_mem[i].starttime);
}

kw_rc host_collect(host_collector *hc, host_snapshot **out)
{
    host_snapshot *s = kw_calloc(1, sizeof *s);
    s->ts_ms = kw_now_ms();
    int64_t mono = kw_mono_ms();
    double dt = hc->have_prev ? (double)(mono - hc->prev_mono_ms) / 1000.0 : 0;
    s->interval_s = dt;
    if (gethostname(s->hostname, sizeof s->hostname) != 0)
        kw_strlcpy(s->hostname, "unknown", sizeof s->hostname);
    s->hostname[sizeof s->hostname - 1] = '\0';
    collect_cpu(hc, s);
    collect_mem_load(hc, s);
    collect_fs(hc, s);
    collect_disks_net(hc, s, dt);
    collect_procs(hc, s, dt);
    s->has_rates = hc->have_prev && dt > 0;
    hc->have_prev = true;
    hc->prev_mono_ms = mono;
    *out = s;
    return KW_OK;
}

void host_snapshot_free(host_snapshot *s)
{
    if (!s)
        return;
    free(s->cpu);
    free(s->core_usage);
    free(s->fs);
    free(s->disk);
    free(s->net);
    free(s->top_cpu);
    free(s->top_mem);
    for (size_t i = 0; i < s->nwarnings; i++)
        free(s->warnings[i]);
    free(s->warnings);
    free(s);
}

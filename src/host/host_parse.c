/* Parsers for the /proc files the host sensor reads. Each takes a byte range that need not be
 * NUL-terminated, never reads past it, and saturates numbers instead of overflowing. */
#include "host/host.h"
#include "core/kw_mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *const host_cpu_mode_names[HOST_CPU_MODES] = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
};

typedef struct {
    const char *p, *end;
} scan;

static void scan_ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
        s->p++;
}

static bool scan_u64(scan *s, uint64_t *out)
{
    scan_ws(s);
    if (s->p >= s->end || !isdigit((unsigned char)*s->p))
        return false;
    uint64_t v = 0;
    while (s->p < s->end && isdigit((unsigned char)*s->p)) {
        unsigned d = (unsigned)(*s->p++ - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    *out = v;
    return true;
}

static bool scan_i64(scan *s, int64_t *out)
{
    scan_ws(s);
    bool neg = s->p < s->end && *s->p == '-';
    if (neg)
        s->p++;
    uint64_t u;
    if (!scan_u64(s, &u))
        return false;
    if (u > INT64_MAX)
        u = INT64_MAX;
    *out = neg ? -(int64_t)u : (int64_t)u;
    return true;
}

/* A decimal with an optional fraction, e.g. "0.25" or "12345.67". */
static bool scan_double(scan *s, double *out)
{
    scan_ws(s);
    char tmp[48];
    size_t n = 0;
    while (s->p < s->end && n + 1 < sizeof tmp && (isdigit((unsigned char)*s->p) || *s->p == '.'))
        tmp[n++] = *s->p++;
    if (!n)
        return false;
    tmp[n] = '\0';
    char *e;
    *out = strtod(tmp, &e);
    return *e == '\0';
}

/* Copies the next whitespace-delimited word into out[n] (truncating); false at line end. */
static bool scan_word(scan *s, char *out, size_t n)
{
    scan_ws(s);
    size_t k = 0;
    while (s->p < s->end && *s->p != ' ' && *s->p != '\t' && *s->p != '\n') {
        if (k + 1 < n)
            out[k++] = *s->p;
        s->p++;
    }
    out[k] = '\0';
    return k > 0;
}

/* Splits [buf, buf+len) into lines; *line gets each in turn. */
static bool next_line(scan *all, scan *line)
{
    if (all->p >= all->end)
        return false;
    const char *nl = memchr(all->p, '\n', (size_t)(all->end - all->p));
    line->p = all->p;
    line->end = nl ? nl : all->end;
    all->p = nl ? nl + 1 : all->end;
    return true;
}

static bool line_starts(const scan *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return (size_t)(l->end - l->p) >= n && memcmp(l->p, prefix, n) == 0;
}

kw_rc host_parse_stat(const char *buf, size_t len, host_stat *out)
{
    memset(out, 0, sizeof *out);
    out->total.id = -1;
    scan all = {buf, buf + len}, l;
    size_t cap = 0;
    bool have_total = false;
    while (next_line(&all, &l)) {
        if (line_starts(&l, "cpu")) {
            l.p += 3;
            host_cpu_times t = {.id = -1};
            if (l.p < l.end && isdigit((unsigned char)*l.p)) {
                uint64_t id;
                if (!scan_u64(&l, &id) || id >= HOST_MAX_CPUS)
                    continue;
                t.id = (int)id;
            }
            int k = 0;
            while (k < HOST_CPU_MODES && scan_u64(&l, &t.t[k]))
                k++;
            if (k < 4) /* user nice system idle are in every kernel since 2.4 */
                continue;
            if (t.id < 0) {
                out->total = t;
                have_total = true;
            } else if (out->ncpu < HOST_MAX_CPUS) {
                kw_grow(&out->cpu, &cap, out->ncpu + 1, sizeof *out->cpu);
                out->cpu[out->ncpu++] = t;
            }
        } else if (line_starts(&l, "ctxt ")) {
            l.p += 5;
            scan_u64(&l, &out->ctxt);
        } else if (line_starts(&l, "btime ")) {
            l.p += 6;
            scan_u64(&l, &out->btime);
        } else if (line_starts(&l, "processes ")) {
            l.p += 10;
            scan_u64(&l, &out->forks);
        } else if (line_starts(&l, "procs_running ")) {
            l.p += 14;
            scan_u64(&l, &out->procs_running);
        } else if (line_starts(&l, "procs_blocked ")) {
            l.p += 14;
            scan_u64(&l, &out->procs_blocked);
        }
    }
    if (!have_total) {
        host_stat_free(out);
        return KW_ERR_PARSE;
    }
    return KW_OK;
}

void host_stat_free(host_stat *s)
{
    free(s->cpu);
    s->cpu = NULL;
    s->ncpu = 0;
}

kw_rc host_parse_meminfo(const char *buf, size_t len, host_mem *out)
{
    memset(out, 0, sizeof *out);
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"MemTotal:", offsetof(host_mem, total)},         {"MemFree:", offsetof(host_mem, free)},
        {"MemAvailable:", offsetof(host_mem, available)}, {"Buffers:", offsetof(host_mem, buffers)},
        {"Cached:", offsetof(host_mem, cached)},          {"SReclaimable:", offsetof(host_mem, sreclaimable)},
        {"Shmem:", offsetof(host_mem, shmem)},            {"SwapTotal:", offsetof(host_mem, swap_total)},
        {"SwapFree:", offsetof(host_mem, swap_free)},
    };
    scan all = {buf, buf + len}, l;
    bool have_total = false;
    while (next_line(&all, &l)) {
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            if (!line_starts(&l, keys[i].key))
                continue;
            l.p += strlen(keys[i].key);
            uint64_t v;
            if (!scan_u64(&l, &v))
                break;
            scan_ws(&l);
            if (l.end - l.p >= 2 && memcmp(l.p, "kB", 2) == 0)
                v = v > UINT64_MAX / 1024 ? UINT64_MAX : v * 1024;
            *(uint64_t *)((char *)out + keys[i].off) = v;
            if (i == 0)
                have_total = true;
            if (i == 2)
                out->has_available = true;
            break;
        }
    }
    if (!out->has_available) /* kernels before 3.14: estimate as free + buffers + cache */
        out->available = out->free + out->buffers + out->cached + out->sreclaimable - out->shmem;
    return have_total && out->total ? KW_OK : KW_ERR_PARSE;
}

kw_rc host_parse_loadavg(const char *buf, size_t len, host_load *out)
{
    memset(out, 0, sizeof *out);
    scan s = {buf, buf + len};
    if (!scan_double(&s, &out->l1) || !scan_double(&s, &out->l5) || !scan_double(&s, &out->l15))
        return KW_ERR_PARSE;
    if (scan_u64(&s, &out->running) && s.p < s.end && *s.p == '/') {
        s.p++;
        scan_u64(&s, &out->total);
    }
    return KW_OK;
}

kw_rc host_parse_uptime(const char *buf, size_t len, double *uptime_s)
{
    scan s = {buf, buf + len};
    return scan_double(&s, uptime_s) ? KW_OK : KW_ERR_PARSE;
}

size_t host_parse_diskstats(const char *buf, size_t len, void (*fn)(void *, const host_disk *), void *arg)
{
    scan all = {buf, buf + len}, l;
    size_t n = 0;
    while (next_line(&all, &l)) {
        host_disk d;
        memset(&d, 0, sizeof d);
        uint64_t major, minor, f[11];
        if (!scan_u64(&l, &major) || !scan_u64(&l, &minor) || !scan_word(&l, d.name, sizeof d.name))
            continue;
        int k = 0;
        while (k < 11 && scan_u64(&l, &f[k]))
            k++;
        if (k < 11)
            continue;
        /* reads, merged, sectors read, ms reading, writes, merged, sectors written, ms writing,
         * in flight, ms doing I/O, weighted ms */
        d.reads = f[0];
        d.read_sectors = f[2];
        d.writes = f[4];
        d.write_sectors = f[6];
        d.io_ms = f[9];
        d.weighted_ms = f[10];
        fn(arg, &d);
        n++;
    }
    return n;
}

size_t host_parse_netdev(const char *buf, size_t len, void (*fn)(void *, const host_netif *), void *arg)
{
    scan all = {buf, buf + len}, l;
    size_t n = 0;
    while (next_line(&all, &l)) {
        const char *colon = memchr(l.p, ':', (size_t)(l.end - l.p));
        if (!colon)
            continue; /* the two header lines have '|' but no ':' */
        host_netif i;
        memset(&i, 0, sizeof i);
        scan_ws(&l);
        size_t nl = (size_t)(colon - l.p);
        if (!nl || nl >= sizeof i.name)
            continue;
        memcpy(i.name, l.p, nl);
        l.p = colon + 1;
        uint64_t f[16];
        int k = 0;
        while (k < 16 && scan_u64(&l, &f[k]))
            k++;
        if (k < 12)
            continue;
        i.rx_bytes = f[0];
        i.rx_packets = f[1];
        i.rx_errs = f[2];
        i.rx_drop = f[3];
        i.tx_bytes = f[8];
        i.tx_packets = f[9];
        i.tx_errs = f[10];
        i.tx_drop = f[11];
        fn(arg, &i);
        n++;
    }
    return n;
}

/* Copies a mounts field, decoding the kernel's octal escapes (\040 for space and so on). */
static bool mount_field(scan *l, char *out, size_t n)
{
    scan_ws(l);
    size_t k = 0;
    while (l->p < l->end && *l->p != ' ' && *l->p != '\t') {
        char c = *l->p++;
        if (c == '\\' && l->end - l->p >= 3 && l->p[0] >= '0' && l->p[0] <= '3' && l->p[1] >= '0' &&
            l->p[1] <= '7' && l->p[2] >= '0' && l->p[2] <= '7') {
            c = (char)((l->p[0] - '0') * 64 + (l->p[1] - '0') * 8 + (l->p[2] - '0'));
            l->p += 3;
        }
        if (k + 1 < n)
            out[k++] = c;
    }
    out[k] = '\0';
    return k > 0;
}

size_t host_parse_mounts(const char *buf, size_t len, void (*fn)(void *, const host_mount *), void *arg)
{
    scan all = {buf, buf + len}, l;
    size_t n = 0;
    while (next_line(&all, &l)) {
        host_mount m;
        char opts[512];
        memset(&m, 0, sizeof m);
        if (!mount_field(&l, m.device, sizeof m.device) || !mount_field(&l, m.mountpoint, sizeof m.mountpoint) ||
            !mount_field(&l, m.fstype, sizeof m.fstype) || !mount_field(&l, opts, sizeof opts))
            continue;
        m.readonly = strcmp(opts, "ro") == 0 || strncmp(opts, "ro,", 3) == 0;
        fn(arg, &m);
        n++;
    }
    return n;
}

kw_rc host_parse_pid_stat(const char *buf, size_t len, host_pid_stat *out)
{
    memset(out, 0, sizeof *out);
    scan s = {buf, buf + len};
    uint64_t pid;
    if (!scan_u64(&s, &pid) || pid > INT32_MAX)
        return KW_ERR_PARSE;
    out->pid = (int)pid;
    /* the name is in parentheses and may itself hold ')' or spaces: take the last ')' */
    const char *open = memchr(s.p, '(', (size_t)(s.end - s.p));
    const char *close = NULL;
    for (const char *q = s.end; q > s.p; q--)
        if (q[-1] == ')') {
            close = q - 1;
            break;
        }
    if (!open || !close || close < open)
        return KW_ERR_PARSE;
    size_t cl = (size_t)(close - open - 1);
    if (cl >= sizeof out->comm)
        cl = sizeof out->comm - 1;
    memcpy(out->comm, open + 1, cl);
    out->comm[cl] = '\0';
    s.p = close + 1;
    scan_ws(&s);
    if (s.p >= s.end)
        return KW_ERR_PARSE;
    out->state = *s.p++;
    /* fields 4.. : ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
     * cutime cstime priority nice num_threads itrealvalue starttime vsize rss */
    int64_t f[21];
    int k = 0;
    while (k < 21 && scan_i64(&s, &f[k]))
        k++;
    if (k < 21)
        return KW_ERR_PARSE;
    out->ppid = (int)f[0];
    out->utime = (uint64_t)(f[10] < 0 ? 0 : f[10]);
    out->stime = (uint64_t)(f[11] < 0 ? 0 : f[11]);
    out->threads = f[16];
    out->starttime = (uint64_t)(f[18] < 0 ? 0 : f[18]);
    out->rss_pages = (uint64_t)(f[20] < 0 ? 0 : f[20]);
    return KW_OK;
}

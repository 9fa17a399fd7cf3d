/* The host sensor: CPU, load, memory and swap, filesystems, disk I/O, network interfaces and
 * processes, read from /proc and statvfs (the data Monit, Netdata and node_exporter show).
 *
 * host_parse_*() turn the text of one /proc file into numbers and do no I/O (unit tests and
 * fuzzers feed them bytes). host_collector reads the files and computes rates against its
 * previous reading. */
#ifndef HOST_H
#define HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"

struct metric_set;

#define HOST_MAX_CPUS 4096
#define HOST_NAME_LEN 64
#define HOST_PATH_LEN 256

enum { HOST_CPU_USER, HOST_CPU_NICE, HOST_CPU_SYSTEM, HOST_CPU_IDLE, HOST_CPU_IOWAIT,
       HOST_CPU_IRQ, HOST_CPU_SOFTIRQ, HOST_CPU_STEAL, HOST_CPU_MODES };
extern const char *const host_cpu_mode_names[HOST_CPU_MODES];

typedef struct host_cpu_times {
    int id;                           /* -1 for the total line */
    uint64_t t[HOST_CPU_MODES];       /* clock ticks */
} host_cpu_times;

typedef struct host_stat {
    host_cpu_times total;
    host_cpu_times *cpu;              /* per core; the caller frees */
    size_t ncpu;
    uint64_t ctxt, forks, btime, procs_running, procs_blocked;
} host_stat;

typedef struct host_mem {
    uint64_t total, free, available, buffers, cached, sreclaimable, shmem, swap_total, swap_free;
    bool has_available;
} host_mem;

typedef struct host_load {
    double l1, l5, l15;
    uint64_t running, total;
} host_load;

typedef struct host_disk {
    char name[HOST_NAME_LEN];
    uint64_t reads, writes, read_sectors, write_sectors, io_ms, weighted_ms;
    /* rates over the last interval (valid when the collector had a previous reading) */
    double read_bps, write_bps, read_iops, write_iops, util;
} host_disk;

typedef struct host_netif {
    char name[HOST_NAME_LEN];
    uint64_t rx_bytes, rx_packets, rx_errs, rx_drop, tx_bytes, tx_packets, tx_errs, tx_drop;
    double rx_bps, tx_bps, rx_pps, tx_pps;
} host_netif;

typedef struct host_mount {
    char device[HOST_PATH_LEN];
    char mountpoint[HOST_PATH_LEN];
    char fstype[HOST_NAME_LEN];
    bool readonly;
} host_mount;

typedef struct host_fs {
    host_mount m;
    uint64_t size, free, avail, files, files_free;
    double used_ratio, inodes_used_ratio;
} host_fs;

typedef struct host_pid_stat {
    int pid;
    char comm[32];
    char state;
    int ppid;
    uint64_t utime, stime, starttime, rss_pages;
    int64_t threads;
} host_pid_stat;

typedef struct host_proc {
    int pid;
    char comm[32];
    char user[32];
    char cmdline[256];
    char state;
    uint64_t starttime;               /* clock ticks after boot: with pid, the process's identity */
    double cpu_ratio;                 /* of one core, as top shows it: 2.0 = two cores busy */
    uint64_t rss_bytes;
    int64_t threads;
} host_proc;

typedef struct host_snapshot {
    int64_t ts_ms;
    double interval_s;                /* since the previous reading; 0 for the first */
    char hostname[HOST_NAME_LEN];
    double uptime_s;
    /* cpu */
    size_t ncpu;
    host_cpu_times cpu_total;
    host_cpu_times *cpu;
    bool has_rates;
    double cpu_usage;                 /* 0..1, all cores together */
    double cpu_mode[HOST_CPU_MODES];  /* 0..1 */
    double *core_usage;               /* [ncpu] */
    uint64_t ctxt, forks, procs_running, procs_blocked;
    host_load load;
    host_mem mem;
    double mem_used_ratio, swap_used_ratio;
    host_fs *fs;
    size_t nfs;
    host_disk *disk;
    size_t ndisk;
    host_netif *net;
    size_t nnet;
    uint64_t processes, threads;
    host_proc *top_cpu;
    size_t ntop_cpu;
    host_proc *top_mem;
    size_t ntop_mem;
    char **warnings;                  /* files that could not be read this time */
    size_t nwarnings;
} host_snapshot;

/* ---- parsers (no I/O) ---- */
kw_rc host_parse_stat(const char *buf, size_t len, host_stat *out);
void host_stat_free(host_stat *s);
kw_rc host_parse_meminfo(const char *buf, size_t len, host_mem *out);
kw_rc host_parse_loadavg(const char *buf, size_t len, host_load *out);
/* Calls fn for each whole line; returns the number of entries parsed. */
size_t host_parse_diskstats(const char *buf, size_t len, void (*fn)(void *, const host_disk *), void *arg);
size_t host_parse_netdev(const char *buf, size_t len, void (*fn)(void *, const host_netif *), void *arg);
size_t host_parse_mounts(const char *buf, size_t len, void (*fn)(void *, const host_mount *), void *arg);
kw_rc host_parse_pid_stat(const char *buf, size_t len, host_pid_stat *out);
kw_rc host_parse_uptime(const char *buf, size_t len, double *uptime_s);

/* ---- collector ---- */
typedef struct host_collector host_collector;

/* proc_root is "/proc" except in tests. The collector copies what it needs from c. */
host_collector *host_collector_new(const conf *c, const char *proc_root);
void host_collector_free(host_collector *hc);
/* Takes one reading. *out is the caller's (host_snapshot_free). Missing files become
 * warnings in the snapshot, not errors. */
kw_rc host_collect(host_collector *hc, host_snapshot **out);
void host_snapshot_free(host_snapshot *s);

/* ---- output ---- */
void host_snapshot_metrics(const host_snapshot *s, struct metric_set *out);
/* The snapshot as one ECS document (event.kind: metric). */
void host_snapshot_json(const host_snapshot *s, kw_buf *out);
/* A top-like human summary. */
void host_snapshot_text(const host_snapshot *s, kw_buf *out);
/* "name[pid] 97.0%, ..." for alert summaries; by_mem picks the memory list. */
void host_top_summary(const host_snapshot *s, bool by_mem, size_t n, kw_buf *out);

struct alert_act;
/* Adds the top processes of h (NULL: none known) to a CPU or memory alert as it fires or
 * reopens: to its summary and, as JSON, its details. */
void host_alert_context(const host_snapshot *h, struct alert_act *a);

/* host_module.c: the daemon's module, the host sensor thread. */
struct kw_module;
extern const struct kw_module host_module;

#endif

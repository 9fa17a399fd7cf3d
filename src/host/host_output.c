/* The host snapshot as metrics (rules, /metrics, history), as an ECS document and as text. */
#include "host/host.h"
#include "alert/alert.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "metric/metric.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define G(id, nm, hl) static const metric_desc id = {nm, hl, METRIC_GAUGE, true};
#define C(id, nm, hl) static const metric_desc id = {nm, hl, METRIC_COUNTER, false};

G(m_cpu_usage, "host_cpu_usage_ratio", "Busy share of all CPUs over the last interval (0-1).")
G(m_cpu_mode, "host_cpu_mode_ratio", "Share of CPU time in each mode over the last interval (0-1).")
G(m_core_usage, "host_cpu_core_usage_ratio", "Busy share of each CPU core over the last interval (0-1).")
G(m_cpu_count, "host_cpu_count", "Number of CPU cores.")
C(m_cpu_seconds, "host_cpu_seconds_total", "Seconds each CPU spent in each mode.")
C(m_ctxt, "host_context_switches_total", "Context switches since boot.")
C(m_forks, "host_forks_total", "Processes created since boot.")
G(m_load1, "host_load1", "1-minute load average.")
G(m_load5, "host_load5", "5-minute load average.")
G(m_load15, "host_load15", "15-minute load average.")
G(m_load5_cpu, "host_load5_per_cpu", "5-minute load average divided by the number of CPUs.")
G(m_mem_total, "host_memory_total_bytes", "Total memory.")
G(m_mem_free, "host_memory_free_bytes", "Unused memory.")
G(m_mem_avail, "host_memory_available_bytes", "Memory available for new work without swapping.")
G(m_mem_buffers, "host_memory_buffers_bytes", "Memory in block-device buffers.")
G(m_mem_cached, "host_memory_cached_bytes", "Memory in the page cache.")
G(m_mem_used, "host_memory_used_ratio", "Share of memory not available (1 - available/total).")
G(m_swap_total, "host_swap_total_bytes", "Total swap.")
G(m_swap_free, "host_swap_free_bytes", "Unused swap.")
G(m_swap_used, "host_swap_used_ratio", "Share of swap in use.")
G(m_fs_size, "host_filesystem_size_bytes", "Filesystem size.")
G(m_fs_free, "host_filesystem_free_bytes", "Free space, including the part reserved for root.")
G(m_fs_avail, "host_filesystem_avail_bytes", "Space available to unprivileged users.")
G(m_fs_files, "host_filesystem_files", "Inodes in total.")
G(m_fs_files_free, "host_filesystem_files_free", "Free inodes.")
G(m_fs_used, "host_filesystem_used_ratio", "Used share of the filesystem, as df's Use% (0-1).")
G(m_fs_iused, "host_filesystem_inodes_used_ratio", "Used share of the inodes (0-1).")
C(m_disk_rb, "host_disk_read_bytes_total", "Bytes read from the disk.")
C(m_disk_wb, "host_disk_written_bytes_total", "Bytes written to the disk.")
C(m_disk_r, "host_disk_reads_completed_total", "Reads completed.")
C(m_disk_w, "host_disk_writes_completed_total", "Writes completed.")
C(m_disk_io, "host_disk_io_time_seconds_total", "Seconds spent doing I/O.")
G(m_disk_rbps, "host_disk_read_bytes_per_second", "Read throughput over the last interval.")
G(m_disk_wbps, "host_disk_write_bytes_per_second", "Write throughput over the last interval.")
G(m_disk_riops, "host_disk_reads_per_second", "Reads per second over the last interval.")
G(m_disk_wiops, "host_disk_writes_per_second", "Writes per second over the last interval.")
G(m_disk_util, "host_disk_utilization_ratio", "Share of the interval the disk was busy (0-1).")
C(m_net_rxb, "host_network_receive_bytes_total", "Bytes received.")
C(m_net_txb, "host_network_transmit_bytes_total", "Bytes sent.")
C(m_net_rxp, "host_network_receive_packets_total", "Packets received.")
C(m_net_txp, "host_network_transmit_packets_total", "Packets sent.")
C(m_net_rxe, "host_network_receive_errs_total", "Receive errors.")
C(m_net_txe, "host_network_transmit_errs_total", "Transmit errors.")
C(m_net_rxd, "host_network_receive_drop_total", "Received packets dropped.")
C(m_net_txd, "host_network_transmit_drop_total", "Packets dropped on sending.")
G(m_net_rxbps, "host_network_receive_bytes_per_second", "Receive throughput over the last interval.")
G(m_net_txbps, "host_network_transmit_bytes_per_second", "Transmit throughput over the last interval.")
G(m_net_rxpps, "host_network_receive_packets_per_second", "Packets received per second.")
G(m_net_txpps, "host_network_transmit_packets_per_second", "Packets sent per second.")
G(m_procs, "host_processes", "Processes.")
G(m_threads, "host_threads", "Threads in all processes.")
G(m_running, "host_procs_running", "Processes running or runnable.")
G(m_blocked, "host_procs_blocked", "Processes blocked on I/O.")
G(m_uptime, "host_uptime_seconds", "Seconds since boot.")

void host_snapshot_metrics(const host_snapshot *s, metric_set *o)
{
    char cpu[16];
    double hz = 100.0; /* /proc/stat counts USER_HZ ticks, 100 on every Linux ABI */
    metric_add(o, &m_cpu_count, (double)s->ncpu, NULL);
    if (s->has_rates) {
        metric_add(o, &m_cpu_usage, s->cpu_usage, NULL);
        for (int k = 0; k < HOST_CPU_MODES; k++)
            metric_add(o, &m_cpu_mode, s->cpu_mode[k], "mode", host_cpu_mode_names[k], NULL);
        for (size_t i = 0; i < s->ncpu; i++) {
            snprintf(cpu, sizeof cpu, "%d", s->cpu[i].id);
            metric_add(o, &m_core_usage, s->core_usage[i], "cpu", cpu, NULL);
        }
    }
    for (size_t i = 0; i < s->ncpu; i++) {
        snprintf(cpu, sizeof cpu, "%d", s->cpu[i].id);
        for (int k = 0; k < HOST_CPU_MODES; k++)
            metric_add(o, &m_cpu_seconds, (double)s->cpu[i].t[k] / hz, "cpu", cpu, "mode",
                       host_cpu_mode_names[k], NULL);
    }
    metric_add(o, &m_ctxt, (double)s->ctxt, NULL);
    metric_add(o, &m_forks, (double)s->forks, NULL);
    metric_add(o, &m_load1, s->load.l1, NULL);
    metric_add(o, &m_load5, s->load.l5, NULL);
    metric_add(o, &m_load15, s->load.l15, NULL);
    metric_add(o, &m_load5_cpu, s->ncpu ? s->load.l5 / (double)s->ncpu : s->load.l5, NULL);
    if (s->mem.total) {
        metric_add(o, &m_mem_total, (double)s->mem.total, NULL);
        metric_add(o, &m_mem_free, (double)s->mem.free, NULL);
        metric_add(o, &m_mem_avail, (double)s->mem.available, NULL);
        metric_add(o, &m_mem_buffers, (double)s->mem.buffers, NULL);
        metric_add(o, &m_mem_cached, (double)s->mem.cached, NULL);
        metric_add(o, &m_mem_used, s->mem_used_ratio, NULL);
        metric_add(o, &m_swap_total, (double)s->mem.swap_total, NULL);
        metric_add(o, &m_swap_free, (double)s->mem.swap_free, NULL);
        metric_add(o, &m_swap_used, s->swap_used_ratio, NULL);
    }
    for (size_t i = 0; i < s->nfs; i++) {
        const host_fs *f = &s->fs[i];
#define FSL "mountpoint", f->m.mountpoint, "device", f->m.device, "fstype", f->m.fstype, NULL
        metric_add(o, &m_fs_size, (double)f->size, FSL);
        metric_add(o, &m_fs_free, (double)f->free, FSL);
        metric_add(o, &m_fs_avail, (double)f->avail, FSL);
        metric_add(o, &m_fs_files, (double)f->files, FSL);
        metric_add(o, &m_fs_files_free, (double)f->files_free, FSL);
        metric_add(o, &m_fs_used, f->used_ratio, FSL);
        if (f->files)
            metric_add(o, &m_fs_iused, f->inodes_used_ratio, FSL);
#undef FSL
    }
    for (size_t i = 0; i < s->ndisk; i++) {
        const host_disk *d = &s->disk[i];
        metric_add(o, &m_disk_rb, (double)d->read_sectors * 512, "device", d->name, NULL);
        metric_add(o, &m_disk_wb, (double)d->write_sectors * 512, "device", d->name, NULL);
        metric_add(o, &m_disk_r, (double)d->reads, "device", d->name, NULL);
        metric_add(o, &m_disk_w, (double)d->writes, "device", d->name, NULL);
        metric_add(o, &m_disk_io, (double)d->io_ms / 1000.0, "device", d->name, NULL);
        if (s->has_rates) {
            metric_add(o, &m_disk_rbps, d->read_bps, "device", d->name, NULL);
            metric_add(o, &m_disk_wbps, d->write_bps, "device", d->name, NULL);
            metric_add(o, &m_disk_riops, d->read_iops, "device", d->name, NULL);
            metric_add(o, &m_disk_wiops, d->write_iops, "device", d->name, NULL);
            metric_add(o, &m_disk_util, d->util, "device", d->name, NULL);
        }
    }
    for (size_t i = 0; i < s->nnet; i++) {
        const host_netif *n = &s->net[i];
        metric_add(o, &m_net_rxb, (double)n->rx_bytes, "device", n->name, NULL);
        metric_add(o, &m_net_txb, (double)n->tx_bytes, "device", n->name, NULL);
        metric_add(o, &m_net_rxp, (double)n->rx_packets, "device", n->name, NULL);
        metric_add(o, &m_net_txp, (double)n->tx_packets, "device", n->name, NULL);
        metric_add(o, &m_net_rxe, (double)n->rx_errs, "device", n->name, NULL);
        metric_add(o, &m_net_txe, (double)n->tx_errs, "device", n->name, NULL);
        metric_add(o, &m_net_rxd, (double)n->rx_drop, "device", n->name, NULL);
        metric_add(o, &m_net_txd, (double)n->tx_drop, "device", n->name, NULL);
        if (s->has_rates) {
            metric_add(o, &m_net_rxbps, n->rx_bps, "device", n->name, NULL);
            metric_add(o, &m_net_txbps, n->tx_bps, "device", n->name, NULL);
            metric_add(o, &m_net_rxpps, n->rx_pps, "device", n->name, NULL);
            metric_add(o, &m_net_txpps, n->tx_pps, "device", n->name, NULL);
        }
    }
    metric_add(o, &m_procs, (double)s->processes, NULL);
    metric_add(o, &m_threads, (double)s->threads, NULL);
    metric_add(o, &m_running, (double)s->procs_running, NULL);
    metric_add(o, &m_blocked, (double)s->procs_blocked, NULL);
    metric_add(o, &m_uptime, s->uptime_s, NULL);
}

static void json_procs(kw_json *j, const char *key, const host_proc *p, size_t n)
{
    kw_json_key(j, key);
    kw_json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        kw_json_obj_begin(j);
        kw_json_kv_int(j, "pid", p[i].pid);
        kw_json_kv_str(j, "name", p[i].comm);
        kw_json_kv_str(j, "user", p[i].user);
        kw_json_kv_str(j, "command_line", p[i].cmdline);
        char st[2] = {p[i].state ? p[i].state : '?', 0};
        kw_json_kv_str(j, "state", st);
        kw_json_kv_num(j, "cpu_pct", p[i].cpu_ratio);
        kw_json_kv_int(j, "rss_bytes", (int64_t)p[i].rss_bytes);
        kw_json_kv_int(j, "threads", p[i].threads);
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
}

void host_snapshot_json(const host_snapshot *s, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "@timestamp", s->ts_ms);
    kw_json_key(&j, "event");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "metric");
    kw_json_kv_str(&j, "module", "host");
    kw_json_kv_str(&j, "dataset", "keepwatch.host");
    kw_json_obj_end(&j);
    kw_json_key(&j, "host");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "name", s->hostname);
    kw_json_kv_str(&j, "hostname", s->hostname);
    kw_json_kv_num(&j, "uptime", s->uptime_s);
    kw_json_key(&j, "cpu");
    kw_json_obj_begin(&j);
    if (s->has_rates)
        kw_json_kv_num(&j, "usage", s->cpu_usage);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);

    kw_json_key(&j, "system");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "cpu");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "cores", (int64_t)s->ncpu);
    if (s->has_rates) {
        kw_json_kv_num(&j, "total_pct", s->cpu_usage);
        for (int k = 0; k < HOST_CPU_MODES; k++) {
            kw_json_key(&j, host_cpu_mode_names[k]);
            kw_json_obj_begin(&j);
            kw_json_kv_num(&j, "pct", s->cpu_mode[k]);
            kw_json_obj_end(&j);
        }
        kw_json_key(&j, "per_core_pct");
        kw_json_arr_begin(&j);
        for (size_t i = 0; i < s->ncpu; i++)
            kw_json_num(&j, s->core_usage[i]);
        kw_json_arr_end(&j);
    }
    kw_json_obj_end(&j);
    kw_json_key(&j, "load");
    kw_json_obj_begin(&j);
    kw_json_kv_num(&j, "1", s->load.l1);
    kw_json_kv_num(&j, "5", s->load.l5);
    kw_json_kv_num(&j, "15", s->load.l15);
    kw_json_obj_end(&j);
    kw_json_key(&j, "memory");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "total", (int64_t)s->mem.total);
    kw_json_kv_int(&j, "free", (int64_t)s->mem.free);
    kw_json_kv_int(&j, "available", (int64_t)s->mem.available);
    kw_json_kv_int(&j, "buffers", (int64_t)s->mem.buffers);
    kw_json_kv_int(&j, "cached", (int64_t)s->mem.cached);
    kw_json_kv_num(&j, "used_pct", s->mem_used_ratio);
    kw_json_key(&j, "swap");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "total", (int64_t)s->mem.swap_total);
    kw_json_kv_int(&j, "free", (int64_t)s->mem.swap_free);
    kw_json_kv_num(&j, "used_pct", s->swap_used_ratio);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_json_key(&j, "filesystem");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < s->nfs; i++) {
        const host_fs *f = &s->fs[i];
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "mount_point", f->m.mountpoint);
        kw_json_kv_str(&j, "device_name", f->m.device);
        kw_json_kv_str(&j, "type", f->m.fstype);
        kw_json_kv_int(&j, "total", (int64_t)f->size);
        kw_json_kv_int(&j, "free", (int64_t)f->free);
        kw_json_kv_int(&j, "available", (int64_t)f->avail);
        kw_json_kv_num(&j, "used_pct", f->used_ratio);
        kw_json_kv_int(&j, "files", (int64_t)f->files);
        kw_json_kv_int(&j, "free_files", (int64_t)f->files_free);
        kw_json_kv_num(&j, "inodes_used_pct", f->inodes_used_ratio);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_key(&j, "diskio");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < s->ndisk; i++) {
        const host_disk *d = &s->disk[i];
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", d->name);
        kw_json_kv_int(&j, "read_bytes", (int64_t)(d->read_sectors * 512));
        kw_json_kv_int(&j, "write_bytes", (int64_t)(d->write_sectors * 512));
        if (s->has_rates) {
            kw_json_kv_num(&j, "read_bytes_per_sec", d->read_bps);
            kw_json_kv_num(&j, "write_bytes_per_sec", d->write_bps);
            kw_json_kv_num(&j, "read_per_sec", d->read_iops);
            kw_json_kv_num(&j, "write_per_sec", d->write_iops);
            kw_json_kv_num(&j, "busy_pct", d->util);
        }
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_key(&j, "network");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < s->nnet; i++) {
        const host_netif *n = &s->net[i];
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", n->name);
        kw_json_kv_int(&j, "in_bytes", (int64_t)n->rx_bytes);
        kw_json_kv_int(&j, "out_bytes", (int64_t)n->tx_bytes);
        kw_json_kv_int(&j, "in_packets", (int64_t)n->rx_packets);
        kw_json_kv_int(&j, "out_packets", (int64_t)n->tx_packets);
        kw_json_kv_int(&j, "in_errors", (int64_t)n->rx_errs);
        kw_json_kv_int(&j, "out_errors", (int64_t)n->tx_errs);
        kw_json_kv_int(&j, "in_dropped", (int64_t)n->rx_drop);
        kw_json_kv_int(&j, "out_dropped", (int64_t)n->tx_drop);
        if (s->has_rates) {
            kw_json_kv_num(&j, "in_bytes_per_sec", n->rx_bps);
            kw_json_kv_num(&j, "out_bytes_per_sec", n->tx_bps);
        }
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_key(&j, "process");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "summary");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "total", (int64_t)s->processes);
    kw_json_kv_int(&j, "threads", (int64_t)s->threads);
    kw_json_kv_int(&j, "running", (int64_t)s->procs_running);
    kw_json_kv_int(&j, "blocked", (int64_t)s->procs_blocked);
    kw_json_obj_end(&j);
    json_procs(&j, "top_cpu", s->top_cpu, s->ntop_cpu);
    json_procs(&j, "top_memory", s->top_mem, s->ntop_mem);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    if (s->nwarnings) {
        kw_json_key(&j, "keepwatch");
        kw_json_obj_begin(&j);
        kw_json_key(&j, "warnings");
        kw_json_arr_begin(&j);
        for (size_t i = 0; i < s->nwarnings; i++)
            kw_json_str(&j, s->warnings[i]);
        kw_json_arr_end(&j);
        kw_json_obj_end(&j);
    }
    kw_json_obj_end(&j);
}

static void human_bytes(double v, char *out, size_t n)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int i = 0;
    while (v >= 1024 && i < 5) {
        v /= 1024;
        i++;
    }
    snprintf(out, n, i ? "%.1f%s" : "%.0f%s", v, u[i]);
}

void host_snapshot_text(const host_snapshot *s, kw_buf *o)
{
    char a[32], b[32], c[32];
    kw_buf_printf(o, "host %s, up %.1f days, %zu CPUs\n", s->hostname, s->uptime_s / 86400.0, s->ncpu);
    if (s->has_rates) {
        kw_buf_printf(o, "cpu     %5.1f%% busy  (user %.1f%%, system %.1f%%, iowait %.1f%%, steal %.1f%%)\n",
                      s->cpu_usage * 100, s->cpu_mode[HOST_CPU_USER] * 100, s->cpu_mode[HOST_CPU_SYSTEM] * 100,
                      s->cpu_mode[HOST_CPU_IOWAIT] * 100, s->cpu_mode[HOST_CPU_STEAL] * 100);
        kw_buf_puts(o, "cores  ");
        for (size_t i = 0; i < s->ncpu; i++)
            kw_buf_printf(o, " %d:%.0f%%", s->cpu[i].id, s->core_usage[i] * 100);
        kw_buf_putc(o, '\n');
    }
    kw_buf_printf(o, "load    %.2f %.2f %.2f\n", s->load.l1, s->load.l5, s->load.l15);
    human_bytes((double)(s->mem.total - s->mem.available), a, sizeof a);
    human_bytes((double)s->mem.total, b, sizeof b);
    kw_buf_printf(o, "memory  %5.1f%% used  (%s of %s)\n", s->mem_used_ratio * 100, a, b);
    if (s->mem.swap_total) {
        human_bytes((double)(s->mem.swap_total - s->mem.swap_free), a, sizeof a);
        human_bytes((double)s->mem.swap_total, b, sizeof b);
        kw_buf_printf(o, "swap    %5.1f%% used  (%s of %s)\n", s->swap_used_ratio * 100, a, b);
    } else {
        kw_buf_puts(o, "swap    none\n");
    }
    kw_buf_printf(o, "procs   %llu processes, %llu threads, %llu running, %llu blocked\n",
                  (unsigned long long)s->processes, (unsigned long long)s->threads,
                  (unsigned long long)s->procs_running, (unsigned long long)s->procs_blocked);
    kw_buf_puts(o, "\nfilesystem                     type        size    avail   use%  inodes%\n");
    for (size_t i = 0; i < s->nfs; i++) {
        const host_fs *f = &s->fs[i];
        human_bytes((double)f->size, a, sizeof a);
        human_bytes((double)f->avail, b, sizeof b);
        kw_buf_printf(o, "%-30s %-9s %8s %8s %5.1f%% %6.1f%%\n", f->m.mountpoint, f->m.fstype, a, b,
                      f->used_ratio * 100, f->inodes_used_ratio * 100);
    }
    if (s->has_rates && s->ndisk) {
        kw_buf_puts(o, "\ndisk            read/s   write/s    r/s    w/s  busy%\n");
        for (size_t i = 0; i < s->ndisk; i++) {
            const host_disk *d = &s->disk[i];
            human_bytes(d->read_bps, a, sizeof a);
            human_bytes(d->write_bps, b, sizeof b);
            kw_buf_printf(o, "%-12s %9s %9s %6.0f %6.0f %5.1f%%\n", d->name, a, b, d->read_iops, d->write_iops,
                          d->util * 100);
        }
    }
    if (s->nnet) {
        kw_buf_puts(o, "\ninterface          in/s     out/s   in errs  out errs\n");
        for (size_t i = 0; i < s->nnet; i++) {
            const host_netif *n = &s->net[i];
            human_bytes(n->rx_bps, a, sizeof a);
            human_bytes(n->tx_bps, b, sizeof b);
            kw_buf_printf(o, "%-12s %9s %9s %9llu %9llu\n", n->name, s->has_rates ? a : "-", s->has_rates ? b : "-",
                          (unsigned long long)n->rx_errs, (unsigned long long)n->tx_errs);
        }
    }
    const struct {
        const char *title;
        const host_proc *p;
        size_t n;
    } lists[] = {{"top by CPU", s->top_cpu, s->ntop_cpu}, {"top by memory", s->top_mem, s->ntop_mem}};
    for (int l = 0; l < 2; l++) {
        if (!lists[l].n)
            continue;
        kw_buf_printf(o, "\n%-16s   pid user        cpu%%      rss command\n", lists[l].title);
        for (size_t i = 0; i < lists[l].n; i++) {
            const host_proc *p = &lists[l].p[i];
            human_bytes((double)p->rss_bytes, c, sizeof c);
            kw_buf_printf(o, "%-16s %5d %-10s %6.1f %8s %.60s\n", p->comm, p->pid, p->user, p->cpu_ratio * 100, c,
                          p->cmdline[0] ? p->cmdline : p->comm);
        }
    }
    for (size_t i = 0; i < s->nwarnings; i++)
        kw_buf_printf(o, "warning: %s\n", s->warnings[i]);
}

void host_top_summary(const host_snapshot *s, bool by_mem, size_t n, kw_buf *out)
{
    const host_proc *p = by_mem ? s->top_mem : s->top_cpu;
    size_t cnt = by_mem ? s->ntop_mem : s->ntop_cpu;
    char tmp[32];
    for (size_t i = 0; i < cnt && i < n; i++) {
        if (by_mem)
            human_bytes((double)p[i].rss_bytes, tmp, sizeof tmp);
        else
            snprintf(tmp, sizeof tmp, "%.0f%%", p[i].cpu_ratio * 100);
        kw_buf_printf(out, "%s%s[%d] %s", i ? ", " : "", p[i].comm, p[i].pid, tmp);
    }
}

void host_alert_context(const host_snapshot *h, struct alert_act *a)
{
    if (a->ctx == ALERT_CTX_NONE || !h || (a->kind != ALERT_ACT_FIRE && a->kind != ALERT_ACT_REOPEN))
        return;
    bool mem = a->ctx == ALERT_CTX_TOP_MEM;
    const host_proc *p = mem ? h->top_mem : h->top_cpu;
    size_t n = mem ? h->ntop_mem : h->ntop_cpu;
    if (!n)
        return;
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, "%s; top processes: ", a->summary ? a->summary : a->rule);
    host_top_summary(h, mem, 3, &b);
    free(a->summary);
    a->summary = kw_buf_take(&b);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "top_processes");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < n; i++) {
        kw_json_obj_begin(&j);
        kw_json_kv_int(&j, "pid", p[i].pid);
        kw_json_kv_str(&j, "name", p[i].comm);
        kw_json_kv_str(&j, "user", p[i].user);
        kw_json_kv_str(&j, "command_line", p[i].cmdline);
        kw_json_kv_num(&j, "cpu_pct", p[i].cpu_ratio);
        kw_json_kv_int(&j, "rss_bytes", (int64_t)p[i].rss_bytes);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    a->details_json = kw_buf_take(&b);
}

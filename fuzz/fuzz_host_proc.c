/* libFuzzer target: every /proc parser of the host sensor on the same bytes. */
#include "host/host.h"

#include <stdint.h>

static void on_disk(void *a, const host_disk *d) { (void)a; (void)d; }
static void on_if(void *a, const host_netif *i) { (void)a; (void)i; }
static void on_mount(void *a, const host_mount *m) { (void)a; (void)m; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *b = (const char *)data;
    host_stat st;
    if (host_parse_stat(b, size, &st) == KW_OK)
        host_stat_free(&st);
    host_mem m;
    host_parse_meminfo(b, size, &m);
    host_load l;
    host_parse_loadavg(b, size, &l);
    double up;
    host_parse_uptime(b, size, &up);
    host_parse_diskstats(b, size, on_disk, NULL);
    host_parse_netdev(b, size, on_if, NULL);
    host_parse_mounts(b, size, on_mount, NULL);
    host_pid_stat p;
    host_parse_pid_stat(b, size, &p);
    return 0;
}

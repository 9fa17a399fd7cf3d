#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_time.h"
#include "host/host.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char host_usage[] =
    "usage: keepwatch host status [--json] [--interval DURATION] [-c FILE]\n"
    "\n"
    "One snapshot of this machine, without a daemon: CPU (total, per mode, per core), load,\n"
    "memory and swap, filesystems (space and inodes), disk I/O, network interfaces, process\n"
    "counts and the top processes by CPU and by memory. Rates are measured over --interval\n"
    "(default 1s) between two readings, as vmstat and iostat do.\n"
    "\n"
    "  --json              one ECS document (event.kind: metric), as the API's /api/v1/host\n"
    "  --interval D        time between the two readings (100ms to 1m)\n"
    "  -c, --config FILE   the host: section (ignored filesystems, interfaces, disks; top_processes)\n";

int cli_host(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(host_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    if (strcmp(argv[1], "status") != 0) {
        fprintf(stderr, "keepwatch host: unknown command \"%s\"\n\n%s", argv[1], host_usage);
        return KW_EXIT_USAGE;
    }
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"interval", required_argument, NULL, 'i'},
        {"config", required_argument, NULL, 'c'},
        {0},
    };
    bool json = false;
    const char *path = NULL;
    int64_t interval = 1000;
    char err[256];
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'j': json = true; break;
        case 'c': path = optarg; break;
        case 'i':
            if (kw_duration_parse(optarg, &interval, err, sizeof err) != KW_OK || interval < 100 || interval > 60000) {
                fprintf(stderr, "keepwatch host status: --interval: %s\n",
                        interval < 100 || interval > 60000 ? "use 100ms to 1m" : err);
                return KW_EXIT_USAGE;
            }
            break;
        default: fputs(host_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    conf *c = cli_conf_load(cli_conf_path(path));
    if (!c)
        return KW_EXIT_USAGE;
    host_collector *hc = host_collector_new(c, NULL);
    host_snapshot *s = NULL;
    host_collect(hc, &s);
    host_snapshot_free(s);
    struct timespec ts = {interval / 1000, (interval % 1000) * 1000000};
    nanosleep(&ts, NULL);
    host_collect(hc, &s);
    kw_buf out;
    kw_buf_init(&out, 0);
    if (json) {
        host_snapshot_json(s, &out);
        kw_buf_putc(&out, '\n');
    } else {
        host_snapshot_text(s, &out);
    }
    fputs(kw_buf_cstr(&out), stdout);
    kw_buf_free(&out);
    host_snapshot_free(s);
    host_collector_free(hc);
    conf_free(c);
    return KW_EXIT_OK;
}

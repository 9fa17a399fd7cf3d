#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_time.h"
#include "net/net_capture.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char net_usage[] =
    "usage: keepwatch net analyze [--json] [-c FILE] CAPTURE...\n"
    "\n"
    "Reads captures (pcap or pcapng, micro- or nanosecond timestamps; Ethernet with 802.1Q and\n"
    "QinQ, Linux cooked v1 and v2, raw IP, loopback) with the same detectors the daemon runs, and\n"
    "prints one line per attack when it is over or at the end of the input:\n"
    "  syn_flood (half-open connections), ack_flood, rst_flood, udp_flood (with reflection from\n"
    "  ports 53, 123, 161, 389, 1900, 11211...), icmp_flood, port_scan, host_sweep, brute_force,\n"
    "  and traffic_spike for the assets and net.groups of the configuration.\n"
    "Several files are read in the order given, as one stream. A summary goes to stderr.\n"
    "\n"
    "  --json       one ECS document per attack (event.kind: alert; @timestamp is the capture\n"
    "               time at which the detector fired)\n"
    "  -c FILE      thresholds and allow-list from the net: section of the configuration\n"
    "\n"
    "exit status: 0 no attack found, 1 attacks found, 2 bad usage or an unreadable or damaged\n"
    "file (what was read before the damage is still analysed and reported).\n";

typedef struct {
    bool json;
    uint64_t n;
} emit_ctx;

static void on_detection(void *arg, net_phase phase, const net_detection *d)
{
    emit_ctx *c = arg;
    if (phase != NET_DET_END) /* a capture file is reported as each attack ends */
        return;
    kw_buf b;
    kw_buf_init(&b, 0);
    if (c->json) {
        net_detection_ecs(d, &b);
    } else {
        char ts[40];
        kw_time_iso8601(d->fire_ns / 1000000, ts, sizeof ts);
        kw_buf_printf(&b, "%s ", ts);
        net_detection_text(d, &b);
    }
    kw_buf_putc(&b, '\n');
    fputs(kw_buf_cstr(&b), stdout);
    kw_buf_free(&b);
    c->n++;
}

int cli_net(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(net_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    if (strcmp(argv[1], "analyze") != 0) {
        fprintf(stderr, "keepwatch net: unknown command \"%s\"\n\n%s", argv[1], net_usage);
        return KW_EXIT_USAGE;
    }
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"config", required_argument, NULL, 'c'}, {0}};
    emit_ctx ctx = {0};
    const char *cfg_path = NULL;
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (ch == 'j')
            ctx.json = true;
        else if (ch == 'c')
            cfg_path = optarg;
        else {
            fputs(net_usage, stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "keepwatch net analyze: name at least one capture file\n");
        return KW_EXIT_USAGE;
    }
    conf *c = cli_conf_load(cli_conf_path(cfg_path));
    if (!c)
        return KW_EXIT_USAGE;
    net_thresholds t;
    net_thresholds_from_conf(c, &t);
    conf_free(c);
    net_detector *d = net_detector_new(&t, on_detection, &ctx);
    net_stats st = {0};
    bool damaged = false;
    int64_t t0 = kw_mono_ms();
    for (int i = optind; i < argc; i++) {
        char err[512];
        if (net_capture_file(argv[i], d, &st, err, sizeof err) != KW_OK) {
            fprintf(stderr, "keepwatch: %s\n", err);
            damaged = true;
        }
    }
    net_detector_finish(d);
    fflush(stdout);
    double secs = (double)(kw_mono_ms() - t0) / 1000.0;
    fprintf(stderr,
            "keepwatch: %llu packets (%llu IP, %llu not IP, %llu malformed), %.1f s of capture, "
            "read in %.2f s (%.0f packets/s); %llu attack%s\n",
            (unsigned long long)st.packets, (unsigned long long)st.ip, (unsigned long long)st.not_ip,
            (unsigned long long)st.malformed, st.packets ? (double)(st.last_ns - st.first_ns) / 1e9 : 0.0, secs,
            secs > 0 ? (double)st.packets / secs : 0.0, (unsigned long long)ctx.n, ctx.n == 1 ? "" : "s");
    net_detector_free(d);
    return damaged ? KW_EXIT_USAGE : ctx.n ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

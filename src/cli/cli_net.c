#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_time.h"
#include "intel/intel.h"
#include "net/net_capture.h"
#include "net/net_inspect_conf.h"
#include "net/net_pipe.h"

#include "core/kw_mem.h"

#include <getopt.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char net_usage[] =
    "usage: keepwatch net analyze [--json] [-c FILE] CAPTURE...\n"
    "       keepwatch net rules check|list [--json] [--builtin] [--var NAME=VALUE] FILE...\n"
    "\n"
    "Reads captures (pcap or pcapng, micro- or nanosecond timestamps; Ethernet with 802.1Q and\n"
    "QinQ, Linux cooked v1 and v2, raw IP, loopback, PPP, Cisco HDLC, NFLOG, 802.11 bare, under\n"
    "radiotap or PPI) with the same detectors the daemon runs, and\n"
    "prints one line per attack when it is over or at the end of the input:\n"
    "  syn_flood (half-open connections), synack_flood (SYN-ACK reflection), ack_flood,\n"
    "  rst_flood, udp_flood (reflection named: DNS, NTP, SNMP, CLDAP, SSDP, memcached, BACnet,\n"
    "  CoAP, IKE, ...), icmp_flood, port_scan, host_sweep, brute_force (fast, and slow: 40\n"
    "  sessions in 10 minutes), and traffic_spike for the assets and net.groups of the\n"
    "  configuration. A flood cut short by the end of the input is reported when it ran at\n"
    "  twice its threshold over 100 packets or more.\n"
    "And in protocol contents (net.inspect; TCP reassembled, HTTP, TLS, DNS, FTP, POP3, IMAP,\n"
    "Telnet read): web_attack (built-in and your Suricata-format rules on HTTP requests),\n"
    "signature_match, dns_tunnel, dga_domain, cleartext_credentials, and intel_match against\n"
    "the intel.files lists; one per source, target and rule, with the request as evidence.\n"
    "Several files are read as one stream, in the order of their first packets (stderr says\n"
    "when that is not the order given, and when one overlaps the one before). A summary goes to\n"
    "stderr. The rules' Hyperscan databases are kept in $KEEPWATCH_CACHE_DIR/hs (default\n"
    "~/.cache/keepwatch/hs; \"off\": none) and read back by the next run of the same rules.\n"
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
    pthread_mutex_t mu;       /* the detectors and the inspection report from two threads */
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
    pthread_mutex_lock(&c->mu);
    fputs(kw_buf_cstr(&b), stdout);
    c->n++;
    pthread_mutex_unlock(&c->mu);
    kw_buf_free(&b);
}

/* The detectors and the inspection of contents, as the configuration has them. */
typedef struct {
    net_detector *det;
    net_inspect *insp;
    net_pipe *pipe;           /* to the inspection's thread, when it could start */
    net_capture_sync sync;
    net_sig_set *sigs;
    intel *lists;
} analyzer;


/* Builds an analyzer for c reporting through ctx; KW_OK, or an error already said on
 * stderr (a rule file or an intelligence list that cannot be read). */
static kw_rc analyzer_new(const conf *c, emit_ctx *ctx, analyzer *an)
{
    memset(an, 0, sizeof *an);
    net_thresholds t;
    net_thresholds_from_conf(c, &t);
    t.talkers = false; /* the console's; nothing here prints them */
    char err[512];
    net_sig_report rep = {0};
    kw_rc rc = net_inspect_sigs_from_conf(c, &an->sigs, &rep, err, sizeof err);
    if (rep.skipped)
        fprintf(stderr, "keepwatch: %zu of %zu rules skipped (keepwatch net rules check FILE says why)\n",
                rep.skipped, rep.skipped + rep.loaded);
    net_sig_report_free(&rep);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch: %s\n", err);
        return rc;
    }
    if (c->net.inspect.enabled && c->intel.files.n) {
        intel_watch_result res = {0};
        if ((rc = intel_from_conf(c, &an->lists)) == KW_OK)
            intel_watch(an->lists, kw_now_ms(), NULL, NULL, &res); /* reads them once */
        if (rc != KW_OK || res.failed) {
            fprintf(stderr, "keepwatch: %s of the intel.files lists cannot be read (keepwatch intel check FILE "
                    "says why)\n", rc != KW_OK ? "some" : res.failed == 1 ? "one" : "several");
            intel_free(an->lists);
            net_sig_set_free(an->sigs);
            return rc != KW_OK ? rc : KW_ERR_IO;
        }
    }
    an->det = net_detector_new(&t, on_detection, ctx);
    if (c->net.inspect.enabled) {
        net_inspect_opts o;
        net_inspect_opts_from_conf(c, &o);
        o.sigs = an->sigs;
        o.intel = an->lists;
        an->insp = net_inspect_new(&o, on_detection, ctx);
        net_stage st;
        net_inspect_stage(an->insp, &st);
        if ((an->pipe = net_pipe_new(&st)) != NULL) { /* contents are read on a second core */
            net_pipe_stage(an->pipe, &st);
            an->sync = net_pipe_capture_sync(an->pipe);
        }
        net_detector_set_next(an->det, &st);
    }
    return KW_OK;
}

static void analyzer_free(analyzer *an)
{
    net_pipe_free(an->pipe);
    net_detector_free(an->det);
    net_inspect_free(an->insp);
    net_sig_set_free(an->sigs);
    intel_free(an->lists);
}

typedef struct {
    const char *path;
    int64_t first_ns;
    bool has_ts;
    size_t given;           /* its place on the command line */
} capture_file;

static int capture_cmp(const void *a, const void *b)
{
    const capture_file *x = a, *y = b;
    if (x->has_ts && y->has_ts && x->first_ns != y->first_ns)
        return x->first_ns < y->first_ns ? -1 : 1;
    return x->given < y->given ? -1 : x->given > y->given;
}

/* The files in the order of their first packets (an unreadable one, or a pipe, keeps its
 * place relative to the others); says so when that is not the order given. Returns an array the caller frees. */
static capture_file *capture_files_ordered(char **paths, size_t n)
{
    capture_file *f = kw_calloc(n ? n : 1, sizeof *f);
    for (size_t i = 0; i < n; i++) {
        f[i].path = paths[i];
        f[i].given = i;
        struct stat sb; /* a pipe's first packet must not be read twice: only files are peeked */
        f[i].has_ts = stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
                      net_capture_first_ts(paths[i], &f[i].first_ns) == KW_OK;
    }
    qsort(f, n, sizeof *f, capture_cmp);
    bool moved = false;
    for (size_t i = 0; i < n; i++)
        moved |= f[i].given != i;
    if (moved) {
        fputs("keepwatch: reading the captures in time order:", stderr);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %s", f[i].path);
        fputc('\n', stderr);
    }
    return f;
}

int cli_net(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(net_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    if (strcmp(argv[1], "rules") == 0)
        return cli_net_rules(argc - 1, argv + 1);
    if (strcmp(argv[1], "analyze") != 0) {
        fprintf(stderr, "keepwatch net: unknown command \"%s\"\n\n%s", argv[1], net_usage);
        return KW_EXIT_USAGE;
    }
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"config", required_argument, NULL, 'c'}, {0}};
    emit_ctx ctx = {.mu = PTHREAD_MUTEX_INITIALIZER};
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
    analyzer an;
    kw_rc arc = analyzer_new(c, &ctx, &an);
    conf_free(c);
    if (arc != KW_OK)
        return KW_EXIT_USAGE;
    net_detector *d = an.det;
    net_stats st = {0};
    bool damaged = false;
    int64_t t0 = kw_mono_ms();
    size_t nfiles = (size_t)(argc - optind);
    capture_file *files = capture_files_ordered(argv + optind, nfiles);
    int64_t prev_last = INT64_MIN;
    for (size_t i = 0; i < nfiles; i++) {
        char err[512];
        if (files[i].has_ts && files[i].first_ns < prev_last)
            fprintf(stderr, "keepwatch: %s overlaps the capture before it in time; its earlier packets are "
                    "counted as they come\n", files[i].path);
        if (net_capture_file_sync(files[i].path, d, &st, an.pipe ? &an.sync : NULL, err, sizeof err) != KW_OK) {
            fprintf(stderr, "keepwatch: %s\n", err);
            damaged = true;
        }
        if (st.last_ns > prev_last)
            prev_last = st.last_ns;
    }
    free(files);
    net_detector_finish(d);
    fflush(stdout);
    double secs = (double)(kw_mono_ms() - t0) / 1000.0;
    fprintf(stderr,
            "keepwatch: %llu packets (%llu IP, %llu not IP, %llu malformed), %.1f s of capture, "
            "read in %.2f s (%.0f packets/s); %llu attack%s\n",
            (unsigned long long)st.packets, (unsigned long long)st.ip, (unsigned long long)st.not_ip,
            (unsigned long long)st.malformed, st.packets ? (double)(st.last_ns - st.first_ns) / 1e9 : 0.0, secs,
            secs > 0 ? (double)st.packets / secs : 0.0, (unsigned long long)ctx.n, ctx.n == 1 ? "" : "s");
    analyzer_free(&an);
    return damaged ? KW_EXIT_USAGE : ctx.n ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

/* keepwatch log parse|analyze: the log sensor's parsers and rules, offline. */
#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "intel/intel.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char log_usage[] =
    "usage: keepwatch log parse [--json] [--format F] [--tz ZONE] [FILE...]\n"
    "       keepwatch log analyze [--json] [-c FILE] [--format F] [--tz ZONE] FILE...\n"
    "\n"
    "parse    prints each input line as the fields keepwatch reads from it (stdin when no file):\n"
    "         syslog (RFC 3164, 5424, 6587 octet counts), iptables/nftables LOG, Suricata EVE\n"
    "         JSON, CEF, LEEF, Cisco ASA/FTD and IOS, Ruijie, FortiGate, Palo Alto (every log\n"
    "         type), Huawei USG, H3C Comware, Topsec, Qi An Xin SecGate, Venustech, Sangfor,\n"
    "         Hillstone, NSFOCUS, DPtech, Sophos Firewall, SonicWall, Check Point, F5 (ASM/AFM\n"
    "         key=value or JSON, daemons), Juniper SRX, pf filterlog (pfSense, OPNsense), Snort\n"
    "         (pfSense's CSV too), OpenSSH, sudo, su, PAM sessions and account changes, nginx\n"
    "         and Apache access (mod_ssl's request log too) and error logs, MySQL/MariaDB and\n"
    "         PostgreSQL logs (csvlog too), ClamAV and freshclam, Dovecot, ProFTPD and vsftpd\n"
    "         logins. The end that opened a connection is source.ip. A line no parser knows is\n"
    "         kept as a plain message.\n"
    "analyze  runs the log rules of the configuration (built-in and logs.rules) over the files,\n"
    "         read in the order given as one stream, and prints one line per detection: an\n"
    "         attack or condition, however many lines it took, when it ends or at the end.\n"
    "         With intel.files in the configuration, each line's source.ip, destination.ip,\n"
    "         source.nat.ip and domain (an absolute URL's host, source.domain) are looked up in\n"
    "         those lists: a listed one is an intel_match detection named after its list.\n"
    "\n"
    "  --json       one ECS document per line (parse) or per detection (analyze)\n"
    "  --format F   auto (default: detected per line), syslog, nginx, apache, json, raw\n"
    "  --tz ZONE    zone of timestamps that carry none: local (default), UTC, +08:00\n"
    "  -c FILE      the configuration whose logs: and intel: sections apply\n"
    "\n"
    "Lines longer than logs.max_line (64 KiB by default) are cut there and counted. The rules'\n"
    "Hyperscan databases are kept in $KEEPWATCH_CACHE_DIR/hs (default ~/.cache/keepwatch/hs;\n"
    "\"off\": none) and read back by the next run of the same rules.\n"
    "exit status: parse: 0, or 2 if a file cannot be read; analyze: 0 nothing detected,\n"
    "1 detections, 2 bad usage or an unreadable file.\n";

typedef struct {
    bool json;
    log_parse_opts po;
    log_rec rec;
    kw_buf out;
    log_engine *eng;      /* analyze */
    uint64_t lines, detections;
} run_ctx;

/* "key=value" pairs of the parsed fields, for people. */
static void rec_text(const log_rec *r, kw_buf *b)
{
    char ts[40];
    kw_time_iso8601(r->ts_ms, ts, sizeof ts);
    kw_buf_printf(b, "%s", ts);
    for (int f = 0; f < LF_COUNT; f++) {
        if (!log_has(r, f) || f == LF_MESSAGE || f == LF_INPUT || f == LF_URL_DECODED)
            continue;
        kw_buf_printf(b, " %s=", log_field_name(f));
        const log_val *v = &r->f[f];
        bool quote = memchr(v->p, ' ', v->n) || !v->n;
        if (quote)
            kw_json_escape(b, v->p, v->n);
        else
            for (uint32_t i = 0; i < v->n; i++)
                kw_buf_putc(b, (v->p[i] >= 0x20 && v->p[i] != 0x7f) ? v->p[i] : '?');
    }
    if (log_has(r, LF_MESSAGE)) {
        kw_buf_puts(b, " message=");
        kw_json_escape(b, r->f[LF_MESSAGE].p, r->f[LF_MESSAGE].n);
    }
}

static void flush_out(run_ctx *c, bool force)
{
    if (c->out.len && (force || c->out.len > (1 << 20))) {
        fwrite(c->out.data, 1, c->out.len, stdout);
        kw_buf_reset(&c->out);
    }
}

static void on_detection(void *arg, const log_detection *d)
{
    run_ctx *c = arg;
    if (d->phase != LOG_DET_END)
        return;
    c->detections++;
    if (c->json) {
        log_detection_ecs(d, &c->out);
    } else {
        char ts[40];
        kw_time_iso8601(d->first_ms, ts, sizeof ts);
        kw_buf_printf(&c->out, "%s ", ts);
        log_detection_text(d, &c->out);
    }
    kw_buf_putc(&c->out, '\n');
    flush_out(c, false);
}

static void on_line(void *arg, const char *line, size_t len)
{
    run_ctx *c = arg;
    c->lines++;
    log_parse(&c->rec, line, len, &c->po);
    if (c->eng) {
        log_engine_line(c->eng, &c->rec);
        return;
    }
    if (c->json)
        log_rec_ecs(&c->rec, &c->out);
    else
        rec_text(&c->rec, &c->out);
    kw_buf_putc(&c->out, '\n');
    flush_out(c, false);
}

static bool run_fd(run_ctx *c, int fd, const char *name, size_t max_line, uint64_t *truncated)
{
    log_lines ll;
    log_lines_init(&ll, max_line);
    size_t cap = 1 << 20;
    char *buf = kw_malloc(cap);
    bool ok = true;
    c->po.input = name;
    /* a stamp without a year belongs to the year before the file was last written */
    struct stat st;
    c->po.now_ms = fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                       ? (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000
                       : kw_now_ms();
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "keepwatch: %s: %s\n", name, strerror(errno));
            ok = false;
            break;
        }
        if (n == 0)
            break;
        log_lines_feed(&ll, buf, (size_t)n, on_line, c);
    }
    log_lines_flush(&ll, on_line, c);
    *truncated += ll.truncated;
    free(buf);
    log_lines_free(&ll);
    return ok;
}

typedef struct {
    intel *h;
    const intel_set *set;
} intel_lists;

static void intel_report_cb(void *arg, const char *path, kw_rc rc, const intel_report *rep)
{
    (void)arg;
    if (rc != KW_OK)
        fprintf(stderr, "keepwatch: intel list %s: %s\n", path, rc == KW_ERR_IO ? strerror(errno) : kw_rc_str(rc));
    else if (rep->skipped)
        fprintf(stderr, "keepwatch: intel list %s: %llu line%s skipped (keepwatch intel check says why)\n", path,
                (unsigned long long)rep->skipped, rep->skipped == 1 ? "" : "s");
}

/* The configuration's intel.files, read once, into l (nothing when there are none). False,
 * said on stderr, when a list cannot be read: the lines would be checked against less than
 * the configuration says. */
static bool intel_open(const conf *cfg, intel_lists *l)
{
    if (!cfg->intel.files.n)
        return true;
    if (intel_from_conf(cfg, &l->h) != KW_OK) {
        fprintf(stderr, "keepwatch: too many intel.files lists (at most %d)\n", INTEL_MAX_LISTS);
        return false;
    }
    intel_watch_result res = {0};
    intel_watch(l->h, kw_now_ms(), intel_report_cb, NULL, &res);
    if (res.failed) {
        intel_free(l->h);
        l->h = NULL;
        return false;
    }
    l->set = intel_acquire(l->h);
    return true;
}

int cli_log(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(log_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    bool analyze = strcmp(argv[1], "analyze") == 0;
    if (!analyze && strcmp(argv[1], "parse") != 0) {
        fprintf(stderr, "keepwatch log: unknown command \"%s\"\n\n%s", argv[1], log_usage);
        return KW_EXIT_USAGE;
    }
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"tz", required_argument, NULL, 'z'},
                                         {0}};
    run_ctx c = {0};
    intel_lists lists = {0};
    c.po.tz_offset_min = LOG_TZ_LOCAL;
    const char *cfg_path = NULL;
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            c.json = true;
            break;
        case 'c':
            cfg_path = optarg;
            break;
        case 'f':
            if (!log_format_valid(optarg)) {
                fprintf(stderr, "keepwatch log: unknown format \"%s\" (auto, syslog, nginx, apache, json, raw)\n",
                        optarg);
                return KW_EXIT_USAGE;
            }
            c.po.format = optarg;
            break;
        case 'z':
            if (!log_tz_parse(optarg, &c.po.tz_offset_min)) {
                fprintf(stderr, "keepwatch log: \"%s\" is not a zone (local, UTC, +08:00)\n", optarg);
                return KW_EXIT_USAGE;
            }
            break;
        default:
            fputs(log_usage, stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (analyze && optind == argc) {
        fprintf(stderr, "keepwatch log analyze: name at least one log file\n");
        return KW_EXIT_USAGE;
    }
    conf *cfg = cli_conf_load(cli_conf_path(cfg_path));
    if (!cfg)
        return KW_EXIT_USAGE;
    size_t max_line = (size_t)cfg->logs.max_line;
    if (analyze) {
        char err[512];
        log_ruleset *rs = log_ruleset_from_conf(cfg, err, sizeof err);
        if (!rs) {
            fprintf(stderr, "keepwatch: %s\n", err);
            conf_free(cfg);
            return KW_EXIT_USAGE;
        }
        c.eng = log_engine_new(rs, on_detection, &c);
        if (!intel_open(cfg, &lists)) {
            log_engine_free(c.eng);
            log_ruleset_free(rs);
            conf_free(cfg);
            return KW_EXIT_USAGE;
        }
        log_engine_set_intel(c.eng, lists.set);
    }
    conf_free(cfg);
    log_rec_init(&c.rec);
    kw_buf_init(&c.out, 0);
    bool ok = true;
    uint64_t truncated = 0;
    int64_t t0 = kw_mono_ms();
    if (optind == argc) {
        ok = run_fd(&c, 0, "-", max_line, &truncated);
    } else {
        for (int i = optind; i < argc; i++) {
            int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                fprintf(stderr, "keepwatch: %s: %s\n", argv[i], strerror(errno));
                ok = false;
                continue;
            }
            ok &= run_fd(&c, fd, argv[i], max_line, &truncated);
            if (fd)
                close(fd);
        }
    }
    if (c.eng)
        log_engine_finish(c.eng);
    flush_out(&c, true);
    fflush(stdout);
    double secs = (double)(kw_mono_ms() - t0) / 1000.0;
    if (analyze)
        fprintf(stderr, "keepwatch: %llu lines in %.2f s (%.0f lines/s), %llu cut at %zu bytes; %llu detection%s\n",
                (unsigned long long)c.lines, secs, secs > 0 ? (double)c.lines / secs : 0.0,
                (unsigned long long)truncated, max_line, (unsigned long long)c.detections,
                c.detections == 1 ? "" : "s");
    else if (truncated)
        fprintf(stderr, "keepwatch: %llu line%s cut at %zu bytes\n", (unsigned long long)truncated,
                truncated == 1 ? "" : "s", max_line);
    if (c.eng) {
        log_ruleset *rs = log_engine_ruleset(c.eng);
        log_engine_free(c.eng);
        log_ruleset_free(rs);
    }
    intel_release(lists.set);
    intel_free(lists.h);
    log_rec_free(&c.rec);
    kw_buf_free(&c.out);
    if (!ok)
        return KW_EXIT_USAGE;
    return analyze && c.detections ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

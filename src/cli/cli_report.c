/* keepwatch report daily|period: the daily report (值守日报) or the period summary, read from
 * the store directly (as the other commands do) and written to stdout or -o FILE as HTML,
 * PDF, Markdown or JSON. A PDF is never written to a terminal. Progress goes to a terminal's
 * stderr only. */
#include "cli/cli.h"
#include "core/kw_time.h"
#include "report/report_int.h"
#include "store/store_findings.h"
#include "store/store_incident.h"
#include "store/store_agent.h"
#include "store/store_drill.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char report_usage[] =
    "usage: keepwatch report daily [--date YYYY-MM-DD] [OPTIONS]\n"
    "       keepwatch report period [OPTIONS]\n"
    "  daily     the duty report (值守日报) of one local day (default: yesterday, in console.timezone)\n"
    "  period    the summary of the protection period (period: start, end), up to now\n"
    "options:\n"
    "  -c FILE            the configuration (default $KEEPWATCH_CONFIG, else built in)\n"
    "  --date D           daily: the day, YYYY-MM-DD\n"
    "  --format F         html (default), pdf, md or json\n"
    "  -o FILE            write to FILE (needed for pdf on a terminal)\n"
    "  --lang L           zh or en (default report.language, else notify.language)\n"
    "  --cut CUT          a department's cut: full (default), operations, business,\n"
    "                     customer_service, management\n"
    "  --department NAME  named in the title of a cut\n"
    "exit status: 0 written, 2 bad usage, a bad date or the store cannot be read.\n";

typedef struct rep_opts {
    const char *cfg, *date, *fmt, *out, *lang, *cut, *dept;
} rep_opts;

static int rep_parse(int argc, char **argv, rep_opts *o)
{
    static const struct option longs[] = {
        {"date", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"lang", required_argument, NULL, 'l'},
        {"cut", required_argument, NULL, 'u'},
        {"department", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:o:h", longs, NULL)) != -1) {
        switch (ch) {
        case 'c': o->cfg = optarg; break;
        case 'o': o->out = optarg; break;
        case 'd': o->date = optarg; break;
        case 'f': o->fmt = optarg; break;
        case 'l': o->lang = optarg; break;
        case 'u': o->cut = optarg; break;
        case 'D': o->dept = optarg; break;
        case 'h': fputs(report_usage, stdout); return KW_EXIT_OK;
        default: fputs(report_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fputs(report_usage, stderr);
        return KW_EXIT_USAGE;
    }
    return -1;
}

/* The options into r (the range included); an exit status when one is wrong, else -1. */
static int rep_req(const rep_opts *o, const conf *c, report_req *r)
{
    const char *dl = c->report.language ? c->report.language : c->notify.language;
    r->lang = dl && strcmp(dl, "en") == 0 ? DOC_LANG_EN : DOC_LANG_ZH;
    r->now_ms = kw_now_ms();
    r->department = o->dept;
    if (o->fmt && report_fmt_parse(o->fmt, &r->fmt) != KW_OK)
        return fprintf(stderr, "keepwatch report: --format: html, pdf, md or json\n"), KW_EXIT_USAGE;
    if (o->lang && doc_lang_parse(o->lang, &r->lang) != KW_OK)
        return fprintf(stderr, "keepwatch report: --lang: zh or en\n"), KW_EXIT_USAGE;
    if (o->cut && report_cut_parse(o->cut, &r->cut) != KW_OK)
        return fprintf(stderr, "keepwatch report: --cut: full, operations, business, customer_service or "
                               "management\n"),
               KW_EXIT_USAGE;
    if (r->kind == REPORT_DAILY && report_day_range(c, o->date, r->now_ms, &r->from_ms, &r->to_ms) != KW_OK)
        return fprintf(stderr, "keepwatch report: --date: YYYY-MM-DD, e.g. 2026-12-01\n"), KW_EXIT_USAGE;
    if (r->kind == REPORT_PERIOD && o->date)
        return fprintf(stderr, "keepwatch report period: --date is for daily reports\n"), KW_EXIT_USAGE;
    if (r->kind == REPORT_PERIOD && report_period_range(c, r->now_ms, &r->from_ms, &r->to_ms) != KW_OK)
        return fprintf(stderr, "keepwatch report period: no protection period is configured (period: start, end)\n"),
               KW_EXIT_USAGE;
    if (r->fmt == REPORT_FMT_PDF && !o->out && isatty(STDOUT_FILENO))
        return fprintf(stderr, "keepwatch report: a PDF is not written to a terminal: give -o FILE\n"), KW_EXIT_USAGE;
    return -1;
}

static kw_rc rep_migrate(kw_store *s)
{
    kw_rc rc = store_findings_migrate(s);
    if (rc == KW_OK)
        rc = store_incident_migrate(s);
    if (rc == KW_OK)
        rc = store_agent_migrate(s);
    if (rc == KW_OK)
        rc = store_drill_migrate(s);
    return rc;
}

/* Writes the n bytes at p to path: a new file beside it, renamed over it once whole. */
static kw_rc rep_file_write(const char *path, const void *p, size_t n)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return KW_ERR_RANGE;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return KW_ERR_IO;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, (const char *)p + done, n - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    bool ok = done == n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return KW_ERR_IO;
    }
    return KW_OK;
}

static int rep_write(const rep_opts *o, const kw_buf *b)
{
    if (o->out && rep_file_write(o->out, b->data ? b->data : "", b->len) != KW_OK) {
        fprintf(stderr, "keepwatch report: cannot write %s\n", o->out);
        return KW_EXIT_USAGE;
    }
    if (!o->out && b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
        return KW_EXIT_USAGE;
    return KW_EXIT_OK;
}

static int rep_run(const rep_opts *o, report_req *r)
{
    conf *c = cli_conf_load(cli_conf_path(o->cfg));
    if (!c)
        return KW_EXIT_USAGE;
    int rc = rep_req(o, c, r);
    kw_store *s = rc < 0 ? cli_store_open(o->cfg, "report", true) : NULL;
    if (rc < 0 && !s)
        rc = KW_EXIT_USAGE;
    if (rc < 0 && rep_migrate(s) != KW_OK) {
        fprintf(stderr, "keepwatch report: the store's tables: %s\n", store_errmsg(s));
        rc = KW_EXIT_USAGE;
    }
    if (rc < 0) {
        bool tty = isatty(STDERR_FILENO);
        if (tty)
            fprintf(stderr, "keepwatch report: gathering and rendering...\r");
        kw_buf b;
        kw_buf_init(&b, (size_t)256 << 20);
        char err[256] = "";
        int pages = 0;
        if (report_render(s, c, r, &b, &pages, err, sizeof err) != KW_OK) {
            fprintf(stderr, "keepwatch report: %s\n", err);
            rc = KW_EXIT_USAGE;
        } else {
            rc = rep_write(o, &b);
            if (tty && rc == KW_EXIT_OK)
                fprintf(stderr, "keepwatch report: %zu bytes, %d page%s%s%s\n", b.len, pages, pages == 1 ? "" : "s",
                        o->out ? " in " : "", o->out ? o->out : "");
        }
        kw_buf_free(&b);
    }
    if (s)
        store_close(s);
    conf_free(c);
    return rc;
}

int cli_report(int argc, char **argv)
{
    report_req r = {0};
    if (argc < 2 || report_kind_parse(argv[1], &r.kind) != KW_OK) {
        bool help = argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
        fputs(report_usage, help ? stdout : stderr);
        return help ? KW_EXIT_OK : KW_EXIT_USAGE;
    }
    rep_opts o = {0};
    int rc = rep_parse(argc - 1, argv + 1, &o);
    return rc >= 0 ? rc : rep_run(&o, &r);
}

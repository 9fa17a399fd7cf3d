/* A scheduled report made and sent (report_deliver.h): its files written whole (a new file,
 * then rename) into report.dir, then in one transaction its row in the reports table, one
 * outbox message per channel of each report.send item (the item's cut, in the channel's
 * language) and the duty log's entry. */
#include "report/report_deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/kw_file.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "notify/notify.h"
#include "report/report_conf.h"
#include "report/report_files_api.h"
#include "store/store_reports.h"

#define DAY_MS INT64_C(86400000)
#define CHANNELS_MAX 64
#define OUT_MAX ((size_t)256 << 20)

static const char *const cut_names[] = {"full", "operations", "business", "customer_service", "management"};

/* ---- names ---- */

static void local_date(const conf *c, int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)((ms + (int64_t)c->console.tz_min * 60000) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d", &tm);
}

static void range_label(const conf *c, report_kind kind, int64_t from, int64_t to, const char *sep, char *out,
                        size_t n)
{
    char a[32], b[32];
    local_date(c, from, a, sizeof a);
    local_date(c, to - 1, b, sizeof b); /* [from, to): the last day is the one before to */
    if (kind == REPORT_DAILY)
        snprintf(out, n, "%s", a);
    else
        snprintf(out, n, "%s%s%s", a, sep, b);
}

void report_file_name(const conf *c, report_kind kind, int64_t from_ms, int64_t to_ms, const char *cut,
                      report_fmt fmt, char *out, size_t n)
{
    char label[64];
    range_label(c, kind, from_ms, to_ms, "-", label, sizeof label);
    snprintf(out, n, "%s-%s%s%s.%s", kind == REPORT_DAILY ? "daily" : "period", label, cut ? "-" : "", cut ? cut : "",
             report_fmt_ext(fmt));
}

void report_dir(const conf *c, char *out, size_t n)
{
    if (c->report.dir && *c->report.dir)
        snprintf(out, n, "%s", c->report.dir);
    else
        snprintf(out, n, "%s/reports", c->daemon.state_dir ? c->daemon.state_dir : ".");
}

int report_send_cut(const conf *c, const conf_report_send *s)
{
    if (s->cut >= REPORT_CUT_FULL && s->cut <= REPORT_CUT_MANAGEMENT) /* given, or filled in by report_conf_refs */
        return s->cut;
    const conf_department *d = s->department ? conf_department_find(c, s->department) : NULL;
    switch (d ? d->kind : -1) {
    case DEPT_OPERATIONS: return REPORT_CUT_OPERATIONS;
    case DEPT_BUSINESS: return REPORT_CUT_BUSINESS;
    case DEPT_CUSTOMER_SERVICE: return REPORT_CUT_CUSTOMER_SERVICE;
    case DEPT_MANAGEMENT: return REPORT_CUT_MANAGEMENT;
    default: return REPORT_CUT_FULL;
    }
}

/* ---- a run's state ---- */

typedef struct deliver {
    kw_store *st;
    const conf *c;
    report_kind kind;
    int64_t from, to, now;
    volatile int *cancel;
    char dir[4096];
    doc_lang lang;
    json_t *files;              /* names written */
    char full_pdf[256];         /* the full report's PDF ("": none written) */
    int queued;                 /* outbox messages */
    char err[512];
} deliver;

static bool lang_en(const char *l) { return l && strncmp(l, "en", 2) == 0; }

static doc_lang report_lang(const conf *c)
{
    return lang_en(c->report.language ? c->report.language : c->notify.language) ? DOC_LANG_EN : DOC_LANG_ZH;
}

static bool cancelled(const deliver *x) { return x->cancel && *x->cancel; }

/* Writes bytes to dir/name whole: a new file beside it, then rename. */
static kw_rc write_whole(const char *dir, const char *name, const kw_buf *b, char *err, size_t n)
{
    char path[4400], tmp[4420];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = kw_file_open_private(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    bool ok = fd >= 0;
    for (size_t off = 0; ok && off < b->len;) {
        ssize_t w = write(fd, b->data + off, b->len - off);
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    ok = ok && fsync(fd) == 0;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        snprintf(err, n, "cannot write %.300s: %s", path, strerror(errno));
        unlink(tmp);
        return KW_ERR_IO;
    }
    return KW_OK;
}

/* Renders one file (the full report, or a department's cut) and writes it into the dir. */
static kw_rc render_file(deliver *x, report_fmt fmt, int cut, const char *department, char *name, size_t n)
{
    report_file_name(x->c, x->kind, x->from, x->to, cut == REPORT_CUT_FULL ? NULL : cut_names[cut], fmt, name, n);
    report_req r = {.kind = x->kind, .from_ms = x->from, .to_ms = x->to, .fmt = fmt, .lang = x->lang, .cut = cut,
                    .department = department, .now_ms = x->now};
    kw_buf b;
    kw_buf_init(&b, OUT_MAX);
    char err[256] = "";
    kw_rc rc = report_render(x->st, x->c, &r, &b, NULL, err, sizeof err);
    if (rc != KW_OK)
        snprintf(x->err, sizeof x->err, "%s %s: %s", name, "could not be rendered", err[0] ? err : kw_rc_str(rc));
    else
        rc = write_whole(x->dir, name, &b, x->err, sizeof x->err);
    kw_buf_free(&b);
    if (rc == KW_OK)
        json_array_append_new(x->files, json_string(name));
    return rc;
}

/* The report in every format of report.formats (default pdf and html). */
static kw_rc render_formats(deliver *x)
{
    const conf_strs *f = &x->c->report.formats;
    static const char *const defaults[] = {"pdf", "html"};
    size_t nf = f->n ? f->n : 2;
    for (size_t i = 0; i < nf; i++) {
        report_fmt fmt;
        if (report_fmt_parse(f->n ? f->v[i] : defaults[i], &fmt) != KW_OK)
            continue; /* the loader refused it already */
        if (cancelled(x))
            return KW_ERR_CANCELLED;
        char name[256];
        kw_rc rc = render_file(x, fmt, REPORT_CUT_FULL, NULL, name, sizeof name);
        if (rc != KW_OK)
            return rc;
        if (fmt == REPORT_FMT_PDF)
            snprintf(x->full_pdf, sizeof x->full_pdf, "%s", name);
    }
    return KW_OK;
}

/* ---- sending ---- */

static bool kind_wanted(const conf_report_send *s, report_kind kind)
{
    if (!s->kinds.n)
        return true;
    for (size_t i = 0; i < s->kinds.n; i++)
        if (strcmp(s->kinds.v[i], kind == REPORT_DAILY ? "daily" : "period") == 0)
            return true;
    return false;
}

/* The channels of a send item: those it names, else its department's. */
static size_t send_channels(const conf *c, const conf_report_send *s, const conf_channel **out, size_t max)
{
    if (!s->channels.n)
        return notify_channels_of_department(c, s->department, out, max);
    size_t n = 0;
    for (size_t i = 0; i < s->channels.n && n < max; i++)
        for (size_t k = 0; k < c->notify.channels.n; k++) {
            const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, k);
            if (ch->name && strcmp(ch->name, s->channels.v[i]) == 0) {
                out[n++] = ch;
                break;
            }
        }
    return n;
}

static void doc_title(const deliver *x, bool en, const char *dept, char *out, size_t n)
{
    char label[64];
    range_label(x->c, x->kind, x->from, x->to, " .. ", label, sizeof label);
    const char *what = x->kind == REPORT_DAILY ? (en ? "Daily report" : "值守日报") : (en ? "Period report" : "重保期总结报告");
    snprintf(out, n, "%s %s%s%s%s", what, label, dept ? (en ? " (" : "（") : "", dept ? dept : "",
             dept ? (en ? ")" : "）") : "");
}

/* One channel's message: the item's cut summarised in the channel's language, the file (mail). */
static kw_rc send_one(deliver *x, const conf_channel *ch, const conf_report_send *s, int cut, const char *file)
{
    const char *l = ch->language ? ch->language : x->c->report.language ? x->c->report.language : x->c->notify.language;
    bool en = lang_en(l);
    report_req r = {.kind = x->kind, .from_ms = x->from, .to_ms = x->to, .lang = en ? DOC_LANG_EN : DOC_LANG_ZH,
                    .cut = cut, .department = s->department, .now_ms = x->now};
    kw_buf sum;
    kw_buf_init(&sum, 1 << 20);
    char err[256] = "", title[256], link[1200] = "", path[4400] = "";
    report_summary(x->st, x->c, &r, &sum, err, sizeof err);
    doc_title(x, en, cut == REPORT_CUT_FULL ? NULL : s->department, title, sizeof title);
    const char *base = x->c->report.link;
    if (base && *base && file[0]) {
        size_t bl = strlen(base);
        snprintf(link, sizeof link, "%.*s/api/v1/reports/files/%s", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl),
                 base, file);
    }
    bool pdf = file[0] && strstr(file, ".pdf");
    if (s->attach && pdf)
        snprintf(path, sizeof path, "%s/%s", x->dir, file);
    notify_doc_msg m = {.title = title, .summary = kw_buf_cstr(&sum), .link = link[0] ? link : NULL,
                        .path = path[0] ? path : NULL, .filename = file[0] ? file : NULL,
                        .mime = pdf ? "application/pdf" : NULL, .now_ms = x->now};
    kw_rc rc = notify_outbox_document(x->st, x->c, ch, &m);
    kw_buf_free(&sum);
    x->queued += rc == KW_OK;
    return rc;
}

/* The file a send item's messages name (and its mail carries, when a PDF): the full report's,
 * or its cut rendered for it. */
static kw_rc item_file(deliver *x, const conf_report_send *s, int cut, char *file, size_t n)
{
    file[0] = 0;
    if (cut == REPORT_CUT_FULL) { /* its PDF, else the first format written (for the link) */
        const char *first = json_string_value(json_array_get(x->files, 0));
        snprintf(file, n, "%s", x->full_pdf[0] ? x->full_pdf : first ? first : "");
        return KW_OK;
    }
    if (!s->attach && !x->c->report.link)
        return KW_OK; /* nothing would use the file */
    return render_file(x, REPORT_FMT_PDF, cut, s->department, file, n);
}

/* Renders the cuts the send items need (outside the transaction). */
static kw_rc render_cuts(deliver *x, char (*files)[256], size_t nitems)
{
    for (size_t i = 0; i < nitems; i++) {
        const conf_report_send *s = CONF_AT(x->c->report.send, conf_report_send, i);
        files[i][0] = 0;
        if (!kind_wanted(s, x->kind))
            continue;
        if (cancelled(x))
            return KW_ERR_CANCELLED;
        kw_rc rc = item_file(x, s, report_send_cut(x->c, s), files[i], sizeof files[i]);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

static kw_rc queue_all(deliver *x, char (*files)[256], size_t nitems)
{
    for (size_t i = 0; i < nitems; i++) {
        const conf_report_send *s = CONF_AT(x->c->report.send, conf_report_send, i);
        if (!kind_wanted(s, x->kind))
            continue;
        const conf_channel *chs[CHANNELS_MAX];
        size_t nch = send_channels(x->c, s, chs, CHANNELS_MAX);
        int cut = report_send_cut(x->c, s);
        for (size_t k = 0; k < nch; k++)
            if (send_one(x, chs[k], s, cut, files[i]) != KW_OK)
                return KW_ERR_STORE;
    }
    return KW_OK;
}

/* ---- the whole ---- */

/* In one transaction: the row, the messages, the duty log's entry. */
static kw_rc keep_and_send(deliver *x, char (*files)[256], size_t nitems, int64_t *id)
{
    char label[64], *fj = json_dumps(x->files, JSON_COMPACT);
    range_label(x->c, x->kind, x->from, x->to, "..", label, sizeof label);
    store_report_row row = {.from_ms = x->from, .to_ms = x->to, .files = fj, .made_ms = x->now};
    snprintf(row.kind, sizeof row.kind, "%s", x->kind == REPORT_DAILY ? "daily" : "period");
    snprintf(row.label, sizeof row.label, "%s", label);
    bool existed = false;
    kw_rc rc = store_begin(x->st);
    if (rc == KW_OK)
        rc = store_report_add(x->st, &row, id, &existed);
    if (rc == KW_OK)
        rc = queue_all(x, files, nitems);
    if (rc == KW_OK)
        rc = store_report_sent(x->st, *id, x->now);
    if (rc == KW_OK) {
        char text[1024];
        snprintf(text, sizeof text, "%s report %s made (%s) and given to notify: %d message%s", row.kind, label, fj,
                 x->queued, x->queued == 1 ? "" : "s");
        rc = store_duty_append(x->st, x->now, "report.made", "keepwatch", 0, text);
    }
    if (rc == KW_OK)
        rc = store_commit(x->st);
    if (rc != KW_OK) {
        snprintf(x->err, sizeof x->err, "the store refused the report: %s", store_errmsg(x->st));
        store_rollback(x->st);
    }
    free(fj);
    return rc;
}

kw_rc report_deliver(kw_store *st, const conf *c, report_kind kind, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                     volatile int *cancel, bool *made, char *result, size_t n)
{
    *made = false;
    store_report_row old;
    const char *kname = kind == REPORT_DAILY ? "daily" : "period";
    kw_rc rc = store_report_find(st, kname, from_ms, to_ms, &old);
    if (rc == KW_OK && old.sent_ms) {
        snprintf(result, n, "ok: the %s report %s was made already", kname, old.label);
        return KW_OK;
    }
    deliver x = {.st = st, .c = c, .kind = kind, .from = from_ms, .to = to_ms, .now = now_ms, .cancel = cancel,
                 .lang = report_lang(c), .files = json_array()};
    report_dir(c, x.dir, sizeof x.dir);
    size_t nitems = c->report.send.n;
    char(*files)[256] = kw_calloc(nitems ? nitems : 1, sizeof *files);
    rc = kw_dir_make(x.dir, 0750, NULL, x.err, sizeof x.err);
    if (rc == KW_OK)
        rc = render_formats(&x);
    if (rc == KW_OK)
        rc = render_cuts(&x, files, nitems);
    int64_t id = 0;
    if (rc == KW_OK)
        rc = keep_and_send(&x, files, nitems, &id);
    if (rc == KW_OK) {
        *made = true;
        snprintf(result, n, "ok: %s report made: %zu file%s, %d message%s to send", kname, json_array_size(x.files),
                 json_array_size(x.files) == 1 ? "" : "s", x.queued, x.queued == 1 ? "" : "s");
    } else {
        snprintf(result, n, "%s: %s", rc == KW_ERR_CANCELLED ? "stopped" : "failed",
                 x.err[0] ? x.err : kw_rc_str(rc));
    }
    free(files);
    json_decref(x.files);
    return rc;
}

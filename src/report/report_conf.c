/* report_conf.c: the configuration's report: section: when the daily report is made
 * (daily_at, local time), where the scheduled ones are kept, their language and formats, and
 * who gets which cut of them through notify (send). The cross-checks (departments and channels
 * that exist, a cut from the department's kind when none is given) run once the whole file is
 * read. */
#include "report/report_conf.h"
#include "report/report_int.h"

#include <stdio.h>
#include <string.h>

static const char *const report_format_names[] = {"pdf", "html", "md", "json", NULL};
static const char *const report_kind_names[] = {"daily", "period", NULL};

static void send_init(void *obj)
{
    conf_report_send *s = obj;
    s->cut = -1; /* from the department's kind, in report_conf_refs */
    s->attach = true;
}

static const cf_field send_fields[] = {
    F(conf_report_send, "department", CF_STR, department),
    F(conf_report_send, "channels", CF_STRS, channels),
    F(conf_report_send, "cut", CF_ENUM, cut, .names = report_cut_names),
    F(conf_report_send, "kinds", CF_STRS, kinds),
    F(conf_report_send, "attach", CF_BOOL, attach),
    {0},
};

static bool one_of(const char *s, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

/* Each entry of l is one of names; else an error at its node under key of map n. */
static void check_words(cf_ctx *ctx, yaml_node_t *n, const char *key, const conf_strs *l, const char *const *names,
                        const char *what)
{
    yaml_node_t *at = cf_find(ctx, n, key);
    for (size_t i = 0; i < l->n; i++)
        if (!one_of(l->v[i], names))
            cf_error(ctx, cf_item_or(ctx, at, i), "%s: \"%s\" is not %s", key, l->v[i], what);
}

static void send_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_report_send *s = obj;
    if (!s->department && !s->channels.n)
        cf_error(ctx, n, "report.send: a department or channels");
    check_words(ctx, n, "kinds", &s->kinds, report_kind_names, "daily or period");
}

static const cf_section send_section = {"report.send", sizeof(conf_report_send), send_fields, send_init,
                                        send_check,    .unnamed = true};

static void report_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf *c = obj;
    c->report.daily_at_min = -1;
    if (c->report.daily_at && (c->report.daily_at_min = cf_hhmm(c->report.daily_at)) < 0)
        cf_error(ctx, cf_find_or(ctx, n, "daily_at"), "report.daily_at: HH:MM (local time), e.g. \"08:30\"");
    if (c->report.language && strcmp(c->report.language, "zh") != 0 && strcmp(c->report.language, "en") != 0)
        cf_error(ctx, cf_find_or(ctx, n, "language"), "report.language: zh or en");
    check_words(ctx, n, "formats", &c->report.formats, report_format_names, "pdf, html, md or json");
}

static const cf_field report_fields[] = {
    F(conf, "daily_at", CF_STR, report.daily_at),
    F(conf, "dir", CF_STR, report.dir),
    F(conf, "language", CF_STR, report.language),
    F(conf, "formats", CF_STRS, report.formats),
    F(conf, "send", CF_LIST, report.send, .sub = &send_section),
    F(conf, "link", CF_STR, report.link),
    F(conf, "notable_max", CF_INT, report.notable_max, 0, 1000),
    F(conf, "top_n", CF_INT, report.top_n, 1, 1000),
    {0},
};
const cf_section report_conf_section = {"report", 0, report_fields, NULL, report_check, NULL};

/* The cut a department's kind gets when its item names none. */
static int cut_of_kind(int kind)
{
    switch (kind) {
    case DEPT_OPERATIONS: return REPORT_CUT_OPERATIONS;
    case DEPT_BUSINESS: return REPORT_CUT_BUSINESS;
    case DEPT_CUSTOMER_SERVICE: return REPORT_CUT_CUSTOMER_SERVICE;
    case DEPT_MANAGEMENT: return REPORT_CUT_MANAGEMENT;
    default: return REPORT_CUT_FULL;
    }
}

void report_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top)
{
    yaml_node_t *rep = cf_find(ctx, top, "report"), *send = rep ? cf_find(ctx, rep, "send") : NULL;
    for (size_t i = 0; i < c->report.send.n; i++) {
        conf_report_send *s = CONF_AT(c->report.send, conf_report_send, i);
        yaml_node_t *item = cf_item_or(ctx, send, i);
        const conf_department *d = s->department ? conf_department_find(c, s->department) : NULL;
        if (s->department && !d)
            cf_error(ctx, cf_find_or(ctx, item, "department"), "report.send: no department \"%s\"", s->department);
        yaml_node_t *ch = cf_find(ctx, item, "channels");
        for (size_t k = 0; k < s->channels.n; k++)
            if (!cf_list_find(&c->notify.channels, sizeof(conf_channel), s->channels.v[k]))
                cf_error(ctx, cf_item_or(ctx, ch, k), "report.send: no channel \"%s\"", s->channels.v[k]);
        if (s->cut < 0)
            s->cut = d ? cut_of_kind(d->kind) : REPORT_CUT_FULL;
    }
}

/* Messages: the built-in texts per department kind and language, and the channels' own
 * templates ({placeholder} strings).
 *
 * Alert fields come from the outside world (a user name in a log line, a URL): every value is
 * made inert for the channel it goes to, so a log line cannot @everyone a chat group, add a
 * link, or start a new heading. */
#include "notify/notify.h"
#include "notify/notify_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kw_time.h"

#define VALUE_MAX 400 /* bytes of one alert field in a message */

typedef enum { LANG_ZH, LANG_EN } lang;

static lang lang_of(const conf *c, const conf_channel *ch)
{
    const char *l = ch && ch->language ? ch->language : c->notify.language;
    return l && strcmp(l, "en") == 0 ? LANG_EN : LANG_ZH;
}

static int kind_of(const conf *c, const conf_channel *ch)
{
    const conf_department *d = ch && ch->department ? conf_department_find(c, ch->department) : NULL;
    return d ? d->kind : DEPT_SECURITY;
}

const char *notify_kind_name(notify_kind k)
{
    static const char *const n[] = {"firing", "escalated", "repeat", "acknowledged", "resolved", "test"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

static const char *event_word(notify_kind k, lang l)
{
    static const char *const zh[] = {"告警", "升级", "再次提醒", "已确认", "已恢复", "测试"};
    static const char *const en[] = {"FIRING", "ESCALATED", "REMINDER", "ACKNOWLEDGED", "RESOLVED", "TEST"};
    return (unsigned)k < 6 ? (l == LANG_EN ? en : zh)[k] : "?";
}

static const char *sev_word(int sev, lang l)
{
    static const char *const zh[] = {"低", "中", "高", "严重"};
    return l == LANG_EN ? kw_severity_name(sev) : sev >= 1 && sev <= 4 ? zh[sev - 1] : "?";
}

/* ---- making values inert ---- */

/* Appends s for a channel: no newlines, no mentions, links or markup; at most VALUE_MAX bytes
 * (cut on a UTF-8 boundary). */
void notify_put_value(kw_buf *b, const char *s, int type, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++) {
        if (n >= max && (*p & 0xc0) != 0x80) {
            kw_buf_puts(b, "…");
            return;
        }
        unsigned char c = *p;
        if (c < 0x20 || c == 0x7f) {
            kw_buf_putc(b, ' ');
            continue;
        }
        if (type == CHAN_EMAIL || type == CHAN_WEBHOOK) {
            kw_buf_putc(b, (char)c);
            continue;
        }
        if (type == CHAN_SLACK) { /* Slack's own escaping: &, <, > */
            if (c == '&')
                kw_buf_puts(b, "&amp;");
            else if (c == '<')
                kw_buf_puts(b, "&lt;");
            else if (c == '>')
                kw_buf_puts(b, "&gt;");
            else if (c == '*' || c == '`' || c == '~')
                kw_buf_putc(b, ' ');
            else
                kw_buf_putc(b, (char)c);
            continue;
        }
        /* DingTalk, WeCom, Feishu: markdown and their mention tags; full-width look-alikes */
        switch (c) {
        case '<': kw_buf_puts(b, "＜"); break;
        case '>': kw_buf_puts(b, "＞"); break;
        case '@': kw_buf_puts(b, "＠"); break;
        case '[': kw_buf_puts(b, "［"); break;
        case ']': kw_buf_puts(b, "］"); break;
        case '#': kw_buf_puts(b, "＃"); break;
        case '*': case '`': case '~': kw_buf_puts(b, " "); break;
        default: kw_buf_putc(b, (char)c);
        }
    }
}

static void put_value(kw_buf *b, const char *s, int type)
{
    notify_put_value(b, s, type, VALUE_MAX);
}

void notify_put_time(kw_buf *b, int64_t ms, int32_t tz_min)
{
    time_t t = (time_t)(ms / 1000) + (time_t)tz_min * 60;
    struct tm tm;
    char s[32];
    gmtime_r(&t, &tm);
    strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
    int32_t off = tz_min < 0 ? -tz_min : tz_min;
    kw_buf_printf(b, "%s %c%02d:%02d", s, tz_min < 0 ? '-' : '+', (int)(off / 60), (int)(off % 60));
}

/* The zone times are written in (console.timezone, as the console does), for the message
 * this thread renders: set by notify_render. */
static _Thread_local int32_t msg_tz_min;

/* "2026-12-01 18:30:00 +08:00" */
static void put_time(kw_buf *b, int64_t ms)
{
    notify_put_time(b, ms, msg_tz_min);
}

static const char *field(const notify_alert *a, const char *k, char *buf, size_t n)
{
    const char *v = notify_alert_field(a, k, buf, n);
    return v && *v ? v : NULL;
}

static void put_labels(kw_buf *b, const notify_alert *a, int type)
{
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach(a->labels, k, v)
    {
        if (!json_is_string(v))
            continue;
        kw_buf_puts(b, first ? "" : ", ");
        put_value(b, k, type);
        kw_buf_putc(b, '=');
        put_value(b, json_string_value(v), type);
        first = false;
    }
}

void notify_put_mentions(kw_buf *b, const conf_channel *ch, const conf_person *const *people, size_t npeople)
{
    for (size_t i = 0; i < npeople; i++) {
        const conf_person *p = people[i];
        const char *name = p->display ? p->display : p->name;
        kw_buf_puts(b, i ? " " : "");
        if (!ch || !ch->mention) {
            put_value(b, name, ch ? ch->type : CHAN_WEBHOOK);
            continue;
        }
        switch (ch->type) {
        case CHAN_DINGTALK:
            if (p->dingtalk || p->phone)
                kw_buf_printf(b, "@%s", p->dingtalk ? p->dingtalk : p->phone);
            else
                put_value(b, name, ch->type);
            break;
        case CHAN_WECOM:
            if (p->wecom)
                kw_buf_printf(b, "<@%s>", p->wecom);
            else
                put_value(b, name, ch->type);
            break;
        case CHAN_FEISHU:
            if (p->feishu)
                kw_buf_printf(b, "<at user_id=\"%s\">%s</at>", p->feishu, name);
            else
                put_value(b, name, ch->type);
            break;
        case CHAN_SLACK:
            if (p->slack)
                kw_buf_printf(b, "<@%s>", p->slack);
            else
                put_value(b, name, ch->type);
            break;
        default:
            put_value(b, name, ch->type);
        }
    }
}

static int top_severity(const notify_msg *m)
{
    int s = 0;
    for (size_t i = 0; i < m->nalerts; i++)
        if (m->alerts[i]->severity > s)
            s = m->alerts[i]->severity;
    return s;
}

static void put_headline(kw_buf *b, const notify_msg *m, lang l, int type)
{
    size_t total = m->nalerts + m->nmore;
    if (total == 1 && m->nalerts) {
        put_value(b, m->alerts[0]->summary, type);
        return;
    }
    if (!m->nalerts) {
        kw_buf_puts(b, l == LANG_EN ? "keepwatch test message" : "keepwatch 测试消息");
        return;
    }
    kw_buf_printf(b, l == LANG_EN ? "%zu alerts: " : "%zu 条告警：", total);
    put_value(b, m->alerts[0]->rule, type);
    for (size_t i = 1, shown = 1; i < m->nalerts && shown < 3; i++) {
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen |= strcmp(m->alerts[k]->rule, m->alerts[i]->rule) == 0;
        if (seen)
            continue;
        kw_buf_puts(b, ", ");
        put_value(b, m->alerts[i]->rule, type);
        shown++;
    }
}

/* ---- the built-in texts ---- */

bool notify_markdown(int type) { return type == CHAN_DINGTALK || type == CHAN_WECOM || type == CHAN_SLACK; }


static void put_line_builtin(kw_buf *b, const notify_alert *a, int dkind, lang l, int type, notify_kind mk)
{
    char nb[64];
    const char *asset = field(a, "asset", nb, sizeof nb);
    const char *business = a->asset && a->asset->business ? a->asset->business : NULL;
    bool md = notify_markdown(type);
    kw_buf_puts(b, "- ");
    switch (dkind) {
    case DEPT_BUSINESS:
    case DEPT_CUSTOMER_SERVICE:
    case DEPT_MANAGEMENT: {
        /* the user's view: which service, what users notice, what to tell them */
        put_value(b, business ? business : asset ? asset : a->summary, type);
        const char *what = dkind == DEPT_CUSTOMER_SERVICE && a->asset && a->asset->advice ? a->asset->advice
                           : a->asset && a->asset->impact                                 ? a->asset->impact
                                                                                          : NULL;
        if (mk == NMSG_RESOLVED) {
            kw_buf_puts(b, l == LANG_EN ? ": back to normal" : "：已恢复正常");
        } else if (what) {
            kw_buf_puts(b, l == LANG_EN ? ": " : "：");
            put_value(b, what, type);
        } else {
            kw_buf_puts(b, l == LANG_EN ? ": under attack or degraded; the security team is handling it"
                                        : "：正在受到攻击或运行异常，安全团队正在处置");
        }
        if (dkind == DEPT_CUSTOMER_SERVICE && mk != NMSG_RESOLVED && a->asset && a->asset->advice && a->asset->impact) {
            kw_buf_puts(b, l == LANG_EN ? " (users may notice: " : "（用户可能遇到：");
            put_value(b, a->asset->impact, type);
            kw_buf_puts(b, l == LANG_EN ? ")" : "）");
        }
        break;
    }
    case DEPT_OPERATIONS:
        kw_buf_printf(b, md ? "**[%s]** #%lld " : "[%s] #%lld ", sev_word(a->severity, l), (long long)a->id);
        put_value(b, a->summary, type);
        if (asset) {
            kw_buf_puts(b, l == LANG_EN ? " (asset " : "（资产 ");
            put_value(b, asset, type);
            if (a->asset && a->asset->owner) {
                kw_buf_puts(b, l == LANG_EN ? ", owner " : "，负责人 ");
                put_value(b, a->asset->owner, type);
            }
            kw_buf_puts(b, l == LANG_EN ? ")" : "）");
        }
        break;
    default: /* security: the technical detail */
        kw_buf_printf(b, md ? "**[%s]** #%lld " : "[%s] #%lld ", sev_word(a->severity, l), (long long)a->id);
        put_value(b, a->summary, type);
        kw_buf_puts(b, l == LANG_EN ? "\n  rule " : "\n  规则 ");
        put_value(b, a->rule, type);
        if (asset) {
            kw_buf_puts(b, l == LANG_EN ? " · asset " : " · 资产 ");
            put_value(b, asset, type);
        }
        kw_buf_puts(b, l == LANG_EN ? " · since " : " · 开始于 ");
        put_time(b, a->started_ms);
        if (json_object_size(a->labels)) {
            kw_buf_puts(b, "\n  ");
            put_labels(b, a, type);
        }
    }
    kw_buf_putc(b, '\n');
}

/* ---- user templates ---- */

static const char *const msg_names[] = {"event", "headline", "count", "severity", "policy", "level", "mentions",
                                        "period", "console_url", "time", "alerts", "more", NULL};
/* A line template takes id, severity, rule, summary, state, asset, business, impact, advice,
 * department, owner, started, labels, and any label by its name. */

kw_rc notify_tmpl_check(const char *t, bool line, char *err, size_t errn, size_t *pos)
{
    for (const char *p = t; *p; p++) {
        if (*p != '{')
            continue;
        if (p[1] == '{') {
            p++;
            continue;
        }
        const char *e = strchr(p, '}');
        if (!e) {
            snprintf(err, errn, "a { without its }");
            *pos = (size_t)(p - t);
            return KW_ERR_PARSE;
        }
        size_t n = (size_t)(e - p - 1);
        bool ok = line; /* a line may name any label */
        for (size_t i = 0; !ok && msg_names[i]; i++)
            ok = strlen(msg_names[i]) == n && strncmp(msg_names[i], p + 1, n) == 0;
        if (!ok || !n) {
            snprintf(err, errn, "unknown placeholder {%.*s} (known: event, headline, count, severity, policy, level, "
                     "mentions, period, console_url, time, alerts, more)", (int)(n > 40 ? 40 : n), p + 1);
            *pos = (size_t)(p - t);
            return KW_ERR_PARSE;
        }
        p = e;
    }
    return KW_OK;
}

typedef struct render_ctx {
    const conf *c;
    const conf_channel *ch;
    const notify_msg *m;
    lang l;
    int dkind;
} render_ctx;

static void put_alerts(kw_buf *b, const render_ctx *r);

static void put_line_var(kw_buf *b, const render_ctx *r, const notify_alert *a, const char *k, size_t kn)
{
    char name[128], nb[64];
    snprintf(name, sizeof name, "%.*s", (int)kn, k);
    int type = r->ch->type;
    if (strcmp(name, "severity") == 0)
        kw_buf_puts(b, sev_word(a->severity, r->l));
    else if (strcmp(name, "started") == 0)
        put_time(b, a->started_ms);
    else if (strcmp(name, "labels") == 0)
        put_labels(b, a, type);
    else if (strcmp(name, "impact") == 0 || strcmp(name, "advice") == 0) {
        const char *v = !a->asset ? NULL : name[0] == 'i' ? a->asset->impact : a->asset->advice;
        put_value(b, v ? v : "", type);
    } else {
        const char *v = notify_alert_field(a, name, nb, sizeof nb);
        put_value(b, v ? v : "", type);
    }
}

static void put_msg_var(kw_buf *b, const render_ctx *r, const char *k, size_t kn)
{
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)kn, k);
    const notify_msg *m = r->m;
    int type = r->ch->type;
    if (strcmp(name, "event") == 0)
        kw_buf_puts(b, event_word(m->kind, r->l));
    else if (strcmp(name, "headline") == 0)
        put_headline(b, m, r->l, type);
    else if (strcmp(name, "count") == 0)
        kw_buf_printf(b, "%zu", m->nalerts + m->nmore);
    else if (strcmp(name, "severity") == 0)
        kw_buf_puts(b, sev_word(top_severity(m), r->l));
    else if (strcmp(name, "policy") == 0)
        put_value(b, m->policy ? m->policy : "", type);
    else if (strcmp(name, "level") == 0)
        kw_buf_printf(b, "%d", m->level);
    else if (strcmp(name, "mentions") == 0)
        notify_put_mentions(b, r->ch, m->people, m->npeople);
    else if (strcmp(name, "period") == 0)
        put_value(b, m->period ? m->period : "", type);
    else if (strcmp(name, "console_url") == 0)
        kw_buf_puts(b, m->console_url ? m->console_url : "");
    else if (strcmp(name, "time") == 0)
        put_time(b, m->now_ms);
    else if (strcmp(name, "alerts") == 0)
        put_alerts(b, r);
    else if (strcmp(name, "more") == 0 && m->nmore)
        kw_buf_printf(b, r->l == LANG_EN ? "... and %zu more" : "……另有 %zu 条", m->nmore);
}

/* Expands {name} in t; line templates take alert a. */
static void expand(kw_buf *b, const render_ctx *r, const char *t, const notify_alert *a)
{
    for (const char *p = t; *p; p++) {
        if (*p == '{' && p[1] == '{') {
            kw_buf_putc(b, '{');
            p++;
            continue;
        }
        const char *e = *p == '{' ? strchr(p, '}') : NULL;
        if (!e) {
            kw_buf_putc(b, *p);
            continue;
        }
        if (a)
            put_line_var(b, r, a, p + 1, (size_t)(e - p - 1));
        else
            put_msg_var(b, r, p + 1, (size_t)(e - p - 1));
        p = e;
    }
}

static void put_alerts(kw_buf *b, const render_ctx *r)
{
    for (size_t i = 0; i < r->m->nalerts; i++) {
        if (r->ch->line) {
            expand(b, r, r->ch->line, r->m->alerts[i]);
            kw_buf_putc(b, '\n');
        } else {
            put_line_builtin(b, r->m->alerts[i], r->dkind, r->l, r->ch->type, r->m->kind);
        }
    }
}

void notify_render(const conf *c, const conf_channel *ch, const notify_msg *m, kw_buf *title, kw_buf *text)
{
    render_ctx r = {c, ch, m, lang_of(c, ch), kind_of(c, ch)};
    msg_tz_min = c->console.tz_min;
    lang l = r.l;
    int type = ch->type;
    bool drill = false; /* a drill's alerts say so before anything, whatever the template */
    for (size_t i = 0; i < m->nalerts; i++)
        drill |= notify_alert_is_drill(m->alerts[i]);
    if (drill)
        kw_buf_puts(title, l == LANG_EN ? "[DRILL] " : "【演练】");
    if (ch->title) {
        expand(title, &r, ch->title, NULL);
    } else {
        kw_buf_printf(title, l == LANG_EN ? "[%s] " : "【%s】", event_word(m->kind, l));
        if (m->nalerts && m->kind != NMSG_TEST)
            kw_buf_printf(title, l == LANG_EN ? "[%s] " : "[%s] ", sev_word(top_severity(m), l));
        put_headline(title, m, l, type);
    }
    if (ch->body) {
        expand(text, &r, ch->body, NULL);
        return;
    }
    if (type == CHAN_DINGTALK || type == CHAN_WECOM)
        kw_buf_printf(text, "### %s", kw_buf_cstr(title));
    else if (type == CHAN_SLACK)
        kw_buf_printf(text, "*%s*", kw_buf_cstr(title));
    else
        kw_buf_puts(text, kw_buf_cstr(title));
    kw_buf_puts(text, "\n\n");
    if (m->period && r.dkind != DEPT_CUSTOMER_SERVICE) {
        put_value(text, m->period, type);
        kw_buf_puts(text, " · ");
    }
    put_time(text, m->now_ms);
    kw_buf_puts(text, "\n\n");
    if (m->kind == NMSG_TEST)
        kw_buf_puts(text, l == LANG_EN ? "This channel works.\n" : "本通道工作正常。\n");
    if (m->kind == NMSG_ESCALATED || m->kind == NMSG_REPEAT)
        kw_buf_printf(text, l == LANG_EN ? "Nobody has acknowledged these yet: level %d of policy " : "尚无人确认，已升级到第 %d 级（策略 ",
                      m->level);
    if (m->kind == NMSG_ESCALATED || m->kind == NMSG_REPEAT) {
        put_value(text, m->policy ? m->policy : "", type);
        kw_buf_puts(text, l == LANG_EN ? ".\n\n" : "）。\n\n");
    }
    if (r.dkind == DEPT_BUSINESS || r.dkind == DEPT_CUSTOMER_SERVICE || r.dkind == DEPT_MANAGEMENT)
        kw_buf_puts(text, m->kind == NMSG_RESOLVED ? (l == LANG_EN ? "Services affected earlier:\n" : "此前受影响的业务：\n")
                          : r.dkind == DEPT_CUSTOMER_SERVICE ? (l == LANG_EN ? "What to tell users:\n" : "对用户的答复口径：\n")
                                                             : (l == LANG_EN ? "Services affected:\n" : "受影响的业务：\n"));
    put_alerts(text, &r);
    if (m->nmore)
        kw_buf_printf(text, l == LANG_EN ? "... and %zu more\n" : "……另有 %zu 条\n", m->nmore);
    if (m->npeople && m->kind != NMSG_ACKED && m->kind != NMSG_RESOLVED) {
        kw_buf_puts(text, l == LANG_EN ? "\nOn duty: " : "\n值班：");
        notify_put_mentions(text, ch, m->people, m->npeople);
        kw_buf_putc(text, '\n');
    }
    if ((m->kind == NMSG_FIRING || m->kind == NMSG_ESCALATED || m->kind == NMSG_REPEAT) && m->nalerts &&
        (r.dkind == DEPT_SECURITY || r.dkind == DEPT_OPERATIONS || r.dkind == DEPT_OTHER))
        kw_buf_printf(text, l == LANG_EN ? "\nAcknowledge: keepwatch alert ack %lld\n" : "\n确认：keepwatch alert ack %lld\n",
                      (long long)m->alerts[0]->id);
    if (m->console_url && *m->console_url)
        kw_buf_printf(text, "%s\n", m->console_url);
}

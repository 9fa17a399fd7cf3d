/* notify_incident.c: the messages an incident sends: a step to its owner (what to do, by
 * when), a department told (in its own terms: business and customer service hear what users
 * notice and what to tell them, management the grade and the regulator's clock), and the
 * declaration and close to the incident channels. Rendered per channel like the alerts'
 * messages (notify_tmpl.c): language, department kind, markup, values made inert. */
#include "core/kw_json.h"
#include "incident/incident_conf.h"
#include "notify/notify.h"
#include "notify/notify_int.h"
#include "store/store_notify.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INC_VALUE_MAX 400     /* bytes of one value from people or alerts */
#define INC_TEXT_MAX 4000     /* bytes of a playbook's instructions or message */

typedef struct inc_ctx {
    const conf *c;
    const conf_channel *ch;
    const notify_inc_msg *m;
    bool en, md;
    int type, dkind;
    int32_t tz;
} inc_ctx;

static const char *pick(const inc_ctx *x, const char *en, const char *zh)
{
    return x->en ? (en ? en : zh) : (zh ? zh : en);
}

static void put(const inc_ctx *x, kw_buf *b, const char *s)
{
    if (s)
        notify_put_value(b, s, x->type, INC_VALUE_MAX);
}

/* A playbook's text: the team wrote it, so its lines and markup stay; control characters other
 * than newlines go, and it is bounded. */
static void put_text(const inc_ctx *x, kw_buf *b, const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++, n++) {
        if (n >= INC_TEXT_MAX && (*p & 0xc0) != 0x80) {
            kw_buf_puts(b, "…");
            return;
        }
        kw_buf_putc(b, *p == '\n' || *p >= 0x20 ? (char)*p : ' ');
    }
}

static void put_grade(const inc_ctx *x, kw_buf *b)
{
    if (!x->m->grade)
        return;
    if (x->en)
        kw_buf_printf(b, ", grade %s", incident_grade_name(x->m->grade));
    else
        kw_buf_printf(b, "·%s级", incident_grade_roman(x->m->grade));
}

/* 【演练】【事件 #12·Ⅲ级】 / [DRILL] [Incident #12, grade III] */
static void put_tag(const inc_ctx *x, kw_buf *b, const char *zh_word, const char *en_word)
{
    if (x->m->drill)
        kw_buf_puts(b, x->en ? "[DRILL] " : "【演练】");
    kw_buf_printf(b, x->en ? "[%s #%lld" : "【%s #%lld", x->en ? en_word : zh_word, (long long)x->m->incident);
    put_grade(x, b);
    kw_buf_puts(b, x->en ? "] " : "】");
}

static void put_due(const inc_ctx *x, kw_buf *b, int64_t due)
{
    notify_put_time(b, due, x->tz);
    int64_t min = (due - x->m->declared_ms) / 60000;
    if (x->m->declared_ms && due > x->m->declared_ms)
        kw_buf_printf(b, x->en ? " (%lld min after the declaration)" : "（宣布后 %lld 分钟）", (long long)min);
}

static void put_field(const inc_ctx *x, kw_buf *b, const char *zh, const char *en)
{
    kw_buf_printf(b, x->md ? "**%s**" : "%s", x->en ? en : zh);
    kw_buf_puts(b, x->en ? ": " : "：");
}

/* ---- the step message placeholders ---- */

static const char *const inc_vars[] = {"id", "title", "grade", "asset", "business", "impact", "advice",
                                       "step", "due", "console_url", NULL};

static void put_var(const inc_ctx *x, kw_buf *b, const char *k, size_t kn)
{
    const notify_inc_msg *m = x->m;
    const conf_asset *a = m->asset;
#define IS(s) (kn == strlen(s) && memcmp(k, s, kn) == 0)
    if (IS("id"))
        kw_buf_printf(b, "%lld", (long long)m->incident);
    else if (IS("title"))
        put(x, b, m->title);
    else if (IS("grade"))
        kw_buf_puts(b, m->grade ? (x->en ? incident_grade_name(m->grade) : incident_grade_roman(m->grade)) : "");
    else if (IS("asset"))
        put(x, b, a ? a->name : NULL);
    else if (IS("business"))
        put(x, b, a ? a->business : NULL);
    else if (IS("impact"))
        put(x, b, a ? a->impact : NULL);
    else if (IS("advice"))
        put(x, b, a ? a->advice : NULL);
    else if (IS("step"))
        put(x, b, pick(x, m->step_title, m->step_title_zh));
    else if (IS("due") && m->due_ms)
        notify_put_time(b, m->due_ms, x->tz);
    else if (IS("console_url"))
        put(x, b, m->console_url);
#undef IS
}

static void expand(const inc_ctx *x, kw_buf *b, const char *t)
{
    size_t n = 0;
    for (const char *p = t; *p && n < INC_TEXT_MAX; p++, n++) {
        const char *e = *p == '{' ? strchr(p, '}') : NULL;
        if (e) {
            put_var(x, b, p + 1, (size_t)(e - p - 1));
            p = e;
            continue;
        }
        kw_buf_putc(b, *p == '\n' || (unsigned char)*p >= 0x20 ? *p : ' ');
    }
}

kw_rc notify_inc_tmpl_check(const char *t, char *err, size_t errn, size_t *pos)
{
    for (const char *p = t; *p; p++) {
        if (*p != '{')
            continue;
        const char *e = strchr(p, '}');
        if (!e) {
            snprintf(err, errn, "\"{\" without \"}\"");
            *pos = (size_t)(p - t);
            return KW_ERR_PARSE;
        }
        bool known = false;
        for (size_t i = 0; inc_vars[i]; i++)
            known |= strlen(inc_vars[i]) == (size_t)(e - p - 1) && memcmp(inc_vars[i], p + 1, (size_t)(e - p - 1)) == 0;
        if (!known) {
            snprintf(err, errn, "unknown placeholder {%.*s} (known: id title grade asset business impact advice step "
                     "due console_url)", (int)(e - p - 1 > 40 ? 40 : e - p - 1), p + 1);
            *pos = (size_t)(p - t);
            return KW_ERR_PARSE;
        }
        p = e;
    }
    return KW_OK;
}

/* ---- the messages ---- */

/* The title again as the text's first line (a heading where the channel takes markdown). */
static void put_heading(const inc_ctx *x, const kw_buf *title, kw_buf *text)
{
    if (x->md)
        kw_buf_puts(text, "### ");
    kw_buf_puts(text, kw_buf_cstr(title));
    kw_buf_puts(text, "\n\n");
}

static void put_link(const inc_ctx *x, kw_buf *b)
{
    if (!x->m->console_url)
        return;
    put_field(x, b, "控制台", "Console");
    put(x, b, x->m->console_url);
    kw_buf_printf(b, "/#/incidents/%lld\n", (long long)x->m->incident);
}

static void render_step(const inc_ctx *x, kw_buf *title, kw_buf *text)
{
    const notify_inc_msg *m = x->m;
    put_tag(x, title, "事件", "Incident");
    put(x, title, pick(x, m->step_title, m->step_title_zh));
    kw_buf_puts(title, x->en ? " — " : " — ");
    put(x, title, m->title);
    put_heading(x, title, text);
    put_field(x, text, "负责人", "Owner");
    notify_put_mentions(text, x->ch, m->people, m->npeople);
    kw_buf_putc(text, '\n');
    if (m->due_ms) {
        put_field(x, text, "截止", "Due");
        put_due(x, text, m->due_ms);
        kw_buf_putc(text, '\n');
    }
    const char *how = pick(x, m->instructions, m->instructions_zh);
    if (how) {
        put_field(x, text, "做法", "What to do");
        kw_buf_putc(text, '\n');
        put_text(x, text, how);
        kw_buf_putc(text, '\n');
    }
    if (m->summary) {
        put_field(x, text, "事件", "Incident");
        put(x, text, m->summary);
        kw_buf_putc(text, '\n');
    }
    if (m->report && strcmp(m->report, "none") != 0) {
        /* the document the step hands in, made from the incident's record */
        put_field(x, text, "报告", "Report");
        kw_buf_printf(text, "keepwatch incident report %lld --for %s --format pdf -o incident-%lld.pdf\n",
                      (long long)m->incident, strcmp(m->report, "regulator") == 0 ? "regulator" : "department",
                      (long long)m->incident);
    }
    kw_buf_printf(text, x->en ? "When done: keepwatch incident step done %lld %s\n" : "完成后：keepwatch incident step done %lld %s\n",
                  (long long)m->incident, m->step ? m->step : "");
    put_link(x, text);
}

/* The built-in words for a department told, by its kind. */
static void put_builtin_tell(const inc_ctx *x, kw_buf *b)
{
    const notify_inc_msg *m = x->m;
    const conf_asset *a = m->asset;
    const char *service = a && a->business ? a->business : a ? a->name : NULL;
    switch (x->dkind) {
    case DEPT_CUSTOMER_SERVICE:
        put_field(x, b, "用户可能遇到", "Users may notice");
        put(x, b, a && a->impact ? a->impact : pick(x, "a service slow or unreachable", "服务访问缓慢或无法访问"));
        kw_buf_putc(b, '\n');
        put_field(x, b, "对用户口径", "What to tell users");
        put(x, b, a && a->advice ? a->advice
                                 : pick(x, "we are aware of the problem and working on it; service will be restored as "
                                           "soon as possible",
                                        "我们已知晓该问题并正在处理，服务将尽快恢复"));
        kw_buf_putc(b, '\n');
        break;
    case DEPT_BUSINESS:
        put_field(x, b, "受影响业务", "Service affected");
        put(x, b, service ? service : pick(x, "being assessed", "正在评估"));
        if (a && a->impact) {
            kw_buf_puts(b, x->en ? "; " : "；");
            put(x, b, a->impact);
        }
        kw_buf_putc(b, '\n');
        break;
    case DEPT_MANAGEMENT:
        put_field(x, b, "定级", "Grade");
        kw_buf_puts(b, m->grade ? (x->en ? incident_grade_name(m->grade) : incident_grade_roman(m->grade)) : "?");
        kw_buf_printf(b, " (%s)\n", incident_grade_label(m->grade, !x->en));
        if (m->report_due_ms) {
            put_field(x, b, "须报告", "Must be reported");
            put(x, b, pick(x, m->report_to, m->report_to_zh));
            kw_buf_puts(b, x->en ? " by " : "，截止 ");
            notify_put_time(b, m->report_due_ms, x->tz);
            kw_buf_putc(b, '\n');
        }
        break;
    default:
        put_field(x, b, "当前步骤", "Current step");
        put(x, b, pick(x, m->step_title, m->step_title_zh));
        kw_buf_putc(b, '\n');
    }
}

static void render_tell(const inc_ctx *x, kw_buf *title, kw_buf *text)
{
    const notify_inc_msg *m = x->m;
    put_tag(x, title, "事件通报", "Incident notice");
    put(x, title, m->title);
    put_heading(x, title, text);
    const char *own = pick(x, m->message, m->message_zh);
    if (own) {
        expand(x, text, own);
        kw_buf_putc(text, '\n');
    } else {
        put_builtin_tell(x, text);
    }
    if (m->npeople) {
        put_field(x, text, "请", "For");
        notify_put_mentions(text, x->ch, m->people, m->npeople);
        kw_buf_putc(text, '\n');
    }
    put_link(x, text);
}

static void render_news(const inc_ctx *x, kw_buf *title, kw_buf *text)
{
    const notify_inc_msg *m = x->m;
    bool closed = m->kind == NINC_CLOSED;
    put_tag(x, title, closed ? "事件关闭" : "事件宣布", closed ? "Incident closed" : "Incident declared");
    put(x, title, m->title);
    put_heading(x, title, text);
    put_field(x, text, "预案", "Playbook");
    put(x, text, pick(x, m->playbook_title, m->playbook_title_zh));
    kw_buf_putc(text, '\n');
    if (m->summary) {
        put_field(x, text, closed ? "结论" : "概况", closed ? "Outcome" : "Summary");
        put(x, text, m->summary);
        kw_buf_putc(text, '\n');
    }
    put_link(x, text);
}

void notify_render_incident(const conf *c, const conf_channel *ch, const notify_inc_msg *m, kw_buf *title,
                            kw_buf *text)
{
    const char *l = ch && ch->language ? ch->language : c->notify.language;
    const conf_department *d = ch && ch->department ? conf_department_find(c, ch->department) : NULL;
    inc_ctx x = {.c = c, .ch = ch, .m = m, .en = l && strcmp(l, "en") == 0, .type = ch ? ch->type : CHAN_WEBHOOK,
                 .dkind = d ? d->kind : DEPT_SECURITY, .tz = c->console.tz_min};
    x.md = notify_markdown(x.type);
    switch (m->kind) {
    case NINC_STEP: render_step(&x, title, text); break;
    case NINC_TELL: render_tell(&x, title, text); break;
    default: render_news(&x, title, text);
    }
}

static const char *const inc_kind_names[] = {"incident_step", "incident_tell", "incident_declared", "incident_closed"};

kw_rc notify_outbox_incident(kw_store *s, const conf *c, const conf_channel *ch, const notify_inc_msg *m,
                             int64_t now_ms, int64_t *id_out)
{
    kw_buf title, text, names;
    kw_buf_init(&title, 0);
    kw_buf_init(&text, 0);
    kw_buf_init(&names, 0);
    notify_render_incident(c, ch, m, &title, &text);
    json_t *ppl = json_array();
    for (size_t i = 0; i < m->npeople; i++) {
        const conf_person *p = m->people[i];
        notify_json_person(ppl, p);
        kw_buf_printf(&names, "%s%s", i ? ", " : "", p->display ? p->display : p->name);
    }
    const char *kind = inc_kind_names[m->kind];
    json_t *inc = json_pack("{s:I, s:b}", "id", (json_int_t)m->incident, "drill", m->drill);
    if (m->step)
        json_object_set_new(inc, "step", json_string(m->step));
    if (m->grade)
        json_object_set_new(inc, "grade", json_string(incident_grade_name(m->grade)));
    if (m->due_ms)
        json_object_set_new(inc, "due_ms", json_integer(m->due_ms));
    json_t *msg = json_pack("{s:s, s:s, s:s, s:o, s:o, s:[]}", "kind", kind, "title", kw_buf_cstr(&title), "text",
                            kw_buf_cstr(&text), "people", ppl, "incident", inc, "alerts");
    char *js = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    kw_rc rc = KW_ERR_STORE;
    if (js) {
        store_outbox_msg o = {.created_ms = now_ms, .next_ms = now_ms, .channel = ch->name, .kind = kind,
                              .people = kw_buf_cstr(&names), .message = js};
        rc = store_outbox_add(s, &o, id_out);
    }
    free(js);
    kw_buf_free(&title);
    kw_buf_free(&text);
    kw_buf_free(&names);
    return rc;
}

size_t notify_channels_of_department(const conf *c, const char *department, const conf_channel **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; department && i < c->notify.channels.n && n < max; i++) {
        const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, i);
        if (ch->department && strcmp(ch->department, department) == 0)
            out[n++] = ch;
    }
    return n;
}

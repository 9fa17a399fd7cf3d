/* notify_conf.c: the notify: section of the configuration (channels, policies, routes,
 * silences, inhibitions) with its checks: templates and conditions by notify's own validators,
 * and the names it uses (channels, policies, schedules, people, departments). */
#include "notify/notify_conf.h"
#include "core/kw_mem.h"
#include "logs/logs_conf.h"
#include "notify/notify.h"
#include "oncall/oncall_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const chan_types[] = {"webhook", "dingtalk", "wecom", "feishu", "slack", "email", NULL};
static const char *const smtp_tls_names[] = {"starttls", "try", "smtps", "none", NULL};


static bool cf_language_ok(const char *l) { return !l || strcmp(l, "zh") == 0 || strcmp(l, "en") == 0; }

static void cf_check_tmpl(cf_ctx *ctx, yaml_node_t *n, const char *key, const char *t, bool line)
{
    char err[256];
    size_t pos = 0;
    if (t && notify_tmpl_check(t, line, err, sizeof err, &pos) != KW_OK)
        cf_error_in(ctx, cf_find(ctx, n, key), pos, "%s: %s", key, err);
}

#define SECRET_FILE_MAX 4096

/* secret_file: its first line becomes the secret (a regular file, at most 4 KiB). */
static void channel_secret_file(cf_ctx *ctx, conf_channel *ch, yaml_node_t *n)
{
    yaml_node_t *at = cf_find(ctx, n, "secret_file");
    if (ch->secret) {
        cf_error(ctx, at, "give secret or secret_file, not both");
        return;
    }
    int fd = open(ch->secret_file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    char buf[SECRET_FILE_MAX + 1];
    ssize_t len = -1;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= SECRET_FILE_MAX)
        len = read(fd, buf, SECRET_FILE_MAX);
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (len < 0) {
        cf_error(ctx, at, "secret_file: cannot read %s: %s", ch->secret_file,
                 fd < 0 ? strerror(e) : "not a regular file of at most 4 KiB");
        return;
    }
    buf[len] = 0;
    buf[strcspn(buf, "\r\n")] = 0;
    if (!buf[0])
        cf_error(ctx, at, "secret_file: %s is empty", ch->secret_file);
    else
        ch->secret = kw_strdup(buf);
    memset(buf, 0, sizeof buf);
}

static void channel_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_channel *ch = obj;
    if (ch->secret_file)
        channel_secret_file(ctx, ch, n);
    if (ch->rate_limit < 0) /* the robots' documented limits */
        ch->rate_limit = ch->type == CHAN_DINGTALK || ch->type == CHAN_WECOM ? 20
                         : ch->type == CHAN_FEISHU                          ? 100
                         : ch->type == CHAN_SLACK                           ? 60
                                                                             : 0;
    if (!ch->url)
        cf_error(ctx, n, "channel \"%s\" needs a url (%s)", ch->name ? ch->name : "?",
                 ch->type == CHAN_EMAIL ? "smtp://mail.example.com:587" : "the robot's webhook address");
    else if (ch->type == CHAN_EMAIL ? strncmp(ch->url, "smtp://", 7) && strncmp(ch->url, "smtps://", 8)
                                    : strncmp(ch->url, "http://", 7) && strncmp(ch->url, "https://", 8))
        cf_error(ctx, cf_find(ctx, n, "url"), "url: \"%s\" must start with %s", ch->url,
                 ch->type == CHAN_EMAIL ? "smtp:// or smtps://" : "http:// or https://");
    if (ch->type == CHAN_EMAIL && !ch->from)
        cf_error(ctx, n, "channel \"%s\": e-mail needs from (the sender's address)", ch->name ? ch->name : "?");
    if (!cf_language_ok(ch->language))
        cf_error(ctx, cf_find(ctx, n, "language"), "language: \"%s\" is not zh or en", ch->language);
    cf_check_tmpl(ctx, n, "title", ch->title, false);
    cf_check_tmpl(ctx, n, "body", ch->body, false);
    cf_check_tmpl(ctx, n, "line", ch->line, true);
}

static bool channel_applies(const void *obj, const char *key)
{
    const conf_channel *ch = obj;
    static const char *const mail_only[] = {"from", "to", "username", "password", "tls", "ca_file", NULL};
    for (size_t i = 0; mail_only[i]; i++)
        if (strcmp(key, mail_only[i]) == 0)
            return ch->type == CHAN_EMAIL;
    if (strcmp(key, "secret") == 0 || strcmp(key, "secret_file") == 0)
        return ch->type == CHAN_DINGTALK || ch->type == CHAN_FEISHU || ch->type == CHAN_WEBHOOK;
    if (strcmp(key, "headers") == 0)
        return ch->type == CHAN_WEBHOOK;
    return true;
}

static const cf_field channel_fields[] = {
    F(conf_channel, "name", CF_STR, name),
    F(conf_channel, "type", CF_ENUM, type, .names = chan_types),
    F(conf_channel, "url", CF_STR, url, .mask = 2),
    F(conf_channel, "secret", CF_STR, secret, .mask = 1),
    F(conf_channel, "secret_file", CF_STR, secret_file),
    F(conf_channel, "department", CF_STR, department),
    F(conf_channel, "language", CF_STR, language),
    F(conf_channel, "rate_limit", CF_INT, rate_limit, 0, 100000, .dflt = -1),
    F(conf_channel, "rate_window", CF_DURATION, rate_window_ms, 1000, CF_DAY, .dflt = 60000),
    F(conf_channel, "timeout", CF_DURATION, timeout_ms, 500, 300000, .dflt = 10000),
    F(conf_channel, "mention", CF_BOOL, mention, .dflt = true),
    F(conf_channel, "headers", CF_LABELS, headers),
    F(conf_channel, "title", CF_STR, title),
    F(conf_channel, "body", CF_STR, body),
    F(conf_channel, "line", CF_STR, line),
    F(conf_channel, "from", CF_STR, from),
    F(conf_channel, "to", CF_STRS, to),
    F(conf_channel, "username", CF_STR, username),
    F(conf_channel, "password", CF_STR, password, .mask = 1),
    F(conf_channel, "tls", CF_ENUM, tls, .names = smtp_tls_names),
    F(conf_channel, "ca_file", CF_STR, ca_file),
    F(conf_channel, "tls_verify", CF_BOOL, tls_verify, .dflt = true),
    {0},
};
static const cf_section channel_section = {"notify.channels", sizeof(conf_channel), channel_fields, NULL,
                                           channel_check, NULL, channel_applies};

static const cf_field level_fields[] = {
    F(conf_esc_level, "escalate_after", CF_DURATION, escalate_after_ms, 10000, 7 * CF_DAY, .dflt = 600000),
    F(conf_esc_level, "notify", CF_STRS, notify),
    F(conf_esc_level, "channels", CF_STRS, channels),
    {0},
};
static void level_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_esc_level *l = obj;
    if (!l->channels.n)
        cf_error(ctx, n, "an escalation level needs channels to tell its people through");
}
static const cf_section level_section = {"levels", sizeof(conf_esc_level), level_fields, NULL, level_check,
                                         NULL, NULL, true};

static void policy_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_policy *p = obj;
    if (!p->levels.n && !p->inform.n)
        cf_error(ctx, n, "policy \"%s\" needs levels (who is told, and after how long the next ones are)",
                 p->name ? p->name : "?");
}
static const cf_field policy_fields[] = {
    F(conf_policy, "name", CF_STR, name),
    F(conf_policy, "levels", CF_LIST, levels, .sub = &level_section),
    F(conf_policy, "repeat", CF_INT, repeat, 0, 100),
    F(conf_policy, "inform", CF_STRS, inform),
    F(conf_policy, "announce_ack", CF_BOOL, announce_ack, .dflt = true),
    F(conf_policy, "announce_resolved", CF_BOOL, announce_resolved, .dflt = true),
    {0},
};
static const cf_section policy_section = {"notify.policies", sizeof(conf_policy), policy_fields, NULL,
                                          policy_check, NULL};

static void route_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_route *r = obj;
    if (!r->policy)
        cf_error(ctx, n, "a route needs a policy");
    if (r->group_by.n > 8)
        cf_error(ctx, cf_find(ctx, n, "group_by"), "group_by: at most 8 fields");
}
static const cf_field route_fields[] = {
    F(conf_route, "match", CF_MATCH, match, .vcheck = notify_cond_check),
    F(conf_route, "policy", CF_STR, policy),
    F(conf_route, "group_by", CF_STRS, group_by),
    F(conf_route, "group_wait", CF_DURATION, group_wait_ms, 0, CF_DAY, .dflt = -1),
    F(conf_route, "group_interval", CF_DURATION, group_interval_ms, 0, CF_DAY, .dflt = -1),
    F(conf_route, "continue", CF_BOOL, cont),
    {0},
};
static const cf_section route_section = {"notify.routes", sizeof(conf_route), route_fields, NULL, route_check,
                                         NULL, NULL, true};

static void silence_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_silence *s = obj;
    s->tz_min = cf_zone_offset(logs_conf_zone(ctx, n, s->timezone));
    s->start_ms = s->end_ms = 0;
    s->from_min = s->to_min = -1;
    bool oneoff = s->start || s->end, recurring = s->from || s->to || s->days.n;
    if (oneoff == recurring) {
        cf_error(ctx, n, "silence \"%s\" needs either start and end (one-off) or from and to (every day, or on days)",
                 s->name ? s->name : "?");
        return;
    }
    if (oneoff) {
        int64_t a, b;
        if (!oncall_wall_minutes(s->start, true, &a) || !oncall_wall_minutes(s->end, true, &b) || b <= a)
            cf_error(ctx, n, "silence \"%s\": start and end are YYYY-MM-DDTHH:MM, start before end",
                     s->name ? s->name : "?");
        else {
            s->start_ms = (a - s->tz_min) * 60000;
            s->end_ms = (b - s->tz_min) * 60000;
        }
        return;
    }
    s->from_min = cf_hhmm(s->from);
    s->to_min = cf_hhmm(s->to);
    if (s->from_min < 0 || s->to_min < 0 || s->from_min == s->to_min)
        cf_error(ctx, n, "silence \"%s\": from and to are HH:MM (22:00 to 06:00 runs past midnight)",
                 s->name ? s->name : "?");
    s->day_mask = cf_days_mask(ctx, &s->days, n);
}
static const cf_field silence_fields[] = {
    F(conf_silence, "name", CF_STR, name),
    F(conf_silence, "match", CF_MATCH, match, .vcheck = notify_cond_check),
    F(conf_silence, "start", CF_STR, start),
    F(conf_silence, "end", CF_STR, end),
    F(conf_silence, "days", CF_STRS, days),
    F(conf_silence, "from", CF_STR, from),
    F(conf_silence, "to", CF_STR, to),
    F(conf_silence, "timezone", CF_STR, timezone),
    F(conf_silence, "reason", CF_STR, reason),
    {0},
};
static const cf_section silence_section = {"notify.silences", sizeof(conf_silence), silence_fields, NULL,
                                           silence_check, NULL};

static void inhibit_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_inhibit *i = obj;
    if (!i->source.n || !i->target.n)
        cf_error(ctx, n, "an inhibition needs source and target conditions, e.g. source: {rule: host_down}");
}
static const cf_field inhibit_fields[] = {
    F(conf_inhibit, "source", CF_MATCH, source, .vcheck = notify_cond_check),
    F(conf_inhibit, "target", CF_MATCH, target, .vcheck = notify_cond_check),
    F(conf_inhibit, "equal", CF_STRS, equal),
    {0},
};
static const cf_section inhibit_section = {"notify.inhibit", sizeof(conf_inhibit), inhibit_fields, NULL,
                                           inhibit_check, NULL, NULL, true};

static const cf_field notify_fields[] = {
    F(conf, "enabled", CF_BOOL, notify.enabled),
    F(conf, "language", CF_STR, notify.language),
    F(conf, "group_wait", CF_DURATION, notify.group_wait_ms, 0, CF_DAY),
    F(conf, "group_interval", CF_DURATION, notify.group_interval_ms, 0, CF_DAY),
    F(conf, "retry_for", CF_DURATION, notify.retry_for_ms, 60000, 30 * CF_DAY),
    F(conf, "console_url", CF_STR, notify.console_url),
    F(conf, "channels", CF_LIST, notify.channels, .sub = &channel_section),
    F(conf, "policies", CF_LIST, notify.policies, .sub = &policy_section),
    F(conf, "routes", CF_LIST, notify.routes, .sub = &route_section),
    F(conf, "silences", CF_LIST, notify.silences, .sub = &silence_section),
    F(conf, "inhibit", CF_LIST, notify.inhibit, .sub = &inhibit_section),
    {0},
};
const cf_section notify_conf_section = {"notify", 0, notify_fields, NULL, NULL, NULL};

static const conf_channel *cf_channel_find(const conf *c, const char *name)
{
    for (size_t i = 0; i < c->notify.channels.n; i++) {
        const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, i);
        if (ch->name && strcmp(ch->name, name) == 0)
            return ch;
    }
    return NULL;
}

/* Names in notify: refer to channels, policies, schedules, people and departments that exist. */
void notify_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top)
{
    yaml_node_t *nn = cf_find(ctx, top, "notify");
    yaml_node_t *at = nn ? nn : top;
    if (c->notify.language && strcmp(c->notify.language, "zh") && strcmp(c->notify.language, "en"))
        cf_error(ctx, cf_find(ctx, at, "language"), "language: \"%s\" is not zh or en", c->notify.language);
    for (size_t i = 0; i < c->notify.channels.n; i++) {
        const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, i);
        if (ch->department && !conf_department_find(c, ch->department))
            cf_error(ctx, at, "channel \"%s\": department \"%s\" is not defined under departments", ch->name,
                     ch->department);
    }
    for (size_t i = 0; i < c->notify.policies.n; i++) {
        const conf_policy *p = CONF_AT(c->notify.policies, conf_policy, i);
        for (size_t k = 0; k < p->inform.n; k++)
            if (!cf_channel_find(c, p->inform.v[k]))
                cf_error(ctx, at, "policy \"%s\": inform: channel \"%s\" is not defined under notify.channels",
                         p->name, p->inform.v[k]);
        for (size_t l = 0; l < p->levels.n; l++) {
            const conf_esc_level *lv = CONF_AT(p->levels, conf_esc_level, l);
            for (size_t k = 0; k < lv->channels.n; k++)
                if (!cf_channel_find(c, lv->channels.v[k]))
                    cf_error(ctx, at, "policy \"%s\", level %zu: channel \"%s\" is not defined under notify.channels",
                             p->name, l + 1, lv->channels.v[k]);
            for (size_t k = 0; k < lv->notify.n; k++) {
                const char *t = lv->notify.v[k], *colon = strchr(t, ':');
                const char *what = colon ? colon + 1 : "";
                size_t kl = colon ? (size_t)(colon - t) : 0;
                bool ok = false;
                if (kl == 8 && strncmp(t, "schedule", 8) == 0) {
                    ok = cf_list_find(&c->schedules, sizeof(conf_schedule), what) != NULL;
                } else if (kl == 6 && strncmp(t, "person", 6) == 0) {
                    ok = conf_person_find(c, what) != NULL;
                } else if (kl == 4 && strncmp(t, "head", 4) == 0) {
                    const conf_department *d = conf_department_find(c, what);
                    ok = d && d->head;
                } else if (kl == 4 && strncmp(t, "role", 4) == 0) {
                    ok = *what != 0;
                } else {
                    cf_error(ctx, at, "policy \"%s\", level %zu: \"%s\" is not schedule:NAME, person:NAME, head:DEPARTMENT "
                             "or role:ROLE", p->name, l + 1, t);
                    continue;
                }
                if (!ok)
                    cf_error(ctx, at, "policy \"%s\", level %zu: \"%s\" names nothing defined%s", p->name, l + 1, t,
                             kl == 4 && strncmp(t, "head", 4) == 0 ? " (a department with a head)" : "");
            }
        }
    }
    for (size_t i = 0; i < c->notify.routes.n; i++) {
        const conf_route *r = CONF_AT(c->notify.routes, conf_route, i);
        if (r->policy && !cf_list_find(&c->notify.policies, sizeof(conf_policy), r->policy))
            cf_error(ctx, at, "route %zu: policy \"%s\" is not defined under notify.policies", i + 1, r->policy);
    }
}

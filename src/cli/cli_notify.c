/* keepwatch notify status|test and keepwatch silence add|list|expire. */
#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_time.h"
#include "notify/notify.h"
#include "store/store_conf.h"
#include "store/store_notify.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char notify_usage[] =
    "usage: keepwatch notify status [--json]\n"
    "       keepwatch notify test CHANNEL\n"
    "       keepwatch notify route [--at TIME] FIELD=VALUE...\n"
    "\n"
    "status  the outbox per channel: messages pending, sent, failed and merged into digests,\n"
    "        the last delivery and the last error\n"
    "test    sends a test message to a channel now (not through the outbox): exit 0 when the\n"
    "        channel took it, 1 with its answer when it did not\n"
    "route   where an alert with these fields would go (rule=, severity=, summary=, asset=,\n"
    "        or any label): the routes it takes, its group, each level's people on duty at\n"
    "        --at (default: now) and channels, and whether a silence or inhibition holds it;\n"
    "        exit 1 when no route takes it\n"
    "\n"
    "Alerts reach people through notify.routes (which alerts), notify.policies (who, through\n"
    "which channels, escalating while nobody acknowledges) and notify.channels (webhook,\n"
    "dingtalk, wecom, feishu, slack, email). Every command takes -c FILE.\n";

static const char silence_usage[] =
    "usage: keepwatch silence add [--for DURATION | --until TIME] [--from TIME] [--by NAME]\n"
    "                             [--comment TEXT] FIELD[|OP]=VALUE...\n"
    "       keepwatch silence list [--all] [--json]\n"
    "       keepwatch silence expire [--by NAME] ID\n"
    "\n"
    "A silence keeps the alerts it matches from being notified while it lasts (they still fire\n"
    "and are recorded); one still firing when it ends is notified then. FIELD is rule,\n"
    "severity, asset, department, summary or any label (source.ip, check, ...); OP is eq (the\n"
    "default), ne, contains, startswith, endswith, re, cidr, gt, lt. --for defaults to 2h.\n"
    "Adding and expiring go to the duty log. For windows that come back (every night's\n"
    "backup), use notify.silences in the configuration.\n";

/* ---- notify ---- */

typedef struct status_rows {
    cli_listing out;
    size_t rows;
    int64_t failed;
} status_rows;

static void status_row(void *arg, const store_outbox_channel *c)
{
    status_rows *r = arg;
    const char *ch = c->channel, *err = c->last_error;
    int64_t v[4] = {c->pending, c->sent, c->failed, c->merged};
    int64_t last = c->last_sent_ms;
    r->failed += v[2];
    char ts[40] = "-";
    if (last)
        kw_time_iso8601(last, ts, sizeof ts);
    if (r->out.json) {
        kw_json_obj_begin(&r->out.j);
        kw_json_kv_str(&r->out.j, "channel", ch);
        kw_json_kv_int(&r->out.j, "pending", v[0]);
        kw_json_kv_int(&r->out.j, "sent", v[1]);
        kw_json_kv_int(&r->out.j, "failed", v[2]);
        kw_json_kv_int(&r->out.j, "merged", v[3]);
        if (last)
            kw_json_kv_str(&r->out.j, "last_sent", ts);
        if (err)
            kw_json_kv_str(&r->out.j, "last_error", err);
        kw_json_obj_end(&r->out.j);
    } else {
        kw_buf_printf(&r->out.b, "%-20s %8lld %8lld %8lld %8lld  %-20.19s %s\n", ch, (long long)v[0], (long long)v[1],
                      (long long)v[2], (long long)v[3], ts, err ? err : "-");
    }
    r->rows++;
}

static int notify_status(const char *cfgp, bool json)
{
    kw_store *st = cli_store_open(cfgp, "notify status", true);
    if (!st)
        return KW_EXIT_USAGE;
    status_rows r = {.failed = 0};
    cli_listing_begin(&r.out, json, "%-20s %8s %8s %8s %8s  %-20s %s\n", "CHANNEL", "PENDING", "SENT", "FAILED", "MERGED",
                      "LAST SENT", "LAST ERROR");
    if (store_outbox_channels_each(st, status_row, &r) != KW_OK) {
        fprintf(stderr, "keepwatch notify status: %s\n", store_errmsg(st));
        kw_buf_free(&r.out.b);
        store_close(st);
        return KW_EXIT_PROBLEM;
    }
    cli_listing_end(&r.out, r.rows, "no notifications yet\n");
    store_close(st);
    return r.failed ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

static int notify_test(const char *cfgp, const char *name)
{
    conf *c = cli_conf_load(cli_conf_path(cfgp));
    if (!c)
        return KW_EXIT_USAGE;
    const conf_channel *ch = NULL;
    for (size_t i = 0; i < c->notify.channels.n; i++)
        if (strcmp(CONF_AT(c->notify.channels, conf_channel, i)->name, name) == 0)
            ch = CONF_AT(c->notify.channels, conf_channel, i);
    if (!ch) {
        fprintf(stderr, "keepwatch notify test: no channel \"%s\" in notify.channels\n", name);
        conf_free(c);
        return KW_EXIT_USAGE;
    }
    notify_msg m = {.kind = NMSG_TEST, .period = c->period.name, .console_url = c->notify.console_url,
                    .now_ms = kw_now_ms()};
    kw_buf title, text;
    kw_buf_init(&title, 0);
    kw_buf_init(&text, 0);
    notify_render(c, ch, &m, &title, &text);
    json_t *msg = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "kind", "test", "title", kw_buf_cstr(&title), "text",
                            kw_buf_cstr(&text), "alerts", "people");
    for (size_t i = 0; ch->type == CHAN_EMAIL && i < c->people.n && !ch->to.n; i++) {
        const conf_person *p = CONF_AT(c->people, conf_person, i);
        if (p->email) { /* mail needs someone: the first person with an address */
            json_array_append_new(json_object_get(msg, "people"), json_pack("{s:s, s:s}", "name", p->name, "email", p->email));
            break;
        }
    }
    char *js = json_dumps(msg, JSON_COMPACT);
    char err[512] = "";
    kw_rc rc = notify_send_now(ch, js, err, sizeof err);
    if (rc == KW_OK)
        printf("%s took the test message\n", ch->name);
    else
        fprintf(stderr, "keepwatch notify test: %s did not take it: %s\n", ch->name, err);
    free(js);
    json_decref(msg);
    kw_buf_free(&title);
    kw_buf_free(&text);
    conf_free(c);
    return rc == KW_OK ? KW_EXIT_OK : rc == KW_ERR_PARSE ? KW_EXIT_USAGE : KW_EXIT_PROBLEM;
}

static int notify_route(const char *cfgp, int64_t at, int argc, char **argv)
{
    conf *c = cli_conf_load(cli_conf_path(cfgp));
    if (!c)
        return KW_EXIT_USAGE;
    json_t *labels = json_object();
    const char *rule = "", *summary = "";
    int sev = 3;
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            fprintf(stderr, "keepwatch notify route: \"%s\" is not FIELD=VALUE\n", argv[i]);
            json_decref(labels);
            conf_free(c);
            return KW_EXIT_USAGE;
        }
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - argv[i]), argv[i]);
        if (!strcmp(key, "rule"))
            rule = eq + 1;
        else if (!strcmp(key, "summary"))
            summary = eq + 1;
        else if (!strcmp(key, "severity")) {
            sev = 0;
            for (int k = 1; k <= 4; k++)
                if (!strcmp(eq + 1, kw_severity_name(k)))
                    sev = k;
            if (!sev) {
                fprintf(stderr, "keepwatch notify route: severity is low, medium, high or critical\n");
                json_decref(labels);
                conf_free(c);
                return KW_EXIT_USAGE;
            }
        } else
            json_object_set_new(labels, key, json_string(eq + 1));
    }
    char *lj = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(labels);
    notify_alert a;
    notify_alert_init(&a, c, 0, rule, "firing", summary, sev, at, lj);
    free(lj);
    notify_engine *e = notify_engine_new(c);
    size_t idx[64];
    size_t n = notify_engine_routes(e, &a, idx, 64);
    kw_buf out;
    kw_buf_init(&out, 0);
    char nb[64];
    kw_buf_printf(&out, "alert: rule=%s severity=%s asset=%s\n", rule, kw_severity_name(sev),
                  (notify_alert_field(&a, "asset", nb, sizeof nb) ? notify_alert_field(&a, "asset", nb, sizeof nb) : "-"));
    for (size_t i = 0; i < n; i++) {
        const conf_route *r = CONF_AT(c->notify.routes, conf_route, idx[i]);
        kw_buf_printf(&out, "route %zu -> policy %s, grouped by", idx[i] + 1, r->policy);
        if (!r->group_by.n)
            kw_buf_printf(&out, " rule=%s", rule);
        for (size_t k = 0; k < r->group_by.n; k++) {
            const char *v = notify_alert_field(&a, r->group_by.v[k], nb, sizeof nb);
            kw_buf_printf(&out, " %s=%s", r->group_by.v[k], v ? v : "");
        }
        kw_buf_putc(&out, '\n');
        const conf_policy *p = NULL;
        for (size_t k = 0; k < c->notify.policies.n; k++)
            if (!strcmp(CONF_AT(c->notify.policies, conf_policy, k)->name, r->policy))
                p = CONF_AT(c->notify.policies, conf_policy, k);
        for (size_t l = 0; p && l < p->levels.n; l++) {
            const conf_esc_level *lv = CONF_AT(p->levels, conf_esc_level, l);
            const conf_person **v;
            size_t np;
            notify_level_people(c, lv, at, &v, &np);
            kw_buf_printf(&out, "  level %zu: ", l + 1);
            for (size_t k = 0; k < np; k++)
                kw_buf_printf(&out, "%s%s", k ? ", " : "", v[k]->display ? v[k]->display : v[k]->name);
            if (!np)
                kw_buf_puts(&out, "(nobody on duty)");
            kw_buf_puts(&out, " via ");
            for (size_t k = 0; k < lv->channels.n; k++)
                kw_buf_printf(&out, "%s%s", k ? ", " : "", lv->channels.v[k]);
            char d[32];
            kw_duration_format(lv->escalate_after_ms, d, sizeof d);
            kw_buf_printf(&out, "%s%s\n", l + 1 < p->levels.n ? "; next level after " : "; after the last level: ",
                          l + 1 < p->levels.n ? d : p->repeat ? "again from level 1" : "no more");
            free(v);
        }
        if (p && p->inform.n) {
            kw_buf_puts(&out, "  informed: ");
            for (size_t k = 0; k < p->inform.n; k++)
                kw_buf_printf(&out, "%s%s", k ? ", " : "", p->inform.v[k]);
            kw_buf_putc(&out, '\n');
        }
    }
    if (!n)
        kw_buf_puts(&out, "no route takes this alert: nobody is told\n");
    /* silences and inhibitions: the store's too, when there is one */
    kw_store *st = NULL;
    char *path = store_conf_where(c);
    store_conf_apply(c);
    if (store_is_url(path) || access(path, R_OK) == 0) {
        char err[256];
        st = store_open(path, true, err, sizeof err);
    }
    free(path);
    char why[128];
    const char *h = notify_engine_held(e, st, &a, at, why, sizeof why);
    if (n)
        kw_buf_printf(&out, "%s\n", h ? h : "not held back by any silence or inhibition");
    fputs(kw_buf_cstr(&out), stdout);
    kw_buf_free(&out);
    store_close(st);
    notify_engine_free(e);
    notify_alert_fini(&a);
    conf_free(c);
    return n ? KW_EXIT_OK : KW_EXIT_PROBLEM;
}

int cli_notify(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(notify_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"at", required_argument, NULL, 'a'},
                                         {0}};
    const char *cfg = NULL;
    bool json = false;
    int64_t at = kw_now_ms();
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfg = optarg; break;
        case 'j': json = true; break;
        case 'a':
            if (!cli_parse_time(optarg, &at)) {
                fprintf(stderr, "keepwatch notify: \"%s\" is not a time (2026-11-24T09:00)\n", optarg);
                return KW_EXIT_USAGE;
            }
            break;
        default: fputs(notify_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    if (!strcmp(verb, "status") && optind == argc)
        return notify_status(cfg, json);
    if (!strcmp(verb, "test") && optind == argc - 1)
        return notify_test(cfg, argv[optind]);
    if (!strcmp(verb, "route") && optind < argc)
        return notify_route(cfg, at, argc - optind, argv + optind);
    fprintf(stderr, "keepwatch notify: bad command\n\n%s", notify_usage);
    return KW_EXIT_USAGE;
}

/* ---- silence ---- */

static int silence_add(const char *cfgp, int64_t from, int64_t until, const char *by, const char *comment, int argc,
                       char **argv)
{
    json_t *m = json_object();
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        char key[128], err[256];
        size_t pos;
        if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof key) {
            fprintf(stderr, "keepwatch silence add: \"%s\" is not FIELD=VALUE\n", argv[i]);
            json_decref(m);
            return KW_EXIT_USAGE;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - argv[i]), argv[i]);
        if (notify_cond_check(key, eq + 1, err, sizeof err, &pos) != KW_OK) {
            fprintf(stderr, "keepwatch silence add: %s: %s\n", argv[i], err);
            json_decref(m);
            return KW_EXIT_USAGE;
        }
        json_object_set_new(m, key, json_string(eq + 1));
    }
    if (!json_object_size(m)) {
        fprintf(stderr, "keepwatch silence add: say which alerts, e.g. rule=service_down asset=web01\n");
        json_decref(m);
        return KW_EXIT_USAGE;
    }
    kw_store *st = cli_store_open(cfgp, "silence add", false);
    if (!st) {
        json_decref(m);
        return KW_EXIT_USAGE;
    }
    char *js = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t now = kw_now_ms();
    int64_t id = 0;
    char ends[40];
    kw_time_iso8601(until, ends, sizeof ends);
    if (store_silence_add(st, js, from ? from : now, until, by, comment, now, &id) == KW_OK)
        printf("silence %lld: %s until %s\n", (long long)id, js, ends);
    else {
        fprintf(stderr, "keepwatch silence add: %s\n", store_errmsg(st));
        id = 0;
    }
    free(js);
    json_decref(m);
    store_close(st);
    return id ? KW_EXIT_OK : KW_EXIT_PROBLEM;
}

typedef struct silence_rows {
    cli_listing out;
    size_t rows;
    int64_t now;
} silence_rows;

static void silence_row(void *arg, const store_silence *sv)
{
    silence_rows *r = arg;
    int64_t id = sv->id, a = sv->starts_ms, b = sv->ends_ms, now = r->now;
    const char *m = sv->matchers_json, *by = sv->by, *cm = sv->comment;
    const char *state = b <= now ? "expired" : a > now ? "pending" : "active";
    char fa[40], fb[40];
    kw_time_iso8601(a, fa, sizeof fa);
    kw_time_iso8601(b, fb, sizeof fb);
    if (r->out.json) {
        kw_json_obj_begin(&r->out.j);
        kw_json_kv_int(&r->out.j, "id", id);
        kw_json_kv_str(&r->out.j, "state", state);
        kw_json_kv_str(&r->out.j, "from", fa);
        kw_json_kv_str(&r->out.j, "until", fb);
        kw_json_kv_str(&r->out.j, "by", by ? by : "");
        kw_json_key(&r->out.j, "matchers");
        kw_json_raw(&r->out.j, m);
        if (cm)
            kw_json_kv_str(&r->out.j, "comment", cm);
        kw_json_obj_end(&r->out.j);
    } else {
        kw_buf_printf(&r->out.b, "%-5lld %-8s %-20.19s %-20.19s %-12s %s%s%s\n", (long long)id, state, fa, fb,
                      by ? by : "-", m, cm ? "  # " : "", cm ? cm : "");
    }
    r->rows++;
}

static int silence_list(const char *cfgp, bool all, bool json)
{
    kw_store *st = cli_store_open(cfgp, "silence list", false);
    if (!st)
        return KW_EXIT_USAGE;
    int64_t now = kw_now_ms();
    silence_rows r = {.now = now};
    cli_listing_begin(&r.out, json, "%-5s %-8s %-20s %-20s %-12s %s\n", "ID", "STATE", "FROM", "UNTIL", "BY",
                      "MATCHES");
    store_silence_each(st, all ? STORE_SIL_ALL : STORE_SIL_NOT_OVER, now, silence_row, &r);
    cli_listing_end(&r.out, r.rows, "no silences\n");
    store_close(st);
    return KW_EXIT_OK;
}

static int silence_expire(const char *cfgp, const char *by, const char *ids)
{
    char *end;
    long long id = strtoll(ids, &end, 10);
    if (*end || id <= 0) {
        fprintf(stderr, "keepwatch silence expire: \"%s\" is not a silence id\n", ids);
        return KW_EXIT_USAGE;
    }
    kw_store *st = cli_store_open(cfgp, "silence expire", true);
    if (!st)
        return KW_EXIT_USAGE;
    int64_t now = kw_now_ms();
    int rcode = KW_EXIT_PROBLEM;
    if (store_silence_expire(st, id, by, now) == KW_OK) {
        printf("silence %lld expired\n", id);
        rcode = KW_EXIT_OK;
    } else {
        fprintf(stderr, "keepwatch silence expire: no silence %lld in force\n", id);
    }
    store_close(st);
    return rcode;
}

int cli_silence(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(silence_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"for", required_argument, NULL, 'd'},
        {"until", required_argument, NULL, 'u'},  {"from", required_argument, NULL, 'f'},
        {"by", required_argument, NULL, 'b'},     {"comment", required_argument, NULL, 'm'},
        {"all", no_argument, NULL, 'a'},          {"json", no_argument, NULL, 'j'},
        {0}};
    const char *cfg = NULL, *by = NULL, *comment = NULL;
    int64_t dur = 2 * 3600000, until = 0, from = 0;
    bool all = false, json = false;
    char ubuf[128];
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        char err[128];
        switch (ch) {
        case 'c': cfg = optarg; break;
        case 'b': by = optarg; break;
        case 'm': comment = optarg; break;
        case 'a': all = true; break;
        case 'j': json = true; break;
        case 'd':
            if (kw_duration_parse(optarg, &dur, err, sizeof err) != KW_OK || dur <= 0) {
                fprintf(stderr, "keepwatch silence: --for: %s\n", dur <= 0 ? "must be more than 0" : err);
                return KW_EXIT_USAGE;
            }
            break;
        case 'u':
        case 'f':
            if (!cli_parse_time(optarg, ch == 'u' ? &until : &from)) {
                fprintf(stderr, "keepwatch silence: \"%s\" is not a time (2026-11-24T09:00)\n", optarg);
                return KW_EXIT_USAGE;
            }
            break;
        default: fputs(silence_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    if (!by)
        by = cli_whoami(ubuf, sizeof ubuf);
    if (!strcmp(verb, "add")) {
        int64_t start = from ? from : kw_now_ms();
        if (!until)
            until = start + dur;
        if (until <= start) {
            fprintf(stderr, "keepwatch silence add: it would end before it starts\n");
            return KW_EXIT_USAGE;
        }
        return silence_add(cfg, from, until, by, comment, argc - optind, argv + optind);
    }
    if (!strcmp(verb, "list") && optind == argc)
        return silence_list(cfg, all, json);
    if (!strcmp(verb, "expire") && optind == argc - 1)
        return silence_expire(cfg, by, argv[optind]);
    fprintf(stderr, "keepwatch silence: bad command\n\n%s", silence_usage);
    return KW_EXIT_USAGE;
}

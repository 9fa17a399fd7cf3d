/* libFuzzer target: what notifications read from outside. A robot's answer (JSON from the
 * network), a channel template (config), and alert fields that reach a message (a user name
 * from a log line): rendered for every channel type, then built into each channel's request. */
#include "conf/conf.h"
#include "notify/notify.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static conf *cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cfg) {
        static const char y[] =
            "departments: [{name: biz, kind: business}, {name: cs, kind: customer_service}]\n"
            "people: [{name: a, display: A, phone: '1', email: a@example.com, feishu: ou, slack: U1, wecom: w}]\n"
            "notify:\n  channels:\n"
            "    - {name: w, type: webhook, url: 'http://127.0.0.1:1/', secret: s, line: '{id} {rule} {source.ip} {labels}'}\n"
            "    - {name: d, type: dingtalk, url: 'http://127.0.0.1:1/?a=b', secret: s}\n"
            "    - {name: q, type: wecom, url: 'http://127.0.0.1:1/', department: biz}\n"
            "    - {name: f, type: feishu, url: 'http://127.0.0.1:1/', secret: s, department: cs, language: en}\n"
            "    - {name: s, type: slack, url: 'http://127.0.0.1:1/'}\n"
            "    - {name: m, type: email, url: 'smtp://127.0.0.1:1', from: k@example.com}\n";
        conf_errors errs = {0};
        if (conf_load_buffer("fuzz", y, sizeof y - 1, &cfg, &errs) != KW_OK)
            abort();
    }
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    char err[256];
    size_t pos;
    for (int t = CHAN_WEBHOOK; t <= CHAN_EMAIL; t++)
        notify_response_ok(t, 200, s, err, sizeof err);
    notify_tmpl_check(s, false, err, sizeof err, &pos);
    /* the input as an alert's summary and a label value */
    json_t *labels = json_pack("{s:s%, s:s}", "source.ip", s, strlen(s), "user.name", "root");
    char *lj = labels ? json_dumps(labels, JSON_COMPACT) : NULL;
    notify_alert a;
    notify_alert_init(&a, cfg, 1, "r", "firing", s, 3, 0, lj);
    const notify_alert *list[] = {&a};
    const conf_person *ppl[] = {conf_person_find(cfg, "a")};
    notify_msg m = {.kind = (notify_kind)(size % 6), .alerts = list, .nalerts = 1, .people = ppl, .npeople = 1,
                    .now_ms = 1700000000000LL};
    for (size_t i = 0; i < cfg->notify.channels.n; i++) {
        const conf_channel *ch = CONF_AT(cfg->notify.channels, conf_channel, i);
        kw_buf title, text;
        kw_buf_init(&title, 0);
        kw_buf_init(&text, 0);
        notify_render(cfg, ch, &m, &title, &text);
        json_t *msg = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}]}", "kind", "firing", "title", kw_buf_cstr(&title),
                                "text", kw_buf_cstr(&text), "people", "name", "a", "email", "a@example.com");
        char *js = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
        notify_request r;
        if (js) {
            notify_request_build(ch, js, 7, 1700000000000LL, &r, err, sizeof err);
            notify_request_free(&r);
        }
        /* and the raw input as a stored message */
        notify_request_build(ch, s, 7, 1700000000000LL, &r, err, sizeof err);
        notify_request_free(&r);
        free(js);
        json_decref(msg);
        kw_buf_free(&title);
        kw_buf_free(&text);
    }
    notify_alert_fini(&a);
    free(lj);
    json_decref(labels);
    free(s);
    return 0;
}

/* The sender: delivers the outbox with libcurl's multi interface, one delivery at a time per
 * channel (in order), within each channel's rate limit, with retries and backoff.
 *
 * A message stays 'pending' in the store until its channel has taken it; then it is marked
 * 'sent' and the delivery goes to the duty log, in one transaction. A channel that is down
 * keeps its messages pending (retried with backoff for notify.retry_for); a restart picks
 * them up. The one window left is a crash after the channel took a message and before the
 * store says so: that message is sent again at restart, with the same X-Keepwatch-Delivery id
 * (and Message-ID for mail) for a receiver to see it is the same.
 *
 * When a channel's backlog is more than its rate limit allows now (an alert storm), the
 * waiting messages are merged into one digest, so nothing is dropped and the limit holds. */
#include "notify/notify.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_file.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "store/store_notify.h"

#define RESPONSE_MAX 65536
#define BACKOFF_MIN_MS 5000
#define BACKOFF_MAX_MS 600000
#define DIGEST_MAX 500 /* messages merged into one digest at most */
#define CLAIM_SLACK_MS 5000 /* a claimed message is due again this long after its timeout */

typedef struct xfer {
    CURL *h;
    int64_t id, created_ms;
    int attempts;
    size_t chan;
    notify_request req;
    kw_buf resp;
    size_t upload_off;
    struct curl_slist *hdrs, *rcpt;
    char errbuf[CURL_ERROR_SIZE];
    char *alerts;      /* for the duty log */
    char *people;
    int64_t alert_id;
    char kind[16];
} xfer;

/* The rate limit is a sliding window: the times of the last rate_limit sends. A robot that
 * takes 20 a minute counts any minute, so a token bucket (which lets 2N through across a
 * window's edge) would not do. */
typedef struct chan_state {
    const conf_channel *ch;
    int64_t *sent;   /* ring of send times */
    size_t nsent, head, cap;
    xfer *busy;
} chan_state;

struct notify_sender {
    const conf *c;
    CURLM *multi;
    chan_state *cs;
    size_t n;
    size_t inflight;
};

static size_t on_body(char *p, size_t sz, size_t nm, void *arg)
{
    xfer *x = arg;
    size_t n = sz * nm;
    if (x->resp.len + n <= RESPONSE_MAX)
        kw_buf_append(&x->resp, p, n);
    return n;
}

static size_t on_read(char *p, size_t sz, size_t nm, void *arg)
{
    xfer *x = arg;
    size_t left = x->req.body.len - x->upload_off, n = sz * nm < left ? sz * nm : left;
    memcpy(p, x->req.body.data + x->upload_off, n);
    x->upload_off += n;
    return n;
}

notify_sender *notify_sender_new(const conf *c)
{
    notify_sender *s = kw_calloc(1, sizeof *s);
    s->c = c;
    s->multi = curl_multi_init();
    s->n = c->notify.channels.n;
    s->cs = kw_calloc(s->n ? s->n : 1, sizeof *s->cs);
    for (size_t i = 0; i < s->n; i++) {
        s->cs[i].ch = CONF_AT(c->notify.channels, conf_channel, i);
        s->cs[i].cap = (size_t)s->cs[i].ch->rate_limit;
        s->cs[i].sent = kw_calloc(s->cs[i].cap ? s->cs[i].cap : 1, sizeof(int64_t));
    }
    return s;
}

static void xfer_free(xfer *x)
{
    if (!x)
        return;
    if (x->h)
        curl_easy_cleanup(x->h);
    notify_request_free(&x->req);
    kw_buf_free(&x->resp);
    curl_slist_free_all(x->hdrs);
    curl_slist_free_all(x->rcpt);
    free(x->alerts);
    free(x->people);
    free(x);
}

void notify_sender_free(notify_sender *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->cs[i].busy) { /* abandoned: the row stays pending and goes again after a restart */
            curl_multi_remove_handle(s->multi, s->cs[i].busy->h);
            xfer_free(s->cs[i].busy);
        }
    curl_multi_cleanup(s->multi);
    for (size_t i = 0; i < s->n; i++)
        free(s->cs[i].sent);
    free(s->cs);
    free(s);
}

size_t notify_sender_busy(const notify_sender *s) { return s->inflight; }

/* Sets up the curl handle of a request; false if curl refuses an option. */
static bool xfer_setup(xfer *x, const conf_channel *ch)
{
    CURL *h = x->h = curl_easy_init();
    if (!h)
        return false;
    curl_easy_setopt(h, CURLOPT_URL, x->req.url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)ch->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(ch->timeout_ms < 5000 ? ch->timeout_ms : 5000));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_PRIVATE, x);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "keepwatch/" KW_VERSION);
    if (ch->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, ch->ca_file);
    if (!ch->tls_verify) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (ch->type == CHAN_EMAIL) {
        if (curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK)
            return false;
        char from[512];
        snprintf(from, sizeof from, "<%s>", ch->from);
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
        for (size_t i = 0; i < x->req.nrcpt; i++) {
            char to[512];
            snprintf(to, sizeof to, "<%s>", x->req.rcpt[i]);
            x->rcpt = curl_slist_append(x->rcpt, to);
        }
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, x->rcpt);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, x);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->req.body.len);
        long ssl = ch->tls == SMTP_TLS_NONE ? CURLUSESSL_NONE : ch->tls == SMTP_TLS_TRY ? CURLUSESSL_TRY : CURLUSESSL_ALL;
        curl_easy_setopt(h, CURLOPT_USE_SSL, ssl);
        if (ch->username)
            curl_easy_setopt(h, CURLOPT_USERNAME, ch->username);
        if (ch->password)
            curl_easy_setopt(h, CURLOPT_PASSWORD, ch->password);
        return true;
    }
    if (curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK)
        return false;
    for (size_t i = 0; i < x->req.nheaders; i++)
        x->hdrs = curl_slist_append(x->hdrs, x->req.headers[i]);
    x->hdrs = curl_slist_append(x->hdrs, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->req.body.data ? x->req.body.data : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->req.body.len);
    return true;
}

/* ---- outbox rows ---- */

static kw_rc row_fail(kw_store *st, int64_t id, int attempts, int64_t next_ms, bool final, const char *why)
{
    return store_outbox_failed(st, id, attempts, next_ms, final, why);
}

static void duty_text(kw_buf *t, const char *verb, const char *kind, const char *channel, const char *people,
                      const char *alerts)
{
    kw_buf_printf(t, "%s %s via %s", kind, verb, channel);
    if (people && *people)
        kw_buf_printf(t, " to %s", people);
    if (alerts && *alerts) {
        size_t n = strlen(alerts);
        kw_buf_printf(t, "; alerts %.*s%s", n > 300 ? 300 : (int)n, alerts, n > 300 ? "..." : "");
    }
}

/* The due messages of a channel, read for a digest. */
typedef struct digest_parts {
    json_t *alerts, *ppl;
    kw_buf text, ids, names;
    int64_t *rows;
    size_t n;
    int64_t first_alert;
} digest_parts;

static void backlog_add(void *arg, const store_outbox_row *r)
{
    digest_parts *b = arg;
    json_t *m = json_loads(r->message, 0, NULL);
    const char *t = json_string_value(json_object_get(m, "text"));
    kw_buf_printf(&b->text, "%s\n---\n", t ? t : "");
    json_array_extend(b->alerts, json_object_get(m, "alerts"));
    json_t *pp = json_object_get(m, "people"), *p;
    size_t i;
    json_array_foreach(pp, i, p)
    {
        bool dup = false;
        size_t k;
        json_t *o;
        json_array_foreach(b->ppl, k, o) dup |= json_equal(o, p);
        if (!dup)
            json_array_append(b->ppl, p);
    }
    json_decref(m);
    const char *a = r->alerts, *pn = r->people;
    if (a && *a && b->ids.len < 4000)
        kw_buf_printf(&b->ids, "%s%s", b->ids.len ? "," : "", a);
    if (pn && *pn && !strstr(kw_buf_cstr(&b->names), pn) && b->names.len < 1000)
        kw_buf_printf(&b->names, "%s%s", b->names.len ? ", " : "", pn);
    if (!b->first_alert)
        b->first_alert = r->alert_id;
    b->rows[b->n++] = r->id;
}

/* Merges the channel's due messages into one digest row; returns its id (0: nothing merged). */
static int64_t merge_backlog(notify_sender *s, kw_store *st, const conf_channel *ch, int64_t now)
{
    digest_parts b = {.alerts = json_array(), .ppl = json_array(), .rows = kw_calloc(DIGEST_MAX, sizeof(int64_t))};
    kw_buf_init(&b.text, 0);
    kw_buf_init(&b.ids, 0);
    kw_buf_init(&b.names, 0);
    bool en = (ch->language ? ch->language : s->c->notify.language) &&
              strcmp(ch->language ? ch->language : s->c->notify.language, "en") == 0;
    int64_t id = 0;
    if (store_outbox_due_each(st, ch->name, now, DIGEST_MAX, backlog_add, &b) == KW_OK && b.n > 1) {
        char title[128];
        snprintf(title, sizeof title, en ? "[DIGEST] %zu notifications (rate limit of %s)" : "【汇总】%zu 条通知（%s 限速）",
                 b.n, ch->name);
        kw_buf body;
        kw_buf_init(&body, 0);
        kw_buf_printf(&body, "%s%s\n\n%s", ch->type == CHAN_EMAIL || ch->type == CHAN_WEBHOOK ? "" : "### ", title,
                      kw_buf_cstr(&b.text));
        json_t *msg = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i}", "kind", "digest", "title", title, "text",
                                kw_buf_cstr(&body), "alerts", b.alerts, "people", b.ppl, "merged", (int)b.n);
        b.alerts = b.ppl = NULL;
        char *js = json_dumps(msg, JSON_COMPACT);
        json_decref(msg);
        kw_buf_free(&body);
        store_outbox_msg o = {.created_ms = now, .next_ms = now, .channel = ch->name, .kind = "digest",
                              .alert_id = b.first_alert, .alerts = kw_buf_cstr(&b.ids),
                              .people = kw_buf_cstr(&b.names), .message = js};
        if (js)
            store_outbox_add(st, &o, &id);
        free(js);
        if (id && store_outbox_merge(st, id, b.rows, b.n) != KW_OK) {
            log_error("notify: cannot merge the backlog of %s: %s", ch->name, store_errmsg(st));
            id = -1;
        }
    }
    json_decref(b.alerts);
    json_decref(b.ppl);
    kw_buf_free(&b.text);
    kw_buf_free(&b.ids);
    kw_buf_free(&b.names);
    free(b.rows);
    return id;
}

/* Sends the window still allows at now. */
static int64_t allowance(chan_state *c, int64_t now)
{
    if (!c->cap)
        return INT64_MAX;
    while (c->nsent && c->sent[c->head] <= now - c->ch->rate_window_ms) { /* the oldest left the window */
        c->head = (c->head + 1) % c->cap;
        c->nsent--;
    }
    return (int64_t)(c->cap - c->nsent);
}

static void spend(chan_state *c, int64_t now)
{
    if (!c->cap)
        return;
    c->sent[(c->head + c->nsent) % c->cap] = now;
    c->nsent++;
}

kw_rc notify_group_alert_ids(kw_store *st, int64_t group_id, int64_t offset, size_t max, int64_t *ids, size_t *n,
                             int64_t *total)
{
    return store_notify_group_alert_ids(st, group_id, offset, max, ids, n, total);
}

/* A webhook's message with every alert id of its group (read here) and a delivery id that
 * stays the same when the row is sent again. A new string. */
static char *webhook_message(notify_sender *s, kw_store *st, const char *message, int64_t row, int64_t created_ms,
                             int64_t group_id)
{
    int64_t *ids = NULL, total = 0;
    size_t n = 0;
    if (group_id > 0) {
        ids = kw_malloc(sizeof *ids * NOTIFY_WEBHOOK_IDS_MAX);
        notify_group_alert_ids(st, group_id, 0, NOTIFY_WEBHOOK_IDS_MAX, ids, &n, &total);
    }
    char delivery[64];
    snprintf(delivery, sizeof delivery, "kw-%lld-%lld", (long long)created_ms, (long long)row);
    char *m = notify_webhook_message(message, group_id, ids, n, total, s->c->notify.console_url, delivery);
    free(ids);
    return m;
}

/* The next message of a channel, taken into a new transfer. */
typedef struct next_row {
    size_t chan;
    xfer *x;
    char *message;
    int64_t group_id;
} next_row;

static void take_next(void *arg, const store_outbox_row *r)
{
    next_row *nx = arg;
    xfer *x = kw_calloc(1, sizeof *x);
    kw_buf_init(&x->resp, 0);
    x->id = r->id;
    nx->message = kw_strdup(r->message);
    x->attempts = r->attempts;
    x->created_ms = r->created_ms;
    x->alerts = kw_strdup(r->alerts ? r->alerts : "");
    x->people = kw_strdup(r->people ? r->people : "");
    x->alert_id = r->alert_id;
    snprintf(x->kind, sizeof x->kind, "%s", r->kind);
    x->chan = nx->chan;
    nx->group_id = r->group_id;
    nx->x = x;
}

/* The file a mail's document names (document.path), read into out (bounded by
 * NOTIFY_DOC_ATTACH_MAX): false when there is none or it cannot be read (then the mail goes
 * without it; its text has the link). */
static bool read_attachment(const char *message, kw_buf *out)
{
    if (!strstr(message, "\"document\""))
        return false;
    json_t *m = json_loads(message, 0, NULL);
    const char *path = json_string_value(json_object_get(json_object_get(m, "document"), "path"));
    bool ok = path && kw_file_read(path, (size_t)NOTIFY_DOC_ATTACH_MAX, out) == KW_OK;
    if (path && !ok)
        log_warn("notify: the document %s cannot be attached: %s", path, strerror(errno));
    json_decref(m);
    return ok;
}

/* Starts the next delivery of channel i, if one is due and the rate limit allows. */
static kw_rc start_next(notify_sender *s, kw_store *st, size_t i, int64_t now, int64_t epoch)
{
    chan_state *c = &s->cs[i];
    const conf_channel *ch = c->ch;
    int64_t allowed = allowance(c, now);
    if (c->busy || allowed < 1)
        return KW_OK;
    if (ch->rate_limit > 0) {
        int64_t backlog = 0;
        if (store_outbox_due_count(st, ch->name, now, &backlog) != KW_OK)
            return KW_ERR_STORE;
        if (backlog > 1 && backlog > allowed) {
            if (store_begin(st) != KW_OK)
                return KW_ERR_STORE;
            int64_t id = merge_backlog(s, st, ch, now);
            if (id < 0 || store_commit(st) != KW_OK) {
                store_rollback(st);
                return KW_ERR_STORE;
            }
        }
    }
    next_row nx = {.chan = i};
    if (store_outbox_due_each(st, ch->name, now, 1, take_next, &nx) != KW_OK)
        return KW_ERR_STORE;
    if (!nx.x)
        return KW_OK;
    xfer *x = nx.x;
    /* claimed first: if this server dies mid-delivery, the next leader waits out the claim */
    kw_rc crc = store_outbox_claim(st, x->id, now, now + ch->timeout_ms + CLAIM_SLACK_MS, epoch);
    if (crc != KW_OK) {
        free(nx.message);
        xfer_free(x);
        return crc == KW_ERR_NOTFOUND ? KW_OK : crc;
    }
    char *message = nx.message;
    int64_t group_id = nx.group_id;
    if (ch->type == CHAN_WEBHOOK) {
        char *m = webhook_message(s, st, message, x->id, x->created_ms, group_id);
        free(message);
        message = m;
    }
    char err[256];
    kw_buf attach;
    kw_buf_init(&attach, 0);
    bool with = ch->type == CHAN_EMAIL && read_attachment(message, &attach);
    kw_rc rc = notify_request_build_doc(ch, message, x->id, now, with ? &attach : NULL, &x->req, err, sizeof err);
    kw_buf_free(&attach);
    free(message);
    if (rc != KW_OK || !xfer_setup(x, ch)) {
        if (rc == KW_OK)
            snprintf(err, sizeof err, "libcurl refused the request's options");
        log_error("notify: message %lld cannot go to %s: %s", (long long)x->id, ch->name, err);
        rc = row_fail(st, x->id, x->attempts + 1, now, true, err);
        xfer_free(x);
        return rc;
    }
    if (curl_multi_add_handle(s->multi, x->h) != CURLM_OK) {
        xfer_free(x);
        return KW_ERR_IO;
    }
    spend(c, now);
    c->busy = x;
    s->inflight++;
    return KW_OK;
}

static kw_rc finish(notify_sender *s, kw_store *st, xfer *x, CURLcode res, int64_t now)
{
    chan_state *c = &s->cs[x->chan];
    const conf_channel *ch = c->ch;
    long status = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
    char why[300] = "";
    bool ok = res == CURLE_OK && notify_response_ok(ch->type, status, kw_buf_cstr(&x->resp), why, sizeof why);
    if (res != CURLE_OK)
        snprintf(why, sizeof why, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(res));
    kw_rc rc;
    if (store_begin(st) != KW_OK)
        return KW_ERR_STORE;
    kw_buf t;
    kw_buf_init(&t, 0);
    if (ok) {
        rc = store_outbox_sent(st, x->id, now, x->attempts + 1);
        duty_text(&t, "sent", x->kind, ch->name, x->people, x->alerts);
        const char *what = strcmp(x->kind, "report") == 0 ? "report.sent" : "alert.notified";
        if (rc == KW_OK && strcmp(x->kind, "test") != 0)
            rc = store_duty_append(st, now, what, "keepwatch", x->alert_id, kw_buf_cstr(&t));
    } else {
        int n = x->attempts + 1;
        int64_t backoff = BACKOFF_MIN_MS;
        for (int k = 1; k < n && backoff < BACKOFF_MAX_MS; k++)
            backoff *= 2;
        if (backoff > BACKOFF_MAX_MS)
            backoff = BACKOFF_MAX_MS;
        bool final = now - x->created_ms >= s->c->notify.retry_for_ms;
        rc = row_fail(st, x->id, n, now + backoff, final, why);
        if (final) {
            log_error("notify: gave up on message %lld to %s after %d attempts: %s", (long long)x->id, ch->name, n, why);
            duty_text(&t, "NOT delivered", x->kind, ch->name, x->people, x->alerts);
            kw_buf_printf(&t, " (%d attempts; last: %s)", n, why);
            if (rc == KW_OK)
                rc = store_duty_append(st, now, "notify.failed", "keepwatch", x->alert_id, kw_buf_cstr(&t));
        } else if (n == 1 || (n & (n - 1)) == 0) {
            log_warn("notify: %s did not take message %lld (attempt %d, again in %llds): %s", ch->name, (long long)x->id,
                     n, (long long)(backoff / 1000), why);
        }
    }
    kw_buf_free(&t);
    if (rc == KW_OK)
        rc = store_commit(st);
    else
        store_rollback(st);
    return rc;
}

kw_rc notify_sender_pump(notify_sender *s, kw_store *st, int64_t now, int wait_ms, int64_t epoch)
{
    kw_rc rc = KW_OK;
    for (size_t i = 0; epoch && i < s->n && rc == KW_OK; i++)
        rc = start_next(s, st, i, now, epoch);
    /* rows for channels no longer configured */
    int running = 0;
    curl_multi_perform(s->multi, &running);
    if (s->inflight)
        curl_multi_poll(s->multi, NULL, 0, wait_ms, NULL);
    curl_multi_perform(s->multi, &running);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(s->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        xfer *x = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        CURLcode res = m->data.result;
        curl_multi_remove_handle(s->multi, m->easy_handle);
        if (!x)
            continue;
        kw_rc r2 = finish(s, st, x, res, now);
        if (r2 != KW_OK)
            rc = r2;
        s->cs[x->chan].busy = NULL;
        s->inflight--;
        xfer_free(x);
    }
    return rc;
}

kw_rc notify_send_now(const conf_channel *ch, const char *message_json, char *err, size_t errn)
{
    xfer *x = kw_calloc(1, sizeof *x);
    kw_buf_init(&x->resp, 0);
    kw_rc rc = notify_request_build(ch, message_json, 0, kw_now_ms(), &x->req, err, errn);
    if (rc == KW_OK && !xfer_setup(x, ch)) {
        snprintf(err, errn, "libcurl refused the request's options");
        rc = KW_ERR_IO;
    }
    if (rc == KW_OK) {
        CURLcode res = curl_easy_perform(x->h);
        long status = 0;
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
        if (res != CURLE_OK) {
            snprintf(err, errn, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(res));
            rc = KW_ERR_IO;
        } else if (!notify_response_ok(ch->type, status, kw_buf_cstr(&x->resp), err, errn)) {
            rc = KW_ERR_IO;
        }
    }
    xfer_free(x);
    return rc;
}

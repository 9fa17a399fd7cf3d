/* Channels: the request each one takes (body, signature, headers), and what its answer means.
 * Nothing here does I/O: notify_send.c makes the requests. */
#include "notify/notify.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/kw_mem.h"

/* The robots' own ceilings on a message's text (bytes). */
static size_t text_max(int type)
{
    switch (type) {
    case CHAN_WECOM: return 4000;
    case CHAN_DINGTALK: return 18000;
    case CHAN_FEISHU: return 28000;
    case CHAN_SLACK: return 38000;
    default: return 200000;
    }
}

/* s cut to at most max bytes on a UTF-8 boundary, with an ellipsis; a new string. */
static char *cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return kw_strdup(s);
    size_t k = max - 3;
    while (k && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    char *o = kw_malloc(k + 4);
    memcpy(o, s, k);
    memcpy(o + k, "…", 4);
    return o;
}

void notify_hmac_b64(const char *key, size_t keylen, const char *data, size_t datalen, char out[64])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data, datalen, mac, &maclen);
    EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen); /* 32 bytes -> 44 characters + NUL */
}

static void hmac_hex(const char *key, const char *data, size_t datalen, char out[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)data, datalen, mac, &maclen);
    for (unsigned i = 0; i < maclen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* The webhook's delivery id: the message's (the same each time a row is sent), else a random
 * one (a test); written into the body and into id (for the header). */
static void delivery_id(json_t *body, char *id, size_t n)
{
    const char *d = json_string_value(json_object_get(body, "delivery"));
    if (d && *d && strlen(d) < n && !strpbrk(d, "\r\n")) {
        snprintf(id, n, "%s", d);
        return;
    }
    unsigned char rnd[16];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        memset(rnd, 0, sizeof rnd);
    size_t k = (size_t)snprintf(id, n, "kw-test-");
    for (size_t i = 0; i < sizeof rnd && k + 2 < n; i++, k += 2)
        snprintf(id + k, n - k, "%02x", rnd[i]);
    json_object_set_new(body, "delivery", json_string(id));
}

static void add_header(notify_request *r, const char *fmt, const char *v);

/* Slack's v0 scheme with keepwatch's names: the receiver recomputes the HMAC over its
 * timestamp and the exact body, and refuses old timestamps (replays). */
static void sign_v0(notify_request *r, const char *secret, int64_t now_ms)
{
    char ts[32], hex[65] = {0};
    snprintf(ts, sizeof ts, "%lld", (long long)(now_ms / 1000));
    kw_buf base;
    kw_buf_init(&base, 0);
    kw_buf_printf(&base, "v0:%s:", ts);
    kw_buf_append(&base, r->body.data ? r->body.data : "", r->body.len);
    hmac_hex(secret, base.data, base.len, hex);
    kw_buf_free(&base);
    add_header(r, "X-Keepwatch-Timestamp: %s", ts);
    add_header(r, "X-Keepwatch-Signature: v0=%s", hex);
}

static void url_escape(kw_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '_' || *p == '.' || *p == '~')
            kw_buf_putc(b, (char)*p);
        else
            kw_buf_printf(b, "%%%02X", *p);
    }
}

static void add_header(notify_request *r, const char *fmt, const char *v)
{
    r->headers = kw_realloc(r->headers, (r->nheaders + 2) * sizeof(char *));
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, fmt, v);
    r->headers[r->nheaders++] = kw_buf_take(&b);
    r->headers[r->nheaders] = NULL;
}

static void add_rcpt(notify_request *r, const char *addr)
{
    if (!addr || !*addr || strpbrk(addr, "\r\n<>,; "))
        return; /* not one plain address */
    for (size_t i = 0; i < r->nrcpt; i++)
        if (strcmp(r->rcpt[i], addr) == 0)
            return;
    r->rcpt = kw_realloc(r->rcpt, (r->nrcpt + 1) * sizeof(char *));
    r->rcpt[r->nrcpt++] = kw_strdup(addr);
}

void notify_request_free(notify_request *r)
{
    free(r->url);
    kw_buf_free(&r->body);
    for (size_t i = 0; i < r->nheaders; i++)
        free(r->headers[i]);
    free(r->headers);
    for (size_t i = 0; i < r->nrcpt; i++)
        free(r->rcpt[i]);
    free(r->rcpt);
    memset(r, 0, sizeof *r);
}

static void dump_into(kw_buf *b, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    kw_buf_puts(b, s ? s : "{}");
    free(s);
}

static const char *person_str(json_t *p, const char *k) { return json_string_value(json_object_get(p, k)); }

static void build_mail(const conf_channel *ch, json_t *msg, int64_t id, int64_t now_ms, const kw_buf *attach,
                       notify_request *r)
{
    json_t *people = json_object_get(msg, "people"), *p;
    size_t i;
    json_array_foreach(people, i, p) add_rcpt(r, person_str(p, "email"));
    for (size_t k = 0; k < ch->to.n; k++)
        add_rcpt(r, ch->to.v[k]);
    const char *title = json_string_value(json_object_get(msg, "title"));
    const char *text = json_string_value(json_object_get(msg, "text"));
    char date[64], host[128] = "localhost";
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    gethostname(host, sizeof host - 1);
    kw_buf *b = &r->body;
    kw_buf_printf(b, "From: %s\r\nTo: ", ch->from);
    for (size_t k = 0; k < r->nrcpt; k++)
        kw_buf_printf(b, "%s%s", k ? ", " : "", r->rcpt[k]);
    kw_buf_printf(b, "\r\nDate: %s\r\nMessage-ID: <keepwatch-%lld-%lld@%s>\r\nSubject: ", date, (long long)id,
                  (long long)now_ms, host);
    char *subj = cut(title ? title : "keepwatch", 600);
    for (char *q = subj; *q; q++)
        if (*q == '\r' || *q == '\n')
            *q = ' ';
    notify_mime_encoded_word(b, subj);
    free(subj);
    kw_buf_printf(b, "\r\nX-Keepwatch-Delivery: %lld\r\n", (long long)id);
    json_t *doc = json_object_get(msg, "document");
    if (attach && json_is_object(doc)) {
        char boundary[64];
        snprintf(boundary, sizeof boundary, "=_kw_%lld_%lld", (long long)id, (long long)now_ms);
        notify_mime_multipart_headers(b, boundary);
        notify_mime_multipart(b, boundary, text ? text : "", json_string_value(json_object_get(doc, "filename")),
                              json_string_value(json_object_get(doc, "mime")), attach->data, attach->len);
        return;
    }
    kw_buf_puts(b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n");
    notify_mime_base64(b, text ? text : "", text ? strlen(text) : 0);
}

kw_rc notify_request_build(const conf_channel *ch, const char *message_json, int64_t id, int64_t now_ms,
                           notify_request *r, char *err, size_t errn)
{
    return notify_request_build_doc(ch, message_json, id, now_ms, NULL, r, err, errn);
}

kw_rc notify_request_build_doc(const conf_channel *ch, const char *message_json, int64_t id, int64_t now_ms,
                               const kw_buf *attach, notify_request *r, char *err, size_t errn)
{
    memset(r, 0, sizeof *r);
    kw_buf_init(&r->body, 0);
    json_t *msg = json_loads(message_json, 0, NULL);
    if (!json_is_object(msg)) {
        json_decref(msg);
        snprintf(err, errn, "the stored message is not a JSON object");
        return KW_ERR_PARSE;
    }
    const char *title = json_string_value(json_object_get(msg, "title"));
    const char *text0 = json_string_value(json_object_get(msg, "text"));
    char *text = cut(text0 ? text0 : "", text_max(ch->type));
    title = title ? title : "keepwatch";
    json_t *people = json_object_get(msg, "people"), *p;
    size_t i;
    kw_buf url;
    kw_buf_init(&url, 0);
    kw_buf_puts(&url, ch->url);
    char id_s[64];
    snprintf(id_s, sizeof id_s, "%lld", (long long)id);
    kw_rc rc = KW_OK;
    json_t *body = NULL;
    switch (ch->type) {
    case CHAN_DINGTALK: {
        if (ch->secret) { /* sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)) */
            char ts[32], sig[64];
            snprintf(ts, sizeof ts, "%lld", (long long)now_ms);
            kw_buf sd;
            kw_buf_init(&sd, 0);
            kw_buf_printf(&sd, "%s\n%s", ts, ch->secret);
            notify_hmac_b64(ch->secret, strlen(ch->secret), sd.data, sd.len, sig);
            kw_buf_free(&sd);
            kw_buf_printf(&url, "%ctimestamp=%s&sign=", strchr(ch->url, '?') ? '&' : '?', ts);
            url_escape(&url, sig);
        }
        json_t *mob = json_array(), *uid = json_array();
        const char *kind = json_string_value(json_object_get(msg, "kind"));
        bool call = ch->mention && kind && strcmp(kind, "acknowledged") && strcmp(kind, "resolved");
        json_array_foreach(people, i, p)
        {
            if (!call)
                break;
            if (person_str(p, "dingtalk"))
                json_array_append_new(uid, json_string(person_str(p, "dingtalk")));
            else if (person_str(p, "phone"))
                json_array_append_new(mob, json_string(person_str(p, "phone")));
        }
        body = json_pack("{s:s, s:{s:s, s:s}, s:{s:o, s:o, s:b}}", "msgtype", "markdown", "markdown", "title", title,
                         "text", text, "at", "atMobiles", mob, "atUserIds", uid, "isAtAll", 0);
        break;
    }
    case CHAN_WECOM:
        body = json_pack("{s:s, s:{s:s}}", "msgtype", "markdown", "markdown", "content", text);
        break;
    case CHAN_FEISHU: {
        kw_buf all;
        kw_buf_init(&all, 0);
        kw_buf_printf(&all, "%s", text);
        body = json_pack("{s:s, s:{s:s}}", "msg_type", "text", "content", "text", kw_buf_cstr(&all));
        kw_buf_free(&all);
        if (ch->secret) { /* sign = base64(HMAC-SHA256(key: timestamp + "\n" + secret, data: "")) */
            char ts[32], sig[64];
            snprintf(ts, sizeof ts, "%lld", (long long)(now_ms / 1000));
            kw_buf key;
            kw_buf_init(&key, 0);
            kw_buf_printf(&key, "%s\n%s", ts, ch->secret);
            notify_hmac_b64(key.data, key.len, "", 0, sig);
            kw_buf_free(&key);
            json_object_set_new(body, "timestamp", json_string(ts));
            json_object_set_new(body, "sign", json_string(sig));
        }
        break;
    }
    case CHAN_SLACK:
        body = json_pack("{s:s}", "text", text);
        break;
    case CHAN_WEBHOOK:
        body = json_deep_copy(msg);
        json_object_set_new(body, "id", json_integer(id));
        json_object_set_new(body, "source", json_string("keepwatch"));
        delivery_id(body, id_s, sizeof id_s);
        break;
    case CHAN_EMAIL:
        build_mail(ch, msg, id, now_ms, attach, r);
        if (!r->nrcpt) {
            snprintf(err, errn, "no recipient: nobody notified has an e-mail address, and the channel has no to:");
            rc = KW_ERR_PARSE;
        }
        break;
    }
    if (body) {
        dump_into(&r->body, body);
        json_decref(body);
        add_header(r, "%s", "Content-Type: application/json; charset=utf-8");
        add_header(r, "X-Keepwatch-Delivery: %s", id_s);
        if (ch->type == CHAN_WEBHOOK) {
            if (ch->secret)
                sign_v0(r, ch->secret, now_ms);
            for (size_t k = 0; k < ch->headers.n; k++) {
                kw_buf h;
                kw_buf_init(&h, 0);
                kw_buf_printf(&h, "%s: %s", ch->headers.k[k], ch->headers.v[k]);
                add_header(r, "%s", kw_buf_cstr(&h));
                kw_buf_free(&h);
            }
        }
    }
    r->url = kw_buf_take(&url);
    free(text);
    json_decref(msg);
    return rc;
}

/* The ids a digest's messages listed (it has no group of its own). */
static json_t *listed_ids(json_t *msg, int64_t *total)
{
    json_t *ids = json_array(), *a;
    size_t i;
    json_array_foreach(json_object_get(msg, "alerts"), i, a)
    {
        if (json_array_size(ids) < NOTIFY_WEBHOOK_IDS_MAX && json_is_integer(json_object_get(a, "id")))
            json_array_append(ids, json_object_get(a, "id"));
    }
    *total = (int64_t)json_array_size(ids);
    return ids;
}

char *notify_webhook_message(const char *message, int64_t group_id, const int64_t *ids, size_t n, int64_t total,
                             const char *console_url, const char *delivery)
{
    json_t *msg = json_loads(message, 0, NULL);
    if (!json_is_object(msg)) {
        json_decref(msg);
        return kw_strdup(message);
    }
    json_t *arr;
    if (group_id > 0) {
        arr = json_array();
        for (size_t i = 0; i < n && i < NOTIFY_WEBHOOK_IDS_MAX; i++)
            json_array_append_new(arr, json_integer(ids[i]));
        json_object_set_new(msg, "group", json_integer(group_id));
    } else {
        arr = listed_ids(msg, &total);
    }
    size_t shown = json_array_size(arr);
    json_object_set_new(msg, "alert_ids", arr);
    json_object_set_new(msg, "alerts_total", json_integer(total > (int64_t)shown ? total : (int64_t)shown));
    if (total > (int64_t)shown) {
        const char *base = console_url ? console_url : "";
        size_t bl = strlen(base);
        if (bl && base[bl - 1] == '/')
            bl--;
        char url[1024];
        snprintf(url, sizeof url, "%.*s/api/v1/notify/groups/%lld/alerts?offset=%zu", (int)(bl < 900 ? bl : 900), base,
                 (long long)group_id, shown);
        json_object_set_new(msg, "alerts_truncated", json_true());
        json_object_set_new(msg, "alerts_url", json_string(url));
    }
    json_object_set_new(msg, "delivery", json_string(delivery));
    char *js = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    return js ? js : kw_strdup(message);
}

bool notify_response_ok(int type, long status, const char *body, char *why, size_t whyn)
{
    if (type == CHAN_EMAIL)
        return true; /* curl's result says it all */
    if (status < 200 || status > 299) {
        snprintf(why, whyn, "HTTP %ld", status);
        return false;
    }
    if (type != CHAN_DINGTALK && type != CHAN_WECOM && type != CHAN_FEISHU)
        return true;
    /* the robots answer 200 and say in the body whether they took it */
    json_t *j = json_loads(body ? body : "", 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        snprintf(why, whyn, "the answer is not JSON");
        return false;
    }
    json_t *code = json_object_get(j, "errcode");
    if (!code)
        code = json_object_get(j, "code");
    if (!code)
        code = json_object_get(j, "StatusCode");
    long long c = json_is_integer(code) ? json_integer_value(code) : -1;
    const char *m = json_string_value(json_object_get(j, "errmsg"));
    if (!m)
        m = json_string_value(json_object_get(j, "msg"));
    bool ok = c == 0;
    if (!ok)
        snprintf(why, whyn, "code %lld: %.200s", c, m ? m : "?");
    json_decref(j);
    return ok;
}

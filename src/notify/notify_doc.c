/* Documents through notify: a report (its summary, its link, the file for mail) written to the
 * outbox as any message is, so the leader's single sender delivers it with its retries; and
 * the MIME pieces a mail with an attachment is made of (RFC 2045 base64 lines, RFC 2046
 * multipart/mixed, RFC 2047 encoded words, RFC 2231 file names). Only notify_outbox_document
 * looks at the file (its size); the sender reads it when it sends. */
#include "notify/notify.h"
#include "notify/notify_int.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_notify.h"

#define DOC_TITLE_MAX 300
#define DOC_LINE_MAX 2000

/* ---- MIME ---- */

void notify_mime_base64(kw_buf *b, const void *data, size_t n)
{
    const unsigned char *s = data;
    for (size_t off = 0; off < n; off += 57) { /* 57 bytes: 76 characters */
        unsigned char enc[80];
        EVP_EncodeBlock(enc, s + off, (int)(n - off > 57 ? 57 : n - off));
        kw_buf_printf(b, "%s\r\n", enc);
    }
}

static bool plain_ascii(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f || s[n] == '"' || s[n] == '\\')
            return false;
    return n < max;
}

void notify_mime_encoded_word(kw_buf *b, const char *s)
{
    if (plain_ascii(s, 900)) {
        kw_buf_puts(b, s);
        return;
    }
    size_t n = strlen(s), i = 0;
    while (i < n) { /* at most 45 bytes a word, cut on UTF-8 boundaries */
        size_t k = n - i > 45 ? 45 : n - i;
        while (i + k < n && k > 1 && ((unsigned char)s[i + k] & 0xc0) == 0x80)
            k--;
        unsigned char enc[80];
        EVP_EncodeBlock(enc, (const unsigned char *)s + i, (int)k);
        kw_buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
        i += k;
    }
}

/* RFC 2231's extended value as numbered sections (name*0*=UTF-8''..; name*1*=..), each
 * on its own folded line: UTF-8, every byte outside attribute-char percent-encoded. */
static void put_rfc2231(kw_buf *b, const char *attr, const char *s)
{
    int sec = 0;
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (col == 0) {
            kw_buf_printf(b, "%s\r\n %s*%d*=%s", sec ? ";" : "", attr, sec, sec ? "" : "UTF-8''");
            sec++;
        }
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            kw_buf_putc(b, (char)*p);
            col++;
        } else {
            kw_buf_printf(b, "%%%02X", *p);
            col += 3;
        }
        if (col >= 54)
            col = 0;
    }
}

/* A file name fit for a header: no control characters, no path, at most 200 bytes. */
static char *safe_filename(const char *name)
{
    const char *base = name && *name ? name : "report";
    const char *slash = strrchr(base, '/');
    base = slash && slash[1] ? slash + 1 : base;
    kw_buf o;
    kw_buf_init(&o, 1024);
    notify_put_value(&o, base, CHAN_EMAIL, 200);
    return kw_buf_take(&o);
}

/* A MIME type fit for a header: token/token, else application/octet-stream. */
static const char *safe_mime(const char *m)
{
    if (!m || !*m || strlen(m) > 100)
        return "application/octet-stream";
    for (const char *p = m; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/.+-", *p)))
            return "application/octet-stream";
    return strchr(m, '/') ? m : "application/octet-stream";
}

void notify_mime_multipart_headers(kw_buf *b, const char *boundary)
{
    kw_buf_printf(b, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary);
}

void notify_mime_multipart(kw_buf *b, const char *boundary, const char *text, const char *filename, const char *mime,
                           const void *data, size_t n)
{
    kw_buf_printf(b, "This is a multipart message in MIME format.\r\n\r\n--%s\r\n"
                     "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                  boundary);
    notify_mime_base64(b, text, strlen(text));
    char *name = safe_filename(filename);
    kw_buf_printf(b, "\r\n--%s\r\nContent-Type: %s;\r\n name=\"", boundary, safe_mime(mime));
    notify_mime_encoded_word(b, name);
    kw_buf_puts(b, "\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment;");
    if (plain_ascii(name, 60))
        kw_buf_printf(b, "\r\n filename=\"%s\"", name);
    else
        put_rfc2231(b, "filename", name);
    kw_buf_puts(b, "\r\n\r\n");
    notify_mime_base64(b, data, n);
    kw_buf_printf(b, "\r\n--%s--\r\n", boundary);
    free(name);
}

/* ---- the message ---- */

typedef struct doc_ctx {
    const conf_channel *ch;
    const notify_doc_msg *m;
    bool en, md;
    int type;
} doc_ctx;

static const char *say(const doc_ctx *x, const char *zh, const char *en) { return x->en ? en : zh; }

/* The summary, line by line, each made inert for the channel. */
static void put_summary(const doc_ctx *x, kw_buf *text)
{
    const char *s = x->m->summary ? x->m->summary : "";
    while (*s) {
        size_t k = strcspn(s, "\n");
        char line[DOC_LINE_MAX + 1];
        size_t l = k < DOC_LINE_MAX ? k : DOC_LINE_MAX;
        memcpy(line, s, l);
        line[l] = 0;
        notify_put_value(text, line, x->type, DOC_LINE_MAX);
        kw_buf_puts(text, x->md ? "  \n" : "\n");
        s += k;
        s += *s == '\n';
    }
}

static void put_link(const doc_ctx *x, kw_buf *text)
{
    const char *l = x->m->link;
    if (!l || !*l || strpbrk(l, " \r\n()<>[]\"'"))
        return;
    const char *w = say(x, "下载报告", "Download the report");
    if (x->type == CHAN_SLACK)
        kw_buf_printf(text, "\n<%s|%s>\n", l, w);
    else if (x->md)
        kw_buf_printf(text, "\n[%s](%s)\n", w, l);
    else
        kw_buf_printf(text, "\n%s: %s\n", w, l);
}

/* Whether the file goes attached: a mail, a file that is there, not too big. The note says
 * why not otherwise. */
static bool attachable(const doc_ctx *x, int64_t *size, kw_buf *note)
{
    struct stat sb;
    *size = 0;
    if (!x->m->path)
        return false;
    if (stat(x->m->path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        kw_buf_puts(note, say(x, "（报告文件不可读，未附上）", "(the report's file could not be read: not attached)"));
        return false;
    }
    *size = (int64_t)sb.st_size;
    if (x->type != CHAN_EMAIL)
        return false;
    if (*size > NOTIFY_DOC_ATTACH_MAX) {
        kw_buf_printf(note, x->en ? "(the report is %.1f MB, over the %d MB a mail carries: download it from the link)"
                                  : "（报告 %.1f MB，超过邮件附件上限 %d MB，请从链接下载）",
                      (double)*size / 1048576.0, (int)(NOTIFY_DOC_ATTACH_MAX >> 20));
        return false;
    }
    return true;
}

static void render_doc(const doc_ctx *x, kw_buf *title, kw_buf *text, const kw_buf *note)
{
    if (x->m->drill)
        kw_buf_puts(title, say(x, "【演练】", "[DRILL] "));
    notify_put_value(title, x->m->title ? x->m->title : "keepwatch", CHAN_EMAIL, DOC_TITLE_MAX);
    if (x->md) {
        kw_buf_puts(text, x->type == CHAN_SLACK ? "*" : "**");
        notify_put_value(text, kw_buf_cstr(title), x->type, DOC_TITLE_MAX + 20);
        kw_buf_puts(text, x->type == CHAN_SLACK ? "*\n\n" : "**\n\n");
    } else if (x->type != CHAN_EMAIL) {
        kw_buf_printf(text, "%s\n\n", kw_buf_cstr(title));
    }
    put_summary(x, text);
    put_link(x, text);
    if (note->len)
        kw_buf_printf(text, "\n%s\n", kw_buf_cstr(note));
}

static json_t *doc_object(const doc_ctx *x, bool attach, int64_t size)
{
    char *name = safe_filename(x->m->filename ? x->m->filename : x->m->path);
    json_t *d = json_pack("{s:s, s:s, s:I}", "filename", name, "mime", safe_mime(x->m->mime), "size",
                          (json_int_t)size);
    if (attach)
        json_object_set_new(d, "path", json_string(x->m->path));
    free(name);
    return d;
}

kw_rc notify_outbox_document(kw_store *s, const conf *c, const conf_channel *ch, const notify_doc_msg *m)
{
    const char *l = ch->language ? ch->language : c->notify.language;
    doc_ctx x = {.ch = ch, .m = m, .en = l && strcmp(l, "en") == 0, .type = ch->type};
    x.md = notify_markdown(x.type);
    kw_buf title, text, note;
    kw_buf_init(&title, 4096);
    kw_buf_init(&text, 1 << 20);
    kw_buf_init(&note, 1024);
    int64_t size = 0;
    bool attach = attachable(&x, &size, &note);
    render_doc(&x, &title, &text, &note);
    const char *kind = m->kind ? m->kind : "report";
    json_t *msg = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "kind", kind, "title", kw_buf_cstr(&title), "text",
                            kw_buf_cstr(&text), "people", "alerts");
    if (msg && m->link)
        json_object_set_new(msg, "link", json_string(m->link));
    if (msg && m->path)
        json_object_set_new(msg, "document", doc_object(&x, attach, size));
    char *js = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    kw_rc rc = KW_ERR_STORE;
    if (js) {
        store_outbox_msg o = {.created_ms = m->now_ms, .next_ms = m->now_ms, .channel = ch->name, .kind = kind,
                              .people = "", .message = js};
        rc = store_outbox_add(s, &o, NULL);
    }
    free(js);
    kw_buf_free(&title);
    kw_buf_free(&text);
    kw_buf_free(&note);
    return rc;
}

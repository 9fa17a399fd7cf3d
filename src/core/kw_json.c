#include "core/kw_json.h"
#include "core/kw_time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kw_json_init(kw_json *j, kw_buf *b)
{
    memset(j, 0, sizeof *j);
    j->b = b;
}

/* Puts the separator a new value needs at the current position. */
static void json_sep(kw_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    uint64_t bit = 1ull << j->depth;
    if (j->has_items & bit)
        kw_buf_putc(j->b, ',');
    j->has_items |= bit;
}

static void json_open(kw_json *j, char c)
{
    json_sep(j);
    kw_buf_putc(j->b, c);
    if (j->depth < KW_JSON_MAX_DEPTH)
        j->depth++;
    j->has_items &= ~(1ull << j->depth);
}

static void json_close(kw_json *j, char c)
{
    kw_buf_putc(j->b, c);
    if (j->depth > 0)
        j->depth--;
}

void kw_json_obj_begin(kw_json *j) { json_open(j, '{'); }
void kw_json_obj_end(kw_json *j) { json_close(j, '}'); }
void kw_json_arr_begin(kw_json *j) { json_open(j, '['); }
void kw_json_arr_end(kw_json *j) { json_close(j, ']'); }

void kw_json_key(kw_json *j, const char *key) { kw_json_keyn(j, key, strlen(key)); }

void kw_json_keyn(kw_json *j, const char *key, size_t n)
{
    json_sep(j);
    kw_json_escape(j->b, key, n);
    kw_buf_putc(j->b, ':');
    j->after_key = true;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not valid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

char *kw_utf8_fix(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = s ? strlen(s) : 0, i = 0, adv = 1;
    while (i < n && (adv = utf8_seq_len(p + i, n - i)) != 0)
        i += adv;
    if (i == n)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, 3 * n + 16); /* each byte at most U+FFFD's three */
    kw_buf_append(&b, s, i);
    while (i < n) {
        adv = utf8_seq_len(p + i, n - i);
        if (adv == 0)
            kw_buf_puts(&b, "\xef\xbf\xbd"); /* U+FFFD for the byte */
        else
            kw_buf_append(&b, s + i, adv);
        i += adv ? adv : 1;
    }
    return kw_buf_take(&b);
}

/* Bytes a JSON string cannot hold as they are: controls, DEL, quote, backslash, and every
 * byte >= 0x80 (checked as UTF-8). */
static const unsigned char json_special[256] = {
    [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

void kw_json_escape(kw_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    kw_buf_putc(b, '"');
    size_t run = 0; /* start of the pending run of bytes that need no escaping */
    size_t i = 0;
    while (i < n) {
        while (i < n && !json_special[p[i]])
            i++;
        if (i == n)
            break;
        unsigned char c = p[i];
        const char *esc = NULL;
        char tmp[8];
        size_t adv = 1;
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20 || c == 0x7f) {
            memcpy(tmp, "\\u00", 4);
            tmp[4] = hex[c >> 4];
            tmp[5] = hex[c & 15];
            tmp[6] = '\0';
            esc = tmp;
        } else {
            adv = utf8_seq_len(p + i, n - i);
            if (adv == 0) {
                esc = "\\ufffd";
                adv = 1;
            }
        }
        if (esc) {
            kw_buf_append(b, s + run, i - run);
            kw_buf_puts(b, esc);
            run = i + adv;
        }
        i += adv;
    }
    kw_buf_append(b, s + run, n - run);
    kw_buf_putc(b, '"');
}

void kw_json_strn(kw_json *j, const char *s, size_t n)
{
    json_sep(j);
    kw_json_escape(j->b, s, n);
}

void kw_json_str(kw_json *j, const char *s)
{
    if (!s) {
        kw_json_null(j);
        return;
    }
    kw_json_strn(j, s, strlen(s));
}

void kw_json_int(kw_json *j, int64_t v)
{
    json_sep(j);
    kw_buf_put_int(j->b, (long long)v);
}

void kw_fmt_double(char *out, size_t n, double v)
{
    if (fabs(v) < 1e15 && v == (double)(long long)v) {
        snprintf(out, n, "%lld", (long long)v);
        return;
    }
    snprintf(out, n, "%.15g", v);
    if (strtod(out, NULL) != v)
        snprintf(out, n, "%.17g", v);
}

void kw_json_num(kw_json *j, double v)
{
    if (!isfinite(v)) {
        kw_json_null(j);
        return;
    }
    if (fabs(v) < 1e15 && v == (double)(long long)v) {
        json_sep(j);
        kw_buf_put_int(j->b, (long long)v);
        return;
    }
    char tmp[40];
    kw_fmt_double(tmp, sizeof tmp, v);
    json_sep(j);
    kw_buf_puts(j->b, tmp);
}

void kw_json_bool(kw_json *j, bool v)
{
    json_sep(j);
    kw_buf_puts(j->b, v ? "true" : "false");
}

void kw_json_null(kw_json *j)
{
    json_sep(j);
    kw_buf_puts(j->b, "null");
}

void kw_json_time(kw_json *j, int64_t unix_ms)
{
    char ts[40];
    kw_time_iso8601(unix_ms, ts, sizeof ts);
    kw_json_str(j, ts);
}

void kw_json_raw(kw_json *j, const char *json) { kw_json_raw_n(j, json, strlen(json)); }

void kw_json_raw_n(kw_json *j, const char *json, size_t n)
{
    json_sep(j);
    kw_buf_append(j->b, json, n);
}

void kw_json_kv_str(kw_json *j, const char *k, const char *v) { kw_json_key(j, k); kw_json_str(j, v); }
void kw_json_kv_str_opt(kw_json *j, const char *k, const char *v)
{
    if (v && *v)
        kw_json_kv_str(j, k, v);
}

void kw_json_kv_int(kw_json *j, const char *k, int64_t v) { kw_json_key(j, k); kw_json_int(j, v); }
void kw_json_kv_num(kw_json *j, const char *k, double v) { kw_json_key(j, k); kw_json_num(j, v); }
void kw_json_kv_bool(kw_json *j, const char *k, bool v) { kw_json_key(j, k); kw_json_bool(j, v); }
void kw_json_kv_time(kw_json *j, const char *k, int64_t ms) { kw_json_key(j, k); kw_json_time(j, ms); }

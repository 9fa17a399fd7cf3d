#include "core/kw_buf.h"
#include "core/kw_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kw_buf_init(kw_buf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max ? max : KW_BUF_DEFAULT_MAX;
}

void kw_buf_free(kw_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->overflow = false;
}

void kw_buf_reset(kw_buf *b)
{
    b->len = 0;
    b->overflow = false;
    if (b->data)
        b->data[0] = '\0';
}

static kw_rc buf_reserve(kw_buf *b, size_t n)
{
    if (n > b->max - b->len) {
        b->overflow = true;
        return KW_ERR_FULL;
    }
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
            cap *= 2;
        b->data = kw_realloc(b->data, cap);
        b->cap = cap;
    }
    return KW_OK;
}

kw_rc kw_buf_append(kw_buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != KW_OK)
        return KW_ERR_FULL;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return KW_OK;
}

kw_rc kw_buf_puts(kw_buf *b, const char *s) { return kw_buf_append(b, s, strlen(s)); }

kw_rc kw_buf_put_int(kw_buf *b, long long v)
{
    char tmp[24], *e = tmp + sizeof tmp, *p = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    return kw_buf_append(b, p, (size_t)(e - p));
}

kw_rc kw_buf_printf(kw_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return KW_ERR_PARSE;
    if ((size_t)n < sizeof small)
        return kw_buf_append(b, small, (size_t)n);
    if (buf_reserve(b, (size_t)n) != KW_OK)
        return KW_ERR_FULL;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return KW_OK;
}

const char *kw_buf_cstr(const kw_buf *b) { return b->data ? b->data : ""; }

char *kw_buf_take(kw_buf *b)
{
    char *d = b->data ? b->data : kw_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    b->overflow = false;
    return d;
}

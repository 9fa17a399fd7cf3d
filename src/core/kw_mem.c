#include "core/kw_mem.h"
#include "core/kw_log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *kw_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        fatal("out of memory allocating %zu bytes", n);
    return p;
}

void *kw_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        fatal("out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *kw_calloc_lines(size_t size)
{
    size_t n = (size ? size + 63 : 64) & ~(size_t)63;
    void *p = aligned_alloc(64, n);
    if (!p)
        fatal("out of memory allocating %zu bytes", n);
    memset(p, 0, n);
    return p;
}

void *kw_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        fatal("out of memory reallocating %zu bytes", n);
    return q;
}

void kw_grow(void *pp, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2 / sz)
            fatal("allocation size overflow");
        n *= 2;
    }
    void **p = pp;
    *p = kw_realloc(*p, n * sz);
    *cap = n;
}

void *kw_memdup(const void *p, size_t n)
{
    if (!n)
        return NULL;
    void *d = kw_malloc(n);
    memcpy(d, p, n);
    return d;
}

char *kw_strdup(const char *s)
{
    size_t n = strlen(s);
    char *d = kw_malloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

char *kw_strndup(const char *s, size_t n)
{
    char *d = kw_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *kw_strdup_opt(const char *s) { return s ? kw_strdup(s) : NULL; }

size_t kw_strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (n) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return len;
}

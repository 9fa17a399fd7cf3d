/* Line splitting with a ceiling on line length. */
#include "logs/logs.h"

#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

void log_lines_init(log_lines *l, size_t max_line)
{
    memset(l, 0, sizeof *l);
    l->max = max_line ? max_line : 65536;
}

void log_lines_free(log_lines *l)
{
    free(l->buf);
    memset(l, 0, sizeof *l);
}

/* Appends to the carried partial line, cutting it at max. */
static void carry(log_lines *l, const char *p, size_t n, log_line_fn fn, void *arg)
{
    if (l->skipping)
        return;
    size_t room = l->max - l->len;
    if (n > room) {
        /* the line is too long: pass on its first max bytes, drop the rest up to '\n' */
        if (l->cap < l->max)
            kw_grow(&l->buf, &l->cap, l->max, 1);
        memcpy(l->buf + l->len, p, room);
        l->len = l->max;
        l->truncated++;
        l->lines++;
        fn(arg, l->buf, l->len);
        l->len = 0;
        l->skipping = true;
        return;
    }
    if (l->len + n > l->cap)
        kw_grow(&l->buf, &l->cap, l->len + n, 1);
    memcpy(l->buf + l->len, p, n);
    l->len += n;
}

void log_lines_feed(log_lines *l, const char *p, size_t n, log_line_fn fn, void *arg)
{
    const char *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            carry(l, p, (size_t)(end - p), fn, arg);
            return;
        }
        size_t len = (size_t)(nl - p);
        if (l->skipping) {
            l->skipping = false;
        } else if (l->len) {
            carry(l, p, len, fn, arg);
            if (!l->skipping) {
                l->lines++;
                fn(arg, l->buf, l->len);
            }
            l->len = 0;
            l->skipping = false;
        } else if (len > l->max) {
            l->truncated++;
            l->lines++;
            fn(arg, p, l->max);
        } else {
            l->lines++;
            fn(arg, p, len); /* the common case: straight from the caller's buffer */
        }
        p = nl + 1;
    }
}

void log_lines_flush(log_lines *l, log_line_fn fn, void *arg)
{
    if (l->len && !l->skipping) {
        l->lines++;
        fn(arg, l->buf, l->len);
    }
    l->len = 0;
    l->skipping = false;
}

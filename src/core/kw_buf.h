/* A growable byte buffer with a hard ceiling: appends past the ceiling are refused and
 * remembered in `overflow`, so a hostile input can never grow it without bound. */
#ifndef KW_BUF_H
#define KW_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kw_err.h"

typedef struct kw_buf {
    char *data;   /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max;   /* ceiling on len */
    bool overflow;
} kw_buf;

#define KW_BUF_DEFAULT_MAX ((size_t)256 << 20)

void kw_buf_init(kw_buf *b, size_t max);
void kw_buf_free(kw_buf *b);
void kw_buf_reset(kw_buf *b);
kw_rc kw_buf_append(kw_buf *b, const void *p, size_t n);
kw_rc kw_buf_puts(kw_buf *b, const char *s);
/* One byte: inline, for the JSON writer's punctuation. */
static inline kw_rc kw_buf_putc(kw_buf *b, char c)
{
    if (b->len + 1 < b->cap && b->len < b->max) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return KW_OK;
    }
    return kw_buf_append(b, &c, 1);
}
/* Decimal digits of v, without printf. */
kw_rc kw_buf_put_int(kw_buf *b, long long v);
kw_rc kw_buf_printf(kw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Always a valid C string ("" when empty). */
const char *kw_buf_cstr(const kw_buf *b);
/* Hands the data to the caller (who frees it) and empties the buffer. */
char *kw_buf_take(kw_buf *b);

#endif

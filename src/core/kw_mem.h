/* Allocation that cannot fail: on exhaustion the process logs and exits (as Redis does).
 * Input from outside is bounded before it is allocated for, so exhaustion means a bug
 * or a machine in trouble, not an attacker's success. */
#ifndef KW_MEM_H
#define KW_MEM_H

#include <stddef.h>

void *kw_malloc(size_t n);
void *kw_calloc(size_t count, size_t size);
/* Zeroed memory that starts a cache line and fills whole ones, so what two threads write
 * in it shares no line with another allocation (free() frees it). */
void *kw_calloc_lines(size_t size);
void *kw_realloc(void *p, size_t n);
/* Grows *p (holding *cap elements of size sz) to hold at least need elements. */
void kw_grow(void *pp, size_t *cap, size_t need, size_t sz);
/* A copy of n bytes at p; NULL when n is 0. */
void *kw_memdup(const void *p, size_t n);
char *kw_strdup(const char *s);
char *kw_strndup(const char *s, size_t n);
/* strdup that maps NULL to NULL. */
char *kw_strdup_opt(const char *s);
/* Copies src into dst[n], always NUL-terminated; returns the length src has. */
size_t kw_strlcpy(char *dst, const char *src, size_t n);

#endif

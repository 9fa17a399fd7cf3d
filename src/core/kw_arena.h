/* A bump allocator for many small strings that die together (one metric set, one event).
 * Pointers stay valid until kw_arena_free or kw_arena_reset. */
#ifndef KW_ARENA_H
#define KW_ARENA_H

#include <stddef.h>

typedef struct kw_arena_block kw_arena_block;
typedef struct kw_arena {
    kw_arena_block *head;
} kw_arena;

void *kw_arena_alloc(kw_arena *a, size_t n);
char *kw_arena_strdup(kw_arena *a, const char *s);
void kw_arena_reset(kw_arena *a); /* keeps the first block */
void kw_arena_free(kw_arena *a);

#endif

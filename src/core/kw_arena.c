#include "core/kw_arena.h"
#include "core/kw_mem.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 4096

struct kw_arena_block {
    kw_arena_block *next;
    size_t used, cap;
    _Alignas(16) char data[];
};

void *kw_arena_alloc(kw_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    kw_arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = kw_malloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *kw_arena_strdup(kw_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = kw_arena_alloc(a, n);
    memcpy(d, s, n);
    return d;
}

void kw_arena_reset(kw_arena *a)
{
    kw_arena_block *b = a->head;
    if (!b)
        return;
    /* keep the oldest block (the last in the list), free the rest */
    while (b->next) {
        kw_arena_block *n = b->next;
        free(b);
        b = n;
    }
    b->used = 0;
    a->head = b;
}

void kw_arena_free(kw_arena *a)
{
    kw_arena_block *b = a->head;
    while (b) {
        kw_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
}

/* A string-keyed hash map (open addressing, linear probing, FNV-1a). Keys are copied;
 * values are the caller's. */
#ifndef KW_MAP_H
#define KW_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct kw_map_slot {
    char *key;      /* NULL: empty; KW_MAP_TOMB: deleted */
    uint64_t hash;
    void *val;
} kw_map_slot;

typedef struct kw_map {
    kw_map_slot *slots;
    size_t cap;     /* a power of two */
    size_t n;       /* live entries */
    size_t used;    /* live + tombstones */
} kw_map;

uint64_t kw_hash64(const void *p, size_t n);
void kw_map_init(kw_map *m);
/* Frees the keys; values are not touched. */
void kw_map_free(kw_map *m);
void *kw_map_get(const kw_map *m, const char *key);
/* Sets key to val; returns the previous value or NULL. */
void *kw_map_put(kw_map *m, const char *key, void *val);
/* Removes key; returns its value or NULL. */
void *kw_map_del(kw_map *m, const char *key);
/* Iteration: for (size_t i = 0; kw_map_next(m, &i, &k, &v);) */
int kw_map_next(const kw_map *m, size_t *iter, const char **key, void **val);

#endif

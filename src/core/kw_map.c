#include "core/kw_map.h"
#include "core/kw_mem.h"

#include <stdlib.h>
#include <string.h>

static char kw_map_tomb_mark;
#define KW_MAP_TOMB (&kw_map_tomb_mark)

uint64_t kw_hash64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    return h;
}

void kw_map_init(kw_map *m) { memset(m, 0, sizeof *m); }

void kw_map_free(kw_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != KW_MAP_TOMB)
            free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static kw_map_slot *map_find(const kw_map *m, const char *key, uint64_t h)
{
    if (!m->cap)
        return NULL;
    for (size_t i = h & (m->cap - 1), probes = 0; probes < m->cap; i = (i + 1) & (m->cap - 1), probes++) {
        kw_map_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->key != KW_MAP_TOMB && s->hash == h && strcmp(s->key, key) == 0)
            return s;
    }
    return NULL;
}

static void map_resize(kw_map *m, size_t cap)
{
    kw_map_slot *old = m->slots;
    size_t ocap = m->cap;
    m->slots = kw_calloc(cap, sizeof *m->slots);
    m->cap = cap;
    m->used = m->n;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].key || old[i].key == KW_MAP_TOMB)
            continue;
        size_t j = old[i].hash & (cap - 1);
        while (m->slots[j].key)
            j = (j + 1) & (cap - 1);
        m->slots[j] = old[i];
    }
    free(old);
}

void *kw_map_get(const kw_map *m, const char *key)
{
    kw_map_slot *s = map_find(m, key, kw_hash64(key, strlen(key)));
    return s ? s->val : NULL;
}

void *kw_map_put(kw_map *m, const char *key, void *val)
{
    uint64_t h = kw_hash64(key, strlen(key));
    kw_map_slot *s = map_find(m, key, h);
    if (s) {
        void *old = s->val;
        s->val = val;
        return old;
    }
    if ((m->used + 1) * 4 >= m->cap * 3)
        map_resize(m, m->cap ? (m->n * 2 >= m->cap ? m->cap * 2 : m->cap) : 16);
    size_t i = h & (m->cap - 1);
    while (m->slots[i].key && m->slots[i].key != KW_MAP_TOMB)
        i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].key)
        m->used++;
    m->slots[i].key = kw_strdup(key);
    m->slots[i].hash = h;
    m->slots[i].val = val;
    m->n++;
    return NULL;
}

void *kw_map_del(kw_map *m, const char *key)
{
    kw_map_slot *s = map_find(m, key, kw_hash64(key, strlen(key)));
    if (!s)
        return NULL;
    void *v = s->val;
    free(s->key);
    s->key = KW_MAP_TOMB;
    s->val = NULL;
    m->n--;
    return v;
}

int kw_map_next(const kw_map *m, size_t *iter, const char **key, void **val)
{
    while (*iter < m->cap) {
        kw_map_slot *s = &m->slots[(*iter)++];
        if (s->key && s->key != KW_MAP_TOMB) {
            if (key)
                *key = s->key;
            if (val)
                *val = s->val;
            return 1;
        }
    }
    return 0;
}

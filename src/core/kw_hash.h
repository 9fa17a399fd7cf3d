/* Hashing helpers for the fixed tables of the sensors: a 64-bit finaliser that spreads every
 * input bit over the output (MurmurHash3's fmix64 constants), and FNV-1a for strings. */
#ifndef KW_HASH_H
#define KW_HASH_H

#include <stdint.h>

static inline uint64_t kw_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static inline uint64_t kw_hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    return h;
}

#endif

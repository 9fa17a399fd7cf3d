/* A streaming JSON writer into a kw_buf. It places commas and colons itself; strings are
 * escaped and invalid UTF-8 is replaced with U+FFFD, so any input bytes give valid JSON. */
#ifndef KW_JSON_H
#define KW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_buf.h"

#define KW_JSON_MAX_DEPTH 63

typedef struct kw_json {
    kw_buf *b;
    int depth;
    uint64_t has_items; /* bit d: the container at depth d already holds an item */
    bool after_key;
} kw_json;

void kw_json_init(kw_json *j, kw_buf *b);
void kw_json_obj_begin(kw_json *j);
void kw_json_obj_end(kw_json *j);
void kw_json_arr_begin(kw_json *j);
void kw_json_arr_end(kw_json *j);
void kw_json_key(kw_json *j, const char *key);
void kw_json_keyn(kw_json *j, const char *key, size_t n);
void kw_json_str(kw_json *j, const char *s); /* NULL writes null */
void kw_json_strn(kw_json *j, const char *s, size_t n);
void kw_json_int(kw_json *j, int64_t v);
void kw_json_num(kw_json *j, double v);      /* NaN and infinities write null */
void kw_json_bool(kw_json *j, bool v);
void kw_json_null(kw_json *j);
void kw_json_time(kw_json *j, int64_t unix_ms); /* ISO 8601 UTC, millisecond precision */
/* Writes already-serialised JSON as a value; the caller vouches for its validity. */
void kw_json_raw(kw_json *j, const char *json);
void kw_json_raw_n(kw_json *j, const char *json, size_t n);

void kw_json_kv_str(kw_json *j, const char *k, const char *v);
/* The member only when v is a non-empty string (ECS documents leave absent fields out). */
void kw_json_kv_str_opt(kw_json *j, const char *k, const char *v);
void kw_json_kv_int(kw_json *j, const char *k, int64_t v);
void kw_json_kv_num(kw_json *j, const char *k, double v);
void kw_json_kv_bool(kw_json *j, const char *k, bool v);
void kw_json_kv_time(kw_json *j, const char *k, int64_t unix_ms);

/* Appends s[0..n) as a quoted JSON string. */
void kw_json_escape(kw_buf *b, const char *s, size_t n);
/* s (NUL-terminated) with each byte that is not part of valid UTF-8 replaced by U+FFFD, as
 * kw_json_escape does (for a store that holds UTF-8 text only): NULL when s is NULL or valid
 * already, else a copy the caller frees. */
char *kw_utf8_fix(const char *s);
/* Formats a double as the shortest of %.15g / %.17g that reads back exactly. */
void kw_fmt_double(char *out, size_t n, double v);

#endif

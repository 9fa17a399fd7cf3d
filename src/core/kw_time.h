/* Clocks, durations ("1m30s") and sizes ("100MB"), and ISO 8601 timestamps. */
#ifndef KW_TIME_H
#define KW_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"

int64_t kw_now_ms(void);   /* wall clock, Unix milliseconds */
int64_t kw_mono_ms(void);  /* monotonic milliseconds, for intervals and deadlines */

/* Parses "500ms", "5s", "1m30s", "2h", "7d", "1w"; "0" alone means zero. On error writes a
 * human reason into err[errn]. */
kw_rc kw_duration_parse(const char *s, int64_t *ms, char *err, size_t errn);
/* Writes the shortest exact form: 90000 -> "1m30s", 0 -> "0s". */
void kw_duration_format(int64_t ms, char *out, size_t n);
/* Parses "512", "64KB", "100MB", "1GiB" (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024). */
kw_rc kw_size_parse(const char *s, uint64_t *bytes, char *err, size_t errn);
void kw_size_format(uint64_t bytes, char *out, size_t n);
/* "2026-11-24T04:23:54.123Z" */
void kw_time_iso8601(int64_t unix_ms, char *out, size_t n);

#endif

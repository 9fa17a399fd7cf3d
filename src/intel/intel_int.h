/* Helpers shared by the intel files (not part of the subsystem's API). */
#ifndef INTEL_INT_H
#define INTEL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "intel/intel.h"

/* Lower-cases `s` into out[INTEL_MAX_DOMAIN + 1] (NUL-terminated), dropping one trailing
 * dot; checks each label (1 to 63 of [a-z0-9_-]) and the length. Returns false when it is
 * not a DNS name. */
bool intel_domain_norm(const char *s, size_t len, char *out, size_t *outlen);

/* What a column or a STIX object says the value is. */
enum { INTEL_HINT_ANY, INTEL_HINT_IP, INTEL_HINT_DOMAIN, INTEL_HINT_URL };

/* Whether s[n] starts with a URL scheme ("http://", "hxxp://"...), intel_entries.c. */
bool intel_has_scheme(const char *s, size_t n);
/* Adds one indicator written as text (see intel_entries_add_text); `hint` INTEL_HINT_URL
 * takes the host of a URL, INTEL_HINT_IP refuses names. KW_ERR_PARSE / KW_ERR_FULL with the
 * reason in why[whyn]. */
kw_rc intel_value_add(intel_entries *e, const char *s, size_t n, int hint, char *why, size_t whyn);
/* Counts a skipped line or object and remembers the first INTEL_MAX_SKIPS. */
void intel_skip_note(intel_report *rep, size_t line, const char *reason, const char *text, size_t len);
/* The next line of data from *pos (without CR, LF, or a leading BOM); false at the end. */
bool intel_next_line(const char *data, size_t len, size_t *pos, const char **line, size_t *n);

/* intel_csv.c: true if the line is a CSV header naming an indicator column. */
bool intel_csv_is_header(const char *line, size_t n);
void intel_parse_csv(const char *data, size_t len, intel_entries *out, intel_report *rep);
/* intel_stix.c */
void intel_parse_stix(const char *data, size_t len, int64_t now_ms, intel_entries *out, intel_report *rep);

#endif

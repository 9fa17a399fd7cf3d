/* CVSS vector strings and their scores, as FIRST's specifications define them: v2.0, v3.0,
 * v3.1 and v4.0. A strict parser (every metric known, none twice, every base metric present,
 * every value allowed, order where the version demands it, nothing after the last metric) and
 * the scoring equations: 2.0 and 3.x base, temporal and environmental; 4.0 by macrovectors,
 * the published table of their scores (findings_cvss4_table.c) and the severity-distance
 * interpolation of the specification and FIRST's reference calculator. No I/O, no allocation.
 *
 * Severity from a score is finding_sev_of_score() (findings/finding.h). */
#ifndef KW_FINDINGS_CVSS_H
#define KW_FINDINGS_CVSS_H

#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"

typedef enum cvss_version {
    CVSS_V2 = 20,  /* "AV:N/AC:L/Au:N/C:P/I:P/A:P", optionally "(...)"-wrapped */
    CVSS_V30 = 30, /* "CVSS:3.0/..." */
    CVSS_V31 = 31, /* "CVSS:3.1/..." */
    CVSS_V40 = 40, /* "CVSS:4.0/..." */
} cvss_version;

/* Longest vector accepted (a 4.0 vector with every metric written is about 200 bytes). */
#define CVSS_VECTOR_MAX 512
/* Most metrics any version has (4.0: 11 base, 1 threat, 14 environmental, 6 supplemental). */
#define CVSS_METRICS_MAX 32

/* A parsed vector: for each metric of its version (in the specification's table order), the
 * 1-based index of its value in findings_cvss.c's table for that version, 0 when absent.
 * Absent and "X"/"ND" (not defined) score the same. */
typedef struct cvss_vector {
    cvss_version version;
    uint8_t val[CVSS_METRICS_MAX];
} cvss_vector;

/* Parses the n bytes at s (no NUL needed) into *out. KW_ERR_PARSE when the text is not a
 * valid vector of a known version; err (errn bytes, may be NULL) then says which part is at
 * fault. Nothing is retained. */
kw_rc cvss_parse_len(const char *s, size_t n, cvss_vector *out, char *err, size_t errn);

/* cvss_parse_len over a NUL-terminated string (at most CVSS_VECTOR_MAX bytes are looked at). */
kw_rc cvss_parse(const char *s, cvss_vector *out, char *err, size_t errn);

/* "2.0", "3.0", "3.1", "4.0"; a static string. */
const char *cvss_version_str(cvss_version v);

/* The Base score, 0.0-10.0 with one decimal. For 4.0 the CVSS-B score: threat and
 * environmental metrics are ignored (read as Not Defined). */
double cvss_base_score(const cvss_vector *v);

/* The Temporal score of 2.0 and 3.x (the base score when no temporal metric is given); for
 * 4.0 the CVSS-BT score (environmental metrics ignored). */
double cvss_temporal_score(const cvss_vector *v);

/* The Environmental score of 2.0 and 3.x (computed with whatever temporal and environmental
 * metrics the vector has, Not Defined for the others); for 4.0 the score with every metric
 * the vector gives (CVSS-B, -BT, -BE or -BTE as cvss_v4_nomenclature says). */
double cvss_env_score(const cvss_vector *v);

/* The score a finding carries for this vector: the Base score of 2.0 and 3.x, and for 4.0 the
 * score with the threat and environmental metrics it gives (the specification's CVSS-BT/-BTE
 * scores; CVSS-B when it gives none). */
double cvss_vector_score(const cvss_vector *v);

/* 4.0's name for the score of cvss_env_score: "CVSS-B", "CVSS-BT", "CVSS-BE" or "CVSS-BTE"
 * (a static string); "CVSS-B" for the other versions too. */
const char *cvss_v4_nomenclature(const cvss_vector *v);

/* For callers who have only a string: parses vector and writes cvss_vector_score to *score
 * and the version ("3.1") to version (versionn bytes; may be NULL). Errors as cvss_parse. */
kw_rc cvss_score(const char *vector, double *score, char *version, size_t versionn, char *err,
                 size_t errn);

/* 4.0's published score of a macrovector (EQ1..EQ6 levels), in tenths (0..100); -1 for a
 * combination the table has not (EQ3 2 with EQ6 0, or a level out of range). From
 * findings_cvss4_table.c. */
int cvss4_macro_tenths(int eq1, int eq2, int eq3, int eq4, int eq5, int eq6);

#endif

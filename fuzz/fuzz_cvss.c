/* libFuzzer target for src/findings/findings_cvss: any input is parsed as a CVSS vector (as a
 * length-bounded slice and, cut at its first NUL, as a C string); every score of a vector
 * that parses must lie in 0.0..10.0 with one decimal, and a rejected input must leave an
 * error message and an empty vector. */
#include "findings/findings_cvss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check_score(double s)
{
    if (!(s >= 0.0 && s <= 10.0))
        abort();
    double tenths = s * 10.0;
    if (fabs(tenths - round(tenths)) > 1e-9)
        abort();
}

static void check_vector(const cvss_vector *v)
{
    check_score(cvss_base_score(v));
    check_score(cvss_temporal_score(v));
    check_score(cvss_env_score(v));
    check_score(cvss_vector_score(v));
    if (!cvss_v4_nomenclature(v) || !cvss_version_str(v->version))
        abort();
}

static void check_one(const char *s, size_t n)
{
    cvss_vector v;
    char err[128];
    kw_rc rc = cvss_parse_len(s, n, &v, err, sizeof err);
    if (rc == KW_OK) {
        check_vector(&v);
        return;
    }
    if (rc != KW_ERR_PARSE || err[0] == '\0' || strlen(err) >= sizeof err || v.val[0] != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    check_one((const char *)data, size);
    char buf[4097];
    memcpy(buf, data, size);
    buf[size] = '\0';
    double score = -1;
    char version[8], err[64];
    if (cvss_score(buf, &score, version, sizeof version, err, sizeof err) == KW_OK)
        check_score(score);
    return 0;
}

/* libFuzzer target: what findings read from outside besides the reports (which have targets of
 * their own): a known-exploited catalogue (CISA's JSON or CSV), and a reported finding's URL,
 * file, statement and package turned into its place and fingerprint. The first byte chooses;
 * the rest is the input. */
#include "findings/findings.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] & 1) {
        findings_kev *k = NULL;
        char err[256];
        findings_kev_load(&k, in, n, err, sizeof err);
        findings_kev_has(k, "CVE-2021-44228");
        findings_kev_free(k);
        return 0;
    }
    char *s = malloc(n + 1);
    memcpy(s, in, n);
    s[n] = '\0';
    char *parts[4] = {s, "", "", ""}; /* url, parameter, file, text: split at NUL bytes of the input */
    size_t at = strlen(s) + 1;
    for (int i = 1; i < 4 && at <= n; i++) {
        parts[i] = s + at;
        at += strlen(s + at) + 1;
    }
    finding f = {.vuln_id = "KW-FUZZ", .title = "t", .url = parts[0], .parameter = parts[1], .file_path = parts[2],
                 .text = parts[3], .package = parts[1], .port = data[0], .ip = parts[3], .host = parts[2]};
    kw_buf place;
    kw_buf_init(&place, FINDING_TEXT_MAX);
    findings_place(&f, &place);
    char asset[256], fp[65];
    findings_asset_key(&f, NULL, asset, sizeof asset);
    findings_fingerprint(asset, f.vuln_id, place.data ? place.data : "", fp);
    kw_buf_free(&place);
    free(s);
    return 0;
}

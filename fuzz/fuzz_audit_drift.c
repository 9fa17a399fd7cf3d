/* libFuzzer target: two audit snapshots (as the store holds them; a damaged or forged row is
 * possible) normalised and compared; the input is split at its first NUL. */
#include "audit/audit_drift.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t na = nul ? (size_t)(nul - data) : size / 2;
    kw_buf a, b, out;
    kw_buf_init(&a, 1 << 20);
    kw_buf_init(&b, 1 << 20);
    kw_buf_init(&out, 1 << 20);
    kw_buf_append(&a, data, na);
    size_t off = nul ? na + 1 : na;
    kw_buf_append(&b, data + off, size - off);
    kw_buf_append(&a, "", 0);
    kw_buf_append(&b, "", 0);
    audit_drift_normalise(&a);
    audit_drift d;
    size_t n = audit_drift_diff(a.data, b.data, &out, 20, &d);
    if (audit_drift_diff(b.data, b.data, &out, 20, NULL) != 0) /* a snapshot equals itself */
        abort();
    (void)n;
    kw_buf_free(&a);
    kw_buf_free(&b);
    kw_buf_free(&out);
    return 0;
}

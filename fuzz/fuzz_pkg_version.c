/* libFuzzer target for src/scan/scan_version.c: the input split at its first NUL byte (or in
 * half) into two versions, checked and compared by each kind; the order must be antisymmetric
 * and a version must equal itself. */
#include "scan/scan_version.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int sgn(int x) { return x < 0 ? -1 : x > 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t an = nul ? (size_t)(nul - s) : size / 2;
    const char *b = s + an + (nul ? 1 : 0);
    size_t bn = size - an - (nul ? 1 : 0);
    char why[96];
    for (int k = SCAN_V_DEB; k <= SCAN_V_APK; k++) {
        scan_version_check((scan_vkind)k, s, an, why, sizeof why);
        int x = sgn(scan_version_cmp((scan_vkind)k, s, an, b, bn));
        int y = sgn(scan_version_cmp((scan_vkind)k, b, bn, s, an));
        if (x != -y || scan_version_cmp((scan_vkind)k, s, an, s, an) != 0)
            abort();
    }
    scan_version_rpmvercmp(s, an, b, bn);
    return 0;
}

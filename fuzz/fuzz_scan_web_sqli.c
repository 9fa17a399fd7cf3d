/* libFuzzer target: the SQL injection check's answer comparison and error matcher on hostile
 * pages. The input is split at its first NUL into two answers; the word difference is
 * symmetric, zero against itself, and a match points inside the body. */
#include "scan/scan_web_sqli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *a = (const char *)data, *nul = memchr(a, '\0', size);
    size_t alen = nul ? (size_t)(nul - a) : size;
    const char *b = nul ? nul + 1 : "";
    size_t blen = nul ? size - alen - 1 : 0;
    const char *strip[] = {"' AND '5'='5", "&", "'"};
    size_t ab = web_sqli_diff(a, alen, b, blen, strip, 3), ba = web_sqli_diff(b, blen, a, alen, strip, 3);
    if (ab != ba || web_sqli_diff(a, alen, a, alen, strip, 3) != 0)
        abort();
    web_sqli_body base = {b, blen};
    size_t at = 0;
    const web_sqli_sig *s = web_sqli_error_match(a, alen, &base, 1, &at);
    if (s && (at >= alen || !s->dbms || !s->text))
        abort();
    return 0;
}

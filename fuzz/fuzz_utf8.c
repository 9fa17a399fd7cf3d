/* libFuzzer target: kw_utf8_fix, which makes text from outside storable on PostgreSQL: its
 * output is valid UTF-8 (fixing it again changes nothing), valid input is left alone, and
 * only invalid bytes are replaced (each by U+FFFD's three bytes). */
#include "core/kw_json.h"
#include "core/kw_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = kw_strndup((const char *)data, size);
    size_t n = strlen(s);
    char *f = kw_utf8_fix(s);
    if (f) {
        size_t m = strlen(f);
        char *again = kw_utf8_fix(f);
        if (again || m < n || m > 3 * n)
            abort();
    }
    free(f);
    free(s);
    return 0;
}

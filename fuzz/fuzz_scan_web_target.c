/* libFuzzer target: request shapes from hostile text. The input's first line is a seed
 * ("METHOD URL [BODY]", as the command line and scan.web.jobs give them, and as a recheck reads
 * a stored finding's evidence back), the rest a payload; every parameter is built with it
 * replaced and appended. A built request must stay within WEB_URL_MAX, its body length must be
 * what it says, and a shape's key must not depend on its parameters' order. */
#include "scan/scan_web_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    char *nl = strchr(s, '\n');
    const char *payload = nl ? nl + 1 : "'\"<kw>";
    if (nl)
        *nl = 0;
    web_target t;
    char err[200];
    if (web_target_from_seed(s, &t, err, sizeof err) == KW_OK) {
        for (size_t i = 0; i <= t.nparams; i++) {
            size_t k = i == t.nparams ? (size_t)-1 : i;
            for (int m = 0; m < 2; m++) {
                web_built b;
                if (web_target_build(&t, k, payload, m ? WEB_MUT_APPEND : WEB_MUT_REPLACE, &b) != KW_OK)
                    continue;
                if (strlen(b.rq.url) >= WEB_URL_MAX || (b.rq.body && strlen(b.rq.body) != b.rq.body_len))
                    abort();
                web_built_free(&b);
            }
        }
        char *key = web_target_key(&t);
        if (t.nparams > 1) { /* the same shape with its parameters reversed: the same key */
            for (size_t i = 0; i < t.nparams / 2; i++) {
                web_param p = t.params[i];
                t.params[i] = t.params[t.nparams - 1 - i];
                t.params[t.nparams - 1 - i] = p;
            }
            char *again = web_target_key(&t);
            if (strcmp(key, again) != 0)
                abort();
            free(again);
        }
        free(key);
        (void)web_is_logout(s);
    }
    web_target_free(&t);
    free(s);
    return 0;
}

/* libFuzzer target: the configuration loader on arbitrary bytes. */
#include "conf/conf.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("fuzz.yaml", (const char *)data, size, &c, &errs) == KW_OK) {
        char *s = conf_show(c);
        free(s);
        conf_free(c);
    }
    conf_errors_free(&errs);
    return 0;
}

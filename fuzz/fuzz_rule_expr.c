/* libFuzzer target: rule condition expressions. */
#include "alert/alert_expr.h"
#include "core/kw_mem.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = kw_strndup((const char *)data, size);
    rule_expr *e = NULL;
    char err[256];
    size_t pos = 0;
    if (rule_expr_parse(s, &e, err, sizeof err, &pos) == KW_OK)
        rule_expr_free(e);
    else if (pos > size)
        abort(); /* the error position must point into the input */
    free(s);
    return 0;
}

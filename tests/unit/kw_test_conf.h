/* A configuration for a unit test from YAML text (over the built-in defaults), its errors
 * printed when it is refused. */
#ifndef KW_TEST_CONF_H
#define KW_TEST_CONF_H

#include <stdio.h>
#include <string.h>

#include "conf/conf.h"

/* The configuration (the caller frees with conf_free), or NULL with the errors printed. */
static inline conf *kwt_conf(const char *yaml)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs) != KW_OK)
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    return c;
}

#endif

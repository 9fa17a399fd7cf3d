/* Looking up the console's embedded files. */
#include "http/http_console.h"

#include <string.h>

const kw_asset *http_console_find(const char *path)
{
    for (size_t i = 0; i < kw_nassets; i++)
        if (strcmp(kw_assets[i].path, path) == 0)
            return &kw_assets[i];
    return NULL;
}

/* The console's files, embedded at build time (tools/kw_embed writes the table). */
#ifndef HTTP_CONSOLE_H
#define HTTP_CONSOLE_H

#include <stddef.h>

typedef struct kw_asset {
    const char *path;          /* "/index.html", "/assets/index-abc123.js" */
    const char *type;          /* Content-Type */
    const unsigned char *data; /* as built */
    size_t len;
    const unsigned char *gz;   /* the same, gzip */
    size_t gzlen;
} kw_asset;

extern const kw_asset kw_assets[];
extern const size_t kw_nassets;

/* The asset at path, or NULL. */
const kw_asset *http_console_find(const char *path);

#endif

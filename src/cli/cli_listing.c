/* What the commands share: listings (a table under a header line, or a JSON array with
 * --json) and the times people type. */
#include "cli/cli.h"
#include "core/kw_time.h"
#include "logs/logs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Appends s padded to `width` terminal columns: CJK characters (3- and 4-byte UTF-8) take two. */
void cli_put_col(kw_buf *b, const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80)
            cols += *p >= 0xe0 ? 2 : 1;
    kw_buf_printf(b, "%s%*s ", s, width > cols ? width - cols : 0, "");
}

void cli_listing_begin(cli_listing *l, bool json, const char *header_fmt, ...)
{
    kw_buf_init(&l->b, 0);
    kw_json_init(&l->j, &l->b);
    l->json = json;
    if (json) {
        kw_json_arr_begin(&l->j);
        return;
    }
    char h[256];
    va_list ap;
    va_start(ap, header_fmt);
    vsnprintf(h, sizeof h, header_fmt, ap);
    va_end(ap);
    kw_buf_puts(&l->b, h);
}

/* Prints the listing (`empty` when a table has no rows) and frees it. */
void cli_listing_end(cli_listing *l, size_t rows, const char *empty)
{
    if (l->json) {
        kw_json_arr_end(&l->j);
        kw_buf_putc(&l->b, '\n');
    } else if (!rows && empty) {
        kw_buf_puts(&l->b, empty);
    }
    fputs(kw_buf_cstr(&l->b), stdout);
    kw_buf_free(&l->b);
}


bool cli_parse_time(const char *s, int64_t *ms)
{
    if (!strcmp(s, "now")) {
        *ms = kw_now_ms();
        return true;
    }
    char buf[64];
    size_t n = strlen(s);
    snprintf(buf, sizeof buf, n == 10 ? "%sT00:00:00" : n == 16 ? "%s:00" : "%s", s);
    log_parse_opts o = {.tz_offset_min = LOG_TZ_LOCAL};
    return log_parse_iso(buf, strlen(buf), &o, ms) == strlen(buf);
}

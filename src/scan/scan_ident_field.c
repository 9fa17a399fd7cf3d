/* The one helper every answer parser uses: a field of a scan_service set from answer bytes,
 * printable and bounded (scan_ident_parse.h). No I/O. */
#include "scan/scan_ident_parse.h"

#include <string.h>

void scan_field_set(char *field, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    if (!cap)
        return;
    for (size_t i = 0; i < n && s[i] && o + 1 < cap; i++)
        field[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    field[o] = 0;
}

/* libFuzzer target: the zoneinfo footer parser (console.timezone) on arbitrary bytes. */
#include "conf/conf.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char abbr[16];
    int32_t east = 0;
    if (conf_tz_footer_parse((const char *)data, size, abbr, sizeof abbr, &east)) {
        if (strlen(abbr) >= sizeof abbr || east < -24 * 60 - 59 || east > 24 * 60 + 59)
            __builtin_trap();
    }
    return 0;
}

/* IPv4 and IPv6 addresses and prefixes as the sensors, log rules and notification matchers
 * use them: parsing "a.b.c.d[/n]" and IPv6 prefixes, testing membership, printing. No I/O. */
#include "core/kw_addr.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses "a.b.c.d[/n]" or an IPv6 prefix; false if it is not one. */
bool kw_prefix_parse(const char *s, kw_addr *a, int *bits)
{
    char buf[64];
    kw_strlcpy(buf, s, sizeof buf);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(a, 0, sizeof *a);
    a->v6 = strchr(buf, ':') != NULL;
    if (inet_pton(a->v6 ? AF_INET6 : AF_INET, buf, a->b) != 1)
        return false;
    int max = a->v6 ? 128 : 32;
    *bits = max;
    if (slash) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || b < 0 || b > max)
            return false;
        *bits = (int)b;
    }
    return true;
}

bool kw_addr_in(const kw_addr *a, const kw_addr *prefix, int bits)
{
    if (a->v6 != prefix->v6)
        return false;
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a->b, prefix->b, (size_t)full) != 0)
        return false;
    return !rest || ((a->b[full] ^ prefix->b[full]) & (0xff << (8 - rest))) == 0;
}

void kw_addr_str(const kw_addr *a, char *out, size_t n)
{
    if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->b, out, (socklen_t)n))
        snprintf(out, n, "?");
}

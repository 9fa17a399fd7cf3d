/* IP addresses and prefixes (kw_addr.c): one type for the network sensor, the log rules and
 * the notification matchers, so none of them borrows another subsystem's helpers. */
#ifndef KW_ADDR_H
#define KW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kw_addr {
    uint8_t b[16];   /* IPv4 in the first 4 bytes */
    uint8_t v6;      /* 0: IPv4, 1: IPv6 */
} kw_addr;

/* "192.0.2.0/24", "2001:db8::/32" or a single address (a host prefix: *bits 32 or 128) into
 * a and *bits; false if s is not one (a and *bits are then unspecified). */
bool kw_prefix_parse(const char *s, kw_addr *a, int *bits);
/* Whether a lies in prefix/bits (never across address families). */
bool kw_addr_in(const kw_addr *a, const kw_addr *prefix, int bits);
/* The address as text into out (of n bytes; "?" when it does not fit). */
void kw_addr_str(const kw_addr *a, char *out, size_t n);

#endif

/* libFuzzer target: Cisco IOS and ASA configurations (audit_acl_cisco.c, _asa.c,
 * _text.c). Any input parses (nothing is fatal), every rule's dimensions stay
 * sorted and disjoint, lines stay inside the input, and sniffing stays in 0-100. */
#include "audit/audit_acl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_audit_acl_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_acl_vendor((const char *)data, size, "cisco-ios");
    fuzz_acl_vendor((const char *)data, size, "cisco-asa");
    return 0;
}

/* libFuzzer target: Huawei VRP/USG and H3C Comware configurations (audit_acl_huawei.c,
 * _h3c.c, _vrp.c, _text.c). Any input parses (nothing is fatal), every rule's dimensions stay
 * sorted and disjoint, lines stay inside the input, and sniffing stays in 0-100. */
#include "audit/audit_acl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_audit_acl_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_acl_vendor((const char *)data, size, "huawei");
    fuzz_acl_vendor((const char *)data, size, "h3c");
    return 0;
}

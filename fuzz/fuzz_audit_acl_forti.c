/* libFuzzer target: the forti parser (audit_acl_forti.c) and its sniff on arbitrary bytes. */
#include "audit/audit_acl_int.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    acl_config *c = acl_config_new("forti");
    (void)acl_forti_sniff((const char *)data, size);
    (void)acl_forti_parse(c, (const char *)data, size, err, sizeof err);
    acl_config_free(c);
    return 0;
}

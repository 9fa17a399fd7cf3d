/* libFuzzer target: the iptables parser (audit_acl_iptables.c) and its sniff on arbitrary bytes. */
#include "audit/audit_acl_int.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    acl_config *c = acl_config_new("iptables");
    (void)acl_iptables_sniff((const char *)data, size);
    (void)acl_iptables_parse(c, (const char *)data, size, err, sizeof err);
    acl_config_free(c);
    return 0;
}

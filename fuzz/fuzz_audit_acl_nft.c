/* libFuzzer target: the nftables readers on arbitrary bytes; the first byte picks text ('t' and
 * anything else: acl_nft_parse, which hands JSON-looking text on) or JSON ('j': acl_nft_json_parse). */
#include "audit/audit_acl_int.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    char err[256];
    const char *text = (const char *)data + 1;
    acl_config *c = acl_config_new("nftables");
    (void)acl_nft_sniff(text, size - 1);
    if (data[0] == 'j')
        (void)acl_nft_json_parse(c, text, size - 1, err, sizeof err);
    else
        (void)acl_nft_parse(c, text, size - 1, err, sizeof err);
    acl_config_free(c);
    return 0;
}

/* nftables as `nft list ruleset` writes it (audit_acl_nft.c) or as `nft -j list ruleset` does
 * (audit_acl_nft_json.c): which one a text is, by its first character. */
#include "audit/audit_acl_int.h"

#include <string.h>

kw_rc acl_nft_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    size_t k = 0;
    while (k < len && strchr(" \t\r\n", text[k]))
        k++;
    if (k < len && (text[k] == '{' || text[k] == '['))
        return acl_nft_json_parse(c, text, len, err, errn);
    return acl_nft_text_parse(c, text, len, err, errn);
}

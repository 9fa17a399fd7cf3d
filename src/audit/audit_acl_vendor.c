/* The vendors keepwatch reads (audit_acl.h), and which one a text is. Adding a vendor is a
 * file audit_acl_NAME.c with its sniff and parse, declared in audit_acl_int.h, and a line here. */
#include "audit/audit_acl_int.h"

#include <stdio.h>
#include <string.h>

const acl_vendor acl_vendors[] = {
    {"huawei", "Huawei VRP / USG", acl_huawei_sniff, acl_huawei_parse},
    {"h3c", "H3C Comware", acl_h3c_sniff, acl_h3c_parse},
    {"cisco-ios", "Cisco IOS", acl_cisco_sniff, acl_cisco_parse},
    {"cisco-asa", "Cisco ASA", acl_asa_sniff, acl_asa_parse},
    {"iptables", "iptables-save / ip6tables-save", acl_iptables_sniff, acl_iptables_parse},
    {"nftables", "nftables (nft list ruleset, text or JSON)", acl_nft_sniff, acl_nft_parse},
    {"fortigate", "FortiGate FortiOS", acl_forti_sniff, acl_forti_parse},
    {0},
};

const acl_vendor *acl_vendor_find(const char *name)
{
    for (const acl_vendor *v = acl_vendors; v->name; v++)
        if (!strcmp(v->name, name))
            return v;
    return NULL;
}

const acl_vendor *acl_vendor_guess(const char *text, size_t len)
{
    const acl_vendor *best = NULL;
    int score = 30;
    for (const acl_vendor *v = acl_vendors; v->name; v++) {
        int s = v->sniff(text, len);
        if (s > score) {
            score = s;
            best = v;
        }
    }
    return best;
}

kw_rc acl_parse(const char *text, size_t len, const char *vendor, acl_config **out, char *err, size_t errn)
{
    *out = NULL;
    const acl_vendor *v = vendor ? acl_vendor_find(vendor) : acl_vendor_guess(text, len);
    if (!v) {
        if (vendor)
            snprintf(err, errn, "unknown vendor %s (see keepwatch audit config --help)", vendor);
        else
            snprintf(err, errn, "not a device or firewall configuration keepwatch recognises (give --vendor)");
        return vendor ? KW_ERR_RANGE : KW_ERR_PARSE;
    }
    acl_config *c = acl_config_new(v->name);
    kw_rc rc = v->parse(c, text, len, err, errn);
    if (rc != KW_OK) {
        acl_config_free(c);
        return rc;
    }
    *out = c;
    return KW_OK;
}

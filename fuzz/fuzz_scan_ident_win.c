/* libFuzzer target: service identification's RDP, SMB and LDAP answer parsers
 * (scan_ident_win.c: X.224 confirm, SMB1/SMB2 negotiate, a bounded BER walk of LDAP messages).
 * Seeds: slapd's bind and root DSE answers captured here, RDP and SMB answers built after
 * [MS-RDPBCGR] and [MS-SMB2]. */
#include "scan/scan_ident_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    int proto;
    bool smb1;
    unsigned dialect;
    scan_ldap l;
    scan_parse_rdp(p, n, &proto);
    scan_parse_smb(p, n, &smb1, &dialect);
    scan_parse_ldap(p, n, &l);
    return 0;
}

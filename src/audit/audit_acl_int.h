/* Inside the ACL family: each vendor parser's entry points (one file each), and the text
 * helpers they share (audit_acl_text.c). */
#ifndef KW_AUDIT_ACL_INT_H
#define KW_AUDIT_ACL_INT_H

#include "audit/audit_acl.h"

/* Huawei VRP and USG (audit_acl_huawei.c), H3C Comware (audit_acl_h3c.c), Cisco IOS and ASA
 * (audit_acl_cisco.c, audit_acl_asa.c), iptables-save (audit_acl_iptables.c), nftables text
 * and JSON (audit_acl_nft.c), FortiGate (audit_acl_forti.c). */

#endif

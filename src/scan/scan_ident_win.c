/* The Windows and directory protocol parsers of service identification, and their probes:
 * RDP's X.224 connection confirm, SMB's negotiate (SMBv1 and SMB2/3), LDAP's anonymous bind and
 * rootDSE search (a bounded BER walk). Pure: bytes in, fields out. */
#include "scan/scan_ident_parse.h"

#include <string.h>

/* ---- RDP ---- */

/* TPKT, X.224 Connection Request, RDP_NEG_REQ asking for TLS or CredSSP ([MS-RDPBCGR] 2.2.1.1). */
const uint8_t scan_rdp_request[19] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00,
                                      0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00};

bool scan_parse_rdp(const uint8_t *p, size_t n, int *proto)
{
    *proto = -1;
    if (n < 11 || p[0] != 0x03 || p[1] != 0x00)
        return false;
    size_t len = (size_t)p[2] << 8 | p[3];
    if (len < 11 || p[5] != 0xd0 || (size_t)p[4] + 1 > len - 4)
        return false;
    if (n >= 19 && len >= 19 && p[11] == 0x02)
        *proto = (int)((uint32_t)p[15] | (uint32_t)p[16] << 8 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 24);
    else if (n >= 19 && len >= 19 && p[11] == 0x03)
        *proto = -1;
    else
        *proto = 0;
    return true;
}

/* ---- SMB ---- */

size_t scan_smb_negotiate(uint8_t *out, size_t cap, bool with_smb2)
{
    static const uint8_t hdr[32] = {0xff, 'S', 'M', 'B', 0x72, 0, 0, 0, 0, 0x18, 0x53, 0xc8, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 0, 0};
    static const char *const dialects[] = {"NT LM 0.12", "SMB 2.002", "SMB 2.???"};
    size_t nd = with_smb2 ? 3 : 1, bytes = 0;
    for (size_t i = 0; i < nd; i++)
        bytes += 1 + strlen(dialects[i]) + 1;
    size_t smb = 32 + 1 + 2 + bytes;
    if (4 + smb > cap)
        return 0;
    out[0] = 0, out[1] = (uint8_t)(smb >> 16), out[2] = (uint8_t)(smb >> 8), out[3] = (uint8_t)smb;
    memcpy(out + 4, hdr, 32);
    uint8_t *o = out + 36;
    *o++ = 0;
    *o++ = (uint8_t)bytes, *o++ = (uint8_t)(bytes >> 8);
    for (size_t i = 0; i < nd; i++) {
        *o++ = 0x02;
        size_t l = strlen(dialects[i]) + 1;
        memcpy(o, dialects[i], l);
        o += l;
    }
    return (size_t)(o - out);
}

bool scan_parse_smb(const uint8_t *p, size_t n, bool *smb1, unsigned *dialect)
{
    *smb1 = false;
    *dialect = 0;
    if (n < 8 || p[0] != 0)
        return false;
    const uint8_t *s = p + 4;
    size_t sl = n - 4;
    if (sl >= 4 && memcmp(s, "\xffSMB", 4) == 0) {
        if (sl < 36 || s[4] != 0x72)
            return sl >= 5;
        uint32_t status = (uint32_t)s[5] | (uint32_t)s[6] << 8 | (uint32_t)s[7] << 16 | (uint32_t)s[8] << 24;
        unsigned idx = (unsigned)s[33] | (unsigned)s[34] << 8;
        *smb1 = status == 0 && s[32] > 0 && idx != 0xffff;
        return true;
    }
    if (sl >= 4 && memcmp(s, "\xfeSMB", 4) == 0) {
        if (sl >= 64 + 6 && s[12] == 0 && s[13] == 0)
            *dialect = (unsigned)s[68] | (unsigned)s[69] << 8;
        return true;
    }
    return false;
}

/* ---- LDAP (BER) ---- */

const uint8_t scan_ldap_bind[14] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00};

typedef struct ber {
    uint8_t tag;
    const uint8_t *v;
    size_t len;
    size_t total;   /* tag + length + value */
} ber;

/* One TLV at p; false when it does not fit in n. */
static bool ber_read(const uint8_t *p, size_t n, ber *t)
{
    if (n < 2)
        return false;
    t->tag = p[0];
    size_t o = 2, len = p[1];
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 4 || 2 + k > n)
            return false;
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = len << 8 | p[2 + i];
        o = 2 + k;
    }
    if (len > n - o)
        return false;
    t->v = p + o;
    t->len = len;
    t->total = o + len;
    return true;
}

/* A small non-negative INTEGER or ENUMERATED (result codes, ids); -1 when longer than 3 bytes. */
static int ber_int(const ber *t)
{
    if (t->len > 3)
        return -1;
    int v = 0;
    for (size_t i = 0; i < t->len; i++)
        v = v << 8 | t->v[i];
    return v;
}

/* The LDAPResult's code at the start of a response's value. */
static int ldap_result(const uint8_t *v, size_t n)
{
    ber c;
    return ber_read(v, n, &c) && c.tag == 0x0a ? ber_int(&c) : -1;
}

static void ldap_append(char *dst, size_t cap, const uint8_t *v, size_t n)
{
    size_t o = strlen(dst);
    if (o && o + 2 < cap)
        memcpy(dst + o, "; ", 3), o += 2;
    if (o < cap)
        scan_field_set(dst + o, cap - o, (const char *)v, n);
}

/* One PartialAttribute: type and its set of values. */
static void ldap_attr(const uint8_t *p, size_t n, scan_ldap *l)
{
    ber type, vals;
    if (!ber_read(p, n, &type) || type.tag != 0x04 || !ber_read(p + type.total, n - type.total, &vals) || vals.tag != 0x31)
        return;
    for (size_t i = 0; i < vals.len;) {
        ber v;
        if (!ber_read(vals.v + i, vals.len - i, &v))
            return;
        if (type.len == 14 && memcmp(type.v, "namingContexts", 14) == 0)
            ldap_append(l->naming, sizeof l->naming, v.v, v.len);
        else if (type.len == 10 && memcmp(type.v, "vendorName", 10) == 0)
            scan_field_set(l->vendor, sizeof l->vendor, (const char *)v.v, v.len);
        else if (type.len == 13 && memcmp(type.v, "vendorVersion", 13) == 0)
            scan_field_set(l->version, sizeof l->version, (const char *)v.v, v.len);
        i += v.total;
    }
}

static void ldap_entry(const uint8_t *p, size_t n, scan_ldap *l)
{
    ber name, attrs;
    l->entry = true;
    if (!ber_read(p, n, &name) || !ber_read(p + name.total, n - name.total, &attrs) || attrs.tag != 0x30)
        return;
    for (size_t i = 0; i < attrs.len;) {
        ber a;
        if (!ber_read(attrs.v + i, attrs.len - i, &a))
            return;
        if (a.tag == 0x30)
            ldap_attr(a.v, a.len, l);
        i += a.total;
    }
}

bool scan_parse_ldap(const uint8_t *p, size_t n, scan_ldap *l)
{
    memset(l, 0, sizeof *l);
    l->result = -1;
    bool any = false;
    for (size_t i = 0; i < n;) {
        ber msg, id, op;
        if (!ber_read(p + i, n - i, &msg) || msg.tag != 0x30)
            return any;
        if (!ber_read(msg.v, msg.len, &id) || id.tag != 0x02 || !ber_read(msg.v + id.total, msg.len - id.total, &op))
            return any;
        any = true;
        if (op.tag == 0x61) {
            l->result = ldap_result(op.v, op.len);
            l->bind_ok = l->result == 0;
            l->done = true;
        } else if (op.tag == 0x64) {
            ldap_entry(op.v, op.len, l);
        } else if (op.tag == 0x65) {
            l->result = ldap_result(op.v, op.len);
            l->done = true;
        } else if (op.tag == 0x78) { /* ExtendedResponse: a notice of disconnection */
            l->result = ldap_result(op.v, op.len);
            l->done = true;
        }
        i += msg.total;
    }
    return any;
}

/* Appends a short-form TLV (len < 128). */
static uint8_t *tlv(uint8_t *o, uint8_t tag, const void *v, size_t len)
{
    *o++ = tag;
    *o++ = (uint8_t)len;
    memcpy(o, v, len);
    return o + len;
}

size_t scan_ldap_rootdse(uint8_t *out, size_t cap)
{
    static const char *const want[] = {"namingContexts", "vendorName", "vendorVersion", "supportedLDAPVersion"};
    uint8_t attrs[96], req[160];
    uint8_t *a = attrs;
    for (size_t i = 0; i < 4; i++)
        a = tlv(a, 0x04, want[i], strlen(want[i]));
    static const uint8_t head[] = {0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01,
                                   0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00};
    uint8_t *r = req;
    memcpy(r, head, sizeof head);
    r += sizeof head;
    r = tlv(r, 0x87, "objectClass", 11);
    r = tlv(r, 0x30, attrs, (size_t)(a - attrs));
    size_t rl = (size_t)(r - req);
    size_t total = 2 + 3 + 2 + rl;
    if (total > cap || total > 127 + 2)
        return 0;
    uint8_t *o = out;
    *o++ = 0x30;
    *o++ = (uint8_t)(total - 2);
    *o++ = 0x02, *o++ = 0x01, *o++ = 0x02;
    o = tlv(o, 0x63, req, rl);
    return (size_t)(o - out);
}

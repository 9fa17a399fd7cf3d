/* SMB negotiation on the wire: the NetBIOS session header, then an SMB1 NEGOTIATE (0xFF
 * "SMB", command 0x72, dialect strings) or an SMB2/3 NEGOTIATE (0xFE "SMB", command 0,
 * dialect revisions), request or response; says whether SMB1 was offered. No I/O; slices
 * into the input. */
#include "net/net_proto_int.h"

#include <string.h>

typedef struct smb_msg {
    const uint8_t *p;   /* the SMB header */
    size_t avail, len;  /* bytes present, bytes the NetBIOS header says */
    net_smb_negotiate *o;
} smb_msg;

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static net_proto_rc smb_bad(net_smb_negotiate *o, net_proto_why why)
{
    o->why = why;
    return NET_PROTO_MALFORMED;
}

/* k bytes at off: PARTIAL past the data, MALFORMED (why) past the declared length. */
static net_proto_rc smb_need(const smb_msg *m, size_t off, size_t k, net_proto_why why)
{
    if (off + k > m->len)
        return smb_bad(m->o, why);
    return off + k > m->avail ? NET_PROTO_PARTIAL : NET_PROTO_OK;
}

static void smb1_dialect(net_smb_negotiate *o, const uint8_t *s, size_t n)
{
    if (!(n >= 6 && memcmp(s, "SMB 2.", 6) == 0))
        o->smb1_offered = true;
    if (o->ndialects < NET_SMB_MAX_DIALECTS)
        o->smb1_dialects[o->ndialects++] = (net_slice){s, n};
    o->dialects_offered++;
}

/* The SMB1 dialect list: 0x02, then a NUL-terminated name, repeated over ByteCount bytes. */
static net_proto_rc smb1_request(const smb_msg *m, size_t off, size_t bc)
{
    size_t end = off + bc, lim = end < m->avail ? end : m->avail;
    while (off < lim) {
        if (m->p[off] != 0x02)
            return smb_bad(m->o, NET_WHY_SMB_DIALECTS);
        const uint8_t *nul = memchr(m->p + off + 1, 0, lim - off - 1);
        if (!nul)
            return end > m->avail ? NET_PROTO_PARTIAL : smb_bad(m->o, NET_WHY_SMB_DIALECTS);
        smb1_dialect(m->o, m->p + off + 1, (size_t)(nul - m->p) - off - 1);
        off = (size_t)(nul - m->p) + 1;
    }
    if (end > m->avail)
        return NET_PROTO_PARTIAL;
    return m->o->dialects_offered ? NET_PROTO_OK : smb_bad(m->o, NET_WHY_SMB_DIALECTS);
}

static net_proto_rc smb1(const smb_msg *m)
{
    net_smb_negotiate *o = m->o;
    o->version = 1;
    if (m->p[4] != 0x72)
        return NET_PROTO_NOT_MINE;
    net_proto_rc rc = smb_need(m, 9, 1, NET_WHY_SMB_HEADER);
    if (rc != NET_PROTO_OK)
        return rc;
    o->response = m->p[9] & 0x80;
    if ((rc = smb_need(m, 32, 1, NET_WHY_SMB_HEADER)) != NET_PROTO_OK)
        return rc;
    size_t wc = m->p[32], bco = 33 + 2 * wc;
    if (o->response) {
        if (wc && (rc = smb_need(m, 33, 2, NET_WHY_SMB_HEADER)) == NET_PROTO_OK)
            o->chosen = le16(m->p + 33);
        return rc;
    }
    if ((rc = smb_need(m, bco, 2, NET_WHY_SMB_HEADER)) != NET_PROTO_OK)
        return rc;
    size_t bc = le16(m->p + bco);
    if (bco + 2 + bc > m->len)
        return smb_bad(o, NET_WHY_SMB_HEADER);
    return smb1_request(m, bco + 2, bc);
}

static net_proto_rc smb2_request(const smb_msg *m)
{
    net_smb_negotiate *o = m->o;
    net_proto_rc rc = smb_need(m, 64, 4, NET_WHY_SMB_HEADER);
    if (rc != NET_PROTO_OK)
        return rc;
    if (le16(m->p + 64) != 36)
        return smb_bad(o, NET_WHY_SMB_HEADER);
    size_t cnt = le16(m->p + 66);
    o->dialects_offered = cnt;
    if (cnt == 0)
        return smb_bad(o, NET_WHY_SMB_DIALECTS);
    for (size_t i = 0; i < cnt; i++) {
        if ((rc = smb_need(m, 100 + 2 * i, 2, NET_WHY_SMB_DIALECTS)) != NET_PROTO_OK)
            return rc;
        if (o->ndialects < NET_SMB_MAX_DIALECTS)
            o->dialects[o->ndialects++] = le16(m->p + 100 + 2 * i);
    }
    return NET_PROTO_OK;
}

static net_proto_rc smb2(const smb_msg *m)
{
    net_smb_negotiate *o = m->o;
    o->version = 2;
    net_proto_rc rc = smb_need(m, 4, 16, NET_WHY_SMB_HEADER);
    if (rc != NET_PROTO_OK)
        return rc;
    if (le16(m->p + 4) != 64)
        return smb_bad(o, NET_WHY_SMB_HEADER);
    if (le16(m->p + 12) != 0)
        return NET_PROTO_NOT_MINE;
    o->response = m->p[16] & 0x01;
    if (!o->response)
        return smb2_request(m);
    if ((rc = smb_need(m, 64, 6, NET_WHY_SMB_HEADER)) != NET_PROTO_OK)
        return rc;
    if (le16(m->p + 64) != 65)
        return smb_bad(o, NET_WHY_SMB_HEADER);
    o->chosen = le16(m->p + 68);
    return NET_PROTO_OK;
}

net_proto_rc net_smb_negotiate_parse(const uint8_t *p, size_t n, net_smb_negotiate *out)
{
    static const uint8_t magic1[4] = {0xff, 'S', 'M', 'B'}, magic2[4] = {0xfe, 'S', 'M', 'B'};
    memset(out, 0, sizeof *out);
    if (n >= 1 && p[0] != 0)
        return NET_PROTO_NOT_MINE;
    size_t k = n > 4 ? (n - 4 < 4 ? n - 4 : 4) : 0;
    if (k && memcmp(p + 4, magic1, k) != 0 && memcmp(p + 4, magic2, k) != 0)
        return NET_PROTO_NOT_MINE;
    if (n < 9)
        return NET_PROTO_PARTIAL;
    size_t len = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    bool v1 = p[4] == 0xff;
    if (len < (v1 ? 33u : 64u))
        return smb_bad(out, NET_WHY_SMB_NETBIOS);
    smb_msg m = {p + 4, n - 4 < len ? n - 4 : len, len, out};
    return v1 ? smb1(&m) : smb2(&m);
}

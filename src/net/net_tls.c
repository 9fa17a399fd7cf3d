/* The TLS ClientHello at the start of a client stream (records joined when the hello spans
 * several; a record cut by the stream prefix still yields what it holds), its JA3 and JA4
 * fingerprints, and the ServerHello's chosen version and cipher. No I/O; the joined hello
 * goes to the caller's scratch, the results to the caller's struct. */
#include "net/net_proto_int.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLS_RECORD_MAX (16384 + 2048)

bool net_tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static net_proto_rc tls_rd_rc(net_rd_rc rc, net_proto_why why, net_proto_why *out)
{
    if (rc == NET_RD_OK)
        return NET_PROTO_OK;
    if (rc == NET_RD_SHORT)
        return NET_PROTO_PARTIAL;
    *out = why;
    return NET_PROTO_MALFORMED;
}

/* ---- records ---- */

typedef struct tls_join {
    uint8_t *buf;
    size_t cap, have;   /* handshake bytes stored in buf */
    size_t need;        /* 4 + the handshake length, once known; 0 before */
} tls_join;

/* The first record header: not TLS handshake is not ours. */
static bool tls_first_record_ours(const uint8_t *p, size_t n)
{
    return !(n >= 1 && p[0] != 22) && !(n >= 2 && p[1] != 3) && !(n >= 3 && p[2] > 4);
}

/* Checks the handshake header once four bytes are in. */
static net_proto_rc tls_join_header(tls_join *j, uint8_t want_type, net_proto_why *why)
{
    if (j->need || j->have < 4)
        return NET_PROTO_OK;
    if (j->buf[0] != want_type)
        return NET_PROTO_NOT_MINE;
    size_t len = (size_t)j->buf[1] << 16 | (size_t)j->buf[2] << 8 | j->buf[3];
    if (len > NET_TLS_MAX_HELLO || len < 38) {
        *why = NET_WHY_TLS_HANDSHAKE_LENGTH;
        return NET_PROTO_MALFORMED;
    }
    j->need = 4 + len;
    return NET_PROTO_OK;
}

/* Joins the fragments of handshake records into j until the first message is whole. */
static net_proto_rc tls_records(const uint8_t *p, size_t n, tls_join *j, uint8_t type, uint16_t *rver,
                                net_proto_why *why)
{
    size_t off = 0;
    if (!tls_first_record_ours(p, n))
        return NET_PROTO_NOT_MINE;
    while (!j->need || j->have < j->need) {
        if (n - off < 5)
            return NET_PROTO_PARTIAL;
        size_t len = (size_t)p[off + 3] << 8 | p[off + 4];
        if (off == 0)
            *rver = (uint16_t)(p[1] << 8 | p[2]);
        if (p[off] != 22 || len == 0 || len > TLS_RECORD_MAX) {
            *why = NET_WHY_TLS_RECORD;
            return NET_PROTO_MALFORMED;
        }
        size_t frag = len < n - off - 5 ? len : n - off - 5;
        size_t room = j->cap - j->have, k = frag < room ? frag : room;
        if (k)
            memcpy(j->buf + j->have, p + off + 5, k);
        j->have += k;
        net_proto_rc rc = tls_join_header(j, type, why);
        if (rc != NET_PROTO_OK)
            return rc;
        if (frag < len || k < frag)
            return NET_PROTO_PARTIAL;
        off += 5 + len;
    }
    return NET_PROTO_OK;
}

/* ---- ClientHello body ---- */

static net_rd_rc rd_u16_list(net_rd *r, size_t k, uint16_t *arr, size_t cap, size_t *cnt, bool *trunc)
{
    net_rd v = {0};
    net_rd_rc rc = net_rd_vec(r, k, &v);
    if (rc != NET_RD_OK)
        return rc;
    if (net_rd_left(&v) % 2)
        return NET_RD_LIES;
    while (net_rd_left(&v)) {
        uint32_t x = 0;
        if ((rc = net_rd_uint(&v, 2, &x)) != NET_RD_OK)
            return rc;
        if (*cnt < cap)
            arr[(*cnt)++] = (uint16_t)x;
        else
            *trunc = true;
    }
    return NET_RD_OK;
}

static net_rd_rc ext_sni(net_rd *e, net_tls_hello *h)
{
    net_rd list = {0}, name = {0};
    net_rd_rc rc = net_rd_vec(e, 2, &list);
    while (rc == NET_RD_OK && net_rd_left(&list)) {
        uint32_t type = 0;
        if ((rc = net_rd_uint(&list, 1, &type)) != NET_RD_OK || (rc = net_rd_vec(&list, 2, &name)) != NET_RD_OK)
            return rc;
        if ((rc = net_rd_need(&name, net_rd_left(&name))) != NET_RD_OK)
            return rc;
        if (type == 0 && !h->sni[0])
            net_proto_print_copy(h->sni, sizeof h->sni, name.p + name.off, net_rd_left(&name), true);
    }
    return rc;
}

static net_rd_rc ext_alpn(net_rd *e, net_tls_hello *h)
{
    net_rd list = {0}, name = {0};
    net_rd_rc rc = net_rd_vec(e, 2, &list);
    while (rc == NET_RD_OK && net_rd_left(&list)) {
        if ((rc = net_rd_vec(&list, 1, &name)) != NET_RD_OK)
            return rc;
        size_t len = net_rd_left(&name);
        if ((rc = net_rd_need(&name, len)) != NET_RD_OK)
            return rc;
        const uint8_t *s = name.p + name.off;
        if (h->nalpn == 0 && len) {
            h->alpn_raw_first[0] = s[0];
            h->alpn_raw_first[1] = s[len - 1];
            h->alpn_first_len = len;
        }
        if (h->nalpn < NET_TLS_MAX_ALPN)
            net_proto_print_copy(h->alpn[h->nalpn++], sizeof h->alpn[0], s, len, false);
        else
            h->truncated_lists = true;
    }
    return rc;
}

static net_rd_rc ext_formats(net_rd *e, net_tls_hello *h)
{
    net_rd v = {0};
    net_rd_rc rc = net_rd_vec(e, 1, &v);
    while (rc == NET_RD_OK && net_rd_left(&v)) {
        uint32_t x = 0;
        if ((rc = net_rd_uint(&v, 1, &x)) != NET_RD_OK)
            return rc;
        if (h->nformats < NET_TLS_MAX_FORMATS)
            h->formats[h->nformats++] = (uint8_t)x;
        else
            h->truncated_lists = true;
    }
    return rc;
}

static net_rd_rc ext_body(uint16_t type, net_rd *e, net_tls_hello *h)
{
    bool *t = &h->truncated_lists;
    if (type == 0x0000)
        h->has_sni = true;
    if (net_rd_left(e) == 0)
        return NET_RD_OK;   /* an empty extension says only that it is there */
    switch (type) {
    case 0x0000:
        return ext_sni(e, h);
    case 0x0010:
        return ext_alpn(e, h);
    case 0x000a:
        return rd_u16_list(e, 2, h->groups, NET_TLS_MAX_GROUPS, &h->ngroups, t);
    case 0x000b:
        return ext_formats(e, h);
    case 0x000d:
        return rd_u16_list(e, 2, h->sigalgs, NET_TLS_MAX_SIGALGS, &h->nsigalgs, t);
    case 0x002b:
        return rd_u16_list(e, 1, h->versions, NET_TLS_MAX_VERSIONS, &h->nversions, t);
    default:
        return NET_RD_OK;
    }
}

static net_proto_rc hello_exts(net_rd *r, net_tls_hello *h)
{
    net_rd all = {0}, e = {0};
    net_rd_rc rc = net_rd_vec(r, 2, &all);
    while (rc == NET_RD_OK && net_rd_left(&all)) {
        uint32_t type = 0;
        if ((rc = net_rd_uint(&all, 2, &type)) != NET_RD_OK || (rc = net_rd_vec(&all, 2, &e)) != NET_RD_OK)
            break;
        if (h->nexts < NET_TLS_MAX_EXTS)
            h->exts[h->nexts++] = (uint16_t)type;
        else
            h->truncated_lists = true;
        if ((rc = ext_body((uint16_t)type, &e, h)) != NET_RD_OK)
            return tls_rd_rc(rc, NET_WHY_TLS_EXTENSION, &h->why);
    }
    return tls_rd_rc(rc, NET_WHY_TLS_VECTOR, &h->why);
}

static net_proto_rc hello_body(net_rd *r, net_tls_hello *h)
{
    uint32_t ver = 0;
    net_rd sid = {0}, comp = {0};
    net_rd_rc rc = net_rd_uint(r, 2, &ver);
    if (rc == NET_RD_OK)
        h->version = (uint16_t)ver;
    if (rc == NET_RD_OK && (rc = net_rd_need(r, 32)) == NET_RD_OK)
        r->off += 32;
    if (rc == NET_RD_OK && (rc = net_rd_vec(r, 1, &sid)) == NET_RD_OK && net_rd_left(&sid) > 32)
        rc = NET_RD_LIES;
    if (rc == NET_RD_OK)
        rc = rd_u16_list(r, 2, h->ciphers, NET_TLS_MAX_CIPHERS, &h->nciphers, &h->truncated_lists);
    if (rc == NET_RD_OK && (rc = net_rd_vec(r, 1, &comp)) == NET_RD_OK)
        rc = net_rd_need(&comp, net_rd_left(&comp));
    if (rc != NET_RD_OK)
        return tls_rd_rc(rc, NET_WHY_TLS_VECTOR, &h->why);
    if (net_rd_left(r) == 0)
        return NET_PROTO_OK;   /* no extensions (SSL 3.0, old TLS 1.0 clients) */
    return hello_exts(r, h);
}

/* ---- fingerprints ---- */

/* MD5 (JA3) and SHA-256 (JA4), fetched from OpenSSL's provider once: EVP_md5() and
 * EVP_sha256() look the implementation up again on every digest, which cost more than the
 * hello's whole parse. Kept for the process's life. */
enum { MD_MD5, MD_SHA256 };
static EVP_MD *fetched_md[2];
static pthread_once_t fetched_once = PTHREAD_ONCE_INIT;

static void md_fetch(void)
{
    fetched_md[MD_MD5] = EVP_MD_fetch(NULL, "MD5", NULL);
    fetched_md[MD_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *md_get(int which)
{
    pthread_once(&fetched_once, md_fetch);
    if (fetched_md[which])
        return fetched_md[which];
    return which == MD_MD5 ? EVP_md5() : EVP_sha256();
}

static void hex_digest(const EVP_MD *md, const char *s, size_t n, char *out, size_t nhex)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    static const char hx[] = "0123456789abcdef";
    EVP_Digest(s, n, d, &dl, md, NULL);
    for (size_t i = 0; i < nhex && i / 2 < dl; i++)
        out[i] = hx[i % 2 ? d[i / 2] & 0xf : d[i / 2] >> 4];
    out[nhex] = '\0';
}

/* Writes v in decimal at b (room for 5 digits); returns how many. */
static size_t put_dec(char *b, unsigned v)
{
    char t[5];
    size_t n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < sizeof t);
    for (size_t i = 0; i < n; i++)
        b[i] = t[n - 1 - i];
    return n;
}

/* Appends the non-GREASE values of v[] in decimal, joined by '-', to b at *o (cap holds them). */
static void ja3_list(char *b, size_t cap, size_t *o, const uint16_t *v, size_t n, char sep)
{
    bool first = true;
    for (size_t i = 0; i < n && *o + 16 < cap; i++) {
        if (net_tls_is_grease(v[i]))
            continue;
        if (!first)
            b[(*o)++] = '-';
        *o += put_dec(b + *o, v[i]);
        first = false;
    }
    if (sep && *o + 2 < cap)
        b[(*o)++] = sep;
    b[*o < cap ? *o : cap - 1] = '\0';
}

static void tls_ja3(net_tls_hello *h)
{
    uint16_t fmts[NET_TLS_MAX_FORMATS];
    for (size_t i = 0; i < h->nformats; i++)
        fmts[i] = h->formats[i];
    size_t o = (size_t)snprintf(h->ja3, sizeof h->ja3, "%u,", h->version);
    ja3_list(h->ja3, sizeof h->ja3, &o, h->ciphers, h->nciphers, ',');
    ja3_list(h->ja3, sizeof h->ja3, &o, h->exts, h->nexts, ',');
    ja3_list(h->ja3, sizeof h->ja3, &o, h->groups, h->ngroups, ',');
    ja3_list(h->ja3, sizeof h->ja3, &o, fmts, h->nformats, 0);
    hex_digest(md_get(MD_MD5), h->ja3, o, h->ja3_md5, 32);
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The non-GREASE values of v[] (less skip1, skip2), sorted or not, as "%04x" joined by ','. */
static size_t ja4_hexlist(char *b, size_t cap, const uint16_t *v, size_t n, bool sort, int skip1, int skip2)
{
    uint16_t t[NET_TLS_MAX_CIPHERS];
    size_t k = 0, o = 0;
    for (size_t i = 0; i < n && k < NET_TLS_MAX_CIPHERS; i++)
        if (!net_tls_is_grease(v[i]) && v[i] != skip1 && v[i] != skip2)
            t[k++] = v[i];
    if (sort && k > 32) {
        qsort(t, k, sizeof t[0], cmp_u16);
    } else if (sort) { /* a hello's few dozen values: insertion sort, no calls */
        for (size_t i = 1; i < k; i++) {
            uint16_t x = t[i];
            size_t j = i;
            for (; j > 0 && t[j - 1] > x; j--)
                t[j] = t[j - 1];
            t[j] = x;
        }
    }
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < k && o + 6 < cap; i++) {
        if (i)
            b[o++] = ',';
        for (int sh = 12; sh >= 0; sh -= 4)
            b[o++] = hx[t[i] >> sh & 0xf];
    }
    b[o] = '\0';
    return o;
}

static size_t count_real(const uint16_t *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !net_tls_is_grease(v[i]);
    return k > 99 ? 99 : k;
}

static const char *ja4_version(const net_tls_hello *h)
{
    uint16_t v = 0;
    for (size_t i = 0; i < h->nversions; i++)
        if (!net_tls_is_grease(h->versions[i]) && h->versions[i] > v)
            v = h->versions[i];
    if (!h->nversions || !v)
        v = h->version;
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    default: return "00";
    }
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The first and last characters of the first ALPN value, or of its hex form. */
static void ja4_alpn(const net_tls_hello *h, char out[3])
{
    static const char hx[] = "0123456789abcdef";
    uint8_t a = h->alpn_raw_first[0], z = h->alpn_raw_first[1];
    if (!h->alpn_first_len) {
        memcpy(out, "00", 3);
    } else if (is_alnum(a) && is_alnum(z)) {
        out[0] = (char)a, out[1] = (char)z, out[2] = '\0';
    } else {
        out[0] = hx[a >> 4], out[1] = hx[z & 0xf], out[2] = '\0';
    }
}

static void tls_ja4(net_tls_hello *h)
{
    char list[NET_TLS_MAX_CIPHERS * 5 + 8];
    char b_hash[13], c_hash[13], alpn[3];
    size_t o = ja4_hexlist(list, sizeof list, h->ciphers, h->nciphers, true, -1, -1);
    if (o)
        hex_digest(md_get(MD_SHA256), list, o, b_hash, 12);
    else
        memcpy(b_hash, "000000000000", 13);
    o = ja4_hexlist(list, sizeof list, h->exts, h->nexts, true, 0x0000, 0x0010);
    if (o && h->nsigalgs) {
        list[o++] = '_';
        o += ja4_hexlist(list + o, sizeof list - o, h->sigalgs, h->nsigalgs, false, -1, -1);
    }
    if (o && list[o - 1] != '_')
        hex_digest(md_get(MD_SHA256), list, o, c_hash, 12);
    else if (o)
        hex_digest(md_get(MD_SHA256), list, o - 1, c_hash, 12);
    else
        memcpy(c_hash, "000000000000", 13);
    ja4_alpn(h, alpn);
    /* "t" version, d|i, two two-digit counts, ALPN, "_" 12 hex "_" 12 hex: 36 characters
     * (written out: snprintf cost a tenth of the hello) */
    size_t nc = count_real(h->ciphers, h->nciphers), ne = count_real(h->exts, h->nexts);
    char *w = h->ja4;
    const char *ver = ja4_version(h);
    *w++ = 't', *w++ = ver[0], *w++ = ver[1], *w++ = h->has_sni ? 'd' : 'i';
    *w++ = (char)('0' + nc / 10), *w++ = (char)('0' + nc % 10), *w++ = (char)('0' + ne / 10), *w++ = (char)('0' + ne % 10);
    *w++ = alpn[0], *w++ = alpn[1], *w++ = '_';
    memcpy(w, b_hash, 12), w += 12, *w++ = '_';
    memcpy(w, c_hash, 12), w += 12, *w = '\0';
    _Static_assert(sizeof h->ja4 >= 37, "room for a JA4");
}

net_proto_rc net_tls_client_hello_parse(const uint8_t *p, size_t n, uint8_t *scratch, size_t scratch_n,
                                        net_tls_hello *out)
{
    memset(out, 0, sizeof *out);
    tls_join j = {scratch, scratch ? scratch_n : 0, 0, 0};
    net_proto_rc rc = tls_records(p, n, &j, 1, &out->record_version, &out->why);
    if (rc == NET_PROTO_NOT_MINE || rc == NET_PROTO_MALFORMED || j.have < 4 || !j.need)
        return rc;
    net_rd r = {j.buf, 4, j.need, j.have < j.need ? j.have : j.need};
    net_proto_rc brc = hello_body(&r, out);
    if (brc != NET_PROTO_OK || rc != NET_PROTO_OK)
        return brc != NET_PROTO_OK ? brc : rc;
    out->whole = true;
    return NET_PROTO_OK;
}

void net_tls_hello_fingerprint(net_tls_hello *h)
{
    if (!h->whole || h->ja4[0])
        return;
    tls_ja3(h);
    tls_ja4(h);
}

/* ---- ServerHello ---- */

static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static net_rd_rc server_exts(net_rd *r, net_tls_server_hello *s)
{
    net_rd all = {0}, e = {0};
    if (!net_rd_left(r))
        return NET_RD_OK;
    net_rd_rc rc = net_rd_vec(r, 2, &all);
    while (rc == NET_RD_OK && net_rd_left(&all)) {
        uint32_t type = 0, v = 0;
        if ((rc = net_rd_uint(&all, 2, &type)) != NET_RD_OK || (rc = net_rd_vec(&all, 2, &e)) != NET_RD_OK)
            return rc;
        if (type == 0x002b && (rc = net_rd_uint(&e, 2, &v)) == NET_RD_OK)
            s->version = (uint16_t)v;
    }
    return rc;
}

net_proto_rc net_tls_server_hello_parse(const uint8_t *p, size_t n, net_tls_server_hello *out)
{
    uint8_t buf[4096];
    memset(out, 0, sizeof *out);
    tls_join j = {buf, sizeof buf, 0, 0};
    uint16_t rver = 0;
    net_proto_rc rc = tls_records(p, n, &j, 2, &rver, &out->why);
    if (rc == NET_PROTO_NOT_MINE || rc == NET_PROTO_MALFORMED || !j.need)
        return rc;
    net_rd r = {j.buf, 4, j.need, j.have < j.need ? j.have : j.need}, sid = {0};
    uint32_t ver = 0, cipher = 0, comp = 0;
    net_rd_rc rr = net_rd_uint(&r, 2, &ver);
    if (rr == NET_RD_OK && (rr = net_rd_need(&r, 32)) == NET_RD_OK) {
        out->hello_retry = memcmp(r.p + r.off, hrr_random, 32) == 0;
        r.off += 32;
    }
    if (rr == NET_RD_OK && (rr = net_rd_vec(&r, 1, &sid)) == NET_RD_OK && net_rd_left(&sid) > 32)
        rr = NET_RD_LIES;
    if (rr == NET_RD_OK && (rr = net_rd_uint(&r, 2, &cipher)) == NET_RD_OK)
        out->cipher = (uint16_t)cipher;
    out->version = (uint16_t)ver;
    if (rr == NET_RD_OK && (rr = net_rd_uint(&r, 1, &comp)) == NET_RD_OK)
        rr = server_exts(&r, out);
    net_proto_rc brc = tls_rd_rc(rr, NET_WHY_TLS_VECTOR, &out->why);
    return brc != NET_PROTO_OK ? brc : rc;
}

/* The database answer parsers of service identification, and the probes they answer:
 * MySQL/MariaDB's handshake packet, PostgreSQL's startup answers, MongoDB's OP_MSG replies
 * (a bounded BSON walk). Pure: bytes in, fields out. */
#include "scan/scan_ident_parse.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* ---- MySQL / MariaDB ---- */

/* "10.11.6-MariaDB-0+deb12u1" (or "5.5.5-10.11.6-MariaDB-...") -> MariaDB 10.11.6 "0+deb12u1";
 * "8.0.35" -> MySQL 8.0.35; "8.0.35-0ubuntu0.22.04.1" -> MySQL 8.0.35 "0ubuntu0.22.04.1". */
static void mysql_version(const char *v, size_t vl, scan_service *out)
{
    if (vl > 6 && memcmp(v, "5.5.5-", 6) == 0)
        v += 6, vl -= 6;
    const char *maria = NULL;
    for (size_t i = 0; i + 8 <= vl; i++)
        if (memcmp(v + i, "-MariaDB", 8) == 0)
            maria = v + i;
    size_t num = strspn(v, "0123456789.");
    if (num > vl)
        num = vl;
    scan_field_set(out->version, sizeof out->version, v, num);
    const char *rest = maria ? maria + 8 : v + num;
    size_t rl = vl - (size_t)(rest - v);
    if (rl && *rest == '-')
        rest++, rl--;
    scan_field_set(out->product, sizeof out->product, maria ? "MariaDB" : "MySQL", maria ? 7 : 5);
    scan_field_set(out->info, sizeof out->info, rest, rl);
}

bool scan_parse_mysql(const uint8_t *p, size_t n, scan_service *out, scan_mysql *m)
{
    memset(m, 0, sizeof *m);
    if (n < 5)
        return false;
    size_t plen = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
    if (p[3] != 0 || plen < 2 || plen > 4096)
        return false;
    const uint8_t *d = p + 4;
    size_t dl = n - 4 < plen ? n - 4 : plen;
    if (d[0] == 0xff) {
        if (dl < 4)
            return false;
        m->error = true;
        scan_field_set(m->error_msg, sizeof m->error_msg, (const char *)d + 3, dl - 3);
        scan_field_set(out->name, sizeof out->name, "mysql", 5);
        scan_field_set(out->info, sizeof out->info, m->error_msg, strlen(m->error_msg));
        return strstr(m->error_msg, "MySQL") || strstr(m->error_msg, "MariaDB") || strstr(m->error_msg, "not allowed");
    }
    if (d[0] != 0x0a)
        return false;
    const uint8_t *nul = memchr(d + 1, 0, dl - 1);
    if (!nul || nul == d + 1)
        return false;
    size_t vl = (size_t)(nul - (d + 1));
    for (size_t i = 0; i < vl; i++)
        if (d[1 + i] < 0x20 || d[1 + i] >= 0x7f)
            return false;
    scan_field_set(out->name, sizeof out->name, "mysql", 5);
    mysql_version((const char *)d + 1, vl, out);
    size_t o = vl + 2 + 4; /* protocol, version + NUL, thread id */
    if (o + 8 + 1 + 2 > dl)
        return true;
    memcpy(m->salt, d + o, 8);
    m->salt_len = 8;
    o += 9;
    m->caps = (uint32_t)d[o] | (uint32_t)d[o + 1] << 8;
    o += 2;
    if (o + 1 + 2 + 2 + 1 + 10 > dl)
        return true;
    o += 3;
    m->caps |= ((uint32_t)d[o] | (uint32_t)d[o + 1] << 8) << 16;
    o += 2;
    size_t alen = d[o];
    o += 11;
    size_t part2 = alen > 8 ? alen - 8 : 13;
    if (part2 > 13)
        part2 = 13;
    if (o + part2 <= dl) {
        size_t take = part2 > 12 ? 12 : part2; /* the 13th is a NUL */
        memcpy(m->salt + 8, d + o, take);
        m->salt_len = 8 + take;
        o += part2;
        const uint8_t *pe = o < dl ? memchr(d + o, 0, dl - o) : NULL;
        if (pe)
            scan_field_set(m->plugin, sizeof m->plugin, (const char *)d + o, (size_t)(pe - (d + o)));
    }
    return true;
}

int scan_mysql_reply(const uint8_t *p, size_t n)
{
    if (n < 5 || p[3] == 0)
        return -1;
    size_t plen = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
    if (!plen)
        return -1;
    switch (p[4]) {
    case 0x00: return 0;
    case 0xff: return 1;
    case 0xfe: case 0x01: return 2;
    default: return -1;
    }
}

static void sha1(const void *a, size_t an, const void *b, size_t bn, uint8_t out[20])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int ol = 0;
    if (!c || !EVP_DigestInit_ex(c, EVP_sha1(), NULL) || !EVP_DigestUpdate(c, a, an) ||
        (bn && !EVP_DigestUpdate(c, b, bn)) || !EVP_DigestFinal_ex(c, out, &ol))
        memset(out, 0, 20);
    EVP_MD_CTX_free(c);
}

size_t scan_mysql_login(uint8_t *out, size_t cap, const char *user, const char *pw, const uint8_t *salt, size_t salt_len)
{
    static const char plugin[] = "mysql_native_password";
    size_t ul = strlen(user), tl = pw[0] ? 20 : 0;
    size_t len = 4 + 4 + 1 + 23 + ul + 1 + 1 + tl + sizeof plugin;
    if (4 + len > cap || ul > 64 || salt_len > 20)
        return 0;
    uint8_t *o = out;
    o[0] = (uint8_t)len, o[1] = (uint8_t)(len >> 8), o[2] = (uint8_t)(len >> 16), o[3] = 1;
    o += 4;
    const uint32_t caps = 0x1 | 0x200 | 0x8000 | 0x80000; /* LONG_PASSWORD PROTOCOL_41 SECURE_CONNECTION PLUGIN_AUTH */
    o[0] = (uint8_t)caps, o[1] = (uint8_t)(caps >> 8), o[2] = (uint8_t)(caps >> 16), o[3] = 0;
    o[4] = 0, o[5] = 0, o[6] = 0, o[7] = 1; /* max packet 16 MiB */
    o[8] = 33;                              /* utf8_general_ci */
    memset(o + 9, 0, 23);
    o += 32;
    memcpy(o, user, ul + 1), o += ul + 1;
    *o++ = (uint8_t)tl;
    if (tl) {
        uint8_t h1[20], h2[20], h3[20];
        sha1(pw, strlen(pw), NULL, 0, h1);
        sha1(h1, 20, NULL, 0, h2);
        sha1(salt, salt_len, h2, 20, h3);
        for (int i = 0; i < 20; i++)
            *o++ = h1[i] ^ h3[i];
    }
    memcpy(o, plugin, sizeof plugin), o += sizeof plugin;
    return (size_t)(o - out);
}

/* ---- PostgreSQL ---- */

const uint8_t scan_pg_sslrequest[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};

size_t scan_pg_startup(uint8_t *out, size_t cap, const char *user)
{
    size_t ul = strlen(user), len = 8 + 5 + ul + 1 + 9 + ul + 1 + 1;
    if (len > cap || ul > 63)
        return 0;
    uint8_t *o = out;
    o[0] = (uint8_t)(len >> 24), o[1] = (uint8_t)(len >> 16), o[2] = (uint8_t)(len >> 8), o[3] = (uint8_t)len;
    o[4] = 0, o[5] = 3, o[6] = 0, o[7] = 0;
    o += 8;
    memcpy(o, "user", 5), o += 5;
    memcpy(o, user, ul + 1), o += ul + 1;
    memcpy(o, "database", 9), o += 9;
    memcpy(o, user, ul + 1), o += ul + 1;
    *o++ = 0;
    return (size_t)(o - out);
}

static void md5_hex(const void *a, size_t an, const void *b, size_t bn, char out[33])
{
    uint8_t d[16];
    unsigned int ol = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, EVP_md5(), NULL) || !EVP_DigestUpdate(c, a, an) || !EVP_DigestUpdate(c, b, bn) ||
        !EVP_DigestFinal_ex(c, d, &ol))
        memset(d, 0, sizeof d);
    EVP_MD_CTX_free(c);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

size_t scan_pg_password(uint8_t *out, size_t cap, const char *user, const char *pw, const uint8_t *salt)
{
    char md5[40] = "md5", inner[33];
    const char *send = pw;
    if (salt) {
        md5_hex(pw, strlen(pw), user, strlen(user), inner);
        md5_hex(inner, 32, salt, 4, md5 + 3);
        send = md5;
    }
    size_t sl = strlen(send), len = 4 + sl + 1;
    if (1 + len > cap || sl > 200)
        return 0;
    out[0] = 'p';
    out[1] = (uint8_t)(len >> 24), out[2] = (uint8_t)(len >> 16), out[3] = (uint8_t)(len >> 8), out[4] = (uint8_t)len;
    memcpy(out + 5, send, sl + 1);
    return 1 + len;
}

/* ---- SCRAM-SHA-256 ---- */

/* A 'p' message: SASLInitialResponse (mech set: the mechanism, then the length of data) or
 * SASLResponse (mech NULL: data alone). */
static size_t pg_sasl_msg(uint8_t *out, size_t cap, const char *mech, const char *data, size_t dn)
{
    size_t ml = mech ? strlen(mech) + 1 + 4 : 0;
    size_t len = 4 + ml + dn;
    if (1 + len > cap || dn > 4096)
        return 0;
    out[0] = 'p';
    put_be32(out + 1, (uint32_t)len);
    size_t o = 5;
    if (mech) {
        memcpy(out + o, mech, ml - 4);
        o += ml - 4;
        put_be32(out + o, (uint32_t)dn);
        o += 4;
    }
    memcpy(out + o, data, dn);
    return 1 + len;
}

size_t scan_pg_scram_first(uint8_t *out, size_t cap, const char *user, const char *nonce)
{
    char first[224];
    int n = snprintf(first, sizeof first, "n,,n=%s,r=%s", user, nonce);
    if (n < 0 || (size_t)n >= sizeof first || strpbrk(nonce, ",=") || strpbrk(user, ",="))
        return 0;
    return pg_sasl_msg(out, cap, "SCRAM-SHA-256", first, (size_t)n);
}

/* The value of attribute `k` ("r", "s", "i") of a SCRAM message, into out. */
static bool scram_attr(const char *msg, char k, char *out, size_t n)
{
    for (const char *p = msg; *p;) {
        size_t l = strcspn(p, ",");
        if (l >= 2 && p[0] == k && p[1] == '=') {
            if (l - 2 >= n)
                return false;
            memcpy(out, p + 2, l - 2);
            out[l - 2] = '\0';
            return true;
        }
        p += l + (p[l] == ',');
    }
    return false;
}

size_t scan_pg_scram_final(uint8_t *out, size_t cap, const char *user, const char *nonce, const char *pw,
                           const char *server_first)
{
    char r[256], s64[256], it[16];
    if (!scram_attr(server_first, 'r', r, sizeof r) || !scram_attr(server_first, 's', s64, sizeof s64) ||
        !scram_attr(server_first, 'i', it, sizeof it) || strncmp(r, nonce, strlen(nonce)) != 0 ||
        strlen(r) == strlen(nonce))
        return 0;
    char *end;
    long iter = strtol(it, &end, 10);
    uint8_t salt[192];
    int sl = EVP_DecodeBlock(salt, (const unsigned char *)s64, (int)strlen(s64));
    if (*end || iter < 1 || iter > SCAN_SCRAM_MAX_ITER || sl <= 0)
        return 0;
    size_t s64n = strlen(s64);
    sl -= (s64n && s64[s64n - 1] == '=') + (s64n > 1 && s64[s64n - 2] == '='); /* the padding decoded as zeros */
    uint8_t salted[32], ckey[32], stored[32], sig[32], proof[32];
    unsigned int hl = 0;
    if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, sl, (int)iter, EVP_sha256(), 32, salted) != 1 ||
        !HMAC(EVP_sha256(), salted, 32, (const unsigned char *)"Client Key", 10, ckey, &hl) ||
        !EVP_Digest(ckey, 32, stored, NULL, EVP_sha256(), NULL))
        return 0;
    char without_proof[320], auth[1024];
    snprintf(without_proof, sizeof without_proof, "c=biws,r=%s", r);
    int an = snprintf(auth, sizeof auth, "n=%s,r=%s,%s,%s", user, nonce, server_first, without_proof);
    if (an < 0 || (size_t)an >= sizeof auth ||
        !HMAC(EVP_sha256(), stored, 32, (const unsigned char *)auth, (size_t)an, sig, &hl))
        return 0;
    for (int i = 0; i < 32; i++)
        proof[i] = ckey[i] ^ sig[i];
    char p64[48], final[400];
    EVP_EncodeBlock((unsigned char *)p64, proof, 32);
    int fn = snprintf(final, sizeof final, "%s,p=%s", without_proof, p64);
    if (fn < 0 || (size_t)fn >= sizeof final)
        return 0;
    return pg_sasl_msg(out, cap, NULL, final, (size_t)fn);
}

static void pg_error(const uint8_t *b, size_t bl, scan_pg *pg)
{
    char msg[128] = "", code[8] = "";
    for (size_t i = 0; i < bl && b[i];) {
        uint8_t t = b[i++];
        const uint8_t *e = memchr(b + i, 0, bl - i);
        if (!e)
            break;
        size_t fl = (size_t)(e - (b + i));
        if (t == 'M')
            scan_field_set(msg, sizeof msg, (const char *)b + i, fl);
        else if (t == 'C')
            scan_field_set(code, sizeof code, (const char *)b + i, fl);
        i += fl + 1;
    }
    snprintf(pg->error, sizeof pg->error, "%s%s%s%s", code, code[0] ? " " : "", msg, code[0] || msg[0] ? "" : "error");
}

static void pg_auth(const uint8_t *b, size_t bl, scan_pg *pg)
{
    if (bl < 4)
        return;
    int code = (int)be32(b);
    if (code == 0) {
        pg->auth = 0;
        pg->ok = true;
        return;
    }
    if (code == 11 || code == 12) { /* SASLContinue / SASLFinal: the server's SCRAM message */
        pg->auth = code;
        pg->done = code == 11;
        scan_field_set(pg->sasl_data, sizeof pg->sasl_data, (const char *)b + 4, bl - 4);
        return;
    }
    if (code != 3 && code != 5 && code != 10 && code != 7 && code != 9)
        return;
    pg->auth = code;
    pg->done = true;
    if (code == 5 && bl >= 8)
        memcpy(pg->md5_salt, b + 4, 4);
    if (code == 10) {
        size_t o = 0;
        for (size_t i = 4; i < bl && b[i];) {
            const uint8_t *e = memchr(b + i, 0, bl - i);
            size_t ml = e ? (size_t)(e - (b + i)) : bl - i;
            if (o && o + 1 < sizeof pg->sasl)
                pg->sasl[o++] = ' ';
            scan_field_set(pg->sasl + o, sizeof pg->sasl - o, (const char *)b + i, ml);
            o = strlen(pg->sasl);
            i += ml + 1;
        }
    }
}

static void pg_param(const uint8_t *b, size_t bl, scan_pg *pg)
{
    const uint8_t *e = memchr(b, 0, bl);
    if (!e || (size_t)(e - b) != 14 || memcmp(b, "server_version", 14) != 0)
        return;
    size_t vo = 15;
    if (vo >= bl)
        return;
    const uint8_t *ve = memchr(b + vo, 0, bl - vo);
    scan_field_set(pg->version, sizeof pg->version, (const char *)b + vo, ve ? (size_t)(ve - (b + vo)) : bl - vo);
}

bool scan_parse_pg(const uint8_t *p, size_t n, scan_pg *pg)
{
    memset(pg, 0, sizeof *pg);
    pg->auth = -1;
    size_t i = 0;
    bool any = false;
    while (i + 5 <= n) {
        uint8_t t = p[i];
        uint32_t len = be32(p + i + 1);
        if (len < 4 || len > 65536 || !strchr("RSEKZN", t) || !t)
            return any;
        any = true;
        if (i + 1 + len > n)
            break; /* the rest has not come yet */
        const uint8_t *b = p + i + 5;
        size_t bl = len - 4;
        if (t == 'R')
            pg_auth(b, bl, pg);
        else if (t == 'S')
            pg_param(b, bl, pg);
        else if (t == 'E') {
            pg_error(b, bl, pg);
            pg->done = true;
        } else if (t == 'Z') {
            pg->ready = pg->done = true;
        }
        i += 1 + len;
    }
    return any;
}

/* ---- MongoDB ---- */

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

size_t scan_mongo_msg(uint8_t *out, size_t cap, int32_t request_id, const char *cmd)
{
    size_t cl = strlen(cmd);
    size_t doc = 4 + (1 + cl + 1 + 4) + (1 + 4 + 4 + 6) + 1; /* {cmd: int32 1, $db: "admin"} */
    size_t len = 16 + 4 + 1 + doc;
    if (len > cap || cl > 64)
        return 0;
    uint8_t *o = out;
    put_le32(o, (uint32_t)len), put_le32(o + 4, (uint32_t)request_id), put_le32(o + 8, 0), put_le32(o + 12, 2013);
    put_le32(o + 16, 0);
    o[20] = 0;
    o += 21;
    put_le32(o, (uint32_t)doc), o += 4;
    *o++ = 0x10;
    memcpy(o, cmd, cl + 1), o += cl + 1;
    put_le32(o, 1), o += 4;
    *o++ = 0x02;
    memcpy(o, "$db", 4), o += 4;
    put_le32(o, 6), o += 4;
    memcpy(o, "admin", 6), o += 6;
    *o++ = 0;
    return (size_t)(o - out);
}

bool scan_mongo_done(const uint8_t *p, size_t n)
{
    return n >= 16 && le32(p) <= n;
}

#define BSON_EMPTY ((size_t)-1) /* a value with no bytes (null, min/max key) */

/* The size of one BSON value of type t at v (left bytes available); 0 when malformed. */
static size_t bson_value_size(uint8_t t, const uint8_t *v, size_t left)
{
    switch (t) {
    case 0x01: case 0x09: case 0x11: case 0x12: return left >= 8 ? 8 : 0;
    case 0x10: return left >= 4 ? 4 : 0;
    case 0x08: return left >= 1 ? 1 : 0;
    case 0x07: return left >= 12 ? 12 : 0;
    case 0x13: return left >= 16 ? 16 : 0;
    case 0x0A: case 0xFF: case 0x7F: return BSON_EMPTY;
    case 0x02: case 0x0D: case 0x0E: {
        if (left < 4)
            return 0;
        uint32_t l = le32(v);
        return l >= 1 && l <= left - 4 ? 4 + l : 0;
    }
    case 0x03: case 0x04: {
        if (left < 5)
            return 0;
        uint32_t l = le32(v);
        return l >= 5 && l <= left ? l : 0;
    }
    case 0x05: {
        if (left < 5)
            return 0;
        uint32_t l = le32(v);
        return l <= left - 5 ? 5 + l : 0;
    }
    default: return 0;
    }
}

static bool bson_truthy(uint8_t t, const uint8_t *v)
{
    if (t == 0x01) {
        double d;
        memcpy(&d, v, 8);
        return d != 0;
    }
    if (t == 0x10)
        return le32(v) != 0;
    if (t == 0x12)
        return le32(v) || le32(v + 4);
    if (t == 0x08)
        return v[0] != 0;
    return false;
}

static void bson_elem(const char *key, uint8_t t, const uint8_t *v, size_t vs, scan_mongo *m)
{
    if (strcmp(key, "ok") == 0)
        m->ok = bson_truthy(t, v);
    else if (strcmp(key, "code") == 0 && t == 0x10)
        m->code = (int)le32(v);
    else if (strcmp(key, "maxWireVersion") == 0 && t == 0x10)
        m->max_wire = (int)le32(v);
    else if (strcmp(key, "databases") == 0 && t == 0x04)
        m->databases = true;
    else if ((strcmp(key, "errmsg") == 0 || strcmp(key, "version") == 0) && t == 0x02 && vs > 4) {
        char *dst = key[0] == 'e' ? m->errmsg : m->version;
        size_t cap = key[0] == 'e' ? sizeof m->errmsg : sizeof m->version;
        scan_field_set(dst, cap, (const char *)v + 4, vs - 5);
    }
}

/* Walks the top level of one document. */
static bool bson_walk(const uint8_t *d, size_t n, scan_mongo *m)
{
    if (n < 5)
        return false;
    uint32_t dl = le32(d);
    if (dl < 5 || dl > n)
        return false;
    size_t i = 4, end = dl - 1;
    while (i < end) {
        uint8_t t = d[i++];
        const uint8_t *ke = memchr(d + i, 0, end - i);
        if (!ke)
            return false;
        char key[32];
        scan_field_set(key, sizeof key, (const char *)d + i, (size_t)(ke - (d + i)));
        i = (size_t)(ke - d) + 1;
        size_t vs = bson_value_size(t, d + i, end - i);
        if (vs == BSON_EMPTY)
            vs = 0;
        else if (!vs)
            return false;
        bson_elem(key, t, d + i, vs, m);
        i += vs;
    }
    return true;
}

bool scan_parse_mongo(const uint8_t *p, size_t n, scan_mongo *m)
{
    memset(m, 0, sizeof *m);
    m->max_wire = -1;
    if (n < 16)
        return false;
    uint32_t len = le32(p), op = le32(p + 12);
    if (len < 16 || len > 48u * 1024 * 1024)
        return false;
    if (len < n)
        n = len;
    if (op == 2013) {
        if (n < 21 || p[20] != 0)
            return false;
        return bson_walk(p + 21, n - 21, m);
    }
    if (op == 1) {
        if (n < 36)
            return false;
        return bson_walk(p + 36, n - 36, m);
    }
    return false;
}

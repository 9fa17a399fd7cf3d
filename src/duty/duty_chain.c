/* The duty log's chain arithmetic: canonical form, plain and keyed links, the sequence digest
 * and the checkpoint message (design in duty.h). No I/O. */
#include "duty/duty.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "core/kw_json.h"

const char *duty_scheme_name(int scheme) { return scheme == DUTY_SCHEME_HMAC ? "hmac-sha256" : "sha256"; }

int duty_scheme_parse(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "sha256"))
        return DUTY_SCHEME_SHA256;
    return !strcmp(s, "hmac-sha256") ? DUTY_SCHEME_HMAC : -1;
}

void duty_hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Keys in this order, nulls for what is absent: the form every release hashes. */
void duty_canonical(const duty_entry *e, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "id", e->id);
    kw_json_kv_int(&j, "ts", e->ts_ms);
    kw_json_kv_str(&j, "kind", e->kind);
    kw_json_kv_str(&j, "actor", e->actor);
    kw_json_key(&j, "alert");
    if (e->alert_id)
        kw_json_int(&j, e->alert_id);
    else
        kw_json_null(&j);
    kw_json_kv_str(&j, "text", e->text);
    kw_json_kv_str(&j, "prev", e->prev_hash);
    kw_json_obj_end(&j);
}

static void canonical_sha256(const duty_entry *e, unsigned char md[32])
{
    kw_buf b;
    kw_buf_init(&b, 0);
    duty_canonical(e, &b);
    unsigned n = 0;
    EVP_Digest(b.data ? b.data : "", b.len, md, &n, EVP_sha256(), NULL);
    kw_buf_free(&b);
}

void duty_link_plain(const duty_entry *e, char out[65])
{
    unsigned char md[32];
    canonical_sha256(e, md);
    duty_hex(md, 32, out);
}

void duty_link_keyed(const duty_entry *e, const unsigned char key[32], char out[65])
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, e->prev_hash ? e->prev_hash : "");
    duty_canonical(e, &b);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    HMAC(EVP_sha256(), key, 32, (const unsigned char *)kw_buf_cstr(&b), b.len, md, &n);
    duty_hex(md, 32, out);
    kw_buf_free(&b);
}

void duty_digest_add(unsigned char d[32], const duty_entry *e)
{
    unsigned char buf[64];
    memcpy(buf, d, 32);
    canonical_sha256(e, buf + 32);
    unsigned n = 0;
    EVP_Digest(buf, sizeof buf, d, &n, EVP_sha256(), NULL);
}

void duty_checkpoint_message(const duty_checkpoint *c, kw_buf *out)
{
    kw_buf_printf(out, "keepwatch-duty-v1|%lld|%s|%lld|%lld|%s|%lld", (long long)c->seq, c->head,
                  (long long)c->ts_ms, (long long)c->from, c->digest, (long long)c->legacy);
}

bool duty_head_parse(const char *s, int64_t *seq, char hex[65])
{
    const char *colon = s ? strchr(s, ':') : NULL;
    if (!colon || colon == s || colon - s > 18)
        return false;
    int64_t v = 0;
    for (const char *p = s; p < colon; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    size_t n = strlen(colon + 1);
    if (v <= 0 || n < 8 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = colon[1 + i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        hex[i] = c;
    }
    hex[n] = '\0';
    *seq = v;
    return true;
}

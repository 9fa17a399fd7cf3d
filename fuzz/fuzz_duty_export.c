/* libFuzzer target for src/duty/duty_export.c: the input is checked as a JSON-lines export of
 * the duty log under a fixed Ed25519 public key (the seeds are exports signed with its private
 * key, so checkpoints verify and the chain checks past them are reached), with a published head
 * taken from the input's first bytes; and read as a SEQ:HEX head. */
#include "duty/duty.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

/* The seeds' signing key: Ed25519 from this 32-byte seed (the corpus was made with it). */
static const unsigned char seed[32] = "keepwatch-fuzz-duty-export-seed";

static duty_pub *fixed_pub(void)
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof seed);
    BIO *b = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long n = k && b && PEM_write_bio_PUBKEY(b, k) ? BIO_get_mem_data(b, &pem) : 0;
    duty_pub *p = n > 0 ? duty_pub_from_pem(pem, (size_t)n) : NULL;
    BIO_free(b);
    EVP_PKEY_free(k);
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static duty_pub *pub;
    if (!pub && !(pub = fixed_pub()))
        abort();
    if (size > (4u << 20))
        return 0;
    char head[80];
    size_t hn = size < sizeof head - 1 ? size : sizeof head - 1;
    memcpy(head, data, hn);
    head[hn] = '\0';
    int64_t seq = 0;
    char hex[65] = "";
    if (duty_head_parse(head, &seq, hex) && (seq <= 0 || strlen(hex) < 8 || strlen(hex) > 64))
        abort();
    duty_export_result r;
    kw_rc rc = duty_export_verify((const char *)data, size, pub, seq ? seq : 3, seq ? hex : "00000000", &r);
    if (rc == KW_OK && r.bad_id == 0 && r.entries && (r.signed_from != r.first_id || r.signed_to != r.last_id))
        abort(); /* intact means covered by signatures from end to end */
    if (rc == KW_OK && r.head_ok && !r.head_found)
        abort();
    return 0;
}

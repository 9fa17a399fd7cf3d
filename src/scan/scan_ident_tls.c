/* Service identification over TLS: deadline-bounded non-blocking handshakes (OpenSSL at
 * security level 0, so that old protocols and weak ciphers can be asked for), the service
 * inside, and the weak-TLS findings: TLS 1.0 and 1.1 accepted, each weak cipher class accepted,
 * and the certificate's details (expired, self-signed, not for the name, short key). */
#include "scan/scan_ident_int.h"

#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A handshake that succeeds only if the server accepts what is asked; the evidence names what
 * was negotiated. */
static bool tls_accepts(si_port *sp, int min_proto, int max_proto, const char *ciphers, char *ev, size_t evn)
{
    si_conn c;
    if (!si_connect(sp, &c))
        return false;
    bool ok = si_tls_handshake(sp, &c, min_proto, max_proto, ciphers);
    if (ok)
        snprintf(ev, evn, "ClientHello offering only %s (%s); the server completed the handshake with %s %s",
                 ciphers ? ciphers : "ALL", max_proto == TLS1_VERSION ? "TLS 1.0" : max_proto == TLS1_1_VERSION ? "TLS 1.1" : "up to TLS 1.2",
                 SSL_get_version(c.ssl), SSL_get_cipher_name(c.ssl));
    si_close(&c);
    return ok;
}

static void tls_weak_protocols(si_port *sp)
{
    char ev[256];
    if (tls_accepts(sp, TLS1_VERSION, TLS1_VERSION, NULL, ev, sizeof ev))
        si_emit(sp, SI_TLS10, NULL, ev, NULL, 0);
    if (tls_accepts(sp, TLS1_1_VERSION, TLS1_1_VERSION, NULL, ev, sizeof ev))
        si_emit(sp, SI_TLS11, NULL, ev, NULL, 0);
}

/* The suites of each weak class (IANA TLS Cipher Suites registry). */
static const uint16_t rc4[] = {0x0004, 0x0005, 0xc011, 0xc007, 0x008a, 0x0092};
static const uint16_t des3[] = {0x000a, 0x0016, 0x0013, 0xc012, 0xc008, 0x008b, 0xc01a};
static const uint16_t null_enc[] = {0x0001, 0x0002, 0x003b, 0xc010, 0xc006, 0x002c, 0x00b0};
static const uint16_t export_suites[] = {0x0003, 0x0006, 0x0008, 0x000b, 0x000e, 0x0011, 0x0014, 0x0062, 0x0063, 0x0064};
static const uint16_t anon[] = {0x0018, 0x001b, 0x0034, 0x003a, 0x006c, 0x006d, 0x00a6, 0x00a7, 0xc018, 0xc019, 0xc017};

static bool has_suite(const uint16_t *s, size_t n, unsigned suite)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == suite)
            return true;
    return false;
}

static bool tls_record_done(const uint8_t *p, size_t n)
{
    return n >= 5 && n >= 5 + ((size_t)p[3] << 8 | p[4]);
}

static void tls_weak_ciphers(si_port *sp)
{
    static const struct {
        const uint16_t *suites;
        size_t n;
        const char *name;
        si_check check;
    } weak[] = {
        {rc4, sizeof rc4 / 2, "RC4", SI_CIPHER_RC4}, {des3, sizeof des3 / 2, "3DES", SI_CIPHER_3DES},
        {null_enc, sizeof null_enc / 2, "NULL", SI_CIPHER_NULL},
        {export_suites, sizeof export_suites / 2, "EXPORT", SI_CIPHER_EXPORT},
        {anon, sizeof anon / 2, "anonymous (aNULL)", SI_CIPHER_ANON},
    };
    uint8_t hello[512], buf[4096];
    for (size_t i = 0; i < sizeof weak / sizeof weak[0] && si_left(sp); i++) {
        size_t hn = scan_tls_client_hello(hello, sizeof hello, 0x0303, weak[i].suites, weak[i].n, si_tls_host(sp));
        bool inner = sp->tls_inner;
        sp->tls_inner = false; /* the hello goes on a plain connection */
        size_t n = si_ask(sp, hello, hn, buf, sizeof buf, tls_record_done);
        sp->tls_inner = inner;
        scan_tls_answer a;
        if (!scan_parse_tls_answer(buf, n, &a) || !a.server_hello || !has_suite(weak[i].suites, weak[i].n, a.suite))
            continue;
        char sent[160];
        snprintf(sent, sizeof sent, "ClientHello (TLS 1.2) offering only %s suites; the ServerHello chose suite 0x%04x, version 0x%04x",
                 weak[i].name, a.suite, a.version);
        si_emit(sp, weak[i].check, NULL, sent, buf, n > 64 ? 64 : n);
    }
}

/* "CN=localhost, O=Example" of a name. */
static void name_str(X509_NAME *n, char *out, size_t cap)
{
    out[0] = 0;
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return;
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char tmp[512];
    int l = BIO_read(b, tmp, sizeof tmp - 1);
    BIO_free(b);
    scan_field_set(out, cap, tmp, l > 0 ? (size_t)l : 0);
}

/* "DNS:a.example DNS:b.example IP:127.0.0.1". */
static void sans_str(X509 *cert, char *out, size_t cap)
{
    out[0] = 0;
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    size_t o = 0;
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char one[128] = "";
        if (g->type == GEN_DNS) {
            const ASN1_STRING *s = g->d.dNSName;
            char v[100];
            scan_field_set(v, sizeof v, (const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
            snprintf(one, sizeof one, "DNS:%s", v);
        } else if (g->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *s = g->d.iPAddress;
            char v[64] = "";
            int len = ASN1_STRING_length(s);
            inet_ntop(len == 16 ? AF_INET6 : AF_INET, ASN1_STRING_get0_data(s), v, sizeof v);
            if (len == 4 || len == 16)
                snprintf(one, sizeof one, "IP:%s", v);
        }
        if (one[0] && o + strlen(one) + 2 < cap)
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " " : "", one);
    }
    GENERAL_NAMES_free(names);
}

static void time_str(const ASN1_TIME *t, char *out, size_t cap)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm)) {
        snprintf(out, cap, "?");
        return;
    }
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

typedef struct cert_facts {
    char subject[160], issuer[160], sans[256], not_after[32];
    int bits;
    bool expired, self_signed, mismatch, weak_key;
    char key_type[16];
} cert_facts;

static void cert_read(si_port *sp, X509 *cert, cert_facts *f)
{
    memset(f, 0, sizeof *f);
    name_str(X509_get_subject_name(cert), f->subject, sizeof f->subject);
    name_str(X509_get_issuer_name(cert), f->issuer, sizeof f->issuer);
    sans_str(cert, f->sans, sizeof f->sans);
    time_str(X509_get0_notAfter(cert), f->not_after, sizeof f->not_after);
    f->expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    f->self_signed = X509_check_issued(cert, cert) == X509_V_OK && pk && X509_verify(cert, pk) == 1;
    const char *h = si_tls_host(sp);
    f->mismatch = si_is_ip(h) ? X509_check_ip_asc(cert, h, 0) != 1 : X509_check_host(cert, h, 0, 0, NULL) != 1;
    if (pk) {
        int id = EVP_PKEY_get_base_id(pk);
        f->bits = EVP_PKEY_get_bits(pk);
        snprintf(f->key_type, sizeof f->key_type, "%s", id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "EC" : id == EVP_PKEY_DSA ? "DSA" : "key");
        f->weak_key = ((id == EVP_PKEY_RSA || id == EVP_PKEY_DSA) && f->bits < 2048) || (id == EVP_PKEY_EC && f->bits < 224);
    }
    ERR_clear_error();
}

static void cert_findings(si_port *sp, const cert_facts *f)
{
    char ev[768], detail[320];
    snprintf(ev, sizeof ev, "certificate subject %s; issuer %s; SAN %s; not after %s; %s %d bits",
             f->subject, f->issuer, f->sans[0] ? f->sans : "(none)", f->not_after, f->key_type, f->bits);
    if (f->expired) {
        snprintf(detail, sizeof detail, "It expired at %s.", f->not_after);
        si_emit(sp, SI_CERT_EXPIRED, detail, ev, NULL, 0);
    }
    if (f->self_signed)
        si_emit(sp, SI_CERT_SELF_SIGNED, NULL, ev, NULL, 0);
    if (f->mismatch) {
        snprintf(detail, sizeof detail, "The name scanned, %s, is neither its subject's CN nor among its SANs.", si_tls_host(sp));
        si_emit(sp, SI_CERT_MISMATCH, detail, ev, NULL, 0);
    }
    if (f->weak_key) {
        snprintf(detail, sizeof detail, "Its %s key has %d bits.", f->key_type, f->bits);
        si_emit(sp, SI_CERT_WEAK_KEY, detail, ev, NULL, 0);
    }
}

/* Appends "; s" (or s to an empty info), cut to fit. */
static void info_append(char *info, size_t cap, const char *s)
{
    size_t il = strlen(info);
    if (il && il + 2 < cap)
        memcpy(info + il, "; ", 3), il += 2;
    kw_strlcpy(info + il, s, cap - il);
}

/* The ports whose service inside TLS talks first (IMAPS, POP3S, SMTPS, FTPS). */
static bool inner_talks_first(int port)
{
    return port == 993 || port == 995 || port == 465 || port == 990;
}

/* The service inside the first handshake's connection. */
static void tls_inner(si_port *sp, si_conn *c)
{
    if (inner_talks_first(sp->port)) {
        uint8_t buf[2048];
        size_t n = si_read(sp, c, buf, sizeof buf, sp->read_ms, scan_line_done);
        scan_service s = *sp->out;
        if (n && scan_ident_guess(buf, n, &s)) {
            *sp->out = s;
            sp->named = true;
        }
        si_close(c);
        return;
    }
    si_close(c);
    if (sp->inner_family)
        sp->inner_family(sp);
}

bool si_family_tls(si_port *sp)
{
    si_conn c;
    if (!si_connect(sp, &c))
        return false;
    if (!si_tls_handshake(sp, &c, 0, 0, NULL)) {
        si_close(&c);
        return false;
    }
    cert_facts f;
    char proto[96];
    X509 *cert = SSL_get1_peer_certificate(c.ssl);
    bool have_cert = cert != NULL;
    if (cert)
        cert_read(sp, cert, &f);
    X509_free(cert);
    snprintf(proto, sizeof proto, "%s %s", SSL_get_version(c.ssl), SSL_get_cipher_name(c.ssl));
    sp->out->tls = true;
    sp->tls_inner = true;
    tls_inner(sp, &c);
    si_name(sp, "ssl", NULL);
    sp->out->tls = true;
    char tls_info[SCAN_INFO_MAX + 8];
    snprintf(tls_info, sizeof tls_info, "%.95s%s%.150s", proto, have_cert ? "; cert " : "", have_cert ? f.subject : "");
    info_append(sp->out->info, sizeof sp->out->info, tls_info);
    if (have_cert)
        cert_findings(sp, &f);
    tls_weak_protocols(sp);
    tls_weak_ciphers(sp);
    return true;
}

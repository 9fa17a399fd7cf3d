/* TLS records built and read by hand for the weak-cipher probes (RFC 5246 7.4.1.2 and 7.4.1.3):
 * a ClientHello offering exactly the suites of one weak class, and the ServerHello or alert a
 * server answers with. Local TLS libraries no longer implement RC4, 3DES, EXPORT or NULL
 * suites, but a ServerHello that picks one proves the server would use it. Pure. */
#include "scan/scan_ident_parse.h"

#include <arpa/inet.h>
#include <string.h>

typedef struct wbuf {
    uint8_t *p;
    size_t n, cap;
    bool full;
} wbuf;

static void put(wbuf *w, const void *v, size_t n)
{
    if (w->full || n > w->cap - w->n) {
        w->full = true;
        return;
    }
    memcpy(w->p + w->n, v, n);
    w->n += n;
}

static void put8(wbuf *w, unsigned v) { uint8_t b = (uint8_t)v; put(w, &b, 1); }
static void put16(wbuf *w, unsigned v) { uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v}; put(w, b, 2); }

/* Writes a 16-bit (or 24-bit) length at `at` for what follows up to the end. */
static void fix_len(wbuf *w, size_t at, int bytes)
{
    if (w->full)
        return;
    size_t len = w->n - at - (size_t)bytes;
    for (int i = bytes - 1; i >= 0; i--, len >>= 8)
        w->p[at + (size_t)i] = (uint8_t)len;
}

static bool is_name(const char *s)
{
    unsigned char b[16];
    return s && s[0] && strlen(s) < 254 && inet_pton(AF_INET, s, b) != 1 && inet_pton(AF_INET6, s, b) != 1;
}

static void extensions(wbuf *w, const char *sni)
{
    size_t at = w->n;
    put16(w, 0);
    if (is_name(sni)) {
        size_t sl = strlen(sni);
        put16(w, 0x0000), put16(w, sl + 5), put16(w, sl + 3), put8(w, 0), put16(w, sl), put(w, sni, sl);
    }
    static const uint8_t groups[] = {0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18};
    static const uint8_t points[] = {0x00, 0x0b, 0x00, 0x02, 0x01, 0x00};
    static const uint8_t sigalgs[] = {0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0c, 0x04, 0x01, 0x04, 0x03, 0x08,
                                      0x04, 0x05, 0x01, 0x02, 0x01, 0x02, 0x03};
    static const uint8_t reneg[] = {0xff, 0x01, 0x00, 0x01, 0x00};
    put(w, groups, sizeof groups);
    put(w, points, sizeof points);
    put(w, sigalgs, sizeof sigalgs);
    put(w, reneg, sizeof reneg);
    fix_len(w, at, 2);
}

size_t scan_tls_client_hello(uint8_t *out, size_t cap, unsigned version, const uint16_t *suites, size_t nsuites,
                             const char *sni)
{
    wbuf w = {out, 0, cap, false};
    if (!nsuites || nsuites > 128)
        return 0;
    put8(&w, 0x16), put16(&w, 0x0301);
    size_t rec = w.n;
    put16(&w, 0);
    put8(&w, 0x01);
    size_t hs = w.n;
    put8(&w, 0), put16(&w, 0);
    put16(&w, version);
    uint8_t random[32];
    for (int i = 0; i < 32; i++)
        random[i] = (uint8_t)(0x5a ^ (i * 37)); /* a probe's random needs no secrecy */
    put(&w, random, 32);
    put8(&w, 0); /* no session id */
    put16(&w, (unsigned)nsuites * 2);
    for (size_t i = 0; i < nsuites; i++)
        put16(&w, suites[i]);
    put8(&w, 1), put8(&w, 0); /* compression: null */
    extensions(&w, sni);
    fix_len(&w, hs, 3);
    fix_len(&w, rec, 2);
    return w.full ? 0 : w.n;
}

bool scan_parse_tls_answer(const uint8_t *p, size_t n, scan_tls_answer *a)
{
    memset(a, 0, sizeof *a);
    a->alert = -1;
    if (n < 7 || p[1] != 0x03)
        return false;
    size_t rl = (size_t)p[3] << 8 | p[4];
    if (p[0] == 0x15) {
        if (rl < 2)
            return false;
        a->alert = p[6];
        return true;
    }
    if (p[0] != 0x16 || rl < 4 || n < 5 + 4 || p[5] != 0x02)
        return false;
    const uint8_t *h = p + 9;
    size_t avail = n - 9 < rl - 4 ? n - 9 : rl - 4;
    size_t hl = (size_t)p[6] << 16 | (size_t)p[7] << 8 | p[8];
    if (hl < avail)
        avail = hl;
    if (avail < 2 + 32 + 1)
        return false;
    size_t sid = h[34];
    if (avail < 35 + sid + 3)
        return false;
    a->server_hello = true;
    a->version = (unsigned)h[0] << 8 | h[1];
    a->suite = (unsigned)h[35 + sid] << 8 | h[36 + sid];
    return true;
}

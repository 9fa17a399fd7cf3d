/* HTTP/1.x on the wire: the request (request line, target decoding, headers with obs-fold,
 * the well-known headers, Basic credentials, the body's start with chunked decoding) and the
 * response's status line and headers. Works on a prefix of the stream; no I/O, no
 * allocation (decoded bytes go to the caller's scratch). */
#include "net/net_proto_int.h"
#include "core/kw_ascii.h"

#include <string.h>

/* A bump allocator over the caller's scratch buffer. */
typedef struct http_scratch {
    uint8_t *p;
    size_t cap, len;
    uint32_t *flags;
} http_scratch;

/* Room for k more bytes, or NULL (and the flag) when scratch is full. */
static uint8_t *sc_room(http_scratch *sc, size_t k)
{
    if (!sc->p || k > sc->cap - sc->len) {
        *sc->flags |= NET_HTTP_F_SCRATCH_FULL;
        return NULL;
    }
    return sc->p + sc->len;
}

/* Appends what fits of s[0..k); returns how much did. */
static size_t sc_append(http_scratch *sc, const uint8_t *s, size_t k)
{
    size_t room = sc->p ? sc->cap - sc->len : 0;
    if (k > room) {
        *sc->flags |= NET_HTTP_F_SCRATCH_FULL;
        k = room;
    }
    if (k)
        memcpy(sc->p + sc->len, s, k);
    sc->len += k;
    return k;
}

static bool is_pct(const uint8_t *s, size_t i, size_t n)
{
    return s[i] == '%' && i + 2 < n && kw_hexval(s[i + 1]) >= 0 && kw_hexval(s[i + 2]) >= 0;
}

/* One percent-decoding pass from s[0..n) to d (which may be s: d never overtakes s).
 * Returns the decoded length; *again says a %XX is left to decode. */
static size_t pct_pass(const uint8_t *s, size_t n, uint8_t *d, bool plus, uint32_t *flags, bool *again)
{
    size_t w = 0;
    *again = false;
    for (size_t i = 0; i < n; i++) {
        if (is_pct(s, i, n)) {
            d[w++] = (uint8_t)(kw_hexval(s[i + 1]) << 4 | kw_hexval(s[i + 2]));
            i += 2;
        } else {
            if (s[i] == '%')
                *flags |= NET_HTTP_F_URI_BAD_PCT;
            d[w++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    for (size_t i = 0; i < w; i++)
        if (is_pct(d, i, w))
            *again = true;
    return w;
}

/* Decodes s[0..n) into scratch: up to three passes while %XX remains (%2527 -> '). */
static net_slice pct_decode(http_scratch *sc, const uint8_t *s, size_t n, bool plus)
{
    uint8_t *d = sc_room(sc, n);
    if (!d) {
        size_t room = sc->p ? sc->cap - sc->len : 0;
        n = room;
        d = sc->p ? sc->p + sc->len : NULL;
        if (!d)
            return (net_slice){0};
    }
    bool again;
    size_t w = pct_pass(s, n, d, plus, sc->flags, &again);
    for (int pass = 1; again && pass < 3; pass++) {
        *sc->flags |= NET_HTTP_F_URI_MULTI_ENC;
        w = pct_pass(d, w, d, false, sc->flags, &again);
    }
    if (memchr(d, 0, w))
        *sc->flags |= NET_HTTP_F_URI_NUL;
    sc->len += w;
    return (net_slice){d, w};
}

size_t net_http_form_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
    if (n > cap)
        n = cap; /* decoding only shrinks: what fits of the input fits decoded */
    uint32_t flags = 0;
    bool again;
    size_t w = pct_pass(s, n, out, true, &flags, &again);
    for (int pass = 1; again && pass < 3; pass++)
        w = pct_pass(out, w, out, false, &flags, &again);
    return w;
}

static bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static net_slice trim(const uint8_t *p, size_t a, size_t b)
{
    while (a < b && is_ows(p[a]))
        a++;
    while (b > a && is_ows(p[b - 1]))
        b--;
    return (net_slice){p + a, b - a};
}

static bool ieq_prefix(net_slice s, const char *lit)
{
    size_t k = strlen(lit);
    return s.n >= k && net_slice_ieq((net_slice){s.p, k}, lit);
}

/* ---- headers ---- */

typedef struct hdr_ctx {
    const uint8_t *p;
    size_t n, pos;
    net_http_headers *hs;
    http_scratch *sc;        /* NULL: folded values stay raw */
    uint32_t *flags;
    net_proto_why *why;
} hdr_ctx;

static net_proto_rc hdr_line(hdr_ctx *c, size_t *end, size_t *next)
{
    bool bare = false;
    net_proto_rc rc = net_proto_line(c->p, c->n, c->pos, NET_HTTP_MAX_LINE, end, next, &bare);
    if (bare)
        *c->flags |= NET_HTTP_F_BARE_LF;
    if (rc == NET_PROTO_MALFORMED)
        *c->why = NET_WHY_HTTP_LINE_TOO_LONG;
    return rc;
}

/* Joins the continuation lines after a folded header's first line into scratch. */
static net_proto_rc hdr_unfold(hdr_ctx *c, net_http_header *h)
{
    const uint8_t *start = h->value.p;
    size_t mark = c->sc ? c->sc->len : 0;
    if (c->sc)
        sc_append(c->sc, h->value.p, h->value.n);
    *c->flags |= NET_HTTP_F_FOLDED;
    while (c->pos < c->n && is_ows(c->p[c->pos])) {
        size_t end, next;
        net_proto_rc rc = hdr_line(c, &end, &next);
        if (rc != NET_PROTO_OK)
            return rc;
        net_slice more = trim(c->p, c->pos, end);
        if (c->sc) {
            sc_append(c->sc, (const uint8_t *)" ", 1);
            sc_append(c->sc, more.p, more.n);
        } else {
            h->value.n = (size_t)(more.p + more.n - start);
        }
        c->pos = next;
    }
    if (c->sc && c->sc->p)
        h->value = (net_slice){c->sc->p + mark, c->sc->len - mark};
    return NET_PROTO_OK;
}

/* One header line at c->pos (not empty, not a continuation). */
static net_proto_rc hdr_one(hdr_ctx *c, size_t end, size_t next)
{
    const uint8_t *colon = memchr(c->p + c->pos, ':', end - c->pos);
    size_t i = c->pos;
    while (colon && i < (size_t)(colon - c->p) && net_proto_is_tchar(c->p[i]))
        i++;
    if (!colon || i == c->pos || i != (size_t)(colon - c->p)) {
        *c->why = NET_WHY_HTTP_HEADER_SYNTAX;
        return NET_PROTO_MALFORMED;
    }
    net_http_header h = {{c->p + c->pos, i - c->pos}, trim(c->p, i + 1, end)};
    c->pos = next;
    net_proto_rc rc = NET_PROTO_OK;
    if (c->pos < c->n && is_ows(c->p[c->pos]))
        rc = hdr_unfold(c, &h);
    if (++c->hs->seen > NET_HTTP_MAX_HEADERS) {
        *c->why = NET_WHY_HTTP_TOO_MANY_HEADERS;
        return NET_PROTO_MALFORMED;
    }
    c->hs->h[c->hs->n++] = h;
    return rc;
}

/* Reads header lines up to and including the empty line. */
static net_proto_rc hdr_block(hdr_ctx *c)
{
    for (;;) {
        size_t end, next;
        net_proto_rc rc = hdr_line(c, &end, &next);
        if (rc != NET_PROTO_OK)
            return rc;
        if (end == c->pos) {
            c->pos = next;
            *c->flags |= NET_HTTP_F_HEADERS_DONE;
            return NET_PROTO_OK;
        }
        if (is_ows(c->p[c->pos])) {
            *c->why = NET_WHY_HTTP_HEADER_SYNTAX;  /* a fold with nothing to continue */
            return NET_PROTO_MALFORMED;
        }
        rc = hdr_one(c, end, next);
        if (rc != NET_PROTO_OK)
            return rc;
    }
}

/* Content-Length: digits only, at most 18 of them; two that differ are a lie. */
static bool content_length(net_slice v, bool *has, uint64_t *cl)
{
    uint64_t x = 0;
    if (v.n == 0 || v.n > 18)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(v.p[i] - '0');
    }
    if (*has && *cl != x)
        return false;
    *has = true;
    *cl = x;
    return true;
}

static bool te_chunked(net_slice v)
{
    static const char ch[] = "chunked";
    size_t k = sizeof ch - 1;
    if (v.n < k || !net_slice_ieq((net_slice){v.p + v.n - k, k}, ch))
        return false;
    return v.n == k || v.p[v.n - k - 1] == ',' || is_ows(v.p[v.n - k - 1]);
}

/* Content-Length and Transfer-Encoding over the headers kept. */
static bool hdr_framing(const net_http_headers *hs, bool *has_cl, uint64_t *cl, uint32_t *flags)
{
    bool te = false;
    for (size_t i = 0; i < hs->n; i++) {
        const net_http_header *h = &hs->h[i];
        if (net_slice_ieq(h->name, "content-length") && !content_length(h->value, has_cl, cl))
            return false;
        if (net_slice_ieq(h->name, "transfer-encoding")) {
            te = true;
            if (te_chunked(h->value))
                *flags |= NET_HTTP_F_CHUNKED;
        }
    }
    if (te && *has_cl)
        *flags |= NET_HTTP_F_CL_AND_TE;
    return true;
}

/* ---- request ---- */

static bool is_method_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

static bool parse_version(net_slice v, uint8_t *major, uint8_t *minor)
{
    if (v.n != 8 || memcmp(v.p, "HTTP/", 5) != 0 || v.p[6] != '.' || v.p[5] < '0' || v.p[5] > '9' ||
        v.p[7] < '0' || v.p[7] > '9')
        return false;
    *major = (uint8_t)(v.p[5] - '0');
    *minor = (uint8_t)(v.p[7] - '0');
    return true;
}

/* Splits the raw target into path and query (absolute-form: the path follows the authority). */
static void target_split(net_http_req *r)
{
    net_slice t = r->target;
    size_t ps = 0;
    if (ieq_prefix(t, "http://") || ieq_prefix(t, "https://")) {
        ps = ieq_prefix(t, "http://") ? 7 : 8;
        while (ps < t.n && t.p[ps] != '/' && t.p[ps] != '?')
            ps++;
    }
    const uint8_t *q = ps < t.n ? memchr(t.p + ps, '?', t.n - ps) : NULL;
    size_t pe = q ? (size_t)(q - t.p) : t.n;
    r->path = (net_slice){t.p + ps, pe - ps};
    if (q)
        r->query = (net_slice){q + 1, t.n - pe - 1};
}

static void target_decode(net_http_req *r, http_scratch *sc)
{
    size_t mark = sc->len;
    r->dpath = pct_decode(sc, r->path.p, r->path.n, false);
    if (r->query.p && sc_append(sc, (const uint8_t *)"?", 1) == 1)
        r->dquery = pct_decode(sc, r->query.p, r->query.n, true);
    if (sc->p)
        r->dtarget = (net_slice){sc->p + mark, sc->len - mark};
}

/* The method, at most NET_HTTP_MAX_METHOD upper-case letters, '-' or '_', then a space. */
static net_proto_rc req_method(const uint8_t *p, size_t n, net_http_req *r)
{
    size_t i = 0;
    while (i < n && i <= NET_HTTP_MAX_METHOD && is_method_char(p[i]))
        i++;
    if (i > NET_HTTP_MAX_METHOD)
        return NET_PROTO_NOT_MINE;
    if (i == n)
        return NET_PROTO_PARTIAL;
    if (i == 0 || p[i] != ' ')
        return NET_PROTO_NOT_MINE;
    r->method = (net_slice){p, i};
    return NET_PROTO_OK;
}

/* The request line; *pos is set after it. */
static net_proto_rc req_line(const uint8_t *p, size_t n, net_http_req *r, http_scratch *sc, size_t *pos)
{
    net_proto_rc rc = req_method(p, n, r);
    if (rc != NET_PROTO_OK)
        return rc;
    size_t ts = r->method.n + 1, end, next;
    bool bare = false;
    rc = net_proto_line(p, n, 0, NET_HTTP_MAX_LINE, &end, &next, &bare);
    if (bare)
        r->flags |= NET_HTTP_F_BARE_LF;
    if (rc == NET_PROTO_MALFORMED)
        r->why = NET_WHY_HTTP_LINE_TOO_LONG;
    if (rc != NET_PROTO_OK) {
        const uint8_t *sp = ts < n ? memchr(p + ts, ' ', n - ts) : NULL;
        r->target = (net_slice){p + ts, (sp ? (size_t)(sp - p) : n) - ts};
        target_split(r);
        return rc;
    }
    size_t vs = end;
    while (vs > ts && p[vs - 1] != ' ')
        vs--;
    if (vs <= ts + 1 || end < ts) {
        r->why = NET_WHY_HTTP_REQUEST_LINE;
        return NET_PROTO_MALFORMED;
    }
    r->target = (net_slice){p + ts, vs - 1 - ts};
    r->version = (net_slice){p + vs, end - vs};
    target_split(r);
    target_decode(r, sc);
    if (!parse_version(r->version, &r->major, &r->minor)) {
        r->why = NET_WHY_HTTP_VERSION;
        return NET_PROTO_MALFORMED;
    }
    *pos = next;
    return NET_PROTO_OK;
}

static void req_basic(net_http_req *r, http_scratch *sc)
{
    net_slice a = r->authorization;
    if (!ieq_prefix(a, "basic "))
        return;
    net_slice b64 = trim(a.p, 6, a.n);
    size_t cap = b64.n / 4 * 3 + 3, len = 0;
    uint8_t *d = sc_room(sc, cap);
    if (!d)
        return;
    if (!net_base64_decode(b64.p, b64.n, d, cap, &len)) {
        r->flags |= NET_HTTP_F_BASIC_BAD;
        return;
    }
    sc->len += len;
    const uint8_t *colon = memchr(d, ':', len);
    if (!colon) {
        r->flags |= NET_HTTP_F_BASIC_BAD;
        r->basic_user = (net_slice){d, len};
        return;
    }
    r->basic_user = (net_slice){d, (size_t)(colon - d)};
    r->basic_pass = (net_slice){colon + 1, len - (size_t)(colon - d) - 1};
}

static void req_known(net_http_req *r, http_scratch *sc)
{
    for (size_t i = 0; i < r->hdrs.n; i++) {
        const net_http_header *h = &r->hdrs.h[i];
        if (net_slice_ieq(h->name, "host")) {
            if (r->host.p)
                r->flags |= NET_HTTP_F_DUP_HOST;
            r->host = h->value;
        } else if (net_slice_ieq(h->name, "user-agent"))
            r->user_agent = h->value;
        else if (net_slice_ieq(h->name, "cookie"))
            r->cookie = h->value;
        else if (net_slice_ieq(h->name, "content-type"))
            r->content_type = h->value;
        else if (net_slice_ieq(h->name, "transfer-encoding"))
            r->transfer_encoding = h->value;
        else if (net_slice_ieq(h->name, "authorization"))
            r->authorization = h->value;
    }
    req_basic(r, sc);
}

/* A chunk-size line: hex digits, then optional ";ext". */
static net_proto_rc chunk_size(const uint8_t *p, size_t a, size_t end, uint64_t *sz)
{
    uint64_t x = 0;
    size_t i = a;
    for (; i < end && kw_hexval(p[i]) >= 0; i++) {
        if (x >> 40)
            return NET_PROTO_MALFORMED;
        x = x << 4 | (uint64_t)kw_hexval(p[i]);
    }
    while (i < end && is_ows(p[i]))
        i++;
    if (i == a || (i < end && p[i] != ';'))
        return NET_PROTO_MALFORMED;
    *sz = x;
    return NET_PROTO_OK;
}

/* Skips the trailer section after the last chunk. */
static net_proto_rc chunk_trailers(const uint8_t *p, size_t n, size_t *pos)
{
    for (;;) {
        size_t end, next;
        net_proto_rc rc = net_proto_line(p, n, *pos, NET_HTTP_MAX_LINE, &end, &next, NULL);
        if (rc != NET_PROTO_OK)
            return rc;
        bool empty = end == *pos;
        *pos = next;
        if (empty)
            return NET_PROTO_OK;
    }
}

/* One chunk at *pos: its data goes to scratch. *last is set by the zero-size chunk. */
static net_proto_rc chunk_one(const uint8_t *p, size_t n, size_t *pos, http_scratch *sc, bool *last)
{
    size_t end, next;
    net_proto_rc rc = net_proto_line(p, n, *pos, 1024, &end, &next, NULL);
    uint64_t sz = 0;
    if (rc != NET_PROTO_OK || (rc = chunk_size(p, *pos, end, &sz)) != NET_PROTO_OK)
        return rc;
    if (sz == 0) {
        *pos = next;
        *last = true;
        return chunk_trailers(p, n, pos);
    }
    size_t avail = n - next;
    sc_append(sc, p + next, sz < avail ? (size_t)sz : avail);
    if (sz >= avail)
        return NET_PROTO_PARTIAL;
    size_t e = next + (size_t)sz;
    if (p[e] == '\n')
        *pos = e + 1;
    else if (p[e] == '\r' && e + 1 == n)
        return NET_PROTO_PARTIAL;
    else if (p[e] == '\r' && p[e + 1] == '\n')
        *pos = e + 2;
    else
        return NET_PROTO_MALFORMED;
    return NET_PROTO_OK;
}

static net_proto_rc req_chunked(const uint8_t *p, size_t n, size_t pos, net_http_req *r, http_scratch *sc)
{
    size_t mark = sc->len;
    bool last = false;
    net_proto_rc rc = NET_PROTO_OK;
    while (!last && rc == NET_PROTO_OK)
        rc = chunk_one(p, n, &pos, sc, &last);
    if (sc->p)
        r->body = (net_slice){sc->p + mark, sc->len - mark};
    if (rc == NET_PROTO_MALFORMED)
        r->why = NET_WHY_HTTP_CHUNK;
    if (rc == NET_PROTO_OK) {
        r->flags |= NET_HTTP_F_BODY_DONE;
        r->used = pos;
    }
    return rc;
}

static net_proto_rc req_body(const uint8_t *p, size_t n, size_t pos, net_http_req *r, http_scratch *sc)
{
    if (r->flags & NET_HTTP_F_CHUNKED)
        return req_chunked(p, n, pos, r, sc);
    uint64_t cl = r->has_content_length ? r->content_length : 0;
    size_t avail = n - pos;
    r->body = (net_slice){p + pos, cl < avail ? (size_t)cl : avail};
    if (cl > avail)
        return NET_PROTO_PARTIAL;
    r->flags |= NET_HTTP_F_BODY_DONE;
    r->used = pos + (size_t)cl;
    return NET_PROTO_OK;
}

net_proto_rc net_http_req_parse(const uint8_t *p, size_t n, uint8_t *scratch, size_t scratch_n,
                                net_http_req *out)
{
    memset(out, 0, sizeof *out);
    http_scratch sc = {scratch, scratch ? scratch_n : 0, 0, &out->flags};
    size_t pos = 0;
    net_proto_rc rc = req_line(p, n, out, &sc, &pos);
    if (rc != NET_PROTO_OK)
        return rc;
    hdr_ctx c = {p, n, pos, &out->hdrs, &sc, &out->flags, &out->why};
    rc = hdr_block(&c);
    req_known(out, &sc);
    if (!hdr_framing(&out->hdrs, &out->has_content_length, &out->content_length, &out->flags)) {
        out->why = NET_WHY_HTTP_CONTENT_LENGTH;
        return NET_PROTO_MALFORMED;
    }
    if (rc != NET_PROTO_OK)
        return rc;
    return req_body(p, n, c.pos, out, &sc);
}

/* ---- response ---- */

static net_proto_rc resp_line(const uint8_t *p, size_t n, net_http_resp *r, size_t *pos)
{
    static const char pre[] = "HTTP/";
    size_t k = n < 5 ? n : 5;
    if (memcmp(p, pre, k) != 0)
        return NET_PROTO_NOT_MINE;
    size_t end, next;
    bool bare = false;
    net_proto_rc rc = net_proto_line(p, n, 0, NET_HTTP_MAX_LINE, &end, &next, &bare);
    if (bare)
        r->flags |= NET_HTTP_F_BARE_LF;
    if (rc == NET_PROTO_MALFORMED)
        r->why = NET_WHY_HTTP_LINE_TOO_LONG;
    if (rc != NET_PROTO_OK)
        return rc;
    r->version = (net_slice){p, end < 8 ? end : 8};
    if (end < 12 || p[8] != ' ' || !parse_version(r->version, &r->major, &r->minor) ||
        (end > 12 && p[12] != ' ')) {
        r->why = NET_WHY_HTTP_STATUS_LINE;
        return NET_PROTO_MALFORMED;
    }
    r->status = 0;
    for (size_t i = 9; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9') {
            r->why = NET_WHY_HTTP_STATUS_LINE;
            return NET_PROTO_MALFORMED;
        }
        r->status = r->status * 10 + (p[i] - '0');
    }
    r->reason = end > 13 ? (net_slice){p + 13, end - 13} : (net_slice){p + end, 0};
    *pos = next;
    return r->status >= 100 ? NET_PROTO_OK : (r->why = NET_WHY_HTTP_STATUS_LINE, NET_PROTO_MALFORMED);
}

net_proto_rc net_http_resp_parse(const uint8_t *p, size_t n, net_http_resp *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return NET_PROTO_PARTIAL;
    size_t pos = 0;
    net_proto_rc rc = resp_line(p, n, out, &pos);
    if (rc != NET_PROTO_OK)
        return rc;
    hdr_ctx c = {p, n, pos, &out->hdrs, NULL, &out->flags, &out->why};
    rc = hdr_block(&c);
    for (size_t i = 0; i < out->hdrs.n; i++) {
        const net_http_header *h = &out->hdrs.h[i];
        if (net_slice_ieq(h->name, "server"))
            out->server = h->value;
        else if (net_slice_ieq(h->name, "content-type"))
            out->content_type = h->value;
        else if (net_slice_ieq(h->name, "location"))
            out->location = h->value;
    }
    if (!hdr_framing(&out->hdrs, &out->has_content_length, &out->content_length, &out->flags)) {
        out->why = NET_WHY_HTTP_CONTENT_LENGTH;
        return NET_PROTO_MALFORMED;
    }
    if (rc == NET_PROTO_OK)
        out->header_len = c.pos;
    return rc;
}

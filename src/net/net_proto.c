/* What the protocol parsers share: the malformation reasons' names, slice comparison,
 * base64, the bounded line finder and printable copies of names. */
#include "net/net_proto_int.h"

#include <string.h>

static const char *const why_names[NET_WHY_COUNT] = {
    [NET_WHY_NONE] = "none",
    [NET_WHY_HTTP_REQUEST_LINE] = "http_request_line",
    [NET_WHY_HTTP_VERSION] = "http_version",
    [NET_WHY_HTTP_LINE_TOO_LONG] = "http_line_too_long",
    [NET_WHY_HTTP_HEADER_SYNTAX] = "http_header_syntax",
    [NET_WHY_HTTP_TOO_MANY_HEADERS] = "http_too_many_headers",
    [NET_WHY_HTTP_CONTENT_LENGTH] = "http_content_length",
    [NET_WHY_HTTP_CHUNK] = "http_chunk",
    [NET_WHY_HTTP_STATUS_LINE] = "http_status_line",
    [NET_WHY_DNS_LABEL_TYPE] = "dns_label_type",
    [NET_WHY_DNS_POINTER] = "dns_pointer",
    [NET_WHY_DNS_NAME_TOO_LONG] = "dns_name_too_long",
    [NET_WHY_DNS_RDATA] = "dns_rdata",
    [NET_WHY_DNS_TCP_LENGTH] = "dns_tcp_length",
    [NET_WHY_DNS_TRUNCATED] = "dns_truncated",
    [NET_WHY_TLS_RECORD] = "tls_record",
    [NET_WHY_TLS_HANDSHAKE_LENGTH] = "tls_handshake_length",
    [NET_WHY_TLS_VECTOR] = "tls_vector",
    [NET_WHY_TLS_EXTENSION] = "tls_extension",
    [NET_WHY_SSH_LINE] = "ssh_line",
    [NET_WHY_SSH_SYNTAX] = "ssh_syntax",
    [NET_WHY_SMB_NETBIOS] = "smb_netbios",
    [NET_WHY_SMB_HEADER] = "smb_header",
    [NET_WHY_SMB_DIALECTS] = "smb_dialects",
    [NET_WHY_RDP_TPKT] = "rdp_tpkt",
    [NET_WHY_RDP_X224] = "rdp_x224",
    [NET_WHY_RDP_NEG] = "rdp_neg",
    [NET_WHY_LINE_TOO_LONG] = "line_too_long",
};

const char *net_proto_why_str(net_proto_why why)
{
    if ((unsigned)why >= NET_WHY_COUNT || !why_names[why])
        return "unknown";
    return why_names[why];
}

static uint8_t ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

bool net_slice_ieq(net_slice s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(s.p[i]) != ascii_lower((uint8_t)lit[i]))
            return false;
    return true;
}

static int b64_val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

bool net_base64_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    while (n && s[n - 1] == '=')
        n--;
    uint32_t acc = 0;
    size_t bits = 0, o = 0;
    if (n % 4 == 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        int v = b64_val(s[i]);
        if (v < 0)
            return false;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return false;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    *outlen = o;
    return true;
}

net_proto_rc net_proto_line(const uint8_t *p, size_t n, size_t pos, size_t max, size_t *end, size_t *next,
                            bool *bare_lf)
{
    if (pos > n)
        return NET_PROTO_PARTIAL;
    size_t span = n - pos < max ? n - pos : max;
    const uint8_t *lf = span ? memchr(p + pos, '\n', span) : NULL;
    if (!lf)
        return n - pos >= max ? NET_PROTO_MALFORMED : NET_PROTO_PARTIAL;
    size_t e = (size_t)(lf - p);
    *next = e + 1;
    if (e > pos && p[e - 1] == '\r')
        e--;
    else if (bare_lf)
        *bare_lf = true;
    *end = e;
    return NET_PROTO_OK;
}

bool net_proto_print_copy(char *out, size_t cap, const uint8_t *s, size_t n, bool lower)
{
    bool odd = false;
    size_t k = n < cap - 1 ? n : cap - 1;
    for (size_t i = 0; i < k; i++) {
        uint8_t c = s[i];
        if (c < '!' || c > '~') {
            c = '?';
            odd = true;
        }
        out[i] = (char)(lower ? ascii_lower(c) : c);
    }
    out[k] = '\0';
    return odd;
}

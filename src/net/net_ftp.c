/* Plain-text credential carriers on the wire: FTP and POP3 command lines (USER, PASS, ...),
 * IMAP command lines with LOGIN's two arguments, and Telnet's data with its option
 * negotiation stripped so the login exchange reads as text. Parsing only; the caller
 * decides what is a finding. No I/O; slices into the input or the caller's buffer. */
#include "net/net_proto_int.h"

#include <string.h>

static bool is_letter(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The line at p[pos..n) for a command; out->used is set after it. */
static net_proto_rc cmd_line(const uint8_t *p, size_t n, size_t pos, net_cmd *out, size_t *end)
{
    size_t next;
    net_proto_rc rc = net_proto_line(p, n, pos, NET_CMD_MAX_LINE, end, &next, NULL);
    if (rc == NET_PROTO_MALFORMED)
        out->why = NET_WHY_LINE_TOO_LONG;
    if (rc == NET_PROTO_OK)
        out->used = next;
    return rc;
}

/* A verb of 3 to max letters at p[pos..), then a space or the line's end. */
static net_proto_rc cmd_verb(const uint8_t *p, size_t n, size_t pos, size_t max, net_cmd *out)
{
    size_t i = pos;
    while (i < n && i - pos <= max && is_letter(p[i]))
        i++;
    if (i - pos > max || (i < n && p[i] != ' ' && p[i] != '\r' && p[i] != '\n'))
        return NET_PROTO_NOT_MINE;
    if (i == n)
        return NET_PROTO_PARTIAL;
    if (i - pos < 3)
        return NET_PROTO_NOT_MINE;
    out->verb = (net_slice){p + pos, i - pos};
    return NET_PROTO_OK;
}

/* The verb, then its argument up to the line's end. */
static net_proto_rc cmd_rest(const uint8_t *p, size_t n, size_t pos, size_t max, net_cmd *out)
{
    net_proto_rc rc = cmd_verb(p, n, pos, max, out);
    size_t end;
    if (rc == NET_PROTO_OK)
        rc = cmd_line(p, n, pos, out, &end);
    if (rc != NET_PROTO_OK)
        return rc;
    size_t a = pos + out->verb.n + (pos + out->verb.n < end);
    out->arg = (net_slice){p + a, end - a};
    return NET_PROTO_OK;
}

net_proto_rc net_ftp_cmd_parse(const uint8_t *p, size_t n, net_cmd *out)
{
    memset(out, 0, sizeof *out);
    return cmd_rest(p, n, 0, 8, out);
}

/* One IMAP astring at *s of a: a quoted string (escapes kept), a literal's "{n}" or an atom. */
static net_slice imap_arg(net_slice a, size_t *i)
{
    while (*i < a.n && a.p[*i] == ' ')
        (*i)++;
    size_t s = *i;
    if (s < a.n && a.p[s] == '"') {
        size_t e = s + 1;
        while (e < a.n && a.p[e] != '"')
            e += a.p[e] == '\\' && e + 1 < a.n ? 2 : 1;
        *i = e < a.n ? e + 1 : a.n;
        return (net_slice){a.p + s + 1, (e < a.n ? e : a.n) - s - 1};
    }
    while (*i < a.n && a.p[*i] != ' ')
        (*i)++;
    return (net_slice){a.p + s, *i - s};
}

net_proto_rc net_imap_cmd_parse(const uint8_t *p, size_t n, net_cmd *out)
{
    memset(out, 0, sizeof *out);
    size_t t = 0;
    while (t < n && t <= 64 && p[t] > ' ' && p[t] < 0x7f)
        t++;
    if (t == n && t <= 64)
        return NET_PROTO_PARTIAL;
    if (t == 0 || t > 64 || p[t] != ' ')
        return NET_PROTO_NOT_MINE;
    out->tag = (net_slice){p, t};
    net_proto_rc rc = cmd_rest(p, n, t + 1, 16, out);
    if (rc == NET_PROTO_OK && net_slice_ieq(out->verb, "login")) {
        size_t i = 0;
        out->user = imap_arg(out->arg, &i);
        out->pass = imap_arg(out->arg, &i);
    }
    return rc;
}

/* ---- Telnet ---- */

enum { IAC = 255, SB = 250, SE = 240, WILL = 251, WONT = 252, DO = 253, DONT = 254 };

typedef struct tn_out {
    char *b;
    size_t cap, len, line;   /* line: where the current line starts */
    net_telnet_text *st;
} tn_out;

static void tn_put(tn_out *o, uint8_t c)
{
    if (o->st->cut)
        return;   /* out is full: keep what fitted as it was */
    if (c == 0x08 || c == 0x7f) {
        if (o->len > o->line)
            o->len--;
        return;
    }
    if (c != '\n' && (c < ' ' || c > '~'))
        return;
    if (o->len + 1 >= o->cap) {
        o->st->cut = true;
        return;
    }
    o->b[o->len++] = (char)c;
    if (c == '\n')
        o->line = o->len;
}

/* The command after IAC at p[i]; returns the bytes it takes, 0 when the slice ends in it. */
static size_t tn_command(const uint8_t *p, size_t n, size_t i, tn_out *o)
{
    if (i + 1 >= n)
        return 0;
    uint8_t c = p[i + 1];
    if (c == IAC) {
        tn_put(o, IAC);
        return 2;
    }
    if (c >= WILL) {
        o->st->options++;
        return i + 2 < n ? 3 : 0;
    }
    if (c != SB)
        return 2;
    for (size_t j = i + 2; j + 1 < n; j++) {
        if (p[j] == IAC && p[j + 1] == SE) {
            o->st->subneg++;
            return j + 2 - i;
        }
        j += p[j] == IAC;  /* IAC IAC inside the block */
    }
    return 0;
}

net_proto_rc net_telnet_text_extract(const uint8_t *p, size_t n, char *out, size_t cap, net_telnet_text *st)
{
    memset(st, 0, sizeof *st);
    tn_out o = {out, cap, 0, 0, st};
    for (size_t i = 0; i < n;) {
        if (p[i] == IAC) {
            size_t k = tn_command(p, n, i, &o);
            if (!k) {
                st->cut = true;
                break;
            }
            i += k;
        } else if (p[i] == '\r') {
            tn_put(&o, '\n');
            i += i + 1 < n && (p[i + 1] == '\n' || p[i + 1] == 0) ? 2 : 1;
        } else {
            tn_put(&o, p[i++]);
        }
    }
    if (cap)
        out[o.len] = '\0';
    st->len = o.len;
    return st->cut ? NET_PROTO_PARTIAL : NET_PROTO_OK;
}

/* Protocol-content parsers for the network sensor: HTTP/1.x, DNS, the TLS ClientHello (JA3,
 * JA4), SSH identification, SMB and RDP negotiation, and the plain-text credential carriers
 * (FTP, POP3, IMAP, Telnet), plus pure heuristics over DNS names (entropy, DGA and tunnel
 * likeness). They run on reassembled client streams and UDP payloads.
 *
 * Every parser takes a length-bounded slice (p, n) that may be only a PREFIX of the real
 * data, never reads past n, does no I/O and allocates nothing: results are slices into the
 * input, fixed-size fields of a caller-owned struct, or slices into a caller-provided scratch
 * buffer. Each returns a net_proto_rc and, when malformed, names the reason in `why`
 * (net_proto_why_str() gives a stable word for /metrics). */
#ifndef NET_PROTO_H
#define NET_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

typedef enum net_proto_rc {
    NET_PROTO_OK = 0,     /* a complete message */
    NET_PROTO_PARTIAL,    /* the slice ends before the message does: fields seen so far are set */
    NET_PROTO_NOT_MINE,   /* not this protocol */
    NET_PROTO_MALFORMED   /* this protocol, but a length or syntax that lies: see `why` */
} net_proto_rc;

/* Why a message was malformed; one counter each. */
typedef enum net_proto_why {
    NET_WHY_NONE = 0,
    NET_WHY_HTTP_REQUEST_LINE,    /* no target or version where the request line needs one */
    NET_WHY_HTTP_VERSION,         /* not HTTP/d.d */
    NET_WHY_HTTP_LINE_TOO_LONG,   /* request line or header line over NET_HTTP_MAX_LINE */
    NET_WHY_HTTP_HEADER_SYNTAX,   /* no colon, empty name, bad name byte, space before colon */
    NET_WHY_HTTP_TOO_MANY_HEADERS,/* over NET_HTTP_MAX_HEADERS (the first ones are kept) */
    NET_WHY_HTTP_CONTENT_LENGTH,  /* not digits, too large, or two that differ */
    NET_WHY_HTTP_CHUNK,           /* chunk size not hex, too large, or data without its CRLF */
    NET_WHY_HTTP_STATUS_LINE,     /* response: not "HTTP/d.d NNN" */
    NET_WHY_DNS_LABEL_TYPE,       /* label type 0x40 or 0x80 */
    NET_WHY_DNS_POINTER,          /* compression pointer not strictly backwards, or too many jumps */
    NET_WHY_DNS_NAME_TOO_LONG,    /* over 255 bytes */
    NET_WHY_DNS_RDATA,            /* rdata length that does not fit its type or the message */
    NET_WHY_DNS_TCP_LENGTH,       /* TCP length prefix under 12 */
    NET_WHY_DNS_TRUNCATED,        /* TCP: counts or lengths run past the message's own length */
    NET_WHY_TLS_RECORD,           /* record length 0 or over 2^14 + 2048, or a non-handshake record mid-hello */
    NET_WHY_TLS_HANDSHAKE_LENGTH, /* handshake length over NET_TLS_MAX_HELLO or under the fixed part */
    NET_WHY_TLS_VECTOR,           /* a vector length that runs past its enclosing one, or is odd */
    NET_WHY_TLS_EXTENSION,        /* an extension's inner length disagrees with its own */
    NET_WHY_SSH_LINE,             /* identification line over 255 bytes or with a NUL */
    NET_WHY_SSH_SYNTAX,           /* no '-' after the protocol version */
    NET_WHY_SMB_NETBIOS,          /* NetBIOS length shorter than an SMB header */
    NET_WHY_SMB_HEADER,           /* SMB header structure size or byte count that lies */
    NET_WHY_SMB_DIALECTS,         /* dialect list that runs past the message, or empty */
    NET_WHY_RDP_TPKT,             /* TPKT length under 11 or version not 3 */
    NET_WHY_RDP_X224,             /* X.224 length indicator that disagrees with TPKT */
    NET_WHY_RDP_NEG,              /* RDP_NEG_REQ with a length other than 8 */
    NET_WHY_LINE_TOO_LONG,        /* FTP/POP3/IMAP command line over NET_CMD_MAX_LINE */
    NET_WHY_COUNT
} net_proto_why;

/* A stable lower-case word for a reason ("http_header_syntax", ...); a static string. */
const char *net_proto_why_str(net_proto_why why);


/* True when s equals the C string lit, ASCII case-insensitively. */
bool net_slice_ieq(net_slice s, const char *lit);

/* ---- HTTP/1.x ---- */

#define NET_HTTP_MAX_HEADERS 64
#define NET_HTTP_MAX_LINE 16384
#define NET_HTTP_MAX_METHOD 32

enum {
    NET_HTTP_F_URI_NUL = 1u << 0,       /* the decoded target holds a NUL byte (%00) */
    NET_HTTP_F_URI_MULTI_ENC = 1u << 1, /* decoding once left %XX that decoded again (%2527) */
    NET_HTTP_F_URI_BAD_PCT = 1u << 2,   /* a '%' not followed by two hex digits (kept as is) */
    NET_HTTP_F_CHUNKED = 1u << 3,       /* Transfer-Encoding ends in chunked */
    NET_HTTP_F_CL_AND_TE = 1u << 4,     /* both Content-Length and Transfer-Encoding (smuggling) */
    NET_HTTP_F_FOLDED = 1u << 5,        /* some header used obs-fold (unfolded into scratch) */
    NET_HTTP_F_DUP_HOST = 1u << 6,      /* more than one Host header */
    NET_HTTP_F_SCRATCH_FULL = 1u << 7,  /* scratch ran out: a decoded field is cut short */
    NET_HTTP_F_BARE_LF = 1u << 8,       /* a line ended in LF without CR */
    NET_HTTP_F_BODY_DONE = 1u << 9,     /* the whole body is within the slice */
    NET_HTTP_F_HEADERS_DONE = 1u << 10, /* the empty line ending the headers was seen */
    NET_HTTP_F_BASIC_BAD = 1u << 11     /* Authorization: Basic that is not base64 of user:pass */
};

typedef struct net_http_header {
    net_slice name, value;  /* value trimmed; an obs-folded value is unfolded into scratch */
} net_http_header;

typedef struct net_http_headers {
    net_http_header h[NET_HTTP_MAX_HEADERS];
    size_t n;               /* kept in h[] */
    size_t seen;            /* header lines seen (folds not counted), may exceed the cap */
} net_http_headers;

typedef struct net_http_req {
    net_slice method, target, version; /* raw, in the input */
    net_slice path, query;             /* raw split of the target at the first '?' (absolute-form: after the authority) */
    net_slice dtarget, dpath, dquery;  /* decoded, in scratch: dtarget = dpath ["?" dquery] */
    uint8_t major, minor;
    net_http_headers hdrs;
    net_slice host, user_agent, cookie, content_type, transfer_encoding, authorization;
    bool has_content_length;
    uint64_t content_length;
    net_slice basic_user, basic_pass;  /* Authorization: Basic, decoded into scratch */
    net_slice body;                    /* the body's start within the slice (de-chunked into scratch) */
    size_t used;                       /* bytes of the input this request takes (OK only) */
    uint32_t flags;                    /* NET_HTTP_F_* */
    net_proto_why why;
} net_http_req;

/* Parses one HTTP/1.x request at the start of p[0..n). scratch[0..scratch_n) receives the
 * decoded target, unfolded header values, Basic credentials and the de-chunked body start
 * (8 KiB is ample; less cuts fields short with NET_HTTP_F_SCRATCH_FULL). OK: the whole
 * request, body included, is in the slice and out->used says where the next (pipelined)
 * one starts. PARTIAL: the request line and the headers seen so far are set. out's slices
 * point into p and scratch, which the caller owns and must keep while it reads them. */
net_proto_rc net_http_req_parse(const uint8_t *p, size_t n, uint8_t *scratch, size_t scratch_n,
                                net_http_req *out);

typedef struct net_http_resp {
    net_slice version, reason;
    uint8_t major, minor;
    int status;                        /* 100..999 */
    net_http_headers hdrs;
    net_slice server, content_type, location;
    bool has_content_length;
    uint64_t content_length;
    size_t header_len;                 /* bytes up to the body (OK only) */
    uint32_t flags;                    /* NET_HTTP_F_HEADERS_DONE, _CHUNKED, _BARE_LF */
    net_proto_why why;
} net_http_resp;

/* Parses the status line and headers of an HTTP/1.x response at the start of p[0..n) (the
 * body is not read). OK: the headers are complete. Slices point into p (obs-folded values
 * keep their raw bytes). */
net_proto_rc net_http_resp_parse(const uint8_t *p, size_t n, net_http_resp *out);

/* Percent-decodes a form body (application/x-www-form-urlencoded: '+' is a space; up to
 * three passes, as for the target) from s[0..n) into out[0..cap); at most cap bytes of s are
 * read. Returns the decoded length. */
size_t net_http_form_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap);

/* Decodes base64 (RFC 4648, padding optional, no whitespace) from s into out[0..cap);
 * returns false on a byte outside the alphabet or when out is too small. */
bool net_base64_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap, size_t *outlen);

/* ---- DNS ---- */

#define NET_DNS_MAX_Q 4
#define NET_DNS_MAX_AN 16
#define NET_DNS_NAME_MAX 256   /* 255 characters and the NUL */
#define NET_DNS_MAX_JUMPS 32

enum { NET_DNS_A = 1, NET_DNS_NS = 2, NET_DNS_CNAME = 5, NET_DNS_SOA = 6, NET_DNS_PTR = 12,
       NET_DNS_MX = 15, NET_DNS_TXT = 16, NET_DNS_AAAA = 28, NET_DNS_SRV = 33, NET_DNS_ANY = 255 };

typedef struct net_dns_q {
    char name[NET_DNS_NAME_MAX];  /* lower case, dotted, no final dot; "" is the root; bytes
                                     outside '!'..'~' and a '.' inside a label become '?' */
    uint16_t type, qclass;
} net_dns_q;

typedef struct net_dns_rr {
    char name[NET_DNS_NAME_MAX];
    uint16_t type, rclass;
    uint32_t ttl;
    uint16_t rdlen;
    uint8_t addr[16];             /* A (4 bytes), AAAA (16) */
    uint16_t mx_pref;
    char data[NET_DNS_NAME_MAX];  /* CNAME, NS, PTR, MX: the name; TXT: the strings
                                     concatenated (raw bytes, cut at 255, NUL-terminated) */
    size_t txt_len;               /* TXT: the concatenated length before any cut */
} net_dns_rr;

typedef struct net_dns_msg {
    uint16_t id, flags;           /* flags: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode */
    bool qr;
    uint8_t opcode, rcode;
    uint16_t qdcount, ancount, nscount, arcount;
    net_dns_q q[NET_DNS_MAX_Q];
    size_t nq;                    /* parsed, at most NET_DNS_MAX_Q */
    net_dns_rr an[NET_DNS_MAX_AN];
    size_t nan;                   /* parsed, at most NET_DNS_MAX_AN */
    bool odd_chars;               /* some name held a byte turned into '?' */
    net_proto_why why;
} net_dns_msg;

/* Parses a DNS message (a UDP payload) in p[0..n): the header, the first NET_DNS_MAX_Q
 * questions and the first NET_DNS_MAX_AN answers (authority and additional are not read).
 * OK: those sections parsed whole. PARTIAL: the data ended first (a truncated datagram).
 * NOT_MINE: a reserved opcode or a query without questions. Fills the caller's *out. */
net_proto_rc net_dns_parse(const uint8_t *p, size_t n, net_dns_msg *out);

/* The same for DNS over TCP: a 2-byte length prefix, then the message. OK sets *used to the
 * bytes taken (2 + length) so the caller can parse the next one. */
net_proto_rc net_dns_parse_tcp(const uint8_t *p, size_t n, net_dns_msg *out, size_t *used);

/* ---- DNS name heuristics (pure; approximate, documented thresholds) ---- */

/* Shannon entropy of s[0..n) in bits per byte (0 for n == 0). */
double net_dns_entropy(const char *s, size_t n);

/* The registered domain of a dotted name: the last two labels, or three when the last two
 * are one of a small built-in table of two-level public suffixes (co.uk, com.cn, ...). An
 * approximation of the Public Suffix List, which keepwatch does not ship. Returns the offset
 * in name where it starts (0 when the name is no longer than it). */
size_t net_dns_registered_domain(const char *name);

typedef struct net_dns_name_stats {
    size_t len, nlabels;
    size_t longest;               /* the longest label's length */
    double longest_entropy;       /* its entropy */
    size_t sub_len;               /* bytes before the registered domain (dots included) */
    size_t sub_longest;           /* the longest label among those */
    double sub_entropy;           /* entropy of those bytes without dots */
    size_t encoded_labels;        /* labels of 16+ bytes that look hex, base32 or base64 */
} net_dns_name_stats;

/* Measures a dotted name; fills the caller's *st. */
void net_dns_name_measure(const char *name, net_dns_name_stats *st);

/* DGA likeness of the name's registered label (the label just left of the public suffix),
 * 0..1, from its length, entropy, vowel and digit ratios, consonant runs and the share of
 * its letter pairs that are rare in English (a built-in table). Names scoring at least
 * NET_DNS_DGA_THRESHOLD look machine-made (about 96% of random-letter labels of 12+ bytes;
 * no popular site tested). Dictionary-word DGAs and short labels do not score. */
#define NET_DNS_DGA_THRESHOLD 0.52
double net_dns_dga_score(const char *name);

/* DNS-tunnel likeness of a query name, 0..1: long subdomain parts, long high-entropy labels,
 * labels that look hex, base32 or base64. At least NET_DNS_TUNNEL_THRESHOLD looks like
 * data carried in names (iodine, dnscat2, DNSExfiltrator). */
#define NET_DNS_TUNNEL_THRESHOLD 0.6
double net_dns_tunnel_score(const char *name);

/* ---- TLS ---- */

#define NET_TLS_MAX_HELLO 65536  /* a larger handshake length is malformed */
#define NET_TLS_MAX_CIPHERS 512
#define NET_TLS_MAX_EXTS 64
#define NET_TLS_MAX_GROUPS 64
#define NET_TLS_MAX_FORMATS 16
#define NET_TLS_MAX_SIGALGS 64
#define NET_TLS_MAX_VERSIONS 16
#define NET_TLS_MAX_ALPN 8

typedef struct net_tls_hello {
    uint16_t record_version, version;   /* the record's and the hello's legacy version */
    uint16_t ciphers[NET_TLS_MAX_CIPHERS];
    size_t nciphers;
    uint16_t exts[NET_TLS_MAX_EXTS];    /* in order, GREASE included */
    size_t nexts;
    uint16_t versions[NET_TLS_MAX_VERSIONS]; /* supported_versions */
    size_t nversions;
    uint16_t groups[NET_TLS_MAX_GROUPS];
    size_t ngroups;
    uint8_t formats[NET_TLS_MAX_FORMATS];
    size_t nformats;
    uint16_t sigalgs[NET_TLS_MAX_SIGALGS];
    size_t nsigalgs;
    bool has_sni;                       /* the server_name extension is present */
    char sni[256];                      /* host_name, as sent (bytes outside '!'..'~' become '?') */
    char alpn[NET_TLS_MAX_ALPN][64];    /* protocol names (cut at 63; non-printables '?') */
    uint8_t alpn_raw_first[2];          /* first and last byte of the first ALPN name */
    size_t alpn_first_len;
    size_t nalpn;
    bool truncated_lists;               /* a list was longer than its cap (fingerprints use what fits) */
    /* the fingerprints, once net_tls_hello_fingerprint has computed them (OK hellos only) */
    char ja3[4096];                     /* "ver,ciphers,exts,groups,formats" */
    char ja3_md5[33];
    char ja4[40];                       /* "t13d1516h2_8daaf6152771_e5627efa2ab1" */
    bool whole;                         /* parsed OK: the fingerprints can be computed */
    net_proto_why why;
} net_tls_hello;

/* True for the RFC 8701 GREASE values 0x0a0a, 0x1a1a, ... 0xfafa. */
bool net_tls_is_grease(uint16_t v);

/* Parses the ClientHello at the start of a client stream p[0..n): TLS records of type 22,
 * the hello possibly spread over several records (their fragments are joined in
 * scratch[0..scratch_n); the hello is cut where scratch ends). OK: the whole hello parsed.
 * PARTIAL: the fields read before the slice ended are set. Fills the caller's *out. */
net_proto_rc net_tls_client_hello_parse(const uint8_t *p, size_t n, uint8_t *scratch, size_t scratch_n,
                                        net_tls_hello *out);
/* Computes h's JA3 (and its MD5) and JA4 if not done yet; nothing for a hello not parsed
 * whole. Apart, because they cost more than the parse and most hellos never need them. */
void net_tls_hello_fingerprint(net_tls_hello *h);

typedef struct net_tls_server_hello {
    uint16_t version;    /* negotiated: supported_versions when present, else legacy */
    uint16_t cipher;
    bool hello_retry;    /* the HelloRetryRequest random */
    net_proto_why why;
} net_tls_server_hello;

/* Parses the ServerHello at the start of a server stream (joined in a 4 KiB buffer of its
 * own: a longer one is PARTIAL with the version and cipher set). Fills the caller's *out. */
net_proto_rc net_tls_server_hello_parse(const uint8_t *p, size_t n, net_tls_server_hello *out);

/* ---- SSH ---- */

typedef struct net_ssh_ident {
    net_slice proto;      /* "2.0", "1.99" */
    net_slice software;   /* "OpenSSH_8.9p1" */
    net_slice comments;   /* "Ubuntu-3ubuntu0.1", may be empty */
    const char *family;   /* "openssh", "dropbear", "libssh", "libssh2", "paramiko", "go",
                             "putty", "asyncssh", "jsch", "nmap", ...; "other" */
    size_t used;          /* bytes of the line, CR LF included */
    net_proto_why why;
} net_ssh_ident;

/* Parses the SSH identification line at the start of p[0..n) (either direction; the
 * stream must begin with "SSH-"). Slices point into p. */
net_proto_rc net_ssh_ident_parse(const uint8_t *p, size_t n, net_ssh_ident *out);

/* ---- SMB ---- */

#define NET_SMB_MAX_DIALECTS 16

typedef struct net_smb_negotiate {
    uint8_t version;                 /* 1 or 2 (SMB2 and SMB3 share a header) */
    bool response;
    net_slice smb1_dialects[NET_SMB_MAX_DIALECTS]; /* SMB1: "NT LM 0.12", "SMB 2.002", ... */
    uint16_t dialects[NET_SMB_MAX_DIALECTS];       /* SMB2: 0x0202, 0x0210, 0x0300, 0x0302, 0x0311 */
    size_t ndialects;                /* kept (either list) */
    size_t dialects_offered;         /* as counted in the message */
    bool smb1_offered;               /* an SMB1 dialect (not "SMB 2.xxx") was offered */
    uint16_t chosen;                 /* responses: SMB2 dialect revision or SMB1 dialect index */
    net_proto_why why;
} net_smb_negotiate;

/* Parses a NetBIOS session message holding an SMB1 or SMB2/3 NEGOTIATE (request or
 * response) at the start of p[0..n). NOT_MINE: another message or command. Slices point
 * into p. */
net_proto_rc net_smb_negotiate_parse(const uint8_t *p, size_t n, net_smb_negotiate *out);

/* ---- RDP ---- */

enum { NET_RDP_PROTO_SSL = 0x1, NET_RDP_PROTO_HYBRID = 0x2, NET_RDP_PROTO_RDSTLS = 0x4,
       NET_RDP_PROTO_HYBRID_EX = 0x8, NET_RDP_PROTO_RDSAAD = 0x10 };

typedef struct net_rdp_cr {
    bool confirm;             /* an X.224 Connection Confirm (server), not a Request */
    net_slice cookie;         /* the NAME of "Cookie: mstshash=NAME" */
    net_slice token;          /* another first line (a routing token), CR LF excluded */
    bool has_neg;             /* RDP_NEG_REQ (or RSP/FAILURE when confirm) present */
    uint8_t neg_type, neg_flags;
    uint32_t protocols;       /* requested (or selected) NET_RDP_PROTO_* bits; 0 is standard RDP */
    net_proto_why why;
} net_rdp_cr;

/* Parses a TPKT + X.224 Connection Request (or Confirm) at the start of p[0..n). Slices
 * point into p. */
net_proto_rc net_rdp_cr_parse(const uint8_t *p, size_t n, net_rdp_cr *out);

/* A word for a protocol bit ("ssl", "credssp", ...) or "rdp" for 0; a static string. */
const char *net_rdp_proto_str(uint32_t bit);

/* ---- FTP, POP3, IMAP, Telnet ---- */

#define NET_CMD_MAX_LINE 4096

typedef struct net_cmd {
    net_slice tag;     /* IMAP only */
    net_slice verb;    /* "USER", "PASS", "LOGIN" (as sent; compare with net_slice_ieq) */
    net_slice arg;     /* the rest of the line, CR LF excluded */
    net_slice user, pass; /* IMAP LOGIN: the two arguments (quotes removed, escapes kept) */
    size_t used;       /* bytes of the line, CR LF included */
    net_proto_why why;
} net_cmd;

/* One FTP or POP3 client command line ("USER alice\r\n") at the start of p[0..n). OK sets
 * out->used; call again after it for the next. PARTIAL: no line end yet. NOT_MINE: the verb
 * is not 3 to 8 letters. Slices point into p. */
net_proto_rc net_ftp_cmd_parse(const uint8_t *p, size_t n, net_cmd *out);

/* One IMAP client command line ("a1 LOGIN alice \"s3cret\"\r\n"); as net_ftp_cmd_parse (with
 * verbs of up to 16 letters), plus the tag, and user and pass for LOGIN. */
net_proto_rc net_imap_cmd_parse(const uint8_t *p, size_t n, net_cmd *out);

typedef struct net_telnet_text {
    size_t len;          /* bytes written to out */
    size_t options;      /* WILL/WONT/DO/DONT negotiations stripped */
    size_t subneg;       /* SB ... SE blocks stripped */
    bool cut;            /* out was too small or the slice ended inside a command */
} net_telnet_text;

/* Strips Telnet commands (IAC ...) from p[0..n) and writes the printable text to out[0..cap)
 * (NUL-terminated; cap must be at least 1): CR LF and CR NUL become '\n', backspace and DEL
 * delete the previous character of the line, other control bytes are dropped, IAC IAC is
 * the byte 0xff (dropped as non-printable). OK, or PARTIAL when st->cut. */
net_proto_rc net_telnet_text_extract(const uint8_t *p, size_t n, char *out, size_t cap, net_telnet_text *st);

#endif

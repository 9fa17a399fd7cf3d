/* Text helpers of the iptables, nftables and FortiGate parsers (audit_acl_int.h): lines,
 * quoted tokens, port and protocol names, ranges, box equality. No I/O. */
#include "audit/audit_acl_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool acl_lt_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len)
        return false;
    const char *s = text + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t k = nl ? (size_t)(nl - s) : len - *pos;
    *pos += k + (nl ? 1 : 0);
    if (k && s[k - 1] == '\r')
        k--;
    *line = s;
    *n = k;
    return true;
}

size_t acl_lt_split(const char *line, size_t n, char *buf, size_t bufn, char **tok, size_t max, uint64_t *quoted)
{
    size_t i = 0, o = 0, nt = 0;
    if (quoted)
        *quoted = 0;
    if (!bufn)
        return 0;
    while (i < n && nt < max) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= n || o + 1 >= bufn)
            break;
        tok[nt] = buf + o;
        char q = (line[i] == '"' || line[i] == '\'') ? line[i++] : 0;
        if (q && quoted && nt < 64)
            *quoted |= (uint64_t)1 << nt;
        while (i < n && o + 1 < bufn) {
            char ch = line[i];
            if (q ? ch == q : (ch == ' ' || ch == '\t'))
                break;
            if (ch == '\\' && q && i + 1 < n)
                ch = line[++i];
            buf[o++] = ch;
            i++;
        }
        if (q && i < n)
            i++; /* the closing quote */
        buf[o++] = '\0';
        nt++;
    }
    return nt;
}

typedef struct lt_name {
    const char *name;
    unsigned v;
} lt_name;

static const lt_name lt_ports[] = {
    {"ftp-data", 20}, {"ftp", 21}, {"ssh", 22}, {"telnet", 23}, {"smtp", 25}, {"domain", 53},
    {"dns", 53}, {"bootps", 67}, {"bootpc", 68}, {"tftp", 69}, {"http", 80}, {"www", 80},
    {"kerberos", 88}, {"pop3", 110}, {"sunrpc", 111}, {"ntp", 123}, {"netbios-ns", 137},
    {"netbios-dgm", 138}, {"netbios-ssn", 139}, {"imap", 143}, {"imap2", 143}, {"snmp", 161},
    {"snmp-trap", 162}, {"bgp", 179}, {"ldap", 389}, {"https", 443}, {"microsoft-ds", 445},
    {"isakmp", 500}, {"syslog", 514}, {"submission", 587}, {"ldaps", 636}, {"imaps", 993},
    {"pop3s", 995}, {"ms-sql-s", 1433}, {"openvpn", 1194}, {"oracle", 1521}, {"nfs", 2049},
    {"mysql", 3306}, {"ms-wbt-server", 3389}, {"rdp", 3389}, {"postgresql", 5432},
    {"postgres", 5432}, {"vnc", 5900}, {"redis", 6379}, {"http-alt", 8080}, {"webcache", 8080},
    {"mongodb", 27017}, {NULL, 0},
};

static const lt_name lt_protos[] = {
    {"ip", 0}, {"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"esp", 50},
    {"ah", 51}, {"icmpv6", 58}, {"ipv6-icmp", 58}, {"icmp6", 58}, {"ospf", 89}, {"ospfigp", 89},
    {"pim", 103}, {"vrrp", 112}, {"sctp", 132}, {"dccp", 33}, {"udplite", 136}, {NULL, 0},
};

static bool lt_number(const char *s, unsigned max, unsigned *out)
{
    if (!*s || strlen(s) > 10)
        return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    unsigned long v = strtoul(s, NULL, 10);
    if (v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool lt_lookup(const lt_name *t, const char *s, unsigned *out)
{
    for (; t->name; t++)
        if (!strcasecmp(t->name, s)) {
            *out = t->v;
            return true;
        }
    return false;
}

bool acl_lt_port(const char *s, unsigned *port)
{
    return lt_number(s, ACL_PORT_MAX, port) || lt_lookup(lt_ports, s, port);
}

bool acl_lt_proto(const char *s, unsigned *proto)
{
    return lt_number(s, ACL_PROTO_MAX, proto) || lt_lookup(lt_protos, s, proto);
}

bool acl_lt_port_range(acl_dim *d, const char *s, char sep)
{
    char a[64], b[64];
    const char *m = strchr(s, sep);
    size_t na = m ? (size_t)(m - s) : strlen(s);
    if (na >= sizeof a || (m && strlen(m + 1) >= sizeof b))
        return false;
    memcpy(a, s, na);
    a[na] = '\0';
    unsigned lo = 0, hi = ACL_PORT_MAX;
    if (m) { /* iptables allows ":1024" and "1024:" */
        snprintf(b, sizeof b, "%s", m + 1);
        if ((*a && !acl_lt_port(a, &lo)) || (*b && !acl_lt_port(b, &hi)) || lo > hi)
            return false;
    } else if (!acl_lt_port(a, &lo)) {
        return false;
    } else {
        hi = lo;
    }
    acl_dim_add(d, lo, hi);
    return true;
}

bool acl_lt_addr(acl_dim *d, const char *s)
{
    const char *slash = strchr(s, '/');
    unsigned char m[4];
    if (slash && strchr(slash, '.')) {
        if (inet_pton(AF_INET, slash + 1, m) != 1)
            return false;
        uint32_t wild = ~(((uint32_t)m[0] << 24) | ((uint32_t)m[1] << 16) | ((uint32_t)m[2] << 8) | m[3]);
        int run = 0;
        while (run < 32 && (wild >> run) & 1u)
            run++;
        if (run < 32 && __builtin_popcount(wild >> run) > 8)
            return false;
    }
    return acl_dim_add_text(d, s);
}

bool acl_lt_addr_range(acl_dim *d, const char *s)
{
    const char *m = strchr(s, '-');
    char a[64], b[64];
    if (!m || (size_t)(m - s) >= sizeof a || strlen(m + 1) >= sizeof b)
        return false;
    memcpy(a, s, (size_t)(m - s));
    a[m - s] = '\0';
    snprintf(b, sizeof b, "%s", m + 1);
    acl_dim x = {0}, y = {0};
    bool ok = !strchr(a, '/') && !strchr(b, '/') && acl_dim_add_text(&x, a) && acl_dim_add_text(&y, b) &&
              x.n == 1 && y.n == 1 && x.v[0].lo <= y.v[0].lo && x.v[0].lo != 0 &&
              ((x.v[0].lo >> 32) == (y.v[0].lo >> 32) || (x.v[0].lo >> 32) != (ACL_V4_BASE >> 32));
    if (ok)
        acl_dim_add(d, x.v[0].lo, y.v[0].hi);
    acl_dim_free(&x);
    acl_dim_free(&y);
    return ok;
}

void acl_lt_lower(char *buf, size_t n, const char *s)
{
    size_t i = 0;
    for (; n && s[i] && i + 1 < n; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    if (n)
        buf[i] = '\0';
}

bool acl_lt_dim_eq(const acl_dim *a, const acl_dim *b)
{
    return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof *a->v));
}

bool acl_lt_box_eq(const acl_rule *a, const acl_rule *b)
{
    return acl_lt_dim_eq(&a->zin, &b->zin) && acl_lt_dim_eq(&a->zout, &b->zout) &&
           acl_lt_dim_eq(&a->src, &b->src) && acl_lt_dim_eq(&a->dst, &b->dst) &&
           acl_lt_dim_eq(&a->proto, &b->proto) && acl_lt_dim_eq(&a->sport, &b->sport) &&
           acl_lt_dim_eq(&a->dport, &b->dport);
}

bool acl_lt_has_line(const char *text, size_t len, size_t limit, const char *needle)
{
    size_t pos = 0, nn = strlen(needle);
    const char *line;
    size_t n;
    if (len > limit)
        len = limit;
    while (acl_lt_next_line(text, len, &pos, &line, &n)) {
        while (n && (*line == ' ' || *line == '\t')) {
            line++;
            n--;
        }
        if (n >= nn && !memcmp(line, needle, nn))
            return true;
    }
    return false;
}

void acl_lt_zone_add(acl_config *c, acl_dim *d, const char *name)
{
    uint32_t z = acl_zone_id(c, name);
    acl_dim_add(d, z, z);
}

/* pf's filterlog, as pfSense and OPNsense write it ("filterlog[123]: 5,,,1000102433,em0,match,
 * block,in,4,0x0,,128,24677,0,none,17,udp,186,10.9.0.119,10.9.0.255,17500,17600,166"): one
 * CSV record per logged packet. Columns from pfSense's "Filter Log Format" reference:
 *   rule number, sub rule, anchor, tracker, interface, reason, action, direction, IP version,
 *   then for IPv4: TOS, ECN, TTL, ID, offset, flags, protocol id, protocol, length, source,
 *   destination; for IPv6: class, flow label, hop limit, protocol, protocol id, length,
 *   source, destination;
 *   then for TCP and UDP: source port, destination port, data length (TCP: then its flags,
 *   sequence, ack, window, urg, options). */
#include <string.h>

#include "logs/logs.h"
#include "logs/logs_kv.h"

#define FL_MAX 32

static bool digits(log_val v)
{
    if (!v.n || v.n > 10)
        return false;
    for (uint32_t i = 0; i < v.n; i++)
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
    return true;
}

static bool is(log_val v, const char *s)
{
    size_t l = strlen(s);
    return v.n == l && memcmp(v.p, s, l) == 0;
}

bool log_parse_filterlog(log_rec *r, const char *m, size_t n)
{
    log_val f[FL_MAX];
    size_t nf = (size_t)log_csv_split(m, n, f, FL_MAX);
    if (nf < 9 || !digits(f[0]) || !(is(f[8], "4") || is(f[8], "6")))
        return false;
    bool v6 = f[8].p[0] == '6';
    size_t proto = v6 ? 12 : 16, src = v6 ? 15 : 18, rest = src + 2;
    if (nf < rest || !log_is_ip(f[src].p, f[src].n) || !log_is_ip(f[src + 1].p, f[src + 1].n))
        return false;
    log_set_str(r, LF_EVENT_DATASET, "pf.filterlog");
    log_set_str(r, LF_OBSERVER_PRODUCT, "pf (pfSense, OPNsense)");
    log_set(r, LF_MESSAGE, m, n);
    log_set_str(r, LF_EVENT_CATEGORY, "network");
    /* the tracker names a rule for good; the number is its place in the ruleset now */
    log_val id = digits(f[3]) && !is(f[3], "0") ? f[3] : f[0];
    log_set(r, LF_RULE_ID, id.p, id.n);
    if (f[5].n)
        log_set(r, LF_EVENT_REASON, f[5].p, f[5].n);
    log_set_action(r, f[6].p, f[6].n);
    if (f[4].n)
        log_set(r, is(f[7], "out") ? LF_OBSERVER_EGRESS : LF_OBSERVER_INGRESS, f[4].p, f[4].n);
    log_set_transport(r, f[proto].p, f[proto].n);
    log_val len = f[v6 ? 14 : 17];
    if (digits(len))
        log_set(r, LF_NETWORK_BYTES, len.p, len.n);
    log_set(r, LF_SOURCE_IP, f[src].p, f[src].n);
    log_set(r, LF_DEST_IP, f[src + 1].p, f[src + 1].n);
    if ((is(f[proto], "tcp") || is(f[proto], "udp")) && nf >= rest + 2 && digits(f[rest]) && digits(f[rest + 1])) {
        log_set(r, LF_SOURCE_PORT, f[rest].p, f[rest].n);
        log_set(r, LF_DEST_PORT, f[rest + 1].p, f[rest + 1].n);
    }
    return true;
}

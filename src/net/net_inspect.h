/* Intrusion attempts read in protocol contents: the network sensor's second half.
 *
 * The inspector reassembles the first bytes of every TCP flow (net_flow), recognises the
 * protocol from them (HTTP/1.x, TLS, SSH, SMB, RDP, FTP, POP3, IMAP, Telnet, DNS over TCP),
 * parses what it reads (net_proto) and runs the signatures (net_sig: keepwatch's built-in
 * web-attack rules and any Suricata-format rules loaded) on the named buffers of each HTTP
 * request, DNS query, TLS hello and flow start. UDP DNS is read per datagram. It raises:
 *   web_attack             a signature on an HTTP request (T1190; scanners T1595.002)
 *   signature_match        a loaded signature on DNS, TLS or a flow's first bytes
 *   dns_tunnel             names that carry data to one domain (T1071.004)
 *   dga_domain             machine-made names looked up by one host (T1568.002)
 *   cleartext_credentials  FTP, POP3, IMAP, Telnet or HTTP Basic logins in the clear (T1552)
 *   intel_match            a packet from or to a listed address, a query, SNI or Host of a
 *                          listed domain (the list's name in rule.name)
 * one detection per source, target and rule (fired once, ended after idle_end quiet), with
 * the request as evidence. Like the detectors it does no I/O: a caller builds the signature
 * set and the intelligence lists, and feeds packets. */
#ifndef NET_INSPECT_H
#define NET_INSPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "net/net.h"
#include "net/net_flow.h"
#include "net/net_proto.h"

struct intel;
struct net_sig_set;

typedef struct net_inspect_opts {
    const struct net_sig_set *sigs;  /* NULL: no signatures; must outlive the inspector */
    struct intel *intel;             /* NULL: no lists; must outlive the inspector */
    bool dns_tunnel, dga, cleartext;
    int64_t idle_end_s;              /* a content detection is over after this long quiet */
} net_inspect_opts;

typedef struct net_inspect_stats {
    uint64_t http_requests, dns_messages, tls_hellos, ssh, smb, rdp, logins;
    uint64_t sig_matches;
    uint64_t malformed[NET_WHY_COUNT];   /* by the reason the parser gave */
    uint64_t flow[NET_FLOW_EV_COUNT];    /* reassembly events */
    uint64_t flows_active;
} net_inspect_stats;

typedef struct net_inspect net_inspect;

/* An inspector raising its detections through emit(arg, ...), on the caller's thread.
 * Returns an inspector the caller frees with net_inspect_free. */
net_inspect *net_inspect_new(const net_inspect_opts *o, net_emit_fn emit, void *arg);
void net_inspect_free(net_inspect *in);

void net_inspect_packet(net_inspect *in, const net_pkt *p);
/* Lets capture time pass (a quiet link, or once a second): detections end, lists refresh. */
void net_inspect_tick(net_inspect *in, int64_t now_ns);
/* Ends every flow and every detection (end of input). */
void net_inspect_finish(net_inspect *in);
void net_inspect_stats_get(const net_inspect *in, net_inspect_stats *st);
/* The inspector as the detectors' next stage, on their thread. */
void net_inspect_stage(net_inspect *in, net_stage *out);

#endif

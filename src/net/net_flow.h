/* TCP flows and the reassembly of their first bytes, in fixed memory.
 *
 * A flow is a TCP connection seen from its client (the side that sent the SYN, or, picked up
 * mid-stream, the side on the higher, non-service port). For each direction the table keeps
 * the bytes not yet consumed by the caller, in order: the client's in a 4 KiB chunk from a
 * fixed pool (requests, hellos, commands), the server's in a small buffer inside the flow
 * (banners, status lines). Segments out of order are held in place while they fit; a
 * retransmission is trimmed to what is new, and one that rewrites bytes already held with
 * other bytes (an evasion attempt) is counted and loses: the first bytes win, as the
 * consumer already read them. A gap that cannot be bridged drops what was held and starts
 * again at the new segment, flagged, so a consumer can resynchronise.
 *
 * The table holds NET_FLOW_SLOTS flows and the pool NET_FLOW_CHUNKS chunks; a million
 * concurrent flows cost the same memory: the stalest flow of a bucket makes room, and a
 * flow without a chunk is inspected segment by segment. Nothing here knows a protocol, and
 * nothing does I/O: the caller's consumer reads the bytes and says how many it consumed. */
#ifndef NET_FLOW_H
#define NET_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

#define NET_FLOW_SLOTS (1u << 15)
#define NET_FLOW_CHUNKS 2048u
#define NET_FLOW_CLIENT_BUF 4096u
#define NET_FLOW_SERVER_BUF 160u

enum { NET_DIR_TO_SERVER = 0, NET_DIR_TO_CLIENT = 1 };

/* Why a flow's bytes were not all delivered in order; one counter each. */
typedef enum net_flow_event {
    NET_FLOW_EV_OVERLAP_DIFF,   /* a retransmission carried other bytes than the ones held */
    NET_FLOW_EV_GAP,            /* bytes missing that never came: delivery restarted after them */
    NET_FLOW_EV_BUFFER_FULL,    /* a direction's buffer filled before the consumer took any */
    NET_FLOW_EV_NO_CHUNK,       /* the pool was empty: the flow went segment by segment */
    NET_FLOW_EV_EVICTED,        /* a flow pushed out by a newer one in its bucket */
    NET_FLOW_EV_COUNT
} net_flow_event;

typedef struct net_flow {
    net_addr client, server;
    uint16_t cport, sport;
    int64_t first_ns, last_ns;
    uint8_t app;                /* the consumer's: which protocol it found (0: not yet) */
    uint8_t done;               /* the consumer's: bit d set, direction d needs no more bytes */
    uint8_t gap;                /* bit d: direction d restarted after a gap (cleared on delivery) */
    uint8_t seq_known;          /* bit d: next[d] is valid */
    uint32_t next[2];           /* the sequence number of the byte after those held in order */
    uint32_t skip[2];           /* bytes the consumer asked to pass over (a body it does not read) */
    uint32_t len[2];            /* bytes held in order */
    uint32_t ooo_seq[2], ooo_len[2]; /* one out-of-order run held after a hole, per direction */
    int32_t chunk;              /* the client's buffer in the pool, -1: none */
    bool had_chunk;             /* it was given one (or asked when the pool was empty) */
    bool data;                  /* some payload was seen, either way */
    uint32_t user;              /* the consumer's own counter (requests inspected, ...) */
    uint8_t sbuf[NET_FLOW_SERVER_BUF];
} net_flow;

typedef struct net_flows net_flows;

/* Delivers the bytes of direction dir held in order and not yet consumed, p[0..n); `final`
 * when the flow is ending (FIN, RST, eviction, end of input) and no more will come. Returns
 * how many bytes it consumed from the front (the rest stay for the next call). It may set
 * f->done, f->app, f->skip[dir] and f->user. */
typedef size_t (*net_flow_consumer)(void *arg, net_flow *f, int dir, const uint8_t *p, size_t n, bool final);

/* A table delivering to consume(arg, ...). Returns a table the caller frees with
 * net_flows_free. */
net_flows *net_flows_new(net_flow_consumer consume, void *arg);
/* The same with `slots` flows (a power of two, 4 or more) and `chunks` client buffers, for
 * tests and fuzzing. */
net_flows *net_flows_new_sized(uint32_t slots, uint32_t chunks, net_flow_consumer consume, void *arg);
void net_flows_free(net_flows *t);

/* Takes one TCP packet (p->proto 6 with ports): its flags make and end flows, its payload is
 * placed and delivered. */
void net_flows_packet(net_flows *t, const net_pkt *p);

/* Ends every flow (end of input): each gets its final delivery. */
void net_flows_finish(net_flows *t);

/* How often each event happened, and the flows held now. */
uint64_t net_flows_events(const net_flows *t, net_flow_event ev);
size_t net_flows_active(const net_flows *t);
const char *net_flow_event_name(net_flow_event ev);

#endif

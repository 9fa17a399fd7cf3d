/* scan_udp_net.c: sending the UDP probes of scan_udp.c and reading their answers. Hosts go in
 * batches of at most SCAN_UDP_BATCH sockets; each port gets a connected socket (so an ICMP port
 * unreachable comes back as ECONNREFUSED: closed), its probe, one resend after the timeout, and
 * then is open|filtered. Sends keep to the total and per-host rates; a scan takes at most SCAN_UDP_BATCH UDP
 * ports. Each answer is parsed; an answer that
 * proves a weakness is reported into the finding sink, with the amplification it measured. */
#include "scan/scan.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define SCAN_UDP_READ 65536

typedef struct uprobe {
    size_t host;
    uint16_t port;
    uint8_t attempt, done;
    int fd;
    uint32_t id;
    scan_udp_kind kind;
    int64_t deadline_us;
    size_t plen, alen;
    scan_state st;
    scan_udp_answer ans;
} uprobe;

typedef struct ubatch {
    const scan_targets *t;
    const scan_opts *o;
    const finding_sink *sink;
    uprobe *v;
    size_t n, left;
    int ep;
    int64_t timeout_us;
    scan_bucket bucket;
    scan_bucket *hb;                /* per host of the batch */
    size_t h0, nports;              /* the batch's first host, ports per host */
    uint8_t *buf;
} ubatch;

static void sleep_us(int64_t us)
{
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static void uprobe_settle(ubatch *b, uprobe *p, scan_state st)
{
    p->st = st;
    p->done = 1;
    b->left--;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

/* Sends p's probe (again); false when the socket could not be set up (the port is then filtered). */
/* Waits for a token of bucket k (a rate of 0 never waits). */
static void bucket_wait(scan_bucket *k)
{
    while (!scan_bucket_take(k, scan_now_us()))
        sleep_us(scan_bucket_wait_us(k, scan_now_us()));
}

static bool uprobe_send(ubatch *b, uprobe *p)
{
    bucket_wait(&b->hb[p->host - b->h0]);
    bucket_wait(&b->bucket);
    uint8_t pkt[SCAN_UDP_PROBE_MAX];
    p->plen = scan_udp_probe(p->kind, p->id, pkt);
    if (p->fd < 0) {
        struct sockaddr_storage ss;
        socklen_t len = scan_sockaddr(&b->t->v[p->host].addr, p->port, &ss);
        p->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)(p - b->v)};
        if (p->fd < 0 || connect(p->fd, (struct sockaddr *)&ss, len) != 0 ||
            epoll_ctl(b->ep, EPOLL_CTL_ADD, p->fd, &ev) != 0)
            return false;
    }
    if (send(p->fd, pkt, p->plen, 0) < 0 && errno == ECONNREFUSED)
        uprobe_settle(b, p, SCAN_CLOSED);
    p->deadline_us = scan_now_us() + b->timeout_us;
    return true;
}

static void uprobe_read(ubatch *b, uprobe *p)
{
    ssize_t r = recv(p->fd, b->buf, SCAN_UDP_READ, MSG_TRUNC);
    if (r < 0) {
        if (errno == ECONNREFUSED)
            uprobe_settle(b, p, SCAN_CLOSED);
        return;
    }
    p->alen = (size_t)r;
    size_t got = p->alen > SCAN_UDP_READ ? SCAN_UDP_READ : p->alen;
    if (scan_udp_parse(p->kind, p->id, b->buf, got, &p->ans) != KW_OK) {
        memset(&p->ans, 0, sizeof p->ans);
        snprintf(p->ans.info, sizeof p->ans.info, "answered %zu bytes, not a %s answer", p->alen,
                 p->kind ? scan_udp_kind_name(p->kind) : "known");
    }
    uprobe_settle(b, p, SCAN_OPEN);
}

static void ubatch_expire(ubatch *b, int64_t now)
{
    for (size_t i = 0; i < b->n; i++) {
        uprobe *p = &b->v[i];
        if (p->done || p->deadline_us > now)
            continue;
        if (p->attempt < (b->o->retries < 0 ? 0 : b->o->retries)) {
            p->attempt++;
            uprobe_send(b, p);
        } else {
            uprobe_settle(b, p, SCAN_OPEN_FILTERED);
        }
    }
}

static int64_t ubatch_next_deadline(const ubatch *b)
{
    int64_t d = INT64_MAX;
    for (size_t i = 0; i < b->n; i++)
        if (!b->v[i].done && b->v[i].deadline_us < d)
            d = b->v[i].deadline_us;
    return d;
}

static void ubatch_run(ubatch *b)
{
    size_t hosts = b->n / b->nports;
    for (size_t i = 0; i < b->n; i++) { /* port by port across the hosts: a host's rate holds back only it */
        uprobe *p = &b->v[(i % hosts) * b->nports + i / hosts];
        if (!uprobe_send(b, p) && !p->done)
            uprobe_settle(b, p, SCAN_FILTERED);
    }
    struct epoll_event ev[64];
    while (b->left > 0 && !(b->o->cancel && *b->o->cancel)) {
        int64_t now = scan_now_us(), d = ubatch_next_deadline(b) - now;
        int n = epoll_wait(b->ep, ev, 64, d <= 0 ? 0 : (int)((d + 999) / 1000));
        for (int i = 0; i < n; i++) {
            uprobe *p = &b->v[ev[i].data.u64];
            if (!p->done)
                uprobe_read(b, p);
        }
        ubatch_expire(b, scan_now_us());
    }
}

/* The finding an open port's answer proves, into the sink. */
static kw_rc uprobe_finding(ubatch *b, const uprobe *p)
{
    const scan_host *h = &b->t->v[p->host];
    char ip[INET6_ADDRSTRLEN], ev[1024];
    kw_addr_str(&h->addr, ip, sizeof ip);
    finding f;
    if (!b->sink || p->st != SCAN_OPEN ||
        !scan_udp_finding(p->kind, &p->ans, p->plen, p->alen, h->name, ip, p->port, ev, sizeof ev, &f))
        return KW_OK;
    return finding_emit(b->sink, &f);
}

/* One host's results (its probes are b->v[from, to)) to on_host, and its findings to the sink. */
static kw_rc ubatch_report(ubatch *b, size_t from, size_t to)
{
    scan_port_result *res = kw_calloc(to - from, sizeof *res);
    scan_host_result hr = {.host = &b->t->v[b->v[from].host]};
    kw_rc rc = KW_OK;
    for (size_t i = from; i < to && rc == KW_OK; i++) {
        const uprobe *p = &b->v[i];
        if (p->st == SCAN_CLOSED) {
            hr.closed++;
            continue;
        }
        scan_port_result *r = &res[hr.nports++];
        r->port = p->port;
        r->udp = true;
        r->state = p->st;
        const char *usual = scan_port_service(p->port, true);
        kw_strlcpy(r->svc.name, p->ans.name[0] ? p->ans.name : usual ? usual : "unknown", sizeof r->svc.name);
        kw_strlcpy(r->svc.product, p->ans.product, sizeof r->svc.product);
        kw_strlcpy(r->svc.version, p->ans.version, sizeof r->svc.version);
        kw_strlcpy(r->svc.info, p->ans.info, sizeof r->svc.info);
        if (p->st == SCAN_OPEN)
            hr.open++;
        else
            hr.filtered++;
        rc = uprobe_finding(b, p);
    }
    hr.ports = res;
    if (rc == KW_OK && b->o->on_host)
        rc = b->o->on_host(b->o->on_host_arg, &hr);
    free(res);
    return rc;
}

/* Probes hosts [h0, h1) on the ports of list[n]. */
static kw_rc ubatch_hosts(ubatch *b, size_t h0, size_t h1, const uint16_t *list, size_t n)
{
    b->n = b->left = (h1 - h0) * n;
    b->h0 = h0;
    b->nports = n;
    for (size_t h = h0; h < h1; h++)
        scan_bucket_init(&b->hb[h - h0], b->o->host_rate, scan_now_us());
    for (size_t h = h0, k = 0; h < h1; h++)
        for (size_t i = 0; i < n; i++, k++) {
            uprobe *p = &b->v[k];
            memset(p, 0, sizeof *p);
            p->host = h;
            p->port = list[i];
            p->fd = -1;
            p->kind = scan_udp_kind_of_port(list[i]);
            if (getrandom(&p->id, sizeof p->id, 0) != sizeof p->id)
                p->id = (uint32_t)(scan_now_us() * 2654435761u + k);
        }
    ubatch_run(b);
    kw_rc rc = KW_OK;
    for (size_t h = h0; h < h1 && rc == KW_OK; h++)
        rc = ubatch_report(b, (h - h0) * n, (h - h0 + 1) * n);
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].fd >= 0)
            close(b->v[i].fd);
    return rc;
}

kw_rc scan_net_udp(const scan_targets *t, const scan_ports *ports, const scan_opts *o, const finding_sink *sink)
{
    uint16_t *list = kw_calloc(SCAN_PORT_LIST, sizeof *list);
    size_t n = scan_ports_list(ports->udp, list);
    ubatch b = {.t = t, .o = o, .sink = sink, .ep = epoll_create1(EPOLL_CLOEXEC)};
    b.timeout_us = (o->timeout_ms > 0 ? o->timeout_ms : 1000) * 1000;
    scan_bucket_init(&b.bucket, o->rate, scan_now_us());
    kw_rc rc = b.ep < 0 ? KW_ERR_IO : n > SCAN_UDP_BATCH ? KW_ERR_RANGE : KW_OK;
    size_t per = n ? (SCAN_UDP_BATCH / n ? SCAN_UDP_BATCH / n : 1) : 1;
    b.v = kw_calloc(per * (n ? n : 1), sizeof *b.v);
    b.hb = kw_calloc(per, sizeof *b.hb);
    b.buf = kw_malloc(SCAN_UDP_READ);
    for (size_t h = 0; n && h < t->n && rc == KW_OK; h += per) {
        if (o->cancel && *o->cancel)
            rc = KW_ERR_CANCELLED;
        else
            rc = ubatch_hosts(&b, h, h + per < t->n ? h + per : t->n, list, n);
    }
    if (b.ep >= 0)
        close(b.ep);
    free(b.v);
    free(b.hb);
    free(b.buf);
    free(list);
    return rc;
}

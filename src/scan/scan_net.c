/* scan_net.c: the TCP connect scan. Non-blocking connects under one epoll, as many in flight as
 * the open-file limit allows (its soft limit raised to the hard one), over a group of hosts at
 * once, each host with its own adaptive timeout (smoothed RTT and variance as RFC 6298 computes
 * them, between a floor and the configured ceiling), its own token bucket and a retry for an
 * unanswered port; a total token bucket over all. A refused connect (RST) is closed at once, an
 * accepted one is open and closed with an RST (SO_LINGER 0: no TIME_WAIT), silence after the
 * retry or an ICMP unreachable is filtered. Open ports go to the identification callback on a
 * small pool of threads while the scan goes on; a host is reported when all of it is settled.
 * One scanner runs on one thread; scan_net_par.c runs several. */
#include "scan/scan.h"
#include "scan/scan_int.h"
#include "core/kw_mem.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define SCAN_INFLIGHT_CAP 16384
#define SCAN_FD_RESERVE 64            /* descriptors left for identification, logs, the store */
#define SCAN_IDENT_BACKLOG 1024       /* open ports waiting for identification before launching pauses */
#define SCAN_PROGRESS_US 200000
#define SCAN_SPARE 64
#define SCAN_ESELF (-1)              /* connect_state: the socket connected to itself (closed) */

/* ---- the scanner's state ---- */

typedef struct hstate {
    const scan_host *host;
    bool active;
    size_t cursor;                  /* next index into the port list */
    uint16_t *retry;                /* ports to try once more (a FIFO from retry_head) */
    size_t nretry, retry_head, retry_cap;
    size_t inflight, ident_pending;
    int64_t srtt_us, rttvar_us;     /* 0, 0: no sample yet */
    scan_bucket bucket;
    scan_port_result *res;
    size_t nres, res_cap;
    size_t open, closed, filtered;
} hstate;

typedef struct slot {
    uint32_t gen;
    uint32_t group;
    uint16_t port;
    uint8_t attempt, used;
    int64_t sent_us;
} slot;

typedef struct tmr {
    int64_t at_us;
    int fd;
    uint32_t gen;
} tmr;

typedef struct ident_job {
    struct ident_job *next;
    uint32_t group;
    size_t res_idx;
    struct sockaddr_storage ss;
    socklen_t len;
    const char *name;               /* the host's, which outlives the scan */
    scan_service svc;
    kw_rc rc;
} ident_job;

typedef struct ident_pool {
    pthread_t *th;
    int n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ident_job *head, *tail, *done;
    bool stop;
    int efd;
    scan_ident_fn fn;
    void *arg;
} ident_pool;

typedef struct scanner {
    const scan_targets *t;
    const scan_opts *o;
    uint16_t *ports;
    size_t nports;
    hstate *group;
    size_t ngroup, next_host, rr;
    slot *slots;
    size_t nslots, inflight, max_inflight, host_inflight;
    tmr *heap;
    size_t nheap, heap_cap;
    int ep;
    scan_bucket bucket;
    int64_t stall_until_us, last_progress_us;
    int64_t timeout_us, min_timeout_us;
    int retries;
    size_t ident_pending;
    ident_pool pool;
    int spare[2][SCAN_SPARE];       /* refused sockets ready for another connect, IPv4 and IPv6 */
    size_t nspare[2];
    scan_progress prog;
    volatile int *stop;             /* a sibling scanner's host callback failed */
    kw_rc rc;
} scanner;

/* ---- the timer heap (lazy deletion: a fired entry whose generation moved on is skipped) ---- */

static void heap_push(scanner *s, int64_t at, int fd, uint32_t gen)
{
    kw_grow(&s->heap, &s->heap_cap, s->nheap + 1, sizeof *s->heap);
    size_t i = s->nheap++;
    while (i > 0 && s->heap[(i - 1) / 2].at_us > at) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = (tmr){at, fd, gen};
}

static tmr heap_pop(scanner *s)
{
    tmr top = s->heap[0], last = s->heap[--s->nheap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && s->heap[c + 1].at_us < s->heap[c].at_us)
            c++;
        if (s->heap[c].at_us >= last.at_us)
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->nheap)
        s->heap[i] = last;
    return top;
}

/* ---- identification threads ---- */

static void *ident_main(void *arg)
{
    ident_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!p->head)
            break;
        ident_job *j = p->head;
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        j->rc = p->fn((const struct sockaddr *)&j->ss, j->len, j->name, &j->svc, p->arg);
        pthread_mutex_lock(&p->mu);
        j->next = p->done;
        p->done = j;
        uint64_t one = 1;
        if (write(p->efd, &one, sizeof one) < 0) { /* the counter cannot overflow at this rate */
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static kw_rc pool_start(ident_pool *p, const scan_opts *o, int ep)
{
    memset(p, 0, sizeof *p);
    p->efd = -1;
    if (!o->ident)
        return KW_OK;
    p->fn = o->ident;
    p->arg = o->ident_arg;
    p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = p->efd};
    if (p->efd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, p->efd, &ev) != 0)
        return KW_ERR_IO;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    int n = o->ident_threads > 0 ? o->ident_threads : 8;
    p->th = kw_calloc((size_t)n, sizeof *p->th);
    for (int i = 0; i < n; i++)
        if (pthread_create(&p->th[i], NULL, ident_main, p) == 0)
            p->n++;
    return p->n ? KW_OK : KW_ERR_IO;
}

static void pool_stop(ident_pool *p)
{
    if (p->th) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        for (int i = 0; i < p->n; i++)
            pthread_join(p->th[i], NULL);
        for (ident_job *j = p->done, *next; j; j = next) {
            next = j->next;
            free(j);
        }
        for (ident_job *j = p->head, *next; j; j = next) {
            next = j->next;
            free(j);
        }
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p->th);
    }
    if (p->efd >= 0)
        close(p->efd);
}

static void ident_submit(scanner *s, uint32_t g, size_t res_idx)
{
    hstate *h = &s->group[g];
    ident_job *j = kw_calloc(1, sizeof *j);
    j->group = g;
    j->res_idx = res_idx;
    j->len = scan_sockaddr(&h->host->addr, h->res[res_idx].port, &j->ss);
    j->svc = h->res[res_idx].svc;
    j->name = h->host->name;
    h->ident_pending++;
    s->ident_pending++;
    pthread_mutex_lock(&s->pool.mu);
    if (s->pool.tail)
        s->pool.tail->next = j;
    else
        s->pool.head = j;
    s->pool.tail = j;
    pthread_cond_signal(&s->pool.cv);
    pthread_mutex_unlock(&s->pool.mu);
}

static void ident_collect(scanner *s)
{
    uint64_t cnt;
    if (read(s->pool.efd, &cnt, sizeof cnt) < 0 && errno != EAGAIN)
        return;
    pthread_mutex_lock(&s->pool.mu);
    ident_job *j = s->pool.done;
    s->pool.done = NULL;
    pthread_mutex_unlock(&s->pool.mu);
    while (j) {
        ident_job *next = j->next;
        hstate *h = &s->group[j->group];
        h->res[j->res_idx].svc = j->svc;
        h->res[j->res_idx].ident_rc = j->rc;
        h->ident_pending--;
        s->ident_pending--;
        free(j);
        j = next;
    }
}

/* ---- per-host results ---- */

static scan_port_result *result_add(hstate *h, unsigned port, scan_state st)
{
    kw_grow(&h->res, &h->res_cap, h->nres + 1, sizeof *h->res);
    scan_port_result *r = &h->res[h->nres++];
    memset(r, 0, sizeof *r);
    r->port = (uint16_t)port;
    r->state = st;
    const char *name = scan_port_service(port, false);
    kw_strlcpy(r->svc.name, name ? name : "unknown", sizeof r->svc.name);
    return r;
}

static void settle(scanner *s, uint32_t g, unsigned port, scan_state st)
{
    hstate *h = &s->group[g];
    s->prog.done++;
    if (st == SCAN_CLOSED) {
        h->closed++;
        return;
    }
    if (st == SCAN_FILTERED) {
        if (h->filtered++ < SCAN_FILTERED_KEEP)
            result_add(h, port, st);
        return;
    }
    h->open++;
    s->prog.open++;
    result_add(h, port, st);
    if (s->pool.fn)
        ident_submit(s, g, h->nres - 1);
}

/* RFC 6298 (2.2, 2.3) on one sample. */
static void rtt_sample(hstate *h, int64_t r)
{
    if (r < 1)
        r = 1;
    if (h->srtt_us == 0) {
        h->srtt_us = r;
        h->rttvar_us = r / 2;
        return;
    }
    int64_t d = h->srtt_us > r ? h->srtt_us - r : r - h->srtt_us;
    h->rttvar_us = (3 * h->rttvar_us + d) / 4;
    h->srtt_us = (7 * h->srtt_us + r) / 8;
}

static int64_t host_timeout(const scanner *s, const hstate *h)
{
    if (h->srtt_us == 0)
        return s->timeout_us;
    int64_t t = h->srtt_us + 4 * h->rttvar_us;
    return t < s->min_timeout_us ? s->min_timeout_us : t > s->timeout_us ? s->timeout_us : t;
}

int scan_port_cmp(const void *a, const void *b)
{
    return (int)((const scan_port_result *)a)->port - (int)((const scan_port_result *)b)->port;
}

static void host_report(scanner *s, hstate *h)
{
    if (h->nres > 1)
        qsort(h->res, h->nres, sizeof *h->res, scan_port_cmp);
    scan_host_result r = {h->host, h->res, h->nres, h->open, h->closed, h->filtered, h->srtt_us};
    if (s->o->on_host && s->rc == KW_OK)
        s->rc = s->o->on_host(s->o->on_host_arg, &r);
    free(h->res);
    free(h->retry);
    memset(h, 0, sizeof *h);
    s->prog.hosts_done++;
}

static bool host_finished(const scanner *s, const hstate *h)
{
    return h->cursor >= s->nports && h->retry_head >= h->nretry && h->inflight == 0 && h->ident_pending == 0;
}

/* Reports finished hosts and fills their places with the next ones; false when none is left. */
static bool group_refill(scanner *s, int64_t now)
{
    bool any = false;
    for (size_t g = 0; g < s->ngroup; g++) {
        hstate *h = &s->group[g];
        if (h->active && host_finished(s, h))
            host_report(s, h);
        if (!h->active && s->next_host < s->t->n && s->rc == KW_OK) {
            h->host = &s->t->v[s->next_host++];
            h->active = true;
            scan_bucket_init(&h->bucket, s->o->host_rate, now);
        }
        any |= h->active;
    }
    return any;
}

/* ---- probes ---- */

static void retry_push(hstate *h, uint16_t port)
{
    if (h->retry_head > 0 && h->retry_head == h->nretry)
        h->retry_head = h->nretry = 0;
    kw_grow(&h->retry, &h->retry_cap, h->nretry + 1, sizeof *h->retry);
    h->retry[h->nretry++] = port;
}

static void fd_close(int fd, bool connected);

static void probe_close(scanner *s, int fd, bool connected)
{
    slot *sl = &s->slots[fd];
    sl->used = 0;
    sl->gen++;
    s->group[sl->group].inflight--;
    s->inflight--;
    fd_close(fd, connected);
}

/* What a connect's error means. */
static scan_state state_of_errno(int e)
{
    return e == 0 ? SCAN_OPEN : e == ECONNREFUSED || e == SCAN_ESELF ? SCAN_CLOSED : SCAN_FILTERED;
}

/* Closes a probe's socket; an accepted connection is reset (SO_LINGER 0: no TIME_WAIT left). */
static void fd_close(int fd, bool connected)
{
    if (connected) {
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(fd);
}

/* A connect to a port of this machine that nothing listens on can pick that very port as its
 * source and connect to itself (TCP simultaneous open): that is a closed port, not an open one. */
static bool self_connected(int fd, const struct sockaddr_storage *sa, socklen_t len)
{
    struct sockaddr_storage me;
    socklen_t ml = sizeof me;
    return getsockname(fd, (struct sockaddr *)&me, &ml) == 0 && ml == len && memcmp(&me, sa, len) == 0;
}

/* Where a non-blocking connect to sa stands, asked by connecting again: 0 connected,
 * EINPROGRESS not yet, else its error. Linux then leaves a refused socket unconnected, ready
 * for the next connect (which saves a socket() and a close() per closed port). */
static int connect_state(int fd, const struct sockaddr_storage *sa, socklen_t len)
{
    if (connect(fd, (const struct sockaddr *)sa, len) == 0 || errno == EISCONN)
        return self_connected(fd, sa, len) ? SCAN_ESELF : 0;
    return errno == EALREADY || errno == EINPROGRESS ? EINPROGRESS : errno;
}

/* A socket for family fam: a refused one kept for reuse, else a new one; -1 with errno. */
static int probe_socket(scanner *s, int fam)
{
    int v6 = fam == AF_INET6;
    if (s->nspare[v6])
        return s->spare[v6][--s->nspare[v6]];
    return socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* Done with a socket that never went into epoll: refused ones are kept, the rest closed. */
static void probe_socket_put(scanner *s, int fd, int fam, int err)
{
    int v6 = fam == AF_INET6;
    if (err == ECONNREFUSED && s->nspare[v6] < SCAN_SPARE)
        s->spare[v6][s->nspare[v6]++] = fd;
    else
        fd_close(fd, err == 0 || err == SCAN_ESELF);
}

/* Watches a connect in progress: epoll, its slot, its timer; false when epoll refused it. */
static bool probe_watch(scanner *s, int fd, uint32_t g, uint16_t port, uint8_t attempt, int64_t now)
{
    struct epoll_event ev = {.events = EPOLLOUT, .data.fd = fd};
    if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
        return false;
    slot *sl = &s->slots[fd];
    sl->used = 1;
    sl->group = g;
    sl->port = port;
    sl->attempt = attempt;
    sl->sent_us = now;
    s->group[g].inflight++;
    s->inflight++;
    heap_push(s, now + host_timeout(s, &s->group[g]), fd, sl->gen);
    return true;
}

/* 1 sent (or settled at once), 0 try later (out of descriptors or local ports), -1 error. */
static int probe_send(scanner *s, uint32_t g, uint16_t port, uint8_t attempt, int64_t now)
{
    struct sockaddr_storage ss;
    socklen_t len = scan_sockaddr(&s->group[g].host->addr, port, &ss);
    int fd = probe_socket(s, ss.ss_family);
    if (fd < 0)
        return errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM ? 0 : -1;
    if ((size_t)fd >= s->nslots) {
        close(fd);
        return 0;
    }
    int e = connect(fd, (struct sockaddr *)&ss, len) == 0 ? 0 : errno;
    if (e == EINPROGRESS || e == 0) /* on loopback and near hosts the answer is often in already */
        e = connect_state(fd, &ss, len);
    if (e == EINPROGRESS && probe_watch(s, fd, g, port, attempt, now))
        return 1;
    if (e == EADDRNOTAVAIL || e == EAGAIN || e == ENOBUFS || e == EINPROGRESS) {
        close(fd);
        return 0;
    }
    probe_socket_put(s, fd, ss.ss_family, e);
    settle(s, g, port, state_of_errno(e));
    return 1;
}

/* The next probe of host h into *port / *attempt; false when it has none to send now. */
static bool host_next(const scanner *s, const hstate *h, uint16_t *port, uint8_t *attempt)
{
    if (h->retry_head < h->nretry) {
        *port = h->retry[h->retry_head];
        *attempt = 1;
        return true;
    }
    if (h->cursor < s->nports) {
        *port = s->ports[h->cursor];
        *attempt = 0;
        return true;
    }
    return false;
}

static void host_advance(hstate *h, uint8_t attempt)
{
    if (attempt)
        h->retry_head++;
    else
        h->cursor++;
}

static bool may_launch(const scanner *s, int64_t now)
{
    return s->inflight < s->max_inflight && s->ident_pending < SCAN_IDENT_BACKLOG && now >= s->stall_until_us &&
           s->rc == KW_OK;
}

/* One probe from each host that may send, round after round, while anything goes out. */
static void launch(scanner *s, int64_t now)
{
    bool sent = true;
    while (sent) {
        sent = false;
        for (size_t k = 0; k < s->ngroup; k++) {
            if (!may_launch(s, now))
                return;
            uint32_t g = (uint32_t)((s->rr + k) % s->ngroup);
            hstate *h = &s->group[g];
            uint16_t port;
            uint8_t attempt;
            if (!h->active || h->inflight >= s->host_inflight || !host_next(s, h, &port, &attempt) ||
                scan_bucket_wait_us(&h->bucket, now) > 0)
                continue;
            if (!scan_bucket_take(&s->bucket, now))
                return;
            scan_bucket_take(&h->bucket, now);
            int r = probe_send(s, g, port, attempt, now);
            if (r == 0) { /* out of descriptors or local ports: wait for some to come back */
                s->stall_until_us = now + 2000;
                if (s->inflight > 16 && s->max_inflight > s->inflight)
                    s->max_inflight = s->inflight;
                return;
            }
            host_advance(h, attempt);
            sent = true;
        }
        s->rr++;
    }
}

/* A connect finished: what it says about the port. */
static void probe_done(scanner *s, int fd, int64_t now)
{
    if (fd < 0 || (size_t)fd >= s->nslots || !s->slots[fd].used)
        return;
    slot sl = s->slots[fd];
    struct sockaddr_storage ss;
    socklen_t len = scan_sockaddr(&s->group[sl.group].host->addr, sl.port, &ss);
    int err = connect_state(fd, &ss, len);
    if (err == EINPROGRESS)
        return;
    scan_state st = state_of_errno(err);
    if (sl.attempt == 0 && st != SCAN_FILTERED) /* Karn: no sample from a retried probe */
        rtt_sample(&s->group[sl.group], now - sl.sent_us);
    probe_close(s, fd, err == 0 || err == SCAN_ESELF);
    settle(s, sl.group, sl.port, st);
}

static void timers_expire(scanner *s, int64_t now)
{
    while (s->nheap && s->heap[0].at_us <= now) {
        tmr t = heap_pop(s);
        slot *sl = &s->slots[t.fd];
        if (!sl->used || sl->gen != t.gen)
            continue;
        slot copy = *sl;
        struct sockaddr_storage ss; /* an answer may wait unread behind a long launch */
        socklen_t len = scan_sockaddr(&s->group[copy.group].host->addr, copy.port, &ss);
        int err = connect_state(t.fd, &ss, len);
        probe_close(s, t.fd, err == 0 || err == SCAN_ESELF);
        if (err != EINPROGRESS)
            settle(s, copy.group, copy.port, state_of_errno(err));
        else if (copy.attempt < s->retries)
            retry_push(&s->group[copy.group], copy.port);
        else
            settle(s, copy.group, copy.port, SCAN_FILTERED);
    }
}

/* How long epoll may sleep: the next timer, the next token, the next progress line. */
static int wait_ms(scanner *s, int64_t now)
{
    bool waiting = s->inflight || s->ident_pending; /* else only tokens or a stall hold it back */
    int64_t until = waiting ? now + SCAN_PROGRESS_US : INT64_MAX;
    if (s->nheap && s->heap[0].at_us < until)
        until = s->heap[0].at_us;
    if (s->stall_until_us > now && s->stall_until_us < until)
        until = s->stall_until_us;
    int64_t tw = scan_bucket_wait_us(&s->bucket, now);
    if (tw > 0 && now + tw < until)
        until = now + tw;
    for (size_t g = 0; g < s->ngroup && s->o->host_rate; g++) {
        int64_t hw = scan_bucket_wait_us(&s->group[g].bucket, now);
        if (s->group[g].active && hw > 0 && now + hw < until)
            until = now + hw;
    }
    int64_t d = until == INT64_MAX ? 0 : until - now;
    return d <= 0 ? 0 : (int)((d + 999) / 1000);
}

static void progress(scanner *s, int64_t now, bool last)
{
    if (!s->o->on_progress || (!last && now - s->last_progress_us < SCAN_PROGRESS_US))
        return;
    s->last_progress_us = now;
    s->o->on_progress(s->o->on_progress_arg, &s->prog);
}

static void scan_loop(scanner *s)
{
    struct epoll_event ev[512];
    int64_t now = scan_now_us();
    while (group_refill(s, now) && s->rc == KW_OK) { /* a host callback's error ends it */
        if ((s->o->cancel && *s->o->cancel) || (s->stop && *s->stop)) {
            s->rc = KW_ERR_CANCELLED;
            break;
        }
        launch(s, now);
        int n = epoll_wait(s->ep, ev, 512, wait_ms(s, now));
        for (;;) { /* everything that is in, before any timer decides it is not */
            now = scan_now_us();
            for (int i = 0; i < n; i++) {
                if (ev[i].data.fd == s->pool.efd)
                    ident_collect(s);
                else
                    probe_done(s, ev[i].data.fd, now);
            }
            if (n < 512)
                break;
            n = epoll_wait(s->ep, ev, 512, 0);
        }
        timers_expire(s, now);
        progress(s, now, false);
    }
    progress(s, now, true);
}

static void scanner_free(scanner *s)
{
    for (size_t fd = 0; fd < s->nslots; fd++)
        if (s->slots[fd].used)
            close((int)fd);
    for (int v6 = 0; v6 < 2; v6++)
        for (size_t i = 0; i < s->nspare[v6]; i++)
            close(s->spare[v6][i]);
    pool_stop(&s->pool); /* joins the threads before their hosts' memory goes */
    for (size_t g = 0; g < s->ngroup; g++) {
        free(s->group[g].res);
        free(s->group[g].retry);
    }
    free(s->group);
    free(s->slots);
    free(s->heap);
    if (s->ep >= 0)
        close(s->ep);
}

kw_rc scan_net_one(const scan_targets *t, uint16_t *list, size_t n, const scan_opts *o, volatile int *stop)
{
    scanner s = {.t = t, .o = o, .ep = -1, .rc = KW_OK, .ports = list, .nports = n, .stop = stop};
    size_t nofile = scan_raise_nofile();
    s.nslots = nofile;
    s.slots = kw_calloc(nofile, sizeof *s.slots);
    size_t cap = nofile > SCAN_FD_RESERVE * 2 ? nofile - SCAN_FD_RESERVE : nofile / 2;
    s.max_inflight = o->max_inflight && o->max_inflight < cap ? o->max_inflight : cap;
    if (s.max_inflight > SCAN_INFLIGHT_CAP)
        s.max_inflight = SCAN_INFLIGHT_CAP;
    s.host_inflight = o->host_inflight ? o->host_inflight : 2048;
    s.ngroup = o->host_group ? o->host_group : 64;
    if (s.ngroup > t->n)
        s.ngroup = t->n ? t->n : 1;
    s.group = kw_calloc(s.ngroup, sizeof *s.group);
    s.timeout_us = (o->timeout_ms > 0 ? o->timeout_ms : 1000) * 1000;
    s.min_timeout_us = (o->min_timeout_ms > 0 ? o->min_timeout_ms : 100) * 1000;
    if (s.min_timeout_us > s.timeout_us)
        s.min_timeout_us = s.timeout_us;
    s.retries = o->retries < 0 ? 0 : o->retries;
    s.prog.total = (uint64_t)s.nports * t->n;
    s.prog.hosts = t->n;
    scan_bucket_init(&s.bucket, o->rate, scan_now_us());
    s.ep = epoll_create1(EPOLL_CLOEXEC);
    kw_rc rc = s.ep < 0 ? KW_ERR_IO : pool_start(&s.pool, o, s.ep);
    if (rc == KW_OK && s.nports && t->n) {
        scan_loop(&s);
        rc = s.rc;
    }
    s.ports = NULL;
    scanner_free(&s);
    return rc;
}

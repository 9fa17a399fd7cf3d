/* Service identification's driver: one port's budget, deadline-bounded non-blocking
 * connections and reads (plain or TLS), and the order of probe families: the port's usual
 * service first, then what the answers point at, then the rest. */
#include "scan/scan_ident_int.h"

#include "core/kw_time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SI_TRIAGE_CAP 4096     /* what triage keeps of one probe's answer */
#define SI_TRIAGE_GRACE_MS 100 /* after a first answer that names a family, the wait for the others */

/* The family a port's usual service belongs to. */
static si_family port_family(int port)
{
    static const struct {
        int port;
        si_family f;
    } known[] = {
        {21, SI_BANNER}, {22, SI_BANNER}, {23, SI_BANNER}, {25, SI_BANNER}, {110, SI_BANNER},
        {143, SI_BANNER}, {587, SI_BANNER}, {2525, SI_BANNER}, {3306, SI_BANNER}, {5900, SI_BANNER},
        {5901, SI_BANNER}, {2222, SI_BANNER}, {80, SI_HTTP}, {8000, SI_HTTP}, {8008, SI_HTTP},
        {8080, SI_HTTP}, {8888, SI_HTTP}, {9200, SI_HTTP}, {2375, SI_HTTP}, {8001, SI_HTTP},
        {443, SI_TLS}, {8443, SI_TLS}, {6443, SI_TLS}, {2376, SI_TLS}, {993, SI_TLS}, {995, SI_TLS},
        {465, SI_TLS}, {990, SI_TLS}, {636, SI_TLS}, {10250, SI_TLS}, {6379, SI_REDIS},
        {11211, SI_MEMCACHED}, {5432, SI_PG}, {27017, SI_MONGO}, {3389, SI_RDP}, {445, SI_SMB},
        {139, SI_SMB}, {389, SI_LDAP},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].port == port)
            return known[i].f;
    return SI_NFAMILIES;
}

static void port_init(si_port *sp, const struct sockaddr *addr, socklen_t addrlen,
                      const scan_ident_opts *opts, scan_service *out, const finding_sink *sink)
{
    memset(sp, 0, sizeof *sp);
    sp->addr = addr;
    sp->addrlen = addrlen;
    sp->opts = opts;
    sp->sink = sink;
    sp->out = out;
    sp->deadline = kw_mono_ms() + (opts->deadline_ms > 0 ? opts->deadline_ms : 5000);
    sp->read_ms = opts->read_timeout_ms > 0 ? opts->read_timeout_ms : 2000;
    sp->next = SI_NFAMILIES;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)addr;
        inet_ntop(AF_INET, &a->sin_addr, sp->ip, sizeof sp->ip);
        sp->port = ntohs(a->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)addr;
        inet_ntop(AF_INET6, &a->sin6_addr, sp->ip, sizeof sp->ip);
        sp->port = ntohs(a->sin6_port);
    }
}

/* Runs family f once; true when the port is done (named, sink error, or budget spent). */
static bool try_family(si_port *sp, si_family f)
{
    if (sp->tried[f])
        return false;
    sp->tried[f] = true;
    si_family_run(sp, f);
    while (!sp->named && !sp->sink_rc && sp->next != SI_NFAMILIES && !sp->tried[sp->next]) {
        si_family g = sp->next;
        sp->next = SI_NFAMILIES;
        sp->tried[g] = true;
        si_family_run(sp, g);
    }
    return sp->named || sp->sink_rc || !si_left(sp) || (sp->connected == 0 && sp->tried[f]);
}

/* ---- triage: every family's first probe at once, on a port whose usual service is unknown ---- */

typedef struct triage_conn {
    int fd;
    si_family f;
    bool sent, closed;
    size_t reqn, n;
    uint8_t req[512];
    uint8_t buf[SI_TRIAGE_CAP];
} triage_conn;

/* The family an answer to t's probe points at; an SSLRequest's one-byte answer is PostgreSQL's. */
static si_family answer_family(const triage_conn *t)
{
    if (t->f == SI_PG && t->n == 1 && (t->buf[0] == 'S' || t->buf[0] == 'N'))
        return SI_PG;
    return t->n ? si_family_of(t->buf, t->n) : SI_NFAMILIES;
}

/* A TLS ServerHello first, then an answer in its own probe's protocol, then any that names one. */
static si_family triage_pick(const triage_conn *t, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (t[i].f == SI_TLS && answer_family(&t[i]) == SI_TLS)
            return SI_TLS;
    for (size_t i = 0; i < k; i++)
        if (answer_family(&t[i]) == t[i].f)
            return t[i].f;
    for (size_t i = 0; i < k; i++) {
        si_family g = answer_family(&t[i]);
        if (g != SI_NFAMILIES)
            return g;
    }
    return SI_NFAMILIES;
}

/* One readiness event: the connect finished (send the probe) or bytes came. */
static void triage_step(si_port *sp, triage_conn *t)
{
    if (!t->sent) {
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
            t->closed = true;
            return;
        }
        sp->connected++;
        t->sent = true;
        if (t->reqn && send(t->fd, t->req, t->reqn, MSG_NOSIGNAL) != (ssize_t)t->reqn)
            t->closed = true;
        return;
    }
    ssize_t r = recv(t->fd, t->buf + t->n, SI_TRIAGE_CAP - 1 - t->n, 0);
    if (r > 0) {
        t->n += (size_t)r;
        t->closed = t->n + 1 >= SI_TRIAGE_CAP;
    } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        t->closed = true;
    }
}

static size_t triage_open(si_port *sp, triage_conn *t)
{
    /* TLS first: a server that serves one connection at a time (openssl s_server, a plain
     * HTTPServer) then answers the one probe that needs an answer before the others */
    static const si_family order[SI_NFAMILIES] = {SI_TLS, SI_HTTP, SI_REDIS, SI_MEMCACHED, SI_PG,
                                                  SI_MONGO, SI_RDP, SI_SMB, SI_LDAP, SI_BANNER};
    size_t k = 0;
    for (int i = 0; i < SI_NFAMILIES; i++) {
        si_family f = order[i];
        if (sp->tried[f])
            continue;
        int fd = socket(sp->addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        if (connect(fd, sp->addr, sp->addrlen) != 0 && errno != EINPROGRESS) {
            close(fd);
            continue;
        }
        t[k].fd = fd;
        t[k].f = f;
        t[k].reqn = si_family_probe(sp, f, t[k].req, sizeof t[k].req);
        k++;
    }
    return k;
}

/* Polls the k probes until every one is answered or closed, a grace after the first answer
 * that names a family, or one read's wait. */
static void triage_wait(si_port *sp, triage_conn *t, size_t k)
{
    int64_t wait = si_left(sp) < sp->read_ms ? si_left(sp) : sp->read_ms;
    int64_t end = kw_mono_ms() + wait;
    bool found = false;
    for (int64_t now = kw_mono_ms(); now < end; now = kw_mono_ms()) {
        struct pollfd pf[SI_NFAMILIES];
        size_t idx[SI_NFAMILIES], m = 0;
        for (size_t i = 0; i < k; i++)
            if (!t[i].closed) {
                pf[m] = (struct pollfd){.fd = t[i].fd, .events = t[i].sent ? POLLIN : POLLOUT};
                idx[m++] = i;
            }
        if (!m)
            break;
        int r = poll(pf, m, (int)(end - now));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        for (size_t j = 0; j < m; j++)
            if (pf[j].revents) {
                triage_step(sp, &t[idx[j]]);
                if (!found && answer_family(&t[idx[j]]) != SI_NFAMILIES) {
                    found = true;
                    if (end > kw_mono_ms() + SI_TRIAGE_GRACE_MS)
                        end = kw_mono_ms() + SI_TRIAGE_GRACE_MS;
                }
            }
    }
}

/* The family the answers to every untried family's first probe, sent at once, point at;
 * SI_NFAMILIES when none answered in a known way. */
static si_family triage(si_port *sp)
{
    triage_conn *t = calloc(SI_NFAMILIES, sizeof *t);
    if (!t)
        return SI_NFAMILIES;
    size_t k = triage_open(sp, t);
    triage_wait(sp, t, k);
    for (size_t i = 0; i < k; i++) /* the banner a server volunteers first, then any answer */
        if (t[i].f == SI_BANNER)
            si_keep_banner(sp, t[i].buf, t[i].n);
    for (size_t i = 0; i < k; i++)
        si_keep_banner(sp, t[i].buf, t[i].n);
    si_family pick = triage_pick(t, k);
    for (size_t i = 0; i < k; i++)
        close(t[i].fd);
    free(t);
    return pick;
}

kw_rc scan_ident_tcp(const struct sockaddr *addr, socklen_t addrlen, const scan_ident_opts *opts,
                     scan_service *out, const finding_sink *sink)
{
    static const scan_ident_opts defaults = {0};
    si_port sp;
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "unknown");
    if (!addr || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
        return KW_ERR_IO;
    port_init(&sp, addr, addrlen, opts ? opts : &defaults, out, sink);
    si_family usual = sp.usual = port_family(sp.port);
    bool done = usual != SI_NFAMILIES && try_family(&sp, usual);
    if (!done) {
        si_family g = triage(&sp);
        done = g != SI_NFAMILIES && try_family(&sp, g);
    }
    /* nothing named yet: one family after the other, for servers that take one client at a time */
    for (int f = 0; !done && sp.connected && f < SI_NFAMILIES; f++)
        done = try_family(&sp, (si_family)f);
    if (sp.sink_rc)
        return sp.sink_rc;
    if (!sp.connected)
        return KW_ERR_IO;
    if (!sp.read_any && !sp.named)
        return si_left(&sp) ? KW_OK : KW_ERR_TIMEOUT;
    return KW_OK;
}

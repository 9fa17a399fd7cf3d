/* Unit tests of the scanners on 127.0.0.1 (scan_net.c, scan_udp_net.c): listeners this test
 * opens are found open, ports it held and closed are closed, the identification callback runs
 * on every open port (and only those) and what it says reaches the host's results; one worker
 * and several give the same answer; a UDP port that answers is open, one that is closed is
 * closed (ICMP port unreachable on loopback). */
#include "kw_test.h"
#include "scan/scan.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

static int listen_on(int type, uint16_t *port)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || (type == SOCK_STREAM && listen(fd, 64) != 0) ||
        getsockname(fd, (struct sockaddr *)&sa, &l) != 0)
        return -1;
    *port = ntohs(sa.sin_port);
    return fd;
}

typedef struct seen {
    scan_port_result ports[256];
    size_t n, open, closed, filtered, hosts;
} seen;

static kw_rc record(void *arg, const scan_host_result *r)
{
    seen *s = arg;
    for (size_t i = 0; i < r->nports && s->n < 256; i++)
        s->ports[s->n++] = r->ports[i];
    s->open += r->open;
    s->closed += r->closed;
    s->filtered += r->filtered;
    s->hosts++;
    return KW_OK;
}

static atomic_int ident_calls;

static kw_rc fake_ident(const struct sockaddr *sa, socklen_t len, const char *name, scan_service *out, void *arg)
{
    (void)len;
    snprintf(out->info, sizeof out->info, "%s", name ? name : "-");
    atomic_fetch_add(&ident_calls, 1);
    snprintf(out->product, sizeof out->product, "%s", (const char *)arg);
    snprintf(out->version, sizeof out->version, "%u", ntohs(((const struct sockaddr_in *)sa)->sin_port));
    return KW_OK;
}

static kw_rc lo_resolve(const char *name, kw_addr *out, void *arg)
{
    (void)arg;
    int bits;
    return strcmp(name, "lo.test") == 0 && kw_prefix_parse("127.0.0.1", out, &bits) ? KW_OK : KW_ERR_NOTFOUND;
}

static void scan_loopback(int workers, bool ident)
{
    uint16_t open1, open2, closed1, closed2;
    int l1 = listen_on(SOCK_STREAM, &open1), l2 = listen_on(SOCK_STREAM, &open2);
    int c1 = listen_on(SOCK_STREAM, &closed1), c2 = listen_on(SOCK_STREAM, &closed2);
    close(c1);
    close(c2);
    CHECK(l1 >= 0 && l2 >= 0);
    scan_targets t = {0};
    char err[256];
    scan_target_opts to = {.resolve = lo_resolve};
    CHECK_INT(scan_targets_add(&t, workers == 1 ? "127.0.0.1" : "lo.test", &to, err, sizeof err), KW_OK);
    scan_ports p;
    memset(&p, 0, sizeof p);
    char spec[64];
    snprintf(spec, sizeof spec, "%u,%u,%u,%u", open1, open2, closed1, closed2);
    CHECK_INT(scan_ports_parse(&p, spec, err, sizeof err), KW_OK);
    seen s = {0};
    atomic_store(&ident_calls, 0);
    scan_opts o = {.timeout_ms = 500, .retries = 1, .workers = workers, .on_host = record, .on_host_arg = &s,
                   .ident = ident ? fake_ident : NULL, .ident_arg = "fakeproduct"};
    CHECK_INT(scan_net_tcp(&t, &p, &o), KW_OK);
    CHECK_INT(s.hosts, 1);
    CHECK_INT(s.open, 2);
    CHECK_INT(s.closed, 2);
    CHECK_INT(s.filtered, 0);
    CHECK_INT(s.n, 2);
    uint16_t lo = open1 < open2 ? open1 : open2, hi = open1 < open2 ? open2 : open1;
    CHECK_INT(s.ports[0].port, lo); /* sorted */
    CHECK_INT(s.ports[1].port, hi);
    CHECK_INT(s.ports[0].state, SCAN_OPEN);
    CHECK_INT(atomic_load(&ident_calls), ident ? 2 : 0);
    if (ident) {
        char want[8];
        snprintf(want, sizeof want, "%u", lo);
        CHECK_STR(s.ports[0].svc.product, "fakeproduct");
        CHECK_STR(s.ports[0].svc.version, want);
        CHECK_STR(s.ports[1].svc.info, workers == 1 ? "-" : "lo.test"); /* the name it was given as */
        CHECK_INT(s.ports[1].ident_rc, KW_OK);
    } else {
        CHECK_STR(s.ports[0].svc.product, "");
    }
    close(l1);
    close(l2);
    scan_targets_free(&t);
}

static void test_tcp_loopback(void)
{
    scan_loopback(1, false);
    scan_loopback(2, false);
}

static void test_tcp_ident(void)
{
    scan_loopback(1, true);
    scan_loopback(3, true);
}

/* Marks in bits every TCP port something on this machine listens on (/proc/net/tcp, tcp6). */
static void listening_ports(uint8_t *bits)
{
    const char *files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (size_t f = 0; f < 2; f++) {
        FILE *fp = fopen(files[f], "r");
        char line[512];
        while (fp && fgets(line, sizeof line, fp)) {
            char local[64], st[8];
            unsigned port;
            if (sscanf(line, " %*s %63s %*s %7s", local, st) != 2 || strcmp(st, "0A") != 0)
                continue;
            char *colon = strrchr(local, ':');
            if (colon && sscanf(colon + 1, "%x", &port) == 1 && port < 65536)
                bits[port >> 3] |= (uint8_t)(1u << (port & 7));
        }
        if (fp)
            fclose(fp);
    }
}

static void test_tcp_many_ports(void)
{
    uint16_t open1;
    int l1 = listen_on(SOCK_STREAM, &open1);
    scan_targets t = {0};
    char err[256];
    scan_targets_add(&t, "127.0.0.1", NULL, err, sizeof err);
    scan_ports p;
    memset(&p, 0, sizeof p);
    scan_ports_parse(&p, "30000-60999", err, sizeof err); /* the ephemeral ports: no self-connect is open */
    char one[8];
    snprintf(one, sizeof one, "%u", open1);
    scan_ports_parse(&p, one, err, sizeof err);
    seen s = {0};
    scan_opts o = {.timeout_ms = 1000, .retries = 1, .on_host = record, .on_host_arg = &s};
    CHECK_INT(scan_net_tcp(&t, &p, &o), KW_OK);
    CHECK_INT(s.open + s.closed + s.filtered, p.ntcp);
    CHECK_INT(s.filtered, 0);
    /* open = listened on, by this test or another program here; never a self-connect */
    static uint8_t listening[8192];
    memset(listening, 0, sizeof listening);
    listening_ports(listening);
    CHECK(scan_port_has(listening, open1));
    bool found = false;
    for (size_t i = 0; i < s.n; i++) {
        found |= s.ports[i].port == open1;
        CHECK(scan_port_has(listening, s.ports[i].port));
    }
    CHECK(found);
    close(l1);
    scan_targets_free(&t);
}

/* A listener whose accept queue is full: the kernel drops further SYNs, so its port looks
 * filtered (no answer), all on loopback. *client is the connection that fills it. */
static int listen_full(uint16_t *port, int *client)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 0) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &l) != 0)
        return -1;
    *port = ntohs(sa.sin_port);
    *client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(*client, (struct sockaddr *)&sa, sizeof sa) != 0)
        return -1;
    return fd;
}

/* Unanswered ports are filtered after the timeout, and the per-host cap on probes in flight
 * holds: 40 silent ports, 8 at a time, 200 ms each, take 5 rounds. */
static void test_tcp_filtered_inflight(void)
{
    enum { N = 40 };
    int ls[N], cl[N];
    char spec[N * 7] = "", err[256];
    for (int i = 0; i < N; i++) {
        uint16_t port;
        ls[i] = listen_full(&port, &cl[i]);
        CHECK(ls[i] >= 0);
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "%s%u", i ? "," : "", port);
    }
    scan_targets t = {0};
    scan_targets_add(&t, "127.0.0.1", NULL, err, sizeof err);
    scan_ports p;
    memset(&p, 0, sizeof p);
    CHECK_INT(scan_ports_parse(&p, spec, err, sizeof err), KW_OK);
    for (int capped = 0; capped < 2; capped++) {
        seen s = {0};
        scan_opts o = {.timeout_ms = 200, .min_timeout_ms = 200, .retries = 0, .workers = 1,
                       .host_inflight = capped ? 8 : 0, .on_host = record, .on_host_arg = &s};
        int64_t t0 = scan_now_us();
        CHECK_INT(scan_net_tcp(&t, &p, &o), KW_OK);
        int64_t took = scan_now_us() - t0;
        CHECK_INT(s.filtered, N);
        CHECK_INT(s.n, SCAN_FILTERED_KEEP); /* listed up to the keep, counted in full */
        CHECK_INT(s.ports[0].state, SCAN_FILTERED);
        if (capped)
            CHECK(took >= 5 * 195000 && took < 3000000);
        else
            CHECK(took >= 195000 && took < 900000);
    }
    for (int i = 0; i < N; i++) {
        close(cl[i]);
        close(ls[i]);
    }
    scan_targets_free(&t);
}

static kw_rc refuse_second(void *arg, const scan_host_result *r)
{
    int *n = arg;
    (void)r;
    return ++*n >= 2 ? KW_ERR_FULL : KW_OK;
}

/* A host callback's error stops the scan (every worker) and is returned. */
static void test_tcp_callback_error(void)
{
    for (int workers = 1; workers <= 2; workers++) {
        scan_targets t = {0};
        char err[256];
        scan_targets_add(&t, "127.0.0.1-40", NULL, err, sizeof err);
        scan_ports p;
        memset(&p, 0, sizeof p);
        scan_ports_parse(&p, "1-400", err, sizeof err);
        int calls = 0;
        scan_opts o = {.timeout_ms = 500, .retries = 1, .workers = workers, .host_group = 4,
                       .on_host = refuse_second, .on_host_arg = &calls};
        CHECK_INT(scan_net_tcp(&t, &p, &o), KW_ERR_FULL);
        CHECK_INT(calls, 2);
        scan_targets_free(&t);
    }
}

/* The rates hold: 21 probes at 100 per second (burst 2) take at least 190 ms, TCP and UDP. */
static void test_rates(void)
{
    scan_targets t = {0};
    char err[256];
    scan_targets_add(&t, "127.0.0.1", NULL, err, sizeof err);
    for (int total = 0; total < 2; total++)
        for (int udp = 0; udp < 2; udp++) {
            scan_ports p;
            memset(&p, 0, sizeof p);
            scan_ports_parse(&p, udp ? "U:40000-40020" : "40000-40020", err, sizeof err);
            seen s = {0};
            scan_opts o = {.timeout_ms = 300, .on_host = record, .on_host_arg = &s, .workers = 1};
            if (total)
                o.rate = 100;
            else
                o.host_rate = 100;
            int64_t t0 = scan_now_us();
            CHECK_INT(udp ? scan_net_udp(&t, &p, &o, NULL) : scan_net_tcp(&t, &p, &o), KW_OK);
            int64_t took = scan_now_us() - t0;
            CHECK(took >= 185000);
            CHECK(took < 2000000);
            CHECK_INT(s.open + s.closed + s.filtered, 21);
        }
    scan_targets_free(&t);
}

static void *udp_echo(void *arg)
{
    int fd = *(int *)arg;
    uint8_t b[512];
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(fd, b, sizeof b, 0, (struct sockaddr *)&from, &fl);
    if (n >= 0)
        sendto(fd, "hello", 5, 0, (struct sockaddr *)&from, fl);
    return NULL;
}

static void test_udp_loopback(void)
{
    uint16_t up, closed;
    int u = listen_on(SOCK_DGRAM, &up), c = listen_on(SOCK_DGRAM, &closed);
    close(c);
    pthread_t th;
    pthread_create(&th, NULL, udp_echo, &u);
    scan_targets t = {0};
    char err[256], spec[64];
    scan_targets_add(&t, "127.0.0.1", NULL, err, sizeof err);
    scan_ports p;
    memset(&p, 0, sizeof p);
    snprintf(spec, sizeof spec, "U:%u,%u", up, closed);
    CHECK_INT(scan_ports_parse(&p, spec, err, sizeof err), KW_OK);
    seen s = {0};
    scan_opts o = {.timeout_ms = 300, .retries = 1, .on_host = record, .on_host_arg = &s};
    CHECK_INT(scan_net_udp(&t, &p, &o, NULL), KW_OK);
    pthread_join(th, NULL);
    CHECK_INT(s.open, 1);
    CHECK_INT(s.closed, 1);
    CHECK_INT(s.n, 1);
    CHECK_INT(s.ports[0].port, up);
    CHECK(s.ports[0].udp);
    CHECK_CONTAINS(s.ports[0].svc.info, "answered 5 bytes");
    close(u);
    scan_targets_free(&t);
}

int main(void)
{
    RUN(test_tcp_loopback);
    RUN(test_tcp_ident);
    RUN(test_tcp_many_ports);
    RUN(test_tcp_callback_error);
    RUN(test_tcp_filtered_inflight);
    RUN(test_udp_loopback);
    RUN(test_rates);
    TEST_MAIN_END();
}

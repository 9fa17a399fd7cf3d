/* scan_util.c: what the scanners share: socket addresses of a target, the open-file limit,
 * the token bucket that bounds rates, the monotonic clock, state names. */
#include "scan/scan.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

int64_t scan_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

socklen_t scan_sockaddr(const kw_addr *a, unsigned port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        memcpy(&s6->sin6_addr, a->b, 16);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    memcpy(&s4->sin_addr, a->b, 4);
    return sizeof *s4;
}

size_t scan_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY ? 1 << 20 : rl.rlim_max;
        struct rlimit up = {want, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl.rlim_cur = want;
    }
    return rl.rlim_cur == RLIM_INFINITY ? 1 << 20 : (size_t)rl.rlim_cur;
}

void scan_bucket_init(scan_bucket *b, uint64_t rate, int64_t now_us)
{
    b->rate = (double)rate;
    b->burst = rate ? (rate / 50 > 1 ? (double)(rate / 50) : 1.0) : 0;
    b->tokens = b->burst;
    b->last_us = now_us;
}

static void bucket_fill(scan_bucket *b, int64_t now_us)
{
    if (now_us > b->last_us) {
        b->tokens += b->rate * (double)(now_us - b->last_us) / 1e6;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_us = now_us;
    }
}

bool scan_bucket_take(scan_bucket *b, int64_t now_us)
{
    if (b->rate <= 0)
        return true;
    bucket_fill(b, now_us);
    if (b->tokens < 1.0)
        return false;
    b->tokens -= 1.0;
    return true;
}

int64_t scan_bucket_wait_us(const scan_bucket *b, int64_t now_us)
{
    if (b->rate <= 0)
        return 0;
    double t = b->tokens + b->rate * (double)(now_us - b->last_us) / 1e6;
    return t >= 1.0 ? 0 : (int64_t)((1.0 - t) * 1e6 / b->rate) + 1;
}

const char *scan_state_name(scan_state s)
{
    static const char *const names[] = {"open", "closed", "filtered", "open|filtered"};
    return (unsigned)s < 4 ? names[s] : "?";
}

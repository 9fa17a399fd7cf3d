/* bench/intel_bench.c: load time, memory and lookup cost of src/intel for large lists.
 *
 * usage: intel_bench WORKDIR [ENTRIES]      (default 1000000)
 *
 * Writes four files into WORKDIR (ENTRIES random IPv4 addresses, one per line; ENTRIES/10
 * IPv4 prefixes of the lengths block lists have (mostly /24) with IPv6 /32 and /48; the worst
 * case, ENTRIES/10 prefixes of every length /9 to /32 inside 10.0.0.0/8, so that almost every
 * lookup misses after 24 probes; ENTRIES random domain names of two labels), then for each: the time to read and parse it (intel_load_file) and to compile
 * it (intel_set_build), the set's table memory, and the mean time of one lookup over 4 million
 * lookups (half of them listed values, half not; domains looked up as a subdomain of a listed
 * name or a stranger). Addresses are random, so every lookup misses the CPU cache as a busy
 * sensor's would. Prints one line per list. */
#include "intel/intel.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOOKUPS 4000000

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void domain(char *out, size_t n, uint32_t k)
{
    static const char *const tlds[] = {"com", "net", "org", "example", "top", "xyz", "info", "cn"};
    snprintf(out, n, "%s%x-%u.%s", (k & 1) ? "cdn." : "", k * 2654435761u, k % 9973, tlds[k % 8]);
}

/* Prefix lengths as block lists have them: mostly /24, then /22, /20 and /16 (or, for the
 * worst case, every length from /9 to /32, so a miss probes 24 tables). */
static unsigned v4_len(bool every)
{
    static const unsigned lens[] = {24, 24, 24, 24, 24, 24, 24, 22, 20, 16};
    return every ? 9 + rnd() % 24 : lens[rnd() % 10];
}

static void write_lists(const char *dir, size_t n, char paths[4][512])
{
    snprintf(paths[0], 512, "%s/v4.txt", dir);
    snprintf(paths[1], 512, "%s/prefixes.txt", dir);
    snprintf(paths[2], 512, "%s/domains.txt", dir);
    snprintf(paths[3], 512, "%s/every_length.txt", dir);
    FILE *a = fopen(paths[0], "w"), *p = fopen(paths[1], "w"), *d = fopen(paths[2], "w"), *w = fopen(paths[3], "w");
    if (!a || !p || !d || !w) {
        perror("intel_bench: fopen");
        exit(2);
    }
    fputs("# random addresses\n", a);
    for (size_t i = 0; i < n; i++) {
        uint32_t x = rnd();
        fprintf(a, "%u.%u.%u.%u\n", x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255);
        if (i % 10 == 0 && i % 20)
            fprintf(p, "%u.%u.%u.0/%u ; SBL%zu\n", x >> 24, (x >> 16) & 255, (x >> 8) & 255, v4_len(false), i);
        else if (i % 10 == 0)
            fprintf(p, "2001:db8:%x:%x::/%u\n", x >> 16, x & 0xffff, (rnd() & 1) ? 48 : 32);
        if (i % 10 == 0)
            fprintf(w, "10.%u.%u.%u/%u\n", (x >> 16) & 255, (x >> 8) & 255, x & 255, v4_len(true)); /* all in 10/8 */
        char name[64];
        domain(name, sizeof name, (uint32_t)i);
        fprintf(d, "%s\n", name + ((i & 1) ? 4 : 0)); /* cdn. is the subdomain looked up */
    }
    fclose(a);
    fclose(p);
    fclose(d);
    fclose(w);
}

static const intel_set *load(const char *path, double *parse_s, double *build_s, intel_entries *e)
{
    intel_report rep;
    memset(&rep, 0, sizeof rep);
    double t0 = now_s();
    if (intel_load_file(path, INTEL_FMT_AUTO, 0, e, &rep) != KW_OK) {
        perror(path);
        exit(2);
    }
    double t1 = now_s();
    intel_list l = {"bench", 2, e};
    intel_set *s;
    intel_set_build(&l, 1, &s);
    *parse_s = t1 - t0;
    *build_s = now_s() - t1;
    return s;
}

static void report(const char *what, const intel_set *s, double ps, double bs, double ns, uint64_t hits)
{
    intel_set_stats st;
    intel_set_stats_get(s, &st);
    printf("%-28s %9llu entries  parse %6.0f ms  build %5.0f ms  tables %6.1f MB  lookup %5.1f ns  (%llu of %d listed)\n",
           what, (unsigned long long)(st.v4 + st.v6 + st.cidr4 + st.cidr6 + st.domains), ps * 1e3, bs * 1e3,
           (double)st.bytes / 1e6, ns, (unsigned long long)hits, LOOKUPS);
}

static void bench_ips(const char *path, const char *what)
{
    intel_entries e = {0};
    double ps, bs;
    const intel_set *s = load(path, &ps, &bs, &e);
    uint8_t (*q)[16] = malloc((size_t)LOOKUPS * 16);
    bool *v6 = malloc(LOOKUPS);
    for (size_t i = 0; i < LOOKUPS; i++) {
        memset(q[i], 0, 16);
        uint32_t x = rnd();
        v6[i] = e.n_v6 && (i % 20 == 1);
        if (v6[i]) {
            memcpy(q[i], e.v6[x % e.n_v6].addr, 16);
            q[i][15] ^= (uint8_t)x;
        } else if (i & 1 && e.n_v4) {
            uint32_t a = e.v4[x % e.n_v4].addr;
            memcpy(q[i], &a, 4);
        } else {
            memcpy(q[i], &x, 4);
        }
    }
    uint64_t hits = 0;
    double t0 = now_s();
    for (size_t i = 0; i < LOOKUPS; i++)
        hits += intel_set_lookup_ip(s, q[i], v6[i]) != 0;
    double ns = (now_s() - t0) * 1e9 / LOOKUPS;
    report(what, s, ps, bs, ns, hits);
    free(q);
    free(v6);
    intel_release(s);
    intel_entries_free(&e);
}

static void bench_domains(const char *path, size_t n)
{
    intel_entries e = {0};
    double ps, bs;
    const intel_set *s = load(path, &ps, &bs, &e);
    enum { Q = LOOKUPS / 4 }; /* a million queries, each looked up four times */
    char (*q)[72] = malloc((size_t)Q * 72);
    for (size_t i = 0; i < Q; i++) {
        uint32_t k = rnd() % (uint32_t)n;
        if (i & 1)
            domain(q[i], 72, k | 1);      /* cdn.NAME: a subdomain of a listed name */
        else
            snprintf(q[i], 72, "www.%x.stranger.example", rnd()); /* listed nowhere */
    }
    uint64_t hits = 0;
    double t0 = now_s();
    for (size_t i = 0; i < LOOKUPS; i++)
        hits += intel_set_lookup_domain(s, q[i % Q], strlen(q[i % Q])) != 0;
    double ns = (now_s() - t0) * 1e9 / LOOKUPS;
    report("domains (suffix walk)", s, ps, bs, ns, hits);
    free(q);
    intel_release(s);
    intel_entries_free(&e);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: intel_bench WORKDIR [ENTRIES]\n");
        return 2;
    }
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    char paths[4][512];
    write_lists(argv[1], n, paths);
    bench_ips(paths[0], "IPv4 addresses");
    bench_ips(paths[1], "IPv4 + IPv6 prefixes");
    bench_ips(paths[3], "IPv4 prefixes /9../32 in 10/8");
    bench_domains(paths[2], n);
    return 0;
}

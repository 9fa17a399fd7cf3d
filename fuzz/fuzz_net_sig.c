/* libFuzzer target: signature rules and the requests they match. The input is rule text, then
 * "\n\x00", then request buffers separated by \x01 (method, URI, raw URI, headers, ..., in
 * net_buf_id order). The rules are loaded and matched with both prefilters, which must agree;
 * the built-in rules are matched against the same buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_sig.h"

typedef struct hit_ctx {
    uint32_t *sids;
    size_t cap, n;
} hit_ctx;

static void on_hit(void *arg, const net_sig_rule *r)
{
    hit_ctx *c = arg;
    if (c->n < c->cap)
        c->sids[c->n++] = net_sig_rule_sid(r);
}

static size_t hits_of(net_sig_set *s, const net_sig_input *in, bool hs, uint32_t *sids, size_t cap)
{
    net_sig_set_use_hyperscan(s, hs);
    net_sig_scratch *sc = net_sig_scratch_new(s);
    hit_ctx c = {sids, cap, 0};
    size_t got = net_sig_match(s, sc, in, on_hit, &c);
    net_sig_scratch_free(sc);
    return got;
}

static void split_buffers(const uint8_t *p, size_t n, net_sig_input *in)
{
    memset(in, 0, sizeof *in);
    in->proto = 6;
    in->app = NET_SIG_APP_HTTP;
    in->dport = 80;
    in->sport = 40000;
    in->flags = NET_SIG_TO_SERVER | NET_SIG_ESTABLISHED;
    int id = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && id < NET_BUF_COUNT; i++)
        if (i == n || p[i] == 1) {
            in->b[id].p = p + start;
            in->b[id].n = i - start;
            id++;
            start = i + 1;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static net_sig_set *builtin;
    static net_sig_scratch *bsc;
    if (!builtin) {
        net_sig_builder *b = net_sig_builder_new(NULL, 0);
        net_sig_builder_add_builtin(b, NULL);
        net_sig_builder_compile(b, &builtin, NULL, 0);
        bsc = net_sig_scratch_new(builtin);
    }
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == '\n' && data[i + 1] == 0) {
            sep = data + i;
            break;
        }
    size_t rn = sep ? (size_t)(sep - data) : size;
    net_sig_input in;
    if (sep)
        split_buffers(sep + 2, size - rn - 2, &in);
    else
        split_buffers(data, size, &in);
    net_sig_match(builtin, bsc, &in, NULL, NULL);

    static const net_sig_var vars[] = {{"HOME_NET", "[10.0.0.0/8,!10.1.0.0/16]"}, {"EXTERNAL_NET", "!$HOME_NET"},
                                       {"HTTP_PORTS", "[80,8080:8090]"}};
    net_sig_builder *b = net_sig_builder_new(vars, 3);
    net_sig_report rep = {0};
    net_sig_builder_add(b, (const char *)data, rn, "fuzz", &rep);
    net_sig_set *s = NULL;
    net_sig_builder_compile(b, &s, NULL, 0);
    uint32_t a[64], c[64];
    size_t na = hits_of(s, &in, true, a, 64), nc = hits_of(s, &in, false, c, 64);
    if (na != nc || memcmp(a, c, (na < 64 ? na : 64) * sizeof a[0]) != 0)
        abort(); /* the two prefilters must find the same rules */
    net_sig_set_free(s);
    net_sig_report_free(&rep);
    return 0;
}

/* The detectors' thresholds: their defaults, and as the configuration sets them (net:,
 * assets: and net.groups: become the watched targets and the per-group flood overrides). */
#include "net/net.h"
#include "conf/conf.h"
#include "core/kw_addr.h"
#include "core/kw_mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void net_thresholds_default(net_thresholds *t)
{
    memset(t, 0, sizeof *t);
    t->flood_pps = 1000;
    t->syn_half_open_pps = 500;
    t->flood_for_s = 2;
    t->flood_end_s = 5;
    t->scan_ports = 15;
    t->sweep_hosts = 16;
    t->scan_window_s = 300;
    t->brute_sessions = 30;
    t->brute_window_s = 60;
    t->brute_slow_sessions = 40;
    t->brute_slow_window_s = 600;
    t->idle_end_s = 300;
    static const uint16_t auth[] = {21, 22, 23, 110, 143, 389, 445, 1433, 1521, 3306, 3389, 5432, 5900, 6379, 27017};
    t->n_auth_ports = sizeof auth / sizeof auth[0];
    memcpy(t->auth_ports, auth, sizeof auth);
    t->spike_factor = 5;
    t->spike_min_pps = 1000;
    t->spike_for_s = 10;
    t->spike_learn_s = 600;
    t->talkers = true;
}

void net_thresholds_from_conf(const conf *c, net_thresholds *t)
{
    net_thresholds_default(t);
    t->flood_pps = c->net.flood_pps;
    t->syn_half_open_pps = c->net.syn_half_open_pps;
    t->flood_for_s = c->net.flood_for_ms / 1000;
    t->flood_end_s = c->net.flood_end_ms / 1000;
    t->scan_ports = c->net.scan_ports;
    t->sweep_hosts = c->net.sweep_hosts;
    t->scan_window_s = c->net.scan_window_ms / 1000;
    t->brute_sessions = c->net.brute_sessions;
    t->brute_window_s = c->net.brute_window_ms / 1000;
    t->brute_slow_sessions = c->net.brute_slow_sessions;
    t->brute_slow_window_s = c->net.brute_slow_window_ms / 1000;
    t->idle_end_s = c->net.idle_end_ms / 1000;
    t->n_auth_ports = c->net.auth_ports.n < 32 ? c->net.auth_ports.n : 32;
    memcpy(t->auth_ports, c->net.auth_ports.v, t->n_auth_ports * sizeof(uint16_t));
    for (size_t i = 0; i < c->net.allow.n && t->n_allow < 64; i++)
        if (kw_prefix_parse(c->net.allow.v[i], &t->allow[t->n_allow].a, &t->allow[t->n_allow].bits))
            t->n_allow++;
    t->spike_factor = c->net.spike_factor;
    t->spike_min_pps = c->net.spike_min_pps;
    t->spike_for_s = c->net.spike_for_ms / 1000;
    t->spike_learn_s = c->net.spike_learn_ms / 1000;
    /* every asset is watched; every group is watched and may override flood thresholds */
    for (size_t i = 0; i < c->assets.n && t->n_targets < 64; i++) {
        const conf_asset *as = CONF_AT(c->assets, conf_asset, i);
        __typeof__(t->targets[0]) *w = &t->targets[t->n_targets];
        memset(w, 0, sizeof *w);
        kw_strlcpy(w->name, as->name, sizeof w->name);
        w->pps_ceiling = w->bps_ceiling = NAN;
        for (size_t k = 0; k < as->addresses.n && w->n < 16; k++)
            if (kw_prefix_parse(as->addresses.v[k], &w->a[w->n], &w->bits[w->n]))
                w->n++;
        if (w->n)
            t->n_targets++;
    }
    for (size_t i = 0; i < c->net.groups.n; i++) {
        const conf_net_group *g = CONF_AT(c->net.groups, conf_net_group, i);
        /* the group's prefixes, and the addresses of its assets */
        size_t nlist = g->prefixes.n;
        for (size_t k = 0; k < g->assets.n; k++) {
            const conf_asset *as = conf_asset_find(c, g->assets.v[k]);
            nlist += as ? as->addresses.n : 0;
        }
        char **list = kw_calloc(nlist + 1, sizeof(char *));
        nlist = 0;
        for (size_t k = 0; k < g->prefixes.n; k++)
            list[nlist++] = g->prefixes.v[k];
        for (size_t k = 0; k < g->assets.n; k++) {
            const conf_asset *as = conf_asset_find(c, g->assets.v[k]);
            for (size_t m = 0; as && m < as->addresses.n; m++)
                list[nlist++] = as->addresses.v[m];
        }
        __typeof__(t->targets[0]) *w = t->n_targets < 64 ? &t->targets[t->n_targets] : NULL;
        if (w) {
            memset(w, 0, sizeof *w);
            kw_strlcpy(w->name, g->name, sizeof w->name);
            w->pps_ceiling = g->pps_ceiling;
            w->bps_ceiling = g->bps_ceiling;
        }
        for (size_t k = 0; k < nlist; k++) {
            net_addr a;
            int bits;
            if (!kw_prefix_parse(list[k], &a, &bits))
                continue;
            if (w && w->n < 16) {
                w->a[w->n] = a;
                w->bits[w->n++] = bits;
            }
            if (t->n_overrides < 128 && (!isnan(g->flood_pps) || !isnan(g->syn_half_open_pps))) {
                t->overrides[t->n_overrides].a = a;
                t->overrides[t->n_overrides].bits = bits;
                t->overrides[t->n_overrides].flood_pps = g->flood_pps;
                t->overrides[t->n_overrides++].syn_half_open_pps = g->syn_half_open_pps;
            }
        }
        if (w && w->n)
            t->n_targets++;
        free(list);
    }
}

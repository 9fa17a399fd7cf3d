#include "net/net_live.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct net_live {
    net_live_opts o;
    char *ifname, *bpf;
    pcap_t *pc;
    int linktype;
    pthread_t thread;
    atomic_bool stop;
    net_detector *det;
    net_inspect *insp;
    net_inspect_stats insp_st;
    net_live_stats st;
};

static void live_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
    net_live *l = (net_live *)arg;
    net_pkt p;
    p.ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec; /* nanosecond precision asked */
    l->st.packets++;
    l->st.bytes += h->len;
    uint32_t caplen = h->caplen < h->len ? h->caplen : h->len;
    switch (net_decode(l->linktype, data, caplen, h->len, &p)) {
    case NET_DECODE_OK:
        l->st.ip++;
        net_detector_packet(l->det, &p);
        break;
    case NET_DECODE_NOT_IP: l->st.not_ip++; break;
    default: l->st.malformed++; break;
    }
}

static void *live_main(void *arg)
{
    net_live *l = arg;
    char tname[16];
    snprintf(tname, sizeof tname, "kw-net-%s", l->ifname);
    pthread_setname_np(pthread_self(), tname);
    int64_t last_stats = 0;
    while (!atomic_load(&l->stop)) {
        int n = pcap_dispatch(l->pc, 4096, live_packet, (u_char *)l);
        if (n == PCAP_ERROR) {
            log_error("capture on %s: %s", l->ifname, pcap_geterr(l->pc));
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        /* the detector's clock is the packets'; on a quiet link, the wall clock moves it on */
        net_detector_tick(l->det, (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - 1000000000LL);
        int64_t mono = kw_mono_ms();
        if (mono - last_stats >= 1000 && l->o.stats) {
            struct pcap_stat ps;
            if (pcap_stats(l->pc, &ps) == 0) {
                l->st.kernel_received = ps.ps_recv;
                l->st.kernel_dropped = ps.ps_drop;
                l->st.if_dropped = ps.ps_ifdrop;
            }
            net_target_stats ts[64];
            l->st.ntargets = net_detector_targets(l->det, ts, 64);
            l->st.targets = ts;
            net_talker talk[2][10];
            for (int k = 0; k < 2; k++) {
                l->st.ntalkers[k] = net_detector_talkers(l->det, k == 1, talk[k], 10);
                l->st.talkers[k] = talk[k];
            }
            if (l->insp) {
                net_inspect_stats_get(l->insp, &l->insp_st);
                l->st.inspect = &l->insp_st;
            }
            l->o.stats(l->o.stats_arg, l->ifname, &l->st);
            l->st.targets = NULL;
            l->st.talkers[0] = l->st.talkers[1] = NULL;
            last_stats = mono;
        }
    }
    return NULL; /* detections under way are not ended: their alerts stay open, held by the core */
}

net_live *net_live_start(const net_live_opts *o, char *err, size_t errn)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_create(o->interface, ebuf);
    if (!pc) {
        snprintf(err, errn, "%s: %s", o->interface, ebuf);
        return NULL;
    }
    pcap_set_snaplen(pc, o->snaplen);
    pcap_set_promisc(pc, 1);
    pcap_set_timeout(pc, 100); /* a quiet ring still returns every 100 ms, to see `stop` */
    pcap_set_buffer_size(pc, (int)(o->buffer > (1u << 30) ? (1u << 30) : o->buffer));
    pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(pc);
    if (rc < 0) {
        snprintf(err, errn, "%s: %s", o->interface,
                 rc == PCAP_ERROR_PERM_DENIED ? "permission denied (capture needs root or CAP_NET_RAW)"
                 : rc == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface"
                                                   : pcap_geterr(pc));
        pcap_close(pc);
        return NULL;
    }
    if (rc > 0)
        log_warn("capture on %s: %s", o->interface, pcap_geterr(pc));
    int lt = pcap_datalink(pc);
    if (!net_linktype_supported(lt)) {
        snprintf(err, errn, "%s: link type %d is not one keepwatch decodes", o->interface, lt);
        pcap_close(pc);
        return NULL;
    }
    if (o->bpf && *o->bpf) {
        struct bpf_program prog;
        if (pcap_compile(pc, &prog, o->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(pc, &prog) != 0) {
            snprintf(err, errn, "%s: filter \"%s\": %s", o->interface, o->bpf, pcap_geterr(pc));
            pcap_close(pc);
            return NULL;
        }
        pcap_freecode(&prog);
    }
    net_live *l = kw_calloc(1, sizeof *l);
    l->o = *o;
    l->ifname = kw_strdup(o->interface);
    l->o.interface = l->ifname;
    l->pc = pc;
    l->linktype = lt;
    l->det = net_detector_new(&o->thresholds, o->emit, o->emit_arg);
    if (o->inspect) {
        l->insp = net_inspect_new(&o->inspect_opts, o->emit, o->emit_arg);
        net_stage st;
        net_inspect_stage(l->insp, &st);
        net_detector_set_next(l->det, &st);
    }
    if (pthread_create(&l->thread, NULL, live_main, l) != 0) {
        snprintf(err, errn, "%s: cannot start the capture thread", o->interface);
        net_detector_free(l->det);
        net_inspect_free(l->insp);
        pcap_close(pc);
        free(l->ifname);
        free(l);
        return NULL;
    }
    return l;
}

static void live_stop(net_live *l, bool finish)
{
    if (!l)
        return;
    atomic_store(&l->stop, true);
    pcap_breakloop(l->pc);
    pthread_join(l->thread, NULL);
    if (finish)
        net_detector_finish(l->det); /* on this thread: the emit callback's last calls */
    net_detector_free(l->det);
    net_inspect_free(l->insp);
    pcap_close(l->pc);
    free(l->ifname);
    free(l);
}

void net_live_stop(net_live *l)
{
    live_stop(l, false);
}

void net_live_finish(net_live *l)
{
    live_stop(l, true);
}

#include "net/net_capture.h"

#include <pcap/pcap.h>
#include <string.h>

kw_rc net_capture_read(FILE *f, const char *name, net_detector *d, net_stats *st, char *err, size_t errn)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!pc) {
        fclose(f);
        snprintf(err, errn, "%s: %s", name, ebuf[0] ? ebuf : "not a pcap or pcapng file");
        return KW_ERR_PARSE;
    }
    int lt = pcap_datalink(pc);
    if (!net_linktype_supported(lt)) {
        const char *ltn = pcap_datalink_val_to_name(lt);
        snprintf(err, errn, "%s: link type %d (%s) is not one keepwatch decodes (Ethernet, Linux cooked v1/v2, raw IP, loopback)",
                 name, lt, ltn ? ltn : "unknown");
        pcap_close(pc);
        return KW_ERR_UNSUPPORTED;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    net_pkt p;
    kw_rc out = KW_OK;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec; /* tv_usec holds ns here */
        st->packets++;
        st->bytes += h->len;
        if (!st->first_ns)
            st->first_ns = ts;
        if (ts > st->last_ns)
            st->last_ns = ts;
        p.ts_ns = ts;
        uint32_t caplen = h->caplen < h->len ? h->caplen : h->len;
        switch (net_decode(lt, data, caplen, h->len, &p)) {
        case NET_DECODE_OK:
            st->ip++;
            net_detector_packet(d, &p);
            break;
        case NET_DECODE_NOT_IP: st->not_ip++; break;
        default: st->malformed++; break;
        }
    }
    if (rc == PCAP_ERROR) {
        snprintf(err, errn, "%s: %s (after %llu packets)", name, pcap_geterr(pc), (unsigned long long)st->packets);
        out = KW_ERR_PARSE;
    }
    pcap_close(pc);
    return out;
}

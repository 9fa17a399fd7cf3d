#include "net/net_capture.h"
#include "core/kw_mem.h"

#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Counts and decodes one frame. */
static inline void capture_one(int lt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, int64_t ts,
                               net_detector *d, net_stats *st)
{
    net_pkt p;
    st->packets++;
    st->bytes += wirelen;
    if (!st->first_ns)
        st->first_ns = ts;
    if (ts > st->last_ns)
        st->last_ns = ts;
    p.ts_ns = ts;
    switch (net_decode(lt, data, caplen < wirelen ? caplen : wirelen, wirelen, &p)) {
    case NET_DECODE_OK:
        st->ip++;
        net_detector_packet(d, &p);
        break;
    case NET_DECODE_NOT_IP: st->not_ip++; break;
    default: st->malformed++; break;
    }
}

static uint32_t rd32(const uint8_t *p, bool swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

#define PCAP_MAX_RECORD (256u * 1024) /* libpcap's largest snap length */
#define PCAP_WINDOW (3u << 20)         /* a file is mapped 3 MiB at a time */
#define PCAP_RETIRED 2                 /* windows passed but maybe still read by a later stage */
#define PREFETCH_AHEAD 4096u

/* A window of a mapped file, and what had been handed on when the reader left it. */
typedef struct {
    uint8_t *map;
    size_t len;
    uint64_t mark;
} pcap_window;

/* Bytes of a classic pcap file: a whole buffer in memory (fd < 0), or a file mapped in
 * windows that move along it (the page cache's pages, not copies; a window is populated at
 * once and unmapped once nothing reads it, so the memory it holds stays bounded), records
 * parsed where they lie. A later stage on another thread may still read the packets of the
 * last few windows: they are retired, and unmapped when it has passed them, the reader
 * waiting only when PCAP_RETIRED are. */
typedef struct {
    int fd;
    const uint8_t *buf;
    size_t len, off;
    uint8_t *map;            /* the current window when reading a file */
    size_t map_len;
    size_t consumed;         /* file bytes before buf[0], for error messages */
    size_t file_size;
    size_t prefetched;       /* buf offset up to which lines have been prefetched */
    const net_capture_sync *sync; /* told before a window goes (NULL: nobody to tell) */
    pcap_window retired[PCAP_RETIRED];
    unsigned n_retired;
} pcap_src;

/* Unmaps the retired windows the later stage has passed; all of them, once it has read
 * everything handed on, when `wait`. */
static void pcap_reap(pcap_src *src, bool wait)
{
    const net_capture_sync *sy = src->sync;
    if (wait && sy)
        sy->fn(sy->arg);
    unsigned keep = 0;
    for (unsigned i = 0; i < src->n_retired; i++) {
        pcap_window *w = &src->retired[i];
        if (wait || !sy || sy->passed(sy->arg, w->mark))
            munmap(w->map, w->len);
        else
            src->retired[keep++] = *w;
    }
    src->n_retired = keep;
}

/* Lets the current window go: retired while a later stage may read it, else unmapped. */
static void pcap_retire(pcap_src *src)
{
    const net_capture_sync *sy = src->sync;
    if (!sy || !sy->mark) {
        if (sy)
            sy->fn(sy->arg);
        munmap(src->map, src->map_len);
    } else {
        if (src->n_retired == PCAP_RETIRED) { /* wait for the oldest */
            while (!sy->passed(sy->arg, src->retired[0].mark))
                sched_yield();
            munmap(src->retired[0].map, src->retired[0].len);
            memmove(src->retired, src->retired + 1, --src->n_retired * sizeof src->retired[0]);
        }
        src->retired[src->n_retired++] = (pcap_window){src->map, src->map_len, sy->mark(sy->arg)};
        pcap_reap(src, false);
    }
    src->map = NULL;
}

/* Makes at least n bytes available at src->off; false at the end of the input. */
static bool pcap_need(pcap_src *src, size_t n)
{
    if (src->len - src->off >= n)
        return true;
    if (src->fd < 0)
        return false;
    size_t pos = src->consumed + src->off; /* the file offset wanted */
    size_t start = pos & ~(size_t)(sysconf(_SC_PAGESIZE) - 1);
    if (start >= src->file_size || (src->map && start == src->consumed && src->consumed + src->len >= src->file_size))
        return false;
    size_t want = src->file_size - start < PCAP_WINDOW ? src->file_size - start : PCAP_WINDOW;
    if (src->map)
        pcap_retire(src);
    src->map = mmap(NULL, want, PROT_READ, MAP_PRIVATE | MAP_POPULATE, src->fd, (off_t)start);
    if (src->map == MAP_FAILED) {
        src->map = NULL;
        src->len = src->off = 0;
        return false;
    }
    madvise(src->map, want, MADV_SEQUENTIAL);
    src->map_len = want;
    src->buf = src->map;
    src->consumed = start;
    src->off = pos - start;
    src->len = want;
    src->prefetched = src->off;
    return src->len - src->off >= n;
}

/* LINKTYPE_ numbers whose DLT_ number (on Linux) is the same, so read here: Ethernet, raw IP,
 * Linux cooked v1/v2, null, loopback, raw IPv4/IPv6, PPP, PPP in HDLC framing, Cisco HDLC,
 * 802.11, 802.11 with radiotap, PPI, NFLOG. */
static bool fast_linktype(uint32_t lt)
{
    switch (lt) {
    case 1: case 101: case 113: case 276: case 0: case 108: case 228: case 229:
    case 9: case 50: case 104: case 105: case 127: case 192: case 239:
        return true;
    }
    return false;
}

/* The record loop. KW_ERR_UNSUPPORTED: not classic pcap, or a link type to leave to libpcap. */
static kw_rc pcap_records(pcap_src *src, const char *name, net_detector *d, net_stats *st, char *err, size_t errn)
{
    if (!pcap_need(src, 24))
        return KW_ERR_UNSUPPORTED;
    const uint8_t *hdr = src->buf + src->off;
    uint32_t magic;
    memcpy(&magic, hdr, 4);
    bool swap, nano;
    switch (magic) {
    case 0xa1b2c3d4: swap = false, nano = false; break;
    case 0xa1b23c4d: swap = false, nano = true; break;
    case 0xd4c3b2a1: swap = true, nano = false; break;
    case 0x4d3cb2a1: swap = true, nano = true; break;
    default: return KW_ERR_UNSUPPORTED; /* pcapng or not a capture: libpcap decides */
    }
    uint32_t lt = rd32(hdr + 20, swap) & 0x03ffffff; /* the FCS bits are above */
    if (!fast_linktype(lt))
        return KW_ERR_UNSUPPORTED; /* link types whose LINKTYPE_ and DLT_ numbers differ, or libpcap's job */
    int dlt = (int)lt;
    src->off += 24;
    for (;;) {
        if (!pcap_need(src, 16)) {
            if (src->len == src->off)
                return KW_OK;
            snprintf(err, errn, "%s: truncated dump file; a record header is cut off at byte %zu (after %llu packets)",
                     name, src->consumed + src->off, (unsigned long long)st->packets);
            return KW_ERR_PARSE;
        }
        const uint8_t *r = src->buf + src->off;
        uint32_t sec = rd32(r, swap), frac = rd32(r + 4, swap), incl = rd32(r + 8, swap), orig = rd32(r + 12, swap);
        if (incl > PCAP_MAX_RECORD) {
            snprintf(err, errn, "%s: invalid record at byte %zu: %u bytes captured, more than any snap length "
                     "(after %llu packets)", name, src->consumed + src->off, incl, (unsigned long long)st->packets);
            return KW_ERR_PARSE;
        }
        if (!pcap_need(src, 16 + (size_t)incl)) {
            snprintf(err, errn, "%s: truncated dump file; tried to read %u captured bytes at byte %zu, only got %zu "
                     "(after %llu packets)", name, incl, src->consumed + src->off + 16, src->len - src->off - 16,
                     (unsigned long long)st->packets);
            return KW_ERR_PARSE;
        }
        r = src->buf + src->off; /* a refill may have moved it */
        /* every line of the next few KiB on its way from memory: the records are read in
         * order, but a page's end stops the CPU's own prefetcher */
        size_t ahead = src->off + PREFETCH_AHEAD < src->len ? src->off + PREFETCH_AHEAD : src->len;
        for (; src->prefetched < ahead; src->prefetched += 64)
            __builtin_prefetch(src->buf + src->prefetched);
        int64_t ts = (int64_t)sec * 1000000000LL + (nano ? frac : (int64_t)frac * 1000);
        capture_one(dlt, r + 16, incl, orig < incl ? incl : orig, ts, d, st);
        src->off += 16 + (size_t)incl;
    }
}

kw_rc net_capture_buffer(const uint8_t *buf, size_t len, const char *name, net_detector *d, net_stats *st,
                         char *err, size_t errn)
{
    pcap_src src = {.fd = -1, .buf = buf, .len = len};
    return pcap_records(&src, name, d, st, err, errn);
}

kw_rc net_capture_file(const char *path, net_detector *d, net_stats *st, char *err, size_t errn)
{
    return net_capture_file_sync(path, d, st, NULL, err, errn);
}

kw_rc net_capture_file_sync(const char *path, net_detector *d, net_stats *st, const net_capture_sync *sync, char *err,
                            size_t errn)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return KW_ERR_IO;
    }
    kw_rc rc = KW_ERR_UNSUPPORTED;
    if (S_ISREG(sb.st_mode)) {
        pcap_src src = {.fd = fd, .file_size = (size_t)sb.st_size, .sync = sync};
        rc = pcap_records(&src, path, d, st, err, errn);
        pcap_reap(&src, true);
        if (src.map)
            munmap(src.map, src.map_len);
    }
    if (rc != KW_ERR_UNSUPPORTED) {
        close(fd);
        return rc;
    }
    /* not classic pcap: start again with libpcap; not a file that maps (a pipe): nothing read
     * yet, libpcap reads it as it comes */
    FILE *f = !S_ISREG(sb.st_mode) || lseek(fd, 0, SEEK_SET) == 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        close(fd);
        snprintf(err, errn, "%s: cannot rewind for libpcap: %s", path, strerror(errno));
        return KW_ERR_IO;
    }
    return net_capture_read_sync(f, path, d, st, sync, err, errn);
}

kw_rc net_capture_read(FILE *f, const char *name, net_detector *d, net_stats *st, char *err, size_t errn)
{
    return net_capture_read_sync(f, name, d, st, NULL, err, errn);
}

kw_rc net_capture_read_sync(FILE *f, const char *name, net_detector *d, net_stats *st, const net_capture_sync *sync,
                            char *err, size_t errn)
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
        snprintf(err, errn, "%s: link type %d (%s) is not one keepwatch decodes (Ethernet, Linux cooked v1/v2, raw IP, loopback, PPP, "
                 "Cisco HDLC, NFLOG, 802.11, radiotap, PPI)",
                 name, lt, ltn ? ltn : "unknown");
        pcap_close(pc);
        return KW_ERR_UNSUPPORTED;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    kw_rc out = KW_OK;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec; /* tv_usec holds ns here */
        capture_one(lt, data, h->caplen, h->len < h->caplen ? h->caplen : h->len, ts, d, st);
        if (sync) /* libpcap reads the next packet over this one */
            sync->fn(sync->arg);
    }
    if (rc == PCAP_ERROR) {
        snprintf(err, errn, "%s: %s (after %llu packets)", name, pcap_geterr(pc), (unsigned long long)st->packets);
        out = KW_ERR_PARSE;
    }
    pcap_close(pc);
    return out;
}

kw_rc net_capture_first_ts(const char *path, int64_t *ts)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!pc)
        return KW_ERR_PARSE;
    struct pcap_pkthdr *h;
    const u_char *data;
    kw_rc rc = KW_ERR_PARSE;
    if (pcap_next_ex(pc, &h, &data) == 1) {
        *ts = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec;
        rc = KW_OK;
    }
    pcap_close(pc);
    return rc;
}

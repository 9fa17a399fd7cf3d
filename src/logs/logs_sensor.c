/* The log sensor thread: inputs, the parse-match pipeline, and the hand-off to the core. */
#include "logs/logs_sensor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <libgen.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef KW_HAVE_SYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "alert/alert.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http.h"
#include "intel/intel.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"
#include "logs/logs_watch.h"
#include "metric/metric.h"

#define READ_CHUNK (1 << 20)      /* bytes per read */
#define FILE_BUDGET (8 << 20)     /* bytes read from one file before the others get a turn */
#define ROTATED_IDLE_MS 5000      /* a renamed file quiet this long is let go */
#define GLOB_EVERY_MS 10000
#define METRICS_EVERY_MS 5000
#define BATCH_MAX (1 << 20)       /* ECS lines held before they go to the core */
#define MAX_SENDERS 1024
#define UDP_BATCH 64

enum { EP_INOTIFY = 1, EP_UDP, EP_TCP_LISTEN, EP_TCP_CONN, EP_JOURNAL };

typedef struct ep_tag {
    int kind;
    void *p;
} ep_tag;

typedef struct lin {
    char *name;
    int type;
    char *format;
    int32_t tz;
    bool from_beginning;
    char **globs;
    size_t nglobs;
    int udp_fd, tcp_fd;
    ep_tag udp_tag, tcp_tag, journal_tag;
    uint64_t lines, bytes, truncated, unparsed, udp_dropped, refused;
    size_t nconns;
#ifdef KW_HAVE_SYSTEMD
    sd_journal *journal;
    char *cursor;
#endif
} lin;

typedef struct tfile {
    char *path;
    lin *in;
    int fd;
    uint64_t dev, ino;
    int64_t off;              /* bytes read from the file */
    log_lines ll;
    uint64_t truncated_seen;
    bool rotated;             /* renamed or deleted: read to its end, then let go */
    int64_t last_data_ms;
    struct tfile *next;
} tfile;

typedef struct tconn {
    int fd;
    lin *in;
    ep_tag tag;
    char peer[64];
    int framing;              /* 0 not yet known, 1 newline, 2 octet counting */
    log_lines ll;             /* newline framing */
    char *frame;              /* octet counting: the frame being read (up to max_line) */
    size_t flen, fwant, fskip;
    char hdr[12];
    size_t hlen;
} tconn;

typedef struct watch_dir {
    int wd;
    char *dir;
} watch_dir;

struct log_sensor {
    pthread_t thread;
    atomic_bool stop;         /* seen within the 200 ms epoll timeout */
    int ep, ino_fd;
    ep_tag ino_tag;
    log_sensor_hooks hooks;
    lin *in;
    size_t nin;
    tfile *files;
    watch_dir *dirs;
    size_t ndirs;
    tconn **conns;
    size_t nconns, max_conns;
    log_ruleset *rs;
    log_engine *eng;
    log_watch *watch;
    log_rec rec;
    int events_mode;
    size_t max_line;
    int32_t tz_default;
    kw_buf batch;
    alert_acts pending;       /* detections not yet handed over */
    kw_offsets saved;         /* positions known at start */
    kw_offsets final;         /* positions reached, filled at stop */
    kw_map senders;           /* address -> (uintptr_t) lines */
    uint64_t senders_dropped;
    int64_t now, next_sec, next_metrics, next_glob;
    bool first_scan;
    char *buf;                /* READ_CHUNK */
    char (*udp_bufs)[8192];   /* UDP_BATCH datagrams (on the heap: thread-local space comes out of every thread's stack) */
};

bool log_sensor_wanted(const conf *c)
{
    for (size_t i = 0; i < c->logs.inputs.n; i++)
        if (CONF_AT(c->logs.inputs, conf_log_input, i)->enabled)
            return true;
    return c->logs.signatures.n > 0;
}

/* ---- the hand-off ---- */

static void on_detection(void *arg, const log_detection *x)
{
    log_sensor *s = arg;
    log_detection_act(x, "logs", &s->pending);
}

/* Hands ev to the core, waiting up to 2 s for room in the queue; false (ev still the
 * caller's) if there was none. For what must not be dropped. */
static bool push_waiting(log_sensor *s, kw_event *ev)
{
    for (int tries = 0; tries < 200; tries++) {
        if (s->hooks.push(s->hooks.arg, ev))
            return true;
        usleep(10000);
    }
    return s->hooks.push(s->hooks.arg, ev);
}

/* Alert changes are never dropped: when the queue is full they wait here for the next try
 * (the sensor thread slows down rather than lose one). */
static void flush_acts(log_sensor *s, bool wait)
{
    if (!s->pending.n)
        return;
    kw_event *ev = kw_event_new("logs", s->now);
    ev->acts = kw_calloc(1, sizeof *ev->acts);
    *ev->acts = s->pending;
    memset(&s->pending, 0, sizeof s->pending);
    if (wait ? push_waiting(s, ev) : s->hooks.push(s->hooks.arg, ev))
        return;
    if (wait) {
        log_error("logs: the core took no alert change for 2 s; %zu dropped", ev->acts->n);
        kw_event_free(ev);
        return;
    }
    s->pending = *ev->acts; /* try again later */
    free(ev->acts);
    ev->acts = NULL;
    kw_event_free(ev);
}

static void flush_batch(log_sensor *s)
{
    if (!s->batch.len)
        return;
    kw_event *ev = kw_event_new("logs", s->now);
    ev->ecs = kw_buf_take(&s->batch);
    if (!s->hooks.push(s->hooks.arg, ev))
        kw_event_free(ev); /* counted by the queue as a drop */
}

/* ---- lines ---- */

typedef struct line_ctx {
    log_sensor *s;
    lin *in;
    const char *sender;
} line_ctx;

static void count_sender(log_sensor *s, const char *sender)
{
    uintptr_t n = (uintptr_t)kw_map_get(&s->senders, sender);
    if (!n && s->senders.n >= MAX_SENDERS) {
        s->senders_dropped++;
        return;
    }
    kw_map_put(&s->senders, sender, (void *)(n + 1));
}

static void after_parse(log_sensor *s, lin *in, const char *sender, size_t len);

static void process_line(void *arg, const char *line, size_t len)
{
    line_ctx *c = arg;
    log_sensor *s = c->s;
    lin *in = c->in;
    log_parse_opts o = {.now_ms = s->now, .tz_offset_min = in->tz, .format = in->format, .input = in->name,
                        .sender = c->sender};
    log_parse(&s->rec, line, len, &o);
    after_parse(s, in, c->sender, len);
}

/* A parsed line (s->rec) through the rules and the watch, into the event log batch. */
static void after_parse(log_sensor *s, lin *in, const char *sender, size_t len)
{
    in->lines++;
    in->bytes += len + 1;
    if (log_eq(&s->rec, LF_EVENT_DATASET, "log") || log_eq(&s->rec, LF_EVENT_DATASET, "syslog"))
        in->unparsed++;
    if (sender)
        count_sender(s, sender);
    log_watch_line(s->watch, &s->rec, s->now);
    int hits = log_engine_line_at(s->eng, &s->rec, s->now);
    if (s->events_mode == LOG_EVENTS_ALL || (s->events_mode == LOG_EVENTS_MATCHED && hits)) {
        if (s->batch.len)
            kw_buf_putc(&s->batch, '\n');
        log_rec_ecs(&s->rec, &s->batch);
        if (s->batch.len >= BATCH_MAX)
            flush_batch(s);
    }
    if (s->pending.n)
        flush_acts(s, false);
}

/* ---- files ---- */

static tfile *file_by_inode(log_sensor *s, uint64_t dev, uint64_t ino)
{
    for (tfile *f = s->files; f; f = f->next)
        if (f->dev == dev && f->ino == ino)
            return f;
    return NULL;
}

static const kw_offset *saved_for(log_sensor *s, const char *path)
{
    for (size_t i = 0; i < s->saved.n; i++)
        if (strcmp(s->saved.v[i].key, path) == 0)
            return &s->saved.v[i];
    return NULL;
}

static tfile *file_open(log_sensor *s, lin *in, const char *path, int64_t start, int fd, const struct stat *st)
{
    tfile *f = kw_calloc(1, sizeof *f);
    f->path = kw_strdup(path);
    f->in = in;
    f->fd = fd;
    f->dev = (uint64_t)st->st_dev;
    f->ino = (uint64_t)st->st_ino;
    f->off = start;
    f->last_data_ms = s->now;
    log_lines_init(&f->ll, s->max_line);
    if (start > 0 && lseek(fd, start, SEEK_SET) < 0)
        f->off = 0;
    f->next = s->files;
    s->files = f;
    return f;
}

static void file_close(log_sensor *s, tfile *f)
{
    line_ctx c = {s, f->in, NULL};
    log_lines_flush(&f->ll, process_line, &c); /* the writer is gone: a last line without '\n' counts */
    for (tfile **p = &s->files; *p; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            break;
        }
    close(f->fd);
    log_lines_free(&f->ll);
    free(f->path);
    free(f);
}

/* Reads what the file has, up to the budget. A file now shorter than what was read was
 * truncated in place (copytruncate): it is read again from its start. */
static void file_read(log_sensor *s, tfile *f)
{
    struct stat st;
    if (fstat(f->fd, &st) == 0 && st.st_size < f->off) {
        log_info("logs: %s was truncated (%lld bytes, had read %lld): reading it from its start", f->path,
                 (long long)st.st_size, (long long)f->off);
        lseek(f->fd, 0, SEEK_SET);
        f->off = 0;
        log_lines_free(&f->ll);
        log_lines_init(&f->ll, s->max_line);
        f->truncated_seen = 0;
    }
    line_ctx c = {s, f->in, NULL};
    size_t budget = FILE_BUDGET;
    while (budget) {
        ssize_t n = read(f->fd, s->buf, READ_CHUNK < budget ? READ_CHUNK : budget);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        f->off += n;
        f->last_data_ms = s->now;
        budget -= (size_t)n;
        log_lines_feed(&f->ll, s->buf, (size_t)n, process_line, &c);
    }
    f->in->truncated += f->ll.truncated - f->truncated_seen;
    f->truncated_seen = f->ll.truncated;
}

/* A saved position whose file was renamed while keepwatch was down: look for its inode
 * beside the path (app.log.1, app.log-20240105, ...) and read the rest of it. */
static void find_renamed(log_sensor *s, lin *in, const kw_offset *sv, const char *path)
{
    char *dup = kw_strdup(path);
    char *dir = dirname(dup);
    char *bdup = kw_strdup(path);
    const char *base = basename(bdup);
    glob_t g;
    char pat[4096];
    snprintf(pat, sizeof pat, "%s/%s?*", dir, base);
    if (glob(pat, GLOB_NOSORT, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            struct stat st;
            if (stat(g.gl_pathv[i], &st) != 0 || (uint64_t)st.st_ino != sv->ino || (uint64_t)st.st_dev != sv->dev ||
                st.st_size < sv->offset || file_by_inode(s, sv->dev, sv->ino))
                continue;
            int fd = open(g.gl_pathv[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
            if (fd < 0)
                continue;
            log_info("logs: %s was renamed to %s while keepwatch was stopped: reading its rest", path, g.gl_pathv[i]);
            tfile *f = file_open(s, in, g.gl_pathv[i], sv->offset, fd, &st);
            f->rotated = true;
            break;
        }
        globfree(&g);
    }
    free(dup);
    free(bdup);
}

static void watch_dir_of(log_sensor *s, const char *pattern)
{
    if (s->ino_fd < 0)
        return;
    char *dup = kw_strdup(pattern);
    char *dir = dirname(dup);
    if (!strpbrk(dir, "*?[")) {
        bool have = false;
        for (size_t i = 0; i < s->ndirs && !have; i++)
            have = strcmp(s->dirs[i].dir, dir) == 0;
        if (!have) {
            int wd = inotify_add_watch(s->ino_fd, dir,
                                       IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF);
            if (wd >= 0) {
                s->dirs = kw_realloc(s->dirs, (s->ndirs + 1) * sizeof *s->dirs);
                s->dirs[s->ndirs++] = (watch_dir){wd, kw_strdup(dir)};
            }
        }
    }
    free(dup);
}

/* Finds the files of every file input: new ones are opened; a path whose file changed
 * (renamed or deleted) has its old file marked rotated and the new one opened. */
static void scan_files(log_sensor *s)
{
    for (tfile *f = s->files; f; f = f->next) {
        if (f->rotated)
            continue;
        struct stat st;
        if (stat(f->path, &st) != 0 || (uint64_t)st.st_ino != f->ino || (uint64_t)st.st_dev != f->dev) {
            file_read(s, f); /* what is there now, before the path moves on */
            f->rotated = true;
        }
    }
    for (size_t i = 0; i < s->nin; i++) {
        lin *in = &s->in[i];
        for (size_t k = 0; k < in->nglobs; k++) {
            watch_dir_of(s, in->globs[k]);
            glob_t g;
            if (glob(in->globs[k], GLOB_NOSORT, NULL, &g) != 0)
                continue;
            for (size_t p = 0; p < g.gl_pathc; p++) {
                const char *path = g.gl_pathv[p];
                struct stat st;
                if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                    continue;
                tfile *known = file_by_inode(s, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
                if (known)
                    continue; /* already read (maybe under its old name) */
                int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                if (fd < 0) {
                    log_warn("logs: cannot read %s: %s", path, strerror(errno));
                    continue;
                }
                struct stat fst;
                if (fstat(fd, &fst) != 0) {
                    close(fd);
                    continue;
                }
                int64_t start = 0;
                const kw_offset *sv = saved_for(s, path);
                if (sv && sv->dev == (uint64_t)fst.st_dev && sv->ino == (uint64_t)fst.st_ino &&
                    sv->offset <= fst.st_size) {
                    start = sv->offset; /* where keepwatch stopped */
                } else {
                    if (sv && s->first_scan)
                        find_renamed(s, in, sv, path);
                    /* at start-up an unknown file is read from its end; later, a new file
                     * (rotation, first write) from its start */
                    start = s->first_scan && !in->from_beginning && !sv ? fst.st_size : 0;
                }
                file_open(s, in, path, start, fd, &fst);
            }
            globfree(&g);
        }
    }
    s->first_scan = false;
}

static void read_files(log_sensor *s)
{
    for (tfile *f = s->files, *next; f; f = next) {
        next = f->next;
        file_read(s, f);
        if (f->rotated && s->now - f->last_data_ms >= ROTATED_IDLE_MS)
            file_close(s, f);
    }
}

static void on_inotify(log_sensor *s)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool structural = false;
    for (;;) {
        ssize_t n = read(s->ino_fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            if (e->mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_Q_OVERFLOW))
                structural = true;
            p += sizeof *e + e->len;
        }
    }
    if (structural)
        scan_files(s);
    read_files(s);
}

/* ---- syslog ---- */

static int listen_socket(const char *addr, int type, char *err, size_t errn)
{
    struct sockaddr_storage ss;
    unsigned len;
    if (!http_parse_listen(addr, &ss, &len)) {
        snprintf(err, errn, "\"%s\" is not ADDRESS:PORT", addr);
        return -1;
    }
    int fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errn, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (type == SOCK_DGRAM) {
        int rcv = 8 << 20;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || (type == SOCK_STREAM && listen(fd, 128) != 0)) {
        snprintf(err, errn, "%s %s: %s", type == SOCK_STREAM ? "tcp" : "udp", addr, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void addr_str(const struct sockaddr_storage *ss, char *out, size_t n)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
            inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], out, (socklen_t)n);
        else
            inet_ntop(AF_INET6, &a->sin6_addr, out, (socklen_t)n);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, (socklen_t)n);
    }
}

static void on_udp(log_sensor *s, lin *in)
{
    char (*bufs)[8192] = s->udp_bufs;
    struct mmsghdr msgs[UDP_BATCH];
    struct iovec iov[UDP_BATCH];
    struct sockaddr_storage from[UDP_BATCH];
    for (int round = 0; round < 64; round++) { /* then the other inputs get a turn */
        for (int i = 0; i < UDP_BATCH; i++) {
            iov[i] = (struct iovec){bufs[i], sizeof bufs[i]};
            msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iov[i],
                                              .msg_iovlen = 1};
        }
        int n = recvmmsg(in->udp_fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return;
        s->now = kw_now_ms();
        for (int i = 0; i < n; i++) {
            char peer[64];
            addr_str(&from[i], peer, sizeof peer);
            size_t len = msgs[i].msg_len;
            if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
                in->truncated++;
            const char *p = bufs[i], *end = p + len;
            line_ctx c = {s, in, peer};
            while (p < end) { /* one message per datagram, or several lines */
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;
                size_t ln = (size_t)(e - p);
                while (ln && (p[ln - 1] == '\r' || p[ln - 1] == '\0'))
                    ln--;
                if (ln)
                    process_line(&c, p, ln);
                p = e + 1;
            }
        }
        if (n < UDP_BATCH)
            return;
    }
}

static void conn_close(log_sensor *s, tconn *c)
{
    line_ctx lc = {s, c->in, c->peer};
    log_lines_flush(&c->ll, process_line, &lc);
    if (c->flen && c->framing == 2)
        process_line(&lc, c->frame, c->flen); /* a frame cut short by the sender's close */
    c->in->truncated += c->ll.truncated;
    epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->in->nconns--;
    for (size_t i = 0; i < s->nconns; i++)
        if (s->conns[i] == c) {
            s->conns[i] = s->conns[--s->nconns];
            break;
        }
    log_lines_free(&c->ll);
    free(c->frame);
    free(c);
}

static void on_accept(log_sensor *s, lin *in)
{
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(in->tcp_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (s->nconns >= s->max_conns) {
            in->refused++; /* memory stays bounded: the sender retries or buffers */
            close(fd);
            continue;
        }
        tconn *c = kw_calloc(1, sizeof *c);
        c->fd = fd;
        c->in = in;
        c->tag = (ep_tag){EP_TCP_CONN, c};
        addr_str(&ss, c->peer, sizeof c->peer);
        log_lines_init(&c->ll, s->max_line);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c->tag};
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            log_lines_free(&c->ll);
            free(c);
            continue;
        }
        s->conns = kw_realloc(s->conns, (s->nconns + 1) * sizeof *s->conns);
        s->conns[s->nconns++] = c;
        in->nconns++;
    }
}

/* RFC 6587 octet counting: "LEN SP MSG" frames, back to back. */
static void octets(log_sensor *s, tconn *c, const char *p, size_t n)
{
    line_ctx lc = {s, c->in, c->peer};
    while (n) {
        if (!c->fwant && !c->fskip) { /* reading the length */
            char ch = *p++;
            n--;
            if (ch >= '0' && ch <= '9' && c->hlen < 10) {
                c->hdr[c->hlen++] = ch;
                continue;
            }
            if (ch != ' ' || !c->hlen) { /* not octet counting after all: newline framing from here */
                c->framing = 1;
                log_lines_feed(&c->ll, c->hdr, c->hlen, process_line, &lc);
                log_lines_feed(&c->ll, &ch, 1, process_line, &lc);
                log_lines_feed(&c->ll, p, n, process_line, &lc);
                c->hlen = 0;
                return;
            }
            c->hdr[c->hlen] = 0;
            size_t want = (size_t)strtoull(c->hdr, NULL, 10);
            c->hlen = 0;
            if (!want)
                continue;
            if (want > s->max_line) { /* keep max_line of it, skip the rest */
                c->fskip = want - s->max_line;
                want = s->max_line;
                c->in->truncated++;
            }
            c->fwant = want;
            if (!c->frame)
                c->frame = kw_malloc(s->max_line);
            c->flen = 0;
            continue;
        }
        if (c->fwant) {
            size_t take = c->fwant - c->flen < n ? c->fwant - c->flen : n;
            memcpy(c->frame + c->flen, p, take);
            c->flen += take;
            p += take;
            n -= take;
            if (c->flen == c->fwant) {
                size_t ln = c->flen;
                while (ln && (c->frame[ln - 1] == '\n' || c->frame[ln - 1] == '\r'))
                    ln--;
                process_line(&lc, c->frame, ln);
                c->fwant = c->flen = 0;
            }
            continue;
        }
        size_t skip = c->fskip < n ? c->fskip : n;
        c->fskip -= skip;
        p += skip;
        n -= skip;
    }
}

static void on_conn(log_sensor *s, tconn *c)
{
    for (int round = 0; round < 16; round++) {
        ssize_t n = read(c->fd, s->buf, 65536);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            conn_close(s, c);
            return;
        }
        s->now = kw_now_ms();
        if (!c->framing)
            c->framing = (s->buf[0] >= '1' && s->buf[0] <= '9') ? 2 : 1;
        if (c->framing == 2) {
            octets(s, c, s->buf, (size_t)n);
        } else {
            line_ctx lc = {s, c->in, c->peer};
            uint64_t before = c->ll.truncated;
            log_lines_feed(&c->ll, s->buf, (size_t)n, process_line, &lc);
            c->in->truncated += c->ll.truncated - before;
            c->ll.truncated = before; /* counted */
        }
    }
}

/* ---- the journal ---- */

#ifdef KW_HAVE_SYSTEMD
static bool journal_field(sd_journal *j, const char *name, const char **out, size_t *n)
{
    const void *d;
    size_t len;
    size_t nl = strlen(name);
    if (sd_journal_get_data(j, name, &d, &len) < 0 || len <= nl + 1)
        return false;
    *out = (const char *)d + nl + 1;
    *n = len - nl - 1;
    return true;
}

static void journal_read(log_sensor *s, lin *in)
{
    sd_journal_process(in->journal);
    for (int budget = 0; budget < 20000 && sd_journal_next(in->journal) > 0; budget++) {
        const char *msg, *v;
        size_t mn, vn;
        if (!journal_field(in->journal, "MESSAGE", &msg, &mn))
            continue;
        char prog[64] = "", host[128] = "", pid[16] = "";
        if (journal_field(in->journal, "SYSLOG_IDENTIFIER", &v, &vn) || journal_field(in->journal, "_COMM", &v, &vn))
            snprintf(prog, sizeof prog, "%.*s", (int)vn, v);
        if (journal_field(in->journal, "_HOSTNAME", &v, &vn))
            snprintf(host, sizeof host, "%.*s", (int)vn, v);
        if (journal_field(in->journal, "_PID", &v, &vn))
            snprintf(pid, sizeof pid, "%.*s", (int)vn, v);
        uint64_t usec = 0;
        sd_journal_get_realtime_usec(in->journal, &usec);
        /* the message may be reused by the journal on the next call: the record copies nothing,
         * so everything about this line is done before moving on */
        size_t n = mn > s->max_line ? s->max_line : mn;
        if (n < mn)
            in->truncated++;
        s->now = kw_now_ms();
        log_parse_opts o = {.now_ms = s->now, .tz_offset_min = in->tz, .input = in->name};
        log_parse_message(&s->rec, msg, n, prog, host, pid, (int64_t)(usec / 1000), &o);
        after_parse(s, in, NULL, n);
    }
    char *cur = NULL;
    if (sd_journal_get_cursor(in->journal, &cur) >= 0) {
        free(in->cursor);
        in->cursor = cur;
    }
}

static bool journal_open(log_sensor *s, lin *in, char *err, size_t errn)
{
    int rc = sd_journal_open(&in->journal, SD_JOURNAL_LOCAL_ONLY);
    if (rc < 0) {
        snprintf(err, errn, "input %s: cannot open the journal: %s", in->name, strerror(-rc));
        return false;
    }
    char key[256];
    snprintf(key, sizeof key, "journal:%s", in->name);
    const kw_offset *sv = saved_for(s, key);
    if (sv && sv->cursor && sd_journal_seek_cursor(in->journal, sv->cursor) >= 0) {
        sd_journal_next(in->journal); /* the entry at the cursor was read before */
    } else if (in->from_beginning) {
        sd_journal_seek_head(in->journal);
    } else {
        sd_journal_seek_tail(in->journal);
        sd_journal_previous(in->journal);
    }
    int fd = sd_journal_get_fd(in->journal);
    if (fd >= 0) {
        in->journal_tag = (ep_tag){EP_JOURNAL, in};
        struct epoll_event ev = {.events = (uint32_t)sd_journal_get_events(in->journal), .data.ptr = &in->journal_tag};
        epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
    }
    return true;
}
#endif

/* ---- metrics and the API ---- */

static const metric_desc m_lines = {"log_lines_total", "Log lines read.", METRIC_COUNTER, true};
static const metric_desc m_bytes = {"log_bytes_total", "Log bytes read.", METRIC_COUNTER, false};
static const metric_desc m_trunc = {"log_lines_truncated_total", "Log lines cut at logs.max_line.", METRIC_COUNTER,
                                    true};
static const metric_desc m_unparsed = {"log_lines_unparsed_total", "Log lines no parser recognised (kept as messages).",
                                       METRIC_COUNTER, false};
static const metric_desc m_dropped = {"log_received_dropped_total",
                                      "Syslog datagrams the kernel dropped because the socket buffer was full.",
                                      METRIC_COUNTER, true};
static const metric_desc m_refused = {"log_connections_refused_total",
                                      "Syslog TCP connections refused at logs.max_connections.", METRIC_COUNTER, true};
static const metric_desc m_files = {"log_files", "Files being read.", METRIC_GAUGE, false};
static const metric_desc m_conns = {"log_connections", "Syslog TCP connections open.", METRIC_GAUGE, false};
static const metric_desc m_matches = {"log_rule_matches_total", "Log lines that met a rule's conditions.",
                                      METRIC_COUNTER, true};
static const metric_desc m_dets = {"log_rule_detections_total", "Detections a log rule made.", METRIC_COUNTER, true};
static const metric_desc m_dev = {"log_device_lines_total", "Log lines from a device.", METRIC_COUNTER, false};
static const metric_desc m_devhits = {"log_device_rule_hits_total", "Deny-rule hits on a device.", METRIC_COUNTER,
                                      false};
static const metric_desc m_devbase = {"log_device_rule_baseline_per_minute",
                                      "A device deny rule's learned hits per minute.", METRIC_GAUGE, false};

static void metric_dev(void *arg, const log_watch_count *c)
{
    metric_set *ms = arg;
    if (!c->rule) {
        metric_add(ms, &m_dev, (double)c->count, "device", c->device, NULL);
        return;
    }
    metric_add(ms, &m_devhits, (double)c->count, "device", c->device, "rule", c->rule, NULL);
    metric_add(ms, &m_devbase, c->baseline_per_min, "device", c->device, "rule", c->rule, NULL);
}

static void push_metrics(log_sensor *s)
{
    kw_event *ev = kw_event_new("logs", s->now);
    metric_set *ms = ev->metrics = metric_set_new(s->now);
    for (size_t i = 0; i < s->nin; i++) {
        lin *in = &s->in[i];
        metric_add(ms, &m_lines, (double)in->lines, "input", in->name, NULL);
        metric_add(ms, &m_bytes, (double)in->bytes, "input", in->name, NULL);
        metric_add(ms, &m_trunc, (double)in->truncated, "input", in->name, NULL);
        metric_add(ms, &m_unparsed, (double)in->unparsed, "input", in->name, NULL);
        if (in->type == LOG_INPUT_SYSLOG) {
            metric_add(ms, &m_dropped, (double)in->udp_dropped, "input", in->name, NULL);
            metric_add(ms, &m_refused, (double)in->refused, "input", in->name, NULL);
            metric_add(ms, &m_conns, (double)in->nconns, "input", in->name, NULL);
        }
        if (in->type == LOG_INPUT_FILE) {
            size_t nf = 0;
            for (tfile *f = s->files; f; f = f->next)
                nf += f->in == in;
            metric_add(ms, &m_files, (double)nf, "input", in->name, NULL);
        }
    }
    size_t nr = log_ruleset_count(s->rs);
    log_rule_stats *st = kw_calloc(nr ? nr : 1, sizeof *st);
    log_engine_rule_stats(s->eng, st, nr);
    for (size_t i = 0; i < nr; i++) {
        metric_add(ms, &m_matches, (double)st[i].matches, "rule", st[i].name, NULL);
        metric_add(ms, &m_dets, (double)st[i].detections, "rule", st[i].name, NULL);
    }
    free(st);
    log_watch_each(s->watch, metric_dev, ms);
    if (!s->hooks.push(s->hooks.arg, ev))
        kw_event_free(ev);
}

static int cmp_sender(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)((const char *)a + sizeof(char *)),
              y = *(const uintptr_t *)((const char *)b + sizeof(char *));
    return x < y ? 1 : x > y ? -1 : 0;
}

static void publish(log_sensor *s)
{
    if (!s->hooks.publish)
        return;
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "updated", s->now);
    kw_json_key(&j, "inputs");
    kw_json_arr_begin(&j);
    static const char *const types[] = {"file", "syslog", "journal"};
    for (size_t i = 0; i < s->nin; i++) {
        lin *in = &s->in[i];
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", in->name);
        kw_json_kv_str(&j, "type", types[in->type]);
        kw_json_kv_int(&j, "lines", (int64_t)in->lines);
        kw_json_kv_int(&j, "bytes", (int64_t)in->bytes);
        kw_json_kv_int(&j, "truncated", (int64_t)in->truncated);
        kw_json_kv_int(&j, "unparsed", (int64_t)in->unparsed);
        if (in->type == LOG_INPUT_SYSLOG) {
            kw_json_kv_int(&j, "dropped", (int64_t)in->udp_dropped);
            kw_json_kv_int(&j, "refused", (int64_t)in->refused);
            kw_json_kv_int(&j, "connections", (int64_t)in->nconns);
        }
        if (in->type == LOG_INPUT_FILE) {
            kw_json_key(&j, "files");
            kw_json_arr_begin(&j);
            for (tfile *f = s->files; f; f = f->next) {
                if (f->in != in)
                    continue;
                kw_json_obj_begin(&j);
                kw_json_kv_str(&j, "path", f->path);
                kw_json_kv_int(&j, "offset", f->off - (int64_t)log_lines_pending(&f->ll));
                kw_json_kv_bool(&j, "rotated", f->rotated);
                kw_json_obj_end(&j);
            }
            kw_json_arr_end(&j);
        }
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_key(&j, "rules");
    kw_json_arr_begin(&j);
    size_t nr = log_ruleset_count(s->rs);
    log_rule_stats *st = kw_calloc(nr ? nr : 1, sizeof *st);
    log_engine_rule_stats(s->eng, st, nr);
    for (size_t i = 0; i < nr; i++) {
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", st[i].name);
        kw_json_kv_int(&j, "matches", (int64_t)st[i].matches);
        kw_json_kv_int(&j, "detections", (int64_t)st[i].detections);
        kw_json_kv_int(&j, "active", (int64_t)st[i].active);
        kw_json_kv_int(&j, "groups", (int64_t)st[i].groups);
        kw_json_kv_int(&j, "groups_dropped", (int64_t)st[i].groups_dropped);
        kw_json_obj_end(&j);
    }
    free(st);
    kw_json_arr_end(&j);
    kw_json_kv_bool(&j, "prefiltered", log_ruleset_prefiltered(s->rs));
    /* the busiest syslog senders */
    struct {
        const char *k;
        uintptr_t n;
    } *v = kw_calloc(s->senders.n + 1, sizeof *v);
    size_t nv = 0, it = 0;
    const char *k;
    void *val;
    while (kw_map_next(&s->senders, &it, &k, &val))
        v[nv].k = k, v[nv++].n = (uintptr_t)val;
    if (nv)
        qsort(v, nv, sizeof *v, cmp_sender);
    kw_json_key(&j, "senders");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < nv && i < 100; i++) {
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "address", v[i].k);
        kw_json_kv_int(&j, "lines", (int64_t)v[i].n);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    free(v);
    kw_json_kv_int(&j, "senders_not_counted", (int64_t)s->senders_dropped);
    log_watch_json(s->watch, &j);
    kw_json_obj_end(&j);
    s->hooks.publish(s->hooks.arg, kw_buf_take(&b));
}

static kw_offsets *positions(log_sensor *s)
{
    kw_offsets *o = kw_calloc(1, sizeof *o);
    for (tfile *f = s->files; f; f = f->next)
        if (!f->rotated)
            kw_offsets_add(o, f->path, f->dev, f->ino, f->off - (int64_t)log_lines_pending(&f->ll), NULL);
#ifdef KW_HAVE_SYSTEMD
    for (size_t i = 0; i < s->nin; i++)
        if (s->in[i].cursor) {
            char key[256];
            snprintf(key, sizeof key, "journal:%s", s->in[i].name);
            kw_offsets_add(o, key, 0, 0, 0, s->in[i].cursor);
        }
#endif
    return o;
}

static void push_positions(log_sensor *s)
{
    kw_event *ev = kw_event_new("logs", s->now);
    ev->offsets = positions(s);
    if (!ev->offsets->n || !s->hooks.push(s->hooks.arg, ev))
        kw_event_free(ev);
}

/* ---- the thread ---- */

/* The kernel's count of datagrams dropped because the socket buffer was full. */
static void udp_drops(log_sensor *s)
{
    for (size_t i = 0; i < s->nin; i++) {
        uint32_t mem[SK_MEMINFO_VARS];
        socklen_t len = sizeof mem;
        if (s->in[i].udp_fd >= 0 && getsockopt(s->in[i].udp_fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
            len > SK_MEMINFO_DROPS * sizeof(uint32_t))
            s->in[i].udp_dropped = mem[SK_MEMINFO_DROPS];
    }
}

static void each_second(log_sensor *s)
{
    udp_drops(s);
    if (s->now >= s->next_glob) {
        s->next_glob = s->now + GLOB_EVERY_MS;
        scan_files(s);
    }
    read_files(s); /* catches what inotify cannot see (NFS, a lost event) */
    log_engine_tick(s->eng, s->now);
    log_watch_tick(s->watch, s->now);
    flush_acts(s, false);
    flush_batch(s);
    push_positions(s);
    if (s->now >= s->next_metrics) {
        s->next_metrics = s->now + METRICS_EVERY_MS;
        push_metrics(s);
    }
    publish(s);
}

/* The current generation of the lists, held while a batch of lines is read (NULL without
 * lists); intel_end drops it. */
static const intel_set *intel_begin(log_sensor *s)
{
    const intel_set *set = s->hooks.intel ? intel_acquire(s->hooks.intel) : NULL;
    log_engine_set_intel(s->eng, set);
    return set;
}

static void intel_end(log_sensor *s, const intel_set *set)
{
    log_engine_set_intel(s->eng, NULL);
    intel_release(set);
}

static void *sensor_main(void *arg)
{
    log_sensor *s = arg;
    struct epoll_event evs[64];
    while (!atomic_load(&s->stop)) {
        int n = epoll_wait(s->ep, evs, 64, 200);
        s->now = kw_now_ms();
        const intel_set *lists = intel_begin(s);
        for (int i = 0; i < n; i++) {
            ep_tag *t = evs[i].data.ptr;
            switch (t->kind) {
            case EP_INOTIFY:
                on_inotify(s);
                break;
            case EP_UDP:
                on_udp(s, t->p);
                break;
            case EP_TCP_LISTEN:
                on_accept(s, t->p);
                break;
            case EP_TCP_CONN:
                on_conn(s, t->p);
                break;
#ifdef KW_HAVE_SYSTEMD
            case EP_JOURNAL:
                journal_read(s, t->p);
                break;
#endif
            default:
                break;
            }
        }
        s->now = kw_now_ms();
        if (s->batch.len >= BATCH_MAX / 4)
            flush_batch(s);
        if (s->now >= s->next_sec) {
            s->next_sec = s->now + 1000;
            each_second(s);
        }
        intel_end(s, lists);
    }
    /* the end: read what is left and hand everything over. Detections under way are not
     * ended: their alerts stay open, held by the core until the next run reports them again */
    s->now = kw_now_ms();
    const intel_set *lists = intel_begin(s);
    read_files(s);
    intel_end(s, lists);
    flush_acts(s, true);
    flush_batch(s);
    push_metrics(s);
    kw_offsets *o = positions(s);
    for (size_t i = 0; i < o->n; i++)
        kw_offsets_add(&s->final, o->v[i].key, o->v[i].dev, o->v[i].ino, o->v[i].offset, o->v[i].cursor);
    /* the positions reached must reach the store: a restart resumes exactly there */
    kw_event *ev = kw_event_new("logs", s->now);
    ev->offsets = o;
    if (!push_waiting(s, ev)) {
        log_error("logs: the core took no positions for 2 s; a restart may read some lines again");
        kw_event_free(ev);
    }
    return NULL;
}

static void sensor_free(log_sensor *s)
{
    while (s->files) {
        tfile *f = s->files;
        s->files = f->next;
        close(f->fd);
        log_lines_free(&f->ll);
        free(f->path);
        free(f);
    }
    while (s->nconns) {
        tconn *c = s->conns[--s->nconns];
        close(c->fd);
        log_lines_free(&c->ll);
        free(c->frame);
        free(c);
    }
    free(s->conns);
    for (size_t i = 0; i < s->nin; i++) {
        lin *in = &s->in[i];
        free(in->name);
        free(in->format);
        for (size_t k = 0; k < in->nglobs; k++)
            free(in->globs[k]);
        free(in->globs);
        if (in->udp_fd >= 0)
            close(in->udp_fd);
        if (in->tcp_fd >= 0)
            close(in->tcp_fd);
#ifdef KW_HAVE_SYSTEMD
        if (in->journal)
            sd_journal_close(in->journal);
        free(in->cursor);
#endif
    }
    free(s->in);
    for (size_t i = 0; i < s->ndirs; i++)
        free(s->dirs[i].dir);
    free(s->dirs);
    if (s->ino_fd >= 0)
        close(s->ino_fd);
    if (s->ep >= 0)
        close(s->ep);
    log_engine_free(s->eng);
    log_ruleset_free(s->rs);
    log_watch_free(s->watch);
    log_rec_free(&s->rec);
    kw_buf_free(&s->batch);
    alert_acts_free(&s->pending);
    kw_offsets_free(&s->saved);
    kw_offsets_free(&s->final);
    kw_map_free(&s->senders);
    free(s->buf);
    free(s->udp_bufs);
    free(s);
}

/* A syslog socket of the input, in the epoll set. */
static bool open_listener(log_sensor *s, lin *in, const conf_log_input *ci, int type, char *err, size_t errn)
{
    char e2[256];
    int fd = listen_socket(ci->listen, type, e2, sizeof e2);
    if (fd < 0) {
        snprintf(err, errn, "input %s: %s", ci->name, e2);
        return false;
    }
    bool udp = type == SOCK_DGRAM;
    ep_tag *tag = udp ? &in->udp_tag : &in->tcp_tag;
    *tag = (ep_tag){udp ? EP_UDP : EP_TCP_LISTEN, in};
    *(udp ? &in->udp_fd : &in->tcp_fd) = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
    epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
    return true;
}

static void on_watch_detection(void *arg, const log_detection *d) { on_detection(arg, d); }

log_sensor *log_sensor_start(const conf *c, const log_sensor_hooks *h, const kw_offsets *saved, char *err,
                             size_t errn)
{
    log_sensor *s = kw_calloc(1, sizeof *s);
    s->hooks = *h;
    s->ep = s->ino_fd = -1;
    s->max_line = (size_t)c->logs.max_line;
    s->events_mode = c->logs.events;
    s->max_conns = (size_t)c->logs.max_connections;
    s->first_scan = true;
    s->now = kw_now_ms();
    s->buf = kw_malloc(READ_CHUNK);
    s->udp_bufs = kw_malloc(UDP_BATCH * sizeof *s->udp_bufs);
    kw_map_init(&s->senders);
    kw_buf_init(&s->batch, 0);
    log_rec_init(&s->rec);
    s->tz_default = LOG_TZ_LOCAL;
    if (c->logs.timezone)
        log_tz_parse(c->logs.timezone, &s->tz_default);
    for (size_t i = 0; saved && i < saved->n; i++)
        kw_offsets_add(&s->saved, saved->v[i].key, saved->v[i].dev, saved->v[i].ino, saved->v[i].offset,
                       saved->v[i].cursor);
    s->rs = log_ruleset_from_conf(c, err, errn);
    if (!s->rs)
        goto fail;
    s->eng = log_engine_new(s->rs, on_detection, s);
    s->watch = log_watch_new(c, s->now, on_watch_detection, s, err, errn);
    if (!s->watch)
        goto fail;
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    s->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (s->ino_fd >= 0) {
        s->ino_tag = (ep_tag){EP_INOTIFY, NULL};
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->ino_tag};
        epoll_ctl(s->ep, EPOLL_CTL_ADD, s->ino_fd, &ev);
    }
    s->in = kw_calloc(c->logs.inputs.n ? c->logs.inputs.n : 1, sizeof *s->in);
    for (size_t i = 0; i < c->logs.inputs.n; i++) {
        const conf_log_input *ci = CONF_AT(c->logs.inputs, conf_log_input, i);
        if (!ci->enabled)
            continue;
        lin *in = &s->in[s->nin++];
        in->udp_fd = in->tcp_fd = -1;
        in->name = kw_strdup(ci->name);
        in->type = ci->type;
        in->format = ci->format ? kw_strdup(ci->format) : NULL;
        in->tz = s->tz_default;
        if (ci->timezone)
            log_tz_parse(ci->timezone, &in->tz);
        in->from_beginning = ci->from_beginning;
        in->globs = kw_calloc(ci->paths.n ? ci->paths.n : 1, sizeof *in->globs);
        for (size_t k = 0; k < ci->paths.n; k++)
            in->globs[in->nglobs++] = kw_strdup(ci->paths.v[k]);
        if (in->type == LOG_INPUT_SYSLOG) {
            if ((ci->protocol != LOG_PROTO_TCP && !open_listener(s, in, ci, SOCK_DGRAM, err, errn)) ||
                (ci->protocol != LOG_PROTO_UDP && !open_listener(s, in, ci, SOCK_STREAM, err, errn)))
                goto fail;
        } else if (in->type == LOG_INPUT_JOURNAL) {
#ifdef KW_HAVE_SYSTEMD
            if (!journal_open(s, in, err, errn))
                goto fail;
#else
            snprintf(err, errn, "input %s: this keepwatch was built without the systemd journal (libsystemd)",
                     ci->name);
            goto fail;
#endif
        }
    }
    scan_files(s);
    s->next_glob = s->now + GLOB_EVERY_MS;
    if (pthread_create(&s->thread, NULL, sensor_main, s) != 0) {
        snprintf(err, errn, "cannot start the logs thread");
        goto fail;
    }
    return s;
fail:
    sensor_free(s);
    return NULL;
}

void log_sensor_stop(log_sensor *s, kw_offsets *out)
{
    if (!s)
        return;
    atomic_store(&s->stop, true);
    pthread_join(s->thread, NULL);
    for (size_t i = 0; out && i < s->final.n; i++)
        kw_offsets_add(out, s->final.v[i].key, s->final.v[i].dev, s->final.v[i].ino, s->final.v[i].offset,
                       s->final.v[i].cursor);
    sensor_free(s);
}

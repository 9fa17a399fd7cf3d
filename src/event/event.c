#include "event/event.h"
#include "alert/alert.h"
#include "core/kw_file.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "host/host.h"
#include "metric/metric.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

kw_event *kw_event_new(const char *source, int64_t ts_ms)
{
    kw_event *ev = kw_calloc(1, sizeof *ev);
    kw_strlcpy(ev->source, source, sizeof ev->source);
    ev->ts_ms = ts_ms;
    return ev;
}

void kw_event_free(kw_event *ev)
{
    if (!ev)
        return;
    metric_set_free(ev->metrics);
    free(ev->ecs);
    host_snapshot_free(ev->host);
    if (ev->acts) {
        alert_acts_free(ev->acts);
        free(ev->acts);
    }
    if (ev->offsets) {
        kw_offsets_free(ev->offsets);
        free(ev->offsets);
    }
    free(ev);
}

void kw_offsets_add(kw_offsets *o, const char *key, uint64_t dev, uint64_t ino, int64_t offset, const char *cursor)
{
    kw_grow(&o->v, &o->cap, o->n + 1, sizeof *o->v);
    o->v[o->n++] = (kw_offset){kw_strdup(key), dev, ino, offset, cursor ? kw_strdup(cursor) : NULL};
}

void kw_offsets_free(kw_offsets *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].key);
        free(o->v[i].cursor);
    }
    free(o->v);
    memset(o, 0, sizeof *o);
}

struct event_log {
    char *path;
    int fd;
    uint64_t size, max_size;
    int keep;
    uint64_t lines;
};

static int log_open_fd(const char *path, uint64_t *size)
{
    int fd = kw_file_open_private(path, O_WRONLY | O_CREAT | O_APPEND, 0640); /* group: log shippers */
    if (fd < 0)
        return -1;
    struct stat st;
    *size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return fd;
}

event_log *event_log_open(const char *path, uint64_t max_size, int keep, char *err, size_t errn)
{
    event_log *l = kw_calloc(1, sizeof *l);
    l->path = kw_strdup(path);
    l->max_size = max_size;
    l->keep = keep;
    l->fd = log_open_fd(path, &l->size);
    if (l->fd < 0) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        free(l->path);
        free(l);
        return NULL;
    }
    return l;
}

void event_log_close(event_log *l)
{
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    free(l->path);
    free(l);
}

/* events.jsonl -> .1 -> .2 ... ; the oldest beyond keep is removed. */
static void log_rotate(event_log *l)
{
    size_t n = strlen(l->path) + 16;
    char *from = kw_malloc(n), *to = kw_malloc(n);
    if (l->keep > 0) {
        snprintf(to, n, "%s.%d", l->path, l->keep);
        unlink(to);
        for (int i = l->keep - 1; i >= 1; i--) {
            snprintf(from, n, "%s.%d", l->path, i);
            snprintf(to, n, "%s.%d", l->path, i + 1);
            rename(from, to);
        }
        snprintf(to, n, "%s.1", l->path);
        rename(l->path, to);
    } else {
        unlink(l->path);
    }
    free(from);
    free(to);
    close(l->fd);
    l->fd = log_open_fd(l->path, &l->size);
    if (l->fd < 0)
        log_error("cannot reopen %s after rotation: %s", l->path, strerror(errno));
}

kw_rc event_log_write(event_log *l, const char *buf, size_t len)
{
    if (!len)
        return KW_OK;
    if (l->size > 0 && l->size + len > l->max_size)
        log_rotate(l);
    if (l->fd < 0) {
        l->fd = log_open_fd(l->path, &l->size);
        if (l->fd < 0)
            return KW_ERR_IO;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(l->fd, buf + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return KW_ERR_IO;
        }
        off += (size_t)w;
    }
    l->size += len;
    for (size_t i = 0; i < len; i++)
        l->lines += buf[i] == '\n';
    return KW_OK;
}

uint64_t event_log_lines(const event_log *l) { return l->lines; }

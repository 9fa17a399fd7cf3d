/* agent_spool.c: the agent's on-disk queue of batches (agent.h): one file per batch, written
 * whole (temporary name, fsync, rename), the numbers kept in order in memory, the bound
 * enforced by dropping the oldest metrics-only batches; the last number used is kept in the
 * file `seq`, so numbers never go back across restarts. */
#include "agent/agent.h"
#include "core/kw_file.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPOOL_PATH_MAX 4200

typedef struct spool_entry {
    int64_t seq;
    uint64_t bytes;
    bool alerts;
} spool_entry;

struct agent_spool {
    char *dir;
    uint64_t max, bytes;
    spool_entry *v;
    size_t n, cap;
    int64_t last_seq;
    int64_t dropped;
};

static void entry_path(const agent_spool *sp, int64_t seq, bool alerts, char *out, size_t n)
{
    snprintf(out, n, "%s/%020lld.%c", sp->dir, (long long)seq, alerts ? 'a' : 'm');
}

/* "00000000000000000017.a" -> 17, alerts; false for any other name. */
static bool entry_parse(const char *name, int64_t *seq, bool *alerts)
{
    if (strlen(name) != 22 || name[20] != '.' || (name[21] != 'a' && name[21] != 'm'))
        return false;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9' || v > INT64_MAX / 10 - 9)
            return false;
        v = v * 10 + (name[i] - '0');
    }
    *seq = v;
    *alerts = name[21] == 'a';
    return v > 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const spool_entry *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Writes data to path whole: a temporary file, fsynced, renamed over it. */
static kw_rc write_whole(const char *path, const void *data, size_t n)
{
    char tmp[SPOOL_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = kw_file_open_private(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return KW_ERR_IO;
    const char *p = data;
    size_t left = n;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    bool ok = !left && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, path) == 0)
        return KW_OK;
    unlink(tmp);
    return KW_ERR_IO;
}

static int64_t read_last_seq(const char *dir)
{
    char path[SPOOL_PATH_MAX], buf[32];
    snprintf(path, sizeof path, "%s/seq", dir);
    int fd = kw_file_open_private(path, O_RDONLY, 0600);
    if (fd < 0)
        return 0;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[r > 0 ? r : 0] = '\0';
    long long v = strtoll(buf, NULL, 10);
    return v > 0 ? v : 0;
}

static void spool_scan(agent_spool *sp, DIR *d)
{
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int64_t seq;
        bool alerts;
        char path[SPOOL_PATH_MAX];
        if (strstr(e->d_name, ".tmp")) { /* a write a crash cut short */
            snprintf(path, sizeof path, "%s/%s", sp->dir, e->d_name);
            unlink(path);
            continue;
        }
        if (!entry_parse(e->d_name, &seq, &alerts))
            continue;
        snprintf(path, sizeof path, "%s/%s", sp->dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        kw_grow(&sp->v, &sp->cap, sp->n + 1, sizeof *sp->v);
        sp->v[sp->n++] = (spool_entry){seq, (uint64_t)st.st_size, alerts};
        sp->bytes += (uint64_t)st.st_size;
        if (seq > sp->last_seq)
            sp->last_seq = seq;
    }
    if (sp->n)
        qsort(sp->v, sp->n, sizeof *sp->v, entry_cmp);
}

agent_spool *agent_spool_open(const char *dir, uint64_t max_bytes, char *err, size_t errn)
{
    if (strlen(dir) > SPOOL_PATH_MAX - 64) {
        snprintf(err, errn, "spool_dir: too long");
        return NULL;
    }
    if (kw_dir_make(dir, 0700, NULL, err, errn) != KW_OK)
        return NULL;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errn, "cannot read %s: %s", dir, strerror(errno));
        return NULL;
    }
    agent_spool *sp = kw_calloc(1, sizeof *sp);
    sp->dir = kw_strdup(dir);
    sp->max = max_bytes;
    sp->last_seq = read_last_seq(dir);
    spool_scan(sp, d);
    closedir(d);
    return sp;
}

void agent_spool_close(agent_spool *sp)
{
    if (!sp)
        return;
    free(sp->v);
    free(sp->dir);
    free(sp);
}

int64_t agent_spool_next_seq(const agent_spool *sp) { return sp->last_seq + 1; }

static void entry_remove_at(agent_spool *sp, size_t i)
{
    char path[SPOOL_PATH_MAX];
    entry_path(sp, sp->v[i].seq, sp->v[i].alerts, path, sizeof path);
    if (unlink(path) != 0 && errno != ENOENT)
        log_warn("agent spool: cannot remove %s: %s", path, strerror(errno));
    sp->bytes -= sp->v[i].bytes;
    memmove(&sp->v[i], &sp->v[i + 1], (sp->n - i - 1) * sizeof *sp->v);
    sp->n--;
}

/* Past the bound: the oldest metrics-only batches go, never one that holds alert changes. */
static void spool_trim(agent_spool *sp)
{
    size_t i = 0;
    while (sp->bytes > sp->max && i < sp->n) {
        if (sp->v[i].alerts) {
            i++;
            continue;
        }
        entry_remove_at(sp, i);
        if (sp->dropped++ == 0 || (sp->dropped & (sp->dropped - 1)) == 0)
            log_warn("agent spool: over its bound (%llu bytes): %lld metric batches dropped so far",
                     (unsigned long long)sp->max, (long long)sp->dropped);
    }
}

kw_rc agent_spool_put(agent_spool *sp, const void *data, size_t n, bool alerts)
{
    int64_t seq = sp->last_seq + 1;
    char path[SPOOL_PATH_MAX], num[32];
    snprintf(path, sizeof path, "%s/seq", sp->dir);
    int len = snprintf(num, sizeof num, "%lld\n", (long long)seq);
    if (write_whole(path, num, (size_t)len) != KW_OK) /* the number first: never used twice */
        return KW_ERR_IO;
    sp->last_seq = seq;
    entry_path(sp, seq, alerts, path, sizeof path);
    if (write_whole(path, data, n) != KW_OK)
        return KW_ERR_IO;
    kw_grow(&sp->v, &sp->cap, sp->n + 1, sizeof *sp->v);
    sp->v[sp->n++] = (spool_entry){seq, n, alerts};
    sp->bytes += n;
    spool_trim(sp);
    return KW_OK;
}

kw_rc agent_spool_peek(agent_spool *sp, int64_t *seq, kw_buf *out)
{
    kw_buf_reset(out);
    while (sp->n) {
        char path[SPOOL_PATH_MAX];
        entry_path(sp, sp->v[0].seq, sp->v[0].alerts, path, sizeof path);
        int fd = kw_file_open_private(path, O_RDONLY, 0600);
        if (fd < 0) { /* gone from under us: the next */
            sp->bytes -= sp->v[0].bytes;
            memmove(&sp->v[0], &sp->v[1], (sp->n - 1) * sizeof *sp->v);
            sp->n--;
            continue;
        }
        char chunk[16384];
        ssize_t r;
        while ((r = read(fd, chunk, sizeof chunk)) > 0)
            if (kw_buf_append(out, chunk, (size_t)r) != KW_OK)
                break;
        close(fd);
        *seq = sp->v[0].seq;
        return r < 0 || out->overflow ? KW_ERR_IO : KW_OK;
    }
    return KW_ERR_NOTFOUND;
}

kw_rc agent_spool_remove(agent_spool *sp, int64_t seq)
{
    for (size_t i = 0; i < sp->n; i++)
        if (sp->v[i].seq == seq) {
            entry_remove_at(sp, i);
            return KW_OK;
        }
    return KW_ERR_NOTFOUND;
}

size_t agent_spool_count(const agent_spool *sp) { return sp->n; }
uint64_t agent_spool_bytes(const agent_spool *sp) { return sp->bytes; }
int64_t agent_spool_dropped(const agent_spool *sp) { return sp->dropped; }

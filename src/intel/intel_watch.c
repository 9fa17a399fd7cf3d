/* intel_watch.c: the live holder. Owns the files' last good entries, the change test
 * (device, inode, size, mtime with nanoseconds), the rebuild and the publication of a new
 * generation, and the readers' acquire / release (the scheme is described in intel.h). */
#include "intel/intel.h"
#include "core/kw_mem.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct intel_file {
    char *path, *name;
    int format, severity;
    intel_entries e;                /* the last good read */
    bool have_sig;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    int last_errno;                 /* of the last failure reported (0: none) */
} intel_file;

struct intel {
    _Atomic(intel_set *) cur;
    atomic_uint entering;           /* readers between loading cur and taking their reference */
    atomic_uint_fast64_t gen;
    size_t n;
    intel_file *files;
    bool dirty;                     /* reconfigured: the next intel_watch publishes */
};

/* The base name of path without its extension: /etc/kw/feodo.csv -> feodo. */
static char *default_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    return n ? kw_strndup(b, n) : kw_strdup("intel");
}

static intel_set *build(const intel *h)
{
    intel_list ls[INTEL_MAX_LISTS];
    for (size_t i = 0; i < h->n; i++)
        ls[i] = (intel_list){h->files[i].name, h->files[i].severity, &h->files[i].e};
    intel_set *s;
    intel_set_build(ls, h->n, &s); /* h->n <= INTEL_MAX_LISTS: cannot fail */
    return s;
}

static void file_init(intel_file *f, const intel_file_spec *spec)
{
    memset(f, 0, sizeof *f);
    f->path = kw_strdup(spec->path);
    f->name = spec->name ? kw_strdup(spec->name) : default_name(spec->path);
    f->format = spec->format;
    f->severity = spec->severity ? spec->severity : 2;
}

static void file_fini(intel_file *f)
{
    free(f->path);
    free(f->name);
    intel_entries_free(&f->e);
}

kw_rc intel_new(const intel_file_spec *specs, size_t n, intel **out)
{
    if (n > INTEL_MAX_LISTS)
        return KW_ERR_RANGE;
    intel *h = kw_calloc(1, sizeof *h);
    h->n = n;
    h->files = kw_calloc(n ? n : 1, sizeof *h->files);
    for (size_t i = 0; i < n; i++)
        file_init(&h->files[i], &specs[i]);
    atomic_init(&h->cur, build(h));
    atomic_init(&h->entering, 0);
    atomic_init(&h->gen, 0);
    *out = h;
    return KW_OK;
}

kw_rc intel_reconfigure(intel *h, const intel_file_spec *specs, size_t n)
{
    if (n > INTEL_MAX_LISTS)
        return KW_ERR_RANGE;
    intel_file *files = kw_calloc(n ? n : 1, sizeof *files);
    for (size_t i = 0; i < n; i++) {
        intel_file *f = &files[i];
        file_init(f, &specs[i]);
        for (size_t j = 0; j < h->n; j++) {
            intel_file *old = &h->files[j];
            if (old->path && strcmp(old->path, f->path) == 0 && old->format == f->format) {
                char *path = f->path, *name = f->name; /* the same file: keep what was read */
                int sev = f->severity;
                free(old->name);
                *f = *old;
                free(path);
                f->name = name;
                f->severity = sev;
                memset(old, 0, sizeof *old);
                break;
            }
        }
    }
    for (size_t j = 0; j < h->n; j++)
        file_fini(&h->files[j]);
    free(h->files);
    h->files = files;
    h->n = n;
    h->dirty = true;
    return KW_OK;
}

void intel_free(intel *h)
{
    if (!h)
        return;
    intel_release(atomic_load(&h->cur));
    for (size_t i = 0; i < h->n; i++)
        file_fini(&h->files[i]);
    free(h->files);
    free(h);
}

const intel_set *intel_acquire(intel *h)
{
    atomic_fetch_add(&h->entering, 1);
    intel_set *s = atomic_load(&h->cur);
    intel_set_ref(s);
    atomic_fetch_sub(&h->entering, 1);
    return s;
}

uint64_t intel_generation(const intel *h) { return atomic_load(&((intel *)h)->gen); }

/* Swaps in s; the old set goes once no reader can still be about to take a reference. */
static void publish(intel *h, intel_set *s)
{
    intel_set *old = atomic_exchange(&h->cur, s);
    while (atomic_load(&h->entering) != 0)
        sched_yield();
    atomic_fetch_add(&h->gen, 1);
    intel_release(old);
}

static bool file_changed(const intel_file *f, const struct stat *st)
{
    return !f->have_sig || f->dev != st->st_dev || f->ino != st->st_ino || f->size != st->st_size ||
           f->mtime.tv_sec != st->st_mtim.tv_sec || f->mtime.tv_nsec != st->st_mtim.tv_nsec;
}

/* Re-reads f if it changed; true if its entries were replaced. */
static bool watch_file(intel_file *f, int64_t now_ms, intel_report_fn on_report, void *arg, intel_watch_result *res)
{
    struct stat st;
    intel_report rep;
    memset(&rep, 0, sizeof rep);
    errno = 0;
    kw_rc rc = stat(f->path, &st) == 0 ? KW_OK : KW_ERR_IO;
    if (rc == KW_OK && !file_changed(f, &st))
        return false;
    intel_entries fresh = {0};
    if (rc == KW_OK)
        rc = intel_load_file(f->path, f->format, now_ms, &fresh, &rep);
    if (rc != KW_OK) {
        int e = errno ? errno : EIO;
        res->failed++;
        if (on_report && e != f->last_errno)
            on_report(arg, f->path, rc, &rep);
        f->last_errno = e;
        return false;
    }
    intel_entries_free(&f->e);
    f->e = fresh;
    f->have_sig = true;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtime = st.st_mtim;
    f->last_errno = 0;
    res->changed++;
    if (on_report)
        on_report(arg, f->path, KW_OK, &rep);
    return true;
}

void intel_watch(intel *h, int64_t now_ms, intel_report_fn on_report, void *arg, intel_watch_result *res)
{
    intel_watch_result r = {0};
    for (size_t i = 0; i < h->n; i++)
        watch_file(&h->files[i], now_ms, on_report, arg, &r);
    if (r.changed || h->dirty) {
        publish(h, build(h));
        r.swapped = true;
        h->dirty = false;
    }
    if (res)
        *res = r;
}

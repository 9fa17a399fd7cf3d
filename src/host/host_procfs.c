#include "host/host_procfs.h"
#include "core/kw_mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct {
    int pid;
    int fd;
} pf_entry;

struct proc_files {
    char *root, *name;
    size_t max_open, nopen;
    pf_entry *v;       /* sorted by pid */
    size_t n, cap;
};

proc_files *proc_files_new(const char *proc_root, const char *name, size_t max_open)
{
    proc_files *pf = kw_calloc(1, sizeof *pf);
    pf->root = kw_strdup(proc_root);
    pf->name = kw_strdup(name);
    pf->max_open = max_open;
    return pf;
}

void proc_files_free(proc_files *pf)
{
    if (!pf)
        return;
    for (size_t i = 0; i < pf->n; i++)
        if (pf->v[i].fd >= 0)
            close(pf->v[i].fd);
    free(pf->v);
    free(pf->root);
    free(pf->name);
    free(pf);
}

static int pf_cmp(const void *a, const void *b)
{
    const pf_entry *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

static int pf_open(proc_files *pf, int pid)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%d/%s", pf->root, pid, pf->name);
    return open(path, O_RDONLY | O_CLOEXEC);
}

long proc_files_scan(proc_files *pf, void (*fn)(void *, int, const char *, size_t), void *arg)
{
    DIR *d = opendir(pf->root);
    if (!d)
        return -1;
    pf_entry *next = NULL;
    size_t nn = 0, ncap = 0;
    long seen = 0;
    char buf[4096];
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        int pid = atoi(e->d_name);
        pf_entry key = {pid, -1};
        pf_entry *old = pf->n ? bsearch(&key, pf->v, pf->n, sizeof key, pf_cmp) : NULL;
        int fd = old ? old->fd : -1;
        if (old)
            old->fd = -1; /* moved to next */
        ssize_t len = -1;
        if (fd >= 0) {
            len = pread(fd, buf, sizeof buf - 1, 0);
            if (len < 0) { /* the old process is gone; the pid may belong to a new one */
                close(fd);
                pf->nopen--;
                fd = -1;
            }
        }
        if (fd < 0) {
            fd = pf_open(pf, pid);
            if (fd < 0)
                continue; /* exited between readdir and open */
            pf->nopen++;
            len = pread(fd, buf, sizeof buf - 1, 0);
        }
        if (len > 0) {
            buf[len] = '\0';
            fn(arg, pid, buf, (size_t)len);
            seen++;
        }
        if (len > 0 && pf->nopen <= pf->max_open) {
            kw_grow(&next, &ncap, nn + 1, sizeof *next);
            next[nn++] = (pf_entry){pid, fd};
        } else {
            close(fd);
            pf->nopen--;
        }
    }
    closedir(d);
    /* close what belonged to processes that are gone */
    for (size_t i = 0; i < pf->n; i++)
        if (pf->v[i].fd >= 0) {
            close(pf->v[i].fd);
            pf->nopen--;
        }
    if (nn)
        qsort(next, nn, sizeof *next, pf_cmp);
    free(pf->v);
    pf->v = next;
    pf->n = nn;
    pf->cap = ncap;
    return seen;
}

size_t proc_files_budget(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 256;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
        if (want > rl.rlim_cur) {
            struct rlimit n = {want, rl.rlim_max};
            if (setrlimit(RLIMIT_NOFILE, &n) == 0)
                rl.rlim_cur = want;
        }
    }
    return rl.rlim_cur == RLIM_INFINITY ? 16384 : (size_t)(rl.rlim_cur / 4);
}

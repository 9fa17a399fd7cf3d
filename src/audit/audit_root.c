/* The root an audit reads (audit_root.h): paths resolved inside it with openat2's
 * RESOLVE_IN_ROOT, bounded reads, directory listings in name order. */
#include "audit/audit_root.h"
#include "core/kw_mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

kw_rc audit_root_open(audit_root *r, const char *dir, char *err, size_t errn)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    if (!dir || !dir[0])
        dir = "/";
    if (strlen(dir) >= sizeof r->path) {
        snprintf(err, errn, "%.64s...: the root's path is too long", dir);
        return KW_ERR_RANGE;
    }
    snprintf(r->path, sizeof r->path, "%s", dir);
    r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (r->fd < 0) {
        snprintf(err, errn, "%s: %s", dir, strerror(errno));
        return KW_ERR_IO;
    }
    struct stat a, b;
    r->live = stat("/", &a) == 0 && fstat(r->fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    return KW_OK;
}

void audit_root_close(audit_root *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}

/* openat2 inside the root; "/" paths are taken relative to it. */
static int root_open(const audit_root *r, const char *path, int flags, bool follow)
{
    while (*path == '/')
        path++;
    if (!*path)
        path = ".";
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    if (!follow)
        how.flags |= O_NOFOLLOW;
    long fd = syscall(SYS_openat2, r->fd, path, &how, sizeof how);
    return fd < 0 ? -1 : (int)fd;
}

static kw_rc errno_rc(void)
{
    return errno == ENOENT || errno == ENOTDIR ? KW_ERR_NOTFOUND : KW_ERR_IO;
}

int audit_root_openat(const audit_root *r, const char *path)
{
    int fd = root_open(r, path, O_RDONLY | O_NONBLOCK, true);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

kw_rc audit_root_read(const audit_root *r, const char *path, size_t max, kw_buf *out)
{
    kw_buf_init(out, max);
    int fd = audit_root_openat(r, path);
    if (fd < 0)
        return errno_rc();
    kw_rc rc = KW_OK;
    char chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = KW_ERR_IO;
            break;
        }
        if (n == 0)
            break;
        if (kw_buf_append(out, chunk, (size_t)n) != KW_OK) {
            rc = KW_ERR_FULL;
            break;
        }
    }
    close(fd);
    if (rc == KW_OK && !out->data)
        rc = kw_buf_append(out, "", 0);
    return rc;
}

kw_rc audit_root_stat(const audit_root *r, const char *path, bool follow, struct stat *st)
{
    int fd = root_open(r, path, O_PATH, follow);
    if (fd < 0)
        return errno_rc();
    int e = fstat(fd, st);
    close(fd);
    return e == 0 ? KW_OK : KW_ERR_IO;
}

kw_rc audit_root_readlink(const audit_root *r, const char *path, char *out, size_t n)
{
    int fd = root_open(r, path, O_PATH, false);
    if (fd < 0)
        return errno_rc();
    ssize_t k = n ? readlinkat(fd, "", out, n - 1) : -1;
    close(fd);
    if (k < 0)
        return errno == ENOENT ? KW_ERR_NOTFOUND : KW_ERR_IO;
    out[k] = '\0';
    return KW_OK;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1); /* past the type byte */
}

kw_rc audit_root_list(const audit_root *r, const char *path, size_t max, audit_dir_fn fn, void *arg, bool *truncated)
{
    int fd = root_open(r, path, O_RDONLY | O_DIRECTORY, true);
    if (fd < 0)
        return errno_rc();
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return KW_ERR_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool cut = false;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n >= max) {
            cut = true;
            break;
        }
        kw_grow(&names, &cap, n + 1, sizeof *names);
        size_t len = strlen(e->d_name);
        names[n] = kw_malloc(len + 2);
        names[n][0] = (char)e->d_type; /* the type rides in front of the name */
        memcpy(names[n] + 1, e->d_name, len + 1);
        n++;
    }
    closedir(d);
    if (n > 1) /* qsort(NULL, 0) is undefined: an empty directory */
        qsort(names, n, sizeof *names, name_cmp);
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < n; i++) {
        if (rc == KW_OK)
            rc = fn(arg, names[i] + 1, (unsigned char)names[i][0]);
        free(names[i]);
    }
    free(names);
    if (truncated)
        *truncated = cut;
    return rc;
}

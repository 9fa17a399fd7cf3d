/* The system an audit reads: this host ("/") or a mounted image or container root. Every path
 * is resolved inside the root (openat2 RESOLVE_IN_ROOT: an absolute symbolic link in an image
 * points into the image, never at the auditing host), every read is bounded, and nothing is
 * ever written. A missing file is KW_ERR_NOTFOUND, which checks report as n/a or as "absent". */
#ifndef KW_AUDIT_ROOT_H
#define KW_AUDIT_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"

#define AUDIT_FILE_MAX (8u << 20) /* the longest configuration file read whole */

typedef struct audit_root {
    int fd;               /* the root directory, O_PATH */
    char path[4096];      /* as given ("/" for this host) */
    bool live;            /* the running host: /proc and the process table describe it */
} audit_root;

/* Opens dir as the root (NULL or "/": this host, live). KW_ERR_IO with err saying why. */
kw_rc audit_root_open(audit_root *r, const char *dir, char *err, size_t errn);
void audit_root_close(audit_root *r);

/* Reads path (absolute, inside the root) whole into out (initialised here, bound max; the
 * caller frees with kw_buf_free): KW_ERR_NOTFOUND when absent, KW_ERR_FULL when longer than
 * max, KW_ERR_IO when it is not a regular file or cannot be read. */
kw_rc audit_root_read(const audit_root *r, const char *path, size_t max, kw_buf *out);

/* lstat (nofollow) or stat (follow) of path inside the root: KW_ERR_NOTFOUND when absent. */
kw_rc audit_root_stat(const audit_root *r, const char *path, bool follow, struct stat *st);

/* Calls fn for each entry of directory path (not . and ..), in name order, at most max
 * entries (the rest not read: *truncated set when given). KW_ERR_NOTFOUND when absent. */
typedef kw_rc (*audit_dir_fn)(void *arg, const char *name, unsigned char d_type);
kw_rc audit_root_list(const audit_root *r, const char *path, size_t max, audit_dir_fn fn, void *arg, bool *truncated);

/* Reads a symbolic link's target into out (NUL-terminated). KW_ERR_NOTFOUND when absent. */
kw_rc audit_root_readlink(const audit_root *r, const char *path, char *out, size_t n);

/* Opens path inside the root for reading (O_RDONLY|O_CLOEXEC, regular files only); the caller
 * closes it. -1 with errno. */
int audit_root_openat(const audit_root *r, const char *path);

#endif

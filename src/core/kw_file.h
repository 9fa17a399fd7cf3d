/* Files and directories that hold secrets (the store, tokens, keys, the event log): created
 * with the permission bits asked for whatever the umask, narrowed when they are wider, and
 * never reached through a symbolic link. */
#ifndef KW_FILE_H
#define KW_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"

/* open(2) of a regular file with at most `mode` permission bits: a file created now gets mode
 * (narrowed further by the umask, never widened), an existing one with other bits is narrowed
 * to mode & its bits. O_CLOEXEC and O_NOFOLLOW are added; a symbolic link, a FIFO or a device
 * is refused (ELOOP, EINVAL). Returns the descriptor, which the caller closes, or -1 with errno
 * set (EPERM: the file is wider than mode and not ours to narrow). */
int kw_file_open_private(const char *path, int flags, mode_t mode);

/* Narrows an existing regular file to at most mode, by name, without opening it: closing a
 * descriptor of a file drops every POSIX lock the process holds on it (SQLite's). A missing
 * file is KW_OK; a symbolic link (ELOOP) or anything but a regular file (EINVAL) is refused. */
kw_rc kw_file_narrow(const char *path, mode_t mode);

/* mkdir -p: the parents with 0755 (less the umask), dir itself with exactly mode. *created
 * (may be NULL) says whether dir was made now. err gets the reason on failure. */
kw_rc kw_dir_make(const char *dir, mode_t mode, bool *created, char *err, size_t errn);

/* Reads a whole file ("-": standard input) into out, initialised with max as its bound:
 * KW_ERR_FULL when it is longer, KW_ERR_IO (errno) when it cannot be read. */
kw_rc kw_file_read(const char *path, size_t max, kw_buf *out);
/* The same from a stream read to its end (a pipe's, stdin). */
kw_rc kw_file_read_stream(FILE *f, size_t max, kw_buf *out);

/* What kw_dir_secure found and did. */
typedef struct kw_dir_state {
    bool created;   /* made now, with exactly the mode asked for */
    mode_t was;     /* its permission bits before narrowing; 0 when they were left as they were */
    uid_t owner;    /* who owns it now */
} kw_dir_state;

/* Makes dir as kw_dir_make does, or checks the one that exists: it must be a directory owned
 * by the effective user or by `also` ((uid_t)-1: nobody else), and permission bits beyond
 * mode are removed. Refused (KW_ERR_RANGE, the reason and the fix in err) when it is owned by
 * someone else or cannot be narrowed. */
kw_rc kw_dir_secure(const char *dir, mode_t mode, uid_t also, kw_dir_state *st, char *err, size_t errn);

#endif

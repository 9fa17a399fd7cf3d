/* Private files and directories: open-or-create with bounded permission bits, mkdir -p, and
 * the check of a state directory that already exists (kw_file.h). */
#include "core/kw_file.h"
#include "core/kw_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PERM_BITS 07777

int kw_file_open_private(const char *path, int flags, mode_t mode)
{
    /* O_NONBLOCK so that a FIFO put in our place cannot hang the open; cleared below */
    int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode & PERM_BITS);
    if (fd < 0)
        return -1;
    struct stat st;
    int e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = EINVAL;
    else if ((st.st_mode & PERM_BITS & ~mode) && fchmod(fd, st.st_mode & mode & PERM_BITS) != 0)
        e = errno;
    else if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        e = errno;
    if (e) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

kw_rc kw_file_narrow(const char *path, mode_t mode)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? KW_OK : KW_ERR_IO;
    if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
        errno = S_ISLNK(st.st_mode) ? ELOOP : EINVAL;
        return KW_ERR_IO;
    }
    /* by name: a descriptor opened and closed here would drop the process's POSIX locks */
    if ((st.st_mode & PERM_BITS & ~mode) && chmod(path, st.st_mode & mode & PERM_BITS) != 0)
        return KW_ERR_IO;
    return KW_OK;
}

/* mkdir(2) with exactly mode: the umask would narrow it, chmod puts the bits asked for. */
static int mkdir_exact(const char *dir, mode_t mode)
{
    if (mkdir(dir, mode) != 0)
        return -1;
    return chmod(dir, mode);
}

kw_rc kw_dir_make(const char *dir, mode_t mode, bool *created, char *err, size_t errn)
{
    if (created)
        *created = false;
    char tmp[4096];
    if (!dir[0] || kw_strlcpy(tmp, dir, sizeof tmp) >= sizeof tmp) {
        snprintf(err, errn, "the directory name is empty or too long");
        return KW_ERR_RANGE;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errn, "cannot create %s: %s", tmp, strerror(errno));
            return KW_ERR_IO;
        }
        *p = '/';
    }
    if (mkdir_exact(tmp, mode) == 0) {
        if (created)
            *created = true;
        return KW_OK;
    }
    if (errno == EEXIST)
        return KW_OK;
    snprintf(err, errn, "cannot create %s: %s", dir, strerror(errno));
    return KW_ERR_IO;
}

kw_rc kw_dir_secure(const char *dir, mode_t mode, uid_t also, kw_dir_state *st, char *err, size_t errn)
{
    memset(st, 0, sizeof *st);
    kw_rc rc = kw_dir_make(dir, mode, &st->created, err, errn);
    if (rc != KW_OK)
        return rc;
    /* opened, not named, from here on: what is checked is what is changed */
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(err, errn, "%s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return KW_ERR_IO;
    }
    st->owner = sb.st_uid;
    rc = KW_OK;
    if (sb.st_uid != geteuid() && (also == (uid_t)-1 || sb.st_uid != also)) {
        snprintf(err, errn,
                 "%s belongs to uid %u, not to this process (uid %u)%s: another user could change what keepwatch "
                 "keeps there; chown it or choose another state directory",
                 dir, (unsigned)sb.st_uid, (unsigned)geteuid(), also == (uid_t)-1 ? "" : " nor to the daemon's user");
        rc = KW_ERR_RANGE;
    } else if (sb.st_mode & PERM_BITS & ~mode) {
        if (fchmod(fd, sb.st_mode & mode & PERM_BITS) != 0) {
            snprintf(err, errn, "%s has mode %04o and cannot be narrowed to %04o: %s", dir,
                     (unsigned)(sb.st_mode & PERM_BITS), (unsigned)(sb.st_mode & mode & PERM_BITS), strerror(errno));
            rc = KW_ERR_RANGE;
        } else {
            st->was = sb.st_mode & PERM_BITS;
        }
    }
    close(fd);
    return rc;
}

kw_rc kw_file_read_stream(FILE *f, size_t max, kw_buf *out)
{
    kw_buf_init(out, max);
    char chunk[65536];
    size_t n;
    kw_rc rc = KW_OK;
    while (rc == KW_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = kw_buf_append(out, chunk, n);
    if (rc == KW_OK && ferror(f))
        rc = KW_ERR_IO;
    return rc;
}

kw_rc kw_file_read(const char *path, size_t max, kw_buf *out)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        kw_buf_init(out, max);
        return KW_ERR_IO;
    }
    kw_rc rc = kw_file_read_stream(f, max, out);
    if (f != stdin)
        fclose(f);
    return rc;
}

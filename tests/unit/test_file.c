/* Private files under a permissive umask (umask 0): kw_file_open_private, kw_dir_make,
 * kw_dir_secure, and the files the daemon creates with them (store, -wal, -shm, event log). */
#include "core/kw_file.h"
#include "event/event.h"
#include "store/store.h"
#include "kw_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void at(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static void test_new_file_modes(void)
{
    char p[128];
    at(p, sizeof p, "token");
    int fd = kw_file_open_private(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    CHECK_INT(mode_of(p), 0600);
    at(p, sizeof p, "log");
    fd = kw_file_open_private(p, O_WRONLY | O_CREAT | O_APPEND, 0640);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_INT(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
        CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
    }
    CHECK_INT(mode_of(p), 0640);
}

static void test_existing_file_narrowed(void)
{
    char p[128];
    at(p, sizeof p, "wide");
    int fd = open(p, O_WRONLY | O_CREAT, 0666);
    CHECK(fd >= 0);
    close(fd);
    CHECK_INT(mode_of(p), 0666);
    fd = kw_file_open_private(p, O_RDONLY, 0600);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    CHECK_INT(mode_of(p), 0600);
    /* narrower than asked stays as it is */
    chmod(p, 0400);
    CHECK_INT(kw_file_narrow(p, 0640), KW_OK);
    CHECK_INT(mode_of(p), 0400);
    at(p, sizeof p, "missing");
    CHECK_INT(kw_file_narrow(p, 0600), KW_OK);
    CHECK_INT(mode_of(p), -1);
}

static void test_links_and_fifos_refused(void)
{
    char target[128], link[128], fifo[128];
    at(target, sizeof target, "target");
    at(link, sizeof link, "link");
    at(fifo, sizeof fifo, "fifo");
    int fd = open(target, O_WRONLY | O_CREAT, 0644);
    close(fd);
    CHECK_INT(symlink(target, link), 0);
    errno = 0;
    CHECK_INT(kw_file_open_private(link, O_WRONLY | O_CREAT, 0600), -1);
    CHECK_INT(errno, ELOOP);
    CHECK_INT(mode_of(target), 0644); /* not narrowed through the link either */
    CHECK_INT(mkfifo(fifo, 0600), 0);
    errno = 0;
    CHECK_INT(kw_file_open_private(fifo, O_RDONLY, 0600), -1); /* and no hang waiting for a writer */
    CHECK_INT(errno, EINVAL);
}

static void test_dir_make_and_secure(void)
{
    char p[128], parent[128], err[512];
    at(parent, sizeof parent, "a");
    at(p, sizeof p, "a/b");
    bool created = false;
    CHECK_INT(kw_dir_make(p, 0750, &created, err, sizeof err), KW_OK);
    CHECK(created);
    CHECK_INT(mode_of(p), 0750);
    CHECK_INT(mode_of(parent), 0755);
    CHECK_INT(kw_dir_make(p, 0750, &created, err, sizeof err), KW_OK);
    CHECK(!created);

    kw_dir_state st;
    chmod(p, 0777);
    CHECK_INT(kw_dir_secure(p, 0750, (uid_t)-1, &st, err, sizeof err), KW_OK);
    CHECK_INT(st.was, 0777);
    CHECK(!st.created);
    CHECK_INT(mode_of(p), 0750);
    CHECK_INT(kw_dir_secure(p, 0750, (uid_t)-1, &st, err, sizeof err), KW_OK);
    CHECK_INT(st.was, 0); /* nothing to do the second time */
    at(p, sizeof p, "a/c");
    CHECK_INT(kw_dir_secure(p, 0700, (uid_t)-1, &st, err, sizeof err), KW_OK);
    CHECK(st.created);
    CHECK_INT(mode_of(p), 0700);

    at(p, sizeof p, "file");
    int fd = open(p, O_WRONLY | O_CREAT, 0600);
    close(fd);
    CHECK(kw_dir_secure(p, 0750, (uid_t)-1, &st, err, sizeof err) != KW_OK);
    CHECK_INT(kw_dir_make("", 0750, NULL, err, sizeof err), KW_ERR_RANGE);
}

/* Someone else's directory is refused, unless it belongs to the user named as `also`. */
static void test_dir_of_another_user(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "  (skipped: needs root to give a directory away)\n");
        return;
    }
    char p[128], err[512];
    at(p, sizeof p, "theirs");
    CHECK_INT(mkdir(p, 0755), 0);
    CHECK_INT(chown(p, 65534, 65534), 0);
    kw_dir_state st;
    CHECK_INT(kw_dir_secure(p, 0750, (uid_t)-1, &st, err, sizeof err), KW_ERR_RANGE);
    CHECK_CONTAINS(err, "belongs to uid 65534");
    CHECK_INT(mode_of(p), 0755); /* refused means untouched */
    CHECK_INT(kw_dir_secure(p, 0750, 65534, &st, err, sizeof err), KW_OK);
    CHECK_INT(st.owner, 65534);
    CHECK_INT(mode_of(p), 0750);
}

static void test_store_and_event_log_modes(void)
{
    char db[128], wal[140], shm[140], log[128], err[512];
    at(db, sizeof db, "keepwatch.db");
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(shm, sizeof shm, "%s-shm", db);
    kw_store *s = store_open(db, false, err, sizeof err);
    CHECK(s != NULL);
    if (s)
        store_close(s);
    /* and the journal it makes has the database's mode, not the umask's */
    s = store_open(db, false, err, sizeof err);
    CHECK(s != NULL);
    CHECK_INT(mode_of(db), 0600);
    CHECK_INT(mode_of(wal), 0600);
    CHECK_INT(mode_of(shm), 0600);
    store_close(s); /* the last connection removes -wal and -shm: leave wide ones behind */
    chmod(db, 0644);
    for (int i = 0; i < 2; i++) {
        int fd = open(i ? shm : wal, O_WRONLY | O_CREAT, 0644);
        CHECK(fd >= 0);
        if (fd >= 0)
            close(fd);
        chmod(i ? shm : wal, 0644);
    }
    /* files left wider by an older keepwatch are narrowed at the next open */
    s = store_open(db, false, err, sizeof err);
    CHECK(s != NULL);
    CHECK_INT(mode_of(db), 0600);
    CHECK_INT(mode_of(wal), 0600);
    CHECK_INT(mode_of(shm), 0600);
    if (s)
        store_close(s);
    at(log, sizeof log, "events.jsonl");
    event_log *l = event_log_open(log, 1 << 20, 2, err, sizeof err);
    CHECK(l != NULL);
    event_log_close(l);
    CHECK_INT(mode_of(log), 0640);
}

int main(void)
{
    umask(0);
    snprintf(dir, sizeof dir, "/tmp/kw-test-file-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_new_file_modes);
    RUN(test_existing_file_narrowed);
    RUN(test_links_and_fifos_refused);
    RUN(test_dir_make_and_secure);
    RUN(test_dir_of_another_user);
    RUN(test_store_and_event_log_modes);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    TEST_MAIN_END();
}

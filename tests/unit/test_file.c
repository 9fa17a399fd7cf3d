/* Private files under a permissive umask (umask 0): kw_file_open_private, kw_dir_make,
 * kw_dir_secure, and the files the daemon creates with them (store, -wal, -shm, event log). */
#include "core/kw_file.h"
#include "event/event.h"
#include "store/store.h"
#include "kw_test.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Another process writes through its own connection, as `keepwatch user passwd` does: this
 * program run again (a forked child would share this process's SQLite state). */
static int write_as_other_process(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, sql, NULL, NULL, NULL); /* no busy timeout: a lock held elsewhere is a failure */
    sqlite3_close(h);
    return rc == SQLITE_OK ? 0 : 1;
}

static bool other_process_writes(const char *db, const char *sql)
{
    pid_t pid = fork();
    if (pid == 0) {
        char self[] = "/proc/self/exe", flag[] = "--write";
        char *argv[] = {self, flag, (char *)db, (char *)sql, NULL};
        execv(self, argv);
        _exit(127);
    }
    int st = 0;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Opening a second handle must not touch the files by descriptor: a close would drop the
 * POSIX locks the first handle holds on the database and its -shm, and the next process
 * would take the wal-index for abandoned and rebuild it under the daemon's feet. */
static void test_second_open_keeps_locks(void)
{
    char db[128], err[512];
    at(db, sizeof db, "locks.db");
    kw_store *a = store_open(db, false, err, sizeof err);
    CHECK(a != NULL);
    if (!a)
        return;
    CHECK(other_process_writes(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1)"));
    CHECK_INT(store_query_int(a, "SELECT count(*) FROM t", NULL), 1);
    /* a transaction under way keeps the other process out, before and after a second open */
    CHECK_INT(store_begin(a), KW_OK);
    CHECK(!other_process_writes(db, "INSERT INTO t VALUES (0)"));
    kw_store *c = store_open(db, false, err, sizeof err);
    CHECK(c != NULL);
    CHECK(!other_process_writes(db, "INSERT INTO t VALUES (0)"));
    store_close(c);
    CHECK(!other_process_writes(db, "INSERT INTO t VALUES (0)"));
    store_rollback(a);
    for (int i = 0; i < 3; i++) {
        int64_t before[2], after[2];
        store_version(a, before);
        kw_store *b = store_open(db, false, err, sizeof err);
        CHECK(b != NULL);
        CHECK(other_process_writes(db, "INSERT INTO t VALUES (2)"));
        store_version(a, after);
        CHECK(after[0] != before[0]); /* what the API's caches watch */
        CHECK_INT(store_query_int(a, "SELECT count(*) FROM t", NULL), 2 + i);
        CHECK_INT(store_query_int(b, "SELECT count(*) FROM t", NULL), 2 + i);
        store_close(b);
    }
    store_close(a);
    char link[128];
    at(link, sizeof link, "locks-link.db");
    CHECK_INT(symlink(db, link), 0);
    CHECK(store_open(link, false, err, sizeof err) == NULL); /* not through a link */
    CHECK_INT(kw_file_narrow(link, 0600), KW_ERR_IO);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--write") == 0)
        return write_as_other_process(argv[2], argv[3]);
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
    RUN(test_second_open_keeps_locks);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    TEST_MAIN_END();
}

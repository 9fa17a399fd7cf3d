/* event log rotation, the bounded queue's drop accounting, the hash map, the /proc file cache. */
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_queue.h"
#include "event/event.h"
#include "host/host_procfs.h"
#include "kw_test.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_event_log_rotation(void)
{
    char path[128], p1[140], p2[140], p3[140], err[256];
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    snprintf(p1, sizeof p1, "%s.1", path);
    snprintf(p2, sizeof p2, "%s.2", path);
    snprintf(p3, sizeof p3, "%s.3", path);
    event_log *l = event_log_open(path, 100, 2, err, sizeof err);
    CHECK(l != NULL);
    if (!l)
        return;
    const char line[] = "{\"n\":\"0123456789012345678901234567890123456789\"}\n";
    const long L = (long)sizeof line - 1; /* 49: two lines fit in 100 bytes, three do not */
    for (int i = 0; i < 7; i++)
        CHECK(event_log_write(l, line, sizeof line - 1) == KW_OK);
    /* 7 lines, files of at most 100 bytes, 2 kept: 2 + 2 + 2 + 1 lines, the oldest pair dropped */
    CHECK_INT(file_size(path), L);
    CHECK_INT(file_size(p1), 2 * L);
    CHECK_INT(file_size(p2), 2 * L);
    CHECK_INT(file_size(p3), -1);
    CHECK_INT(event_log_lines(l), 7);
    event_log_close(l);
    /* reopening appends */
    l = event_log_open(path, 1000, 2, err, sizeof err);
    CHECK(l && event_log_write(l, line, sizeof line - 1) == KW_OK);
    CHECK_INT(file_size(path), 2 * L);
    event_log_close(l);
    CHECK(event_log_open("/nonexistent/dir/x.jsonl", 100, 1, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "No such file or directory");
}

static void test_queue_bounds(void)
{
    kw_queue q;
    kw_queue_init(&q, 4);
    int items[6];
    for (int i = 0; i < 4; i++)
        CHECK(kw_queue_push(&q, &items[i]) == KW_OK);
    CHECK(kw_queue_push(&q, &items[4]) == KW_ERR_FULL);
    CHECK(kw_queue_push(&q, &items[5]) == KW_ERR_FULL);
    CHECK_INT(atomic_load(&q.dropped), 2);
    CHECK_INT(kw_queue_len(&q), 4);
    for (int i = 0; i < 4; i++)
        CHECK(kw_queue_pop(&q, 0) == &items[i]); /* FIFO */
    CHECK(kw_queue_pop(&q, 10) == NULL);         /* times out empty */
    CHECK(kw_queue_push(&q, &items[0]) == KW_OK); /* wraps around */
    kw_queue_close(&q);
    CHECK(kw_queue_push(&q, &items[1]) == KW_ERR_FULL);
    CHECK(kw_queue_pop(&q, 1000) == &items[0]); /* what was accepted is still delivered */
    CHECK(kw_queue_pop(&q, 1000) == NULL);
    kw_queue_destroy(&q);
}

static void test_map(void)
{
    kw_map m;
    kw_map_init(&m);
    char key[32];
    for (intptr_t i = 1; i <= 1000; i++) {
        snprintf(key, sizeof key, "k%ld", (long)i);
        CHECK(kw_map_put(&m, key, (void *)i) == NULL);
    }
    CHECK_INT(m.n, 1000);
    CHECK(kw_map_get(&m, "k500") == (void *)500);
    CHECK(kw_map_put(&m, "k500", (void *)5) == (void *)500);
    for (intptr_t i = 1; i <= 1000; i += 2) {
        snprintf(key, sizeof key, "k%ld", (long)i);
        CHECK(kw_map_del(&m, key) == (void *)i);
    }
    CHECK_INT(m.n, 500);
    CHECK(kw_map_get(&m, "k1") == NULL);
    CHECK(kw_map_get(&m, "k2") == (void *)2);
    size_t it = 0, seen = 0;
    while (kw_map_next(&m, &it, NULL, NULL))
        seen++;
    CHECK_INT(seen, 500);
    kw_map_free(&m);
}

static void count_pid(void *arg, int pid, const char *buf, size_t len)
{
    int *found = arg;
    if (pid == getpid() && len > 0)
        (*found)++;
}

static void test_proc_files(void)
{
    proc_files *pf = proc_files_new("/proc", "stat", 4); /* a tiny cap: most files opened per scan */
    int found = 0;
    long n1 = proc_files_scan(pf, count_pid, &found);
    long n2 = proc_files_scan(pf, count_pid, &found);
    CHECK(n1 > 1 && n2 > 1);
    CHECK_INT(found, 2);
    proc_files_free(pf);
    pf = proc_files_new("/nonexistent", "stat", 4);
    CHECK(proc_files_scan(pf, count_pid, &found) == -1);
    proc_files_free(pf);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kw-test-event-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_event_log_rotation);
    RUN(test_queue_bounds);
    RUN(test_map);
    RUN(test_proc_files);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    TEST_MAIN_END();
}

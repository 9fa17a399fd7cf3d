/* check_exec: output, exit status, the deadline, and running as daemon.user while the daemon
 * is still root (check_run_as). */
#include "check/check.h"
#include "core/kw_time.h"
#include "kw_test.h"

#include <stdlib.h>
#include <unistd.h>

static int run(const char *script, char *out, size_t outn, int64_t timeout_ms)
{
    char sh[] = "/bin/sh", c[] = "-c", err[256];
    char *s = (char *)script;
    char *argv[] = {sh, c, s, NULL};
    return check_exec(argv, kw_mono_ms() + timeout_ms, NULL, out, outn, err, sizeof err);
}

static void test_output_and_status(void)
{
    char out[64];
    CHECK_INT(run("echo hello; echo oops >&2; exit 4", out, sizeof out, 5000), 4);
    CHECK_STR(out, "hello\noops\n");
    CHECK_INT(run("sleep 5", out, sizeof out, 300), -1);
    /* output past the buffer is cut, never overrun */
    CHECK_INT(run("printf 0123456789", out, 5, 5000), 0);
    CHECK_STR(out, "0123");
}

static void test_run_as_user(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "  (skipped: needs root)\n");
        return;
    }
    char out[64];
    gid_t groups[] = {65534};
    check_run_as(true, 65534, 65534, groups, 1);
    CHECK_INT(run("echo $(id -u) $(id -g) $(id -G); exit 2", out, sizeof out, 5000), 2);
    CHECK_STR(out, "65534 65534 65534\n");
    CHECK_INT(run("sleep 5", out, sizeof out, 300), -1); /* killed with its group as before */
    check_run_as(false, 0, 0, NULL, 0);
    CHECK_INT(run("id -u", out, sizeof out, 5000), 0);
    CHECK_STR(out, "0\n");
    check_run_as(true, 0, 0, NULL, 0); /* uid 0 is not a user to drop to */
    CHECK_INT(run("id -u", out, sizeof out, 5000), 0);
    CHECK_STR(out, "0\n");
    check_run_as(false, 0, 0, NULL, 0);
}

int main(void)
{
    RUN(test_output_and_status);
    RUN(test_run_as_user);
    TEST_MAIN_END();
}

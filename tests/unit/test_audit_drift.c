/* Drift between two audit snapshots (audit_drift.c): statements added and removed, checks that
 * began or stopped failing, a line number moving alone being no change. */
#include "audit/audit_drift.h"
#include "kw_test.h"

#include <string.h>

static const char before[] =
    "KW-SSH-ROOT-LOGIN\t\tpass\t/etc/ssh/sshd_config:32\tPermitRootLogin no\tno\n"
    "KW-SSH-EMPTY-PASSWORDS\t\tpass\t/etc/ssh/sshd_config:40\tPermitEmptyPasswords no\tno\n"
    "KW-ACL-SHADOWED\tfilter INPUT -A INPUT #4\tfail\tfw.rules:9\t-A INPUT -p tcp --dport 22 -j DROP\t\n"
    "config\tfw.rules\t-A INPUT -p tcp -j ACCEPT\n"
    "config\tfw.rules\t-A INPUT -p tcp --dport 22 -j DROP\n";

static void no_change_when_identical_or_lines_move(void)
{
    kw_buf out;
    kw_buf_init(&out, 1 << 16);
    audit_drift d;
    CHECK_INT(audit_drift_diff(before, before, &out, 10, &d), 0);
    /* one line inserted above the settings: their line numbers move, nothing else */
    const char moved[] =
        "config\tfw.rules\t-A INPUT -p tcp --dport 22 -j DROP\n"
        "config\tfw.rules\t-A INPUT -p tcp -j ACCEPT\n"
        "KW-SSH-EMPTY-PASSWORDS\t\tpass\t/etc/ssh/sshd_config:41\tPermitEmptyPasswords no\tno\n"
        "KW-SSH-ROOT-LOGIN\t\tpass\t/etc/ssh/sshd_config:33\tPermitRootLogin no\tno\n"
        "KW-ACL-SHADOWED\tfilter INPUT -A INPUT #4\tfail\tfw.rules:10\t-A INPUT -p tcp --dport 22 -j DROP\t\n";
    CHECK_INT(audit_drift_diff(before, moved, &out, 10, &d), 0);
    CHECK(out.len == 0);
    kw_buf_free(&out);
}

static void a_setting_switched_and_a_rule_added(void)
{
    const char after[] =
        "KW-SSH-ROOT-LOGIN\t\tfail\t/etc/ssh/sshd_config:32\tPermitRootLogin yes\tyes\n"
        "KW-SSH-EMPTY-PASSWORDS\t\tpass\t/etc/ssh/sshd_config:40\tPermitEmptyPasswords no\tno\n"
        "config\tfw.rules\t-A INPUT -p tcp --dport 3306 -j ACCEPT\n"
        "config\tfw.rules\t-A INPUT -p tcp -j ACCEPT\n"
        "config\tfw.rules\t-A INPUT -p tcp --dport 22 -j DROP\n";
    kw_buf out;
    kw_buf_init(&out, 1 << 16);
    audit_drift d;
    CHECK_INT(audit_drift_diff(before, after, &out, 10, &d), 3);
    CHECK_INT(d.added, 1);
    CHECK_INT(d.removed, 0);
    CHECK_INT(d.worse, 1);  /* root login now fails */
    CHECK_INT(d.better, 1); /* the shadowed rule's finding is gone */
    CHECK(strstr(out.data, "+ fw.rules: -A INPUT -p tcp --dport 3306 -j ACCEPT\n") != NULL);
    CHECK(strstr(out.data, "fail KW-SSH-ROOT-LOGIN /etc/ssh/sshd_config:32 (was pass): PermitRootLogin yes found yes\n") != NULL);
    CHECK(strstr(out.data, "gone KW-ACL-SHADOWED [filter INPUT -A INPUT #4] fw.rules:9") != NULL);
    kw_buf_free(&out);
}

static void bounded_output(void)
{
    kw_buf a, b, out;
    kw_buf_init(&a, 1 << 20);
    kw_buf_init(&b, 1 << 20);
    kw_buf_init(&out, 1 << 20);
    for (int i = 0; i < 100; i++)
        kw_buf_printf(&b, "config\tf\trule %d\n", i);
    kw_buf_append(&a, "", 0);
    CHECK_INT(audit_drift_diff(a.data, b.data, &out, 5, NULL), 100);
    CHECK(strstr(out.data, "... and 95 more\n") != NULL);
    kw_buf_free(&a);
    kw_buf_free(&b);
    kw_buf_free(&out);
}

static void normalise_sorts_and_dedups(void)
{
    kw_buf s;
    kw_buf_init(&s, 1 << 16);
    kw_buf_puts(&s, "config\tf\tb\nconfig\tf\ta\nconfig\tf\tb\n\n");
    audit_drift_normalise(&s);
    CHECK_STR(s.data, "config\tf\ta\nconfig\tf\tb\n");
    kw_buf_free(&s);
}

int main(void)
{
    RUN(no_change_when_identical_or_lines_move);
    RUN(a_setting_switched_and_a_rule_added);
    RUN(bounded_output);
    RUN(normalise_sorts_and_dedups);
    TEST_MAIN_END();
}

/* alert_expr: the rule condition language. */
#include "alert/alert_expr.h"
#include "kw_test.h"

static void test_parse_ok(void)
{
    rule_expr *e = NULL;
    char err[128];
    size_t pos;
    CHECK(rule_expr_parse("host_filesystem_used_ratio{mountpoint=\"/\", fstype!=\"tmpfs\"} >= 90%", &e, err,
                          sizeof err, &pos) == KW_OK);
    if (!e)
        return;
    CHECK_STR(e->metric, "host_filesystem_used_ratio");
    CHECK_INT(e->n_matchers, 2);
    CHECK_STR(e->m[0].name, "mountpoint");
    CHECK_STR(e->m[0].value, "/");
    CHECK(!e->m[0].negate && e->m[1].negate);
    CHECK(e->op == RULE_OP_GE);
    CHECK_NEAR(e->threshold, 0.9, 1e-12);
    CHECK(e->percent);
    rule_expr_free(e);
    CHECK(rule_expr_parse("check_up{check=\"web\"}==0", &e, err, sizeof err, &pos) == KW_OK);
    CHECK(e && e->op == RULE_OP_EQ && e->threshold == 0 && !e->percent);
    rule_expr_free(e);
    CHECK(rule_expr_parse("  x < -1.5e3 ", &e, err, sizeof err, &pos) == KW_OK);
    CHECK(e && e->op == RULE_OP_LT && e->threshold == -1500);
    rule_expr_free(e);
}

static void test_parse_errors(void)
{
    static const struct {
        const char *in;
        size_t pos;
        const char *msg;
    } cases[] = {
        {"", 0, "expected a metric name"},
        {"9x > 1", 0, "expected a metric name"},
        {"x >> 1", 3, "expected a number"},
        {"x{a=1} > 1", 4, "double-quoted label value"},
        {"x{a=~\"r\"} > 1", 3, "expected = or !="},
        {"x{a=\"1\" b=\"2\"} > 1", 8, "expected , or }"},
        {"x 1", 2, "expected a comparison"},
        {"x >", 3, "expected a number after"},
        {"x > 5 apples", 4, "expected a number"},
        {"x{a=\"unterminated} > 1", 4, "double-quoted"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rule_expr *e = NULL;
        char err[128] = "";
        size_t pos = 999;
        CHECK(rule_expr_parse(cases[i].in, &e, err, sizeof err, &pos) == KW_ERR_PARSE);
        CHECK(e == NULL);
        CHECK_INT(pos, cases[i].pos);
        CHECK_CONTAINS(err, cases[i].msg);
    }
}

static void test_ops_and_format(void)
{
    CHECK(rule_op_holds(RULE_OP_GT, 2, 1) && !rule_op_holds(RULE_OP_GT, 1, 1));
    CHECK(rule_op_holds(RULE_OP_GE, 1, 1) && rule_op_holds(RULE_OP_LE, 1, 1));
    CHECK(rule_op_holds(RULE_OP_NE, 1, 2) && !rule_op_holds(RULE_OP_EQ, 1, 2));
    char out[32];
    rule_value_format(0.935, true, out, sizeof out);
    CHECK_STR(out, "93.5%");
    rule_value_format(3, false, out, sizeof out);
    CHECK_STR(out, "3");
    rule_value_format(0.25, false, out, sizeof out);
    CHECK_STR(out, "0.25");
}

int main(void)
{
    RUN(test_parse_ok);
    RUN(test_parse_errors);
    RUN(test_ops_and_format);
    TEST_MAIN_END();
}

/* Rule conditions: `METRIC{label="v",label!="v"} OP NUMBER[%]`, e.g.
 *   host_cpu_usage_ratio > 80%
 *   host_filesystem_used_ratio{mountpoint="/"} >= 0.9
 *   check_up{check="web"} == 0
 * A trailing % divides the number by 100 (metrics are ratios, people think in percent).
 * A label the sample does not carry matches "": host="" selects this server's own samples
 * (an agent's carry host=NAME). */
#ifndef ALERT_EXPR_H
#define ALERT_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kw_err.h"

#define RULE_MAX_MATCHERS 8
#define RULE_EXPR_MAX_LEN 1024

typedef enum { RULE_OP_GT, RULE_OP_GE, RULE_OP_LT, RULE_OP_LE, RULE_OP_EQ, RULE_OP_NE } rule_op;

typedef struct rule_matcher {
    char *name;
    char *value;
    bool negate;
} rule_matcher;

typedef struct rule_expr {
    char *metric;
    rule_matcher m[RULE_MAX_MATCHERS];
    size_t n_matchers;
    rule_op op;
    double threshold;
    bool percent; /* the threshold was written with %: show values as percent too */
} rule_expr;

/* Parses s. On success *out is the caller's to free with rule_expr_free(). On error writes a
 * reason into err and the 0-based byte offset of the problem into *errpos. */
kw_rc rule_expr_parse(const char *s, rule_expr **out, char *err, size_t errn, size_t *errpos);
void rule_expr_free(rule_expr *e);
bool rule_op_holds(rule_op op, double value, double threshold);
const char *rule_op_str(rule_op op);
/* Parses a number with an optional % suffix (that divides it by 100). */
kw_rc rule_number_parse(const char *s, double *out, bool *percent);
/* Formats v as "93.5%" if percent, else as a plain number. */
void rule_value_format(double v, bool percent, char *out, size_t n);

#endif

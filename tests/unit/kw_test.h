/* A minimal unit-test harness: TEST(name) functions registered in main, CHECK macros that
 * report file:line and keep going, and a closing line "N passed, N failed". */
#ifndef KW_TEST_H
#define KW_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int kwt_failed_checks;
static int kwt_passed, kwt_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            kwt_failed_checks++;                                                     \
        }                                                                            \
    } while (0)

#define CHECK_STR(a, b)                                                                     \
    do {                                                                                    \
        const char *kwt_a = (a), *kwt_b = (b);                                              \
        if (!kwt_a || !kwt_b || strcmp(kwt_a, kwt_b) != 0) {                                \
            fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                    kwt_a ? kwt_a : "(null)", kwt_b ? kwt_b : "(null)");                     \
            kwt_failed_checks++;                                                            \
        }                                                                                   \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                                              \
    do {                                                                                         \
        const char *kwt_h = (hay), *kwt_n = (needle);                                            \
        if (!kwt_h || !strstr(kwt_h, kwt_n)) {                                                   \
            fprintf(stderr, "  %s:%d: %s does not contain \"%s\": \"%s\"\n", __FILE__, __LINE__, \
                    #hay, kwt_n, kwt_h ? kwt_h : "(null)");                                      \
            kwt_failed_checks++;                                                                 \
        }                                                                                        \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long kwt_x = (long long)(a), kwt_y = (long long)(b);                                  \
        if (kwt_x != kwt_y) {                                                                      \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, kwt_x, kwt_y); \
            kwt_failed_checks++;                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                                 \
    do {                                                                                      \
        double kwt_x = (a), kwt_y = (b);                                                      \
        if (!(fabs(kwt_x - kwt_y) <= (eps))) {                                                \
            fprintf(stderr, "  %s:%d: %s == %g, expected %g\n", __FILE__, __LINE__, #a, kwt_x, kwt_y); \
            kwt_failed_checks++;                                                              \
        }                                                                                     \
    } while (0)

#define RUN(fn)                                                 \
    do {                                                        \
        int kwt_before = kwt_failed_checks;                     \
        fn();                                                   \
        if (kwt_failed_checks == kwt_before) {                  \
            kwt_passed++;                                       \
            fprintf(stderr, "ok   %s\n", #fn);                  \
        } else {                                                \
            kwt_failed++;                                       \
            fprintf(stderr, "FAIL %s\n", #fn);                  \
        }                                                       \
    } while (0)

#define TEST_MAIN_END()                                                   \
    do {                                                                  \
        printf("%d passed, %d failed\n", kwt_passed, kwt_failed);         \
        return kwt_failed || kwt_passed == 0 ? 1 : 0;                     \
    } while (0)

#endif

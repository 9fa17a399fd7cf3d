/* The pure part of the SQL injection check (scan_web_sqli_sig.c, no I/O): the database error
 * signatures (MySQL/MariaDB, PostgreSQL, SQLite, SQL Server, Oracle, and the drivers' and
 * frameworks' generic error text), the comparison of two answers with the reflected payload
 * taken out, and the decisions the boolean and time techniques take from what they measured. */
#ifndef KW_SCAN_WEB_SQLI_H
#define KW_SCAN_WEB_SQLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct web_sqli_sig {
    const char *dbms;                /* "MySQL/MariaDB", "PostgreSQL", ... */
    const char *text;                /* what the error says (matched case-insensitively) */
} web_sqli_sig;

/* A body to compare against: a baseline answer. */
typedef struct web_sqli_body {
    const char *b;
    size_t len;
} web_sqli_body;

/* The first signature in body[len] that none of the nbase baseline bodies holds (the most
 * specific database first, the generic driver text last); NULL when none. *at (may be NULL)
 * gets where it is. The signature is a static entry. */
const web_sqli_sig *web_sqli_error_match(const char *body, size_t len, const web_sqli_body *base, size_t nbase,
                                         size_t *at);

/* How many words two answers do not share (a multiset difference: 0 when they are the same
 * text), after HTML character references are decoded and every occurrence of the nstrip
 * strings (the payloads as sent, as the page may reflect them) is taken out of both. Words are
 * runs of bytes between blanks and markup punctuation; at most WEB_SQLI_WORDS_MAX of each
 * answer count. */
#define WEB_SQLI_WORDS_MAX 65536
size_t web_sqli_diff(const char *a, size_t alen, const char *b, size_t blen, const char *const *strip, size_t nstrip);

/* What one true/false pair gave, in web_sqli_diff words. */
typedef struct web_sqli_pair {
    size_t noise;                    /* between the two baselines: the page's own variability */
    size_t true_base;                /* the true answer against the baseline */
    size_t false_base;               /* the false answer against the baseline */
    size_t true_false;               /* the true answer against the false one */
    bool false_status;               /* the false answer's status differs from the baseline's
                                        while the true one's does not */
} web_sqli_pair;

/* True when a pair looks like a condition the database evaluated: the true answer is the
 * baseline within its own noise, and the false one differs from both by more than twice it. */
bool web_sqli_pair_holds(const web_sqli_pair *p);

/* True when a second pair (other numbers, same form) confirms the first: it holds too and the
 * two answers of each kind match each other within the noise (true_true, false_false). */
bool web_sqli_pair_confirms(const web_sqli_pair *second, size_t true_true, size_t false_false);

/* The time technique's decision: base_us the slowest of the baseline answers, e1_us and e2_us
 * the answers to delays d1_us < d2_us, zero_us the answer to a zero delay (all microseconds).
 * True when each delayed answer took at least base + 0.9 d, the extra times grow as the delays
 * do, and the zero-delay answer is back near the baseline. */
bool web_sqli_time_holds(int64_t base_us, int64_t d1_us, int64_t e1_us, int64_t d2_us, int64_t e2_us, int64_t zero_us);

/* The same decision for a counted delay (a loop, no sleep function), whose time is the
 * server's speed and not a number asked: e1_us the answer to a loop, e2_us to one twice as
 * long, zero_us to none. True when the second's extra time over the baseline is 1.4 to 4 times
 * the first's and the zero answer is back within half the first's extra time. */
bool web_sqli_count_holds(int64_t base_us, int64_t e1_us, int64_t e2_us, int64_t zero_us);

#endif

/* The SQL injection check's pure part: error signatures on the databases' real messages, the
 * word difference with reflected payloads taken out, and the boolean and time decisions. */
#include "scan/scan_web_sqli.h"

#include <stdlib.h>
#include <string.h>

#include "kw_test.h"

static const char *dbms_of(const char *page)
{
    const web_sqli_sig *s = web_sqli_error_match(page, strlen(page), NULL, 0, NULL);
    return s ? s->dbms : "none";
}

/* The messages as the servers print them: MariaDB 10.11, PostgreSQL 15 and SQLite 3 were run
 * here with broken quoting (SELECT ... WHERE a = '1'' and the like); SQL Server's from
 * Microsoft's MSSQLSERVER_105 / _102 error pages and an ODBC driver's text; Oracle's from its
 * ORA-01756 / ORA-00933 error help. */
static void test_signatures_real_messages(void)
{
    CHECK_STR(dbms_of("<b>Fatal error</b>: ERROR 1064 (42000): You have an error in your SQL syntax; check the "
                      "manual that corresponds to your MariaDB server version for the right syntax to use near "
                      "''1''' at line 1"),
              "MySQL/MariaDB");
    CHECK_STR(dbms_of("Warning: pg_query(): Query failed: ERROR:  unterminated quoted string at or near \"';\"\n"
                      "LINE 1: SELECT 1 WHERE 1 = 1';"),
              "PostgreSQL");
    CHECK_STR(dbms_of("ERROR:  syntax error at or near \")\"\nLINE 1: SELECT 1 WHERE 1 = 1);"), "PostgreSQL");
    CHECK_STR(dbms_of("ERROR:  invalid input syntax for type integer: \"abc\""), "PostgreSQL");
    CHECK_STR(dbms_of("sqlite3.OperationalError: unrecognized token: \"'1''\""), "SQLite");
    CHECK_STR(dbms_of("<pre>Parse error: near \")\": syntax error</pre>"), "SQLite");
    CHECK_STR(dbms_of("[Microsoft][ODBC Driver 11 for SQL Server][SQL Server]Unclosed quotation mark after the "
                      "character string ')'. (SQL-42000)"),
              "SQL Server");
    CHECK_STR(dbms_of("Msg 102, Level 15, State 1: Incorrect syntax near 'x'."), "SQL Server");
    CHECK_STR(dbms_of("java.sql.SQLSyntaxErrorException: ORA-01756: quoted string not properly terminated"), "Oracle");
    CHECK_STR(dbms_of("ORA-00933: SQL command not properly ended"), "Oracle");
    /* H2 2.2's message, as quoted in h2database/h2database issue #3954 */
    CHECK_STR(dbms_of("Syntax error in SQL statement \"SELECT * FROM params WHERE 'x' LIKE CONCAT([*]value, '%')\"; "
                      "expected \"INTERSECTS (, NOT, EXISTS, UNIQUE, INTERSECTS\"; SQL statement: [42001-224]"),
              "H2");
    CHECK_STR(dbms_of("PDOException: SQLSTATE[HY093]: Invalid parameter number"), "a SQL database (PDO)");
    /* a JSON parser's complaint is not a database's */
    CHECK_STR(dbms_of("SyntaxError: Unexpected token ' in JSON at position 1"), "none");
    /* the message HTML-escaped by the page (Python's html.escape of sqlite3's text) */
    const char *esc = "<pre>x</pre><pre>unrecognized token: &quot;&#x27;&quot;&quot;</pre>";
    CHECK_STR(dbms_of(esc), "SQLite");
    size_t eat = 0;
    CHECK(web_sqli_error_match(esc, strlen(esc), NULL, 0, &eat) != NULL);
    CHECK_INT(eat, 17);
    CHECK_STR(dbms_of("<p>No results for your search.</p>"), "none");
    CHECK_STR(dbms_of("<p>Our SQL tutorial: how to write a WHERE clause</p>"), "none");
    size_t at = 0;
    const char *p = "xx You have an error in your SQL syntax";
    CHECK(web_sqli_error_match(p, strlen(p), NULL, 0, &at) != NULL);
    CHECK_INT(at, 3);
    CHECK(web_sqli_error_match(p, 10, NULL, 0, NULL) == NULL); /* bounded by len */
}

/* A signature the baseline already shows (a page that documents SQL errors) is not proof. */
static void test_signatures_not_in_baseline(void)
{
    const char *doc = "<h1>FAQ</h1><p>If you see 'You have an error in your SQL syntax', call us.</p>";
    web_sqli_body base[2] = {{doc, strlen(doc)}, {NULL, 0}};
    CHECK(web_sqli_error_match(doc, strlen(doc), base, 2, NULL) == NULL);
    const char *both = "<p>If you see 'You have an error in your SQL syntax', call us.</p>"
                       "unterminated quoted string at or near \"'\"";
    const web_sqli_sig *s = web_sqli_error_match(both, strlen(both), base, 1, NULL);
    CHECK(s != NULL);
    CHECK_STR(s ? s->dbms : NULL, "PostgreSQL");
}

static void test_diff(void)
{
    const char *a = "<ul><li>apple</li><li>pear</li></ul> 2 results";
    CHECK_INT(web_sqli_diff(a, strlen(a), a, strlen(a), NULL, 0), 0);
    const char *b = "<ul><li>apple</li></ul> 1 results";
    CHECK_INT(web_sqli_diff(a, strlen(a), b, strlen(b), NULL, 0), 5); /* li pear /li 2 against 1 */
    /* the reflected payload (here HTML-escaped by the page) is taken out before comparing */
    const char *t = "<p>Results for 1&#039; AND &#039;a&#039;=&#039;a</p><li>apple</li>";
    const char *f = "<p>Results for 1&#x27; AND &#x27;a&#x27;=&#x27;b</p><li>apple</li>";
    const char *strip[] = {"' AND 'a'='a", "' AND 'a'='b"};
    const char *base = "<p>Results for 1</p><li>apple</li>";
    CHECK_INT(web_sqli_diff(t, strlen(t), base, strlen(base), strip, 2), 0);
    CHECK_INT(web_sqli_diff(f, strlen(f), base, strlen(base), strip, 2), 0);
    CHECK(web_sqli_diff(t, strlen(t), base, strlen(base), NULL, 0) > 0);
    CHECK_INT(web_sqli_diff("", 0, "", 0, NULL, 0), 0);
    CHECK_INT(web_sqli_diff(NULL, 0, "one two", 7, NULL, 0), 2);
    const char ent[] = "&#; &#x; &#99999999999; &amp &";
    CHECK_INT(web_sqli_diff(ent, sizeof ent - 1, ent, sizeof ent - 1, NULL, 0), 0);
}

static void test_pair_decisions(void)
{
    /* a static page: true is the baseline, false loses a row */
    web_sqli_pair p = {.noise = 0, .true_base = 0, .false_base = 4, .true_false = 4};
    CHECK(web_sqli_pair_holds(&p));
    /* a safe page: both conditions give the same (e.g. "no such user") answer */
    p = (web_sqli_pair){.noise = 0, .true_base = 6, .false_base = 6, .true_false = 0};
    CHECK(!web_sqli_pair_holds(&p));
    /* a page whose noise swamps the difference */
    p = (web_sqli_pair){.noise = 4, .true_base = 3, .false_base = 6, .true_false = 7};
    CHECK(!web_sqli_pair_holds(&p));
    p = (web_sqli_pair){.noise = 4, .true_base = 3, .false_base = 30, .true_false = 31};
    CHECK(web_sqli_pair_holds(&p));
    /* a false answer that is an error status while true matches the baseline */
    p = (web_sqli_pair){.noise = 0, .true_base = 0, .false_base = 0, .true_false = 0, .false_status = true};
    CHECK(web_sqli_pair_holds(&p));
    p = (web_sqli_pair){.noise = 0, .true_base = 0, .false_base = 4, .true_false = 4};
    CHECK(web_sqli_pair_confirms(&p, 0, 0));
    CHECK(!web_sqli_pair_confirms(&p, 0, 3)); /* the false answers are not stable */
}

static void test_time_decision(void)
{
    /* 2 s and 4 s against a 20 ms baseline, the zero delay back at 25 ms */
    CHECK(web_sqli_time_holds(20000, 2000000, 2030000, 4000000, 4025000, 25000));
    /* one slow answer and one fast: not the database sleeping */
    CHECK(!web_sqli_time_holds(20000, 2000000, 2030000, 4000000, 1500000, 25000));
    /* both slow by the same amount (a slow page, not the delays) */
    CHECK(!web_sqli_time_holds(20000, 2000000, 4100000, 4000000, 4200000, 25000));
    /* a sleep run per row: far more than asked */
    CHECK(!web_sqli_time_holds(20000, 2000000, 6000000, 4000000, 12000000, 25000));
    /* the zero delay is slow too: the page got slow */
    CHECK(!web_sqli_time_holds(20000, 2000000, 2030000, 4000000, 4025000, 2000000));
    /* just under 0.9 of the delay */
    CHECK(!web_sqli_time_holds(100000, 2000000, 1890000, 4000000, 4100000, 100000));
    CHECK(!web_sqli_time_holds(20000, 4000000, 4100000, 2000000, 2100000, 20000));
}

static void test_count_decision(void)
{
    /* a loop of 1.9 s and one twice as long: 3.8 s, or 5.5 s on a CPU that got busier */
    CHECK(web_sqli_count_holds(20000, 1920000, 3820000, 25000));
    CHECK(web_sqli_count_holds(20000, 1920000, 5520000, 25000));
    /* twice the loop in about the same time: not the loop */
    CHECK(!web_sqli_count_holds(20000, 1920000, 2500000, 25000));
    /* far more than twice: the page got slow */
    CHECK(!web_sqli_count_holds(20000, 1920000, 9000000, 25000));
    /* the zero loop is slow too */
    CHECK(!web_sqli_count_holds(20000, 1920000, 3820000, 1200000));
    CHECK(!web_sqli_count_holds(20000, 15000, 3820000, 25000));
}

int main(void)
{
    RUN(test_signatures_real_messages);
    RUN(test_signatures_not_in_baseline);
    RUN(test_diff);
    RUN(test_pair_decisions);
    RUN(test_time_decision);
    RUN(test_count_decision);
    TEST_MAIN_END();
}

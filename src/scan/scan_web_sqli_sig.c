/* The SQL injection check's pure part (no I/O): the error signature table and its matcher, the
 * word difference of two answers with the reflected payloads taken out, and the boolean and
 * time decisions. The signatures are the databases' own messages, checked against the servers
 * where one runs here (MariaDB 10.11, PostgreSQL 15, SQLite 3 triggered with broken quoting)
 * and taken from the vendors' error references otherwise (SQL Server's MSSQLSERVER_102/105/245
 * pages, Oracle's ORA- error help, H2's parser message as its issue tracker quotes it), plus the
 * exception names drivers put in front of them. */
#include "scan/scan_web_sqli.h"
#include "scan/scan_web.h"
#include "scan/scan_web_xss.h"

#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

/* Most specific first: a driver's generic text comes after the database's own words. */
static const web_sqli_sig sqli_sigs[] = {
    /* MySQL and MariaDB: ER_PARSE_ERROR (1064), as both servers word it */
    {"MySQL/MariaDB", "You have an error in your SQL syntax"},
    {"MySQL/MariaDB", "corresponds to your MySQL server version"},
    {"MySQL/MariaDB", "corresponds to your MariaDB server version"},
    {"MySQL/MariaDB", "supplied argument is not a valid MySQL"},
    {"MySQL/MariaDB", "mysqli_sql_exception"},
    {"MySQL/MariaDB", "MySQLSyntaxErrorException"},
    {"MySQL/MariaDB", "MySqlClient.MySqlException"},
    {"MySQL/MariaDB", "pymysql.err."},
    {"MySQL/MariaDB", "mysql.connector.errors"},
    {"MySQL/MariaDB", "Warning: mysql_"},
    {"MySQL/MariaDB", "Warning: mysqli_"},
    /* PostgreSQL: the parser's and the type input functions' messages */
    {"PostgreSQL", "unterminated quoted string at or near"},
    {"PostgreSQL", "unterminated quoted identifier at or near"},
    {"PostgreSQL", "syntax error at or near"},
    {"PostgreSQL", "syntax error at end of input"},
    {"PostgreSQL", "invalid input syntax for type"},
    {"PostgreSQL", "current transaction is aborted, commands ignored"},
    {"PostgreSQL", "pg_query(): Query failed"},
    {"PostgreSQL", "org.postgresql.util.PSQLException"},
    {"PostgreSQL", "psycopg2.errors."},
    {"PostgreSQL", "PG::SyntaxError"},
    {"PostgreSQL", "Npgsql.PostgresException"},
    /* SQLite: the tokenizer's and the parser's messages, and the bindings' exceptions */
    {"SQLite", "unrecognized token: \""},
    {"SQLite", "\": syntax error"},
    {"SQLite", "SQLITE_ERROR"},
    {"SQLite", "sqlite3.OperationalError"},
    {"SQLite", "SQLite3::query(): Unable to prepare statement"},
    {"SQLite", "SQLite3::SQLException"},
    {"SQLite", "SQLiteException"},
    /* SQL Server: Msg 105, 102, 245, and the client libraries */
    {"SQL Server", "Unclosed quotation mark after the character string"},
    {"SQL Server", "Incorrect syntax near"},
    {"SQL Server", "Conversion failed when converting the"},
    {"SQL Server", "[SQL Server]"},
    {"SQL Server", "OLE DB Provider for SQL Server"},
    {"SQL Server", "SqlClient.SqlException"},
    {"SQL Server", "com.microsoft.sqlserver.jdbc.SQLServerException"},
    /* Oracle: ORA-01756, 00933, 00921, 00907, 01722, 00936, 00904, and OCI in PHP */
    {"Oracle", "quoted string not properly terminated"},
    {"Oracle", "SQL command not properly ended"},
    {"Oracle", "ORA-00921:"},
    {"Oracle", "ORA-00907:"},
    {"Oracle", "ORA-01722:"},
    {"Oracle", "ORA-00936:"},
    {"Oracle", "ORA-00904:"},
    {"Oracle", "Warning: oci_"},
    {"Oracle", "OracleException"},
    /* the Java embedded databases (H2's parser message, both drivers' exception packages) */
    {"H2", "Syntax error in SQL statement"},
    {"H2", "org.h2.jdbc."},
    {"HSQLDB", "org.hsqldb."},
    /* Microsoft Access (JET / ACE) */
    {"Microsoft Access", "Syntax error in string in query expression"},
    {"Microsoft Access", "Microsoft JET Database Engine"},
    /* drivers and frameworks that name no database */
    {"a SQL database (PDO)", "SQLSTATE["},
    {"a SQL database (ODBC)", "[ODBC "},
    {"a SQL database (JDBC)", "java.sql.SQLSyntaxErrorException"},
    {"a SQL database (JDBC)", "java.sql.SQLException"},
    {"a SQL database (Hibernate)", "SQLGrammarException"},
    {"a SQL database (SQLAlchemy)", "sqlalchemy.exc."},
    {"a SQL database (Django)", "django.db.utils."},
    {"a SQL database (Sequelize)", "SequelizeDatabaseError"},
};

/* Whether signature k is in b[n], as it is or with character references decoded (pages often
 * HTML-escape the error they show); the offset in the raw text, or (size_t)-1. */
static size_t sqli_sig_at(const char *b, size_t n, size_t k, char *dec, size_t ndec)
{
    size_t off = web_find(b, n, sqli_sigs[k].text);
    if (off != (size_t)-1 || !dec)
        return off;
    size_t d = web_find(dec, ndec, sqli_sigs[k].text);
    if (d == (size_t)-1)
        return d;
    size_t raw = 0;
    for (size_t seen = 0; raw < n && seen < d; seen++) {   /* back to the raw offset */
        size_t used = 0;
        if (b[raw] == '&')
            web_xss_charref(b + raw, n - raw, &used);
        raw += used ? used : 1;
    }
    return raw;
}

/* body[len] with character references decoded, when it has any ('&'); NULL otherwise. */
static char *sqli_decoded(const char *body, size_t len, size_t *n)
{
    if (!memchr(body, '&', len))
        return NULL;
    char *d = kw_malloc(len + 1);
    *n = web_xss_decode(body, len, d);
    return d;
}

static bool sqli_in_base(const web_sqli_body *base, size_t nbase, size_t k)
{
    bool in = false;
    for (size_t j = 0; j < nbase && !in; j++) {
        if (!base[j].b)
            continue;
        size_t n = 0;
        char *d = sqli_decoded(base[j].b, base[j].len, &n);
        in = sqli_sig_at(base[j].b, base[j].len, k, d, n) != (size_t)-1;
        free(d);
    }
    return in;
}

const web_sqli_sig *web_sqli_error_match(const char *body, size_t len, const web_sqli_body *base, size_t nbase,
                                         size_t *at)
{
    if (!body)
        return NULL;
    size_t ndec = 0;
    char *dec = sqli_decoded(body, len, &ndec);
    const web_sqli_sig *hit = NULL;
    for (size_t k = 0; k < sizeof sqli_sigs / sizeof *sqli_sigs && !hit; k++) {
        size_t off = sqli_sig_at(body, len, k, dec, ndec);
        if (off == (size_t)-1 || sqli_in_base(base, nbase, k))
            continue;
        if (at)
            *at = off;
        hit = &sqli_sigs[k];
    }
    free(dec);
    return hit;
}

/* ---- the word difference ---- */

/* s[n] with character references decoded and the strip strings removed; the caller frees the
 * copy, whose length goes to *outn. */
static char *sqli_normalise(const char *s, size_t n, const char *const *strip, size_t nstrip, size_t *outn)
{
    char *d = kw_malloc(n + 1);
    size_t o = web_xss_decode(s, n, d);
    for (size_t k = 0; k < nstrip; k++) {
        size_t l = strip[k] ? strlen(strip[k]) : 0, w = 0;
        if (!l)
            continue;
        for (size_t i = 0; i < o;) {
            if (o - i >= l && memcmp(d + i, strip[k], l) == 0) {
                i += l;
                continue;
            }
            d[w++] = d[i++];
        }
        o = w;
    }
    d[o] = '\0';
    *outn = o;
    return d;
}

static bool sqli_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '<' || c == '>' || c == '"' ||
           c == '\'' || c == '=';
}

static int sqli_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The sorted FNV-1a hashes of s[n]'s words; their count in *nw. The caller frees them. */
static uint64_t *sqli_words(const char *s, size_t n, size_t *nw)
{
    uint64_t *v = kw_malloc(sizeof *v * (n / 2 + 1 < WEB_SQLI_WORDS_MAX ? n / 2 + 1 : WEB_SQLI_WORDS_MAX));
    size_t cap = n / 2 + 1 < WEB_SQLI_WORDS_MAX ? n / 2 + 1 : WEB_SQLI_WORDS_MAX, c = 0;
    for (size_t i = 0; i < n && c < cap;) {
        while (i < n && sqli_sep(s[i]))
            i++;
        if (i >= n)
            break;
        uint64_t h = 1469598103934665603ull;
        for (; i < n && !sqli_sep(s[i]); i++)
            h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
        v[c++] = h;
    }
    qsort(v, c, sizeof *v, sqli_cmp_u64);
    *nw = c;
    return v;
}

size_t web_sqli_diff(const char *a, size_t alen, const char *b, size_t blen, const char *const *strip, size_t nstrip)
{
    size_t na, nb, la, lb;
    char *da = sqli_normalise(a ? a : "", a ? alen : 0, strip, nstrip, &la);
    char *db = sqli_normalise(b ? b : "", b ? blen : 0, strip, nstrip, &lb);
    uint64_t *wa = sqli_words(da, la, &na), *wb = sqli_words(db, lb, &nb);
    size_t i = 0, j = 0, common = 0;
    while (i < na && j < nb) {
        if (wa[i] == wb[j])
            common++, i++, j++;
        else if (wa[i] < wb[j])
            i++;
        else
            j++;
    }
    free(da), free(db), free(wa), free(wb);
    return na + nb - 2 * common;
}

/* ---- decisions ---- */

bool web_sqli_pair_holds(const web_sqli_pair *p)
{
    size_t quiet = p->noise + p->noise / 2, loud = 2 * p->noise;
    if (p->true_base > quiet)
        return false;
    if (p->false_status)
        return true;
    return p->false_base > loud && p->true_false > loud && p->false_base > 0;
}

bool web_sqli_pair_confirms(const web_sqli_pair *second, size_t true_true, size_t false_false)
{
    return web_sqli_pair_holds(second) && true_true <= second->noise + second->noise / 2 &&
           false_false <= second->noise + second->noise / 2;
}

bool web_sqli_time_holds(int64_t base_us, int64_t d1_us, int64_t e1_us, int64_t d2_us, int64_t e2_us, int64_t zero_us)
{
    if (d1_us <= 0 || d2_us <= d1_us || base_us < 0)
        return false;
    if (e1_us < base_us + d1_us * 9 / 10 || e2_us < base_us + d2_us * 9 / 10)
        return false;
    /* the extra time grows with the delay: the second is at least 60 % of the delays' gap
     * later, and not more than the gap plus one first delay */
    int64_t gap = e2_us - e1_us;
    if (gap < (d2_us - d1_us) * 6 / 10 || gap > (d2_us - d1_us) + d1_us)
        return false;
    return zero_us < base_us + d1_us / 2;
}

bool web_sqli_count_holds(int64_t base_us, int64_t e1_us, int64_t e2_us, int64_t zero_us)
{
    int64_t x1 = e1_us - base_us, x2 = e2_us - base_us;
    if (base_us < 0 || x1 <= 0 || x2 <= 0)
        return false;
    /* twice the work, between 1.4 and 4 times the extra time: a shared CPU slows the longer
     * run as often as not, and seldom speeds it up by a third */
    if (x2 * 10 < x1 * 14 || x2 > x1 * 4)
        return false;
    return zero_us < base_us + x1 / 2;
}

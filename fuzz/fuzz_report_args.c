/* libFuzzer target: the words a report is asked for with, from the command line or the query
 * string (?date=&format=&lang=&cut=): each line of the input is tried as a date, a kind, a
 * format, a cut and a section name. A date that parses must print back to the same text
 * (round trip through days since 1970) and give a day's range of exactly 24 h; else abort. */
#include "conf/conf.h"
#include "report/report_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void date_roundtrip(const char *s, size_t n)
{
    int64_t days;
    if (report_date_parse(s, n, &days) != KW_OK)
        return;
    time_t t = (time_t)(days * 86400);
    struct tm tm;
    char back[32];
    if (!gmtime_r(&t, &tm) || strftime(back, sizeof back, "%Y-%m-%d", &tm) != 10 || memcmp(back, s, 10) != 0)
        abort();
    conf c;
    memset(&c, 0, sizeof c);
    c.console.tz_min = 480;
    int64_t from, to;
    char z[11];
    memcpy(z, s, 10);
    z[10] = '\0';
    if (report_day_range(&c, z, 0, &from, &to) != KW_OK || to - from != 86400000LL ||
        from != days * 86400000LL - 480 * 60000LL)
        abort();
}

static void words(const char *s)
{
    report_kind k;
    report_fmt f;
    int cut;
    doc_lang l;
    if (report_kind_parse(s, &k) == KW_OK && (unsigned)k > REPORT_PERIOD)
        abort();
    if (report_fmt_parse(s, &f) == KW_OK && strcmp(report_fmt_ext(f), s) != 0)
        abort();
    if (report_cut_parse(s, &cut) == KW_OK && strcmp(report_cut_name(cut), s) != 0)
        abort();
    (void)doc_lang_parse(s, &l);
    for (int c = -1; c <= 5; c++)
        (void)report_cut_has(c, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    for (char *line = buf, *end; line; line = end) {
        end = memchr(line, '\n', (size_t)(buf + size - line));
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (end)
            *end++ = '\0';
        date_roundtrip(line, n);
        if (strlen(line) == n)
            words(line);
    }
    free(buf);
    return 0;
}

/* core: bounded buffers, the JSON writer, durations, sizes, timestamps. */
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "kw_test.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void test_buf_ceiling(void)
{
    kw_buf b;
    kw_buf_init(&b, 10);
    CHECK(kw_buf_puts(&b, "0123456789") == KW_OK);
    CHECK(kw_buf_putc(&b, 'x') == KW_ERR_FULL);
    CHECK(b.overflow);
    CHECK_INT(b.len, 10);
    CHECK_STR(kw_buf_cstr(&b), "0123456789");
    kw_buf_reset(&b);
    CHECK(kw_buf_printf(&b, "%d-%s", 42, "ok") == KW_OK);
    CHECK_STR(kw_buf_cstr(&b), "42-ok");
    kw_buf_free(&b);
    kw_buf_init(&b, 0);
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(kw_buf_printf(&b, "<%s>", big) == KW_OK);
    CHECK_INT(b.len, 1001);
    kw_buf_free(&b);
}

static void test_json_writer(void)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "a", "x\"y\\z\n\x01");
    kw_json_kv_int(&j, "n", -5);
    kw_json_key(&j, "arr");
    kw_json_arr_begin(&j);
    kw_json_num(&j, 0.5);
    kw_json_num(&j, NAN);
    kw_json_bool(&j, true);
    kw_json_obj_begin(&j);
    kw_json_obj_end(&j);
    kw_json_arr_end(&j);
    kw_json_kv_str(&j, "null", NULL);
    kw_json_obj_end(&j);
    CHECK_STR(kw_buf_cstr(&b), "{\"a\":\"x\\\"y\\\\z\\n\\u0001\",\"n\":-5,\"arr\":[0.5,null,true,{}],\"null\":null}");
    kw_buf_free(&b);
}

static void test_json_utf8(void)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    /* valid Chinese text passes through; a lone continuation byte and a truncated sequence
     * and an overlong encoding become U+FFFD */
    const char in[] = "告警\x80ok\xe5\x91\xc0\xaf";
    kw_json_escape(&b, in, sizeof in - 1);
    CHECK_STR(kw_buf_cstr(&b), "\"告警\\ufffdok\\ufffd\\ufffd\\ufffd\\ufffd\"");
    kw_buf_free(&b);
}

/* The same replacements as kw_json_escape's, for a store that keeps UTF-8 text only. */
static void test_utf8_fix(void)
{
    CHECK(kw_utf8_fix("告警 ok") == NULL);
    CHECK(kw_utf8_fix("") == NULL && kw_utf8_fix(NULL) == NULL);
    char *f = kw_utf8_fix("告警\x80ok\xe5\x91\xc0\xaf");
    CHECK_STR(f, "告警\xef\xbf\xbdok\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(f && kw_utf8_fix(f) == NULL);
    free(f);
    f = kw_utf8_fix("\xed\xa0\x80 user \xff"); /* a surrogate's three bytes, and 0xff */
    CHECK_STR(f, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd user \xef\xbf\xbd");
    free(f);
    char bad[41]; /* every byte replaced: three times as long, none cut off (it stopped at 16 more) */
    memset(bad, 0xff, 40);
    bad[40] = '\0';
    f = kw_utf8_fix(bad);
    CHECK(f && strlen(f) == 120 && memcmp(f + 117, "\xef\xbf\xbd", 3) == 0);
    free(f);
}

static void test_duration(void)
{
    int64_t ms;
    char err[128], out[32];
    CHECK(kw_duration_parse("5s", &ms, err, sizeof err) == KW_OK && ms == 5000);
    CHECK(kw_duration_parse("1m30s", &ms, err, sizeof err) == KW_OK && ms == 90000);
    CHECK(kw_duration_parse("500ms", &ms, err, sizeof err) == KW_OK && ms == 500);
    CHECK(kw_duration_parse("7d", &ms, err, sizeof err) == KW_OK && ms == 7 * 86400000LL);
    CHECK(kw_duration_parse("0", &ms, err, sizeof err) == KW_OK && ms == 0);
    CHECK(kw_duration_parse("5x", &ms, err, sizeof err) == KW_ERR_PARSE);
    CHECK_CONTAINS(err, "unknown unit \"x\"");
    CHECK(kw_duration_parse("5", &ms, err, sizeof err) == KW_ERR_PARSE);
    CHECK_CONTAINS(err, "needs a unit");
    CHECK(kw_duration_parse("", &ms, err, sizeof err) == KW_ERR_PARSE);
    CHECK(kw_duration_parse("-5s", &ms, err, sizeof err) == KW_ERR_PARSE);
    CHECK(kw_duration_parse("99999999999999999999s", &ms, err, sizeof err) != KW_OK);
    kw_duration_format(90000, out, sizeof out);
    CHECK_STR(out, "1m30s");
    kw_duration_format(0, out, sizeof out);
    CHECK_STR(out, "0s");
    kw_duration_format(86400000LL + 1, out, sizeof out);
    CHECK_STR(out, "1d1ms");
}

static void test_size(void)
{
    uint64_t v;
    char err[128], out[32];
    CHECK(kw_size_parse("100MB", &v, err, sizeof err) == KW_OK && v == 100000000);
    CHECK(kw_size_parse("64KiB", &v, err, sizeof err) == KW_OK && v == 65536);
    CHECK(kw_size_parse("512", &v, err, sizeof err) == KW_OK && v == 512);
    CHECK(kw_size_parse("5 parsecs", &v, err, sizeof err) == KW_ERR_PARSE);
    CHECK(kw_size_parse("99999999999999999999GB", &v, err, sizeof err) != KW_OK);
    kw_size_format(100 << 20, out, sizeof out);
    CHECK_STR(out, "100MiB");
}

static void test_iso8601(void)
{
    char out[40];
    kw_time_iso8601(1795493283219LL, out, sizeof out);
    CHECK_STR(out, "2026-11-24T04:08:03.219Z");
    kw_time_iso8601(0, out, sizeof out);
    CHECK_STR(out, "1970-01-01T00:00:00.000Z");
    kw_time_iso8601(-1, out, sizeof out);
    CHECK_STR(out, "1969-12-31T23:59:59.999Z");
    kw_time_iso8601(951782400000LL, out, sizeof out); /* a leap day in a year divisible by 400 */
    CHECK_STR(out, "2000-02-29T00:00:00.000Z");
    /* the hand-written calendar agrees with libc's over 600 years, a prime stride apart */
    for (int64_t secs = -2208988800LL; secs < 16725225600LL; secs += 7919 * 1013) {
        time_t t = (time_t)secs;
        struct tm tm;
        gmtime_r(&t, &tm);
        char want[80];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.042Z", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        kw_time_iso8601(secs * 1000 + 42, out, sizeof out);
        if (strcmp(out, want) != 0) {
            CHECK_STR(out, want);
            break;
        }
    }
}

static void test_put_int(void)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_put_int(&b, LLONG_MIN);
    kw_buf_putc(&b, ' ');
    kw_buf_put_int(&b, 0);
    kw_buf_putc(&b, ' ');
    kw_buf_put_int(&b, LLONG_MAX);
    CHECK_STR(b.data, "-9223372036854775808 0 9223372036854775807");
    kw_buf_reset(&b);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_arr_begin(&j);
    kw_json_num(&j, -3.0);
    kw_json_num(&j, 0.5);
    kw_json_num(&j, 1e300);
    kw_json_str(&j, "a\x01\x7f\"");
    kw_json_arr_end(&j);
    CHECK_STR(b.data, "[-3,0.5,1e+300,\"a\\u0001\\u007f\\\"\"]");
    kw_buf_free(&b);
}

static void test_strlcpy(void)
{
    char d[4];
    CHECK_INT(kw_strlcpy(d, "abcdef", sizeof d), 6);
    CHECK_STR(d, "abc");
}

int main(void)
{
    RUN(test_buf_ceiling);
    RUN(test_json_writer);
    RUN(test_json_utf8);
    RUN(test_utf8_fix);
    RUN(test_duration);
    RUN(test_size);
    RUN(test_iso8601);
    RUN(test_put_int);
    RUN(test_strlcpy);
    TEST_MAIN_END();
}

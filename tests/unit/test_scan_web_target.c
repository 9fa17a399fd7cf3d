/* Request shapes of the web scanner: made from URLs and seeds, keyed once per parameter names,
 * built with one parameter changed (encoding per place), and the shared pure helpers. */
#include "kw_test.h"

#include "scan/scan_web_int.h"

#include <stdlib.h>
#include <string.h>

static void test_url_shape_and_key(void)
{
    web_target a, b, c;
    CHECK(web_target_from_url("http://h:8080/item?id=3&name=a%20b+c#frag", NULL, &a) == KW_OK);
    CHECK_STR(a.method, "GET");
    CHECK_STR(a.url, "http://h:8080/item");
    CHECK_INT(a.nparams, 2);
    CHECK_STR(a.params[0].name, "id");
    CHECK_STR(a.params[1].value, "a b c");
    web_target_from_url("http://h:8080/item?name=zz&id=99", NULL, &b);
    web_target_from_url("http://h:8080/item?id=1", NULL, &c);
    char *ka = web_target_key(&a), *kb = web_target_key(&b), *kc = web_target_key(&c);
    CHECK_STR(ka, kb); /* the same names in another order: the same shape */
    CHECK(strcmp(ka, kc) != 0);
    free(ka), free(kb), free(kc);
    web_target_free(&a), web_target_free(&b), web_target_free(&c);
}

static void test_build_query_and_form(void)
{
    web_target t;
    web_target_from_url("http://h/search?q=shoe&page=2", NULL, &t);
    web_built b;
    CHECK(web_target_build(&t, 0, "' OR '1'='1", WEB_MUT_REPLACE, &b) == KW_OK);
    CHECK_STR(b.rq.url, "http://h/search?q=%27%20OR%20%271%27%3D%271&page=2");
    CHECK(b.rq.body == NULL);
    web_built_free(&b);
    CHECK(web_target_build(&t, 1, "<x>", WEB_MUT_APPEND, &b) == KW_OK);
    CHECK_STR(b.rq.url, "http://h/search?q=shoe&page=2%3Cx%3E");
    web_built_free(&b);
    CHECK(web_target_build(&t, 7, "x", WEB_MUT_REPLACE, &b) == KW_ERR_RANGE);
    web_target_free(&t);

    web_target f = {.method = strdup("POST"), .url = strdup("http://h/login")};
    web_target_add(&f, "user", "admin", WEB_IN_FORM, false);
    web_target_add(&f, "csrf", "t&k=1", WEB_IN_FORM, true);
    CHECK(web_target_build(&f, (size_t)-1, NULL, WEB_MUT_REPLACE, &b) == KW_OK);
    CHECK_STR(b.rq.url, "http://h/login");
    CHECK_STR(b.rq.body, "user=admin&csrf=t%26k%3D1");
    CHECK_STR(b.rq.content_type, "application/x-www-form-urlencoded");
    CHECK_INT(b.rq.body_len, strlen(b.rq.body));
    web_built_free(&b);
    web_target_free(&f);
}

static void test_seed_json(void)
{
    web_target t;
    char err[200];
    CHECK(web_target_from_seed("post http://h/api/search {\"q\":\"shoe\",\"limit\":10,\"opts\":{\"a\":1}}", &t, err,
                               sizeof err) == KW_OK);
    CHECK_STR(t.method, "POST");
    CHECK_INT(t.nparams, 3);
    CHECK(t.params[1].raw);
    web_built b;
    CHECK(web_target_build(&t, 0, "x\"y", WEB_MUT_APPEND, &b) == KW_OK);
    CHECK_STR(b.rq.content_type, "application/json");
    CHECK_STR(b.rq.body, "{\"q\":\"shoex\\\"y\",\"limit\":10,\"opts\":{\"a\":1}}");
    web_built_free(&b);
    CHECK(web_target_build(&t, 1, "1 AND 1=1", WEB_MUT_REPLACE, &b) == KW_OK);
    CHECK_CONTAINS(b.rq.body, "\"limit\":\"1 AND 1=1\"");
    web_built_free(&b);
    web_target_free(&t);
    CHECK(web_target_from_seed("POST http://h/api [1,2]", &t, err, sizeof err) == KW_ERR_PARSE);
    web_target_free(&t);
    CHECK(web_target_from_seed("GET ftp://h/", &t, err, sizeof err) == KW_ERR_PARSE);
    CHECK(web_target_from_seed("", &t, err, sizeof err) == KW_ERR_PARSE);
    CHECK(web_target_from_seed("POST http://h/form a=1&b=%41", &t, err, sizeof err) == KW_OK);
    CHECK_INT(t.nparams, 2);
    CHECK(t.params[1].where == WEB_IN_FORM);
    CHECK_STR(t.params[1].value, "A");
    web_target_free(&t);
}

static void test_path_and_cookie_places(void)
{
    web_target t = {.method = strdup("GET"), .url = strdup("http://h/product/123")};
    web_target_add(&t, "(path)", "123", WEB_IN_PATH, false);
    web_target_add(&t, "lang", "en", WEB_IN_COOKIE, false);
    web_target_add(&t, "sid", "a b", WEB_IN_COOKIE, false);
    web_built b;
    CHECK(web_target_build(&t, 0, "'", WEB_MUT_APPEND, &b) == KW_OK);
    CHECK_STR(b.rq.url, "http://h/product/123%27");
    CHECK_STR(b.cookie_header, "Cookie: lang=en; sid=a b");
    CHECK(b.rq.no_session); /* the shape's cookies stand for the jar's */
    CHECK_INT(b.rq.nheaders, 1);
    web_built_free(&b);
    CHECK(web_target_build(&t, 1, "'x;y\r\n", WEB_MUT_REPLACE, &b) == KW_OK);
    CHECK_STR(b.rq.url, "http://h/product/123");
    CHECK_STR(b.cookie_header, "Cookie: lang='x%3By%0D%0A; sid=a b");
    web_built_free(&b);
    web_target_free(&t);
}

static void test_url_bound(void)
{
    web_target t;
    web_target_from_url("http://h/x?a=1", NULL, &t);
    char *big = malloc(WEB_URL_MAX);
    memset(big, '<', WEB_URL_MAX - 1);
    big[WEB_URL_MAX - 1] = 0;
    web_built b;
    CHECK(web_target_build(&t, 0, big, WEB_MUT_REPLACE, &b) == KW_ERR_RANGE);
    free(big);
    web_target_free(&t);
}

static void test_helpers(void)
{
    const char h[] = "Hello <SCRIPT>kw1</script>";
    CHECK_INT(web_find(h, sizeof h - 1, "<script>"), 6);
    CHECK_INT(web_find(h, sizeof h - 1, "nothere"), (size_t)-1);
    CHECK_INT(web_find(NULL, 0, "x"), (size_t)-1);
    char out[64];
    CHECK(web_pct_encode("a b/é", out, sizeof out));
    CHECK_STR(out, "a%20b%2F%C3%A9");
    CHECK(!web_pct_encode("abcdef", out, 4));
    const char bin[] = "ab\x01\xff\xc3\xa9z";
    web_excerpt(bin, sizeof bin - 1, 0, 100, out, sizeof out);
    CHECK_STR(out, "ab..\xc3\xa9z");
    web_excerpt("0123456789", 10, 5, 2, out, sizeof out);
    CHECK_STR(out, "3456");
    CHECK(web_is_logout("http://h/account/logout.php"));
    CHECK(web_is_logout("http://h/?action=SignOut"));
    CHECK(!web_is_logout("http://h/logs/index"));
}

int main(void)
{
    RUN(test_url_shape_and_key);
    RUN(test_build_query_and_form);
    RUN(test_seed_json);
    RUN(test_path_and_cookie_places);
    RUN(test_url_bound);
    RUN(test_helpers);
    TEST_MAIN_END();
}

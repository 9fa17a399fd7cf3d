/* API descriptions as request shapes (web_openapi_parse): OpenAPI 3 with servers, path and query
 * parameters, a JSON body through a $ref, a form body; Swagger 2 with basePath, body and
 * formData parameters; documents that are not one. */
#include "kw_test.h"

#include "scan/scan_web_int.h"

#include <stdlib.h>
#include <string.h>

static const web_param *param(const web_target *t, const char *name)
{
    for (size_t i = 0; i < t->nparams; i++)
        if (strcmp(t->params[i].name, name) == 0)
            return &t->params[i];
    return NULL;
}

static void free_all(web_target *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        web_target_free(&v[i]);
    free(v);
}

static void test_openapi3(void)
{
    const char doc[] =
        "{\"openapi\":\"3.0.1\",\"servers\":[{\"url\":\"/api\"}],\"paths\":{"
        "\"/items/{id}\":{\"get\":{\"parameters\":[{\"name\":\"id\",\"in\":\"path\",\"schema\":{\"type\":\"integer\","
        "\"example\":7}},{\"name\":\"fields\",\"in\":\"query\",\"schema\":{\"type\":\"string\",\"default\":\"all\"}}]}},"
        "\"/find\":{\"post\":{\"requestBody\":{\"content\":{\"application/json\":{\"schema\":"
        "{\"$ref\":\"#/components/schemas/Find\"}}}}}},"
        "\"/login\":{\"post\":{\"requestBody\":{\"content\":{\"application/x-www-form-urlencoded\":{\"schema\":"
        "{\"properties\":{\"user\":{\"type\":\"string\"}}}}}}}},"
        "\"/ping\":{\"get\":{}}},"
        "\"components\":{\"schemas\":{\"Find\":{\"properties\":{\"name\":{\"type\":\"string\",\"example\":\"lamp\"},"
        "\"limit\":{\"type\":\"integer\"},\"tags\":{\"type\":\"array\"}}}}}}";
    web_target *v;
    size_t n;
    char err[200];
    CHECK(web_openapi_parse("http://h:8080/v3/api-docs", doc, sizeof doc - 1, 100, &v, &n, err, sizeof err) == KW_OK);
    CHECK_INT(n, 3); /* /ping has no parameter */
    const web_target *items = NULL, *find = NULL, *login = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strstr(v[i].url, "/items/"))
            items = &v[i];
        if (strstr(v[i].url, "/find"))
            find = &v[i];
        if (strstr(v[i].url, "/login"))
            login = &v[i];
    }
    CHECK(items && find && login);
    if (items && find && login) {
        CHECK_STR(items->url, "http://h:8080/api/items/7");
        CHECK_STR(items->method, "GET");
        CHECK(param(items, "fields") && param(items, "fields")->where == WEB_IN_QUERY);
        CHECK_STR(param(items, "fields") ? param(items, "fields")->value : NULL, "all");
        CHECK_STR(find->method, "POST");
        CHECK(param(find, "name") && param(find, "name")->where == WEB_IN_JSON);
        CHECK_STR(param(find, "name") ? param(find, "name")->value : NULL, "lamp");
        CHECK(param(find, "limit") && param(find, "limit")->raw);
        CHECK(param(find, "tags") == NULL); /* nested: not an insertion point */
        CHECK(param(login, "user") && param(login, "user")->where == WEB_IN_FORM);
    }
    free_all(v, n);
}

static void test_swagger2_and_bad(void)
{
    const char doc[] = "{\"swagger\":\"2.0\",\"basePath\":\"/v1\",\"paths\":{\"/user\":{\"put\":{\"parameters\":["
                       "{\"in\":\"body\",\"name\":\"b\",\"schema\":{\"$ref\":\"#/definitions/U\"}}]},"
                       "\"post\":{\"parameters\":[{\"in\":\"formData\",\"name\":\"nick\",\"type\":\"string\"}]}}},"
                       "\"definitions\":{\"U\":{\"properties\":{\"email\":{\"type\":\"string\"}}}}}";
    web_target *v;
    size_t n;
    char err[200];
    CHECK(web_openapi_parse("http://h/swagger.json", doc, sizeof doc - 1, 100, &v, &n, err, sizeof err) == KW_OK);
    CHECK_INT(n, 2);
    for (size_t i = 0; i < n; i++) {
        CHECK_STR(v[i].url, "http://h/v1/user");
        if (strcmp(v[i].method, "PUT") == 0)
            CHECK(param(&v[i], "email") && param(&v[i], "email")->where == WEB_IN_JSON);
        else
            CHECK(param(&v[i], "nick") && param(&v[i], "nick")->where == WEB_IN_FORM);
    }
    free_all(v, n);
    CHECK(web_openapi_parse("http://h/x", "{\"paths\":{}}", 12, 10, &v, &n, err, sizeof err) == KW_ERR_PARSE);
    CHECK_CONTAINS(err, "not an OpenAPI");
    CHECK(web_openapi_parse("http://h/x", "<html>", 6, 10, &v, &n, err, sizeof err) == KW_ERR_PARSE);
    /* a $ref loop ends */
    const char loop[] = "{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"post\":{\"requestBody\":{\"$ref\":\"#/r\"}}}},"
                        "\"r\":{\"$ref\":\"#/r\"}}";
    CHECK(web_openapi_parse("http://h/x", loop, sizeof loop - 1, 10, &v, &n, err, sizeof err) == KW_OK);
    CHECK_INT(n, 0);
    free_all(v, n);
}

int main(void)
{
    RUN(test_openapi3);
    RUN(test_swagger2_and_bad);
    TEST_MAIN_END();
}

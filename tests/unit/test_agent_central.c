/* The central config (agent_central.c and agent.groups in agent_conf.c): a server config's
 * groups are checked at load with file:line:col errors; an agent gets the merge of the groups
 * it is a member of, with an ETag that changes with it; the agent merges a document over its
 * local configuration by name (the local items stay) and refuses a bad one whole. */
#include "agent/agent.h"
#include "conf/conf.h"
#include "kw_test.h"

#include <stdlib.h>
#include <string.h>

static conf *load(const char *yaml, conf_errors *errs)
{
    conf *c = NULL;
    conf_load_buffer("server.yaml", yaml, strlen(yaml), &c, errs);
    return c;
}

static const char server_yaml[] =
    "agent:\n"
    "  groups:\n"
    "    - name: web\n"
    "      members: [web-*]\n"
    "      checks:\n"
    "        - {name: db, type: tcp, host: 127.0.0.1, port: 5432, interval: 5s}\n"
    "        - {name: nginx, type: process, process: nginx}\n"
    "      host: {interval: 7s}\n"
    "    - name: web-01-only\n"
    "      members: [web-01]\n"
    "      checks:\n"
    "        - {name: db, type: tcp, host: 127.0.0.1, port: 6432}\n"
    "      logs:\n"
    "        inputs:\n"
    "          - {name: auth, type: file, paths: [/var/log/auth.log], format: syslog}\n";

static const conf_check *find_check(const conf *c, const char *name)
{
    for (size_t i = 0; i < c->checks.n; i++)
        if (strcmp(CONF_AT(c->checks, conf_check, i)->name, name) == 0)
            return CONF_AT(c->checks, conf_check, i);
    return NULL;
}

static void test_server_groups(void)
{
    conf_errors errs = {0};
    conf *c = load(server_yaml, &errs);
    CHECK(c != NULL);
    if (!c) {
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.v[i]);
        conf_errors_free(&errs);
        return;
    }
    CHECK_INT(c->agent.groups.n, 2);
    CHECK_INT(c->agent.config_interval_ms, 60000);
    agent_central *ac = agent_central_new(&c->agent.groups);
    char e1[65], e2[65], e3[65], e4[65];
    char *d1 = agent_central_for(ac, "web-01", e1);
    char *d2 = agent_central_for(ac, "web-02", e2);
    char *d3 = agent_central_for(ac, "db-01", e3);
    char *d1b = agent_central_for(ac, "web-01", e4);
    CHECK_STR(d3, "{}");
    CHECK_STR(e1, e4);                      /* the same document, the same ETag */
    CHECK(strcmp(e1, e2) != 0);
    CHECK_INT(strlen(e1), 32);
    CHECK_CONTAINS(d1, "\"port\":\"6432\"");   /* web-01-only replaced db by name */
    CHECK(strstr(d1, "5432") == NULL);
    CHECK_CONTAINS(d1, "nginx");              /* and kept the rest of web */
    CHECK_CONTAINS(d1, "auth.log");
    CHECK_CONTAINS(d2, "\"port\":\"5432\"");
    CHECK(strstr(d2, "auth.log") == NULL);
    CHECK_CONTAINS(d2, "\"interval\":\"7s\"");

    /* web-01's document, merged over an agent's local file */
    conf *local = load("checks:\n  - {name: db, type: tcp, host: 10.0.0.9, port: 1}\n"
                       "  - {name: own, type: tcp, host: 127.0.0.1, port: 22}\n"
                       "host: {interval: 30s, top_processes: 3}\n",
                       &errs);
    CHECK(local != NULL);
    char err[512] = "";
    CHECK_INT(agent_central_merge(local, d1, strlen(d1), err, sizeof err), KW_OK);
    CHECK_INT(local->checks.n, 3);
    const conf_check *db = find_check(local, "db"), *own = find_check(local, "own");
    CHECK(db && db->port == 6432);
    CHECK(db && strcmp(db->host, "127.0.0.1") == 0);
    CHECK(own && own->port == 22);
    CHECK(find_check(local, "nginx") != NULL);
    CHECK_INT(local->host.interval_ms, 7000);     /* said by the server */
    CHECK_INT(local->host.top_processes, 3);      /* not said: the local one stays */
    CHECK_INT(local->logs.inputs.n, 1);
    conf_free(local);
    free(d1);
    free(d2);
    free(d3);
    free(d1b);
    agent_central_free(ac);
    conf_free(c);
}

static void test_server_groups_refused(void)
{
    static const struct {
        const char *yaml, *want;
    } bad[] = {
        {"agent:\n  groups:\n    - name: g\n      checks: []\n", "server.yaml:3:7: agent.groups: group g needs members"},
        {"agent:\n  groups:\n    - name: g\n      members: [a]\n      checks:\n        - {name: x, type: tcp, port: 99999}\n",
         "server.yaml:6:"},
        {"agent:\n  groups:\n    - name: g\n      members: [\"a b\"]\n", "is not an agent name or glob"},
        {"agent:\n  groups:\n    - name: g\n      members: [a]\n      host: {intervl: 5s}\n", "unknown key \"intervl\""},
        {"agent:\n  groups:\n    - name: g\n      members: [a]\n      checks:\n"
         "        - {name: x, type: tcp, host: 127.0.0.1, port: 1, asset: web}\n",
         "cannot name an asset"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        conf_errors errs = {0};
        conf *c = load(bad[i].yaml, &errs);
        CHECK(c == NULL);
        CHECK(errs.n >= 1);
        if (errs.n)
            CHECK_CONTAINS(errs.v[0], bad[i].want);
        conf_free(c);
        conf_errors_free(&errs);
    }
}

static void test_agent_refuses(void)
{
    static const char *const bad[] = {
        "",
        "[1,2]",
        "{\"checks\": [{\"name\": \"x\", \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": \"0\"}]}",
        "{\"checks\": [{\"name\": \"x\", \"type\": \"nope\"}]}",
        "{\"agent\": {\"server\": \"http://evil.example\"}}",  /* only checks, logs and host */
        "{\"daemon\": {\"state_dir\": \"/\"}}",
        "{\"host\": {\"interval\": \"1ms\"}}",
        "{\"checks\": 5}",
        "{\"checks\": [], \"checks\": []}",
    };
    conf_errors errs = {0};
    conf *local = load("checks:\n  - {name: own, type: tcp, host: 127.0.0.1, port: 22}\nhost: {interval: 30s}\n", &errs);
    CHECK(local != NULL);
    if (!local)
        return;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512] = "";
        CHECK_INT(agent_central_merge(local, bad[i], strlen(bad[i]), err, sizeof err), KW_ERR_PARSE);
        CHECK(err[0] != '\0');
        CHECK_INT(local->checks.n, 1); /* untouched */
        CHECK_INT(local->host.interval_ms, 30000);
        CHECK_STR(CONF_AT(local->checks, conf_check, 0)->name, "own");
    }
    char err[512] = "";
    CHECK_INT(agent_central_merge(local, "{}", 2, err, sizeof err), KW_OK);
    CHECK_INT(local->checks.n, 1);
    conf_free(local);
}

int main(void)
{
    RUN(test_server_groups);
    RUN(test_server_groups_refused);
    RUN(test_agent_refuses);
    TEST_MAIN_END();
}

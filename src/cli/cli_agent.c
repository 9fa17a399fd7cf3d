/* keepwatch agent token add|list|revoke (on the server: the agents and their one-time
 * enrolment tokens in the store) and agent enroll|run (on each machine an agent watches). */
#include "agent/agent.h"
#include "cli/cli.h"
#include "core/kw_log.h"
#include "core/kw_time.h"
#include "http/http_auth.h"
#include "store/store_agent.h"

#include <errno.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char agent_usage[] =
    "usage: keepwatch agent token add --name NAME [--ttl 1h]\n"
    "       keepwatch agent list [--json]\n"
    "       keepwatch agent revoke NAME\n"
    "       keepwatch agent enroll URL --token TOKEN\n"
    "       keepwatch agent run\n"
    "\n"
    "On the server: token add prints a one-time enrolment token (kwe_ and 64 hex digits) for\n"
    "the agent NAME (1 to 63 of A-Z a-z 0-9 . _ -, not a server's name), good for --ttl\n"
    "(default 1h); the store keeps only its SHA-256. list shows every agent (pending,\n"
    "enrolled, revoked), when it enrolled, when it last reported and from where. revoke ends\n"
    "an agent's credential (its batches get 401) and its unused tokens. Every change goes to\n"
    "the duty log. An address refused 20 times (unknown or revoked credentials, bad tokens)\n"
    "waits: 429 with Retry-After.\n"
    "On each watched machine: enroll spends the token at the server URL and writes the agent's\n"
    "own credential to agent.credential_file (mode 0600). run samples the host (host:), runs\n"
    "the checks (checks:) and the log inputs and rules (logs:), and every agent.interval sends\n"
    "what they found (samples, events, alert changes: fired, updated, ended) to agent.server\n"
    "through an on-disk spool (agent.spool_dir, at most agent.spool_max: the oldest metric\n"
    "batches are dropped first, never alert changes) that waits while the server is away and\n"
    "keeps across restarts. TLS is verified (agent.ca_file\n"
    "for a private CA). At start and every agent.config_interval (60s) run asks the server\n"
    "for the checks, logs and host sections of the agent.groups it is in, merges them over its\n"
    "own file by name and restarts its checks and log inputs with them (the last good copy, in\n"
    "state_dir/agent.central, is used when the server is away). At start and every\n"
    "agent.packages_interval (6h; 0: never) run reads the installed OS packages (dpkg, apk or\n"
    "rpm, and os-release, under agent.packages_root) and sends the list when it changed: the\n"
    "server checks it into findings on the agent's host (keepwatch scan packages --agents).\n"
    "Every command takes -c FILE. The server fires agent_silent for an enrolled agent that has\n"
    "not reported for agent.silent_after (60s). run executes keepwatch-agent when it is beside\n"
    "keepwatch: the same agent, linking only what an agent runs (log rules by PCRE2 JIT alone).\n";

typedef struct {
    cli_listing *out;
    size_t n;
} list_ctx;

static void put_time(kw_buf *b, int64_t ms, int width)
{
    char t[40] = "-";
    if (ms)
        kw_time_iso8601(ms, t, sizeof t);
    kw_buf_printf(b, "%-*.19s ", width, t);
}

static void list_one(void *arg, const store_agent *a)
{
    list_ctx *x = arg;
    x->n++;
    if (x->out->json) {
        agent_json(&x->out->j, a, -1);
        return;
    }
    kw_buf *b = &x->out->b;
    cli_put_col(b, a->name, 24);
    kw_buf_printf(b, "%-8s ", agent_state_name(a));
    put_time(b, a->enrolled_ms, 19);
    put_time(b, a->last_seen_ms, 19);
    kw_buf_printf(b, "%-15s %lld\n", a->address[0] ? a->address : "-", (long long)a->last_seq);
}

/* A change to the agents with its duty-log entry, in one transaction. */
static int agent_change(kw_store *st, const char *cmd, kw_rc rc, const char *kind, const char *who, const char *text)
{
    if (rc == KW_OK)
        rc = store_duty_append(st, kw_now_ms(), kind, who, 0, text);
    if (rc == KW_OK)
        rc = store_commit(st);
    if (rc != KW_OK) {
        store_rollback(st);
        fprintf(stderr, "keepwatch agent %s: %s\n", cmd, store_errmsg(st));
        return KW_EXIT_PROBLEM;
    }
    return KW_EXIT_OK;
}

static int token_add(kw_store *st, const char *name, int64_t ttl, const char *who)
{
    char tok[4 + 64 + 1], hash[65], text[256];
    memcpy(tok, AGENT_ENROL_PREFIX, sizeof AGENT_ENROL_PREFIX);
    auth_random_hex(tok + strlen(AGENT_ENROL_PREFIX), 32);
    auth_sha256_hex(tok, hash);
    int64_t now = kw_now_ms();
    snprintf(text, sizeof text, "enrolment token for agent %s added (good for %lld s)", name, (long long)(ttl / 1000));
    kw_rc rc = store_begin(st);
    if (rc == KW_OK)
        rc = store_agent_token_add(st, name, hash, now, now + ttl);
    int code = rc == KW_OK ? agent_change(st, "token add", rc, "agent.token", who, text) : KW_EXIT_PROBLEM;
    if (rc != KW_OK) {
        store_rollback(st);
        fprintf(stderr, "keepwatch agent token add: %s\n", store_errmsg(st));
    }
    if (code == KW_EXIT_OK) {
        printf("%s\n", tok);
        fprintf(stderr, "enrolment token for %s: shown once, good for %lld s: keepwatch agent enroll URL --token TOKEN\n",
                name, (long long)(ttl / 1000));
    }
    OPENSSL_cleanse(tok, sizeof tok);
    return code;
}

static int agent_revoke(kw_store *st, const char *name, const char *who)
{
    char text[256];
    snprintf(text, sizeof text, "agent %s revoked", name);
    kw_rc rc = store_begin(st);
    if (rc == KW_OK)
        rc = store_agent_revoke(st, name, kw_now_ms());
    if (rc == KW_ERR_NOTFOUND || rc == KW_ERR_RANGE) {
        store_rollback(st);
        fprintf(stderr, "keepwatch agent revoke: %s %s\n", name,
                rc == KW_ERR_NOTFOUND ? "is not an agent (keepwatch agent list)" : "is revoked already");
        return KW_EXIT_PROBLEM;
    }
    int code = agent_change(st, "revoke", rc, "agent.revoked", who, text);
    if (code == KW_EXIT_OK)
        printf("%s\n", text);
    return code;
}

typedef struct server_find {
    const char *name;
    bool found;
} server_find;

static void server_is(void *arg, const char *server, int64_t started_ms, int64_t seen_ms, bool leads)
{
    server_find *f = arg;
    f->found = f->found || strcasecmp(server, f->name) == 0;
}

/* A host's name is who it is in the fleet, its page and its alerts: an agent named like this
 * server (daemon.name, else the host name: what cli_store_open recorded) or another on the
 * store would be shown as it. */
static bool named_like_server(kw_store *st, const char *name)
{
    char self[64];
    server_find f = {name, strcasecmp(store_default_server_name(self, sizeof self), name) == 0};
    if (!f.found)
        store_servers_each(st, server_is, &f);
    return f.found;
}

/* The server's commands: on the store, its agent tables brought up to date first. */
static int agent_store_cmd(const char *cfg, const char *verb, const char *name, int64_t ttl, bool json)
{
    kw_store *st = cli_store_open(cfg, "agent", strcmp(verb, "list") == 0);
    if (!st)
        return KW_EXIT_USAGE;
    if (store_agent_migrate(st) != KW_OK) {
        fprintf(stderr, "keepwatch agent: the agent tables: %s\n", store_errmsg(st));
        store_close(st);
        return KW_EXIT_PROBLEM;
    }
    char who[128];
    cli_whoami(who, sizeof who);
    int code;
    if (strcmp(verb, "list") == 0) {
        cli_listing out;
        cli_listing_begin(&out, json, "%-24s %-8s %-19s %-19s %-15s %s\n", "NAME", "STATE", "ENROLLED", "LAST SEEN",
                          "ADDRESS", "LAST BATCH");
        list_ctx x = {&out, 0};
        code = store_agent_each(st, list_one, &x) == KW_OK ? KW_EXIT_OK : KW_EXIT_PROBLEM;
        cli_listing_end(&out, x.n, "no agents: keepwatch agent token add --name NAME\n");
    } else if (strcmp(verb, "revoke") == 0) {
        code = agent_revoke(st, name, who);
    } else if (named_like_server(st, name)) {
        fprintf(stderr, "keepwatch agent token add: %s is the name of a keepwatch server on this store "
                        "(daemon.name, else its host name): an agent needs a name of its own\n", name);
        code = KW_EXIT_USAGE;
    } else {
        code = token_add(st, name, ttl, who);
    }
    store_close(st);
    return code;
}

static int agent_enroll_cmd(const char *cfg, const char *url, const char *token)
{
    conf *c = cli_conf_load(cli_conf_path(cfg));
    if (!c)
        return KW_EXIT_USAGE;
    char *path = conf_state_path(c, c->agent.credential_file);
    char err[1024];
    kw_rc rc = agent_enroll(url, token, c->agent.ca_file, path, err, sizeof err);
    if (rc == KW_OK)
        printf("enrolled as %s; the credential is in %s\n", err, path);
    else
        fprintf(stderr, "keepwatch agent enroll: %s\n", err);
    free(path);
    conf_free(c);
    return rc == KW_OK ? KW_EXIT_OK : KW_EXIT_PROBLEM;
}

int cli_agent_run_inproc(const char *cfg)
{
    conf *c = cli_conf_load(cli_conf_path(cfg));
    if (!c)
        return KW_EXIT_USAGE;
    kw_log_init("keepwatch-agent", (kw_log_level)c->daemon.log_level, false);
    int code = agent_run(c);
    conf_free(c);
    return code;
}

/* agent run: keepwatch-agent from this binary's own directory when it is there (the same
 * agent, linking a third of the libraries: src/agent_main.c), else this process. */
static int agent_run_cmd(const char *cfg)
{
    char self[4096], agent[4096 + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0 && !getenv("KEEPWATCH_AGENT_INPROC")) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(agent, sizeof agent, "%s/keepwatch-agent", self);
            if (access(agent, X_OK) == 0) {
                char *argv[] = {agent, (char *)"-c", (char *)cfg, NULL};
                if (!cfg)
                    argv[1] = NULL;
                fflush(NULL);
                execv(agent, argv);
                fprintf(stderr, "keepwatch agent run: %s: %s; running in this process\n", agent, strerror(errno));
            }
        }
    }
    return cli_agent_run_inproc(cfg);
}

typedef struct agent_opts {
    const char *cfg, *name, *ttl, *token;
    bool json;
} agent_opts;

static bool agent_parse(int argc, char **argv, int first, agent_opts *o)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"ttl", required_argument, NULL, 't'},
                                         {"token", required_argument, NULL, 'k'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0}};
    int ch;
    optind = first;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->cfg = optarg; break;
        case 'n': o->name = optarg; break;
        case 't': o->ttl = optarg; break;
        case 'k': o->token = optarg; break;
        case 'j': o->json = true; break;
        default: return false;
        }
    }
    return true;
}

static int agent_usage_error(const char *why)
{
    fprintf(stderr, "keepwatch agent: %s\n\n%s", why, agent_usage);
    return KW_EXIT_USAGE;
}

int cli_agent(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(agent_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    bool token = strcmp(verb, "token") == 0;
    if (token && (argc < 3 || strcmp(argv[2], "add") != 0))
        return agent_usage_error("agent token add --name NAME");
    agent_opts o = {0};
    if (!agent_parse(argc, argv, token ? 3 : 2, &o))
        return agent_usage_error("bad option");
    int left = argc - optind;
    if (token) {
        int64_t ttl = 3600000;
        char err[128];
        if (left || !o.name || !store_agent_name_ok(o.name))
            return agent_usage_error("--name is 1 to 63 of A-Z a-z 0-9 . _ -");
        if (o.ttl && (kw_duration_parse(o.ttl, &ttl, err, sizeof err) != KW_OK || ttl <= 0))
            return agent_usage_error("--ttl is a duration (1h, 30m, 7d)");
        return agent_store_cmd(o.cfg, "token", o.name, ttl, false);
    }
    if (strcmp(verb, "list") == 0 && !left)
        return agent_store_cmd(o.cfg, "list", NULL, 0, o.json);
    if (strcmp(verb, "revoke") == 0 && left == 1)
        return agent_store_cmd(o.cfg, "revoke", argv[optind], 0, false);
    if (strcmp(verb, "enroll") == 0 && left == 1 && o.token)
        return agent_enroll_cmd(o.cfg, argv[optind], o.token);
    if (strcmp(verb, "run") == 0 && !left)
        return agent_run_cmd(o.cfg);
    return agent_usage_error("bad command");
}

#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_time.h"
#include "host/host.h"
#include "conf/conf.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char host_usage[] =
    "usage: keepwatch host status [--json] [--interval DURATION] [-c FILE]\n"
    "       keepwatch host list [--kind K] [--state S] [--group G] [--asset A] [--department D]\n"
    "                           [--json] [-c FILE]\n"
    "\n"
    "list asks the running keepwatch serve (http.listen, with state_dir/api.token) for the fleet:\n"
    "this server and the others on its store, every agent and every SNMP device, with its state,\n"
    "last report, CPU, memory, fullest filesystem and open alerts (as GET /api/v1/hosts), and\n"
    "what it is grouped by: its asset (assets:, by name or address), the asset's department and\n"
    "the agent.groups it is in. --kind (server, agent, snmp), --state (up, silent, never,\n"
    "pending, revoked, unreachable, ...), --group, --asset and --department keep only those.\n"
    "\n"
    "status: "
    "One snapshot of this machine, without a daemon: CPU (total, per mode, per core), load,\n"
    "memory and swap, filesystems (space and inodes), disk I/O, network interfaces, process\n"
    "counts and the top processes by CPU and by memory. Rates are measured over --interval\n"
    "(default 1s) between two readings, as vmstat and iostat do.\n"
    "\n"
    "  --json              one ECS document (event.kind: metric), as the API's /api/v1/host\n"
    "  --interval D        time between the two readings (100ms to 1m)\n"
    "  -c, --config FILE   the host: section (ignored filesystems, interfaces, disks; top_processes)\n";

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
    return kw_buf_append(arg, p, sz * n) == KW_OK ? sz * n : 0;
}

static void pct(kw_buf *o, json_t *v)
{
    if (json_is_number(v))
        kw_buf_printf(o, " %5.1f%%", json_number_value(v) * 100.0);
    else
        kw_buf_puts(o, "      -");
}

/* The table of GET /api/v1/hosts. */
static void hosts_text(json_t *hosts, kw_buf *o)
{
    kw_buf_printf(o, "%-24s %-7s %-12s %-20s %7s %7s %7s %6s\n", "NAME", "KIND", "STATE", "LAST REPORT", "CPU",
                  "MEMORY", "DISK", "ALERTS");
    size_t i;
    json_t *h;
    json_array_foreach(hosts, i, h) {
        const char *last = json_string_value(json_object_get(h, "last_report"));
        kw_buf_printf(o, "%-24.24s %-7s %-12s %-20.20s", json_string_value(json_object_get(h, "name")) ?: "?",
                      json_string_value(json_object_get(h, "kind")) ?: "?",
                      json_string_value(json_object_get(h, "state")) ?: "?", last ? last : "-");
        pct(o, json_object_get(h, "cpu_ratio"));
        pct(o, json_object_get(h, "memory_ratio"));
        pct(o, json_object_get(h, "disk_ratio"));
        kw_buf_printf(o, " %6lld\n", (long long)json_integer_value(json_object_get(h, "alerts")));
    }
}

static int host_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},        {"config", required_argument, NULL, 'c'},
        {"kind", required_argument, NULL, 'k'},  {"state", required_argument, NULL, 's'},
        {"group", required_argument, NULL, 'g'}, {"asset", required_argument, NULL, 'a'},
        {"department", required_argument, NULL, 'd'}, {0},
    };
    bool json = false;
    const char *path = NULL;
    const char *filter[5] = {0}; /* kind, state, group, asset, department */
    static const char *const filter_keys[5] = {"kind", "state", "group", "asset", "department"};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        const char *at = strchr("ksgad", ch);
        if (ch == 'j')
            json = true;
        else if (ch == 'c')
            path = optarg;
        else if (ch && at)
            filter[at - "ksgad"] = optarg;
        else {
            fputs(host_usage, stderr);
            return KW_EXIT_USAGE;
        }
    }
    conf *c = cli_conf_load(cli_conf_path(path));
    if (!c)
        return KW_EXIT_USAGE;
    char *tokp = conf_state_path(c, "api.token");
    FILE *tf = fopen(tokp, "re");
    char tok[80] = "";
    if (!tf || !fgets(tok, sizeof tok, tf)) {
        fprintf(stderr, "keepwatch host list: cannot read %s (run as the daemon's user or root)\n", tokp);
        if (tf)
            fclose(tf);
        free(tokp);
        conf_free(c);
        return KW_EXIT_PROBLEM;
    }
    fclose(tf);
    free(tokp);
    tok[strcspn(tok, "\r\n")] = '\0';
    bool tls = c->http.tls_cert && c->http.tls_key;
    char url[512], auth[128];
    int at = snprintf(url, sizeof url, "%s://%s/api/v1/hosts", tls ? "https" : "http", c->http.listen);
    CURL *esc = curl_easy_init();
    for (int i = 0; i < 5 && esc; i++) {
        if (!filter[i] || at < 0 || (size_t)at >= sizeof url)
            continue;
        char *v = curl_easy_escape(esc, filter[i], 0);
        at += snprintf(url + at, sizeof url - (size_t)at, "%c%s=%s", strchr(url, '?') ? '&' : '?', filter_keys[i],
                       v ? v : "");
        curl_free(v);
    }
    curl_easy_cleanup(esc);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    OPENSSL_cleanse(tok, sizeof tok);
    kw_buf body;
    kw_buf_init(&body, 64 << 20);
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    OPENSSL_cleanse(auth, sizeof auth);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (tls) /* our own listener on loopback: its certificate names the service, not this address */
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    conf_free(c);
    json_t *doc = rc == CURLE_OK && status == 200 ? json_loadb(body.data ? body.data : "", body.len, 0, NULL) : NULL;
    json_t *hosts = json_object_get(doc, "hosts");
    if (!json_is_array(hosts)) {
        fprintf(stderr, "keepwatch host list: %s answered %s%ld: %.200s\n", url,
                rc == CURLE_OK ? "HTTP " : curl_easy_strerror(rc), rc == CURLE_OK ? status : 0L,
                rc == CURLE_OK ? kw_buf_cstr(&body) : "(is keepwatch serve running?)");
        json_decref(doc);
        kw_buf_free(&body);
        return KW_EXIT_PROBLEM;
    }
    kw_buf out;
    kw_buf_init(&out, 0);
    if (json) {
        kw_buf_append(&out, body.data, body.len);
        kw_buf_putc(&out, '\n');
    } else {
        hosts_text(hosts, &out);
    }
    fputs(kw_buf_cstr(&out), stdout);
    kw_buf_free(&out);
    kw_buf_free(&body);
    json_decref(doc);
    return KW_EXIT_OK;
}

int cli_host(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(host_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    if (strcmp(argv[1], "list") == 0)
        return host_list(argc, argv);
    if (strcmp(argv[1], "status") != 0) {
        fprintf(stderr, "keepwatch host: unknown command \"%s\"\n\n%s", argv[1], host_usage);
        return KW_EXIT_USAGE;
    }
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"interval", required_argument, NULL, 'i'},
        {"config", required_argument, NULL, 'c'},
        {0},
    };
    bool json = false;
    const char *path = NULL;
    int64_t interval = 1000;
    char err[256];
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'j': json = true; break;
        case 'c': path = optarg; break;
        case 'i':
            if (kw_duration_parse(optarg, &interval, err, sizeof err) != KW_OK || interval < 100 || interval > 60000) {
                fprintf(stderr, "keepwatch host status: --interval: %s\n",
                        interval < 100 || interval > 60000 ? "use 100ms to 1m" : err);
                return KW_EXIT_USAGE;
            }
            break;
        default: fputs(host_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    conf *c = cli_conf_load(cli_conf_path(path));
    if (!c)
        return KW_EXIT_USAGE;
    host_collector *hc = host_collector_new(c, NULL);
    host_snapshot *s = NULL;
    host_collect(hc, &s);
    host_snapshot_free(s);
    struct timespec ts = {interval / 1000, (interval % 1000) * 1000000};
    nanosleep(&ts, NULL);
    host_collect(hc, &s);
    kw_buf out;
    kw_buf_init(&out, 0);
    if (json) {
        host_snapshot_json(s, &out);
        kw_buf_putc(&out, '\n');
    } else {
        host_snapshot_text(s, &out);
    }
    fputs(kw_buf_cstr(&out), stdout);
    kw_buf_free(&out);
    host_snapshot_free(s);
    host_collector_free(hc);
    conf_free(c);
    return KW_EXIT_OK;
}

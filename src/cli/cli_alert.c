/* keepwatch alert list|show|ack|resolve|assign|comment: reads and writes the store directly, so it works
 * with or without a running daemon (SQLite's WAL lets both use it at once). */
#include "alert/alert.h"
#include "cli/cli.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "store/store.h"

#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char alert_usage[] =
    "usage: keepwatch alert list [--state firing|acked|resolved|open] [--severity S] [--text T]\n"
    "                            [--assignee NAME|none] [--limit N | --all] [--json] [-c FILE]\n"
    "       keepwatch alert show ID [--json] [-c FILE]\n"
    "       keepwatch alert ack ID [--by NAME] [--note TEXT] [-c FILE]\n"
    "       keepwatch alert resolve ID [--by NAME] [--note TEXT] [-c FILE]\n"
    "       keepwatch alert assign ID NAME|none [--by NAME] [-c FILE]\n"
    "       keepwatch alert comment ID TEXT [--by NAME] [-c FILE]\n"
    "\n"
    "  list      alerts newest first (default: the last 50 of any state; says how many more\n"
    "            match: --limit N shows N, --all every one)\n"
    "  show      one alert with its full history: fired, updated, acknowledged, resolved\n"
    "  ack       acknowledge a firing alert: someone is on it\n"
    "  resolve   close an open alert by hand (if its condition persists it fires anew)\n"
    "  assign    give an open alert to a person (none: to nobody)\n"
    "  comment   add a comment to an alert's timeline\n"
    "\n"
    "  --severity S   list: this severity and above (low, medium, high, critical)\n"
    "  --text T       list: T in the summary or the rule's name\n"
    "  --assignee N   list: assigned to N (none: to nobody)\n"
    "  --by NAME    who acts (default: the login name)\n"
    "  --note TEXT  a note kept in the alert's history\n"
    "  --json       JSON as the HTTP API returns it\n"
    "  -c FILE      the configuration, for daemon.state_dir (default ./var)\n"
    "\n"
    "These work on the store directly, with or without a running daemon. Exit status: 0 ok,\n"
    "1 the alert is not in a state that allows it (or does not exist), 2 bad usage.\n";

static int alert_fail_usage(const char *msg)
{
    fprintf(stderr, "keepwatch alert: %s\n\n%s", msg, alert_usage);
    return KW_EXIT_USAGE;
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* "2026-11-24T04:23:54.123Z" -> "2026-11-24 04:23:54" */
static void short_time(const char *iso, char *out, size_t n)
{
    snprintf(out, n, "%.10s %.8s", iso, strlen(iso) > 11 ? iso + 11 : "");
}

/* 1234567 -> "1,234,567" */
static void group_digits(int64_t v, char *out, size_t n)
{
    char d[32];
    int len = snprintf(d, sizeof d, "%lld", (long long)v), k = 0;
    for (int i = 0; i < len && (size_t)k + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = d[i];
    }
    out[k] = '\0';
}

/* Prints the alerts and, when the filters match more than were shown, how many more. */
static void print_list(const char *json, int64_t total)
{
    json_t *root = json_loads(json, 0, NULL);
    json_t *arr = json_object_get(root, "alerts");
    if (!json_array_size(arr)) {
        printf("no alerts\n");
        json_decref(root);
        return;
    }
    printf("%6s  %-8s  %-8s  %-19s  %s\n", "ID", "STATE", "SEVERITY", "STARTED (UTC)", "SUMMARY");
    size_t i;
    json_t *a;
    json_array_foreach(arr, i, a) {
        char t[32];
        short_time(jstr(a, "started_at"), t, sizeof t);
        printf("%6lld  %-8s  %-8s  %-19s  %s\n", (long long)json_integer_value(json_object_get(a, "id")),
               jstr(a, "state"), jstr(a, "severity_name"), t, jstr(a, "summary"));
    }
    int64_t more = total - (int64_t)json_array_size(arr);
    if (more > 0) {
        char n[40];
        group_digits(more, n, sizeof n);
        printf("... %s more; --limit N or --all\n", n);
    }
    json_decref(root);
}

static void print_one(const char *json)
{
    json_t *a = json_loads(json, 0, NULL);
    char t[32];
    printf("alert %lld: %s\n", (long long)json_integer_value(json_object_get(a, "id")), jstr(a, "summary"));
    printf("  rule       %s (fingerprint %s)\n", jstr(a, "rule"), jstr(a, "fingerprint"));
    printf("  state      %s, severity %s\n", jstr(a, "state"), jstr(a, "severity_name"));
    if (*jstr(a, "assignee"))
        printf("  assignee   %s\n", jstr(a, "assignee"));
    char *labels = json_dumps(json_object_get(a, "labels"), JSON_COMPACT);
    printf("  labels     %s\n", labels ? labels : "{}");
    free(labels);
    json_t *v = json_object_get(a, "peak");
    if (json_is_number(v))
        printf("  value      %g (peak %g, threshold %g)\n", json_number_value(json_object_get(a, "value")),
               json_number_value(v), json_number_value(json_object_get(a, "threshold")));
    short_time(jstr(a, "started_at"), t, sizeof t);
    printf("  started    %s UTC\n", t);
    if (*jstr(a, "acked_by")) {
        short_time(jstr(a, "acked_at"), t, sizeof t);
        printf("  acked      %s UTC by %s%s%s\n", t, jstr(a, "acked_by"), *jstr(a, "ack_note") ? ": " : "",
               jstr(a, "ack_note"));
    }
    if (*jstr(a, "resolved_at")) {
        short_time(jstr(a, "resolved_at"), t, sizeof t);
        printf("  resolved   %s UTC by %s (%s)\n", t, jstr(a, "resolved_by"), jstr(a, "resolve_reason"));
    }
    json_t *top = json_object_get(json_object_get(a, "details"), "top_processes");
    size_t i;
    json_t *p;
    if (json_array_size(top)) {
        printf("  top processes when it fired:\n");
        json_array_foreach(top, i, p)
            printf("    %-16s pid %-7lld %5.1f%% cpu  %s\n", jstr(p, "name"),
                   (long long)json_integer_value(json_object_get(p, "pid")),
                   json_number_value(json_object_get(p, "cpu_pct")) * 100, jstr(p, "command_line"));
    }
    printf("  history:\n");
    json_array_foreach(json_object_get(a, "history"), i, p) {
        short_time(jstr(p, "at"), t, sizeof t);
        printf("    %s  %-12s %-10s %s\n", t, jstr(p, "action"), jstr(p, "actor"), jstr(p, "note"));
    }
    json_decref(a);
}

int cli_alert(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(alert_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
        {"state", required_argument, NULL, 's'},  {"limit", required_argument, NULL, 'l'},
        {"by", required_argument, NULL, 'b'},     {"note", required_argument, NULL, 'n'},
        {"severity", required_argument, NULL, 'v'}, {"text", required_argument, NULL, 't'},
        {"assignee", required_argument, NULL, 'a'}, {"all", no_argument, NULL, 'A'}, {0},
    };
    const char *cfg = NULL, *by = NULL, *note = NULL;
    bool json = false;
    store_alert_query q = {.limit = 50};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfg = optarg; break;
        case 'j': json = true; break;
        case 's':
            q.state = strcmp(optarg, "open") == 0 ? -1 : alert_state_parse(optarg);
            if (!q.state)
                return alert_fail_usage("--state takes firing, acked, resolved or open");
            break;
        case 'l': {
            char *end;
            q.limit = strtoll(optarg, &end, 10);
            if (*end || q.limit < 1 || q.limit > 100000)
                return alert_fail_usage("--limit takes a number from 1 to 100000");
            break;
        }
        case 'b': by = optarg; break;
        case 'n': note = optarg; break;
        case 'v':
            for (int i = 1; i <= 4; i++)
                if (!strcmp(optarg, kw_severity_name(i)))
                    q.min_severity = i;
            if (!q.min_severity)
                return alert_fail_usage("--severity takes low, medium, high or critical");
            break;
        case 't': q.text = optarg; break;
        case 'a': q.assignee = strcmp(optarg, "none") == 0 ? "" : optarg; break;
        case 'A': q.limit = INT64_MAX; break;
        default: fputs(alert_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    bool list = strcmp(verb, "list") == 0;
    bool two = strcmp(verb, "assign") == 0 || strcmp(verb, "comment") == 0; /* ID and one more */
    if (!list && !two && strcmp(verb, "show") != 0 && strcmp(verb, "ack") != 0 && strcmp(verb, "resolve") != 0)
        return alert_fail_usage("unknown command");
    int64_t id = 0;
    if (!list) {
        if (optind != argc - 1 - two)
            return alert_fail_usage(two ? strcmp(verb, "assign") == 0 ? "give the alert ID and a name (or none)"
                                                                      : "give the alert ID and the comment"
                                        : "give one alert ID");
        char *end;
        id = strtoll(argv[optind], &end, 10);
        if (*end || id <= 0)
            return alert_fail_usage("the alert ID is a positive number");
    } else if (optind != argc) {
        return alert_fail_usage("list takes no arguments");
    }
    kw_store *s = cli_store_open(cfg, "alert", list || strcmp(verb, "show") == 0);
    if (!s)
        return KW_EXIT_USAGE;
    kw_buf b;
    kw_buf_init(&b, 0);
    int status = KW_EXIT_OK;
    kw_rc rc;
    if (list) {
        int64_t total = 0;
        rc = store_alert_list_json(s, &q, &b);
        if (rc == KW_OK && !json)
            rc = store_alert_count_matching(s, &q, &total);
        if (rc == KW_OK)
            json ? (void)puts(kw_buf_cstr(&b)) : print_list(kw_buf_cstr(&b), total);
    } else if (strcmp(verb, "show") == 0) {
        rc = store_alert_get_json(s, id, &b);
        if (rc == KW_OK)
            json ? (void)puts(kw_buf_cstr(&b)) : print_one(kw_buf_cstr(&b));
    } else if (two) {
        char who[64];
        if (!by)
            by = cli_whoami(who, sizeof who);
        const char *arg = argv[argc - 1];
        int prev = 0;
        if (strcmp(verb, "assign") == 0) {
            bool nobody = strcmp(arg, "none") == 0;
            rc = store_alert_assign(s, id, nobody ? NULL : arg, by, kw_now_ms(), &prev);
            if (rc == KW_OK)
                printf("alert %lld assigned to %s by %s\n", (long long)id, nobody ? "nobody" : arg, by);
        } else if (!*arg || strlen(arg) > 16384) {
            fprintf(stderr, "keepwatch alert: a comment is 1 byte to 16 KiB\n");
            rc = KW_OK;
            status = KW_EXIT_USAGE;
        } else {
            rc = store_alert_comment(s, id, by, arg, kw_now_ms());
            if (rc == KW_OK)
                printf("comment added to alert %lld by %s\n", (long long)id, by);
        }
        if (rc == KW_ERR_RANGE) {
            fprintf(stderr, "keepwatch alert: alert %lld is %s\n", (long long)id, alert_state_name(prev));
            status = KW_EXIT_PROBLEM;
            rc = KW_OK;
        }
    } else {
        bool ack = strcmp(verb, "ack") == 0;
        char who[64];
        if (!by)
            by = cli_whoami(who, sizeof who);
        int prev = 0;
        rc = ack ? store_alert_ack(s, id, by, note, kw_now_ms(), &prev)
                 : store_alert_resolve(s, id, by, note, kw_now_ms(), &prev);
        if (rc == KW_OK)
            printf("alert %lld %s by %s\n", (long long)id, ack ? "acknowledged" : "resolved", by);
        else if (rc == KW_ERR_RANGE) {
            fprintf(stderr, "keepwatch alert: alert %lld is %s\n", (long long)id, alert_state_name(prev));
            status = KW_EXIT_PROBLEM;
            rc = KW_OK;
        }
    }
    if (rc == KW_ERR_NOTFOUND) {
        fprintf(stderr, "keepwatch alert: no alert %lld\n", (long long)id);
        status = KW_EXIT_PROBLEM;
    } else if (rc != KW_OK) {
        fprintf(stderr, "keepwatch alert: store error: %s\n", store_errmsg(s));
        status = KW_EXIT_PROBLEM;
    }
    kw_buf_free(&b);
    store_close(s);
    return status;
}

#include "cli/cli.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "daemon/daemon.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char serve_usage[] =
    "usage: keepwatch serve [-c FILE] [--syslog] [--pidfile FILE] [--user NAME]\n"
    "\n"
    "Runs the daemon in the foreground: the host sensor, the service checks, the rules and\n"
    "alerts, the store and the HTTP API. State (keepwatch.db, api.token, events.jsonl) lives in\n"
    "daemon.state_dir (default ./var).\n"
    "\n"
    "  -c, --config FILE   the YAML configuration (default: $KEEPWATCH_CONFIG, else built-in)\n"
    "      --syslog        log to syslog (facility daemon) instead of stderr\n"
    "      --pidfile FILE  write the process id to FILE\n"
    "      --user NAME     instead of daemon.user (default keepwatch): started as root, become\n"
    "                      NAME once captures, sockets and log files are open; \"\" stays root\n"
    "\n"
    "signals: SIGHUP reloads the configuration (a bad file is logged and the running\n"
    "configuration stays); SIGTERM or SIGINT stop cleanly within 2 seconds.\n"
    "\n"
    "HTTP (http.listen, default 127.0.0.1:8787; HTTPS with http.tls_cert and http.tls_key):\n"
    "  /                                 the web console (sign in with a user from `keepwatch user add`)\n"
    "  GET  /api/v1/health               {\"status\":\"ok\"} to anyone (503 \"starting\" until started), more with a token\n"
    "  POST|GET|DELETE /api/v1/session   sign in {\"name\", \"password\"}, who is signed in, sign out\n"
    "  GET  /metrics                     Prometheus text format\n"
    "  GET  /api/v1/alerts[?state=S&severity=S&q=TEXT&assignee=NAME|none&limit=N&before=ID]\n"
    "  GET  /api/v1/alerts/ID            one alert with its history\n"
    "  POST /api/v1/alerts/ID/ack        body (optional): {\"by\": \"name\", \"note\": \"text\"}\n"
    "  POST /api/v1/alerts/ID/resolve    body as for ack\n"
    "  POST /api/v1/alerts/ID/assign     {\"to\": \"name\"} or {\"to\": null}\n"
    "  POST /api/v1/alerts/ID/comments   {\"text\": \"...\"}\n"
    "  GET  /api/v1/stream               live updates (server-sent events)\n"
    "  GET  /api/v1/overview|duty|oncall|series|host|net|logs   the console's data\n"
    "  POST /api/v1/duty/notes|handover  {\"text\"}; {\"to\", \"note\"}\n"
    "  GET  /api/v1/reports              the scheduled reports kept (report.daily_at, period) and their jobs\n"
    "  GET  /api/v1/reports/files/NAME   download a kept report's file\n"
    "  POST /api/v1/reports/jobs/NAME/run  make the daily or period report now (officers)\n"
    "All but health and signing in need 'Authorization: Bearer TOKEN' (TOKEN: state_dir/api.token)\n"
    "or a console session; with a session, changes need the X-CSRF-Token header. See keepwatch(1).\n";

int cli_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"syslog", no_argument, NULL, 's'},
        {"pidfile", required_argument, NULL, 'p'},
        {"user", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    daemon_opts o = {0};
    const char *path = NULL, *user = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': path = optarg; break;
        case 's': o.use_syslog = true; break;
        case 'p': o.pidfile = optarg; break;
        case 'u': user = optarg; break;
        case 'h': fputs(serve_usage, stdout); return KW_EXIT_OK;
        default: fputs(serve_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "keepwatch serve: unexpected argument \"%s\"\n", argv[optind]);
        return KW_EXIT_USAGE;
    }
    o.config_path = cli_conf_path(path);
    conf *c = cli_conf_load(o.config_path);
    if (!c)
        return KW_EXIT_USAGE;
    if (user) {
        free(c->daemon.user);
        c->daemon.user = kw_strdup(user);
    }
    kw_log_init("keepwatch", (kw_log_level)c->daemon.log_level, o.use_syslog);
    return daemon_run(c, &o);
}

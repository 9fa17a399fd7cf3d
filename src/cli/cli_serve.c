#include "cli/cli.h"
#include "core/kw_log.h"
#include "daemon/daemon.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char serve_usage[] =
    "usage: keepwatch serve [-c FILE] [--syslog] [--pidfile FILE]\n"
    "\n"
    "Runs the daemon in the foreground: the host sensor, the service checks, the rules and\n"
    "alerts, the store and the HTTP API. State (keepwatch.db, api.token, events.jsonl) lives in\n"
    "daemon.state_dir (default ./var).\n"
    "\n"
    "  -c, --config FILE   the YAML configuration (default: $KEEPWATCH_CONFIG, else built-in)\n"
    "      --syslog        log to syslog (facility daemon) instead of stderr\n"
    "      --pidfile FILE  write the process id to FILE\n"
    "\n"
    "signals: SIGHUP reloads the configuration (a bad file is logged and the running\n"
    "configuration stays); SIGTERM or SIGINT stop cleanly within 2 seconds.\n"
    "\n"
    "HTTP (default 127.0.0.1:8787):\n"
    "  GET  /api/v1/health               no token needed\n"
    "  GET  /metrics                     Prometheus text format, no token needed\n"
    "  GET  /api/v1/alerts[?state=firing|acked|resolved|open&limit=N&before=ID]\n"
    "  GET  /api/v1/alerts/ID            one alert with its history\n"
    "  POST /api/v1/alerts/ID/ack        body (optional): {\"by\": \"name\", \"note\": \"text\"}\n"
    "  POST /api/v1/alerts/ID/resolve    body as for ack\n"
    "  GET  /api/v1/host                 the latest host reading (ECS)\n"
    "The /api/ paths need 'Authorization: Bearer TOKEN', TOKEN being state_dir/api.token.\n";

int cli_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"syslog", no_argument, NULL, 's'},
        {"pidfile", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    daemon_opts o = {0};
    const char *path = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': path = optarg; break;
        case 's': o.use_syslog = true; break;
        case 'p': o.pidfile = optarg; break;
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
    kw_log_init("keepwatch", (kw_log_level)c->daemon.log_level, o.use_syslog);
    return daemon_run(c, &o);
}

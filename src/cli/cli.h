/* Command groups of the `keepwatch` binary; main.c only dispatches. Each returns the exit
 * status: 0 ok, 1 the command ran and found a problem, 2 bad usage or input. */
#ifndef CLI_H
#define CLI_H

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"

#define KW_EXIT_OK 0
#define KW_EXIT_PROBLEM 1
#define KW_EXIT_USAGE 2

int cli_serve(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_host(int argc, char **argv);
int cli_alert(int argc, char **argv);
int cli_net(int argc, char **argv);
/* keepwatch net rules check|list (cli_rules.c); cli_net hands it argv from "rules" on. */
int cli_net_rules(int argc, char **argv);
int cli_log(int argc, char **argv);
int cli_oncall(int argc, char **argv);
int cli_duty(int argc, char **argv);
int cli_notify(int argc, char **argv);
int cli_silence(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_intel(int argc, char **argv);
/* keepwatch agent token add|list|revoke|enroll|run (cli_agent.c). */
int cli_agent(int argc, char **argv);
/* keepwatch scan net (cli_scan.c). */
int cli_scan(int argc, char **argv);
/* keepwatch store migrate|info (cli_store.c). */
int cli_store(int argc, char **argv);
/* keepwatch findings ... (cli_findings.c). */
int cli_findings(int argc, char **argv);
/* keepwatch scan packages (cli_scan_pkg.c), argv from "packages" on; keepwatch vuln (cli_vuln.c). */
int cli_scan_packages(int argc, char **argv);
int cli_vuln(int argc, char **argv);

/* keepwatch scan service HOST:PORT... (cli_scan_service.c); argv from "service" on. */
int cli_scan_service(int argc, char **argv);
/* keepwatch scan web URL... (cli_scan_web.c); argv from "web" on. */
int cli_scan_web(int argc, char **argv);

/* keepwatch audit config|path|host|app|checks (cli_audit.c). */
int cli_audit(int argc, char **argv);

/* keepwatch incident ... (cli_incident.c). */
int cli_incident(int argc, char **argv);
/* keepwatch incident playbook check|show|list (cli_incident_playbook.c); cli_incident hands it
 * argv from "playbook" on. */
int cli_incident_playbook(int argc, char **argv);

/* keepwatch report daily|period (cli_report.c). */
int cli_report(int argc, char **argv);
/* keepwatch drill list|check|run|stop|mark|results|show (cli_drill.c). */
int cli_drill(int argc, char **argv);

/* agent run in this process (what keepwatch-agent, src/agent_main.c, runs): loads -c FILE
 * (cli_conf_path) and runs the agent until SIGTERM; the exit status. */
int cli_agent_run_inproc(const char *cfg);

/* Loads -c FILE (or $KEEPWATCH_CONFIG, or the built-in configuration); on error prints
 * every diagnostic to stderr and returns NULL. */
conf *cli_conf_load(const char *path);
/* The config path from -c, else $KEEPWATCH_CONFIG, else NULL (built-in). */
const char *cli_conf_path(const char *opt);
struct kw_store;
/* Opens the store of the configuration (-c path or the default) for command `cmd`; with
 * must_exist, a missing store is an error (nothing has run here). NULL after saying why. */
struct kw_store *cli_store_open(const char *cfg_path, const char *cmd, bool must_exist);
/* The name of the person at the keyboard (the login name), for the records. */
const char *cli_whoami(char *buf, size_t n);
/* Appends s padded to `width` terminal columns: CJK characters (3- and 4-byte UTF-8) take two. */
void cli_put_col(kw_buf *b, const char *s, int width);

/* The output of a listing: a JSON array, or a table under its header line. */
typedef struct cli_listing {
    kw_buf b;
    kw_json j;
    bool json;
} cli_listing;
void cli_listing_begin(cli_listing *l, bool json, const char *header_fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints the listing (`empty` when a table has no rows) and frees it. */
void cli_listing_end(cli_listing *l, size_t rows, const char *empty);

/* A time as people type it: now, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][zone] (local time
 * without a zone). */
bool cli_parse_time(const char *s, int64_t *ms);

/* True if argv[i] is -h or --help. */
int cli_wants_help(int argc, char **argv);

#endif

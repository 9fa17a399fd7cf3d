/* keepwatch: subcommand dispatch only. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char main_usage[] =
    "usage: keepwatch COMMAND [ARGS]\n"
    "\n"
    "keepwatch watches an organisation's systems through a critical protection period (重保):\n"
    "traffic, host resources, services, logs and security devices, alerts with a full history,\n"
    "duty rotas, escalating notifications and a tamper-evident duty log, for a 7x24 duty team.\n"
    "\n"
    "commands:\n"
    "  serve                      run the daemon (foreground; SIGHUP reloads, SIGTERM stops);\n"
    "                             the API and the web console on http.listen (127.0.0.1:8787)\n"
    "  config check|show          validate or print the configuration\n"
    "  host status                one snapshot of this machine's resources\n"
    "  alert list|show|ack|resolve|assign|comment  read and work alerts in the store\n"
    "  net analyze FILE...        find floods, scans, sweeps, brute force and, in the contents,\n"
    "                             web attacks, DNS tunnels and listed addresses, in captures\n"
    "  net rules check FILE...    load Suricata-format rules: what loads, what is skipped and why\n"
    "  log parse|analyze FILE...  parse log lines into ECS fields; run the log rules over files\n"
    "  intel check|lookup         read threat-intelligence lists; which lists hold an IP or domain\n"
    "  oncall now|shifts          who is on duty in each schedule; the shifts of a period\n"
    "  oncall stats               MTTA and MTTR per severity, department and person\n"
    "  duty note|verify|export    the keyed, signed duty log\n"
    "  duty pubkey                the duty log's public key, for auditors\n"
    "  duty handover              the shift handover, with the duty log's head\n"
    "  notify status|test         the notification outbox per channel; send a test message\n"
    "  silence add|list|expire    keep matching alerts from being notified for a while\n"
    "  user add|passwd|del|list|unlock  the web console's users (Argon2id passwords, roles)\n"
    "  token add|list|revoke|rotate  per-user API tokens; rotate the admin's bootstrap token\n"
    "  store migrate|info         copy a SQLite store into PostgreSQL; what a store holds\n"
    "  agent token|list|revoke    the agents that report here: enrolment tokens, list, revoke\n"
    "  agent enroll|run           on a watched machine: enrol with a server; report to it\n"
    "  scan net TARGET...         TCP connect scan and UDP service probes, inside scan.allowed\n"
    "  scan packages              this host's OS packages against the vulnerability data\n"
    "  audit config FILE...       device and firewall configurations: broad, risky, shadowed and\n"
    "                             redundant rules; device management (Huawei, H3C, Cisco, iptables,\n"
    "                             nftables, FortiGate)\n"
    "  audit path FILE            which rule decides one packet, and whether it passes\n"
    "  audit host|app             the host security baseline (CIS, GB/T 22239); application\n"
    "                             parameters (nginx, Apache, MySQL, PostgreSQL, Redis, Tomcat, pools)\n"
    "  incident open|list|show    incidents run from response playbooks: steps with owners and\n"
    "  incident step|assign|grade|note|attach|close|stats  deadlines, the review, the stats\n"
    "  incident playbook check|show|list|history\n"
    "  report daily|period        the daily duty report (值守日报) and the period summary: html, pdf,\n"
    "                             md or json, a department's cut\n"
    "                             validate the response playbooks (file:line:col), show one as a\n"
    "                             checklist by phase with owners and deadlines, list them; the\n"
    "                             changes the reviews proposed\n"
    "  drill list|check|run|stop  rehearse an incident through the real sensors or as a tabletop\n"
    "  drill mark|results|show    exercise; each stage's time beside its target, the weak spots\n"
    "  vuln update|import|info    download or import the vulnerability data (Debian tracker,\n"
    "                             debsecan feeds, OSV) and compile it; what it holds\n"
    "  version                    print the version\n"
    "\n"
    "Every command takes -c FILE (or $KEEPWATCH_CONFIG) and --help. Exit status: 0 ok,\n"
    "1 the command ran and found a problem, 2 bad usage or input. See keepwatch(1).\n";

typedef int (*cli_fn)(int, char **);

/* Temporary `scan` dispatch until src/cli/cli_scan.c takes it over (the merger unifies them). */
int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        cli_fn fn;
    } cmds[] = {
        {"serve", cli_serve}, {"config", cli_config}, {"host", cli_host}, {"alert", cli_alert},
        {"net", cli_net}, {"log", cli_log}, {"oncall", cli_oncall}, {"duty", cli_duty},
        {"notify", cli_notify}, {"silence", cli_silence}, {"user", cli_user},
        {"intel", cli_intel}, {"token", cli_token}, {"store", cli_store}, {"agent", cli_agent},
        {"findings", cli_findings}, {"scan", cli_scan}, {"vuln", cli_vuln}, {"audit", cli_audit},
        {"incident", cli_incident}, {"drill", cli_drill}, {"report", cli_report},
    };
    if (argc < 2) {
        fputs(main_usage, stderr);
        return KW_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(main_usage, stdout);
        return KW_EXIT_OK;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("keepwatch %s\n", KW_VERSION);
        return KW_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "keepwatch: unknown command \"%s\"\n\n%s", argv[1], main_usage);
    return KW_EXIT_USAGE;
}

/* The module table: each subsystem the daemon runs, in start order. Adding a subsystem is
 * adding its line here (its glue lives in src/X/X_module.c). */
#include "daemon/daemon_modules.h"
#include "agent/agent.h"
#include "audit/audit_conf.h"
#include "check/check.h"
#include "drill/drill.h"
#include "duty/duty_watch.h"
#include "findings/findings.h"
#include "host/host.h"
#include "http/http.h"
#include "incident/incident.h"
#include "intel/intel.h"
#include "logs/logs_sensor.h"
#include "net/net_live.h"
#include "notify/notify.h"
#include "report/report.h"
#include "scan/scan.h"
#include "snmp/snmp.h"


const kw_module *const daemon_modules[] = {
    &duty_module,   /* KW_PHASE_STORE: the duty log's keys, before the store is written */
    &http_module,   /* KW_PHASE_ROOT: the listener may be a privileged port */
    &intel_module,  /* before the captures and the log sensor that share its lists; freed after them */
    &net_module,    /* the captures */
    &logs_module,   /* the log files */
    &lead_module,   /* KW_PHASE_USER: who leads the servers on one store, before what only a leader runs */
    &notify_module, /* before the core thread, so every alert from then on is news */
    &host_module,
    &check_module,  /* checks run as daemon.user from the start */
    &snmp_module,   /* the devices' poller and the trap listener (an unprivileged port) */
    &agent_module,  /* agents' batches (through the API server) and agent_silent */
    &findings_module, /* the findings' tables and API; on the leader, overdue and new critical alerts */
    &scan_module,   /* on the leader, the scheduled network scans (into the findings) */
    &audit_module,  /* on the leader, the scheduled audits (into the findings; drift alerts) */
    &incident_module, /* the incidents' tables and API; on the leader, triggers, steps told, overdue steps */
    &drill_module,  /* the drills' tables and API; the marks of runs in progress; on the leader, the runs */
    &report_module, /* the kept reports' table and API; on the leader, the daily and period reports sent */
};

const size_t daemon_nmodules = sizeof daemon_modules / sizeof daemon_modules[0];

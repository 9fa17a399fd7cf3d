/* Host baseline, core dumps: limits.conf hard core 0, systemd-coredump Storage=none. */
#include "audit/audit_host_int.h"

static const host_check rows[] = {
    {"KW-CORE-LIMITS", "core", "Core dumps are limited to 0 for everyone (* hard core 0)", "限制所有用户核心转储（* hard core 0）",
     FINDING_MEDIUM, {"1.5.3", "8.1.4.4 f)"}, HS_NONE, "/etc/security/limits.conf,/etc/security/limits.d/", HC_EQ,
     "hard core 0,hard    core    0,hard\tcore\t0", "", "* hard core 0", "Add '* hard core 0' to /etc/security/limits.d/60-kw.conf.",
     host_fn_grep, 0},
    {"KW-CORE-SYSTEMD-STORAGE", "core", "systemd-coredump stores no dumps (Storage=none)", "systemd-coredump 不保存转储",
     FINDING_LOW, {"1.5.3", "8.1.4.4 f)"}, HS_COREDUMP, "Storage", HC_EQ, "none", "external", "none",
     "Set Storage=none in /etc/systemd/coredump.conf.", NULL, 0},
    {"KW-CORE-SYSTEMD-PROCESS-SIZE", "core", "systemd-coredump processes no dumps (ProcessSizeMax=0)",
     "systemd-coredump 不处理转储（ProcessSizeMax=0）", FINDING_LOW, {"1.5.3", "8.1.4.4 f)"}, HS_COREDUMP,
     "ProcessSizeMax", HC_EQ, "0", "2G", "0", "Set ProcessSizeMax=0 in /etc/systemd/coredump.conf.", NULL, 0},
};

const host_family host_fam_core = {rows, sizeof rows / sizeof rows[0]};

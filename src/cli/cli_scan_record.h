/* What the scan commands share (cli_scan_record.c): a sink that prints their findings and
 * records them in the store as one run. */
#ifndef CLI_SCAN_RECORD_H
#define CLI_SCAN_RECORD_H

#include <pthread.h>
#include <stdbool.h>

#include "conf/conf.h"
#include "findings/finding_print.h"
#include "findings/findings.h"
#include "scan/scan_job.h"

struct findings_run;
struct kw_store;

typedef struct scan_record {
    finding_sink sink;          /* what the scan reports into: thread-safe */
    finding_printer printer;    /* its counts: what was printed */
    finding_sink print, store;
    struct kw_store *st;
    struct findings_run *run;   /* NULL: not recorded (--no-store) */
    findings_kev *kev;
    const char *cmd;
    pthread_mutex_t mu;
} scan_record;

/* Prints to stdout (json: ECS lines) and, with store, records in the store of the
 * configuration (cfg_path, as -c gave it) as a run of scanner from source. KW_OK, or an error
 * after saying why (the record must still be closed). */
kw_rc scan_record_open(scan_record *r, const char *cfg_path, const conf *c, const char *cmd, const char *scanner,
                       const char *source, bool json, bool store);
/* Records f (or a cover) without printing it (a command that prints in its own order);
 * thread-safe. */
kw_rc scan_record_keep(scan_record *r, const finding *f);
kw_rc scan_record_cover(scan_record *r, const finding_cover *c);
/* Writes the run when the scan is complete (what it covered and no longer saw is marked),
 * else records nothing; says what it did on stderr. */
kw_rc scan_record_close(scan_record *r, bool complete);

#endif

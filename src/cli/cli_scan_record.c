/* What the scan commands share: their findings printed and recorded in the store's findings
 * (one run per command, written when it ends: a scan cut short records nothing of what it
 * covered). */
#include "cli/cli.h"
#include "cli/cli_scan_record.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "findings/findings.h"
#include "findings/findings_run.h"
#include "store/store.h"
#include "store/store_findings.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- printing and recording ---- */

static kw_rc tee_emit(void *ctx, const finding *f)
{
    scan_record *r = ctx;
    pthread_mutex_lock(&r->mu);
    kw_rc rc = finding_emit(&r->print, f);
    if (rc == KW_OK && r->run)
        rc = finding_emit(&r->store, f);
    pthread_mutex_unlock(&r->mu);
    return rc;
}

static kw_rc tee_cover(void *ctx, const finding_cover *c)
{
    scan_record *r = ctx;
    pthread_mutex_lock(&r->mu);
    kw_rc rc = r->run ? finding_covered(&r->store, c) : KW_OK;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

kw_rc scan_record_keep(scan_record *r, const finding *f)
{
    pthread_mutex_lock(&r->mu);
    kw_rc rc = r->run ? finding_emit(&r->store, f) : KW_OK;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

kw_rc scan_record_cover(scan_record *r, const finding_cover *c)
{
    return tee_cover(r, c);
}

kw_rc scan_record_open(scan_record *r, const char *cfg_path, const conf *c, const char *cmd, const char *scanner,
                       const char *source, bool json, bool store)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->cmd = cmd;
    r->printer = (finding_printer){.out = stdout, .json = json, .now_ms = kw_now_ms()};
    r->print = finding_printer_sink(&r->printer);
    r->sink = (finding_sink){.emit = tee_emit, .cover = tee_cover, .ctx = r};
    if (!store)
        return KW_OK;
    r->st = cli_store_open(cfg_path, cmd, false);
    if (!r->st)
        return KW_ERR_STORE;
    if (store_findings_migrate(r->st) != KW_OK) {
        fprintf(stderr, "keepwatch %s: the findings tables: %s\n", cmd, store_errmsg(r->st));
        return KW_ERR_STORE;
    }
    char err[512] = "";
    if (findings_kev_from_conf(c, &r->kev, err, sizeof err) != KW_OK) {
        fprintf(stderr, "keepwatch %s: %s\n", cmd, err);
        return KW_ERR_PARSE;
    }
    char who[128];
    r->run = findings_run_open(r->st, c, r->kev, scanner, source, cli_whoami(who, sizeof who));
    r->store = findings_run_sink(r->run);
    return KW_OK;
}

kw_rc scan_record_close(scan_record *r, bool complete)
{
    kw_rc rc = KW_OK;
    if (r->run && complete) {
        char err[512] = "";
        findings_counts k;
        rc = findings_run_close(r->run, &k, err, sizeof err);
        if (rc == KW_OK)
            fprintf(stderr, "keepwatch %s: recorded: %zu new, %zu seen again (%zu reopened), %zu verified, %zu not seen"
                            " (keepwatch findings list)\n",
                    r->cmd, k.added, k.updated, k.reopened, k.verified, k.not_seen);
        else
            fprintf(stderr, "keepwatch %s: the findings were not recorded: %s\n", r->cmd, err);
    } else if (r->run) {
        findings_run_abort(r->run);
        fprintf(stderr, "keepwatch %s: the scan did not finish: nothing recorded\n", r->cmd);
    }
    r->run = NULL;
    findings_kev_free(r->kev);
    if (r->st)
        store_close(r->st);
    pthread_mutex_destroy(&r->mu);
    return rc;
}

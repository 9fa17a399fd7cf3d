/* The host baseline's run and catalogue (audit_host.h): the family tables in order against the
 * root, each row selected by the profile and the ids asked for. */
#include "audit/audit_host_int.h"
#include "core/kw_mem.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const host_family *const families[] = {
    &host_fam_ssh,  &host_fam_login, &host_fam_pam,  &host_fam_acct,  &host_fam_sudo,
    &host_fam_perm, &host_fam_sysctl, &host_fam_svc, &host_fam_fw,    &host_fam_log,
    &host_fam_time, &host_fam_core,  &host_fam_mount, &host_fam_boot, &host_fam_misc,
};
#define NFAM (sizeof families / sizeof families[0])

/* ---- the run ---- */

static bool selected(const audit_host_opts *o, const char *id)
{
    if (!o || !o->only || o->nonly == 0)
        return true;
    for (size_t i = 0; i < o->nonly; i++)
        if (o->only[i] && fnmatch(o->only[i], id, 0) == 0)
            return true;
    return false;
}

static void ctx_free(host_ctx *c)
{
    for (int i = 0; i < HS_N; i++)
        host_kv_free(&c->kv[i]);
    host_names_free(&c->pkgs);
    host_names_free(&c->units);
    host_names_free(&c->masked);
    host_accts_free(&c->passwd);
    host_accts_free(&c->shadow);
    host_accts_free(&c->group);
    host_mnts_free(&c->fstab);
    host_mnts_free(&c->mounts);
    host_names_free(&c->ww_files);
    host_names_free(&c->ww_dirs);
    host_names_free(&c->suid);
    host_names_free(&c->sgid);
    host_names_free(&c->unowned);
}

kw_rc audit_host_run(const audit_root *r, const audit_host_opts *o, audit_emit emit, void *arg,
                     audit_host_stats *st)
{
    host_ctx *c = kw_calloc(1, sizeof *c);
    c->r = r;
    c->emit = emit;
    c->arg = arg;
    c->pkgdb = -1;
    c->server = true;
    if (o && o->profile && strcmp(o->profile, "server") != 0) {
        if (strcmp(o->profile, "workstation") != 0) {
            free(c);
            return KW_ERR_RANGE;
        }
        c->server = false;
    }
    c->now_ms = o && o->now_ms ? o->now_ms : (int64_t)time(NULL) * 1000;
    kw_rc rc = KW_OK;
    for (size_t f = 0; f < NFAM && rc == KW_OK; f++)
        for (size_t i = 0; i < families[f]->n && rc == KW_OK; i++) {
            const host_check *k = &families[f]->rows[i];
            if (!selected(o, k->id))
                continue;
            c->st.checks++;
            if ((k->flags & HK_SERVER) && !c->server)
                rc = host_na(c, k, "not in this profile");
            else
                rc = k->fn ? k->fn(c, k) : host_kv_check(c, k);
        }
    if (st)
        *st = c->st;
    ctx_free(c);
    free(c);
    return rc;
}

kw_rc audit_host_each(kw_rc (*fn)(void *arg, const audit_res *proto), void *arg)
{
    for (size_t f = 0; f < NFAM; f++)
        for (size_t i = 0; i < families[f]->n; i++) {
            audit_res p = host_proto(&families[f]->rows[i]);
            kw_rc rc = fn(arg, &p);
            if (rc != KW_OK)
                return rc;
        }
    return KW_OK;
}


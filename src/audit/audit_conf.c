/* audit_conf.c: the configuration's audit: section: jobs, each a configuration review, host
 * baseline or application audit run every so often (default hourly, so a change nobody
 * announced is seen within the hour). */
#include "audit/audit_acl.h"
#include "audit/audit_conf.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {"config", "host", "app", NULL};

static void job_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_audit_job *j = obj;
    const char *name = j->name ? j->name : "?";
    if (!j->name || !*j->name)
        cf_error(ctx, n, "audit job needs a name");
    if (j->kind == 0 && !j->files.n)
        cf_error(ctx, cf_find_or(ctx, n, "files"), "audit job \"%s\" (config) needs files", name);
    if (j->kind != 0 && j->vendor)
        cf_error(ctx, cf_find_or(ctx, n, "vendor"), "audit job \"%s\": vendor is for kind config", name);
    if (j->vendor && !acl_vendor_find(j->vendor))
        cf_error(ctx, cf_find_or(ctx, n, "vendor"),
                 "audit job \"%s\": vendor is one of huawei h3c cisco-ios cisco-asa iptables nftables fortigate", name);
    if (j->profile && strcmp(j->profile, "server") != 0 && strcmp(j->profile, "workstation") != 0)
        cf_error(ctx, cf_find_or(ctx, n, "profile"), "audit job \"%s\": profile is server or workstation", name);
    if (j->kind == 0 && j->root)
        cf_error(ctx, cf_find_or(ctx, n, "root"), "audit job \"%s\": root is for kinds host and app", name);
}

static const cf_field job_fields[] = {
    F(conf_audit_job, "name", CF_STR, name),
    F(conf_audit_job, "kind", CF_ENUM, kind, .names = kind_names),
    F(conf_audit_job, "files", CF_STRS, files),
    F(conf_audit_job, "vendor", CF_STR, vendor),
    F(conf_audit_job, "root", CF_STR, root),
    F(conf_audit_job, "host", CF_STR, host),
    F(conf_audit_job, "profile", CF_STR, profile),
    F(conf_audit_job, "only", CF_STRS, only),
    F(conf_audit_job, "dirs", CF_STRS, dirs),
    F(conf_audit_job, "instances", CF_INT, instances, 0, 1000000),
    F(conf_audit_job, "db_max_connections", CF_INT, db_max_connections, 0, 1000000),
    F(conf_audit_job, "every", CF_DURATION, every_ms, 60000, CF_YEAR, .dflt = 3600000),
    {0},
};
static const cf_section job_section = {"audit.jobs", sizeof(conf_audit_job), job_fields, NULL, job_check, NULL};

static const cf_field audit_fields[] = {
    F(conf, "jobs", CF_LIST, audit.jobs, .sub = &job_section),
    {0},
};
const cf_section audit_conf_section = {"audit", 0, audit_fields, NULL, NULL, NULL}; /* job names: the engine keeps them unique */

/* intel_conf.c: the configuration's intel: section (its fields and checks), and the glue from
 * it to a live holder. */
#include "intel/intel_conf.h"
#include "intel/intel.h"
#include "conf/conf.h"

#include <stdio.h>
#include <string.h>

static const char *const intel_formats[] = {"auto", "plain", "csv", "stix", NULL};


static void intel_file_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_intel_file *f = obj;
    if (!f->path || !*f->path)
        cf_error(ctx, n, "intel.files: each file needs a path");
    cf_check_name(ctx, f->name, n);
}

/* The list's name as intel reports it: `name`, else the file's base name without extension. */
static void intel_list_name(const conf_intel_file *f, char *out, size_t n)
{
    const char *b = f->name ? f->name : strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
    const char *dot = f->name ? NULL : strrchr(b, '.');
    snprintf(out, n, "%.*s", (int)(dot && dot != b ? (size_t)(dot - b) : strlen(b)), b);
}

static void intel_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    const conf *c = obj;
    yaml_node_t *at = cf_find(ctx, n, "files");
    if (c->intel.files.n > 64)
        cf_error(ctx, at, "intel.files: at most 64 lists (%zu given)", c->intel.files.n);
    for (size_t i = 0; i < c->intel.files.n; i++)
        for (size_t j = 0; j < i; j++) {
            char a[256], b[256];
            const conf_intel_file *fi = CONF_AT(c->intel.files, conf_intel_file, i);
            const conf_intel_file *fj = CONF_AT(c->intel.files, conf_intel_file, j);
            if (!fi->path || !fj->path)
                continue;
            intel_list_name(fi, a, sizeof a);
            intel_list_name(fj, b, sizeof b);
            if (strcmp(a, b) == 0)
                cf_error(ctx, at, "intel.files: two lists are named \"%s\" (give one a name:)", a);
        }
}

static const cf_field intel_file_fields[] = {
    F(conf_intel_file, "path", CF_STR, path),
    F(conf_intel_file, "name", CF_STR, name),
    F(conf_intel_file, "format", CF_ENUM, format, .names = intel_formats),
    F(conf_intel_file, "severity", CF_ENUM, severity, .names = cf_severity_names, .base = 1, .dflt = KW_SEV_MEDIUM),
    {0},
};
static const cf_section intel_file_section = {"intel.files", sizeof(conf_intel_file), intel_file_fields,
                                              NULL, intel_file_check, NULL, NULL, true, "path"};
static const cf_field intel_fields[] = {
    F(conf, "files", CF_LIST, intel.files, .sub = &intel_file_section),
    F(conf, "reload_interval", CF_DURATION, intel.reload_interval_ms, 1000, CF_DAY),
    {0},
};
const cf_section intel_conf_section = {"intel", 0, intel_fields, NULL, intel_check, NULL};

/* The file specs of c->intel.files into specs[INTEL_MAX_LISTS]; their strings stay c's. */
static kw_rc conf_specs(const conf *c, intel_file_spec *specs, size_t *n)
{
    *n = c->intel.files.n;
    if (*n > INTEL_MAX_LISTS)
        return KW_ERR_RANGE;
    for (size_t i = 0; i < *n; i++) {
        const conf_intel_file *f = CONF_AT(c->intel.files, conf_intel_file, i);
        specs[i] = (intel_file_spec){f->path, f->name, f->format, f->severity};
    }
    return KW_OK;
}

kw_rc intel_from_conf(const conf *c, intel **out)
{
    intel_file_spec specs[INTEL_MAX_LISTS];
    size_t n;
    kw_rc rc = conf_specs(c, specs, &n);
    return rc == KW_OK ? intel_new(specs, n, out) : rc;
}

kw_rc intel_reconfigure_conf(intel *h, const conf *c)
{
    intel_file_spec specs[INTEL_MAX_LISTS];
    size_t n;
    kw_rc rc = conf_specs(c, specs, &n);
    return rc == KW_OK ? intel_reconfigure(h, specs, n) : rc;
}

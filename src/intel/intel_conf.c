/* intel_conf.c: the glue from the configuration's intel: section to a live holder. (The
 * section's fields and checks are declared with the other sections in src/conf/conf.c.) */
#include "intel/intel.h"
#include "conf/conf.h"

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

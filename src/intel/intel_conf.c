/* intel_conf.c: the glue from the configuration's intel: section to a live holder. (The
 * section's fields and checks are declared with the other sections in src/conf/conf.c.) */
#include "intel/intel.h"
#include "conf/conf.h"

kw_rc intel_from_conf(const conf *c, intel **out)
{
    size_t n = c->intel.files.n;
    if (n > INTEL_MAX_LISTS)
        return KW_ERR_RANGE;
    intel_file_spec specs[INTEL_MAX_LISTS];
    for (size_t i = 0; i < n; i++) {
        const conf_intel_file *f = CONF_AT(c->intel.files, conf_intel_file, i);
        specs[i] = (intel_file_spec){f->path, f->name, f->format, f->severity};
    }
    return intel_new(specs, n, out);
}

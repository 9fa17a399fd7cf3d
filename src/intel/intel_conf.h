/* The intel: configuration section (intel_conf.c), for the top-level table. */
#ifndef INTEL_CONF_H
#define INTEL_CONF_H

#include "conf/conf_engine.h"

/* intel (with intel.files); offsets are into `conf`. */
extern const cf_section intel_conf_section;

#endif

/* The scan: section of the configuration (scan_conf.c), for the top-level table. */
#ifndef SCAN_CONF_H
#define SCAN_CONF_H

#include "conf/conf_engine.h"

/* The scan section (offsets into `conf`): allowed, exclude, rate, host_rate, timeout. */
extern const cf_section scan_conf_section;

#endif

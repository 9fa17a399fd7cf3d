/* The findings: section of the configuration (findings_conf.c), for the top-level table. */
#ifndef FINDINGS_CONF_H
#define FINDINGS_CONF_H

#include "conf/conf_engine.h"

/* The findings section (offsets into `conf`): sla, kev_file, exploited, alerts. */
extern const cf_section findings_conf_section;

#endif

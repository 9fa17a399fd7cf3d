/* The snmp: section of the configuration (snmp_conf.c), for the top-level table. */
#ifndef SNMP_CONF_H
#define SNMP_CONF_H

#include "conf/conf_engine.h"

/* The snmp section (offsets into `conf`): devices, traps, max_repetitions. */
extern const cf_section snmp_conf_section;

#endif

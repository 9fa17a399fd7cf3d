/* The rules: list and alerts: section of the configuration (alert_conf.c), for the top-level table. */
#ifndef ALERT_CONF_H
#define ALERT_CONF_H

#include "conf/conf_engine.h"

/* One item of rules (conf_rule); the alerts section (offsets into `conf`). */
extern const cf_section alert_conf_rules, alert_conf_section;

#endif

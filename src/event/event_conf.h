/* The events: configuration section (event_conf.c), for the top-level table. */
#ifndef EVENT_CONF_H
#define EVENT_CONF_H

#include "conf/conf_engine.h"

/* Its offsets are into `conf`. */
extern const cf_section event_conf_section;

#endif

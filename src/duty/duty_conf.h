/* The duty: configuration section (duty_conf.c), for the top-level table. */
#ifndef DUTY_CONF_H
#define DUTY_CONF_H

#include "conf/conf_engine.h"

/* duty (the duty log's key and checkpoints); offsets are into `conf`. */
extern const cf_section duty_conf_section;

#endif

/* The history: configuration section (store_conf.c), for the top-level table. */
#ifndef STORE_CONF_H
#define STORE_CONF_H

#include "conf/conf_engine.h"

/* Its offsets are into `conf`. */
extern const cf_section store_conf_history;

#endif

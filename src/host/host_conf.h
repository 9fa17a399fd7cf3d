/* The host: section and assets: list of the configuration (host_conf.c), for the top-level table. */
#ifndef HOST_CONF_H
#define HOST_CONF_H

#include "conf/conf_engine.h"

/* The host section (offsets into `conf`); one item of assets (conf_asset). */
extern const cf_section host_conf_section, host_conf_assets;

#endif

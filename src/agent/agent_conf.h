/* The agent: section of the configuration (agent_conf.c), for the top-level table. */
#ifndef AGENT_CONF_H
#define AGENT_CONF_H

#include "conf/conf_engine.h"

/* The agent section (offsets into `conf`): the agent's server, ca_file, credential_file,
 * spool_dir, spool_max, interval, timeout; the server's silent_after. */
extern const cf_section agent_conf_section;

#endif

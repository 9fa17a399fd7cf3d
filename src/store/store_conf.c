/* store_conf.c: the history: section of the configuration (how long the store keeps metric
 * readings at each resolution). */
#include "store/store_conf.h"

static const cf_field history_fields[] = {
    F(conf, "raw_retention", CF_DURATION, history.raw_retention_ms, 60000, 31 * CF_DAY),
    F(conf, "minute_retention", CF_DURATION, history.minute_retention_ms, 3600000, CF_YEAR),
    F(conf, "hour_retention", CF_DURATION, history.hour_retention_ms, CF_DAY, 10 * CF_YEAR),
    {0},
};
const cf_section store_conf_history = {"history", 0, history_fields, NULL, NULL, NULL};

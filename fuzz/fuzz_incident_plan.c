/* libFuzzer target: incident plans from hostile configurations. The input is a configuration
 * (people, departments, schedules, incident: with its playbooks); when it loads, every
 * playbook is digested and planned at every grade for every organisation type, owners and
 * told targets resolved (the target strings are the configuration's, unchecked here). */
#include "conf/conf.h"
#include "incident/incident_ops.h"
#include "incident/incident_plan.h"

#include <stdint.h>
#include <stdlib.h>

static void plan_all(const conf *c, const conf_playbook *pb)
{
    char hex[65];
    incident_playbook_digest(pb, hex);
    for (int org = INC_ORG_CII; org <= INC_ORG_OTHER; org++)
        for (int g = 0; g <= INCIDENT_GRADE_MAX + 1; g++) {
            incident_plan_in in = {.c = c, .pb = pb, .grade = g, .org_type = org,
                                   .declared_ms = 1795000000000LL, .found_ms = 1794999000000LL,
                                   .owners_at_ms = 1795000000000LL};
            incident_plan p;
            if (incident_plan_make(&in, &p) == KW_OK)
                incident_plan_free(&p);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("fuzz.yaml", (const char *)data, size, &c, &errs) == KW_OK) {
        const conf_playbook *pb = c->incident.playbooks.items;
        for (size_t i = 0; i < c->incident.playbooks.n && i < 16; i++)
            plan_all(c, &pb[i]);
        conf_free(c);
    }
    conf_errors_free(&errs);
    return 0;
}

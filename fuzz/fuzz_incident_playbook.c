/* libFuzzer target: the bytes as one playbook file, read the way an incident.playbook_dir file
 * is (YAML bounds, the playbook hooks, targets against a configuration with people,
 * departments and schedules, regulator deadlines), then the incident section shown. */
#include "conf/conf.h"
#include "incident/incident_conf.h"
#include "incident/incident_pb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char base[] =
    "departments:\n  - {name: ops, kind: operations, head: alice}\n  - {name: sec, kind: security}\n"
    "people:\n  - {name: alice, departments: [ops], roles: [duty_officer]}\n"
    "schedules:\n  - {name: primary, layers: [{name: day, members: [alice]}]}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static conf *c;
    if (!c) {
        conf_errors e = {0};
        if (conf_load_buffer("base.yaml", base, strlen(base), &c, &e) != KW_OK)
            abort();
        conf_errors_free(&e);
    }
    size_t before = c->incident.playbooks.n;
    conf_errors errs = {0};
    if (incident_pb_load_text(c, "fuzz.yaml", (const char *)data, size, false, &errs) == KW_OK) {
        char *s = conf_show_section(c, "incident");
        free(s);
    }
    conf_errors_free(&errs);
    while (c->incident.playbooks.n > before) /* back to the base for the next input */
        incident_playbook_free(CONF_AT(c->incident.playbooks, conf_playbook, --c->incident.playbooks.n));
    return 0;
}

/* libFuzzer target: the bytes as one drill scenario file, read the way a drill.scenario_dir
 * file is (YAML bounds, the scenario's hooks: one kind per injection, captures and line sets,
 * addresses, told kinds), then the drill section shown. */
#include "conf/conf.h"
#include "drill/drill_conf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char base[] = "builtin_rules: false\n"
                           "departments:\n  - {name: ops, kind: operations}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static conf *c;
    if (!c) {
        conf_errors e = {0};
        if (conf_load_buffer("base.yaml", base, strlen(base), &c, &e) != KW_OK)
            abort();
        conf_errors_free(&e);
    }
    size_t before = c->drill.scenarios.n;
    conf_errors errs = {0};
    if (drill_conf_load_text(c, "fuzz.yaml", (const char *)data, size, false, &errs) == KW_OK) {
        char *s = conf_show_section(c, "drill");
        free(s);
    }
    conf_errors_free(&errs);
    while (c->drill.scenarios.n > before) /* back to the base for the next input */
        drill_conf_scenario_free(CONF_AT(c->drill.scenarios, conf_drill_scenario, --c->drill.scenarios.n));
    return 0;
}

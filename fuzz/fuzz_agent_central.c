/* libFuzzer target: the central config. The first byte picks the end: even, the bytes are a
 * server's YAML (agent.groups read, then the document agent web-01 gets, merged over a local
 * configuration); odd, they are a document from a server, merged over a local configuration. */
#include "agent/agent.h"
#include "conf/conf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char local_yaml[] = "checks:\n  - {name: own, type: tcp, host: 127.0.0.1, port: 22}\n"
                                 "host: {interval: 30s}\n";

static void merge_over_local(const char *doc, size_t len)
{
    conf *local = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("local.yaml", local_yaml, strlen(local_yaml), &local, &errs) != KW_OK)
        abort();
    char err[512];
    kw_rc rc = agent_central_merge(local, doc, len, err, sizeof err);
    if (rc != KW_OK && rc != KW_ERR_PARSE)
        abort();
    if (rc != KW_OK && local->checks.n != 1) /* a refused document leaves the local one alone */
        abort();
    conf_free(local);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    const char *text = (const char *)data + 1;
    size--;
    if (data[0] & 1) {
        merge_over_local(text, size);
        return 0;
    }
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("server.yaml", text, size, &c, &errs) == KW_OK) {
        agent_central *ac = agent_central_new(&c->agent.groups);
        char etag[65];
        char *doc = agent_central_for(ac, "web-01", etag);
        merge_over_local(doc, strlen(doc));
        free(doc);
        agent_central_free(ac);
        conf_free(c);
    }
    conf_errors_free(&errs);
    return 0;
}

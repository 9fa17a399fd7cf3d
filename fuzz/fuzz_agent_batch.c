/* libFuzzer target: what a server reads from an agent. The body (inflated first when it
 * starts as gzip does, bounded) goes through the batch decoder; what decodes has its alerts'
 * labels made canonical, as the server does with them. */
#include "agent/agent.h"
#include "agent/agent_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_buf plain;
    kw_buf_init(&plain, AGENT_BODY_MAX);
    const char *json = (const char *)data;
    size_t len = size;
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        if (agent_gzip_inflate(data, size, 1 << 20, &plain) != KW_OK) {
            kw_buf_free(&plain);
            return 0;
        }
        json = plain.data ? plain.data : "";
        len = plain.len;
    }
    agent_batch b;
    agent_bad bad;
    char why[128];
    if (agent_batch_decode(json, len, &b, &bad, why, sizeof why) == KW_OK) {
        for (size_t i = 0; i < b.nalerts; i++)
            free(agent_labels_json(b.alerts[i].lk, b.alerts[i].lv, b.alerts[i].nlabels, "fuzz"));
        for (size_t i = 0; i < b.nsets; i++)
            for (size_t k = 0; k < b.sets[i].n; k++)
                if (!b.sets[i].v[k].name[0])
                    abort(); /* the decoder lets no empty name through */
    } else if (bad == AGENT_BAD_NONE || !why[0]) {
        abort(); /* every refusal says why */
    }
    agent_batch_free(&b);
    kw_buf_free(&plain);
    return 0;
}

/* libFuzzer target: what a server reads from an agent. The body (inflated first when it
 * starts as gzip does, bounded) goes through the batch decoder; what decodes has its alerts'
 * labels made canonical, as the server does with them, and its packages section written as
 * the server stores it and read back alone (it must decode again, to the same list). */
#include "agent/agent.h"
#include "agent/agent_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The section written again and decoded alone: the same packages, or abort. */
static void packages_again(const agent_packages *p)
{
    kw_buf out;
    kw_buf_init(&out, 2 * AGENT_BODY_MAX);
    kw_json j;
    kw_json_init(&j, &out);
    agent_packages_json(&j, p);
    agent_packages *back;
    agent_bad bad;
    char why[160];
    if (agent_packages_decode(out.data, out.len, &back, &bad, why, sizeof why) != KW_OK || back->list.n != p->list.n ||
        strcmp(back->manager, p->manager) != 0 || strcmp(back->os.id, p->os.id) != 0)
        abort();
    for (size_t i = 0; i < p->list.n; i++)
        if (strcmp(back->list.v[i].version, p->list.v[i].version) != 0 ||
            strcmp(back->list.v[i].source, p->list.v[i].source) != 0)
            abort();
    agent_packages_free(back);
    kw_buf_free(&out);
}

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
        if (b.packages)
            packages_again(b.packages);
    } else if (bad == AGENT_BAD_NONE || !why[0]) {
        abort(); /* every refusal says why */
    }
    agent_batch_free(&b);
    kw_buf_free(&plain);
    return 0;
}

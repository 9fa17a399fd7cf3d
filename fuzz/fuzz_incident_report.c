/* Arbitrary bytes as an incident's record (the JSON a report is made from) through the report
 * builder for each audience, rendered as Markdown and HTML. The first byte picks the language
 * and the audience. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "incident/incident_report.h"

static conf *cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cfg) {
        static const char y[] = "incident: {organisation: 某单位, contact: 值班室}\n"
                                "assets: [{name: portal, addresses: [10.0.0.1], business: 官网, impact: 打不开, advice: 稍后}]\n";
        conf_errors e = {0};
        if (conf_load_buffer("fuzz.yaml", y, strlen(y), &cfg, &e) != KW_OK)
            abort();
    }
    if (size < 1)
        return 0;
    incident_report_in in = {.c = cfg, .json = (const char *)data + 1, .len = size - 1, .now_ms = 1795800000000LL,
                             .lang = data[0] & 1 ? DOC_LANG_EN : DOC_LANG_ZH,
                             .kind = (data[0] >> 1) % 6 ? INC_REPORT_DEPARTMENT : INC_REPORT_REGULATOR,
                             .audience = ((data[0] >> 1) % 6 + 4) % 5};
    kw_doc *d = NULL;
    if (incident_report_build(&in, &d) != KW_OK)
        return 0;
    kw_buf b;
    kw_buf_init(&b, 1 << 24);
    doc_render_md(d, in.lang, &b);
    kw_buf_reset(&b);
    doc_render_html(d, in.lang, &b);
    kw_buf_free(&b);
    doc_free(d);
    return 0;
}

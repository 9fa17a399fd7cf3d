/* libFuzzer target: the line splitter and the built-in log rules (regular expressions through
 * the prefilter and PCRE2, frequency counting, detections) over arbitrary input. */
#include "conf/conf.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"

#include <stdint.h>
#include <stdlib.h>

static log_ruleset *rs;
static log_rec rec;
static log_engine *eng;
static int64_t clock_ms = 1704067200000;

static void on_det(void *arg, const log_detection *d)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    log_detection_ecs(d, &b);
    log_detection_text(d, &b);
    kw_buf_free(&b);
}

static void on_line(void *arg, const char *line, size_t n)
{
    log_parse_opts o = {.now_ms = clock_ms, .tz_offset_min = 480};
    log_parse(&rec, line, n, &o);
    log_engine_line_at(eng, &rec, clock_ms);
    clock_ms += 250;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rs) {
        conf *c;
        conf_errors errs = {0};
        if (conf_load_buffer("fuzz", "logs: {max_groups: 1000}\n", 25, &c, &errs) != KW_OK)
            abort();
        char err[256];
        rs = log_ruleset_from_conf(c, err, sizeof err);
        conf_free(c);
        if (!rs)
            abort();
        eng = log_engine_new(rs, on_det, NULL);
    }
    /* feed in two pieces split where the first byte says, to exercise carried partial lines */
    log_lines ll;
    log_lines_init(&ll, 4096);
    size_t cut = size ? data[0] % (size + 1) : 0;
    log_lines_feed(&ll, (const char *)data, cut, on_line, NULL);
    log_lines_feed(&ll, (const char *)data + cut, size - cut, on_line, NULL);
    log_lines_flush(&ll, on_line, NULL);
    log_lines_free(&ll);
    log_engine_tick(eng, clock_ms);
    return 0;
}

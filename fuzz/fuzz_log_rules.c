/* libFuzzer target: the line splitter and the built-in log rules (regular expressions through
 * the prefilter and PCRE2, frequency counting, detections), a few routed and gated rules
 * more, and the threat-intelligence lookups of lines (addresses, URL hosts) over arbitrary
 * input. */
#include "conf/conf.h"
#include "intel/intel.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static log_ruleset *rs;
static log_rec rec;
static log_engine *eng;
static int64_t clock_ms = 1704067200000;
static const char cfg[] = "logs:\n"
                          "  max_groups: 1000\n"
                          "  rules:\n"
                          "    - {name: a, match: {event.category: web, user_agent.original|contains: [curl, sqlmap]}}\n"
                          "    - {name: b, match: {event.dataset: openssh, user.name: [root, admin]}, count: 3,\n"
                          "       by: [source.ip, user.name]}\n"
                          "    - {name: c, match: {message|re: 'port (22|2222)'}, unless: {source.ip|cidr: 10.0.0.0/8}}\n"
                          "    - {name: d, match: {destination.ip|cidr: [10.0.0.0/30, '2001:db8::/32']}, count: 2}\n";

/* A set of one list: a few addresses and domains the corpus lines carry. */
static const intel_set *lists(void)
{
    static const char *const ind[] = {"203.0.113.7", "198.51.100.0/24", "2001:db8::/32", "evil.example", "example.com"};
    intel_entries e = {0};
    for (size_t i = 0; i < sizeof ind / sizeof ind[0]; i++)
        intel_entries_add_text(&e, ind[i], strlen(ind[i]), NULL, 0);
    intel_list l = {"fuzz-list", 3, &e};
    intel_set *s = NULL;
    if (intel_set_build(&l, 1, &s) != KW_OK)
        abort();
    intel_entries_free(&e);
    return s;
}

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
        if (conf_load_buffer("fuzz", cfg, sizeof cfg - 1, &c, &errs) != KW_OK)
            abort();
        char err[256];
        rs = log_ruleset_from_conf(c, err, sizeof err);
        conf_free(c);
        if (!rs)
            abort();
        eng = log_engine_new(rs, on_det, NULL);
        log_engine_set_intel(eng, lists()); /* held for the process's life */
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

/* Test helper: what a drill's injections make, for the integration tests to feed keepwatch.
 *   kw_drill_gen NAME TARGET PPS DURATION_MS OUT   a built-in capture, as the replay makes it;
 *                                                  prints the attacking addresses (seen)
 *   kw_drill_gen lines SET SRC COUNT file|syslog   a built-in line set's lines, one a line, as
 *                                                  a watched file or the syslog listener gets them */
#include "core/kw_time.h"
#include "drill/drill_lines.h"
#include "drill/drill_pcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lines(char **argv)
{
    const drill_line_set *set = drill_lines_builtin(argv[2]);
    if (!set) {
        fprintf(stderr, "kw_drill_gen: no line set %s\n", argv[2]);
        return 1;
    }
    bool syslog = argv[5][0] == 's';
    kw_buf b;
    kw_buf_init(&b, 0);
    for (long long i = 0, n = atoll(argv[4]); i < n; i++) {
        drill_line_vars v = {argv[3], "192.0.2.10", kw_now_ms(), (uint32_t)i};
        kw_buf_reset(&b);
        const char *t = set->lines[(size_t)i % set->nlines];
        if (syslog)
            drill_lines_syslog_msg(set, t, &v, &b);
        else
            drill_lines_file_line(set, t, &v, &b);
        printf("%s\n", b.data);
    }
    kw_buf_free(&b);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "lines") == 0)
        return lines(argv);
    if (argc != 6) {
        fprintf(stderr, "usage: kw_drill_gen NAME TARGET PPS DURATION_MS OUT\n");
        return 2;
    }
    drill_seen seen = {0};
    uint64_t packets = 0;
    char err[512];
    if (drill_pcap_generate(argv[1], argv[2], atof(argv[3]), atoll(argv[4]), argv[5], &seen, &packets, err,
                            sizeof err) != KW_OK) {
        fprintf(stderr, "kw_drill_gen: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < seen.n; i++)
        printf("%s\n", seen.values[i]);
    fprintf(stderr, "%llu packets\n", (unsigned long long)packets);
    return 0;
}

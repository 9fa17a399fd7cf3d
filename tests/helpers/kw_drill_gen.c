/* Test helper: writes a drill's built-in capture, as the replay injection would, for the
 * integration tests to analyze: kw_drill_gen NAME TARGET PPS DURATION_MS OUT. Prints the
 * attacking addresses (the injection's seen values), one a line. */
#include "drill/drill_pcap.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
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

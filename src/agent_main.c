/* keepwatch-agent: `keepwatch agent run` in a binary of its own. It links only what an agent
 * runs (the host sensor, checks, log inputs and rules, the spool, libcurl), not the store, the
 * API, the console or the documents, so a watched server maps a third of the libraries the
 * full keepwatch does and keeps its memory for its own work. `keepwatch agent run` executes
 * it when it sits beside keepwatch; run directly it takes the same -c FILE. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: keepwatch-agent [-c FILE]\n"
    "\n"
    "The keepwatch agent: what `keepwatch agent run` runs (see keepwatch agent --help), in a\n"
    "binary that links only what an agent needs. -c FILE (or $KEEPWATCH_CONFIG) is the\n"
    "configuration; enrol first with keepwatch agent enroll. See keepwatch(1).\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *cfg = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfg = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    return cli_agent_run_inproc(cfg);
}

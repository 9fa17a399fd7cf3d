/* Temporary: commands not yet built. Replaced as each lands. */
#include "cli/cli.h"
#include <stdio.h>
int cli_serve(int argc, char **argv) { (void)argc; (void)argv; fputs("not yet\n", stderr); return 2; }
int cli_alert(int argc, char **argv) { (void)argc; (void)argv; fputs("not yet\n", stderr); return 2; }

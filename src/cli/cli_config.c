#include "cli/cli.h"
#include <sys/stat.h>
#include <unistd.h>
#include <pwd.h>
#include "store/store.h"
#include "store/store_conf.h"
#include "duty/duty_watch.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char config_usage[] =
    "usage: keepwatch config check [-c FILE]\n"
    "       keepwatch config show  [-c FILE]\n"
    "\n"
    "  check   read the configuration and report every problem as FILE:LINE:COLUMN: message;\n"
    "          exit 0 when it is good, 2 when it is not\n"
    "  show    print the effective configuration: the file laid over the built-in defaults\n"
    "\n"
    "  -c, --config FILE   the YAML file (default: $KEEPWATCH_CONFIG, else built-in defaults only)\n"
    "\n"
    "A file needs only what differs from the defaults. Scalars replace defaults, lists append,\n"
    "and a rule with the name of a built-in rule replaces it (builtin_rules: false drops them).\n"
    "Durations: 500ms, 5s, 1m30s, 2h, 7d. Sizes: 64KiB, 100MB. Thresholds: 0.8 or 80%.\n";

const char *cli_conf_path(const char *opt)
{
    if (opt)
        return opt;
    const char *env = getenv("KEEPWATCH_CONFIG");
    return env && *env ? env : NULL;
}

conf *cli_conf_load(const char *path)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load(path, &c, &errs) != KW_OK) {
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.v[i]);
        fprintf(stderr, "keepwatch: %zu error%s in the configuration\n", errs.n, errs.n == 1 ? "" : "s");
        conf_errors_free(&errs);
        return NULL;
    }
    conf_errors_free(&errs);
    return c;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int cli_config(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(config_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    const char *path = NULL;
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'}, {0}};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (ch == 'c')
            path = optarg;
        else {
            fputs(config_usage, stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "keepwatch config: unexpected argument \"%s\"\n", argv[optind]);
        return KW_EXIT_USAGE;
    }
    path = cli_conf_path(path);
    if (strcmp(verb, "check") == 0) {
        conf *c = cli_conf_load(path);
        if (!c)
            return KW_EXIT_USAGE;
        printf("%s: configuration ok (%zu assets, %zu checks, %zu rules, %zu log inputs, %zu log rules)\n",
               path ? path : "built-in", c->assets.n, c->checks.n, c->rules.n, c->logs.inputs.n, c->logs.rules.n);
        conf_free(c);
        return KW_EXIT_OK;
    }
    if (strcmp(verb, "show") == 0) {
        conf *c = cli_conf_load(path);
        if (!c)
            return KW_EXIT_USAGE;
        char *s = conf_show(c);
        fputs(s, stdout);
        free(s);
        conf_free(c);
        return KW_EXIT_OK;
    }
    fprintf(stderr, "keepwatch config: unknown command \"%s\"\n\n%s", verb, config_usage);
    return KW_EXIT_USAGE;
}

kw_store *cli_store_open(const char *cfg_path, const char *cmd, bool must_exist)
{
    conf *c = cli_conf_load(cli_conf_path(cfg_path));
    if (!c)
        return NULL;
    char *path = store_conf_where(c);
    store_conf_apply(c);
    duty_configure(c); /* where the duty log's keys are, before anything is appended */
    if (!must_exist) { /* the store may be created here: its directory too (mkdir -p, 0750) */
        char err[512];
        if (kw_dir_make(c->daemon.state_dir ? c->daemon.state_dir : ".", 0750, NULL, err, sizeof err) != KW_OK)
            fprintf(stderr, "keepwatch %s: %s\n", cmd, err);
    }
    conf_free(c);
    if (must_exist && !store_is_url(path) && access(path, F_OK) != 0) {
        fprintf(stderr, "keepwatch %s: no store at %s (has keepwatch serve run here?)\n", cmd, path);
        free(path);
        return NULL;
    }
    char err[512];
    kw_store *s = store_open(path, false, err, sizeof err);
    if (!s)
        fprintf(stderr, "keepwatch %s: %s\n", cmd, err);
    free(path);
    return s;
}

const char *cli_whoami(char *buf, size_t n)
{
    const char *sudo = getenv("SUDO_USER"); /* who is behind sudo, not root */
    struct passwd *pw = getpwuid(getuid());
    snprintf(buf, n, "%s", sudo && *sudo ? sudo : pw ? pw->pw_name : "cli");
    return buf;
}

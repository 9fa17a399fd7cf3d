/* `keepwatch net rules check|list`: loads Suricata-format rule files (and the built-in rules)
 * the way the net sensor does, and says which rules load, which are skipped and why. The
 * integrator hooks it into cli_net.c: "rules" -> cli_net_rules(argc - 1, argv + 1). */
#include "cli/cli.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "net/net_inspect_conf.h"
#include "net/net_sig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_RULES_MAX_FILE ((size_t)256 << 20)
#define CLI_RULES_MAX_VARS 64

static const char rules_usage[] =
    "usage: keepwatch net rules check [--json] [--builtin] [--var NAME=VALUE]... [FILE...]\n"
    "       keepwatch net rules list [--json] [--builtin] [--var NAME=VALUE]... [FILE...]\n"
    "\n"
    "Loads signature files in Suricata's rule format (Emerging Threats style) as the net sensor\n"
    "does. check prints each rule that is not loaded, as FILE:LINE, its sid and why (the\n"
    "keyword keepwatch does not support, or the parse error), then a summary; list prints the\n"
    "loaded rules (sid, category, classtype, message). A skipped rule is never half-run.\n"
    "With no FILE, or with --builtin, keepwatch's own web-attack rules are loaded too.\n"
    "\n"
    "  --builtin          also load the built-in rules\n"
    "  --var NAME=VALUE   a rule variable, as in suricata.yaml (--var 'HOME_NET=[10.0.0.0/8]');\n"
    "                     a variable not given is any\n"
    "  --json             one JSON object: counts, timings and the skipped (or loaded) rules\n"
    "\n"
    "exit status: 0 every rule loaded, 1 some were skipped, 2 bad usage or an unreadable file.\n";

typedef struct rules_opts {
    bool json, builtin, list;
    net_sig_var vars[CLI_RULES_MAX_VARS];
    char names[CLI_RULES_MAX_VARS][64];
    size_t nvars;
} rules_opts;

/* The whole of path; NULL after saying why. */
static char *rules_read(const char *path, size_t *n)
{
    char err[512], *text;
    if (net_rules_read(path, &text, n, err, sizeof err) != KW_OK) {
        fprintf(stderr, "keepwatch: %s\n", err);
        return NULL;
    }
    return text;
}

static int rules_args(int argc, char **argv, rules_opts *o)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"builtin", no_argument, NULL, 'b'},
                                         {"var", required_argument, NULL, 'v'},
                                         {0}};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'j')
            o->json = true;
        else if (ch == 'b')
            o->builtin = true;
        else if (ch == 'v') {
            const char *name = optarg[0] == '$' ? optarg + 1 : optarg, *eq = strchr(name, '=');
            size_t nl = eq ? (size_t)(eq - name) : 0;
            if (!nl || nl >= sizeof o->names[0] || o->nvars >= CLI_RULES_MAX_VARS) {
                fprintf(stderr, "keepwatch net rules: --var wants NAME=VALUE (at most %d)\n", CLI_RULES_MAX_VARS);
                return KW_EXIT_USAGE;
            }
            memcpy(o->names[o->nvars], name, nl);
            o->names[o->nvars][nl] = '\0';
            o->vars[o->nvars] = (net_sig_var){o->names[o->nvars], eq + 1};
            o->nvars++;
        } else {
            fputs(rules_usage, stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (optind == argc)
        o->builtin = true;
    return KW_EXIT_OK;
}

static void rules_print_skips(const net_sig_report *rep, kw_json *j)
{
    for (size_t i = 0; i < rep->nskips; i++) {
        const net_sig_skip *s = &rep->skips[i];
        if (!j) {
            printf("%s:%u: sid %u: %s\n", s->origin, s->line, s->sid, s->reason);
            continue;
        }
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "file", s->origin);
        kw_json_kv_int(j, "line", s->line);
        kw_json_kv_int(j, "sid", s->sid);
        kw_json_kv_str(j, "reason", s->reason);
        kw_json_obj_end(j);
    }
}

static void rules_print_list(const net_sig_set *s, kw_json *j)
{
    for (size_t i = 0; i < net_sig_set_count(s); i++) {
        const net_sig_rule *r = net_sig_set_rule(s, i);
        if (!j) {
            printf("%-9u %-18s %-26s %s\n", net_sig_rule_sid(r), *net_sig_rule_category(r) ? net_sig_rule_category(r) : "-",
                   *net_sig_rule_classtype(r) ? net_sig_rule_classtype(r) : "-", net_sig_rule_msg(r));
            continue;
        }
        kw_json_obj_begin(j);
        kw_json_kv_int(j, "sid", net_sig_rule_sid(r));
        kw_json_kv_int(j, "rev", net_sig_rule_rev(r));
        kw_json_kv_str(j, "category", net_sig_rule_category(r));
        kw_json_kv_str(j, "classtype", net_sig_rule_classtype(r));
        kw_json_kv_str(j, "msg", net_sig_rule_msg(r));
        kw_json_kv_str(j, "origin", net_sig_rule_origin(r));
        kw_json_obj_end(j);
    }
}

typedef struct rules_times {
    double load_ms, compile_ms;
} rules_times;

static void rules_output(const rules_opts *o, const net_sig_report *rep, const net_sig_set *s, rules_times t)
{
    if (!o->json) {
        if (o->list)
            rules_print_list(s, NULL);
        else
            rules_print_skips(rep, NULL);
        fprintf(stderr, "keepwatch: %zu rules loaded, %zu skipped; parsed in %.0f ms, compiled in %.0f ms (%s)\n",
                rep->loaded, rep->skipped, t.load_ms, t.compile_ms,
                net_sig_set_hyperscan(s) ? "Hyperscan" : "portable prefilter");
        return;
    }
    kw_buf b;
    kw_buf_init(&b, KW_BUF_DEFAULT_MAX);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "loaded", (int64_t)rep->loaded);
    kw_json_kv_int(&j, "skipped", (int64_t)rep->skipped);
    kw_json_kv_num(&j, "parse_ms", t.load_ms);
    kw_json_kv_num(&j, "compile_ms", t.compile_ms);
    kw_json_kv_bool(&j, "hyperscan", net_sig_set_hyperscan(s));
    kw_json_key(&j, o->list ? "rules" : "skips");
    kw_json_arr_begin(&j);
    if (o->list)
        rules_print_list(s, &j);
    else
        rules_print_skips(rep, &j);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    puts(kw_buf_cstr(&b));
    kw_buf_free(&b);
}

/* Loads the built-in rules (if asked) and files argv[first..argc) into b. */
static int rules_load(net_sig_builder *b, const rules_opts *o, int first, int argc, char **argv, net_sig_report *rep)
{
    if (o->builtin)
        net_sig_builder_add_builtin(b, rep);
    for (int i = first; i < argc; i++) {
        size_t n = 0;
        char *text = rules_read(argv[i], &n);
        if (!text)
            return KW_EXIT_USAGE;
        kw_rc rc = net_sig_builder_add(b, text, n, argv[i], rep);
        free(text);
        if (rc != KW_OK) {
            fprintf(stderr, "keepwatch: %s: more than %d rules\n", argv[i], NET_SIG_MAX_RULES);
            return KW_EXIT_USAGE;
        }
    }
    return KW_EXIT_OK;
}

int cli_net_rules(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(rules_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    rules_opts o = {0};
    o.list = strcmp(argv[1], "list") == 0;
    if (!o.list && strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "keepwatch net rules: unknown command \"%s\"\n\n%s", argv[1], rules_usage);
        return KW_EXIT_USAGE;
    }
    int rc = rules_args(argc, argv, &o);
    if (rc != KW_EXIT_OK)
        return rc;
    net_sig_builder *b = net_sig_builder_new(o.vars, o.nvars);
    net_sig_report rep = {0};
    int64_t t0 = kw_mono_ms();
    rc = rules_load(b, &o, optind, argc, argv, &rep);
    if (rc != KW_EXIT_OK) {
        net_sig_builder_free(b);
        net_sig_report_free(&rep);
        return rc;
    }
    rules_times t = {(double)(kw_mono_ms() - t0), 0};
    net_sig_set *s = NULL;
    t0 = kw_mono_ms();
    net_sig_builder_compile(b, &s, NULL, 0);
    t.compile_ms = (double)(kw_mono_ms() - t0);
    rules_output(&o, &rep, s, t);
    rc = rep.skipped ? KW_EXIT_PROBLEM : KW_EXIT_OK;
    net_sig_set_free(s);
    net_sig_report_free(&rep);
    return rc;
}

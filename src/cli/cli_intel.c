/* cli_intel.c: `keepwatch intel check` (read indicator files and say what they hold and
 * which lines were skipped) and `keepwatch intel lookup` (which configured lists hold an
 * address or a domain). */
#include "cli/cli.h"
#include "core/kw_time.h"
#include "intel/intel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char intel_usage[] =
    "usage: keepwatch intel check [--json] [-f FORMAT] FILE...\n"
    "       keepwatch intel lookup [--json] [-c FILE] VALUE...\n"
    "\n"
    "Threat-intelligence lists: IPv4 and IPv6 addresses, CIDR prefixes and domain names, from\n"
    "plain lines (Spamhaus DROP, FireHOL netsets, abuse.ch lists, hosts files), CSV with a\n"
    "header naming the indicator column (abuse.ch Feodo, URLhaus, ThreatFox; URLs give their\n"
    "host) and STIX 2.1 indicators (bundles; revoked and expired ones are left out).\n"
    "Defanged values (evil[.]example, hxxp://) count as written plainly. A listed domain also\n"
    "matches its subdomains.\n"
    "\n"
    "  check FILE...     read each file as the daemon would; print what it holds, then the\n"
    "                    first skipped lines as FILE:LINE: reason (STIX: FILE: object N)\n"
    "  -f, --format F    auto (default: by extension and content), plain, csv or stix\n"
    "  lookup VALUE...   which lists of intel.files hold each VALUE (an IP address, a domain\n"
    "                    name, host:port or a URL), as VALUE: LIST (severity), ...\n"
    "  -c, --config FILE the configuration whose intel.files are read\n"
    "  --json            one JSON array: per file its counts and skips; per value its lists\n"
    "\n"
    "exit status: check: 0 every line read, 1 some lines were skipped, 2 a file could not be\n"
    "read or bad usage. lookup: 0 no value is listed, 1 some value is listed, 2 bad usage, a\n"
    "value that is not an address or a domain, or a list that could not be read.\n";

static const char *format_names[] = {"auto", "plain", "csv", "stix", NULL};

static void check_text(kw_buf *b, const char *path, const intel_report *r)
{
    kw_buf_printf(b, "%s: %s: %llu IPv4, %llu IPv4 prefixes, %llu IPv6, %llu IPv6 prefixes, %llu domains; %llu skipped",
                  path, intel_format_name(r->format), (unsigned long long)r->v4, (unsigned long long)r->cidr4,
                  (unsigned long long)r->v6, (unsigned long long)r->cidr6, (unsigned long long)r->domains,
                  (unsigned long long)r->skipped);
    if (r->ignored)
        kw_buf_printf(b, ", %llu of other kinds ignored", (unsigned long long)r->ignored);
    if (r->revoked || r->expired)
        kw_buf_printf(b, ", %llu revoked, %llu expired", (unsigned long long)r->revoked, (unsigned long long)r->expired);
    kw_buf_putc(b, '\n');
    for (size_t i = 0; i < r->n_skips; i++) {
        const intel_skip *k = &r->skips[i];
        kw_buf_printf(b, k->object ? "%s: object %zu: %s" : "%s:%zu: %s", path, k->line, k->reason);
        kw_buf_printf(b, "%s%s\n", k->text[0] ? ": " : "", k->text);
    }
    if (r->skipped > r->n_skips)
        kw_buf_printf(b, "%s: ... and %llu more skipped\n", path, (unsigned long long)(r->skipped - r->n_skips));
}

static void check_json(kw_json *j, const char *path, const intel_report *r)
{
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "file", path);
    kw_json_kv_str(j, "format", intel_format_name(r->format));
    kw_json_kv_int(j, "ipv4", (int64_t)r->v4);
    kw_json_kv_int(j, "ipv4_prefixes", (int64_t)r->cidr4);
    kw_json_kv_int(j, "ipv6", (int64_t)r->v6);
    kw_json_kv_int(j, "ipv6_prefixes", (int64_t)r->cidr6);
    kw_json_kv_int(j, "domains", (int64_t)r->domains);
    kw_json_kv_int(j, "skipped", (int64_t)r->skipped);
    kw_json_kv_int(j, "ignored", (int64_t)r->ignored);
    kw_json_kv_int(j, "revoked", (int64_t)r->revoked);
    kw_json_kv_int(j, "expired", (int64_t)r->expired);
    kw_json_key(j, "skips");
    kw_json_arr_begin(j);
    for (size_t i = 0; i < r->n_skips; i++) {
        kw_json_obj_begin(j);
        kw_json_kv_int(j, r->skips[i].object ? "object" : "line", (int64_t)r->skips[i].line);
        kw_json_kv_str(j, "reason", r->skips[i].reason);
        kw_json_kv_str(j, "text", r->skips[i].text);
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
    kw_json_obj_end(j);
}

/* The output of both commands: one JSON array, or lines. */
static void out_begin(kw_buf *b, kw_json *j, bool json)
{
    kw_buf_init(b, (size_t)16 << 20);
    kw_json_init(j, b);
    if (json)
        kw_json_arr_begin(j);
}

static void out_end(kw_buf *b, kw_json *j, bool json)
{
    if (json) {
        kw_json_arr_end(j);
        kw_buf_putc(b, '\n');
    }
    fputs(kw_buf_cstr(b), stdout);
    kw_buf_free(b);
}

static int intel_check_cmd(int argc, char **argv, bool json, int fmt)
{
    kw_buf b;
    kw_json j;
    out_begin(&b, &j, json);
    int rc = KW_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        intel_entries e = {0};
        intel_report rep;
        memset(&rep, 0, sizeof rep);
        if (intel_load_file(argv[i], fmt, kw_now_ms(), &e, &rep) != KW_OK) {
            fprintf(stderr, "keepwatch intel check: %s: %s\n", argv[i], strerror(errno));
            rc = KW_EXIT_USAGE;
            continue;
        }
        intel_entries_free(&e);
        if (json)
            check_json(&j, argv[i], &rep);
        else
            check_text(&b, argv[i], &rep);
        if (rep.skipped && rc == KW_EXIT_OK)
            rc = KW_EXIT_PROBLEM;
    }
    out_end(&b, &j, json);
    return rc;
}

static void on_report(void *arg, const char *path, kw_rc rc, const intel_report *rep)
{
    bool *failed = arg;
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch intel lookup: %s: %s\n", path, strerror(errno));
        *failed = true;
    } else if (rep->skipped) {
        fprintf(stderr, "keepwatch intel lookup: %s: %llu skipped (see keepwatch intel check)\n", path,
                (unsigned long long)rep->skipped);
    }
}

/* The lists holding one value; false if it is not an address, a domain or a URL. */
static bool lookup_one(const intel_set *s, const char *v, uint64_t *mask)
{
    intel_entries e = {0};
    bool ok = intel_entries_add_text(&e, v, strlen(v), NULL, 0) == KW_OK;
    if (ok && e.n_v4) {
        ok = e.v4[0].plen == 32; /* a prefix is not a value to look up */
        *mask = intel_set_lookup_ip(s, (const uint8_t *)&e.v4[0].addr, false);
    } else if (ok && e.n_v6) {
        ok = e.v6[0].plen == 128;
        *mask = intel_set_lookup_ip(s, e.v6[0].addr, true);
    } else if (ok) {
        *mask = intel_set_lookup_domain(s, e.names + 1, (unsigned char)e.names[0]);
    }
    intel_entries_free(&e);
    return ok;
}

static void lookup_print(kw_buf *b, kw_json *j, bool json, const intel_set *s, const char *v, uint64_t mask)
{
    if (json) {
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "value", v);
        kw_json_key(j, "lists");
        kw_json_arr_begin(j);
    } else {
        kw_buf_printf(b, "%s:", v);
    }
    for (size_t i = 0; i < intel_set_lists(s); i++) {
        if (!(mask >> i & 1))
            continue;
        const char *sev = kw_severity_name(intel_set_list_severity(s, i));
        if (json) {
            kw_json_obj_begin(j);
            kw_json_kv_str(j, "name", intel_set_list_name(s, i));
            kw_json_kv_str(j, "severity", sev);
            kw_json_obj_end(j);
        } else {
            kw_buf_printf(b, "%s %s (%s)", mask & ((1ull << i) - 1) ? "," : "", intel_set_list_name(s, i), sev);
        }
    }
    if (json) {
        kw_json_arr_end(j);
        kw_json_obj_end(j);
    } else {
        kw_buf_puts(b, mask ? "\n" : " no match\n");
    }
}

static int intel_lookup_cmd(int argc, char **argv, bool json, const char *cfg_path)
{
    conf *c = cli_conf_load(cli_conf_path(cfg_path));
    if (!c)
        return KW_EXIT_USAGE;
    intel *h = NULL;
    kw_rc rc = intel_from_conf(c, &h);
    conf_free(c);
    if (rc != KW_OK)
        return KW_EXIT_USAGE;
    bool failed = false, bad = false, any = false;
    intel_watch(h, kw_now_ms(), on_report, &failed, NULL);
    const intel_set *s = intel_acquire(h);
    kw_buf b;
    kw_json j;
    out_begin(&b, &j, json);
    for (int i = optind; i < argc; i++) {
        uint64_t mask = 0;
        if (!lookup_one(s, argv[i], &mask)) {
            fprintf(stderr, "keepwatch intel lookup: \"%s\" is not an IP address, a domain name or a URL\n", argv[i]);
            bad = true;
            continue;
        }
        any = any || mask;
        lookup_print(&b, &j, json, s, argv[i], mask);
    }
    out_end(&b, &j, json);
    intel_release(s);
    intel_free(h);
    return bad || failed ? KW_EXIT_USAGE : any ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

int cli_intel(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(intel_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    bool check = strcmp(argv[1], "check") == 0;
    if (!check && strcmp(argv[1], "lookup") != 0) {
        fprintf(stderr, "keepwatch intel: unknown command \"%s\"\n\n%s", argv[1], intel_usage);
        return KW_EXIT_USAGE;
    }
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"config", required_argument, NULL, 'c'},
                                         {"format", required_argument, NULL, 'f'}, {0}};
    bool json = false;
    const char *cfg_path = NULL;
    int fmt = -1, ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, check ? "f:" : "c:", opts, NULL)) != -1) {
        if (ch == 'j') {
            json = true;
        } else if (ch == 'c' && !check) {
            cfg_path = optarg;
        } else if (ch == 'f' && check) {
            for (int k = 0; format_names[k]; k++)
                if (strcmp(optarg, format_names[k]) == 0)
                    fmt = k;
            if (fmt < 0) {
                fprintf(stderr, "keepwatch intel check: --format: use auto, plain, csv or stix\n");
                return KW_EXIT_USAGE;
            }
        } else {
            fputs(intel_usage, stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "keepwatch intel %s: name at least one %s\n", argv[1], check ? "file" : "value");
        return KW_EXIT_USAGE;
    }
    return check ? intel_check_cmd(argc, argv, json, fmt < 0 ? INTEL_FMT_AUTO : fmt)
                 : intel_lookup_cmd(argc, argv, json, cfg_path);
}

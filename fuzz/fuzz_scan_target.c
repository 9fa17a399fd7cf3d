/* libFuzzer target: target specs and port lists (scan_target.c). The input is split at its
 * first newline: the first line is a target spec (host names resolve to 10.0.0.1 when they
 * start with "ok", else not at all), the rest a port list. Both parse into bounded results or
 * are refused; exclusion spans and the scope check run on what parsed. Seeds: the specs and
 * lists of tests/unit/test_scan.c. */
#include "scan/scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static kw_rc fuzz_resolve(const char *name, kw_addr *out, void *arg)
{
    (void)arg;
    memset(out, 0, sizeof *out);
    out->b[0] = 10, out->b[3] = 1;
    return strncmp(name, "ok", 2) == 0 ? KW_OK : KW_ERR_NOTFOUND;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char *nl = strchr(s, '\n'), *ports = nl ? nl + 1 : "";
    if (nl)
        *nl = '\0';
    char err[256];
    scan_target_opts o = {.resolve = fuzz_resolve};
    scan_targets t = {0};
    scan_spans ex = {0};
    if (scan_targets_add(&t, s, &o, err, sizeof err) == KW_OK && t.n > 65536)
        __builtin_trap(); /* the width bound holds without --large */
    if (scan_spans_add(&ex, s, &o, err, sizeof err) == KW_OK) {
        scan_targets_uniq(&t);
        if (scan_targets_exclude(&t, &ex) == 0 && t.n)
            __builtin_trap(); /* a spec's own span excludes all it expanded to */
    }
    scan_scope sc;
    size_t outside;
    if (scan_scope_init(&sc, NULL, 0, err, sizeof err) == KW_OK) {
        scan_targets_in_scope(&t, &sc, &outside, err, sizeof err);
        scan_scope_free(&sc);
    }
    scan_ports p;
    memset(&p, 0, sizeof p);
    if (scan_ports_parse(&p, ports, err, sizeof err) == KW_OK && p.ntcp + p.nudp == 0)
        __builtin_trap(); /* a list that parses names a port */
    scan_spans_free(&ex);
    scan_targets_free(&t);
    free(s);
    return 0;
}

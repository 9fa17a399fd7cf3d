/* libFuzzer target for src/scan/scan_pkg.c: the input read as dpkg's status file, rpm's query
 * output, apk's installed database and os-release; every package kept must have a name and
 * versions its kind accepts. */
#include "scan/scan_pkg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_list(const scan_pkg_list *l)
{
    char why[96];
    for (size_t i = 0; i < l->n; i++) {
        const scan_pkg *p = &l->v[i];
        if (!p->name[0] || !p->source[0] ||
            scan_version_check(l->kind, p->version, strlen(p->version), why, sizeof why) != KW_OK ||
            scan_version_check(l->kind, p->source_version, strlen(p->source_version), why, sizeof why) != KW_OK)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    kw_rc (*parse[])(const char *, size_t, scan_pkg_list *) = {scan_pkg_parse_dpkg, scan_pkg_parse_rpm,
                                                                 scan_pkg_parse_apk};
    for (int k = 0; k < 3; k++) {
        scan_pkg_list l;
        scan_pkg_list_init(&l, (scan_vkind)k, NULL);
        parse[k](s, size, &l);
        check_list(&l);
        scan_pkg_list_free(&l);
    }
    scan_os os;
    if (scan_os_parse(s, size, &os) == KW_OK) {
        char names[4][48];
        scan_vkind kind;
        if (scan_os_ecosystems(&os, NULL, names, 4, &kind) > 4)
            abort();
    }
    return 0;
}

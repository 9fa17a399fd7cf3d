/* libFuzzer target for src/scan/scan_vuln_tracker.c and the index (scan_vuln_db.c): the input
 * fed to the tracker's streaming reader in two pieces (split where its first byte says), then
 * fuzz_pkg_index.h's round trip and checks over the records it made. */
#include <stdint.h>
#include <string.h>

#include "fuzz_pkg_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scan_vuln_builder *b = scan_vuln_builder_new();
    scan_vuln_tracker *t = scan_vuln_tracker_new(scan_vuln_builder_add, b);
    size_t cut = size ? data[0] % (size + 1) : 0;
    char err[256];
    kw_rc rc = scan_vuln_tracker_feed(t, (const char *)data, cut, err, sizeof err);
    if (rc == KW_OK)
        rc = scan_vuln_tracker_feed(t, (const char *)data + cut, size - cut, err, sizeof err);
    if (rc == KW_OK)
        scan_vuln_tracker_finish(t, err, sizeof err);
    scan_vuln_tracker_free(t);
    fz_index_check(b);
    scan_vuln_builder_free(b);
    return 0;
}

/* libFuzzer target for src/scan/scan_vuln_feed.c and scan_vuln_zip.c: the input read as
 * debsecan's feed (plain, and zlib-compressed here so the inflating path sees it too), as an
 * OSV record and as an OSV zip archive, the records compiled into an index and checked against
 * (fuzz_pkg_index.h), and the input read as an index file itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_pkg_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char err[256];
    scan_vuln_stats st;
    for (int pass = 0; pass < 4; pass++) {
        scan_vuln_builder *b = scan_vuln_builder_new();
        memset(&st, 0, sizeof st);
        if (pass == 0) {
            scan_vuln_parse_debsecan(s, size, "bookworm", scan_vuln_builder_add, b, &st, err, sizeof err);
        } else if (pass == 1) {
            uLongf zn = compressBound(size);
            unsigned char *z = malloc(zn);
            if (z && compress(z, &zn, data, size) == Z_OK)
                scan_vuln_parse_debsecan((const char *)z, zn, NULL, scan_vuln_builder_add, b, &st, err, sizeof err);
            free(z);
        } else if (pass == 2) {
            scan_vuln_parse_osv(s, size, scan_vuln_builder_add, b, &st, err, sizeof err);
        } else {
            size_t files;
            scan_vuln_parse_osv_zip(data, size, scan_vuln_builder_add, b, &st, &files, err, sizeof err);
        }
        fz_index_check(b);
        scan_vuln_builder_free(b);
    }
    /* the input as an index file itself */
    scan_vuln_db db;
    if (scan_vuln_db_from_buffer(data, size, &db) == KW_OK) {
        for (uint32_t i = 0; i < db.n_recs && i < 256; i++) {
            scan_vuln_rec r;
            scan_vuln_db_get(&db, i, &r);
            uint32_t first;
            scan_vuln_db_find(&db, r.eco, r.pkg, &first);
        }
        const char *name, *from;
        int64_t when;
        uint32_t recs;
        for (uint32_t i = 0; scan_vuln_db_source(&db, i, &name, &from, &when, &recs) && i < 256; i++)
            ;
    }
    return 0;
}

/* Shared by the vulnerability data fuzz targets (fuzz_pkg_tracker.c, fuzz_pkg_feed.c): the
 * records a parser made are compiled into an index, read back (every record must be found
 * under its own key), and a package list made of their own names and versions is checked
 * against it, and a banner's product too. */
#ifndef FUZZ_PKG_INDEX_H
#define FUZZ_PKG_INDEX_H

#include <stdlib.h>

#include "scan/scan_vuln.h"

static kw_rc fz_emit(void *ctx, const finding *f)
{
    if (!f->vuln_id || !f->title)
        abort();
    (*(size_t *)ctx)++;
    return KW_OK;
}

static void fz_index_check(scan_vuln_builder *b)
{
    kw_buf idx;
    kw_buf_init(&idx, 64 << 20);
    if (scan_vuln_builder_write(b, &idx) != KW_OK)
        abort();
    scan_vuln_db db;
    if (scan_vuln_db_from_buffer(idx.data, idx.len, &db) != KW_OK || db.n_recs != scan_vuln_builder_records(b))
        abort();
    scan_pkg_list l;
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    for (uint32_t i = 0; i < db.n_recs && i < 64; i++) {
        scan_vuln_rec r;
        scan_vuln_db_get(&db, i, &r);
        uint32_t first, n = scan_vuln_db_find(&db, r.eco, r.pkg, &first);
        if (n == 0 || first > i || i >= first + n)
            abort();
        scan_pkg_list_add(&l, r.pkg, r.fixed ? r.fixed : "1.0", NULL, NULL, NULL);
        scan_pkg_list_add(&l, r.pkg, "0.1", NULL, NULL, NULL);
        scan_vuln_affects(&r, SCAN_V_APK, "1.2.3-r0");
        scan_vuln_affects(&r, SCAN_V_RPM, "1:1.2-3");
    }
    const char *ecos[] = {"debian/bookworm", "debian/GENERIC", "Debian:12", "Ubuntu:22.04", "Alpine:v3.19"};
    scan_pkg_opts o = {.host = "h", .ecos = ecos, .n_ecos = 5, .unimportant = true};
    size_t n = 0;
    finding_sink sink = {fz_emit, NULL, &n};
    scan_pkg_result res;
    scan_pkg_check(&db, &l, &o, &sink, &res);
    finding tmpl = {.host = "h", .port = 22};
    scan_vuln_match_product(&db, &o, "OpenSSH", "9.2p1", "2", &tmpl, &sink, &n);
    scan_vuln_match_product(&db, &o, "nginx", "1.0", NULL, &tmpl, &sink, &n);
    scan_pkg_list_free(&l);
    kw_buf_free(&idx);
}

#endif

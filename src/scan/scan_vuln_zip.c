/* OSV archives (scan_vuln.h): osv.dev publishes each ecosystem as one zip of its records
 * (.../Debian/all.zip). This reads one from memory (the caller maps the file) with libzip
 * (Debian's libzip-dev, which knows ZIP64 and damaged archives better than a reader of our own
 * would) and hands each member to the OSV parser. No I/O. The archive is hostile: a member is
 * read up to
 * SCAN_VULN_ZIP_MEMBER_MAX whatever its header claims, and the whole archive up to
 * SCAN_VULN_ZIP_TOTAL_MAX inflated bytes, so a zip bomb ends as an error. */
#include "scan/scan_vuln.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/kw_mem.h"

/* Reads member i (at most SCAN_VULN_ZIP_MEMBER_MAX bytes) into buf; its length, or -1 when it
 * is unreadable or larger. */
static zip_int64_t zipv_member(zip_t *z, zip_uint64_t i, char *buf)
{
    zip_file_t *f = zip_fopen_index(z, i, 0);
    if (!f)
        return -1;
    const zip_int64_t max = (zip_int64_t)SCAN_VULN_ZIP_MEMBER_MAX;
    zip_int64_t len = 0, k;
    while ((k = zip_fread(f, buf + len, (zip_uint64_t)(max + 1 - len))) > 0) {
        len += k;
        if (len > max)
            break;
    }
    zip_fclose(f);
    return k < 0 || len > max ? -1 : len;
}

static void zipv_skip(scan_vuln_stats *st, const char *name, const char *why)
{
    if (st->skipped++ == 0)
        snprintf(st->first_error, sizeof st->first_error, "%.80s: %.70s", name, why);
}

kw_rc scan_vuln_parse_osv_zip(const void *buf, size_t n, scan_vuln_rec_fn fn, void *ctx, scan_vuln_stats *st,
                              size_t *files, char *err, size_t errn)
{
    *files = 0;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(n ? buf : "", n, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        snprintf(err, errn, "not a readable zip archive: %s", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        if (src)
            zip_source_free(src);
        return KW_ERR_PARSE;
    }
    zip_error_fini(&ze);
    char *mem = kw_malloc(SCAN_VULN_ZIP_MEMBER_MAX + 1);
    zip_int64_t entries = zip_get_num_entries(z, 0);
    size_t total = 0;
    kw_rc rc = KW_OK;
    for (zip_int64_t i = 0; i < entries && rc == KW_OK; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        size_t nl = name ? strlen(name) : 0;
        if (nl < 6 || strcmp(name + nl - 5, ".json") != 0)
            continue;
        zip_int64_t len = zipv_member(z, (zip_uint64_t)i, mem);
        if (len < 0) {
            zipv_skip(st, name, "unreadable or larger than 16 MiB");
            continue;
        }
        total += (size_t)len;
        if (total > SCAN_VULN_ZIP_TOTAL_MAX) {
            snprintf(err, errn, "more than %zu MiB inflated: refused", SCAN_VULN_ZIP_TOTAL_MAX >> 20);
            rc = KW_ERR_FULL;
            break;
        }
        char why[160] = "";
        (*files)++;
        rc = scan_vuln_parse_osv(mem, (size_t)len, fn, ctx, st, why, sizeof why);
        if (rc == KW_ERR_PARSE) {
            zipv_skip(st, name, why);
            rc = KW_OK;
        }
    }
    free(mem);
    zip_discard(z);  /* frees src too */
    return rc;
}

/* agent_gzip.c: gzip for batches on the wire (zlib): inflating is bounded, so a small body
 * cannot expand into an unbounded one. No I/O. */
#include "agent/agent.h"

#include <string.h>
#include <zlib.h>

kw_rc agent_gzip_inflate(const void *in, size_t n, size_t max, kw_buf *out)
{
    kw_buf_reset(out);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return KW_ERR_NOMEM;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
    unsigned char chunk[16384];
    int zr = Z_OK;
    kw_rc rc = KW_OK;
    while (zr == Z_OK) {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        zr = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof chunk - z.avail_out;
        if (zr != Z_OK && zr != Z_STREAM_END)
            break;
        if (out->len + got > max) {
            rc = KW_ERR_FULL;
            break;
        }
        if (got && kw_buf_append(out, chunk, got) != KW_OK) {
            rc = KW_ERR_FULL;
            break;
        }
        if (zr == Z_OK && !got && !z.avail_in)
            break; /* truncated: no more input, no end */
    }
    if (rc == KW_OK && (zr != Z_STREAM_END || z.avail_in))
        rc = KW_ERR_PARSE; /* not gzip, truncated, or bytes after the end */
    inflateEnd(&z);
    return rc;
}

kw_rc agent_gzip_deflate(const void *in, size_t n, kw_buf *out)
{
    kw_buf_reset(out);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return KW_ERR_NOMEM;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    unsigned char chunk[16384];
    int zr;
    kw_rc rc = KW_OK;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        zr = deflate(&z, Z_FINISH);
        if (kw_buf_append(out, chunk, sizeof chunk - z.avail_out) != KW_OK)
            rc = KW_ERR_FULL;
    } while (zr == Z_OK && rc == KW_OK);
    if (rc == KW_OK && zr != Z_STREAM_END)
        rc = KW_ERR_IO;
    deflateEnd(&z);
    return rc;
}

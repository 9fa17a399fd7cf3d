/* libFuzzer target: service identification's database answer parsers (scan_ident_db.c): the
 * MySQL/MariaDB handshake and login answers, PostgreSQL's startup answers, MongoDB's OP_MSG and
 * OP_REPLY documents (a bounded BSON walk). Seeds: MariaDB's and PostgreSQL's answers captured
 * here, a MongoDB reply built after the wire protocol's layout. */
#include "scan/scan_ident_parse.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    scan_service s;
    scan_mysql m;
    scan_pg pg;
    scan_mongo mg;
    uint8_t out[256];
    memset(&s, 0, sizeof s);
    if (scan_parse_mysql(p, n, &s, &m) && !m.error)
        scan_mysql_login(out, sizeof out, "root", "root", m.salt, m.salt_len);
    scan_mysql_reply(p, n);
    if (scan_parse_pg(p, n, &pg) && pg.auth == 5)
        scan_pg_password(out, sizeof out, "postgres", "postgres", pg.md5_salt);
    scan_parse_mongo(p, n, &mg);
    scan_mongo_done(p, n);
    return 0;
}

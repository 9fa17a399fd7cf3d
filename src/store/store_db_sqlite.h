/* The SQLite backend's own handle, for the unit tests and fuzz targets that look at the
 * tables directly: no file of the store proper includes this. */
#ifndef STORE_DB_SQLITE_H
#define STORE_DB_SQLITE_H

#include <sqlite3.h>

#include "store/store_db.h"

/* The connection's SQLite handle, borrowed (c stays its owner). c must be a SQLite one. */
sqlite3 *db_sqlite_handle(db_conn *c);

#endif

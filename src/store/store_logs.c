/* The log inputs' positions: table log_offsets. */
#include "event/event.h"
#include "store/store_int.h"

kw_rc store_log_offset_put(kw_store *s, const kw_offset *o, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO log_offsets (key, dev, ino, offset, cursor, updated_ms) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(key) DO UPDATE SET "
                                     "dev = ?2, ino = ?3, offset = ?4, cursor = ?5, updated_ms = ?6");
    if (!st)
        return KW_ERR_IO;
    sqlite3_bind_text(st, 1, o->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)o->dev);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)o->ino);
    sqlite3_bind_int64(st, 4, o->offset);
    if (o->cursor)
        sqlite3_bind_text(st, 5, o->cursor, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, now_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? KW_OK : KW_ERR_IO;
}

kw_rc store_log_offsets_each(kw_store *s, void (*fn)(void *, const kw_offset *), void *arg)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT key, dev, ino, offset, cursor FROM log_offsets");
    if (!st)
        return KW_ERR_IO;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kw_offset o = {(char *)sqlite3_column_text(st, 0), (uint64_t)sqlite3_column_int64(st, 1),
                       (uint64_t)sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                       (char *)sqlite3_column_text(st, 4)};
        fn(arg, &o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? KW_OK : KW_ERR_IO;
}

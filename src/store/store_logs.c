/* The log inputs' positions: table log_offsets. */
#include "event/event.h"
#include "store/store_int.h"

kw_rc store_log_offset_put(kw_store *s, const kw_offset *o, int64_t now_ms)
{
    db_stmt *st = store_stmt(s, "INSERT INTO log_offsets (key, dev, ino, \"offset\", cursor, updated_ms) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(key) DO UPDATE SET "
                                "dev = ?2, ino = ?3, \"offset\" = ?4, cursor = ?5, updated_ms = ?6");
    if (!st)
        return KW_ERR_IO;
    db_bind_text(st, 1, o->key);
    db_bind_int64(st, 2, (int64_t)o->dev);
    db_bind_int64(st, 3, (int64_t)o->ino);
    db_bind_int64(st, 4, o->offset);
    if (o->cursor)
        db_bind_text(st, 5, o->cursor);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, now_ms);
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? KW_OK : KW_ERR_IO;
}

kw_rc store_log_offsets_each(kw_store *s, void (*fn)(void *, const kw_offset *), void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT key, dev, ino, \"offset\", cursor FROM log_offsets");
    if (!st)
        return KW_ERR_IO;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        kw_offset o = {(char *)db_col_text(st, 0), (uint64_t)db_col_int64(st, 1),
                       (uint64_t)db_col_int64(st, 2), db_col_int64(st, 3),
                       (char *)db_col_text(st, 4)};
        fn(arg, &o);
    }
    db_reset(st);
    return rc == DB_DONE ? KW_OK : KW_ERR_IO;
}

/* The duty log's transactions: the helpers both store_duty.c (appending, verifying) and
 * store_duty_sign.c (checkpoints) use, below them both. */
#include "store/store_duty_int.h"

kw_rc duty_tx_begin(kw_store *s, bool *own)
{
    *own = !db_in_transaction(s->db);
    return *own ? store_begin(s) : KW_OK;
}

kw_rc duty_tx_end(kw_store *s, bool own, kw_rc rc)
{
    if (!own)
        return rc;
    if (rc == KW_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

void duty_cache_forget_checkpoint(kw_store *s) { s->duty.cp = false; }

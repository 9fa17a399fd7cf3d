/* A placeholder until the drill tables land: no runs. */
#include "store/store_drill.h"

kw_rc store_drill_runs_json(kw_store *s, int64_t from_ms, int64_t to_ms, kw_buf *out)
{
    (void)s, (void)from_ms, (void)to_ms;
    kw_buf_puts(out, "[]");
    return KW_OK;
}

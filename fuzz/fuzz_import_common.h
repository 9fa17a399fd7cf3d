/* The body of every fuzz_import_<format>.c target: one report in FUZZ_FORMAT through
 * findings_import into a sink that reads every string of every finding and cover (so that
 * ASan sees a dangling or unterminated one), and through the format guess. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "findings/findings_import.h"

static size_t fuzz_len(const char *s)
{
    return s ? strlen(s) : 0;
}

static kw_rc fuzz_emit(void *ctx, const finding *f)
{
    size_t *sum = ctx;
    const char *s[] = {f->vuln_id, f->category, f->title, f->description, f->solution,
                       f->reference, f->scanner, f->score_version, f->vector, f->host, f->ip,
                       f->transport, f->service, f->url, f->parameter, f->file_path, f->text,
                       f->package, f->installed, f->fixed, f->evidence};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        *sum += fuzz_len(s[i]);
    if (!f->vuln_id || !f->title || f->severity > FINDING_CRITICAL)
        __builtin_trap(); /* the importers emit nothing without an id and a title */
    return KW_OK;
}

static kw_rc fuzz_cover(void *ctx, const finding_cover *c)
{
    size_t *sum = ctx;
    *sum += fuzz_len(c->scanner) + fuzz_len(c->host) + fuzz_len(c->ip) + fuzz_len(c->transport);
    if (c->port_lo < 0 || c->port_hi > 65535 || c->port_lo > c->port_hi)
        __builtin_trap();
    return KW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t sum = 0;
    finding_sink sink = {.emit = fuzz_emit, .cover = fuzz_cover, .ctx = &sum};
    findings_import_stats st;
    char err[256];
    findings_import((const char *)data, size, FUZZ_FORMAT, &sink, &st, err, sizeof err);
    (void)findings_format_guess((const char *)data, size);
    if (st.findings > st.records + 1 && FUZZ_FORMAT != FIMP_NMAP)
        __builtin_trap(); /* one finding per record (nmap: several per port) */
    return 0;
}

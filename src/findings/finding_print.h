/* Writing reported findings: as ECS JSON (finding_ecs) or one text line (finding_text), and a
 * sink that prints every finding it is given to a stream (the scan and import commands' output). */
#ifndef KW_FINDING_PRINT_H
#define KW_FINDING_PRINT_H

#include <stdio.h>

#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "findings/finding.h"

/* Writes f as one ECS object into j; now_ms stands in for an unset seen_ms. */
void finding_ecs(kw_json *j, const finding *f, int64_t now_ms);

/* Appends one line: severity, id, where, title (and the fixed version). */
void finding_text(kw_buf *b, const finding *f);

typedef struct finding_printer {
    FILE *out;
    bool json;          /* JSON lines, else text lines */
    int64_t now_ms;
    size_t count[5];    /* printed, per finding_sev */
    size_t total;
} finding_printer;

/* A sink that prints into p (which must outlive the sink). */
finding_sink finding_printer_sink(finding_printer *p);

#endif

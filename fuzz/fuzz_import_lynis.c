/* libFuzzer target: findings_import on a lynis report (findings_import_lynis.c), the body shared
 * with the other formats' targets in fuzz_import_common.h. Seeds: fuzz/corpus/import_lynis/,
 * copies of tests/data/findings/ reports and small hand-made variants. */
#define FUZZ_FORMAT FIMP_LYNIS
#include "fuzz_import_common.h"

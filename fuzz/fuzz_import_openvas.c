/* libFuzzer target: findings_import on a openvas report (findings_import_openvas.c), the body shared
 * with the other formats' targets in fuzz_import_common.h. Seeds: fuzz/corpus/import_openvas/,
 * copies of tests/data/findings/ reports and small hand-made variants. */
#define FUZZ_FORMAT FIMP_OPENVAS
#include "fuzz_import_common.h"

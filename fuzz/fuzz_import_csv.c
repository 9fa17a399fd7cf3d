/* libFuzzer target: findings_import on a csv report (findings_import_csv.c), the body shared
 * with the other formats' targets in fuzz_import_common.h. Seeds: fuzz/corpus/import_csv/,
 * copies of tests/data/findings/ reports and small hand-made variants. */
#define FUZZ_FORMAT FIMP_CSV
#include "fuzz_import_common.h"

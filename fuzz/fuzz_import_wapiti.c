/* libFuzzer target: findings_import on a wapiti report (findings_import_wapiti.c), the body shared
 * with the other formats' targets in fuzz_import_common.h. Seeds: fuzz/corpus/import_wapiti/,
 * copies of tests/data/findings/ reports and small hand-made variants. */
#define FUZZ_FORMAT FIMP_WAPITI
#include "fuzz_import_common.h"

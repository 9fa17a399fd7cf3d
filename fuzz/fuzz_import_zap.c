/* libFuzzer target: findings_import on a zap report (findings_import_zap.c), the body shared
 * with the other formats' targets in fuzz_import_common.h. Seeds: fuzz/corpus/import_zap/,
 * copies of tests/data/findings/ reports and small hand-made variants. */
#define FUZZ_FORMAT FIMP_ZAP
#include "fuzz_import_common.h"

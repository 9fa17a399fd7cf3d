/* libFuzzer target: findings_import on a nmap report (findings_import_nmap.c), the body shared
 * with the other formats' targets in fuzz_import_common.h. Seeds: fuzz/corpus/import_nmap/,
 * copies of tests/data/findings/ reports and small hand-made variants. */
#define FUZZ_FORMAT FIMP_NMAP
#include "fuzz_import_common.h"

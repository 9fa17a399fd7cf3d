/* libFuzzer target: findings_import on a nuclei report (findings_import_nuclei.c), the body shared
 * with the other formats' targets in fuzz_import_common.h. Seeds: fuzz/corpus/import_nuclei/,
 * copies of tests/data/findings/ reports and small hand-made variants. */
#define FUZZ_FORMAT FIMP_NUCLEI
#include "fuzz_import_common.h"

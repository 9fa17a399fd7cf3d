/* Hyperscan databases compiled once and kept: compiling the built-in rules takes most of a
 * `log analyze` or `net analyze` start-up (0.1 s of 0.15), so a database is serialised into a
 * cache directory under a key over everything the compile depends on, and a later compile of
 * the same expressions reads it back in a few milliseconds (what Suricata's sgh-mpm-caching
 * does for its signature groups).
 *
 * The key is SHA-256 over Hyperscan's version, this CPU's platform (what the database was
 * tuned for), the mode and every expression with its flags, id and length. A cache file is
 * used only when it is a regular file owned by this user, writable by no one else, in a
 * directory of the same kind, and its payload's SHA-256 (kept in the file) matches: a torn or
 * damaged file is compiled again and replaced. Files are written beside their final name and
 * renamed, so processes compiling at once never read half a file. The directory holds at most
 * KW_HS_CACHE_FILES databases; the least recently used go first.
 *
 * Where: $KEEPWATCH_CACHE_DIR (empty or "off": no cache), else $CACHE_DIRECTORY (systemd's
 * CacheDirectory=), else $XDG_CACHE_HOME/keepwatch, else $HOME/.cache/keepwatch; in its hs/.
 * Without a usable directory every compile is a plain one. */
#ifndef KW_HS_H
#define KW_HS_H

#ifdef KW_HAVE_HS
#include <hs/hs.h>
#include <stdbool.h>
#include <stddef.h>

#define KW_HS_CACHE_FILES 64

/* hs_compile_multi (lens NULL) or hs_compile_lit_multi (lens given) through the cache; the
 * same arguments, results and errors. */
hs_error_t kw_hs_compile(const char *const *expr, const size_t *lens, const unsigned *flags, const unsigned *ids,
                         unsigned n, unsigned mode, hs_database_t **db, hs_compile_error_t **err);

/* The cache's directory now (its hs/ inside), "" when there is none; buf is filled. */
const char *kw_hs_cache_dir(char *buf, size_t n);

/* Compiles answered from the cache and compiled afresh since the process started. */
void kw_hs_cache_counts(unsigned long *hits, unsigned long *misses);
#endif

#endif

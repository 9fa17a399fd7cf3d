/* URLs in messages and in `config show` (kw_url.c). */
#ifndef KW_URL_H
#define KW_URL_H

#include <stddef.h>

/* Copies url into out[n] (always terminated, truncated to fit) with its password, in the
 * userinfo (scheme://user:PASSWORD@host) or a password= parameter, replaced by "***";
 * returns out. NULL url: "". */
char *kw_url_mask_password(const char *url, char *out, size_t n);

/* Replaces each occurrence of secret (NULL or "": none) in s[n], a terminated string of at
 * most 511 bytes kept, by "***". */
void kw_scrub_secret(char *s, size_t n, const char *secret);

#endif

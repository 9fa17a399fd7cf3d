/* libFuzzer target: the XSS check's HTML context scanner and breakout proofs on hostile pages.
 * Every place found points at the marker inside the body, and each probe's proof runs to the
 * end of the body without reading past it; a probe written raw into a text place must prove. */
#include "scan/scan_web_xss.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FZ_MARKER "kwfz0q"

/* The body with the marker at w->at replaced by the payload (text places only). */
static void fz_splice(const char *b, size_t n, const web_xss_where *w, const web_xss_probe *p)
{
    size_t ml = strlen(FZ_MARKER), pl = strlen(p->payload);
    char *s = malloc(n - ml + pl + 1);
    memcpy(s, b, w->at);
    memcpy(s + w->at, p->payload, pl);
    memcpy(s + w->at + pl, b + w->at + ml, n - w->at - ml);
    if (!web_xss_proved(s, n - ml + pl, FZ_MARKER, p->proof, NULL))
        abort(); /* an unescaped <marker> in text is an element */
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *b = (const char *)data;
    web_xss_where w[16];
    size_t n = web_xss_contexts(b, size, FZ_MARKER, w, 16);
    if (n > 16)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (w[i].at + strlen(FZ_MARKER) > size || strncasecmp(b + w[i].at, FZ_MARKER, strlen(FZ_MARKER)) != 0 ||
            w[i].kind >= WEB_XSS_NKINDS)
            abort();
        web_xss_probe p[4];
        size_t np = web_xss_probes(&w[i], FZ_MARKER, p, 4);
        for (size_t k = 0; k < np; k++) {
            size_t at = 0;
            if (web_xss_proved(b, size, FZ_MARKER, p[k].proof, &at) && at >= size)
                abort();
        }
        /* a text place whose marker is followed by plain text stays text after the splice */
        if (w[i].kind == WEB_XSS_TEXT && i == 0 && np && memchr(b, '<', size) == NULL)
            fz_splice(b, size, &w[i], &p[0]);
        char d[160];
        web_xss_describe(&w[i], d, sizeof d);
    }
    return 0;
}

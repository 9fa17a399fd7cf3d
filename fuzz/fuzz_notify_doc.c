/* libFuzzer target: a document's mail from hostile pieces. The file name, the MIME type and
 * the text of a report come from a configuration and a store that outside input reached (an
 * alert's summary in a report's summary); the input is split at NUL bytes into those and the
 * attachment's bytes, then built as multipart/mixed: no header may be injected (every CR is
 * followed by LF and no line starts with a header the input named), and every line is short. */
#include "notify/notify.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *piece(const uint8_t **p, const uint8_t *end, char *buf, size_t n)
{
    size_t k = 0;
    while (*p < end && **p && k + 1 < n)
        buf[k++] = (char)*(*p)++;
    buf[k] = 0;
    if (*p < end)
        (*p)++;
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    char name[512], mime[256], text[4096];
    piece(&p, end, name, sizeof name);
    piece(&p, end, mime, sizeof mime);
    piece(&p, end, text, sizeof text);
    kw_buf b;
    kw_buf_init(&b, 1 << 22);
    notify_mime_multipart(&b, "=_kw_fuzz", text, name, mime, p, (size_t)(end - p));
    kw_buf w; /* a subject: CR LF only to fold, before a space */
    kw_buf_init(&w, 1 << 16);
    notify_mime_encoded_word(&w, name);
    for (size_t i = 0; i < w.len; i++)
        if ((w.data[i] == '\r' && (i + 2 >= w.len || w.data[i + 1] != '\n' || w.data[i + 2] != ' ')) ||
            (w.data[i] == '\n' && (!i || w.data[i - 1] != '\r')))
            abort();
    kw_buf_free(&w);
    const char *s = kw_buf_cstr(&b);
    size_t line = 0;
    for (size_t i = 0; i < b.len; i++) {
        if (s[i] == '\r' && (i + 1 >= b.len || s[i + 1] != '\n'))
            abort(); /* a bare CR */
        if (s[i] == '\n') {
            if (!i || s[i - 1] != '\r' || line > 998)
                abort(); /* a bare LF, or a line past RFC 5322's bound */
            line = 0;
            if (i + 5 < b.len && strncmp(s + i + 1, "Bcc: ", 5) == 0)
                abort(); /* a header the input made */
        } else if (s[i] != '\r') {
            line++;
        }
    }
    kw_buf_free(&b);
    return 0;
}

/* Drift (audit_drift.h): two snapshots' lines sorted, walked together; results paired by
 * check id and key, statements compared whole. */
#include "audit/audit_drift.h"
#include "core/kw_mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct line {
    const char *p;
    size_t n;
} line;

typedef struct lines {
    line *v;
    size_t n, cap;
} lines;

/* Field i (tab-separated) of l. */
static line field(line l, int i)
{
    const char *p = l.p, *end = l.p + l.n;
    for (; i > 0 && p < end; i--) {
        const char *t = memchr(p, '\t', (size_t)(end - p));
        p = t ? t + 1 : end;
    }
    const char *t = memchr(p, '\t', (size_t)(end - p));
    return (line){p, (size_t)((t ? t : end) - p)};
}

static bool is_config(line l)
{
    return l.n > 7 && !memcmp(l.p, "config\t", 7);
}

static int line_cmp(line a, line b)
{
    int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* Results pair by id and key (fields 0 and 1); statements by the whole line. */
static int pair_cmp(line a, line b)
{
    bool ca = is_config(a), cb = is_config(b);
    if (ca != cb)
        return ca ? -1 : 1;
    if (ca)
        return line_cmp(a, b);
    int c = line_cmp(field(a, 0), field(b, 0));
    return c ? c : line_cmp(field(a, 1), field(b, 1));
}

static int qcmp(const void *x, const void *y)
{
    int c = pair_cmp(*(const line *)x, *(const line *)y);
    return c ? c : line_cmp(*(const line *)x, *(const line *)y);
}

static void split(const char *s, lines *out)
{
    for (const char *p = s; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n) {
            kw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
            out->v[out->n++] = (line){p, n};
        }
        p = nl ? nl + 1 : NULL;
    }
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, qcmp);
}

void audit_drift_normalise(kw_buf *s)
{
    lines l = {0};
    char *copy = kw_strdup(s->data ? s->data : "");
    split(copy, &l);
    kw_buf_reset(s);
    for (size_t i = 0; i < l.n; i++)
        if (i == 0 || line_cmp(l.v[i], l.v[i - 1]) != 0) {
            kw_buf_append(s, l.v[i].p, l.v[i].n);
            kw_buf_putc(s, '\n');
        }
    if (!s->data)
        kw_buf_append(s, "", 0);
    free(l.v);
    free(copy);
}

typedef struct sayer {
    kw_buf *out;
    size_t max, said, total;
} sayer;

static void say_field(kw_buf *b, line f)
{
    kw_buf_append(b, f.p, f.n);
}

/* One difference; x the line after (NULL when gone), w the line before (NULL when new). */
static void say(sayer *s, const line *w, const line *x)
{
    s->total++;
    if (s->said >= s->max)
        return;
    s->said++;
    kw_buf *b = s->out;
    const line *l = x ? x : w;
    if (is_config(*l)) {
        kw_buf_puts(b, x ? "+ " : "- ");
        say_field(b, field(*l, 1));
        kw_buf_puts(b, ": ");
        say_field(b, field(*l, 2));
        kw_buf_putc(b, '\n');
        return;
    }
    /* STATUS ID [KEY] FILE:LINE (was STATUS): TEXT found VALUE */
    say_field(b, x ? field(*x, 2) : (line){"gone", 4});
    kw_buf_putc(b, ' ');
    say_field(b, field(*l, 0));
    line key = field(*l, 1);
    if (key.n) {
        kw_buf_puts(b, " [");
        say_field(b, key);
        kw_buf_putc(b, ']');
    }
    kw_buf_putc(b, ' ');
    say_field(b, field(*l, 3));
    if (w && x) {
        kw_buf_puts(b, " (was ");
        say_field(b, field(*w, 2));
        kw_buf_putc(b, ')');
    }
    line text = field(*l, 4), found = field(*l, 5);
    if (text.n) {
        kw_buf_puts(b, ": ");
        say_field(b, text);
    }
    if (found.n) {
        kw_buf_puts(b, " found ");
        say_field(b, found);
    }
    kw_buf_putc(b, '\n');
}

static bool failing(line l)
{
    line st = field(l, 2);
    return st.n == 4 && !memcmp(st.p, "fail", 4);
}

/* Two results of one check and key: the same unless status, statement or value changed (the
 * line number alone moving is no change). */
static bool same_result(line a, line b)
{
    for (int f = 2; f <= 5; f++)
        if (f != 3 && line_cmp(field(a, f), field(b, f)) != 0)
            return false;
    return true;
}

static void count(audit_drift *d, const line *w, const line *x)
{
    const line *l = x ? x : w;
    if (is_config(*l)) {
        if (x)
            d->added++;
        else
            d->removed++;
        return;
    }
    bool fw = w && failing(*w), fx = x && failing(*x);
    if (fx && !fw)
        d->worse++;
    else if (fw && !fx)
        d->better++;
    else
        d->changed++;
}

size_t audit_drift_diff(const char *before, const char *after, kw_buf *out, size_t max_lines, audit_drift *d)
{
    audit_drift local;
    if (!d)
        d = &local;
    memset(d, 0, sizeof *d);
    lines a = {0}, b = {0};
    split(before, &a);
    split(after, &b);
    sayer s = {.out = out, .max = max_lines};
    size_t i = 0, k = 0;
    while (i < a.n || k < b.n) {
        int c = i == a.n ? 1 : k == b.n ? -1 : pair_cmp(a.v[i], b.v[k]);
        if (c == 0 && is_config(a.v[i])) {
            i++, k++;
        } else if (c == 0) {
            if (!same_result(a.v[i], b.v[k])) {
                count(d, &a.v[i], &b.v[k]);
                say(&s, &a.v[i], &b.v[k]);
            }
            i++, k++;
        } else if (c < 0) {
            count(d, &a.v[i], NULL);
            say(&s, &a.v[i], NULL);
            i++;
        } else {
            count(d, NULL, &b.v[k]);
            say(&s, NULL, &b.v[k]);
            k++;
        }
    }
    if (s.total > s.said)
        kw_buf_printf(out, "... and %zu more\n", s.total - s.said);
    free(a.v);
    free(b.v);
    return s.total;
}

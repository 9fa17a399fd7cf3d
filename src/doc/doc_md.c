/* The Markdown renderer (GitHub flavour): every piece of the document's text escaped so that
 * it reads as the text it is (no markup, links or HTML of its own), tables with | and
 * newlines escaped in their cells, charts as tables of their values. */
#include <stdio.h>
#include <string.h>

#include "doc/doc_int.h"

typedef enum md_mode {
    MD_FLOW, /* paragraph text: a newline is a hard break followed by the indent */
    MD_CELL, /* a table cell: | escaped, a newline is <br> */
    MD_HEAD, /* a heading: as a cell, and '#' escaped (a closing sequence otherwise) */
} md_mode;

typedef struct md_out {
    kw_buf *b;
    md_mode mode;
    const char *indent; /* what continues a block on its next line ("  ", "> ") */
    bool bol;           /* at the start of a line */
} md_out;

/* ASCII punctuation that could start markup anywhere in a line. */
static bool md_special(unsigned char c)
{
    return c && strchr("\\`*_[]<>|~", c) != NULL;
}

/* Whether s[0..n), just after an '&', would read as a character reference ("amp;",
 * "#38;"): a name or number and a ';' within 32 bytes. */
static bool md_entity_like(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && i < 32 && (s[i] == '#' || ((unsigned)(s[i] | 0x20) - 'a') < 26u || (unsigned)(s[i] - '0') < 10u))
        i++;
    return i > 0 && i < n && s[i] == ';';
}

/* At the start of a line: a character that would open a heading, quote, list or rule, or a
 * number followed by '.' or ')' (an ordered list). Returns the bytes written from s. */
static size_t md_line_start(md_out *o, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++; /* leading spaces would make a code block */
    if (i < n && strchr("#+-=>", s[i])) {
        kw_buf_putc(o->b, '\\');
        return i;
    }
    size_t d = i;
    while (d < n && d - i < 10 && s[d] >= '0' && s[d] <= '9')
        d++;
    if (d > i && d < n && (s[d] == '.' || s[d] == ')')) {
        kw_buf_append(o->b, s + i, d - i);
        kw_buf_putc(o->b, '\\');
        return d;
    }
    return i;
}

static void md_newline(md_out *o)
{
    if (o->mode != MD_FLOW) {
        kw_buf_puts(o->b, "<br>");
        return;
    }
    kw_buf_puts(o->b, "\\\n");
    kw_buf_puts(o->b, o->indent);
    o->bol = true;
}

/* s[0..n) escaped onto o. */
static void md_text(md_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (o->bol && o->mode == MD_FLOW) {
            i += md_line_start(o, s + i, n - i);
            o->bol = false;
            if (i >= n)
                break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            while (i + 1 < n && s[i + 1] == '\n')
                i++;
            md_newline(o);
            continue;
        }
        if (md_special(c) || (c == '#' && o->mode == MD_HEAD) || (c == '&' && md_entity_like(s + i + 1, n - i - 1)))
            kw_buf_putc(o->b, '\\');
        kw_buf_putc(o->b, (char)c);
    }
}

static void md_str(md_out *o, const char *s)
{
    md_text(o, s, strlen(s));
}

/* Text with **bold** spans, the bold runs trimmed of spaces so GitHub takes them as bold. */
static void md_rich(md_out *o, const char *text)
{
    size_t pos = 0, n;
    const char *s;
    bool bold;
    while (doc_span_next(text, &pos, &s, &n, &bold)) {
        if (!bold) {
            md_text(o, s, n);
            continue;
        }
        size_t lead = 0, trail = 0;
        while (lead < n && (s[lead] == ' ' || s[lead] == '\n'))
            lead++;
        while (trail < n - lead && (s[n - 1 - trail] == ' ' || s[n - 1 - trail] == '\n'))
            trail++;
        md_text(o, s, lead); /* the spaces go outside the marks */
        if (n > lead + trail) {
            kw_buf_puts(o->b, "**");
            o->bol = false;
            md_text(o, s + lead, n - lead - trail);
            kw_buf_puts(o->b, "**");
        }
        md_text(o, s + n - trail, trail);
    }
}

static md_out md_at(kw_buf *b, md_mode mode, const char *indent)
{
    return (md_out){b, mode, indent, mode == MD_FLOW};
}

static void md_heading(kw_buf *b, int level, const char *text)
{
    kw_buf_printf(b, "%.*s ", level, "####");
    md_out o = md_at(b, MD_HEAD, "");
    md_str(&o, text);
    kw_buf_puts(b, "\n\n");
}

static void md_row(kw_buf *b, const char *const *cells, size_t ncols)
{
    md_out o = md_at(b, MD_CELL, "");
    for (size_t c = 0; c < ncols; c++) {
        kw_buf_puts(b, "| ");
        md_str(&o, cells[c]);
        kw_buf_putc(b, ' ');
    }
    kw_buf_puts(b, "|\n");
}

static void md_rule(kw_buf *b, const doc_align *align, size_t ncols)
{
    static const char *const marks[] = {"| --- ", "| :---: ", "| ---: "};
    for (size_t c = 0; c < ncols; c++)
        kw_buf_puts(b, marks[align ? align[c] : DOC_ALIGN_LEFT]);
    kw_buf_puts(b, "|\n");
}

static void md_table(kw_buf *b, const doc_block *t)
{
    md_row(b, t->strs, t->ncols);
    md_rule(b, t->align, t->ncols);
    for (size_t r = 0; r < doc_rows(t); r++)
        md_row(b, &t->strs[(r + 1) * t->ncols], t->ncols);
    kw_buf_putc(b, '\n');
}

static void md_list(kw_buf *b, const doc_block *l, char marker)
{
    for (size_t i = 0; i < l->nstrs; i++) {
        kw_buf_printf(b, "%c ", marker);
        md_out o = md_at(b, MD_FLOW, "  ");
        md_rich(&o, l->strs[i]);
        kw_buf_putc(b, '\n');
    }
    kw_buf_putc(b, '\n');
}

static void md_kv(kw_buf *b, const doc_block *l, const doc_words *w, char marker)
{
    for (size_t i = 0; i + 1 < l->nstrs; i += 2) {
        md_out o = md_at(b, MD_FLOW, "  ");
        kw_buf_printf(b, "%c ", marker);
        if (*l->strs[i]) {
            kw_buf_puts(b, "**");
            md_str(&o, l->strs[i]);
            kw_buf_printf(b, "**%s", w->colon);
        }
        o.bol = false;
        md_str(&o, l->strs[i + 1]);
        kw_buf_putc(b, '\n');
    }
    kw_buf_putc(b, '\n');
}

static void md_note(kw_buf *b, const doc_block *n, const doc_words *w)
{
    kw_buf_printf(b, "> **%s**%s", w->note[n->level], w->colon); /* the colon outside: still bold */
    md_out o = md_at(b, MD_FLOW, "> ");
    o.bol = false;
    md_rich(&o, n->text);
    kw_buf_puts(b, "\n\n");
}

/* A chart's caption: its title in bold and its unit. */
static void md_caption(kw_buf *b, const doc_block *c)
{
    md_out o = md_at(b, MD_CELL, "");
    if (*c->text) {
        kw_buf_puts(b, "**");
        md_str(&o, c->text);
        kw_buf_puts(b, "**");
    }
    if (*c->unit) {
        kw_buf_puts(b, *c->text ? " (" : "(");
        md_str(&o, c->unit);
        kw_buf_putc(b, ')');
    }
    if (*c->text || *c->unit)
        kw_buf_puts(b, "\n\n");
}

static void md_bars(kw_buf *b, const doc_block *c, const doc_words *w)
{
    md_caption(b, c);
    const char *head[2] = {w->label, w->value};
    static const doc_align al[2] = {DOC_ALIGN_LEFT, DOC_ALIGN_RIGHT};
    md_row(b, head, 2);
    md_rule(b, al, 2);
    for (size_t i = 0; i < c->nbars; i++) {
        char num[64];
        doc_fmt_num(c->bars[i].v, num, sizeof num);
        const char *row[2] = {c->bars[i].label, num};
        md_row(b, row, 2);
    }
    kw_buf_putc(b, '\n');
}

/* The next time any series has a point at, from the cursors at[]; false when all are done. */
static bool md_next_time(const doc_block *c, const size_t *at, int64_t *t)
{
    bool any = false;
    for (size_t s = 0; s < c->nseries; s++)
        if (at[s] < c->series[s].n && (!any || c->series[s].pts[at[s]].t < *t))
            *t = c->series[s].pts[at[s]].t, any = true;
    return any;
}

/* One row per distinct time: the time, then each series' value at it (empty when none). */
static void md_lines(kw_buf *b, const doc_block *c, const doc_words *w, int tz_min)
{
    md_caption(b, c);
    kw_buf_printf(b, "| %s ", w->time);
    md_out o = md_at(b, MD_CELL, "");
    for (size_t s = 0; s < c->nseries; s++) {
        kw_buf_puts(b, "| ");
        md_str(&o, c->series[s].name);
        kw_buf_putc(b, ' ');
    }
    kw_buf_puts(b, "|\n| --- ");
    for (size_t s = 0; s < c->nseries; s++)
        kw_buf_puts(b, "| ---: ");
    kw_buf_puts(b, "|\n");
    size_t at[DOC_SERIES_MAX] = {0};
    int64_t t = 0;
    while (md_next_time(c, at, &t) && !b->overflow) {
        char ts[64], num[64];
        doc_fmt_time(t, tz_min, true, ts, sizeof ts);
        kw_buf_printf(b, "| %s ", ts);
        for (size_t s = 0; s < c->nseries; s++) {
            const doc_series *se = &c->series[s];
            num[0] = '\0';
            while (at[s] < se->n && se->pts[at[s]].t == t)
                doc_fmt_num(se->pts[at[s]++].v, num, sizeof num); /* the last at that time */
            kw_buf_printf(b, "| %s ", num);
        }
        kw_buf_puts(b, "|\n");
    }
    kw_buf_putc(b, '\n');
}

/* marker: the bullet of a list, '*' after a list that used '-' (else the two would merge). */
static void md_block(kw_buf *b, const doc_block *k, const doc_words *w, int tz_min, char marker)
{
    md_out o = md_at(b, MD_FLOW, "");
    switch (k->kind) {
    case DOC_B_HEADING: md_heading(b, k->level + 1, k->text); break;
    case DOC_B_PARA:
        md_rich(&o, k->text);
        kw_buf_puts(b, "\n\n");
        break;
    case DOC_B_NOTE: md_note(b, k, w); break;
    case DOC_B_BREAK: kw_buf_puts(b, "---\n\n"); break;
    case DOC_B_LIST: md_list(b, k, marker); break;
    case DOC_B_KV: md_kv(b, k, w, marker); break;
    case DOC_B_TABLE: md_table(b, k); break;
    case DOC_B_BAR: md_bars(b, k, w); break;
    case DOC_B_LINE: md_lines(b, k, w, tz_min); break;
    }
}

kw_rc doc_render_md(const kw_doc *d, doc_lang lang, kw_buf *out)
{
    const doc_words *w = doc_words_of(lang);
    if (*d->title)
        md_heading(out, 1, d->title);
    md_out o = md_at(out, MD_FLOW, "");
    if (*d->org || *d->period) {
        md_str(&o, d->org);
        if (*d->org && *d->period)
            kw_buf_puts(out, " · ");
        o.bol = false;
        md_str(&o, d->period);
        kw_buf_puts(out, "\n\n");
    }
    char marker = '*';
    for (size_t i = 0; i < d->nblocks && !out->overflow; i++) {
        const doc_block *k = &d->blocks[i];
        bool listy = k->kind == DOC_B_LIST || k->kind == DOC_B_KV;
        marker = listy && marker == '-' ? '*' : '-';
        md_block(out, k, w, d->tz_min, marker);
        if (!listy)
            marker = '*';
    }
    if (d->truncated)
        kw_buf_printf(out, "%s\n\n", w->truncated);
    if (*d->footer) {
        kw_buf_puts(out, "---\n\n");
        o = md_at(out, MD_FLOW, "");
        md_str(&o, d->footer);
        kw_buf_puts(out, "\n");
    }
    return out->overflow ? KW_ERR_FULL : KW_OK;
}

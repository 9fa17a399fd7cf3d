#include "metric/metric.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

metric_set *metric_set_new(int64_t ts_ms)
{
    metric_set *s = kw_calloc(1, sizeof *s);
    s->ts_ms = ts_ms;
    return s;
}

void metric_set_free(metric_set *s)
{
    if (!s)
        return;
    free(s->v);
    kw_arena_free(&s->arena);
    free(s);
}

metric_sample *metric_add(metric_set *s, const metric_desc *d, double value, ...)
{
    kw_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    metric_sample *m = &s->v[s->n++];
    memset(m, 0, sizeof *m);
    m->desc = d;
    m->value = value;
    va_list ap;
    va_start(ap, value);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        if (m->nlabels < METRIC_MAX_LABELS) {
            m->lk[m->nlabels] = k;
            m->lv[m->nlabels] = kw_arena_strdup(&s->arena, v ? v : "");
            m->nlabels++;
        }
    }
    va_end(ap);
    return m;
}

const char *metric_label(const metric_sample *m, const char *key)
{
    for (int i = 0; i < m->nlabels; i++)
        if (strcmp(m->lk[i], key) == 0)
            return m->lv[i];
    return NULL;
}

static void prom_label_value(kw_buf *out, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\')
            kw_buf_puts(out, "\\\\");
        else if (*v == '"')
            kw_buf_puts(out, "\\\"");
        else if (*v == '\n')
            kw_buf_puts(out, "\\n");
        else
            kw_buf_putc(out, *v);
    }
}

static void prom_labels(kw_buf *out, const metric_sample *m)
{
    if (!m->nlabels)
        return;
    kw_buf_putc(out, '{');
    for (int i = 0; i < m->nlabels; i++) {
        kw_buf_printf(out, "%s%s=\"", i ? "," : "", m->lk[i]);
        prom_label_value(out, m->lv[i]);
        kw_buf_putc(out, '"');
    }
    kw_buf_putc(out, '}');
}

void metric_sample_id(const metric_sample *m, kw_buf *out)
{
    kw_buf_puts(out, m->desc->name);
    prom_labels(out, m);
}

typedef struct {
    const metric_sample *m;
    size_t seq;
} prom_ref;

static int prom_ref_cmp(const void *a, const void *b)
{
    const prom_ref *x = a, *y = b;
    int c = strcmp(x->m->desc->name, y->m->desc->name);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void metric_render_prom(metric_set *const *sets, size_t nsets, kw_buf *out)
{
    size_t total = 0;
    for (size_t i = 0; i < nsets; i++)
        total += sets[i] ? sets[i]->n : 0;
    prom_ref *refs = kw_calloc(total, sizeof *refs);
    size_t k = 0;
    for (size_t i = 0; i < nsets; i++)
        for (size_t j = 0; sets[i] && j < sets[i]->n; j++, k++) {
            refs[k].m = &sets[i]->v[j];
            refs[k].seq = k;
        }
    qsort(refs, total, sizeof *refs, prom_ref_cmp);
    const metric_desc *family = NULL;
    char num[40];
    for (size_t i = 0; i < total; i++) {
        const metric_sample *m = refs[i].m;
        if (!family || strcmp(family->name, m->desc->name) != 0) {
            family = m->desc;
            kw_buf_printf(out, "# HELP %s%s %s\n# TYPE %s%s %s\n", METRIC_PREFIX, family->name, family->help,
                          METRIC_PREFIX, family->name, family->type == METRIC_COUNTER ? "counter" : "gauge");
        }
        kw_buf_printf(out, "%s%s", METRIC_PREFIX, m->desc->name);
        prom_labels(out, m);
        if (isnan(m->value))
            snprintf(num, sizeof num, "NaN");
        else if (isinf(m->value))
            snprintf(num, sizeof num, m->value > 0 ? "+Inf" : "-Inf");
        else
            kw_fmt_double(num, sizeof num, m->value);
        kw_buf_printf(out, " %s\n", num);
    }
    free(refs);
}

void metric_registry_init(metric_registry *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
}

void metric_registry_destroy(metric_registry *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->slots[i].source);
        metric_set_free(r->slots[i].set);
    }
    free(r->slots);
    pthread_mutex_destroy(&r->mu);
}

void metric_registry_put(metric_registry *r, const char *source, metric_set *set)
{
    metric_set *old = NULL;
    pthread_mutex_lock(&r->mu);
    size_t i = 0;
    while (i < r->n && strcmp(r->slots[i].source, source) != 0)
        i++;
    if (i < r->n) {
        old = r->slots[i].set;
        if (set) {
            r->slots[i].set = set;
        } else {
            free(r->slots[i].source);
            r->slots[i] = r->slots[--r->n];
        }
    } else if (set) {
        kw_grow(&r->slots, &r->cap, r->n + 1, sizeof *r->slots);
        r->slots[r->n].source = kw_strdup(source);
        r->slots[r->n].set = set;
        r->n++;
    }
    pthread_mutex_unlock(&r->mu);
    metric_set_free(old);
}

void metric_registry_prune(metric_registry *r, const char *prefix, char *const *keep, size_t nkeep)
{
    pthread_mutex_lock(&r->mu);
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < r->n;) {
        bool drop = strncmp(r->slots[i].source, prefix, pl) == 0;
        for (size_t k = 0; drop && k < nkeep; k++)
            if (strcmp(r->slots[i].source + pl, keep[k]) == 0)
                drop = false;
        if (drop) {
            free(r->slots[i].source);
            metric_set_free(r->slots[i].set);
            r->slots[i] = r->slots[--r->n];
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&r->mu);
}

void metric_registry_each(metric_registry *r, const char *name, void (*fn)(void *arg, const metric_sample *m),
                          void *arg)
{
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->n; i++) {
        const metric_set *set = r->slots[i].set;
        for (size_t k = 0; k < set->n; k++)
            if (strcmp(set->v[k].desc->name, name) == 0)
                fn(arg, &set->v[k]);
    }
    pthread_mutex_unlock(&r->mu);
}

void metric_registry_render(metric_registry *r, kw_buf *out)
{
    pthread_mutex_lock(&r->mu);
    metric_set **sets = kw_calloc(r->n, sizeof *sets);
    for (size_t i = 0; i < r->n; i++)
        sets[i] = r->slots[i].set;
    metric_render_prom(sets, r->n, out);
    free(sets);
    pthread_mutex_unlock(&r->mu);
}

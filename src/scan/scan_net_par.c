/* scan_net_par.c: the TCP scan on several threads: one scanner (scan_net.c) per CPU, each on
 * every W-th port of the list over the same hosts, and a merge that reports a host once every
 * scanner has settled its share (its ports sorted, its counts summed); a host callback's error
 * stops them all. Small scans run one scanner on the calling thread. */
#include "scan/scan.h"
#include "scan/scan_int.h"
#include "core/kw_mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct merge {
    const scan_targets *t;
    const scan_opts *o;
    int w;
    pthread_mutex_t mu;
    scan_host_result **part;      /* per host index: what has come in so far */
    int *seen;
    scan_progress *prog;          /* per worker */
    volatile int stop;
    kw_rc rc;
} merge;

typedef struct worker {
    merge *m;
    int k;
    scan_opts o;
    uint16_t *list;
    size_t n;
    pthread_t th;
    bool th_ok;
    kw_rc rc;
} worker;

static void merge_add(scan_host_result *acc, const scan_host_result *r)
{
    scan_port_result *v = kw_malloc((acc->nports + r->nports + 1) * sizeof *v);
    if (acc->nports)
        memcpy(v, acc->ports, acc->nports * sizeof *v);
    if (r->nports)
        memcpy(v + acc->nports, r->ports, r->nports * sizeof *v);
    free((void *)acc->ports);
    acc->ports = v;
    acc->nports += r->nports;
    acc->open += r->open;
    acc->closed += r->closed;
    acc->filtered += r->filtered;
    if (r->srtt_us && (!acc->srtt_us || r->srtt_us < acc->srtt_us))
        acc->srtt_us = r->srtt_us;
}

static kw_rc merge_on_host(void *arg, const scan_host_result *r)
{
    worker *wk = arg;
    merge *m = wk->m;
    size_t hi = (size_t)(r->host - m->t->v);
    pthread_mutex_lock(&m->mu);
    if (!m->part[hi]) {
        m->part[hi] = kw_calloc(1, sizeof *m->part[hi]);
        m->part[hi]->host = r->host;
    }
    scan_host_result *acc = m->part[hi];
    merge_add(acc, r);
    if (++m->seen[hi] == m->w) {
        if (acc->nports > 1)
            qsort((void *)acc->ports, acc->nports, sizeof *acc->ports, scan_port_cmp);
        if (m->rc == KW_OK && m->o->on_host)
            m->rc = m->o->on_host(m->o->on_host_arg, acc);
        if (m->rc != KW_OK)
            m->stop = 1;
        free((void *)acc->ports);
        free(acc);
        m->part[hi] = NULL;
    }
    kw_rc rc = m->rc;
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static void merge_on_progress(void *arg, const scan_progress *p)
{
    worker *wk = arg;
    merge *m = wk->m;
    pthread_mutex_lock(&m->mu);
    m->prog[wk->k] = *p;
    scan_progress sum = {0};
    for (int i = 0; i < m->w; i++) {
        sum.done += m->prog[i].done;
        sum.total += m->prog[i].total;
        sum.open += m->prog[i].open;
        sum.hosts_done = i == 0 || m->prog[i].hosts_done < sum.hosts_done ? m->prog[i].hosts_done : sum.hosts_done;
    }
    sum.hosts = m->t->n;
    if (wk->k == 0 && m->o->on_progress)
        m->o->on_progress(m->o->on_progress_arg, &sum);
    pthread_mutex_unlock(&m->mu);
}

static void *worker_main(void *arg)
{
    worker *wk = arg;
    wk->rc = scan_net_one(wk->m->t, wk->list, wk->n, &wk->o, &wk->m->stop);
    return NULL;
}

/* How many scanners: one per CPU up to 4 for 8192 probes or more (o->workers overrides). */
static int workers_for(const scan_targets *t, size_t nports, const scan_opts *o)
{
    if (o->workers > 0)
        return o->workers > 8 ? 8 : o->workers;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if ((uint64_t)nports * t->n < 8192 || cpus < 2 || nports < 2)
        return 1;
    return cpus > 4 ? 4 : (int)cpus;
}

static void worker_opts(worker *wk, merge *m, const scan_opts *o, int w)
{
    wk->o = *o;
    wk->o.rate = o->rate ? (o->rate + (uint64_t)w - 1) / (uint64_t)w : 0;
    wk->o.host_rate = o->host_rate ? (o->host_rate + (uint64_t)w - 1) / (uint64_t)w : 0;
    wk->o.max_inflight = o->max_inflight ? (o->max_inflight + (size_t)w - 1) / (size_t)w : 0;
    wk->o.host_inflight = ((o->host_inflight ? o->host_inflight : 2048) + (size_t)w - 1) / (size_t)w;
    wk->o.ident_threads = ((o->ident_threads > 0 ? o->ident_threads : 8) + w - 1) / w;
    wk->o.on_host = merge_on_host;
    wk->o.on_host_arg = wk;
    wk->o.on_progress = merge_on_progress;
    wk->o.on_progress_arg = wk;
    wk->m = m;
}

static kw_rc scan_parallel(const scan_targets *t, const uint16_t *list, size_t n, const scan_opts *o, int w)
{
    merge m = {.t = t, .o = o, .w = w, .rc = KW_OK};
    pthread_mutex_init(&m.mu, NULL);
    m.part = kw_calloc(t->n, sizeof *m.part);
    m.seen = kw_calloc(t->n, sizeof *m.seen);
    m.prog = kw_calloc((size_t)w, sizeof *m.prog);
    worker *wk = kw_calloc((size_t)w, sizeof *wk);
    for (int k = 0; k < w; k++) {
        worker_opts(&wk[k], &m, o, w);
        wk[k].k = k;
        wk[k].list = kw_calloc(n / (size_t)w + 1, sizeof *wk[k].list);
        for (size_t i = (size_t)k; i < n; i += (size_t)w)
            wk[k].list[wk[k].n++] = list[i];
        if (pthread_create(&wk[k].th, NULL, worker_main, &wk[k]) != 0)
            worker_main(&wk[k]);
        else
            wk[k].th_ok = true;
    }
    kw_rc rc = KW_OK;
    for (int k = 0; k < w; k++) {
        if (wk[k].th_ok)
            pthread_join(wk[k].th, NULL);
        if (rc == KW_OK && wk[k].rc != KW_OK)
            rc = wk[k].rc;
        free(wk[k].list);
    }
    if (m.rc != KW_OK)
        rc = m.rc;
    for (size_t i = 0; i < t->n; i++)
        if (m.part[i]) {
            free((void *)m.part[i]->ports);
            free(m.part[i]);
        }
    free(m.part);
    free(m.seen);
    free(m.prog);
    free(wk);
    pthread_mutex_destroy(&m.mu);
    return rc;
}

kw_rc scan_net_tcp(const scan_targets *t, const scan_ports *ports, const scan_opts *o)
{
    uint16_t *list = kw_calloc(SCAN_PORT_LIST, sizeof *list);
    size_t n = scan_ports_list(ports->tcp, list);
    int w = workers_for(t, n, o);
    kw_rc rc = w > 1 ? scan_parallel(t, list, n, o, w) : scan_net_one(t, list, n, o, NULL);
    free(list);
    return rc;
}

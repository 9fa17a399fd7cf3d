#include "core/kw_queue.h"
#include "core/kw_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

void kw_queue_init(kw_queue *q, size_t cap)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    q->items = kw_calloc(cap, sizeof(void *));
    q->cap = cap;
    q->head = q->len = q->high_water = 0;
    atomic_init(&q->pushed, 0);
    atomic_init(&q->dropped, 0);
    q->closed = false;
}

void kw_queue_destroy(kw_queue *q)
{
    free(q->items);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
}

kw_rc kw_queue_push(kw_queue *q, void *item)
{
    pthread_mutex_lock(&q->mu);
    if (q->closed || q->len == q->cap) {
        pthread_mutex_unlock(&q->mu);
        atomic_fetch_add(&q->dropped, 1);
        return KW_ERR_FULL;
    }
    q->items[(q->head + q->len) % q->cap] = item;
    q->len++;
    if (q->len > q->high_water)
        q->high_water = q->len;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    atomic_fetch_add(&q->pushed, 1);
    return KW_OK;
}

void *kw_queue_pop(kw_queue *q, int64_t timeout_ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (timeout_ms % 1000) * 1000000;
    if (dl.tv_nsec >= 1000000000) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&q->mu);
    while (q->len == 0 && !q->closed)
        if (pthread_cond_timedwait(&q->cv, &q->mu, &dl) == ETIMEDOUT)
            break;
    void *item = NULL;
    if (q->len) {
        item = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    pthread_mutex_unlock(&q->mu);
    return item;
}

void kw_queue_close(kw_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

size_t kw_queue_len(kw_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->len;
    pthread_mutex_unlock(&q->mu);
    return n;
}

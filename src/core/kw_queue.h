/* A bounded multi-producer, single-consumer queue of pointers. Producers never block: when
 * the queue is full, push fails and the drop is counted (sensors must not stall on a slow
 * consumer). The consumer waits with a timeout. */
#ifndef KW_QUEUE_H
#define KW_QUEUE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"

typedef struct kw_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void **items;
    size_t cap, head, len;
    atomic_uint_fast64_t pushed, dropped;
    size_t high_water;
    bool closed;
} kw_queue;

void kw_queue_init(kw_queue *q, size_t cap);
void kw_queue_destroy(kw_queue *q);
/* KW_OK, or KW_ERR_FULL (counted as a drop; the item stays the caller's). */
kw_rc kw_queue_push(kw_queue *q, void *item);
/* Waits up to timeout_ms for an item; NULL on timeout or when closed and empty. */
void *kw_queue_pop(kw_queue *q, int64_t timeout_ms);
/* Wakes the consumer; later pushes fail. */
void kw_queue_close(kw_queue *q);
size_t kw_queue_len(kw_queue *q);

#endif

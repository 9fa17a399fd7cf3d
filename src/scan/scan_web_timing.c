/* One time measurement at a time in the process (web_timing_lock): the checks that prove by a
 * delay (SQL injection's SLEEP, command injection's sleep) take it to confirm one, so that a
 * sleep another worker, another check or another scan of the same site caused on a
 * single-threaded server never passes for theirs. A file of its own: the checks' unit tests
 * link it without the engine. */
#include "scan/scan_web.h"

#include <pthread.h>

static pthread_mutex_t timing = PTHREAD_MUTEX_INITIALIZER;

void web_timing_lock(void)
{
    pthread_mutex_lock(&timing);
}

void web_timing_unlock(void)
{
    pthread_mutex_unlock(&timing);
}

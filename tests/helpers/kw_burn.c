/* Test helper: burns CPU on N threads (default: every CPU) for S seconds (default 30). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop;

static void *burn(void *arg)
{
    (void)arg;
    volatile unsigned long x = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        x++;
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : sysconf(_SC_NPROCESSORS_ONLN);
    long secs = argc > 2 ? atol(argv[2]) : 30;
    if (n < 1 || n > 64)
        n = 1;
    pthread_t t[64];
    for (long i = 0; i < n; i++)
        pthread_create(&t[i], NULL, burn, NULL);
    sleep((unsigned)secs);
    atomic_store(&stop, 1);
    for (long i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    return 0;
}

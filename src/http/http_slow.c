/* Slow requests: a connection whose request (its headers and its body) is not whole within
 * the deadline is shut down, however slowly it trickles in. libmicrohttpd's own timeout
 * counts only idle time, which a byte every few seconds resets (slowloris). One thread
 * looks at the connections every quarter second. */
#include "http/http_int.h"

#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <stdlib.h>
#include <sys/socket.h>

#define SWEEP_MS 250
#define SLOW_LOG_EVERY_MS 10000

typedef struct slow_conn {
    int fd;
    int64_t since_ms;        /* when the request now under way began (or the last one ended) */
    bool waiting, shut;      /* a request is coming in; we shut the socket down */
    struct slow_conn *prev, *next;
} slow_conn;

struct http_slow {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stop;
    int64_t deadline_ms;
    slow_conn *head;
    unsigned closed;         /* since the last log line */
    int64_t logged_ms;
};

/* Shuts down the connections past the deadline; how many. Under w->mu. */
static unsigned sweep(http_slow *w, int64_t now)
{
    unsigned n = 0;
    for (slow_conn *e = w->head; e; e = e->next)
        if (e->waiting && !e->shut && now - e->since_ms > w->deadline_ms) {
            shutdown(e->fd, SHUT_RDWR); /* libmicrohttpd sees the end and closes it */
            e->shut = true;
            n++;
        }
    return n;
}

static void *sweeper(void *arg)
{
    http_slow *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        int64_t now = kw_now_ms();
        w->closed += sweep(w, now);
        if (w->closed && now - w->logged_ms >= SLOW_LOG_EVERY_MS) {
            /* idle keep-alive connections (a browser's) end this way too: not a warning */
            log_info("http: closed %u connection%s that sent no whole request within %llds (idle, or slow)",
                     w->closed, w->closed == 1 ? "" : "s", (long long)(w->deadline_ms / 1000));
            w->closed = 0;
            w->logged_ms = now;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += SWEEP_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

http_slow *http_slow_start(int64_t deadline_ms)
{
    http_slow *w = kw_calloc(1, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->deadline_ms = deadline_ms;
    w->logged_ms = INT64_MIN / 2;
    if (pthread_create(&w->thread, NULL, sweeper, w) != 0)
        fatal("http: cannot start the slow-request thread");
    return w;
}

void http_slow_stop(http_slow *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    for (slow_conn *e = w->head, *next; e; e = next) {
        next = e->next;
        free(e);
    }
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

void http_slow_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    http_slow *w = ((http_server *)cls)->slow;
    pthread_mutex_lock(&w->mu);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        slow_conn *e = kw_calloc(1, sizeof *e);
        e->fd = ci ? ci->connect_fd : -1;
        e->since_ms = kw_now_ms();
        e->waiting = e->fd >= 0;
        e->next = w->head;
        if (w->head)
            w->head->prev = e;
        w->head = e;
        *socket_context = e;
    } else if (*socket_context) { /* closed: called before libmicrohttpd closes the socket */
        slow_conn *e = *socket_context;
        if (e->prev)
            e->prev->next = e->next;
        else
            w->head = e->next;
        if (e->next)
            e->next->prev = e->prev;
        free(e);
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&w->mu);
}

/* Marks the connection's request whole (answered = true) or a new one awaited. */
static void mark(http_slow *w, struct MHD_Connection *c, bool answered)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    pthread_mutex_lock(&w->mu);
    slow_conn *e = ci ? ci->socket_context : NULL;
    if (e) {
        e->waiting = !answered && e->fd >= 0;
        e->since_ms = kw_now_ms();
    }
    pthread_mutex_unlock(&w->mu);
}

void http_slow_answered(http_slow *w, struct MHD_Connection *c) { mark(w, c, true); }

void http_slow_next(http_slow *w, struct MHD_Connection *c) { mark(w, c, false); }

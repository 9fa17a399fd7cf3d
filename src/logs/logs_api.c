/* The logs module's routes: GET /api/v1/logs, the log sensor's inputs, rules, senders,
 * devices and signature libraries with their counts, as it last published them
 * (http_shared.logs). */
#include "http/http_reply.h"
#include "logs/logs_sensor.h"

#include <pthread.h>

static int api_logs(const http_call *q)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    pthread_mutex_lock(&q->sh->mu);
    if (q->sh->logs)
        kw_buf_puts(&b, q->sh->logs);
    pthread_mutex_unlock(&q->sh->mu);
    if (!b.len) {
        kw_buf_free(&b);
        return http_error(q->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no log inputs configured (logs.inputs)");
    }
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

const http_route logs_routes[] = {
    {"/api/v1/logs", "GET", api_logs},
    {0},
};

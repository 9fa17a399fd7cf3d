/* The net module's routes: GET /api/v1/net, each capture interface's counters and heaviest
 * talkers as the captures last published them (http_shared.net). */
#include "http/http_reply.h"
#include "net/net_live.h"

#include <pthread.h>

static int api_net(const http_call *q)
{
    http_shared *sh = q->sh;
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, "{\"interfaces\":[");
    bool first = true;
    pthread_mutex_lock(&sh->mu);
    for (size_t i = 0; i < sizeof sh->net / sizeof sh->net[0]; i++)
        if (sh->net[i].json) {
            if (!first)
                kw_buf_putc(&b, ',');
            kw_buf_puts(&b, sh->net[i].json);
            first = false;
        }
    pthread_mutex_unlock(&sh->mu);
    kw_buf_puts(&b, "]}");
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

const http_route net_routes[] = {
    {"/api/v1/net", "GET", api_net},
    {0},
};

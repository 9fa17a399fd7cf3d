/* Service identification's connections: one port's budget, deadline-bounded non-blocking
 * connects, sends and reads, plain or in TLS (at security level 0, so that what a server still
 * accepts can be asked), and naming the service. The lowest layer of scan_ident_*.c: it calls
 * none of the probe families. */
#include "scan/scan_ident_int.h"

#include "core/kw_time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t si_left(const si_port *sp)
{
    int64_t l = sp->deadline - kw_mono_ms();
    return l > 0 ? l : 0;
}

bool si_wait(int fd, short events, int64_t ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    int64_t end = kw_mono_ms() + ms;
    for (;;) {
        int64_t left = end - kw_mono_ms();
        if (left < 0)
            left = 0;
        int r = poll(&p, 1, (int)left);
        if (r > 0)
            return true;
        if (r == 0 || errno != EINTR)
            return false;
    }
}

/* One TLS write or read step; >0 bytes, 0 closed, -1 would block (*ev set), -2 failed. */
static ssize_t tls_io(si_conn *c, void *p, size_t n, bool writing, short *ev)
{
    int r = writing ? SSL_write(c->ssl, p, (int)n) : SSL_read(c->ssl, p, (int)n);
    if (r > 0)
        return r;
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        *ev = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        return -1;
    }
    return e == SSL_ERROR_ZERO_RETURN ? 0 : -2;
}

/* One plain step, in tls_io's terms. */
static ssize_t plain_io(si_conn *c, void *p, size_t n, bool writing, short *ev)
{
    ssize_t r = writing ? send(c->fd, p, n, MSG_NOSIGNAL) : recv(c->fd, p, n, 0);
    if (r >= 0)
        return r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        *ev = writing ? POLLOUT : POLLIN;
        return -1;
    }
    return -2;
}

static ssize_t conn_io(si_conn *c, void *p, size_t n, bool writing, short *ev)
{
    return c->ssl ? tls_io(c, p, n, writing, ev) : plain_io(c, p, n, writing, ev);
}

void si_keep_banner(si_port *sp, const uint8_t *buf, size_t n)
{
    if (!sp->out->banner[0] && n)
        scan_escape(buf, n, sp->out->banner, sizeof sp->out->banner);
    if (n)
        sp->read_any = true;
}

bool si_connect(si_port *sp, si_conn *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    int64_t left = si_left(sp);
    if (!left)
        return false;
    int fd = socket(sp->addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, sp->addr, sp->addrlen) != 0) {
        int err = 0;
        socklen_t el = sizeof err;
        if (errno != EINPROGRESS || !si_wait(fd, POLLOUT, left) ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
            close(fd);
            return false;
        }
    }
    c->fd = fd;
    sp->connected++;
    return true;
}

void si_close(si_conn *c)
{
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->ctx) {
        SSL_CTX_free(c->ctx);
        c->ctx = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

bool si_send(si_port *sp, si_conn *c, const void *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        short ev = POLLOUT;
        ssize_t r = conn_io(c, (uint8_t *)p + off, n - off, true, &ev);
        if (r > 0) {
            off += (size_t)r;
            continue;
        }
        int64_t left = si_left(sp);
        if (r != -1 || !left || !si_wait(c->fd, ev, left))
            return false;
    }
    return true;
}

size_t si_read(si_port *sp, si_conn *c, uint8_t *buf, size_t cap, int64_t first_ms,
               bool (*done)(const uint8_t *, size_t))
{
    size_t n = 0;
    while (n + 1 < cap) {
        short ev = POLLIN;
        ssize_t r = conn_io(c, buf + n, cap - 1 - n, false, &ev);
        if (r > 0) {
            n += (size_t)r;
            if (done && done(buf, n))
                break;
            continue;
        }
        if (r != -1)
            break; /* closed or failed */
        int64_t wait = n ? SI_IDLE_MS : first_ms, left = si_left(sp);
        if (wait > left)
            wait = left;
        if (wait <= 0 || !si_wait(c->fd, ev, wait))
            break;
    }
    buf[n] = 0;
    si_keep_banner(sp, buf, n);
    return n;
}

size_t si_ask(si_port *sp, const void *req, size_t reqn, uint8_t *buf, size_t cap,
              bool (*done)(const uint8_t *, size_t))
{
    si_conn c;
    if (!si_open(sp, &c))
        return 0;
    size_t n = 0;
    if (!reqn || si_send(sp, &c, req, reqn))
        n = si_read(sp, &c, buf, cap, sp->read_ms, done);
    si_close(&c);
    return n;
}

void si_name(si_port *sp, const char *name, const char *product)
{
    if (sp->named)
        return;
    scan_field_set(sp->out->name, sizeof sp->out->name, name, strlen(name));
    if (product && !sp->out->product[0])
        scan_field_set(sp->out->product, sizeof sp->out->product, product, strlen(product));
    sp->named = true;
}

/* The name the certificate must be for: opts->host, else the address. */
const char *si_tls_host(const si_port *sp)
{
    return sp->opts->host && sp->opts->host[0] ? sp->opts->host : sp->ip;
}

bool si_is_ip(const char *h)
{
    unsigned char b[16];
    return inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1;
}

static SSL_CTX *tls_ctx(int min_proto, int max_proto, const char *ciphers)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT);
    bool ok = (!min_proto || SSL_CTX_set_min_proto_version(ctx, min_proto)) &&
              (!max_proto || SSL_CTX_set_max_proto_version(ctx, max_proto)) &&
              SSL_CTX_set_cipher_list(ctx, ciphers ? ciphers : "ALL:@SECLEVEL=0");
    if (!ok) {
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return NULL;
    }
    return ctx;
}

bool si_tls_handshake(si_port *sp, si_conn *c, int min_proto, int max_proto, const char *ciphers)
{
    SSL_CTX *ctx = tls_ctx(min_proto, max_proto, ciphers);
    if (!ctx)
        return false;
    SSL *ssl = SSL_new(ctx);
    if (!ssl || !SSL_set_fd(ssl, c->fd)) {
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        return false;
    }
    const char *h = si_tls_host(sp);
    if (!si_is_ip(h))
        SSL_set_tlsext_host_name(ssl, h);
    SSL_set_connect_state(ssl);
    for (;;) {
        int r = SSL_connect(ssl);
        if (r == 1)
            break;
        int e = SSL_get_error(ssl, r);
        int64_t wait = si_left(sp);
        if (wait > sp->read_ms)
            wait = sp->read_ms;
        if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || !wait ||
            !si_wait(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, wait)) {
            SSL_free(ssl);
            SSL_CTX_free(ctx);
            ERR_clear_error();
            return false;
        }
    }
    c->ssl = ssl;
    c->ctx = ctx;
    return true;
}

bool si_open(si_port *sp, si_conn *c)
{
    if (!si_connect(sp, c))
        return false;
    if (sp->tls_inner && !si_tls_handshake(sp, c, 0, 0, NULL)) {
        si_close(c);
        return false;
    }
    return true;
}

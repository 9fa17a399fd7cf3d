/* TCP connect and TLS certificate checks. */
#include "check/check.h"
#include "core/kw_time.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define POLL_SLICE_MS 100

/* Waits for events on fd until the deadline, in slices so that cancel is seen.
 * Returns 1 when ready, 0 on timeout, -1 when cancelled or on error. */
static int wait_fd(int fd, short events, int64_t deadline, const atomic_bool *cancel)
{
    for (;;) {
        if (cancel && atomic_load(cancel))
            return -1;
        int64_t left = deadline - kw_mono_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {fd, events, 0};
        int n = poll(&p, 1, (int)(left < POLL_SLICE_MS ? left : POLL_SLICE_MS));
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

int check_connect(const char *host, int port, int64_t deadline, const atomic_bool *cancel, char *err, size_t errn)
{
    char ports[8];
    snprintf(ports, sizeof ports, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    /* getaddrinfo cannot be interrupted: a hung resolver delays only this check's thread */
    int g = getaddrinfo(host, ports, &hints, &res);
    if (g != 0) {
        snprintf(err, errn, "cannot resolve %s: %s", host, gai_strerror(g));
        return -1;
    }
    int fd = -1;
    snprintf(err, errn, "no address for %s", host);
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            snprintf(err, errn, "socket: %s", strerror(errno));
            continue;
        }
        int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            int w = wait_fd(fd, POLLOUT, deadline, cancel);
            if (w == 1) {
                int soerr = 0;
                socklen_t sl = sizeof soerr;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
                rc = soerr ? -1 : 0;
                errno = soerr;
            } else {
                snprintf(err, errn, w == 0 ? "connect to %s:%d timed out" : "connect to %s:%d cancelled", host, port);
                close(fd);
                fd = -1;
                break;
            }
        }
        if (rc == 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            break;
        }
        snprintf(err, errn, "connect to %s:%d: %s", host, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

void check_tcp(const conf_check *c, int64_t deadline, const atomic_bool *cancel, check_result *r)
{
    int fd = check_connect(c->host, (int)c->port, deadline, cancel, r->message, sizeof r->message);
    if (fd < 0)
        return;
    close(fd);
    r->up = true;
    snprintf(r->message, sizeof r->message, "%s:%d accepts connections", c->host, (int)c->port);
}

static void tls_error(check_result *r, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    snprintf(r->message, sizeof r->message, "%s%s%s", what, buf[0] ? ": " : "", buf);
    ERR_clear_error();
}

void check_tls(const conf_check *c, check_ctx *x, int64_t deadline, const atomic_bool *cancel, check_result *r)
{
    int fd = check_connect(c->host, (int)c->port, deadline, cancel, r->message, sizeof r->message);
    if (fd < 0)
        return;
    const char *sni = c->server_name ? c->server_name : c->host;
    SSL_CTX *ctx = check_ctx_ssl(x, c->tls_verify);
    SSL *ssl = NULL;
    X509 *cert = NULL;
    if (!ctx) {
        tls_error(r, "TLS setup failed");
        goto out;
    }
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, sni);
    SSL_set1_host(ssl, sni);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    for (;;) {
        int rc = SSL_connect(ssl);
        if (rc == 1)
            break;
        int e = SSL_get_error(ssl, rc);
        short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (!ev) {
            tls_error(r, "TLS handshake failed");
            goto out;
        }
        int w = wait_fd(fd, ev, deadline, cancel);
        if (w != 1) {
            snprintf(r->message, sizeof r->message, w == 0 ? "TLS handshake timed out" : "TLS handshake cancelled");
            goto out;
        }
    }
    cert = SSL_get1_peer_certificate(ssl);
    if (!cert) {
        snprintf(r->message, sizeof r->message, "the server sent no certificate");
        goto out;
    }
    int days = 0, secs = 0;
    if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(cert)))
        r->cert_days = days + secs / 86400.0;
    long vr = SSL_get_verify_result(ssl);
    r->cert_verified = vr == X509_V_OK;
    if (!isnan(r->cert_days) && r->cert_days <= 0) {
        snprintf(r->message, sizeof r->message, "certificate for %s expired %.1f days ago", sni, -r->cert_days);
    } else if (c->tls_verify && !r->cert_verified) {
        snprintf(r->message, sizeof r->message, "certificate for %s does not verify: %s", sni,
                 X509_verify_cert_error_string(vr));
    } else {
        r->up = true;
        snprintf(r->message, sizeof r->message, "certificate for %s valid for %.1f more days", sni, r->cert_days);
    }
out:
    X509_free(cert);
    if (ssl)
        SSL_free(ssl);
    close(fd);
}

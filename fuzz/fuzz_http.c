/* libFuzzer target: the HTTP server as a browser or an attacker reaches it. Each input is
 * written as raw bytes to a real connection on 127.0.0.1 (request line, headers, cookies,
 * query strings, JSON bodies, chunked uploads: libmicrohttpd's parser and every keepwatch
 * handler behind it), and the answer is read until the server closes (it closes after
 * each answer here: a half-closed HTTP/1.1 connection would otherwise wait for its
 * timeout). A request that is still incomplete, or a live stream, is left after 40 ms of
 * silence. The seed corpus
 * carries the API token and a live session's cookie and CSRF token, so the fuzzer reaches
 * the handlers behind authentication too. */
#include "conf/conf.h"
#include "core/kw_log.h"
#include "core/kw_time.h"
#include "http/http.h"
#include "http/http_auth.h"
#include "metric/metric.h"
#include "store/store_agent.h"
#include "store/store_int.h" /* looks at the tables directly */

#include <arpa/inet.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* An agent's credential and (with a last digit 0, spent, or 1) an enrolment token. */
#define FUZZ_AGENT "kwa_00000000000000000000000000000000000000000000000000000000000a9e47"
#define FUZZ_ENROL "kwe_000000000000000000000000000000000000000000000000000000000000000"
/* What the seeds use: the token, and the cookie whose SHA-256 is stored as a session. */
#define FUZZ_TOKEN "00000000000000000000000000000000fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"
#define FUZZ_COOKIE "1111111111111111111111111111111111111111111111111111111111111111"
#define FUZZ_CSRF "2222222222222222222222222222222222222222222222222222222222222222"

static http_shared sh;
static http_server *srv;
static metric_registry reg;
static uint16_t port;

static void setup(void)
{
    char dir[] = "/tmp/kw-fuzz-http-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    static char path[64];
    snprintf(path, sizeof path, "%s/keepwatch.db", dir);
    char err[256];
    kw_store *st = store_open(path, false, err, sizeof err);
    if (!st)
        abort();
    store_user u = {.role = ROLE_OFFICER};
    snprintf(u.name, sizeof u.name, "zhang.wei");
    snprintf(u.pw_hash, sizeof u.pw_hash, "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA");
    char sid[65];
    auth_sha256_hex(FUZZ_COOKIE, sid);
    if (store_user_add(st, &u, kw_now_ms()) != KW_OK || store_user_get(st, "zhang.wei", &u) != KW_OK ||
        store_session_add(st, sid, u.id, FUZZ_CSRF, "127.0.0.1", kw_now_ms()) != KW_OK)
        abort();
    /* alerts 1 and 2 exist, for the handlers that act on one */
    if (db_exec(st->db,
                     "INSERT INTO alerts (id, fingerprint, rule, state, severity, summary, labels, details, started_at,"
                     " updated_at) VALUES (1, 'f1', 'probe', 'firing', 3, 'probe <b>x</b>', '{\"asset\":\"portal\"}',"
                     " '{\"message\":\"m\"}', 0, 0), (2, 'f2', 'scan', 'acked', 1, 'scan', '{}', NULL, 0, 0)") != KW_OK)
        abort();
    /* an enrolled agent (credential FUZZ_AGENT) and an enrolment token (FUZZ_ENROL), for the
     * agents' routes */
    char cred_hash[65], tok_hash[65];
    store_agent ag;
    auth_sha256_hex(FUZZ_AGENT, cred_hash);
    auth_sha256_hex(FUZZ_ENROL "0", tok_hash);
    if (store_agent_migrate(st) != KW_OK || store_agent_token_add(st, "web-01", tok_hash, 0, INT64_MAX / 2) != KW_OK ||
        store_agent_enroll(st, tok_hash, cred_hash, "127.0.0.1", kw_now_ms(), &ag) != KW_OK)
        abort();
    auth_sha256_hex(FUZZ_ENROL "1", tok_hash);
    if (store_agent_token_add(st, "web-02", tok_hash, 0, INT64_MAX / 2) != KW_OK)
        abort();
    store_close(st);
    static const char y[] = "period: {name: drill, start: '2026-01-01T00:00', end: '2036-01-01T00:00'}\n"
                            "assets: [{name: portal, addresses: [10.0.0.5], business: web}]\n"
                            "people: [{name: zhang.wei, display: Z}]\n"
                            "schedules: [{name: soc, layers: [{name: d, rotation: daily, members: [zhang.wei]}]}]\n";
    conf *cfg = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("fuzz", y, sizeof y - 1, &cfg, &errs) != KW_OK)
        abort();
    metric_registry_init(&reg);
    pthread_mutex_init(&sh.mu, NULL);
    pthread_rwlock_init(&sh.cfg_lock, NULL);
    sh.metrics = &reg;
    sh.store_path = path;
    sh.cfg = cfg;
    sh.started_ms = kw_now_ms();
    snprintf(sh.token, sizeof sh.token, "%s", FUZZ_TOKEN);
    /* a free port: bind, learn it, let go (nothing else runs here) */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) || getsockname(s, (struct sockaddr *)&a, &al))
        abort();
    port = ntohs(a.sin_port);
    close(s);
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
    http_opts o = {.listen = listen, .threads = 1, .max_body = 64 * 1024, .close_each = true,
                   .timeout_s = 1};
    kw_log_set_level(KW_LOG_ERROR); /* a 400 for each malformed request is the point here */
    srv = http_start(&o, &sh, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "fuzz_http: %s\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv)
        setup();
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    /* an incomplete request (cut headers, a short body) gets no answer until the server's
     * 1 s timeout: stop reading after 40 ms of silence (an answer on loopback, even under
     * ASan, starts well within that) */
    struct timeval tv = {.tv_usec = 40000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0)
        abort();
    for (size_t off = 0; off < size;) {
        ssize_t n = send(s, data + off, size - off, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server may close early on garbage */
        off += (size_t)n;
    }
    shutdown(s, SHUT_WR);
    char buf[65536];
    ssize_t n;
    bool show = getenv("KW_FUZZ_SHOW") != NULL; /* to see what the seeds reach: the status lines */
    while ((n = recv(s, buf, sizeof buf, 0)) > 0) /* until the server closes, or goes quiet */
        for (ssize_t i = 0; show && i + 12 < n; i++)
            if (!memcmp(buf + i, "HTTP/1.", 7) && (i == 0 || buf[i - 1] == '\n'))
                fprintf(stderr, "fuzz_http: %.12s\n", buf + i);
    close(s);
    return 0;
}

/* keepwatch token add|list|revoke|rotate: per-user API tokens (hashed in the store) and the
 * admin's bootstrap token (state_dir/api.token). */
#include "cli/cli.h"
#include "core/kw_time.h"
#include "http/http_auth.h"
#include "store/store_token.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char token_usage[] =
    "usage: keepwatch token add USER [--expires 30d|DATE] [--name LABEL]\n"
    "       keepwatch token list [USER] [--json]\n"
    "       keepwatch token revoke ID|LABEL\n"
    "       keepwatch token rotate\n"
    "\n"
    "An API token acts as its user, with the user's role (keepwatch user add): send it as\n"
    "'Authorization: Bearer TOKEN'. add prints the new token once (kw_ and 64 hex digits); the\n"
    "store keeps only its SHA-256. --expires takes a duration (30d, 12h) or a date\n"
    "(YYYY-MM-DD[THH:MM]); without it the token lasts until revoked. --name labels it (default:\n"
    "the time it was made). list never shows secrets; revoke takes the id from list or a label.\n"
    "An expired or revoked token gets 401.\n"
    "rotate replaces the admin's bootstrap token in state_dir/api.token (mode 0600) and prints\n"
    "the path; a running daemon takes the new one at its next request, the old one stops working.\n"
    "Every change goes to the duty log.\n";

typedef struct {
    cli_listing *out;
    size_t n;
    int64_t now;
} list_ctx;

/* A time in a column of width, or ending the line (width < 0). */
static void put_time(kw_buf *b, int64_t ms, int width)
{
    char t[40] = "-";
    if (ms)
        kw_time_iso8601(ms, t, sizeof t);
    if (width < 0)
        kw_buf_printf(b, "%.19s\n", t);
    else
        kw_buf_printf(b, "%-*.19s ", width, t);
}

static const char *token_state(const store_token *t, int64_t now)
{
    return t->revoked_ms ? "revoked" : t->expires_ms && t->expires_ms <= now ? "expired" : "live";
}

static void list_one(void *arg, const store_token *t)
{
    list_ctx *x = arg;
    if (x->out->json) {
        kw_json *j = &x->out->j;
        char ts[40];
        kw_json_obj_begin(j);
        kw_json_kv_int(j, "id", t->id);
        kw_json_kv_str(j, "user", t->user);
        kw_json_kv_str(j, "label", t->label);
        kw_json_kv_str(j, "state", token_state(t, x->now));
        const int64_t *times[] = {&t->created_ms, &t->expires_ms, &t->last_used_ms, &t->revoked_ms};
        static const char *const names[] = {"created", "expires", "last_used", "revoked"};
        for (size_t i = 0; i < 4; i++)
            if (*times[i]) {
                kw_time_iso8601(*times[i], ts, sizeof ts);
                kw_json_kv_str(j, names[i], ts);
            }
        kw_json_obj_end(j);
    } else {
        kw_buf *b = &x->out->b;
        kw_buf_printf(b, "%-5lld ", (long long)t->id);
        cli_put_col(b, t->user, 16);
        cli_put_col(b, t->label, 24);
        kw_buf_printf(b, "%-8s ", token_state(t, x->now));
        put_time(b, t->created_ms, 19);
        put_time(b, t->expires_ms, 19);
        put_time(b, t->last_used_ms, -1);
    }
    x->n++;
}

/* --expires: a duration from now, or a date. */
static bool parse_expiry(const char *s, int64_t now, int64_t *out)
{
    char err[128];
    int64_t d;
    if (kw_duration_parse(s, &d, err, sizeof err) == KW_OK && d > 0) {
        *out = now + d;
        return true;
    }
    return cli_parse_time(s, out) && *out > now;
}

/* Writes a new bootstrap token to path (0600, whole or not at all). */
static bool write_token(const char *path, char *err, size_t errn)
{
    char tmp[4200], tok[65];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    auth_random_hex(tok, 32);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
    bool ok = fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, tok, 64) == 64 && write(fd, "\n", 1) == 1 &&
              fsync(fd) == 0;
    OPENSSL_cleanse(tok, sizeof tok);
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        snprintf(err, errn, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    return ok;
}

static int token_rotate(const char *cfg, kw_store *st, const char *who)
{
    conf *c = cli_conf_load(cli_conf_path(cfg));
    if (!c)
        return KW_EXIT_USAGE;
    char *path = conf_state_path(c, "api.token");
    conf_free(c);
    char err[4400], text[4400];
    int rcode = KW_EXIT_OK;
    if (!write_token(path, err, sizeof err)) {
        fprintf(stderr, "keepwatch token rotate: %s\n", err);
        rcode = KW_EXIT_PROBLEM;
    } else {
        snprintf(text, sizeof text, "the admin's API token in %s was replaced", path);
        if (store_begin(st) != KW_OK || store_duty_append(st, kw_now_ms(), "token.rotated", who, 0, text) != KW_OK ||
            store_commit(st) != KW_OK) {
            store_rollback(st);
            fprintf(stderr, "keepwatch token rotate: the duty log: %s\n", store_errmsg(st));
        }
        printf("%s\n", path);
    }
    free(path);
    return rcode;
}

static int token_add(kw_store *st, const char *user, const char *label, int64_t expires, const char *who)
{
    char tok[4 + 64 + 1], hash[65], text[256], lbl[TOKEN_LABEL_MAX];
    int64_t now = kw_now_ms(), id = 0;
    if (label) {
        snprintf(lbl, sizeof lbl, "%s", label);
    } else { /* the time, to the millisecond: 2026-12-01T11:09:48.686 */
        kw_time_iso8601(now, lbl, sizeof lbl);
        lbl[strcspn(lbl, "Z")] = 0;
    }
    memcpy(tok, TOKEN_PREFIX, sizeof TOKEN_PREFIX);
    auth_random_hex(tok + strlen(TOKEN_PREFIX), 32);
    auth_sha256_hex(tok, hash);
    snprintf(text, sizeof text, "API token %s added for %s", lbl, user);
    kw_rc rc = store_begin(st);
    if (rc == KW_OK)
        rc = store_token_add(st, user, lbl, hash, now, expires, &id);
    if (rc == KW_OK)
        rc = store_duty_append(st, now, "token.added", who, 0, text);
    if (rc == KW_OK)
        rc = store_commit(st);
    if (rc != KW_OK) {
        store_rollback(st);
        OPENSSL_cleanse(tok, sizeof tok);
        fprintf(stderr, "keepwatch token add: %s\n", store_errmsg(st));
        return rc == KW_ERR_NOTFOUND || rc == KW_ERR_RANGE ? KW_EXIT_USAGE : KW_EXIT_PROBLEM;
    }
    printf("%s\n", tok);
    fprintf(stderr, "token %lld (%s) for %s: shown once, keep it now\n", (long long)id, lbl, user);
    OPENSSL_cleanse(tok, sizeof tok);
    return KW_EXIT_OK;
}

static int token_revoke(kw_store *st, const char *what, const char *who)
{
    store_token t;
    int64_t now = kw_now_ms();
    kw_rc rc = store_begin(st);
    if (rc == KW_OK)
        rc = store_token_revoke(st, what, now, &t);
    char text[256] = "";
    if (rc == KW_OK) {
        snprintf(text, sizeof text, "API token %lld (%s) of %s revoked", (long long)t.id, t.label, t.user);
        rc = store_duty_append(st, now, "token.revoked", who, 0, text);
    }
    if (rc == KW_OK)
        rc = store_commit(st);
    if (rc != KW_OK) {
        store_rollback(st);
        fprintf(stderr, "keepwatch token revoke: %s\n", store_errmsg(st));
        return rc == KW_ERR_NOTFOUND || rc == KW_ERR_RANGE ? KW_EXIT_PROBLEM : KW_EXIT_PROBLEM;
    }
    printf("%s\n", text);
    return KW_EXIT_OK;
}

int cli_token(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(token_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"expires", required_argument, NULL, 'e'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0}};
    const char *cfg = NULL, *expires = NULL, *label = NULL;
    bool json = false;
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfg = optarg; break;
        case 'e': expires = optarg; break;
        case 'n': label = optarg; break;
        case 'j': json = true; break;
        default: fputs(token_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    int left = argc - optind;
    bool add = !strcmp(verb, "add"), list = !strcmp(verb, "list"), revoke = !strcmp(verb, "revoke"),
         rotate = !strcmp(verb, "rotate");
    if (!(add || list || revoke || rotate) || (add || revoke ? left != 1 : list ? left > 1 : left != 0) ||
        ((expires || label) && !add)) {
        fprintf(stderr, "keepwatch token: bad command\n\n%s", token_usage);
        return KW_EXIT_USAGE;
    }
    int64_t exp_ms = 0;
    if (expires && !parse_expiry(expires, kw_now_ms(), &exp_ms)) {
        fprintf(stderr, "keepwatch token add: --expires is a duration (30d) or a future date (2026-12-31)\n");
        return KW_EXIT_USAGE;
    }
    if (label && (!*label || strlen(label) >= TOKEN_LABEL_MAX || strpbrk(label, "\r\n\t"))) {
        fprintf(stderr, "keepwatch token add: --name is 1 to %d characters on one line\n", TOKEN_LABEL_MAX - 1);
        return KW_EXIT_USAGE;
    }
    kw_store *st = cli_store_open(cfg, "token", !rotate);
    if (!st)
        return KW_EXIT_USAGE;
    char who[128];
    cli_whoami(who, sizeof who);
    int rcode;
    if (list) {
        cli_listing out;
        cli_listing_begin(&out, json, "%-5s %-16s %-24s %-8s %-19s %-19s %s\n", "ID", "USER", "LABEL", "STATE",
                          "CREATED", "EXPIRES", "LAST USED");
        list_ctx x = {&out, 0, kw_now_ms()};
        rcode = store_token_each(st, left ? argv[optind] : NULL, list_one, &x) == KW_OK ? KW_EXIT_OK : KW_EXIT_PROBLEM;
        cli_listing_end(&out, x.n, "no API tokens: keepwatch token add USER\n");
    } else if (add) {
        rcode = token_add(st, argv[optind], label, exp_ms, who);
    } else if (revoke) {
        rcode = token_revoke(st, argv[optind], who);
    } else {
        rcode = token_rotate(cfg, st, who);
    }
    store_close(st);
    return rcode;
}

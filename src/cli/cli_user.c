/* keepwatch user add|passwd|del|list: the console's users, in the store. */
#include "cli/cli.h"
#include "core/kw_time.h"
#include "http/http_auth.h"
#include "store/store.h"
#include "store/store_token.h"

#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char user_usage[] =
    "usage: keepwatch user add NAME --role ROLE [--display TEXT] [--department NAME] [--password-stdin]\n"
    "       keepwatch user passwd NAME [--password-stdin]\n"
    "       keepwatch user del NAME\n"
    "       keepwatch user list [--json]\n"
    "       keepwatch user unlock NAME\n"
    "\n"
    "Users sign in to the web console. ROLE is one of:\n"
    "  admin    everything\n"
    "  officer  a duty officer: acknowledge, resolve, assign, comment, notes, handover, silences\n"
    "  member   a department member: see everything, acknowledge and comment\n"
    "  viewer   see everything (a wall screen, a manager)\n"
    "The password (10 to 1024 characters) is asked twice on a terminal, or read as one line from\n"
    "standard input when it is not a terminal (or with --password-stdin); it is stored as an\n"
    "Argon2id hash. A new password or a deleted user ends their sessions. Wrong passwords hold\n"
    "back one name at one address (and an address after 20, whatever the names); unlock NAME\n"
    "lets NAME try again at once from everywhere. Changes go to the duty log.\n";

/* Reads one line of a password into dst with echo off when tty; false at the end of input
 * or for a line too long (after saying why). */
static bool read_line(bool tty, const char *prompt, char *dst, size_t dn)
{
    struct termios old, quiet;
    if (tty) {
        fputs(prompt, stderr);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = fgets(dst, (int)dn, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok) {
        fprintf(stderr, "keepwatch user: no password: %s\n",
                tty ? "the terminal closed" : "standard input is not a terminal and gave no line (pipe it in: "
                                              "printf '%s\\n' \"$PW\" | keepwatch user add ...)");
        return false;
    }
    if (!strchr(dst, '\n') && !feof(stdin)) {
        fprintf(stderr, "keepwatch user: the password line is longer than %d characters\n", AUTH_PASSWORD_MAX);
        return false;
    }
    dst[strcspn(dst, "\r\n")] = 0;
    return true;
}

/* Reads a password: twice with echo off on a terminal, else one line of stdin. */
static bool read_password(bool from_stdin, char *out, size_t n)
{
    bool tty = !from_stdin && isatty(STDIN_FILENO);
    char again[AUTH_PASSWORD_MAX + 2];
    bool same = read_line(tty, "password: ", out, n) && (!tty || read_line(tty, "again: ", again, sizeof again));
    if (same && tty && strcmp(out, again) != 0) {
        fputs("keepwatch user: the two passwords differ\n", stderr);
        same = false;
    }
    OPENSSL_cleanse(again, sizeof again);
    return same;
}

typedef struct {
    cli_listing *out;
    size_t n;
} list_ctx;

static void list_one(void *arg, const store_user *u)
{
    list_ctx *x = arg;
    char t[40];
    kw_time_iso8601(u->updated_ms, t, sizeof t);
    if (x->out->json) {
        kw_json *j = &x->out->j;
        kw_json_obj_begin(j);
        store_user_json_fields(j, u);
        kw_json_kv_str(j, "changed", t);
        kw_json_obj_end(j);
    } else {
        kw_buf *b = &x->out->b;
        cli_put_col(b, u->name, 20);
        cli_put_col(b, u->display[0] ? u->display : "-", 16);
        kw_buf_printf(b, "%-8s ", user_role_name(u->role));
        cli_put_col(b, u->department[0] ? u->department : "-", 14);
        kw_buf_printf(b, "%.19s\n", t);
    }
    x->n++;
}

/* Unlocks an existing user (the running daemon sees the mark at the next sign-in). */
static kw_rc user_unlock(kw_store *st, const char *name, int64_t now)
{
    store_user u;
    kw_rc rc = store_user_get(st, name, &u);
    return rc == KW_OK ? store_user_unlock(st, name, now) : rc;
}

int cli_user(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(user_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},  {"role", required_argument, NULL, 'r'},
        {"display", required_argument, NULL, 'd'}, {"department", required_argument, NULL, 'D'},
        {"password-stdin", no_argument, NULL, 'p'}, {"json", no_argument, NULL, 'j'},
        {0}};
    const char *cfg = NULL, *role = NULL, *display = NULL, *dept = NULL;
    bool pw_stdin = false, json = false;
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfg = optarg; break;
        case 'r': role = optarg; break;
        case 'd': display = optarg; break;
        case 'D': dept = optarg; break;
        case 'p': pw_stdin = true; break;
        case 'j': json = true; break;
        default: fputs(user_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    bool add = !strcmp(verb, "add"), passwd = !strcmp(verb, "passwd"), del = !strcmp(verb, "del"),
         list = !strcmp(verb, "list"), unlock = !strcmp(verb, "unlock");
    if (!(add || passwd || del || list || unlock) || (list ? optind != argc : optind != argc - 1)) {
        fprintf(stderr, "keepwatch user: bad command\n\n%s", user_usage);
        return KW_EXIT_USAGE;
    }
    const char *name = list ? NULL : argv[optind];
    store_user u = {0};
    if (name) {
        size_t n = strlen(name);
        bool ok = n > 0 && n < sizeof u.name;
        for (size_t i = 0; ok && i < n; i++)
            ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || strchr("._-", name[i]);
        if (!ok) {
            fprintf(stderr, "keepwatch user: a name is 1 to 63 of a-z 0-9 . _ - (e.g. zhang.wei)\n");
            return KW_EXIT_USAGE;
        }
        snprintf(u.name, sizeof u.name, "%s", name);
    }
    if (add) {
        if (!role || !(u.role = user_role_parse(role))) {
            fprintf(stderr, "keepwatch user add: --role is admin, officer, member or viewer\n");
            return KW_EXIT_USAGE;
        }
        snprintf(u.display, sizeof u.display, "%s", display ? display : "");
        snprintf(u.department, sizeof u.department, "%s", dept ? dept : "");
    }
    char pw[AUTH_PASSWORD_MAX + 2] = "";
    if ((add || passwd) && !read_password(pw_stdin, pw, sizeof pw)) {
        OPENSSL_cleanse(pw, sizeof pw);
        return KW_EXIT_USAGE;
    }
    char err[256];
    if ((add || passwd) && auth_hash_password(pw, u.pw_hash, err, sizeof err) != KW_OK) {
        OPENSSL_cleanse(pw, sizeof pw);
        fprintf(stderr, "keepwatch user: %s\n", err);
        return KW_EXIT_USAGE;
    }
    OPENSSL_cleanse(pw, sizeof pw);
    kw_store *st = cli_store_open(cfg, "user", !add);
    if (!st)
        return KW_EXIT_USAGE;
    int rcode = KW_EXIT_OK;
    if (list) {
        cli_listing out;
        cli_listing_begin(&out, json, "%-20s %-16s %-8s %-14s %s\n", "NAME", "DISPLAY", "ROLE", "DEPARTMENT", "CHANGED");
        list_ctx x = {&out, 0};
        store_user_each(st, list_one, &x);
        cli_listing_end(&out, x.n, "no users: keepwatch user add NAME --role admin\n");
        store_close(st);
        return KW_EXIT_OK;
    }
    char who[128], text[256];
    cli_whoami(who, sizeof who);
    int64_t now = kw_now_ms();
    kw_rc rc = store_begin(st);
    if (rc == KW_OK)
        rc = add      ? store_user_add(st, &u, now)
             : passwd ? store_user_set_password(st, u.name, u.pw_hash, now)
             : unlock ? user_unlock(st, u.name, now)
                      : store_user_delete(st, u.name);
    snprintf(text, sizeof text,
             add      ? "user %s added (%s)"
             : passwd ? "password of %s changed"
             : unlock ? "user %s unlocked: wrong passwords so far are forgiven%s"
                      : "user %s deleted%s",
             u.name, add ? user_role_name(u.role) : "");
    if (rc == KW_OK)
        rc = store_duty_append(st, now,
                               add ? "user.added" : passwd ? "user.password" : unlock ? "user.unlocked" : "user.deleted",
                               who, 0, text);
    if (rc == KW_OK && store_commit(st) == KW_OK) {
        printf("%s\n", text);
    } else {
        store_rollback(st);
        if (rc == KW_ERR_RANGE)
            fprintf(stderr, "keepwatch user add: %s exists already\n", u.name);
        else if (rc == KW_ERR_NOTFOUND)
            fprintf(stderr, "keepwatch user %s: no user %s\n", verb, u.name);
        else
            fprintf(stderr, "keepwatch user %s: %s\n", verb, store_errmsg(st));
        rcode = rc == KW_ERR_RANGE || rc == KW_ERR_NOTFOUND ? KW_EXIT_PROBLEM : KW_EXIT_PROBLEM;
    }
    store_close(st);
    return rcode;
}

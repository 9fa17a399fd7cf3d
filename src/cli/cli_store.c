/* keepwatch store migrate|info: copying a SQLite store into PostgreSQL (store_copy.c), and what
 * a store holds table by table. */
#include "cli/cli.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "core/kw_url.h"
#include "store/store.h"
#include "store/store_conf.h"
#include "store/store_copy.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char store_usage[] =
    "usage: keepwatch store migrate [--from PATH] [--to URL] [-c FILE]\n"
    "       keepwatch store info [--json] [-c FILE]\n"
    "\n"
    "migrate  copies a SQLite store (--from, default state_dir/keepwatch.db) into PostgreSQL\n"
    "         (--to, default $KEEPWATCH_STORE_URL or store.url): alerts with their history, the\n"
    "         duty log and its signed checkpoints (duty verify passes after, with the same key\n"
    "         files), users, sessions and API tokens, notification groups, outbox and silences,\n"
    "         metric history, log positions. The source is brought to this keepwatch's schema\n"
    "         first if older (as keepwatch serve would), then only read; the target is written\n"
    "         in one transaction, all or nothing, ids kept. A target that already holds rows is\n"
    "         refused, naming the table. Prints the rows copied per table and the rate. Stop\n"
    "         keepwatch serve on the source first: what it writes meanwhile is not copied.\n"
    "info     the store's backend, where it is (a URL's password masked), its schema version\n"
    "         and the rows of each table (--json: as one object)\n"
    "\n"
    "Exit status: 0 copied, 1 refused (the target is not empty), 2 bad usage or error.\n";

typedef struct store_opts {
    const char *cfg, *from, *to;
    bool json;
} store_opts;

static int parse_opts(int argc, char **argv, store_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},     {"json", no_argument, NULL, 'j'},
        {0}};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->cfg = optarg; break;
        case 'f': o->from = optarg; break;
        case 't': o->to = optarg; break;
        case 'j': o->json = true; break;
        default: fputs(store_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "keepwatch store %s: unexpected argument \"%s\"\n", argv[1], argv[optind]);
        return KW_EXIT_USAGE;
    }
    return KW_EXIT_OK;
}

static kw_store *open_or_say(const char *where, bool readonly, const char *what)
{
    char err[768];
    kw_store *s = store_open(where, readonly, err, sizeof err);
    if (!s)
        fprintf(stderr, "keepwatch store: %s: %s\n", what, err);
    return s;
}

/* The source, at the target's schema: an older one is migrated in place first. */
static kw_store *source_open(const char *path, int64_t version)
{
    kw_store *s = open_or_say(path, true, "the source");
    int64_t had = s ? store_schema_version(s) : 0;
    if (!s || had >= version)
        return s;
    store_close(s);
    s = open_or_say(path, false, "migrating the source");
    if (!s)
        return NULL;
    store_close(s);
    printf("the source was at schema %lld: brought to %lld first (as keepwatch serve would)\n", (long long)had,
           (long long)version);
    return open_or_say(path, true, "the source");
}

typedef struct copy_shown {
    bool tty;
    int64_t rows;
    size_t tables;
} copy_shown;

static void copy_progress(void *arg, const char *table, int64_t copied, int64_t total)
{
    copy_shown *x = arg;
    if (copied < total) {
        if (x->tty)
            fprintf(stderr, "\r  %-18s %lld / %lld", table, (long long)copied, (long long)total);
        return;
    }
    if (x->tty)
        fputs("\r\033[K", stderr);
    printf("  %-18s %lld\n", table, (long long)total);
    fflush(stdout);
    x->rows += total;
    x->tables++;
}

/* The copy itself, from an open target at the current schema. */
static int migrate_into(kw_store *to, const char *from_path)
{
    kw_store *from = source_open(from_path, store_schema_version(to));
    if (!from)
        return KW_EXIT_USAGE;
    copy_shown x = {.tty = isatty(STDERR_FILENO)};
    char err[768];
    int64_t t0 = kw_mono_ms();
    kw_rc rc = store_copy(from, to, copy_progress, &x, err, sizeof err);
    double secs = (double)(kw_mono_ms() - t0) / 1000.0;
    store_close(from);
    if (rc != KW_OK) {
        if (x.tty)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "keepwatch store migrate: %s%s\n", err, rc == KW_ERR_RANGE ? "" : "; nothing was copied");
        return rc == KW_ERR_RANGE ? KW_EXIT_PROBLEM : KW_EXIT_USAGE;
    }
    printf("copied %lld rows of %zu tables in %.2f s (%.0f rows/s)\n", (long long)x.rows, x.tables, secs,
           secs > 0 ? (double)x.rows / secs : (double)x.rows);
    return KW_EXIT_OK;
}

static int migrate_cmd(const store_opts *o)
{
    conf *c = cli_conf_load(cli_conf_path(o->cfg));
    if (!c)
        return KW_EXIT_USAGE;
    char *to = o->to ? kw_strdup(o->to) : store_conf_where(c);
    char *from = o->from ? kw_strdup(o->from) : conf_state_path(c, "keepwatch.db");
    store_conf_apply(c);
    conf_free(c);
    int status = KW_EXIT_USAGE;
    char shown[512];
    kw_url_mask_password(to, shown, sizeof shown);
    if (!store_is_url(to))
        fprintf(stderr, "keepwatch store migrate: --to (or store.url, $KEEPWATCH_STORE_URL) must be a "
                        "postgresql:// URL, not %s\n", shown);
    else if (store_is_url(from) || access(from, R_OK) != 0)
        fprintf(stderr, "keepwatch store migrate: no SQLite store at %s\n", from);
    else {
        printf("copying %s into %s\n", from, shown);
        fflush(stdout);
        kw_store *target = open_or_say(to, false, "the target");
        if (target)
            status = migrate_into(target, from);
        store_close(target);
    }
    free(to);
    free(from);
    return status;
}

/* One table's rows: into j when given, else as a line of b; "-" (null) when the store lacks
 * the table (an old SQLite store opened read-only). */
static void info_row(kw_store *s, const char *table, kw_json *j, kw_buf *b)
{
    int64_t n = 0;
    bool have = store_table_rows(s, table, &n) == KW_OK;
    if (j) {
        kw_json_key(j, table);
        if (have)
            kw_json_int(j, n);
        else
            kw_json_null(j);
    } else if (have) {
        kw_buf_printf(b, "  %-18s %lld\n", table, (long long)n);
    } else {
        kw_buf_printf(b, "  %-18s -\n", table);
    }
}

static void info_print(kw_store *s, const char *shown, bool json)
{
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    kw_json j;
    kw_json_init(&j, &b);
    if (json) {
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "backend", store_backend_name(s));
        kw_json_kv_str(&j, "store", shown);
        kw_json_kv_int(&j, "schema", store_schema_version(s));
        kw_json_key(&j, "tables");
        kw_json_obj_begin(&j);
    } else {
        kw_buf_printf(&b, "backend  %s\nstore    %s\nschema   %lld\ntables\n", store_backend_name(s), shown,
                      (long long)store_schema_version(s));
    }
    for (size_t i = 0; store_copy_tables[i]; i++)
        info_row(s, store_copy_tables[i], json ? &j : NULL, &b);
    if (json) {
        kw_json_obj_end(&j);
        kw_json_obj_end(&j);
        kw_buf_putc(&b, '\n');
    }
    fputs(kw_buf_cstr(&b), stdout);
    kw_buf_free(&b);
}

static int info_cmd(const store_opts *o)
{
    conf *c = cli_conf_load(cli_conf_path(o->cfg));
    if (!c)
        return KW_EXIT_USAGE;
    char *where = store_conf_where(c);
    store_conf_apply(c);
    conf_free(c);
    char shown[512];
    kw_url_mask_password(where, shown, sizeof shown);
    int status = KW_EXIT_USAGE;
    if (!store_is_url(where) && access(where, R_OK) != 0) {
        fprintf(stderr, "keepwatch store info: no store at %s\n", where);
    } else {
        kw_store *s = open_or_say(where, true, shown);
        if (s) {
            info_print(s, shown, o->json);
            status = KW_EXIT_OK;
        }
        store_close(s);
    }
    free(where);
    return status;
}

int cli_store(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(store_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    bool migrate = !strcmp(argv[1], "migrate");
    if (!migrate && strcmp(argv[1], "info")) {
        fprintf(stderr, "keepwatch store: unknown command \"%s\"\n\n%s", argv[1], store_usage);
        return KW_EXIT_USAGE;
    }
    store_opts o = {0};
    int status = parse_opts(argc, argv, &o);
    if (status != KW_EXIT_OK)
        return status;
    if ((o.from || o.to) && !migrate) {
        fprintf(stderr, "keepwatch store info: --from and --to go with migrate\n");
        return KW_EXIT_USAGE;
    }
    return migrate ? migrate_cmd(&o) : info_cmd(&o);
}

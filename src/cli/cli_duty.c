/* keepwatch duty note|verify|export: the hash-chained duty log, with or without a daemon. */
#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_time.h"
#include "store/store.h"

#include "oncall/oncall.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char duty_usage[] =
    "usage: keepwatch duty note [--by NAME] TEXT...\n"
    "       keepwatch duty verify\n"
    "       keepwatch duty export [--from TIME] [--to TIME] [--format csv|json]\n"
    "       keepwatch duty handover [--by NAME] [--to NAME] [--since TIME] [--dry-run]\n"
    "\n"
    "The duty log keeps, in order, every alert fired, acknowledged, resolved and reopened (who\n"
    "and when) and the notes of the officers on duty. Each entry carries the SHA-256 of the one\n"
    "before it and of its own content, so an entry edited, deleted or moved, even directly in\n"
    "the database, is found by verify.\n"
    "\n"
    "note    appends a free-text entry by you (--by: in someone's name, e.g. on the phone)\n"
    "verify  checks the whole chain: exit 0 when intact, 1 naming the first bad entry\n"
    "export  the entries between two times (default: all) as CSV (default) or JSON lines;\n"
    "        TIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][zone], local time without a zone\n"
    "handover  the shift handover: who is on duty now and next, the open alerts (those not\n"
    "        acknowledged first), what the log holds since the last handover (or --since, or\n"
    "        12 h), what is pending; then records the handover in the log (not with --dry-run)\n"
    "\n"
    "Every command takes -c FILE; the store is state_dir/keepwatch.db.\n";

/* A CSV field, quoted when it must be (RFC 4180). */
static void csv_field(kw_buf *b, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        kw_buf_puts(b, s);
        return;
    }
    kw_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            kw_buf_putc(b, '"');
        kw_buf_putc(b, *s);
    }
    kw_buf_putc(b, '"');
}

typedef struct {
    bool json;
    kw_buf *b;
    uint64_t n;
} export_ctx;

static void export_one(void *arg, const store_duty_entry *e)
{
    export_ctx *x = arg;
    char ts[40];
    kw_time_iso8601(e->ts_ms, ts, sizeof ts);
    x->n++;
    if (x->json) {
        kw_json j;
        kw_json_init(&j, x->b);
        kw_json_obj_begin(&j);
        kw_json_kv_int(&j, "id", e->id);
        kw_json_kv_str(&j, "@timestamp", ts);
        kw_json_kv_str(&j, "kind", e->kind);
        kw_json_kv_str(&j, "actor", e->actor);
        if (e->alert_id)
            kw_json_kv_int(&j, "alert_id", e->alert_id);
        kw_json_kv_str(&j, "text", e->text);
        kw_json_kv_str(&j, "prev_hash", e->prev_hash);
        kw_json_kv_str(&j, "hash", e->hash);
        kw_json_obj_end(&j);
        kw_buf_putc(x->b, '\n');
    } else {
        kw_buf_printf(x->b, "%lld,%s,", (long long)e->id, ts);
        csv_field(x->b, e->kind);
        kw_buf_putc(x->b, ',');
        csv_field(x->b, e->actor);
        kw_buf_putc(x->b, ',');
        if (e->alert_id)
            kw_buf_printf(x->b, "%lld", (long long)e->alert_id);
        kw_buf_putc(x->b, ',');
        csv_field(x->b, e->text);
        kw_buf_printf(x->b, ",%s,%s\r\n", e->prev_hash ? e->prev_hash : "", e->hash ? e->hash : "");
    }
    if (x->b->len > (1 << 20)) {
        fwrite(x->b->data, 1, x->b->len, stdout);
        kw_buf_reset(x->b);
    }
}

static const char *jstr(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

typedef struct {
    kw_buf *b;
    uint64_t n, fired, resolved, acked, notes;
} recap_ctx;

static void recap_one(void *arg, const store_duty_entry *e)
{
    recap_ctx *x = arg;
    char ts[40];
    kw_time_iso8601(e->ts_ms, ts, sizeof ts);
    x->n++;
    x->fired += !strcmp(e->kind, "alert.fired") || !strcmp(e->kind, "alert.reopened");
    x->resolved += !strcmp(e->kind, "alert.resolved");
    x->acked += !strcmp(e->kind, "alert.acknowledged");
    x->notes += !strcmp(e->kind, "note");
    kw_buf_printf(x->b, "  %.16s  %-20s %-12s", ts, e->kind, e->actor ? e->actor : "-");
    if (e->alert_id)
        kw_buf_printf(x->b, " #%lld", (long long)e->alert_id);
    kw_buf_printf(x->b, " %s\n", e->text ? e->text : "");
}

/* The handover: on duty, open alerts, what happened, what is pending; recorded unless dry. */
static int handover(kw_store *s, const char *cfg_path, const char *by, const char *to, int64_t since, bool dry)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    int64_t now = kw_now_ms();
    if (since <= 0) {
        int64_t last = store_query_int(s, "SELECT max(ts) FROM duty_log WHERE kind = ?", "handover");
        since = last > 0 ? last + 1 : now - 12 * 3600000LL; /* after the last handover itself */
    }
    char t_now[40], t_since[40];
    kw_time_iso8601(now, t_now, sizeof t_now);
    kw_time_iso8601(since, t_since, sizeof t_since);
    kw_buf_printf(&b, "SHIFT HANDOVER %.16s UTC, by %s%s%s\n", t_now, by, to ? " to " : "", to ? to : "");
    conf *c = cli_conf_load(cli_conf_path(cfg_path));
    for (size_t i = 0; c && i < c->schedules.n; i++) {
        const conf_schedule *sc = CONF_AT(c->schedules, conf_schedule, i);
        oncall_shift cur, nxt;
        oncall_at(c, sc, now, &cur, &nxt);
        kw_buf_printf(&b, "  %s: on duty %s, next %s\n", sc->name, cur.person ? cur.person : "(nobody)",
                      nxt.person ? nxt.person : "(nobody)");
    }
    conf_free(c);
    /* open alerts, the unacknowledged first */
    kw_buf js;
    kw_buf_init(&js, 0);
    store_alert_query q = {.state = -1, .limit = 1000};
    size_t firing = 0, acked = 0;
    if (store_alert_list_json(s, &q, &js) == KW_OK) {
        json_t *root = json_loads(kw_buf_cstr(&js), 0, NULL);
        json_t *arr = json_object_get(root, "alerts");
        kw_buf_printf(&b, "\nOPEN ALERTS (%zu)\n", json_array_size(arr));
        for (int pass = 0; pass < 2; pass++) {
            size_t i;
            json_t *a;
            json_array_foreach(arr, i, a) {
                const char *st = json_string_value(json_object_get(a, "state"));
                bool is_firing = st && !strcmp(st, "firing");
                if (is_firing != (pass == 0))
                    continue;
                if (is_firing)
                    firing++;
                else
                    acked++;
                const char *ab = json_string_value(json_object_get(a, "acked_by"));
                kw_buf_printf(&b, "  #%lld %-8s %-8s %s%s%s", (long long)json_integer_value(json_object_get(a, "id")),
                              st ? st : "?", jstr(a, "severity_name"),
                              jstr(a, "summary"), is_firing ? "" : "  (acknowledged by ",
                              is_firing ? "" : ab ? ab : "?");
                kw_buf_puts(&b, is_firing ? "\n" : ")\n");
            }
        }
        json_decref(root);
    }
    kw_buf_free(&js);
    kw_buf_printf(&b, "\nSINCE %.16s UTC\n", t_since);
    recap_ctx x = {&b};
    store_duty_each(s, since, now + 1, recap_one, &x);
    if (!x.n)
        kw_buf_puts(&b, "  nothing in the duty log\n");
    kw_buf_printf(&b, "  %llu alerts fired, %llu acknowledged, %llu resolved, %llu notes\n",
                  (unsigned long long)x.fired, (unsigned long long)x.acked, (unsigned long long)x.resolved,
                  (unsigned long long)x.notes);
    kw_buf_printf(&b, "\nPENDING\n  %zu firing alert%s not acknowledged; %zu acknowledged, not resolved\n", firing,
                  firing == 1 ? "" : "s", acked);
    fputs(kw_buf_cstr(&b), stdout);
    kw_buf_free(&b);
    if (dry)
        return KW_EXIT_OK;
    if (store_duty_handover(s, now, since, by, to, NULL) != KW_OK) {
        fprintf(stderr, "keepwatch duty handover: %s\n", store_errmsg(s));
        return KW_EXIT_USAGE;
    }
    return KW_EXIT_OK;
}

int cli_duty(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(duty_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "note") && strcmp(verb, "verify") && strcmp(verb, "export") && strcmp(verb, "handover")) {
        fprintf(stderr, "keepwatch duty: unknown command \"%s\"\n\n%s", verb, duty_usage);
        return KW_EXIT_USAGE;
    }
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'}, {"by", required_argument, NULL, 'b'},
                                         {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
                                         {"format", required_argument, NULL, 'F'}, {"since", required_argument, NULL, 's'},
                                         {"dry-run", no_argument, NULL, 'n'},      {0}};
    const char *cfg = NULL, *by = NULL;
    int64_t from = 0, to = INT64_MAX;
    bool json = false, dry = false;
    int64_t since = 0;
    const char *to_person = NULL;
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfg = optarg; break;
        case 'b': by = optarg; break;
        case 'n': dry = true; break;
        case 't':
            if (!strcmp(verb, "handover")) { /* handover --to NAME: the person taking over */
                to_person = optarg;
                break;
            }
            /* fall through */
        case 'f':
        case 's':
            if (!cli_parse_time(optarg, ch == 'f' ? &from : ch == 's' ? &since : &to)) {
                fprintf(stderr, "keepwatch duty: \"%s\" is not a time (2026-11-24, 2026-11-24T09:00)\n", optarg);
                return KW_EXIT_USAGE;
            }
            break;
        case 'F':
            if (strcmp(optarg, "csv") && strcmp(optarg, "json")) {
                fprintf(stderr, "keepwatch duty: --format is csv or json\n");
                return KW_EXIT_USAGE;
            }
            json = !strcmp(optarg, "json");
            break;
        default: fputs(duty_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    kw_buf text;
    kw_buf_init(&text, 64 * 1024);
    if (!strcmp(verb, "note")) {
        for (int i = optind; i < argc; i++)
            kw_buf_printf(&text, "%s%s", i > optind ? " " : "", argv[i]);
        if (!text.len || text.overflow) {
            fprintf(stderr, "keepwatch duty note: write the note (at most 64 KiB): keepwatch duty note TEXT...\n");
            kw_buf_free(&text);
            return KW_EXIT_USAGE;
        }
    } else if (optind != argc) {
        fprintf(stderr, "keepwatch duty %s: unexpected argument \"%s\"\n", verb, argv[optind]);
        return KW_EXIT_USAGE;
    }
    kw_store *s = cli_store_open(cfg, "duty", strcmp(verb, "note") != 0);
    if (!s) {
        kw_buf_free(&text);
        return KW_EXIT_USAGE;
    }
    int status = KW_EXIT_OK;
    if (!strcmp(verb, "note")) {
        char who[64];
        if (store_duty_append(s, kw_now_ms(), "note", by ? by : cli_whoami(who, sizeof who), 0, kw_buf_cstr(&text)) !=
            KW_OK) {
            fprintf(stderr, "keepwatch duty note: %s\n", store_errmsg(s));
            status = KW_EXIT_USAGE;
        }
    } else if (!strcmp(verb, "handover")) {
        char who[64];
        status = handover(s, cfg, by ? by : cli_whoami(who, sizeof who), to_person, since, dry);
    } else if (!strcmp(verb, "verify")) {
        int64_t bad, n;
        char why[256];
        kw_rc rc = store_duty_verify(s, &bad, &n, why, sizeof why);
        if (rc == KW_OK)
            printf("duty log intact: %lld entr%s\n", (long long)n, n == 1 ? "y" : "ies");
        else if (rc == KW_ERR_PARSE) {
            printf("duty log BROKEN at entry %lld: %s\n", (long long)bad, why);
            status = KW_EXIT_PROBLEM;
        } else {
            fprintf(stderr, "keepwatch duty verify: %s\n", store_errmsg(s));
            status = KW_EXIT_USAGE;
        }
    } else {
        kw_buf out;
        kw_buf_init(&out, 0);
        if (!json)
            kw_buf_puts(&out, "id,time,kind,actor,alert_id,text,prev_hash,hash\r\n");
        export_ctx x = {json, &out, 0};
        if (store_duty_each(s, from, to, export_one, &x) != KW_OK) {
            fprintf(stderr, "keepwatch duty export: %s\n", store_errmsg(s));
            status = KW_EXIT_USAGE;
        }
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        kw_buf_free(&out);
    }
    store_close(s);
    kw_buf_free(&text);
    return status;
}

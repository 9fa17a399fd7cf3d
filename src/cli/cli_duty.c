/* keepwatch duty note|verify|export|pubkey|handover: the keyed, signed duty log, with or without
 * a daemon; verify --pubkey checks an export without the secret. */
#include "cli/cli.h"
#include "core/kw_file.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "duty/duty.h"
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
    "       keepwatch duty verify [--head SEQ:HEX]\n"
    "       keepwatch duty verify --pubkey FILE [--file EXPORT] [--head SEQ:HEX]\n"
    "       keepwatch duty export [--from TIME] [--to TIME] [--format csv|jsonl]\n"
    "       keepwatch duty pubkey\n"
    "       keepwatch duty handover [--by NAME] [--to NAME] [--since TIME] [--dry-run]\n"
    "\n"
    "The duty log keeps, in order, every alert fired, acknowledged, resolved and reopened (who\n"
    "and when) and the notes of the officers on duty. Each entry is linked to the one before by\n"
    "an HMAC-SHA256 with a key kept outside the store (duty.key_file, default state_dir/duty.key,\n"
    "mode 0600; entries from before the key keep their plain SHA-256 links), and checkpoints\n"
    "signed with Ed25519 (state_dir/duty_sign.key) cover the entries in between: an entry\n"
    "edited, deleted or moved, even directly in the database with the hashes recomputed, is\n"
    "found by verify.\n"
    "\n"
    "note    appends a free-text entry by you (--by: in someone's name, e.g. on the phone)\n"
    "verify  checks the whole chain with the key file: exit 0 intact, 1 broken (naming the first\n"
    "        bad entry and why), 2 error. --pubkey FILE checks an export (--file, JSON lines;\n"
    "        default: this store's log) without the secret: the checkpoints' signatures, and\n"
    "        that the entries between them are the ones signed. --head SEQ:HEX checks that a\n"
    "        head published in a handover is still on the chain\n"
    "export  the entries between two times (default: all) with their links and the signed\n"
    "        checkpoints, as CSV (default; cells that would be spreadsheet formulas start with ')\n"
    "        or JSON lines (--format jsonl, what verify --file reads); a checkpoint is signed first\n"
    "        so the export is covered whole. TIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][zone],\n"
    "        local time without a zone\n"
    "pubkey  prints the checkpoints' public key (PEM) for auditors\n"
    "handover  the shift handover: who is on duty now and next, the open alerts (those not\n"
    "        acknowledged first), what the log holds since the last handover (or --since, or\n"
    "        12 h), what is pending and the duty log's head (SEQ:HEX, to keep outside keepwatch);\n"
    "        then records the handover in the log and signs a checkpoint (not with --dry-run)\n"
    "\n"
    "Every command takes -c FILE; the store is state_dir/keepwatch.db.\n";

typedef struct {
    bool json, stream;   /* stream: written to stdout as it goes */
    kw_buf *b;
    uint64_t n;
    const duty_checkpoint *cps; /* all of them, in order */
    size_t ncp, next;
} export_ctx;

static void export_flush(export_ctx *x)
{
    if (x->stream && x->b->len > (1 << 20)) {
        fwrite(x->b->data, 1, x->b->len, stdout);
        kw_buf_reset(x->b);
    }
}

/* The checkpoints up to `seq` (skipping those before `from`). */
static void export_checkpoints(export_ctx *x, int64_t from, int64_t seq)
{
    for (; x->next < x->ncp && x->cps[x->next].seq <= seq; x->next++) {
        const duty_checkpoint *c = &x->cps[x->next];
        if (c->seq < from)
            continue;
        if (x->json)
            duty_export_checkpoint_json(c, x->b);
        else
            duty_export_checkpoint_csv(c, x->b);
    }
}

static void export_one(void *arg, const store_duty_entry *e)
{
    export_ctx *x = arg;
    if (!x->n++)
        export_checkpoints(x, e->id - 1, e->id - 1);
    if (x->json)
        duty_export_entry_json(e, x->b);
    else
        duty_export_entry_csv(e, x->b);
    export_checkpoints(x, e->id, e->id);
    export_flush(x);
}

typedef struct {
    duty_checkpoint *v;
    size_t n, cap;
} cp_list;

static void cp_collect(void *arg, const duty_checkpoint *c)
{
    cp_list *l = arg;
    kw_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = *c;
}

/* The log (entries between from and to, with their checkpoints) into out, or stdout as it goes
 * when out is NULL. */
static kw_rc export_log(kw_store *s, bool json, int64_t from, int64_t to, kw_buf *out)
{
    cp_list cps = {0};
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf *dst = out ? out : &b;
    if (!json)
        kw_buf_puts(dst, duty_csv_header);
    export_ctx x = {json, !out, dst, 0, NULL, 0, 0};
    kw_rc rc = store_duty_checkpoints_each(s, 0, INT64_MAX, cp_collect, &cps);
    x.cps = cps.v;
    x.ncp = cps.n;
    if (rc == KW_OK)
        rc = store_duty_each(s, from, to, export_one, &x);
    if (!out)
        fwrite(b.data ? b.data : "", 1, b.len, stdout);
    if (rc == KW_OK && dst->overflow)
        rc = KW_ERR_FULL;
    kw_buf_free(&b);
    free(cps.v);
    return rc;
}

static int head_report(int64_t seq, const char *hex, bool found, bool ok, const char *link)
{
    if (found && ok) {
        printf("published head %lld:%s is on the chain\n", (long long)seq, hex);
        return KW_EXIT_OK;
    }
    if (found)
        printf("published head %lld:%s is NOT on the chain: entry %lld's link is now %s (the log was rewritten)\n",
               (long long)seq, hex, (long long)seq, link ? link : "different");
    else
        printf("published head %lld:%s is NOT on the chain: there is no entry %lld (entries removed)\n",
               (long long)seq, hex, (long long)seq);
    return KW_EXIT_PROBLEM;
}

/* verify --pubkey: an export (or this store's log as one) with the public key alone. */
static int verify_export(kw_store *s, const char *pubfile, const char *file, int64_t head_seq, const char *head_hex)
{
    kw_buf pem, data;
    if (kw_file_read(pubfile, 16384, &pem) != KW_OK) {
        fprintf(stderr, "keepwatch duty verify: cannot read the public key %s\n", pubfile);
        kw_buf_free(&pem);
        return KW_EXIT_USAGE;
    }
    duty_pub *pub = duty_pub_from_pem(pem.data, pem.len);
    kw_buf_free(&pem);
    if (!pub) {
        fprintf(stderr, "keepwatch duty verify: %s is not an Ed25519 public key (PEM)\n", pubfile);
        return KW_EXIT_USAGE;
    }
    kw_rc rc;
    if (file) {
        rc = kw_file_read(file, KW_BUF_DEFAULT_MAX, &data);
    } else { /* as `duty export` would give it: the head signed first when the log verifies */
        store_duty_checkpoint(s, kw_now_ms(), "export", NULL);
        kw_buf_init(&data, KW_BUF_DEFAULT_MAX);
        rc = export_log(s, true, INT64_MIN, INT64_MAX, &data);
    }
    duty_export_result r = {0};
    if (rc == KW_OK)
        rc = duty_export_verify(data.data ? data.data : "", data.len, pub, head_seq, head_hex, &r);
    kw_buf_free(&data);
    duty_pub_free(pub);
    int status = KW_EXIT_OK;
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch duty verify: %s\n", rc == KW_ERR_PARSE ? r.why : "cannot read the export");
        return KW_EXIT_USAGE;
    }
    if (r.bad_id) {
        printf("duty log BROKEN at entry %lld: %s\n", (long long)r.bad_id, r.why);
        status = KW_EXIT_PROBLEM;
    } else {
        printf("duty log export intact: %lld entr%s (%lld to %lld), %lld checkpoint%s, all signed\n",
               (long long)r.entries, r.entries == 1 ? "y" : "ies", (long long)r.first_id, (long long)r.last_id,
               (long long)r.checkpoints, r.checkpoints == 1 ? "" : "s");
    }
    if (head_seq > 0 && head_report(head_seq, head_hex, r.head_found, r.head_ok, NULL) != KW_EXIT_OK)
        status = KW_EXIT_PROBLEM;
    return status;
}

/* verify: the store's chain with the key file, and a published head. */
static int verify_store(kw_store *s, int64_t head_seq, const char *head_hex)
{
    int64_t bad, n;
    char why[256];
    int status = KW_EXIT_OK;
    kw_rc rc = store_duty_verify(s, &bad, &n, why, sizeof why);
    if (rc == KW_OK) {
        printf("duty log intact: %lld entr%s\n", (long long)n, n == 1 ? "y" : "ies");
    } else if (rc == KW_ERR_PARSE) {
        printf("duty log BROKEN at entry %lld: %s\n", (long long)bad, why);
        status = KW_EXIT_PROBLEM;
    } else {
        fprintf(stderr, "keepwatch duty verify: %s\n", store_errmsg(s));
        return KW_EXIT_USAGE;
    }
    if (head_seq > 0) {
        char link[65];
        rc = store_duty_link(s, head_seq, link);
        if (rc == KW_ERR_STORE) {
            fprintf(stderr, "keepwatch duty verify: %s\n", store_errmsg(s));
            return KW_EXIT_USAGE;
        }
        bool found = rc == KW_OK, ok = found && strncmp(link, head_hex, strlen(head_hex)) == 0;
        if (head_report(head_seq, head_hex, found, ok, link) != KW_EXIT_OK)
            status = KW_EXIT_PROBLEM;
    }
    return status;
}

static int export_cmd(kw_store *s, bool json, int64_t from, int64_t to)
{
    kw_rc rc = store_duty_checkpoint(s, kw_now_ms(), "export", NULL);
    if (rc == KW_ERR_PARSE)
        fprintf(stderr, "keepwatch duty export: the log does not verify, no checkpoint signed: %s\n", store_errmsg(s));
    else if (rc != KW_OK)
        fprintf(stderr, "keepwatch duty export: no checkpoint signed: %s\n", store_errmsg(s));
    if (export_log(s, json, from, to, NULL) != KW_OK) {
        fprintf(stderr, "keepwatch duty export: %s\n", store_errmsg(s));
        return KW_EXIT_USAGE;
    }
    return KW_EXIT_OK;
}

static int pubkey_cmd(kw_store *s)
{
    kw_buf pem;
    kw_buf_init(&pem, 0);
    kw_rc rc = store_duty_pubkey(s, &pem);
    if (rc == KW_OK) /* a log from before the keys: its first checkpoint anchors it */
        rc = store_duty_checkpoint_due(s, kw_now_ms(), INT64_MAX);
    if (rc == KW_OK || rc == KW_ERR_PARSE)
        fputs(kw_buf_cstr(&pem), stdout);
    else
        fprintf(stderr, "keepwatch duty pubkey: %s\n", store_errmsg(s));
    kw_buf_free(&pem);
    return rc == KW_OK || rc == KW_ERR_PARSE ? KW_EXIT_OK : KW_EXIT_USAGE;
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
    kw_buf_puts(&b, "  duty log head ");
    store_duty_head_text(s, &b);
    kw_buf_puts(&b, " (keep it: `keepwatch duty verify --head` shows a rewrite)\n");
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

typedef struct duty_opts {
    const char *cfg, *by, *to_person, *pubkey, *file;
    int64_t from, to, since, head_seq;
    char head_hex[65];
    bool json, dry;
} duty_opts;

static const char *const duty_verbs[] = {"note", "verify", "export", "handover", "pubkey", NULL};

static bool known_verb(const char *v)
{
    for (size_t i = 0; duty_verbs[i]; i++)
        if (!strcmp(v, duty_verbs[i]))
            return true;
    return false;
}

static int parse_opts(int argc, char **argv, const char *verb, duty_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"by", required_argument, NULL, 'b'},
        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'}, {"since", required_argument, NULL, 's'},
        {"dry-run", no_argument, NULL, 'n'},      {"pubkey", required_argument, NULL, 'P'},
        {"file", required_argument, NULL, 'I'},   {"head", required_argument, NULL, 'H'},
        {0}};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->cfg = optarg; break;
        case 'b': o->by = optarg; break;
        case 'n': o->dry = true; break;
        case 'P': o->pubkey = optarg; break;
        case 'I': o->file = optarg; break;
        case 'H':
            if (!duty_head_parse(optarg, &o->head_seq, o->head_hex)) {
                fprintf(stderr, "keepwatch duty: --head is SEQ:HEX as a handover prints it (41:3f9a1c2b7d4e5f60)\n");
                return KW_EXIT_USAGE;
            }
            break;
        case 't':
            if (!strcmp(verb, "handover")) { /* handover --to NAME: the person taking over */
                o->to_person = optarg;
                break;
            }
            /* fall through */
        case 'f':
        case 's':
            if (!cli_parse_time(optarg, ch == 'f' ? &o->from : ch == 's' ? &o->since : &o->to)) {
                fprintf(stderr, "keepwatch duty: \"%s\" is not a time (2026-11-24, 2026-11-24T09:00)\n", optarg);
                return KW_EXIT_USAGE;
            }
            break;
        case 'F':
            if (strcmp(optarg, "csv") && strcmp(optarg, "json") && strcmp(optarg, "jsonl")) {
                fprintf(stderr, "keepwatch duty: --format is csv or jsonl\n");
                return KW_EXIT_USAGE;
            }
            o->json = strcmp(optarg, "csv") != 0;
            break;
        default: fputs(duty_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    if (o->file && !o->pubkey) {
        fprintf(stderr, "keepwatch duty verify: --file EXPORT goes with --pubkey FILE\n");
        return KW_EXIT_USAGE;
    }
    return KW_EXIT_OK;
}

static int note_cmd(kw_store *s, const char *by, const char *text)
{
    char who[64];
    if (store_duty_append(s, kw_now_ms(), "note", by ? by : cli_whoami(who, sizeof who), 0, text) == KW_OK)
        return KW_EXIT_OK;
    fprintf(stderr, "keepwatch duty note: %s\n", store_errmsg(s));
    return KW_EXIT_USAGE;
}

static int run_verb(kw_store *s, const char *verb, const duty_opts *o, const char *text)
{
    char who[64];
    if (!strcmp(verb, "note"))
        return note_cmd(s, o->by, text);
    if (!strcmp(verb, "handover"))
        return handover(s, o->cfg, o->by ? o->by : cli_whoami(who, sizeof who), o->to_person, o->since, o->dry);
    if (!strcmp(verb, "verify") && o->pubkey)
        return verify_export(s, o->pubkey, o->file, o->head_seq, o->head_hex);
    if (!strcmp(verb, "verify"))
        return verify_store(s, o->head_seq, o->head_hex);
    if (!strcmp(verb, "pubkey"))
        return pubkey_cmd(s);
    return export_cmd(s, o->json, o->from, o->to);
}

int cli_duty(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(duty_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1];
    if (!known_verb(verb)) {
        fprintf(stderr, "keepwatch duty: unknown command \"%s\"\n\n%s", verb, duty_usage);
        return KW_EXIT_USAGE;
    }
    duty_opts o = {.to = INT64_MAX};
    int status = parse_opts(argc, argv, verb, &o);
    if (status != KW_EXIT_OK)
        return status;
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
        kw_buf_free(&text);
        return KW_EXIT_USAGE;
    }
    /* an auditor's check of an export needs no store */
    kw_store *s = o.file ? NULL : cli_store_open(o.cfg, "duty", strcmp(verb, "note") != 0);
    if (!s && !o.file) {
        kw_buf_free(&text);
        return KW_EXIT_USAGE;
    }
    status = run_verb(s, verb, &o, kw_buf_cstr(&text));
    if (s)
        store_close(s);
    kw_buf_free(&text);
    return status;
}

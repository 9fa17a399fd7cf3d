/* The duty log as others read it: entries and checkpoints as JSON lines or CSV, and the check
 * of a JSON-lines export with the public key only (design in duty.h). The check reads a buffer
 * from anywhere: every field is checked for type and length before use. No I/O. */
#include "duty/duty.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

const char duty_csv_header[] = "id,time,kind,actor,alert_id,text,prev_hash,hash,ts_ms,scheme,from,digest,legacy,"
                               "signature\r\n";

/* ---- writing ---- */

void duty_export_entry_json(const duty_entry *e, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "type", "entry");
    kw_json_kv_int(&j, "id", e->id);
    kw_json_kv_time(&j, "@timestamp", e->ts_ms);
    kw_json_kv_int(&j, "ts_ms", e->ts_ms);
    kw_json_kv_str(&j, "kind", e->kind);
    kw_json_kv_str(&j, "actor", e->actor);
    if (e->alert_id)
        kw_json_kv_int(&j, "alert_id", e->alert_id);
    kw_json_kv_str(&j, "text", e->text);
    kw_json_kv_str(&j, "scheme", duty_scheme_name(e->scheme));
    kw_json_kv_str(&j, "prev_hash", e->prev_hash);
    kw_json_kv_str(&j, "hash", e->hash);
    kw_json_obj_end(&j);
    kw_buf_putc(out, '\n');
}

void duty_export_checkpoint_json(const duty_checkpoint *c, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "type", "checkpoint");
    kw_json_kv_str(&j, "kind", "checkpoint"); /* as in the CSV: readers of kind and actor keep working */
    kw_json_kv_str(&j, "actor", "keepwatch");
    kw_json_kv_int(&j, "seq", c->seq);
    kw_json_kv_time(&j, "@timestamp", c->ts_ms);
    kw_json_kv_int(&j, "ts_ms", c->ts_ms);
    kw_json_kv_int(&j, "from", c->from);
    kw_json_kv_str(&j, "head", c->head);
    kw_json_kv_str(&j, "digest", c->digest);
    kw_json_kv_int(&j, "legacy", c->legacy);
    kw_json_kv_str(&j, "reason", c->reason);
    kw_json_kv_str(&j, "signature", c->sig);
    kw_json_obj_end(&j);
    kw_buf_putc(out, '\n');
}

void duty_csv_cell(kw_buf *b, const char *s)
{
    if (!s || !*s)
        return;
    bool formula = strchr("=+-@\t\r", *s) != NULL; /* OWASP: CSV injection */
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        kw_buf_puts(b, s);
        return;
    }
    kw_buf_putc(b, '"');
    if (formula)
        kw_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"')
            kw_buf_putc(b, '"');
        kw_buf_putc(b, *s);
    }
    kw_buf_putc(b, '"');
}

void duty_export_entry_csv(const duty_entry *e, kw_buf *out)
{
    char ts[40];
    kw_time_iso8601(e->ts_ms, ts, sizeof ts);
    kw_buf_printf(out, "%lld,%s,", (long long)e->id, ts);
    duty_csv_cell(out, e->kind);
    kw_buf_putc(out, ',');
    duty_csv_cell(out, e->actor);
    kw_buf_putc(out, ',');
    if (e->alert_id)
        kw_buf_printf(out, "%lld", (long long)e->alert_id);
    kw_buf_putc(out, ',');
    duty_csv_cell(out, e->text);
    kw_buf_putc(out, ',');
    duty_csv_cell(out, e->prev_hash);
    kw_buf_putc(out, ',');
    duty_csv_cell(out, e->hash);
    kw_buf_printf(out, ",%lld,%s,,,,\r\n", (long long)e->ts_ms, duty_scheme_name(e->scheme));
}

void duty_export_checkpoint_csv(const duty_checkpoint *c, kw_buf *out)
{
    char ts[40];
    kw_time_iso8601(c->ts_ms, ts, sizeof ts);
    kw_buf_printf(out, "%lld,%s,checkpoint,keepwatch,,", (long long)c->seq, ts);
    duty_csv_cell(out, c->reason);
    kw_buf_printf(out, ",,%s,%lld,ed25519,%lld,%s,%lld,%s\r\n", c->head, (long long)c->ts_ms, (long long)c->from,
                  c->digest, (long long)c->legacy, c->sig);
}

/* ---- reading ---- */

typedef struct parsed {
    json_t **lines;          /* the entries' objects: their strings back the duty_entry pointers */
    duty_entry *e;
    size_t ne, cap_e, nlines, cap_lines;
    duty_checkpoint *c;
    size_t nc, cap_c;
} parsed;

static bool int_field(json_t *o, const char *k, int64_t min, int64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) < min)
        return false;
    *out = json_integer_value(v);
    return true;
}

/* A string field that may be null (NULL) or absent when optional. */
static bool str_field(json_t *o, const char *k, bool optional, const char **out)
{
    json_t *v = json_object_get(o, k);
    *out = json_string_value(v);
    return *out || (optional && (!v || json_is_null(v)));
}

static bool is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static bool copy_hex(const char *s, char *out, size_t want)
{
    if (!s || strlen(s) != want)
        return false;
    memcpy(out, s, want + 1);
    return true;
}

static bool parse_entry(json_t *o, duty_entry *e)
{
    const char *scheme;
    e->alert_id = 0;
    if (json_object_get(o, "alert_id") && !int_field(o, "alert_id", 1, &e->alert_id))
        return false;
    return int_field(o, "id", 1, &e->id) && int_field(o, "ts_ms", INT64_MIN, &e->ts_ms) &&
           str_field(o, "kind", false, &e->kind) && str_field(o, "actor", true, &e->actor) &&
           str_field(o, "text", true, &e->text) && str_field(o, "scheme", false, &scheme) &&
           (e->scheme = duty_scheme_parse(scheme)) >= 0 && str_field(o, "prev_hash", false, &e->prev_hash) &&
           is_hex64(e->prev_hash) && str_field(o, "hash", false, &e->hash) && is_hex64(e->hash);
}

static bool parse_checkpoint(json_t *o, duty_checkpoint *c)
{
    const char *head, *digest, *sig, *reason;
    memset(c, 0, sizeof *c);
    return int_field(o, "seq", 0, &c->seq) && int_field(o, "ts_ms", INT64_MIN, &c->ts_ms) &&
           int_field(o, "from", 0, &c->from) && int_field(o, "legacy", 0, &c->legacy) &&
           str_field(o, "head", false, &head) && is_hex64(head) && copy_hex(head, c->head, 64) &&
           str_field(o, "digest", false, &digest) && is_hex64(digest) && copy_hex(digest, c->digest, 64) &&
           str_field(o, "signature", false, &sig) && copy_hex(sig, c->sig, DUTY_SIG_HEX) &&
           str_field(o, "reason", true, &reason) && (!reason || strlen(reason) < sizeof c->reason) &&
           (snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : ""), true);
}

static void parsed_free(parsed *p)
{
    for (size_t i = 0; i < p->nlines; i++)
        json_decref(p->lines[i]);
    free(p->lines);
    free(p->e);
    free(p->c);
}

static kw_rc parse_line(parsed *p, const char *s, size_t n, size_t lineno, duty_export_result *r)
{
    if (n > DUTY_EXPORT_MAX_LINE) {
        snprintf(r->why, sizeof r->why, "line %zu: longer than %d bytes", lineno, DUTY_EXPORT_MAX_LINE);
        return KW_ERR_PARSE;
    }
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    const char *type = json_string_value(json_object_get(o, "type"));
    bool ok = false;
    if (type && !strcmp(type, "entry")) {
        kw_grow(&p->e, &p->cap_e, p->ne + 1, sizeof *p->e);
        kw_grow(&p->lines, &p->cap_lines, p->nlines + 1, sizeof *p->lines);
        p->lines[p->nlines++] = o;
        ok = parse_entry(o, &p->e[p->ne]);
        p->ne += ok;
        o = NULL;
    } else if (type && !strcmp(type, "checkpoint")) {
        kw_grow(&p->c, &p->cap_c, p->nc + 1, sizeof *p->c);
        ok = parse_checkpoint(o, &p->c[p->nc]);
        p->nc += ok;
    }
    json_decref(o);
    if (!ok)
        snprintf(r->why, sizeof r->why, "line %zu: not a duty-log entry or checkpoint of keepwatch duty export "
                 "--format jsonl", lineno);
    return ok ? KW_OK : KW_ERR_PARSE;
}

static kw_rc parse_all(const char *data, size_t len, parsed *p, duty_export_result *r)
{
    size_t lineno = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (data + at)) : len - at;
        lineno++;
        if (n && !(n == 1 && data[at] == '\r')) {
            kw_rc rc = parse_line(p, data + at, n, lineno, r);
            if (rc != KW_OK)
                return rc;
        }
        at += n + 1;
    }
    return KW_OK;
}

/* ---- checking ---- */

typedef struct vstate {
    const parsed *p;
    const duty_pub *pub;
    duty_export_result *r;
    size_t ci;               /* the next checkpoint to look at */
    int64_t prev_cp;         /* the last checkpoint met among the entries (-1: none yet) */
    int64_t dstart;          /* d covers the entries after this one */
    int64_t legacy;
    unsigned char d[32];     /* the sequence digest since dstart */
} vstate;

static bool broken(vstate *v, int64_t id, const char *fmt, long long a, long long b)
{
    v->r->bad_id = id > 0 ? id : 1; /* the anchor at 0 stands for the first entry */
    snprintf(v->r->why, sizeof v->r->why, fmt, a, b);
    return false;
}

/* Checkpoint c, met right after the entry whose link is head_here. */
static bool check_checkpoint(vstate *v, const duty_checkpoint *c, const char *head_here)
{
    if (!duty_pub_verify(v->pub, c))
        return broken(v, c->seq, "checkpoint at entry %lld: the signature is not good (forged or changed)%.0lld",
                      (long long)c->seq, 0);
    if (c->legacy != v->legacy)
        return broken(v, c->seq, "checkpoint at entry %lld names %lld plain-hash entries, the first one another",
                      (long long)c->seq, (long long)c->legacy);
    if (strcmp(head_here, c->head) != 0)
        return broken(v, c->from + 1, "an entry between %lld and %lld was rewritten (the signed head differs)",
                      (long long)c->from + 1, (long long)c->seq);
    if (v->prev_cp >= 0 && c->from != v->prev_cp)
        return broken(v, c->from + 1, "checkpoint at entry %lld follows %lld, not the checkpoint before it "
                      "(a checkpoint was removed)", (long long)c->seq, (long long)c->from);
    if (c->from == v->dstart) { /* its whole range was exported: its digest can be checked */
        char d[65];
        duty_hex(v->d, 32, d);
        if (strcmp(d, c->digest) != 0)
            return broken(v, c->from + 1, "an entry between %lld and %lld was changed (the signed digest differs)",
                          (long long)c->from + 1, (long long)c->seq);
        if (!v->r->signed_from)
            v->r->signed_from = c->from + 1;
        v->r->signed_to = c->seq;
    }
    v->prev_cp = v->dstart = c->seq;
    memset(v->d, 0, sizeof v->d);
    return true;
}

/* The checkpoints up to `seq`, met after that entry (or before the first one). */
static bool checkpoints_at(vstate *v, int64_t seq, const char *head_here)
{
    for (; v->ci < v->p->nc && v->p->c[v->ci].seq <= seq; v->ci++) {
        const duty_checkpoint *c = &v->p->c[v->ci];
        if (v->ci && c->seq <= v->p->c[v->ci - 1].seq)
            return broken(v, c->seq, "checkpoint at entry %lld is out of order%.0lld", (long long)c->seq, 0);
        if (c->seq < seq) { /* before what was exported: only its signature can be checked */
            if (!duty_pub_verify(v->pub, c))
                return broken(v, c->seq, "checkpoint at entry %lld: the signature is not good%.0lld",
                              (long long)c->seq, 0);
            continue;
        }
        if (!check_checkpoint(v, c, head_here))
            return false;
    }
    return true;
}

static bool check_entry(vstate *v, const duty_entry *e, const duty_entry *before)
{
    if (before && e->id != before->id + 1)
        return broken(v, before->id + 1, "entry %lld is missing (the export jumps to %lld)", (long long)before->id + 1,
                      (long long)e->id);
    if (before && strcmp(e->prev_hash, before->hash) != 0)
        return broken(v, e->id, "entry %lld does not follow entry %lld (an entry was removed or moved)",
                      (long long)e->id, (long long)e->id - 1);
    int want = e->id <= v->legacy ? DUTY_SCHEME_SHA256 : DUTY_SCHEME_HMAC;
    if (e->scheme != want)
        return broken(v, e->id, "entry %lld has the wrong kind of link: the signed checkpoints say %lld plain-hash "
                      "entries", (long long)e->id, (long long)v->legacy);
    if (want == DUTY_SCHEME_SHA256) {
        char h[65];
        duty_link_plain(e, h);
        if (strcmp(h, e->hash) != 0)
            return broken(v, e->id, "entry %lld was changed (its hash does not match its content)%.0lld",
                          (long long)e->id, 0);
    }
    duty_digest_add(v->d, e);
    return true;
}

static void check_head(const parsed *p, int64_t seq, const char *hex, duty_export_result *r)
{
    for (size_t i = 0; seq > 0 && i < p->ne; i++)
        if (p->e[i].id == seq) {
            r->head_found = true;
            r->head_ok = strncmp(p->e[i].hash, hex, strlen(hex)) == 0;
            return;
        }
}

/* What no good signature covers is not verified: the ends of a partial export, an unsigned tail. */
static void check_coverage(vstate *v)
{
    duty_export_result *r = v->r;
    if (!r->signed_from || r->signed_from > r->first_id)
        broken(v, r->first_id, "entries %lld to %lld are not covered by a checkpoint signed with this key",
               (long long)r->first_id, (long long)(r->signed_from ? r->signed_from - 1 : r->last_id));
    else if (r->signed_to < r->last_id)
        broken(v, r->signed_to + 1, "entries %lld to %lld are after the last signed checkpoint (not verified)",
               (long long)r->signed_to + 1, (long long)r->last_id);
}

kw_rc duty_export_verify(const char *data, size_t len, const duty_pub *pub, int64_t head_seq, const char *head_hex,
                         duty_export_result *r)
{
    memset(r, 0, sizeof *r);
    parsed p = {0};
    kw_rc rc = parse_all(data, len, &p, r);
    if (rc != KW_OK) {
        parsed_free(&p);
        return rc;
    }
    r->entries = (int64_t)p.ne;
    r->checkpoints = (int64_t)p.nc;
    if (p.ne) {
        r->first_id = p.e[0].id;
        r->last_id = p.e[p.ne - 1].id;
        vstate v = {&p, pub, r, 0, -1, r->first_id - 1, p.nc ? p.c[0].legacy : 0, {0}};
        bool ok = checkpoints_at(&v, r->first_id - 1, p.e[0].prev_hash);
        for (size_t i = 0; ok && i < p.ne; i++)
            ok = check_entry(&v, &p.e[i], i ? &p.e[i - 1] : NULL) && checkpoints_at(&v, p.e[i].id, p.e[i].hash);
        if (ok && v.ci < p.nc)
            broken(&v, r->last_id + 1, "checkpoint at entry %lld is past the last entry %lld (entries removed from "
                   "the end)", (long long)p.c[v.ci].seq, (long long)r->last_id);
        else if (ok)
            check_coverage(&v);
    }
    check_head(&p, head_seq, head_hex ? head_hex : "", r);
    parsed_free(&p);
    return KW_OK;
}

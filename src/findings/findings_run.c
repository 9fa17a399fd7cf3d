/* Findings into the store (findings_run.h): a run's sink, what it writes when it closes, and
 * the moves people make. The workflow's rules are findings_state.c; the tables store_findings.c. */
#include "findings/findings_run.h"
#include "core/kw_file.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "findings/finding_print.h"
#include "store/store_findings.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One finding as the run will store it (strings owned). */
typedef struct pending {
    char *fp, *asset, *vuln_id, *scanner, *title, *category, *place, *transport, *doc;
    char *owner, *department;
    int port, sev, criticality, exposure;
    double score, risk;
    bool kev;
} pending;

typedef struct cover {
    char *scanner, *asset, *transport;
    char *fingerprint;          /* NULL: every finding the rest names */
    int lo, hi;
} cover;

struct findings_run {
    kw_store *s;
    const conf *c;
    conf_asset_index *assets; /* c's assets' addresses, parsed once for the run */
    const findings_kev *kev;
    char *scanner, *source, *actor;
    pthread_mutex_t mu;
    pending *v;
    size_t n, cap;
    cover *cv;
    size_t ncv, capcv;
    kw_map by_fp; /* fingerprint -> index + 1 */
    findings_counts counts;
    int64_t now_ms;
};

static void pending_free(pending *p)
{
    char **strs[] = {&p->fp, &p->asset, &p->vuln_id, &p->scanner, &p->title, &p->category,
                     &p->place, &p->transport, &p->doc, &p->owner, &p->department};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(*strs[i]);
}

static char *cut_dup(const char *s, size_t max)
{
    if (!s || !*s)
        return NULL;
    size_t n = strlen(s);
    if (n >= max) { /* at a UTF-8 boundary */
        n = max - 1;
        while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    return kw_strndup(s, n);
}

/* The finding's ECS document as the store keeps it: the rating the store uses, every text cut
 * to its bound (FINDING_TEXT_MAX; the long ones FINDING_EVIDENCE_MAX), so that the document is
 * whole JSON whatever a source sent. */
static char *doc_of(const finding *f, finding_sev sev, double score, const char *version, int64_t now_ms)
{
    finding ff = *f;
    ff.severity = sev;
    ff.score = score;
    ff.score_version = version[0] ? version : NULL;
    const char **texts[] = {&ff.vuln_id, &ff.category, &ff.title, &ff.reference, &ff.cwe, &ff.scanner, &ff.score_version,
                            &ff.vector, &ff.host, &ff.ip, &ff.transport, &ff.service, &ff.url, &ff.parameter,
                            &ff.file_path, &ff.text, &ff.package, &ff.installed, &ff.fixed};
    const char **longs[] = {&ff.description, &ff.solution, &ff.evidence};
    char *cut[sizeof texts / sizeof texts[0] + sizeof longs / sizeof longs[0]];
    size_t ncut = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (*texts[i] && strlen(*texts[i]) >= FINDING_TEXT_MAX)
            *texts[i] = cut[ncut++] = cut_dup(*texts[i], FINDING_TEXT_MAX);
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++)
        if (*longs[i] && strlen(*longs[i]) >= FINDING_EVIDENCE_MAX)
            *longs[i] = cut[ncut++] = cut_dup(*longs[i], FINDING_EVIDENCE_MAX);
    kw_buf doc; /* escaping writes at most 6 bytes a byte: the bounds above fit */
    kw_buf_init(&doc, 6 * (19 * FINDING_TEXT_MAX + 3 * FINDING_EVIDENCE_MAX) + 4096);
    kw_json j;
    kw_json_init(&j, &doc);
    finding_ecs(&j, &ff, now_ms);
    char *out = kw_strdup(doc.data && !doc.overflow ? doc.data : "{}");
    kw_buf_free(&doc);
    for (size_t i = 0; i < ncut; i++)
        free(cut[i]);
    return out;
}

static kw_rc run_emit(void *ctx, const finding *f)
{
    findings_run *r = ctx;
    if (!f->vuln_id || !*f->vuln_id || !f->title || !*f->title)
        return KW_ERR_PARSE;
    const conf_asset *a = findings_asset_of(r->c, r->assets, f);
    char asset[SF_ASSET_MAX];
    findings_asset_key(f, a, asset, sizeof asset);
    kw_buf place;
    kw_buf_init(&place, FINDING_TEXT_MAX);
    findings_place(f, &place);
    pending p = {0};
    p.vuln_id = cut_dup(f->vuln_id, FINDING_ID_MAX);
    char fp[65];
    findings_fingerprint(asset, p.vuln_id, place.data ? place.data : "", fp);
    p.fp = kw_strdup(fp);
    p.asset = kw_strdup(asset);
    p.place = kw_strdup(place.data ? place.data : "");
    kw_buf_free(&place);
    p.scanner = kw_strdup(f->scanner && *f->scanner ? f->scanner : r->scanner);
    p.title = cut_dup(f->title, SF_TITLE_MAX);
    p.category = cut_dup(f->category, 32);
    p.transport = f->port > 0 ? kw_strdup(f->transport && *f->transport ? f->transport : "tcp") : NULL;
    p.port = f->port > 0 && f->port < 65536 ? f->port : 0;
    finding_sev sev;
    char version[8];
    findings_rate(f, &sev, &p.score, version);
    p.sev = sev;
    p.kev = findings_kev_has(r->kev, f->vuln_id);
    p.criticality = a ? a->criticality : KW_SEV_MEDIUM;
    p.exposure = a ? a->exposure : CONF_EXPOSURE_INTERNAL;
    p.risk = findings_risk(p.score, sev, p.criticality, p.exposure, p.kev);
    p.owner = a ? kw_strdup_opt(a->owner) : NULL;
    p.department = a ? kw_strdup_opt(a->department) : NULL;
    p.doc = doc_of(f, sev, p.score, version, r->now_ms);

    pthread_mutex_lock(&r->mu);
    r->counts.reported++;
    uintptr_t at = (uintptr_t)kw_map_get(&r->by_fp, p.fp);
    if (at) { /* the same place twice in one run: the later report stands */
        pending_free(&r->v[at - 1]);
        r->v[at - 1] = p;
        r->counts.merged++;
    } else {
        kw_grow(&r->v, &r->cap, r->n + 1, sizeof *r->v);
        r->v[r->n++] = p;
        kw_map_put(&r->by_fp, p.fp, (void *)(uintptr_t)r->n);
    }
    pthread_mutex_unlock(&r->mu);
    return KW_OK;
}

static kw_rc run_cover(void *ctx, const finding_cover *c)
{
    findings_run *r = ctx;
    finding f = {.host = c->host, .ip = c->ip};
    char asset[SF_ASSET_MAX];
    findings_asset_key(&f, findings_asset_of(r->c, r->assets, &f), asset, sizeof asset);
    pthread_mutex_lock(&r->mu);
    kw_grow(&r->cv, &r->capcv, r->ncv + 1, sizeof *r->cv);
    cover *x = &r->cv[r->ncv++];
    x->scanner = kw_strdup(c->scanner && *c->scanner ? c->scanner : r->scanner);
    x->asset = kw_strdup(asset);
    x->transport = kw_strdup_opt(c->transport);
    x->fingerprint = kw_strdup_opt(c->fingerprint);
    x->lo = c->port_lo > 0 ? c->port_lo : 0;
    x->hi = c->port_hi >= x->lo ? c->port_hi : x->lo;
    pthread_mutex_unlock(&r->mu);
    return KW_OK;
}

findings_run *findings_run_open(kw_store *s, const conf *c, const findings_kev *kev, const char *scanner,
                                const char *source, const char *actor)
{
    findings_run *r = kw_calloc(1, sizeof *r);
    r->s = s;
    r->c = c;
    r->assets = conf_asset_index_new(c);
    r->kev = kev;
    r->scanner = kw_strdup(scanner);
    r->source = kw_strdup_opt(source);
    r->actor = kw_strdup(actor && *actor ? actor : scanner);
    pthread_mutex_init(&r->mu, NULL);
    kw_map_init(&r->by_fp);
    r->now_ms = kw_now_ms();
    return r;
}

finding_sink findings_run_sink(findings_run *r)
{
    return (finding_sink){.emit = run_emit, .cover = run_cover, .ctx = r};
}

void findings_run_abort(findings_run *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        pending_free(&r->v[i]);
    for (size_t i = 0; i < r->ncv; i++) {
        free(r->cv[i].scanner);
        free(r->cv[i].asset);
        free(r->cv[i].transport);
        free(r->cv[i].fingerprint);
    }
    free(r->v);
    free(r->cv);
    kw_map_free(&r->by_fp);
    conf_asset_index_free(r->assets);
    pthread_mutex_destroy(&r->mu);
    free(r->scanner);
    free(r->source);
    free(r->actor);
    free(r);
}

/* ---- writing ---- */

/* The workflow's fields of a stored finding, as a change to start from. */
static store_finding_change change_of(const store_finding *f)
{
    return (store_finding_change){
        .status = f->status, .not_seen = f->not_seen, .owner = f->owner, .department = f->department,
        .due_ms = f->due_ms, .due_manual = f->due_manual, .status_ms = f->status_ms,
        .resolved_ms = f->resolved_ms, .accepted_until_ms = f->accepted_until_ms, .reason = f->reason,
        .by = f->by, .severity = f->severity, .risk = f->risk,
    };
}

/* A change: its history line, and a duty-log entry when the status changes or a person made
 * it (a reassignment, a longer acceptance); what scans only flag is in their run's entry. */
static kw_rc note_change(kw_store *s, const store_finding *f, int64_t now, const char *actor, const char *action,
                         const char *to, const char *note, bool by_person)
{
    kw_rc rc = store_finding_history_add(s, f->id, now, actor, action, f->status, to, note);
    if (rc != KW_OK || (!by_person && strcmp(f->status, to) == 0))
        return rc;
    char text[1024];
    snprintf(text, sizeof text, "finding #%lld %s on %s%s%s: %s: %s -> %s%s%s", (long long)f->id, f->vuln_id, f->asset,
             f->place[0] ? " " : "", f->place, action, f->status, to, note && *note ? ": " : "", note ? note : "");
    return store_duty_append(s, now, "finding", actor, 0, text);
}

static kw_rc put_one(findings_run *r, const pending *p, int64_t run_id)
{
    store_finding_put put = {
        .fingerprint = p->fp, .asset = p->asset, .vuln_id = p->vuln_id, .scanner = p->scanner, .title = p->title,
        .category = p->category, .place = p->place, .severity = p->sev, .score = p->score, .risk = p->risk,
        .kev = p->kev, .transport = p->transport, .port = p->port, .doc = p->doc, .now_ms = r->now_ms,
        .run_id = run_id,
    };
    store_finding *f = kw_malloc(sizeof *f);
    kw_rc rc = store_finding_get(r->s, p->fp, 0, f);
    if (rc == KW_ERR_NOTFOUND) {
        bool owned = p->owner && *p->owner;
        store_finding_change ch = {
            .status = finding_status_name(owned ? FST_ASSIGNED : FST_OPEN), .owner = p->owner,
            .department = p->department, .due_ms = findings_due(r->c, (finding_sev)p->sev, r->now_ms),
            .status_ms = r->now_ms,
        };
        int64_t id;
        rc = store_finding_insert(r->s, &put, &ch, &id);
        if (rc == KW_OK)
            rc = store_finding_history_add(r->s, id, r->now_ms, r->actor, "found", NULL, ch.status, r->source);
        r->counts.added += rc == KW_OK;
    } else if (rc == KW_OK) {
        finding_status from = FST_OPEN, to;
        finding_status_parse(f->status, &from);
        bool not_seen;
        to = finding_after_scan(from, FSEEN_AGAIN, &not_seen);
        store_finding_change ch = change_of(f);
        ch.status = finding_status_name(to);
        ch.not_seen = not_seen;
        if (!ch.due_manual) /* the severity may have changed: the deadline follows it */
            ch.due_ms = findings_due(r->c, (finding_sev)p->sev, f->first_ms);
        if (!ch.owner[0] && p->owner) { /* the asset got an owner since */
            ch.owner = p->owner;
            ch.department = p->department;
        }
        if (to != from) {
            ch.status_ms = r->now_ms;
            ch.resolved_ms = 0;
            rc = note_change(r->s, f, r->now_ms, r->actor, "seen again", ch.status, r->source, false);
            r->counts.reopened++;
        }
        if (rc == KW_OK)
            rc = store_finding_report(r->s, f->id, &put, &ch);
        r->counts.updated++;
    }
    free(f);
    return rc;
}

typedef struct unseen_list {
    store_finding *v;
    size_t n, cap;
} unseen_list;

static void unseen_add(void *arg, const store_finding *f)
{
    unseen_list *l = arg;
    kw_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = *f;
}

/* What the run covered and no longer saw. */
static kw_rc cover_one(findings_run *r, const cover *c, int64_t run_id)
{
    unseen_list l = {0};
    kw_rc rc = store_findings_unseen_each(r->s, c->scanner, c->asset, c->transport, c->lo, c->hi, run_id, unseen_add, &l);
    for (size_t i = 0; rc == KW_OK && i < l.n; i++) {
        store_finding *f = &l.v[i];
        if (c->fingerprint && strcmp(c->fingerprint, f->fingerprint) != 0)
            continue;
        finding_status from = FST_OPEN;
        finding_status_parse(f->status, &from);
        bool not_seen;
        finding_status to = finding_after_scan(from, FSEEN_MISSING, &not_seen);
        store_finding_change ch = change_of(f);
        ch.status = finding_status_name(to);
        ch.not_seen = not_seen;
        if (to != from) {
            ch.status_ms = r->now_ms;
            r->counts.verified++;
        } else {
            r->counts.not_seen += not_seen && !f->not_seen;
        }
        rc = note_change(r->s, f, r->now_ms, r->actor, to != from ? "verified by a scan" : "not seen by a scan",
                         ch.status, r->source, false);
        if (rc == KW_OK)
            rc = store_finding_set(r->s, f->id, &ch);
    }
    free(l.v);
    return rc;
}

static void counts_json(const findings_counts *k, kw_buf *out)
{
    kw_buf_printf(out,
                  "{\"reported\":%zu,\"added\":%zu,\"updated\":%zu,\"reopened\":%zu,\"verified\":%zu,"
                  "\"not_seen\":%zu,\"merged\":%zu}",
                  k->reported, k->added, k->updated, k->reopened, k->verified, k->not_seen, k->merged);
}

static kw_rc run_write(findings_run *r)
{
    int64_t run_id = 0;
    kw_rc rc = store_findings_run_begin(r->s, r->scanner, r->source, r->now_ms, &run_id);
    for (size_t i = 0; rc == KW_OK && i < r->n; i++)
        rc = put_one(r, &r->v[i], run_id);
    for (size_t i = 0; rc == KW_OK && i < r->ncv; i++)
        rc = cover_one(r, &r->cv[i], run_id);
    kw_buf b;
    kw_buf_init(&b, 1024);
    counts_json(&r->counts, &b);
    if (rc == KW_OK)
        rc = store_findings_run_end(r->s, run_id, kw_now_ms(), b.data);
    if (rc == KW_OK) {
        const findings_counts *k = &r->counts;
        char text[1024];
        snprintf(text, sizeof text,
                 "findings from %s%s%s: %zu reported, %zu new, %zu seen again (%zu reopened), %zu verified, %zu not seen",
                 r->scanner, r->source ? " " : "", r->source ? r->source : "", k->reported, k->added, k->updated,
                 k->reopened, k->verified, k->not_seen);
        rc = store_duty_append(r->s, r->now_ms, "findings.run", r->actor, 0, text);
    }
    kw_buf_free(&b);
    return rc;
}

kw_rc findings_run_close(findings_run *r, findings_counts *counts, char *err, size_t errn)
{
    kw_rc rc = store_begin(r->s);
    if (rc == KW_OK)
        rc = run_write(r);
    if (rc == KW_OK)
        rc = store_commit(r->s);
    else
        snprintf(err, errn, "%s", store_errmsg(r->s));
    if (rc != KW_OK)
        store_rollback(r->s);
    if (counts)
        *counts = r->counts;
    findings_run_abort(r);
    return rc;
}

/* ---- people's moves ---- */

/* The first department of person `name` in the configuration (NULL when none). */
static const char *person_department(const conf *c, const char *name)
{
    for (size_t i = 0; c && name && i < c->people.n; i++) {
        const conf_person *p = CONF_AT(c->people, conf_person, i);
        if (p->name && strcmp(p->name, name) == 0 && p->departments.n)
            return p->departments.v[0];
    }
    return NULL;
}

/* The change move a makes to f (checked), and the note it leaves. */
static kw_rc ask_change(const conf *c, const store_finding *f, const findings_ask *a, int64_t now,
                        store_finding_change *ch, char *err, size_t errn)
{
    finding_status from = FST_OPEN, to;
    finding_status_parse(f->status, &from);
    const char *why = NULL;
    if (!finding_move_to(from, a->move, &to, &why)) {
        snprintf(err, errn, "finding #%lld is %s: %s", (long long)f->id, f->status, why);
        return KW_ERR_RANGE;
    }
    bool need_reason = a->move == FMOVE_ACCEPT || a->move == FMOVE_FALSE;
    if (need_reason && (!a->reason || !*a->reason)) {
        snprintf(err, errn, "%s needs a reason", finding_move_name(a->move));
        return KW_ERR_RANGE;
    }
    if (a->move == FMOVE_ACCEPT && a->until_ms <= now) {
        snprintf(err, errn, "accept needs an end in the future (--until)");
        return KW_ERR_RANGE;
    }
    if (a->move == FMOVE_ASSIGN && (!a->owner || !*a->owner)) {
        snprintf(err, errn, "assign needs an owner");
        return KW_ERR_RANGE;
    }
    *ch = change_of(f);
    ch->status = finding_status_name(to);
    ch->status_ms = now;
    if (a->move == FMOVE_ASSIGN) {
        ch->owner = a->owner;
        const char *dept = a->department && *a->department ? a->department : person_department(c, a->owner);
        if (dept)
            ch->department = dept;
        if (a->due_ms > 0) {
            ch->due_ms = a->due_ms;
            ch->due_manual = true;
        }
    }
    if (need_reason) {
        ch->reason = a->reason;
        ch->by = a->by;
    }
    ch->accepted_until_ms = a->move == FMOVE_ACCEPT ? a->until_ms : 0;
    if (finding_status_active(to)) {
        ch->resolved_ms = 0;
        ch->not_seen = false;
    } else if (finding_status_active(from)) {
        ch->resolved_ms = now;
    }
    return KW_OK;
}

kw_rc findings_apply(kw_store *s, const conf *c, int64_t id, const findings_ask *a, int64_t now_ms, char *err,
                     size_t errn)
{
    store_finding *f = kw_malloc(sizeof *f);
    kw_rc rc = store_begin(s);
    if (rc == KW_OK)
        rc = store_finding_get(s, NULL, id, f);
    if (rc == KW_ERR_NOTFOUND)
        snprintf(err, errn, "no finding #%lld", (long long)id);
    store_finding_change ch;
    if (rc == KW_OK)
        rc = ask_change(c, f, a, now_ms, &ch, err, errn);
    char note[SF_TITLE_MAX + SF_NAME_MAX * 2 + 32];
    if (rc == KW_OK) {
        bool dept = ch.department && *ch.department;
        if (a->move == FMOVE_ASSIGN)
            snprintf(note, sizeof note, "to %s%s%s%s%s%s", ch.owner, dept ? " (" : "", dept ? ch.department : "",
                     dept ? ")" : "", a->reason && *a->reason ? ": " : "", a->reason ? a->reason : "");
        else
            snprintf(note, sizeof note, "%s", a->reason ? a->reason : "");
        rc = note_change(s, f, now_ms, a->by, finding_move_name(a->move), ch.status, note, true);
    }
    if (rc == KW_OK)
        rc = store_finding_set(s, id, &ch);
    if (rc == KW_OK)
        rc = store_commit(s);
    if (rc != KW_OK) {
        if (rc == KW_ERR_STORE)
            snprintf(err, errn, "%s", store_errmsg(s));
        store_rollback(s);
    }
    free(f);
    return rc;
}

kw_rc findings_expire_acceptances(kw_store *s, int64_t now_ms, int64_t *n)
{
    *n = 0;
    unseen_list l = {0};
    store_findings_query q = {.status = "accepted", .limit = -1};
    bool own; /* the daemon's sweep runs inside the core's group transaction */
    kw_rc rc = store_begin_nested(s, &own);
    if (rc == KW_OK)
        rc = store_findings_each(s, &q, unseen_add, &l);
    for (size_t i = 0; rc == KW_OK && i < l.n; i++) {
        store_finding *f = &l.v[i];
        if (!f->accepted_until_ms || f->accepted_until_ms > now_ms)
            continue;
        store_finding_change ch = change_of(f);
        ch.status = finding_status_name(FST_REOPENED);
        ch.status_ms = now_ms;
        ch.resolved_ms = 0;
        ch.accepted_until_ms = 0;
        rc = note_change(s, f, now_ms, "keepwatch", "acceptance ended", ch.status, f->reason, false);
        if (rc == KW_OK)
            rc = store_finding_set(s, f->id, &ch);
        ++*n;
    }
    free(l.v);
    kw_rc end = store_end_nested(s, own, rc == KW_OK);
    return rc == KW_OK ? end : rc;
}

kw_rc findings_kev_from_conf(const conf *c, findings_kev **out, char *err, size_t errn)
{
    *out = NULL;
    for (size_t i = 0; i < c->findings.exploited.n; i++)
        findings_kev_add(out, c->findings.exploited.v[i]);
    if (!c->findings.kev_file || !*c->findings.kev_file)
        return KW_OK;
    kw_buf b;
    kw_rc rc = kw_file_read(c->findings.kev_file, 256u << 20, &b);
    if (rc != KW_OK)
        snprintf(err, errn, "findings.kev_file %s: %s", c->findings.kev_file,
                 rc == KW_ERR_FULL ? "larger than 256 MiB" : "cannot be read");
    else if ((rc = findings_kev_load(out, b.data ? b.data : "", b.len, err, errn)) != KW_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errn, "findings.kev_file %s: %s", c->findings.kev_file, why);
    }
    kw_buf_free(&b);
    return rc;
}

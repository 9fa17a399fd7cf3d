/* The Debian security tracker's JSON export (scan_vuln.h), read as a stream.
 *
 * Why yajl: the export is 60-80 MB. jansson only builds a whole document (json_load_callback
 * reads in pieces but still makes the tree, ~10x the text in memory), and `vuln update` should
 * not need half a gigabyte. yajl (Debian's libyajl-dev) calls back per token with constant
 * memory, so this file keeps one CVE (its description and its releases) at a time. */
#include "scan/scan_vuln.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "core/kw_mem.h"

#define TR_RELEASES 16

typedef struct tr_release {
    char name[64], status[32], fixed[SCAN_VULN_STR_MAX], urgency[32];
    bool too_long;
} tr_release;

struct scan_vuln_tracker {
    yajl_handle h;
    scan_vuln_rec_fn fn;
    void *ctx;
    kw_rc rc;                /* the callback's error, which stopped the parse */
    int depth;               /* maps open; 1 inside the top object */
    int arrays;              /* arrays open (their contents are not the tracker's shape) */
    bool started;
    char pkg[SCAN_VULN_STR_MAX], cve[SCAN_VULN_STR_MAX], key3[32], key5[32], rel[64];
    bool pkg_long, cve_long; /* the package or CVE key was too long: the entry is skipped */
    char desc[SCAN_VULN_DESC_MAX];
    tr_release rels[TR_RELEASES];
    int n_rels;
    scan_vuln_stats st;
};

/* Copies a token into a bounded field; false when it does not fit (then it is left empty). */
static bool tr_set(char *dst, size_t dn, const unsigned char *s, size_t n)
{
    if (n >= dn) {
        dst[0] = '\0';
        return false;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

static void tr_skip(scan_vuln_tracker *t, const char *why)
{
    if (t->st.skipped++ == 0)
        snprintf(t->st.first_error, sizeof t->st.first_error, "%.60s %.60s: %s", t->pkg, t->cve, why);
}

/* The severity and flags an urgency word gives ("low**": the asterisks mark a guess). */
static finding_sev tr_urgency(const char *u, unsigned *flags)
{
    char w[32];
    size_t n = strcspn(u, "*");
    snprintf(w, sizeof w, "%.*s", (int)(n < sizeof w ? n : sizeof w - 1), u);
    if (strcmp(w, "unimportant") == 0) {
        *flags |= SCAN_VF_UNIMPORTANT;
        return FINDING_INFO;
    }
    if (strcmp(w, "end-of-life") == 0) {
        *flags |= SCAN_VF_EOL;
        return FINDING_LOW;
    }
    finding_sev s;
    return finding_sev_parse(w, &s) ? s : FINDING_MEDIUM;
}

static void tr_emit_release(scan_vuln_tracker *t, const tr_release *r)
{
    char eco[80];
    if (r->too_long || !r->name[0]) {
        tr_skip(t, "a release field is too long");
        return;
    }
    bool resolved = strcmp(r->status, "resolved") == 0;
    if (resolved && (!r->fixed[0] || strcmp(r->fixed, "0") == 0))
        return;  /* never affected in this release */
    snprintf(eco, sizeof eco, "debian/%s", r->name);
    scan_vuln_rec rec = {.eco = eco, .pkg = t->pkg, .id = t->cve, .desc = t->desc[0] ? t->desc : NULL,
                         .score = -1, .status = resolved ? SCAN_VS_FIXED : SCAN_VS_OPEN};
    rec.fixed = resolved ? r->fixed : NULL;
    rec.sev = tr_urgency(r->urgency, &rec.flags);
    if (t->rc == KW_OK)
        t->rc = t->fn(t->ctx, &rec);
    if (t->rc == KW_OK)
        t->st.records++;
}

static void tr_cve_end(scan_vuln_tracker *t)
{
    if (t->pkg_long || t->cve_long)
        tr_skip(t, "package or id too long");
    else
        for (int i = 0; i < t->n_rels && t->rc == KW_OK; i++)
            tr_emit_release(t, &t->rels[i]);
    t->st.vulns++;
    t->n_rels = 0;
    t->desc[0] = '\0';
}

static int tr_string(void *ctx, const unsigned char *s, size_t n)
{
    scan_vuln_tracker *t = ctx;
    if (t->arrays)
        return 1;
    if (t->depth == 3 && strcmp(t->key3, "description") == 0) {
        size_t k = n < sizeof t->desc ? n : sizeof t->desc - 1;
        memcpy(t->desc, s, k);
        t->desc[k] = '\0';
    } else if (t->depth == 5 && strcmp(t->key3, "releases") == 0 && t->n_rels > 0) {
        tr_release *r = &t->rels[t->n_rels - 1];
        bool ok = true;
        if (strcmp(t->key5, "status") == 0)
            ok = tr_set(r->status, sizeof r->status, s, n);
        else if (strcmp(t->key5, "fixed_version") == 0)
            ok = tr_set(r->fixed, sizeof r->fixed, s, n);
        else if (strcmp(t->key5, "urgency") == 0)
            ok = tr_set(r->urgency, sizeof r->urgency, s, n);
        r->too_long |= !ok;
    }
    return t->rc == KW_OK;
}

static int tr_key(void *ctx, const unsigned char *s, size_t n)
{
    scan_vuln_tracker *t = ctx;
    if (t->arrays)
        return 1;
    switch (t->depth) {
    case 1: t->pkg_long = !tr_set(t->pkg, sizeof t->pkg, s, n); t->st.packages++; break;
    case 2: t->cve_long = !tr_set(t->cve, sizeof t->cve, s, n); break;
    case 3: tr_set(t->key3, sizeof t->key3, s, n); break;
    case 4: if (!tr_set(t->rel, sizeof t->rel, s, n)) t->rel[0] = '\0'; break;
    case 5: tr_set(t->key5, sizeof t->key5, s, n); break;
    default: break;
    }
    return 1;
}

static int tr_start_map(void *ctx)
{
    scan_vuln_tracker *t = ctx;
    t->started = true;
    if (t->arrays)
        return 1;
    t->depth++;
    if (t->depth == 3) {
        t->n_rels = 0;
        t->desc[0] = '\0';
        t->key3[0] = '\0';
    } else if (t->depth == 5 && strcmp(t->key3, "releases") == 0) {
        if (t->n_rels < TR_RELEASES) {
            tr_release *r = &t->rels[t->n_rels++];
            memset(r, 0, sizeof *r);
            snprintf(r->name, sizeof r->name, "%s", t->rel);
        } else {
            tr_skip(t, "more releases than kept");
        }
    }
    return 1;
}

static int tr_end_map(void *ctx)
{
    scan_vuln_tracker *t = ctx;
    if (t->arrays)
        return 1;
    if (t->depth == 3)
        tr_cve_end(t);
    t->depth--;
    return t->rc == KW_OK;
}

static int tr_start_array(void *ctx)
{
    scan_vuln_tracker *t = ctx;
    if (!t->started)
        return 0;  /* the top must be an object */
    t->arrays++;
    return 1;
}

static int tr_end_array(void *ctx)
{
    scan_vuln_tracker *t = ctx;
    t->arrays--;
    return 1;
}

static int tr_scalar(scan_vuln_tracker *t) { return t->started; }
static int tr_null(void *ctx) { return tr_scalar(ctx); }
static int tr_bool(void *ctx, int v) { (void)v; return tr_scalar(ctx); }
static int tr_number(void *ctx, const char *s, size_t n) { (void)s; (void)n; return tr_scalar(ctx); }

static const yajl_callbacks tr_callbacks = {
    .yajl_null = tr_null, .yajl_boolean = tr_bool, .yajl_number = tr_number, .yajl_string = tr_string,
    .yajl_start_map = tr_start_map, .yajl_map_key = tr_key, .yajl_end_map = tr_end_map,
    .yajl_start_array = tr_start_array, .yajl_end_array = tr_end_array,
};

scan_vuln_tracker *scan_vuln_tracker_new(scan_vuln_rec_fn fn, void *ctx)
{
    scan_vuln_tracker *t = kw_calloc(1, sizeof *t);
    t->fn = fn;
    t->ctx = ctx;
    t->h = yajl_alloc(&tr_callbacks, NULL, t);
    if (!t->h) {
        free(t);
        return NULL;
    }
    return t;
}

static kw_rc tr_status(scan_vuln_tracker *t, yajl_status s, const char *p, size_t n, char *err, size_t errn)
{
    if (s == yajl_status_ok)
        return KW_OK;
    if (t->rc != KW_OK)
        return t->rc;
    if (err && errn) {
        unsigned char *m = yajl_get_error(t->h, 0, (const unsigned char *)p, n);
        snprintf(err, errn, "%s%s", t->started ? "" : "not a JSON object: ",
                 m ? (const char *)m : "parse error");
        if (m)
            yajl_free_error(t->h, m);
        size_t k = strcspn(err, "\n");
        err[k] = '\0';
    }
    return KW_ERR_PARSE;
}

kw_rc scan_vuln_tracker_feed(scan_vuln_tracker *t, const char *p, size_t n, char *err, size_t errn)
{
    return tr_status(t, yajl_parse(t->h, (const unsigned char *)p, n), p, n, err, errn);
}

kw_rc scan_vuln_tracker_finish(scan_vuln_tracker *t, char *err, size_t errn)
{
    kw_rc rc = tr_status(t, yajl_complete_parse(t->h), NULL, 0, err, errn);
    if (rc == KW_OK && !t->started) {
        snprintf(err, errn, "empty input");
        return KW_ERR_PARSE;
    }
    return rc;
}

const scan_vuln_stats *scan_vuln_tracker_stats(const scan_vuln_tracker *t) { return &t->st; }

void scan_vuln_tracker_free(scan_vuln_tracker *t)
{
    if (!t)
        return;
    yajl_free(t->h);
    free(t);
}

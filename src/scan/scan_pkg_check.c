/* Installed packages against the vulnerability index (scan_vuln.h): scan_pkg_check, which
 * reports what a host's packages are not fixed in, and scan_vuln_match_product, which does the
 * same for a product and version a network banner named. No I/O: findings go to the sink.
 *
 * Severity, as debsecan reads the tracker: the tracker's urgency (high, medium, low; "not yet
 * assigned" counts as medium, "end-of-life" as low). A vulnerability without a fixed version in
 * the release is reported too (debsecan lists them; a person must know the exposure) but one
 * step lower, since there is nothing to install yet; "unimportant" ones (no security impact in
 * Debian's judgement) only on request (opts->unimportant), as info. */
#include "scan/scan_vuln.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kw_map.h"
#include "core/kw_mem.h"

#define PKG_SCANNER "keepwatch-packages"

/* True when the space-separated list holds v exactly. */
static bool pkg_in_list(const char *list, const char *v)
{
    size_t vn = strlen(v);
    for (const char *p = list; p && *p;) {
        size_t k = strcspn(p, " ");
        if (k == vn && memcmp(p, v, vn) == 0)
            return true;
        p += k;
        p += strspn(p, " ");
    }
    return false;
}

bool scan_vuln_affects(const scan_vuln_rec *r, scan_vkind kind, const char *v)
{
    size_t vn = strlen(v);
    if (r->status == SCAN_VS_LISTED)
        return pkg_in_list(r->list, v);
    if (r->list && pkg_in_list(r->list, v))
        return false;
    if (r->introduced && scan_version_cmp(kind, v, vn, r->introduced, strlen(r->introduced)) < 0)
        return false;
    if (r->status == SCAN_VS_OPEN || !r->fixed)
        return true;
    int c = scan_version_cmp(kind, v, vn, r->fixed, strlen(r->fixed));
    return r->status == SCAN_VS_LAST ? c <= 0 : c < 0;
}

static void pkg_reference(const scan_vuln_rec *r, char *out, size_t n)
{
    if (strncmp(r->eco, "debian/", 7) == 0)
        snprintf(out, n, "https://security-tracker.debian.org/tracker/%s", r->id);
    else if (strncmp(r->eco, "Ubuntu:", 7) == 0 && strncmp(r->id, "CVE-", 4) == 0)
        snprintf(out, n, "https://ubuntu.com/security/%s https://osv.dev/vulnerability/%s", r->id, r->id);
    else
        snprintf(out, n, "https://osv.dev/vulnerability/%s", r->id);
}

static finding_sev pkg_severity(const scan_vuln_rec *r, bool fixed)
{
    finding_sev s = r->sev;
    if (!fixed && s > FINDING_INFO)
        s = (finding_sev)(s - 1);
    return s;
}

/* One source package of the host: its lowest installed source version and its binaries. */
typedef struct pkg_group {
    const char *source, *version;
    const scan_pkg **bins;
    size_t n_bins;
} pkg_group;

static void pkg_solution(const pkg_group *g, scan_vkind kind, bool fixed, kw_buf *b)
{
    static const char *const cmd[] = {"apt-get install --only-upgrade", "dnf upgrade", "apk upgrade"};
    if (!fixed) {
        kw_buf_printf(b, "no fixed version yet in this release: watch the reference, mitigate or remove %s",
                      g->source);
        return;
    }
    kw_buf_puts(b, cmd[(unsigned)kind < 3 ? kind : 0]);
    for (size_t i = 0; i < g->n_bins && i < 32; i++)
        kw_buf_printf(b, " %s", g->bins[i]->name);
}

typedef struct pkg_ctx {
    const scan_vuln_db *db;
    const scan_pkg_list *list;
    const scan_pkg_opts *opts;
    const finding_sink *sink;
    scan_pkg_result *res;
    kw_map present;    /* ids of the current source, -> 1 + the index of the first ecosystem that has them */
    kw_map reported;   /* ids of the current source reported */
    size_t eco;        /* the ecosystem being looked in */
} pkg_ctx;

static kw_rc pkg_emit(pkg_ctx *c, const pkg_group *g, const scan_vuln_rec *r)
{
    bool fixed = r->status == SCAN_VS_FIXED && r->fixed;
    char title[512], ref[512];
    snprintf(title, sizeof title, "%s %s: %s%s", g->source, g->version, r->id, fixed ? "" : " (no fix yet)");
    pkg_reference(r, ref, sizeof ref);
    kw_buf sol, ev;
    kw_buf_init(&sol, 8192);
    kw_buf_init(&ev, 8192);
    pkg_solution(g, c->list->kind, fixed, &sol);
    kw_buf_printf(&ev, "installed (%s):", r->eco);
    for (size_t i = 0; i < g->n_bins && i < 32; i++)
        kw_buf_printf(&ev, " %s %s", g->bins[i]->name, g->bins[i]->version);
    if (r->flags & SCAN_VF_EOL)
        kw_buf_puts(&ev, "; the package is out of security support in this release");
    finding f = {.vuln_id = r->id, .category = "outdated_software", .title = title, .description = r->desc,
                 .solution = sol.data, .reference = ref, .scanner = PKG_SCANNER,
                 .severity = pkg_severity(r, fixed), .score = r->score, .vector = r->vector,
                 .host = c->opts->host, .ip = c->opts->ip, .package = g->source, .installed = g->version,
                 .fixed = fixed ? r->fixed : NULL, .evidence = ev.data, .seen_ms = c->opts->seen_ms};
    kw_rc rc = finding_emit(c->sink, &f);
    kw_buf_free(&sol);
    kw_buf_free(&ev);
    c->res->findings++;
    c->res->no_fix += !fixed;
    return rc;
}

/* The records of (eco, name): an id is decided by the first ecosystem that has it (an
 * earlier one that says "fixed" is not overruled by a later one), and reported once, from its
 * first record that affects the version. */
static kw_rc pkg_lookup(pkg_ctx *c, const pkg_group *g, const char *eco, const char *name, const char *version,
                        bool binary)
{
    uint32_t first, n = scan_vuln_db_find(c->db, eco, name, &first);
    kw_rc rc = KW_OK;
    void *mark = (void *)(uintptr_t)(c->eco + 1);
    for (uint32_t i = first; i < first + n && rc == KW_OK; i++) {
        scan_vuln_rec r;
        scan_vuln_db_get(c->db, i, &r);
        if (binary != ((r.flags & SCAN_VF_BINARY) != 0))
            continue;
        void *had = kw_map_get(&c->present, r.id);
        if (had && had != mark)
            continue;
        if (!had)
            kw_map_put(&c->present, r.id, mark);
        if (kw_map_get(&c->reported, r.id) || ((r.flags & SCAN_VF_UNIMPORTANT) && !c->opts->unimportant))
            continue;
        if (!scan_vuln_affects(&r, c->list->kind, version))
            continue;
        kw_map_put(&c->reported, r.id, (void *)1);
        rc = pkg_emit(c, g, &r);
    }
    return rc;
}

static kw_rc pkg_group_check(pkg_ctx *c, const pkg_group *g)
{
    kw_rc rc = KW_OK;
    for (c->eco = 0; c->eco < c->opts->n_ecos && rc == KW_OK; c->eco++) {
        const char *eco = c->opts->ecos[c->eco];
        rc = pkg_lookup(c, g, eco, g->source, g->version, false);
        for (size_t b = 0; b < g->n_bins && rc == KW_OK; b++)
            rc = pkg_lookup(c, g, eco, g->bins[b]->name, g->bins[b]->version, true);
    }
    kw_map_free(&c->present);
    kw_map_free(&c->reported);
    kw_map_init(&c->present);
    kw_map_init(&c->reported);
    return rc;
}

static scan_vkind pkg_sort_kind;

static int pkg_by_source(const void *x, const void *y)
{
    const scan_pkg *a = *(const scan_pkg *const *)x, *b = *(const scan_pkg *const *)y;
    int c = strcmp(a->source, b->source);
    if (c)
        return c;
    c = scan_version_cmp(pkg_sort_kind, a->source_version, strlen(a->source_version), b->source_version,
                         strlen(b->source_version));
    return c ? c : strcmp(a->name, b->name);
}

kw_rc scan_pkg_check(const scan_vuln_db *db, const scan_pkg_list *list, const scan_pkg_opts *opts,
                     const finding_sink *sink, scan_pkg_result *res)
{
    memset(res, 0, sizeof *res);
    res->packages = list->n;
    const scan_pkg **order = kw_calloc(list->n ? list->n : 1, sizeof *order);
    for (size_t i = 0; i < list->n; i++)
        order[i] = &list->v[i];
    pkg_sort_kind = list->kind;
    qsort(order, list->n, sizeof *order, pkg_by_source);
    pkg_ctx c = {.db = db, .list = list, .opts = opts, .sink = sink, .res = res};
    kw_map_init(&c.present);
    kw_map_init(&c.reported);
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < list->n && rc == KW_OK;) {
        size_t j = i + 1;
        while (j < list->n && strcmp(order[j]->source, order[i]->source) == 0)
            j++;
        pkg_group g = {order[i]->source, order[i]->source_version, order + i, j - i};
        res->sources++;
        rc = pkg_group_check(&c, &g);
        i = j;
    }
    kw_map_free(&c.present);
    kw_map_free(&c.reported);
    free(order);
    if (rc == KW_OK) {
        finding_cover cov = {.scanner = PKG_SCANNER, .host = opts->host, .ip = opts->ip};
        rc = finding_covered(sink, &cov);
    }
    return rc;
}

/* ---- products a banner names ---------------------------------------------------------- */

static const struct {
    const char *product;
    const char *sources[4];
} pkg_products[] = {
    {"OpenSSH", {"openssh"}},          {"nginx", {"nginx"}},
    {"Redis", {"redis"}},              {"Apache", {"apache2", "httpd"}},
    {"Apache httpd", {"apache2", "httpd"}}, {"MariaDB", {"mariadb", "mariadb-10.5"}},
    {"MySQL", {"mysql-8.0", "mysql-defaults", "mariadb"}}, {"PostgreSQL", {"postgresql-15", "postgresql-13", "postgresql"}},
    {"vsftpd", {"vsftpd"}},            {"ProFTPD", {"proftpd-dfsg", "proftpd"}},
    {"Exim", {"exim4", "exim"}},       {"Postfix", {"postfix"}},
    {"Dovecot", {"dovecot"}},          {"OpenSSL", {"openssl"}},
    {"Samba", {"samba"}},              {"BIND", {"bind9", "bind"}},
    {"lighttpd", {"lighttpd"}},        {"Memcached", {"memcached"}},
    {"Squid", {"squid"}},              {"Tomcat", {"tomcat10", "tomcat9"}},
    {"MongoDB", {"mongodb"}},          {"OpenLDAP", {"openldap"}},
    {"Elasticsearch", {"elasticsearch"}}, {"HAProxy", {"haproxy"}},
};

/* The upstream part of a version: without the epoch and, when strip_rev, the revision. */
static void pkg_upstream(const char *v, bool strip_rev, char *out, size_t n)
{
    const char *colon = strchr(v, ':');
    snprintf(out, n, "%s", colon ? colon + 1 : v);
    char *dash = strip_rev ? strrchr(out, '-') : NULL;
    if (dash)
        *dash = '\0';
}

typedef struct prod_ctx {
    const finding *tmpl;
    const finding_sink *sink;
    size_t *found;
    const char *product;
    kw_map seen;
} prod_ctx;

static kw_rc prod_emit(prod_ctx *p, const scan_vuln_rec *r, const char *version)
{
    char title[512], ref[512], sol[256];
    snprintf(title, sizeof title, "%s %s: %s", p->product, version, r->id);
    snprintf(sol, sizeof sol, "upgrade %s to %s or later (the distribution's package %s)", p->product, r->fixed, r->pkg);
    pkg_reference(r, ref, sizeof ref);
    finding f = *p->tmpl;
    f.vuln_id = r->id;
    f.category = "outdated_software";
    f.title = title;
    f.description = r->desc;
    f.solution = sol;
    f.reference = ref;
    f.severity = r->sev;
    f.score = r->score;
    f.vector = r->vector;
    f.version_based = true;
    f.package = r->pkg;
    f.installed = version;
    f.fixed = r->fixed;
    (*p->found)++;
    return finding_emit(p->sink, &f);
}

static kw_rc prod_source(prod_ctx *p, const scan_vuln_db *db, const char *eco, const char *src, const char *version,
                         const char *revision)
{
    scan_vkind kind = scan_vuln_eco_kind(eco);
    uint32_t first, n = scan_vuln_db_find(db, eco, src, &first);
    kw_rc rc = KW_OK;
    for (uint32_t i = first; i < first + n && rc == KW_OK; i++) {
        scan_vuln_rec r;
        scan_vuln_db_get(db, i, &r);
        if (r.status != SCAN_VS_FIXED || !r.fixed || (r.flags & (SCAN_VF_UNIMPORTANT | SCAN_VF_BINARY)) ||
            kw_map_get(&p->seen, r.id))
            continue;
        /* with a revision: the whole version, the fixed one's epoch assumed; else upstream only */
        char mine[SCAN_VERSION_LEN_MAX + 2], theirs[SCAN_VULN_STR_MAX];
        bool whole = revision && *revision;
        pkg_upstream(r.fixed, !whole, theirs, sizeof theirs);
        if (whole)
            snprintf(mine, sizeof mine, "%s-%s", version, revision);
        else
            snprintf(mine, sizeof mine, "%s", version);
        if (scan_version_cmp(kind, mine, strlen(mine), theirs, strlen(theirs)) >= 0)
            continue;
        kw_map_put(&p->seen, r.id, (void *)1);
        rc = prod_emit(p, &r, mine);
    }
    return rc;
}

kw_rc scan_vuln_match_product(const scan_vuln_db *db, const scan_pkg_opts *opts, const char *product,
                              const char *version, const char *revision, const finding *tmpl,
                              const finding_sink *sink, size_t *found)
{
    *found = 0;
    if (!product || !version || !*version || strlen(version) > SCAN_VERSION_LEN_MAX ||
        (revision && strlen(revision) > SCAN_VERSION_LEN_MAX))
        return KW_ERR_PARSE;
    for (size_t t = 0; t < sizeof pkg_products / sizeof pkg_products[0]; t++) {
        if (strcasecmp(product, pkg_products[t].product) != 0)
            continue;
        prod_ctx p = {tmpl, sink, found, pkg_products[t].product, {0}};
        kw_map_init(&p.seen);
        kw_rc rc = KW_OK;
        for (size_t e = 0; e < opts->n_ecos && rc == KW_OK; e++)
            for (int s = 0; s < 4 && pkg_products[t].sources[s] && rc == KW_OK; s++)
                rc = prod_source(&p, db, opts->ecos[e], pkg_products[t].sources[s], version, revision);
        kw_map_free(&p.seen);
        return rc;
    }
    return KW_ERR_NOTFOUND;
}

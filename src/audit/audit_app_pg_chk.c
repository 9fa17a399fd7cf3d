/* The PostgreSQL checks over postgresql.conf (with includes) and pg_hba.conf: listening
 * addresses, trust / md5 / password methods and open-to-all records, TLS with host records,
 * max_connections (recorded for the pool check), connection logging, password hashing and
 * the superuser reserve. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

/* The fields of a pg_hba record (type = k->key): db, user, addr (NULL for local), method. */
typedef struct hba_rec { char f[6][128]; int n; const char *addr, *method; bool local; } hba_rec;

static void hba_split(const app_kv *k, hba_rec *h)
{
    memset(h, 0, sizeof *h);
    for (const char *p = k->val; *p && h->n < 6;) {
        size_t l = strcspn(p, " ");
        snprintf(h->f[h->n++], sizeof h->f[0], "%.*s", (int)(l < 127 ? l : 127), p);
        p += l;
        p += strspn(p, " ");
    }
    h->local = !strcmp(k->key, "local");
    int mi = h->local ? 2 : 3;
    if (!h->local) {
        h->addr = h->f[2];
        if (!strchr(h->f[2], '/') && h->n > 4 && strchr(h->f[3], '.') && strspn(h->f[3], "0123456789.") == strlen(h->f[3]))
            mi = 4; /* address and mask */
    }
    h->method = mi < h->n ? h->f[mi] : "";
}

static bool hba_any(const hba_rec *h)
{
    return h->addr && (!strcmp(h->addr, "0.0.0.0/0") || !strcmp(h->addr, "::/0") || !strcmp(h->addr, "all") ||
                       (!strcmp(h->addr, "0.0.0.0") && !strcmp(h->f[3], "0.0.0.0")));
}

static void hba_one(app_run *r, const app_kv *k, size_t *bad)
{
    hba_rec h;
    hba_split(k, &h);
    char found[300];
    snprintf(found, sizeof found, "%s %s", k->key, k->val);
    if (!strcasecmp(h.method, "trust")) {
        r->sev_set = true;
        r->sev = h.local ? FINDING_HIGH : FINDING_CRITICAL;
        app_emit(r, "KW-PG-HBA-TRUST", AUDIT_FAIL, k, NULL, found, NULL, found);
        bad[0]++;
    } else if (!strcasecmp(h.method, "md5")) {
        app_emit(r, "KW-PG-HBA-MD5", AUDIT_FAIL, k, NULL, found, NULL, found);
        bad[1]++;
    } else if (!strcasecmp(h.method, "password")) {
        app_emit(r, "KW-PG-HBA-PASSWORD", AUDIT_FAIL, k, NULL, found, NULL, found);
        bad[2]++;
    }
    if (hba_any(&h) && strcasecmp(h.method, "reject") != 0) {
        app_emit(r, "KW-PG-HBA-ANY", AUDIT_FAIL, k, NULL, found, NULL, found);
        bad[3]++;
    }
}

static void hba(app_run *r)
{
    static const char *const ids[] = {"KW-PG-HBA-TRUST", "KW-PG-HBA-MD5", "KW-PG-HBA-PASSWORD", "KW-PG-HBA-ANY"};
    if (!r->have_pghba) {
        for (int i = 0; i < 4; i++)
            app_na(r, ids[i], "pg_hba.conf absent");
        return;
    }
    size_t bad[4] = {0};
    for (size_t i = 0; i < r->pghba.n; i++)
        hba_one(r, &r->pghba.v[i], bad);
    for (int i = 0; i < 4; i++)
        if (!bad[i])
            app_emit(r, ids[i], AUDIT_PASS, NULL, r->pghba.files[0], "no such record", NULL, NULL);
}

static void ssl(app_run *r)
{
    const app_kv *s = app_cf_last(&r->pg, "ssl", NULL);
    bool host = app_cf_last(&r->pghba, "host", NULL) || app_cf_last(&r->pghba, "hostssl", NULL);
    if (!host) {
        app_emit(r, "KW-PG-SSL", AUDIT_NA, s, r->pg.files[0], "no host record in pg_hba.conf", NULL, NULL);
        return;
    }
    bool on = s && app_on(s->val) && s->val[0];
    app_emit(r, "KW-PG-SSL", on ? AUDIT_PASS : AUDIT_FAIL, s, r->pg.files[0], s ? s->val : "absent (default off)", NULL, NULL);
}

static void simple(app_run *r, const char *id, bool good, const app_kv *k, const char *absent)
{
    app_emit(r, id, good ? AUDIT_PASS : AUDIT_FAIL, k, r->pg.files[0], k ? k->val : absent, NULL, NULL);
}

static void settings(app_run *r)
{
    const app_kv *k = app_cf_last(&r->pg, "listen_addresses", NULL);
    simple(r, "KW-PG-LISTEN", !k || (!strstr(k->val, "*") && !strstr(k->val, "0.0.0.0")), k, "absent (default localhost)");
    k = app_cf_last(&r->pg, "max_connections", NULL);
    r->pg_maxconn = k ? atoi(k->val) : 100;
    if (k)
        snprintf(r->pg_maxconn_at, sizeof r->pg_maxconn_at, "%s:%d", k->file, k->line);
    else
        snprintf(r->pg_maxconn_at, sizeof r->pg_maxconn_at, "default, absent from %s", r->pg.files[0]);
    char found[64];
    snprintf(found, sizeof found, "%d%s", r->pg_maxconn, k ? "" : " (default)");
    app_emit(r, "KW-PG-MAX-CONNECTIONS", k ? AUDIT_PASS : AUDIT_NOTE, k, r->pg.files[0], found, NULL, NULL);
    k = app_cf_last(&r->pg, "log_connections", NULL);
    simple(r, "KW-PG-LOG-CONNECTIONS", k && k->val[0] && app_on(k->val), k, "absent (default off)");
    k = app_cf_last(&r->pg, "password_encryption", NULL);
    simple(r, "KW-PG-PASSWORD-ENCRYPTION", !k || strcasecmp(k->val, "md5") != 0, k, "absent (default scram-sha-256 since 14)");
    k = app_cf_last(&r->pg, "superuser_reserved_connections", NULL);
    simple(r, "KW-PG-SUPERUSER-RESERVED", !k || atoi(k->val) >= 3, k, "absent (default 3)");
}

void app_check_pg(app_run *r)
{
    if (!r->have_pg && !r->have_pghba) {
        app_na_group(r, "postgresql", "PostgreSQL configuration absent");
        return;
    }
    if (r->have_pg)
        settings(r);
    hba(r);
    if (r->have_pg)
        ssl(r);
}

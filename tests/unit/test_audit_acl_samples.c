/* The vendor samples end to end (parse, then the exact analysis): every problem seeded in a
 * bad sample is found on its line (tests/data/audit/VENDOR/expected: "ID LINE", line 0 for
 * something absent), and its clean twin gives no finding above low severity. */
#include "audit/audit_acl.h"
#include "core/kw_file.h"
#include "kw_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RES 4096

typedef struct seen {
    char id[64];
    int line;
    audit_status status;
    finding_sev sev;
} seen;

typedef struct seen_list {
    seen v[MAX_RES];
    size_t n;
} seen_list;

static kw_rc keep(void *arg, const audit_res *r)
{
    seen_list *l = arg;
    if (l->n < MAX_RES) {
        snprintf(l->v[l->n].id, sizeof l->v[l->n].id, "%s", r->id);
        l->v[l->n].line = r->line;
        l->v[l->n].status = r->status;
        l->v[l->n].sev = r->severity;
        l->n++;
    }
    return KW_OK;
}

/* Parses and analyses DATA/audit/rel into l; false when it cannot be read or parsed. */
static bool analyse(const char *rel, const char *vendor, seen_list *l)
{
    char path[512];
    snprintf(path, sizeof path, "%s/audit/%s", KW_TEST_DATA, rel);
    kw_buf b;
    if (kw_file_read(path, 1 << 22, &b) != KW_OK) {
        fprintf(stderr, "  %s: cannot be read\n", path);
        kw_buf_free(&b);
        return false;
    }
    acl_config *c = NULL;
    char err[256] = "";
    kw_rc rc = acl_parse(b.data, b.len, NULL, &c, err, sizeof err);
    kw_buf_free(&b);
    if (rc != KW_OK) {
        fprintf(stderr, "  %s: %s\n", rel, err);
        return false;
    }
    if (strcmp(c->vendor, vendor) != 0)
        fprintf(stderr, "  %s: recognised as %s, not %s\n", rel, c->vendor, vendor);
    bool ok = strcmp(c->vendor, vendor) == 0;
    l->n = 0;
    acl_stats st = {0};
    ok = ok && acl_analyze(c, rel, keep, l, &st) == KW_OK;
    acl_config_free(c);
    for (size_t i = 0; getenv("KW_DUMP") && i < l->n; i++) /* KW_DUMP=1: what was found, for a person */
        fprintf(stderr, "    %s status %d %s line %d\n", rel, (int)l->v[i].status, l->v[i].id, l->v[i].line);
    return ok;
}

static void bad_sample(const char *vendor, const char *file)
{
    static seen_list l;
    char rel[256];
    snprintf(rel, sizeof rel, "%s/%s", vendor, file);
    CHECK(analyse(rel, vendor, &l));
    char path[512];
    snprintf(path, sizeof path, "%s/audit/%s/expected", KW_TEST_DATA, vendor);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[256];
    int expected = 0;
    while (fgets(line, sizeof line, f)) {
        char id[64];
        int at;
        if (line[0] == '#' || sscanf(line, "%63s %d", id, &at) != 2)
            continue;
        expected++;
        bool found = false;
        for (size_t i = 0; i < l.n && !found; i++)
            found = !strcmp(l.v[i].id, id) && l.v[i].line == at && l.v[i].status == AUDIT_FAIL;
        if (!found) {
            fprintf(stderr, "  %s: %s at line %d not found (reported at:", rel, id, at);
            for (size_t i = 0; i < l.n; i++)
                if (!strcmp(l.v[i].id, id))
                    fprintf(stderr, " %d", l.v[i].line);
            fprintf(stderr, ")\n");
            kwt_failed_checks++;
        }
    }
    fclose(f);
    CHECK(expected >= 5);
}

static void clean_sample(const char *vendor, const char *file)
{
    static seen_list l;
    char rel[256];
    snprintf(rel, sizeof rel, "%s/%s", vendor, file);
    CHECK(analyse(rel, vendor, &l));
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i].status == AUDIT_FAIL && l.v[i].sev > FINDING_LOW) {
            fprintf(stderr, "  %s: %s (%s) at line %d on a clean sample\n", rel, l.v[i].id,
                    finding_sev_name(l.v[i].sev), l.v[i].line);
            kwt_failed_checks++;
        }
}

static void huawei(void) { bad_sample("huawei", "bad.cfg"); clean_sample("huawei", "clean.cfg"); }
static void h3c(void) { bad_sample("h3c", "bad.cfg"); clean_sample("h3c", "clean.cfg"); }
static void cisco_ios(void) { bad_sample("cisco-ios", "bad.cfg"); clean_sample("cisco-ios", "clean.cfg"); }
static void cisco_asa(void) { bad_sample("cisco-asa", "bad.cfg"); clean_sample("cisco-asa", "clean.cfg"); }
static void iptables(void) { bad_sample("iptables", "bad.rules"); clean_sample("iptables", "clean.rules"); }
static void nftables(void)
{
    bad_sample("nftables", "bad.nft");
    clean_sample("nftables", "clean.nft");
    clean_sample("nftables", "clean.json");
}
static void fortigate(void) { bad_sample("fortigate", "bad.conf"); clean_sample("fortigate", "clean.conf"); }

int main(void)
{
    RUN(huawei);
    RUN(h3c);
    RUN(cisco_ios);
    RUN(cisco_asa);
    RUN(iptables);
    RUN(nftables);
    RUN(fortigate);
    TEST_MAIN_END();
}

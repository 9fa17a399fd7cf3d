/* The network-device parsers (audit_acl_huawei.c, _h3c.c, _vrp.c, _cisco.c, _asa.c, _text.c):
 * each vendor's samples under tests/data/audit/VENDOR/ parsed into the rule model (lists,
 * rule order, dimensions, bindings, fall-through) and their device issues against the
 * "expected" file beside each bad sample; and which vendor a text sniffs as. */
#include "audit/audit_acl.h"
#include "kw_test.h"

#include <stdio.h>
#include <stdlib.h>

#define V4(a, b, c, d) (ACL_V4_BASE | ((acl_u128)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static char *slurp(const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/audit/%s", KW_TEST_DATA, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "  cannot open %s\n", path);
        *len = 0;
        return calloc(1, 1);
    }
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static acl_config *load(const char *rel, const char *vendor)
{
    size_t len;
    char *text = slurp(rel, &len);
    acl_config *c = NULL;
    char err[200] = "";
    CHECK(acl_parse(text, len, vendor, &c, err, sizeof err) == KW_OK);
    free(text);
    if (c && getenv("KW_TEST_DUMP")) { /* a look at what was read, when writing samples */
        for (size_t i = 0; i < c->nlists; i++) {
            const acl_list *l = &c->lists[i];
            printf("list %s (%s) entry=%d fall=%d/%d bound=%zu\n", l->name, l->kind, l->entry, l->fallthrough,
                   l->fallthrough_line, l->nbound);
            for (size_t k = 0; k < l->n; k++)
                printf("  %d %s act=%d p=%d d=%d log=%d\n", l->v[k].line, l->v[k].name, l->v[k].action,
                       l->v[k].partial, l->v[k].disabled, l->v[k].log);
        }
        for (size_t i = 0; i < c->nissues; i++)
            printf("%s %d\n", c->issues[i].id, c->issues[i].line);
        printf("unknown %zu (first line %d)\n", c->unknown, c->nunknown_lines ? c->unknown_lines[0] : 0);
    }
    return c;
}

static int has_issue(const acl_config *c, const char *id, int line)
{
    int n = 0;
    for (size_t i = 0; i < c->nissues; i++)
        n += !strcmp(c->issues[i].id, id) && c->issues[i].line == line;
    return n;
}

/* Every KW-DEV line of the expected file is an issue of c, and c has no other. */
static void check_expected(const acl_config *c, const char *rel)
{
    size_t len, want = 0;
    char *text = slurp(rel, &len);
    char id[64];
    int line, used;
    for (const char *p = text; sscanf(p, "%63s %d%n", id, &line, &used) == 2; p += used) {
        if (strncmp(id, "KW-DEV-", 7))
            continue; /* the rule-order findings are acl_analyze's */
        want++;
        if (!has_issue(c, id, line)) {
            fprintf(stderr, "  %s: expected %s at line %d\n", rel, id, line);
            CHECK(0);
        }
    }
    CHECK_INT(c->nissues, want);
    free(text);
}

static const acl_list *list(const acl_config *c, const char *name)
{
    for (size_t i = 0; i < c->nlists; i++)
        if (!strcmp(c->lists[i].name, name))
            return &c->lists[i];
    fprintf(stderr, "  no list %s\n", name);
    return NULL;
}

static bool one(const acl_dim *d, acl_u128 lo, acl_u128 hi)
{
    return d->n == 1 && d->v[0].lo == lo && d->v[0].hi == hi;
}

static void huawei_bad(void)
{
    acl_config *c = load("huawei/bad.cfg", "huawei");
    if (!c)
        return;
    check_expected(c, "huawei/expected");
    const acl_list *l = list(c, "3000");
    CHECK(l && l->n == 5);
    if (l && l->n == 5) {
        /* by rule id, not file order: 5, 10, 15, 20, then the unnumbered one as 25 */
        CHECK_STR(l->v[0].name, "rule 5");
        CHECK_STR(l->v[3].name, "rule 20");
        CHECK_STR(l->v[4].name, "rule 25");
        CHECK_INT(l->v[0].line, 31);
        CHECK(acl_dim_is_all(&l->v[0].src, ACL_ADDR_MAX) && acl_dim_is_all(&l->v[0].proto, ACL_PROTO_MAX));
        CHECK(one(&l->v[1].src, V4(10, 0, 0, 0), V4(10, 255, 255, 255)) && one(&l->v[1].dport, 23, 23));
        CHECK(l->v[1].action == ACL_DENY && one(&l->v[1].proto, 6, 6));
        CHECK(one(&l->v[2].dst, V4(10, 10, 1, 10), V4(10, 10, 1, 10)) && l->v[2].log);
        CHECK(one(&l->v[4].dport, 5000, 5100) && l->v[4].partial && one(&l->v[4].proto, 17, 17));
        CHECK(l->entry && l->fallthrough == ACL_PERMIT && l->nbound == 1);
        CHECK_STR(l->bound[0], "GigabitEthernet1/0/1 inbound");
    }
    l = list(c, "2000");
    CHECK(l && l->n == 2 && l->nbound == 1 && one(&l->v[0].src, V4(192, 168, 10, 0), V4(192, 168, 10, 255)));
    l = list(c, "security-policy");
    CHECK(l && !strcmp(l->kind, "policy") && l->entry && l->fallthrough == ACL_PERMIT && l->fallthrough_line == 91);
    if (l && l->n >= 7) {
        CHECK_STR(l->v[1].name, "policy web-in");
        CHECK_INT(acl_dim_size(&l->v[1].dst), 2);
        CHECK(one(&l->v[1].dport, 80, 80) || one(&l->v[1].dport, 443, 443) || l->v[1].dport.n == 2);
        CHECK(l->v[1].zin.n == 1 && l->v[1].zout.n == 1 && l->v[1].zin.v[0].lo != l->v[1].zout.v[0].lo);
        /* rdp + telnet: one TCP rule, ports 23 and 3389 */
        CHECK_STR(l->v[3].name, "policy rdp-from-internet");
        CHECK(l->v[3].dport.n == 2 && l->v[3].dport.v[0].lo == 23 && l->v[3].dport.v[1].lo == 3389);
        CHECK(one(&l->v[3].dst, V4(10, 10, 1, 0), V4(10, 10, 1, 255)));
        /* the service-set: 80 and 8080-8090 */
        CHECK(l->v[4].dport.n == 2 && l->v[4].dport.v[1].hi == 8090);
        CHECK(l->v[l->n - 1].disabled);
    }
    CHECK_INT(c->unknown, 1); /* the layer-2 rule */
    acl_config_free(c);
}

static void huawei_clean(void)
{
    acl_config *c = load("huawei/clean.cfg", "huawei");
    if (!c)
        return;
    CHECK_INT(c->nissues, 0);
    const acl_list *l = list(c, "security-policy");
    CHECK(l && l->fallthrough == ACL_DENY && l->n >= 2);
    l = list(c, "3000"); /* "traffic-filter inbound ipv4 acl 3000" */
    CHECK(l && l->nbound == 1 && l->fallthrough == ACL_PERMIT && l->n == 4);
    CHECK_INT(c->unknown, 0);
    acl_config_free(c);
}

static void h3c_bad(void)
{
    acl_config *c = load("h3c/bad.cfg", "h3c");
    if (!c)
        return;
    check_expected(c, "h3c/expected");
    const acl_list *l = list(c, "2001");
    CHECK(l && l->n == 2 && l->fallthrough == ACL_PERMIT);
    if (l && l->n == 2) { /* rule 5 before rule 10 */
        CHECK_STR(l->v[0].name, "rule 5");
        CHECK(one(&l->v[0].src, V4(172, 16, 9, 0), V4(172, 16, 9, 255)) && l->v[0].action == ACL_DENY);
    }
    l = list(c, "3001");
    CHECK(l && l->n == 3 && l->nbound == 1);
    if (l && l->n == 3)
        CHECK(one(&l->v[2].dst, V4(10, 20, 1, 0), V4(10, 20, 1, 255)) && one(&l->v[2].dport, 3306, 3306));
    l = list(c, "security-policy");
    CHECK(l && l->entry && l->fallthrough == ACL_DENY && l->n == 4);
    if (l && l->n == 4) {
        CHECK_STR(l->v[1].name, "policy db-access");
        CHECK(one(&l->v[1].src, V4(172, 16, 0, 0), V4(172, 16, 255, 255)));
        CHECK_INT(acl_dim_size(&l->v[1].dst), 257);
        CHECK(l->v[1].dport.n == 2 && l->v[1].dport.v[0].lo == 1433);
        CHECK(one(&l->v[2].dst, V4(10, 20, 1, 7), V4(10, 20, 1, 7)));
        CHECK(l->v[3].log && one(&l->v[3].dport, 23, 23));
    }
    l = list(c, "object-policy untrust-dmz");
    CHECK(l && l->entry && l->n == 2 && l->nbound == 1);
    if (l && l->n == 2)
        CHECK(l->v[1].action == ACL_DENY && l->v[0].zin.n == 1 && l->v[0].zout.n == 1);
    CHECK_INT(c->unknown, 0);
    acl_config_free(c);
}

static void h3c_clean(void)
{
    acl_config *c = load("h3c/clean.cfg", "h3c");
    if (!c)
        return;
    CHECK_INT(c->nissues, 0);
    const acl_list *l = list(c, "3001");
    CHECK(l && l->fallthrough == ACL_DENY && l->fallthrough_line > 0);
    acl_config_free(c);
}

static void ios_bad(void)
{
    acl_config *c = load("cisco-ios/bad.cfg", "cisco-ios");
    if (!c)
        return;
    check_expected(c, "cisco-ios/expected");
    const acl_list *l = list(c, "10");
    CHECK(l && l->n == 3 && l->nbound == 1 && l->fallthrough == ACL_DENY);
    if (l && l->n == 3) {
        CHECK_STR(l->v[1].name, "access-list 10 line 2");
        CHECK(one(&l->v[1].src, V4(10, 1, 1, 50), V4(10, 1, 1, 50)) && acl_dim_is_all(&l->v[1].dst, ACL_ADDR_MAX));
        CHECK(l->v[2].log && l->v[2].action == ACL_DENY);
    }
    l = list(c, "101");
    CHECK(l && l->n == 2 && !l->entry);
    l = list(c, "OUTSIDE-IN");
    CHECK(l && l->n == 7 && l->entry);
    if (l && l->n == 7) { /* seq 15 goes between 10 and 20 */
        CHECK_STR(l->v[1].name, "OUTSIDE-IN seq 15");
        CHECK(l->v[1].partial);
        CHECK(l->v[0].dport.n == 2 && acl_dim_size(&l->v[0].dst) == 2);
        CHECK(one(&l->v[3].dport, 3389, 3389) && one(&l->v[3].dst, V4(10, 1, 1, 0), V4(10, 1, 1, 255)));
        CHECK(one(&l->v[4].proto, 17, 17) && one(&l->v[4].dport, 53, 53));
        CHECK_STR(l->bound[0], "GigabitEthernet0/0 in");
    }
    l = list(c, "V6-IN");
    CHECK(l && l->n == 2);
    if (l && l->n == 2)
        CHECK(acl_dim_size(&l->v[0].src) == (acl_u128)1 << 80 && one(&l->v[0].dport, 22, 22));
    CHECK_INT(c->unknown, 0);
    acl_config_free(c);
}

static void ios_clean(void)
{
    acl_config *c = load("cisco-ios/clean.cfg", "cisco-ios");
    if (!c)
        return;
    CHECK_INT(c->nissues, 0);
    CHECK(list(c, "MGMT") && list(c, "MGMT")->n == 2);
    acl_config_free(c);
}

static void asa_bad(void)
{
    acl_config *c = load("cisco-asa/bad.cfg", "cisco-asa");
    if (!c)
        return;
    check_expected(c, "cisco-asa/expected");
    const acl_list *l = list(c, "OUTSIDE_IN");
    CHECK(l && l->entry && l->fallthrough == ACL_DENY && l->nbound == 1);
    if (l && l->n == 7) { /* the service group splits its entry in a TCP and a UDP rule */
        CHECK_STR(l->v[0].name, "OUTSIDE_IN line 1");
        CHECK_INT(acl_dim_size(&l->v[0].dst), 2);
        CHECK(l->v[0].dport.n == 2 && l->v[0].dport.v[1].lo == 443);
        CHECK_STR(l->v[2].name, "OUTSIDE_IN line 3");
        CHECK_STR(l->v[3].name, "OUTSIDE_IN line 3");
        CHECK(one(&l->v[2].proto, 6, 6) && l->v[2].dport.n == 2 && one(&l->v[3].dport, 161, 161));
        CHECK_INT(acl_dim_size(&l->v[2].dst), 258);
        CHECK_STR(l->v[4].name, "OUTSIDE_IN line 4");
        CHECK(l->v[6].disabled && one(&l->v[6].dst, V4(10, 1, 2, 0), V4(10, 1, 2, 255)));
        CHECK_STR(l->bound[0], "outside in");
    } else {
        CHECK(0);
    }
    l = list(c, "INSIDE_OUT");
    CHECK(l && l->n == 2 && one(&l->v[0].src, V4(10, 1, 0, 0), V4(10, 1, 255, 255)));
    CHECK_INT(c->unknown, 0);
    acl_config_free(c);
}

static void asa_clean(void)
{
    acl_config *c = load("cisco-asa/clean.cfg", "cisco-asa");
    if (!c)
        return;
    CHECK_INT(c->nissues, 0);
    acl_config_free(c);
}

static void sniffing(void)
{
    static const char *const files[][2] = {
        {"huawei/bad.cfg", "huawei"}, {"huawei/clean.cfg", "huawei"}, {"h3c/bad.cfg", "h3c"},
        {"h3c/clean.cfg", "h3c"}, {"cisco-ios/bad.cfg", "cisco-ios"}, {"cisco-ios/clean.cfg", "cisco-ios"},
        {"cisco-asa/bad.cfg", "cisco-asa"}, {"cisco-asa/clean.cfg", "cisco-asa"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len;
        char *text = slurp(files[i][0], &len);
        const acl_vendor *v = acl_vendor_guess(text, len);
        if (!v || strcmp(v->name, files[i][1]))
            fprintf(stderr, "  %s sniffed as %s\n", files[i][0], v ? v->name : "none");
        CHECK(v && !strcmp(v->name, files[i][1]));
        free(text);
    }
    static const char nginx[] = "user www-data;\nworker_processes auto;\nhttp {\n  server {\n    listen 80;\n"
                                "    location / { deny all; allow 10.0.0.0/8; }\n  }\n}\n";
    static const char prose[] = "The access list on the router was changed yesterday.\nSee the hostname and the\n"
                                "interface GigabitEthernet notes! Then ask.\n";
    static const char jpeg[] = "\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
    const char *texts[] = {nginx, prose, jpeg};
    size_t lens[] = {sizeof nginx - 1, sizeof prose - 1, sizeof jpeg - 1};
    for (size_t i = 0; i < 3; i++)
        for (const acl_vendor *v = acl_vendors; v->name; v++)
            if (!strcmp(v->name, "huawei") || !strcmp(v->name, "h3c") || !strncmp(v->name, "cisco", 5)) {
                int s = v->sniff(texts[i], lens[i]);
                if (s >= 30)
                    fprintf(stderr, "  text %zu sniffs %d as %s\n", i, s, v->name);
                CHECK(s < 30);
            }
}

static void hostile_lines(void)
{
    /* a line longer than the buffers, tokens past the limit, NUL bytes, a rule without a list */
    char big[5000];
    memset(big, 'a', sizeof big);
    memcpy(big, "rule 5 permit ", 14);
    big[sizeof big - 1] = '\n';
    const char *vendors[] = {"huawei", "h3c", "cisco-ios", "cisco-asa"};
    for (size_t i = 0; i < 4; i++) {
        acl_config *c = NULL;
        char err[100];
        CHECK(acl_parse(big, sizeof big, vendors[i], &c, err, sizeof err) == KW_OK);
        acl_config_free(c);
        static const char odd[] = "acl number 3000\n rule 4294967295 permit tcp source 1.2.3.4 255.0.255.0\n"
                                  " rule permit tcp destination-port range 70000 1\naccess-list 1 permit\n"
                                  "access-list X extended permit object-group NOPE any any\nbanner motd ^C\n";
        CHECK(acl_parse(odd, sizeof odd - 1, vendors[i], &c, err, sizeof err) == KW_OK);
        acl_config_free(c);
    }
}

static void wildcard_masks(void)
{
    /* a few "don't care" holes: exact ranges; many: the covering range, the rule partial */
    static const char vrp[] = "acl number 3000\n rule 5 permit ip source 10.1.2.0 0.0.1.1\n"
                              " rule 10 permit ip source 10.0.0.0 0.255.255.254\n";
    static const char ios[] = "access-list 1 permit 10.1.2.0 0.0.1.1\naccess-list 1 permit 10.0.0.0 0.255.255.254\n";
    acl_config *c = NULL;
    char err[100];
    CHECK(acl_parse(vrp, sizeof vrp - 1, "huawei", &c, err, sizeof err) == KW_OK);
    const acl_list *l = c ? list(c, "3000") : NULL;
    CHECK(l && l->n == 2);
    if (l && l->n == 2) {
        CHECK(l->v[0].src.n == 2 && !l->v[0].partial);
        CHECK(l->v[0].src.v[0].lo == V4(10, 1, 2, 0) && l->v[0].src.v[0].hi == V4(10, 1, 2, 1));
        CHECK(l->v[0].src.v[1].lo == V4(10, 1, 3, 0) && l->v[0].src.v[1].hi == V4(10, 1, 3, 1));
        CHECK(l->v[1].partial && one(&l->v[1].src, V4(10, 0, 0, 0), V4(10, 255, 255, 255)));
    }
    acl_config_free(c);
    CHECK(acl_parse(ios, sizeof ios - 1, "cisco-ios", &c, err, sizeof err) == KW_OK);
    l = c ? list(c, "1") : NULL;
    CHECK(l && l->n == 2 && l->v[0].src.n == 2 && !l->v[0].partial && l->v[1].partial);
    acl_config_free(c);
}

static void vrp_ipv6(void)
{
    static const char hw[] = "acl ipv6 number 3001\n rule 5 permit tcp source 2001:db8:10:: 48 destination-port eq 22\n"
                             " rule 10 deny ipv6 source 2001:db8::/32\n#\ninterface GigabitEthernet0/0/1\n"
                             " traffic-filter inbound ipv6 acl 3001\n";
    static const char h3[] = "acl ipv6 advanced 3002\n rule 0 permit ipv6 source 2001:db8::1 128\n#\n"
                             "interface GigabitEthernet1/0/1\n packet-filter ipv6 3002 inbound\n";
    acl_config *c = NULL;
    char err[100];
    CHECK(acl_parse(hw, sizeof hw - 1, "huawei", &c, err, sizeof err) == KW_OK);
    const acl_list *l = c ? list(c, "ipv6 3001") : NULL;
    CHECK(l && l->n == 2 && l->nbound == 1);
    if (l && l->n == 2) {
        CHECK(acl_dim_size(&l->v[0].src) == (acl_u128)1 << 80 && one(&l->v[0].dport, 22, 22));
        CHECK(acl_dim_size(&l->v[1].src) == (acl_u128)1 << 96 && l->v[1].action == ACL_DENY);
    }
    CHECK(c && c->unknown == 0);
    acl_config_free(c);
    CHECK(acl_parse(h3, sizeof h3 - 1, "h3c", &c, err, sizeof err) == KW_OK);
    l = c ? list(c, "ipv6 3002") : NULL;
    CHECK(l && l->n == 1 && l->nbound == 1 && acl_dim_size(&l->v[0].src) == 1);
    acl_config_free(c);
}

int main(void)
{
    RUN(huawei_bad);
    RUN(huawei_clean);
    RUN(h3c_bad);
    RUN(h3c_clean);
    RUN(ios_bad);
    RUN(ios_clean);
    RUN(asa_bad);
    RUN(asa_clean);
    RUN(sniffing);
    RUN(hostile_lines);
    RUN(wildcard_masks);
    RUN(vrp_ipv6);
    TEST_MAIN_END();
}

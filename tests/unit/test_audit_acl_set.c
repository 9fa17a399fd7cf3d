/* The ACL model's sets (audit_acl.c): merging, inversion, prefixes, wildcard masks. */
#include "audit/audit_acl.h"
#include "kw_test.h"

#define V4(a, b, c, d) (ACL_V4_BASE | ((acl_u128)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static void merge_overlapping_and_adjacent(void)
{
    acl_dim d = {0};
    acl_dim_add(&d, 10, 20);
    acl_dim_add(&d, 30, 40);
    acl_dim_add(&d, 21, 29); /* touches both: one range */
    CHECK(d.n == 1 && d.v[0].lo == 10 && d.v[0].hi == 40);
    acl_dim_add(&d, 50, 60);
    acl_dim_add(&d, 0, 5);
    CHECK(d.n == 3 && d.v[0].hi == 5 && d.v[2].lo == 50);
    acl_dim_add(&d, 4, 55);
    CHECK(d.n == 1 && d.v[0].lo == 0 && d.v[0].hi == 60);
    acl_dim_free(&d);
}

static void invert(void)
{
    acl_dim d = {0};
    acl_dim_add(&d, 0, 21);
    acl_dim_add(&d, 23, 65535);
    acl_dim_invert(&d, ACL_PORT_MAX);
    CHECK(d.n == 1 && d.v[0].lo == 22 && d.v[0].hi == 22);
    acl_dim_invert(&d, ACL_PORT_MAX);
    CHECK(d.n == 2 && acl_dim_size(&d) == 65535);
    acl_dim_all(&d, ACL_PORT_MAX);
    acl_dim_invert(&d, ACL_PORT_MAX);
    CHECK(d.n == 0);
    acl_dim_invert(&d, ACL_PORT_MAX);
    CHECK(acl_dim_is_all(&d, ACL_PORT_MAX));
    acl_dim_free(&d);
}

static void prefixes_in_text(void)
{
    acl_dim d = {0};
    CHECK(acl_dim_add_text(&d, "10.1.0.0/16"));
    CHECK(d.n == 1 && d.v[0].lo == V4(10, 1, 0, 0) && d.v[0].hi == V4(10, 1, 255, 255));
    acl_dim_clear(&d);
    CHECK(acl_dim_add_text(&d, "192.168.1.7"));
    CHECK(acl_dim_size(&d) == 1);
    acl_dim_clear(&d);
    CHECK(acl_dim_add_text(&d, "10.0.0.0/255.255.255.0"));
    CHECK(acl_dim_size(&d) == 256);
    acl_dim_clear(&d);
    CHECK(acl_dim_add_text(&d, "2001:db8::/32"));
    CHECK(acl_dim_size(&d) == (acl_u128)1 << 96);
    CHECK(!acl_dim_add_text(&d, "10.0.0.0/33"));
    CHECK(!acl_dim_add_text(&d, "nonsense"));
    CHECK(!acl_dim_add_text(&d, "/8"));
    CHECK(acl_dim_add_text(&d, "any") && acl_dim_is_all(&d, ACL_ADDR_MAX));
    acl_dim_free(&d);
}

static void wildcards(void)
{
    acl_dim d = {0};
    CHECK(acl_dim_add_wildcard(&d, 0x0a000000, 0x000000ff, false)); /* 10.0.0.0 0.0.0.255 */
    CHECK(d.n == 1 && acl_dim_size(&d) == 256);
    acl_dim_clear(&d);
    /* 10.0.0.1 0.0.1.0: two addresses, 10.0.0.1 and 10.0.1.1 */
    CHECK(acl_dim_add_wildcard(&d, 0x0a000001, 0x00000100, false));
    CHECK(d.n == 2 && d.v[0].lo == V4(10, 0, 0, 1) && d.v[1].lo == V4(10, 0, 1, 1));
    acl_dim_clear(&d);
    CHECK(acl_dim_add_wildcard(&d, 0, 0xffffffffu, false)); /* any */
    CHECK(acl_dim_size(&d) == (acl_u128)1 << 32);
    acl_dim_clear(&d);
    CHECK(!acl_dim_add_wildcard(&d, 0, 0x7ffff0f0u, false)); /* 27 holes: 2^27 ranges refused */
    CHECK(d.n == 0);
    acl_dim_free(&d);
}

static void config_lists_rules_zones(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = acl_list_get(c, "3000", "acl");
    acl_rule *r = acl_rule_add(l, 4, "rule 5 permit ip", "rule 5");
    CHECK(acl_dim_is_all(&r->src, ACL_ADDR_MAX) && r->action == ACL_PERMIT);
    CHECK(acl_list_get(c, "3000", NULL) == l);
    CHECK(acl_zone_id(c, "trust") == 0 && acl_zone_id(c, "untrust") == 1 && acl_zone_id(c, "TRUST") == 0);
    acl_issue_add(c, "KW-DEV-TELNET", "t", "t", "f", FINDING_HIGH, 9, "protocol inbound telnet", NULL);
    acl_unknown(c, 12);
    CHECK(c->nissues == 1 && c->unknown == 1 && c->unknown_lines[0] == 12);
    acl_config_free(c);
}

int main(void)
{
    RUN(merge_overlapping_and_adjacent);
    RUN(invert);
    RUN(prefixes_in_text);
    RUN(wildcards);
    RUN(config_lists_rules_zones);
    TEST_MAIN_END();
}

/* libFuzzer target for the ACL analysis (audit_acl_analyze.c, _box.c, _check.c, _path.c):
 * the input bytes build a small rule set (up to 4 lists, 48 rules: actions, jumps between the
 * lists, partial/disabled/log flags, zones, address prefixes and sets, protocols, port ranges,
 * fall-throughs); acl_analyze and acl_path run over it. Every result must carry an id, titles,
 * the file; every verdict a list and a known action. */
#include "audit/audit_acl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct in {
    const uint8_t *p;
    size_t n;
} in;

static unsigned byte(in *s)
{
    if (!s->n)
        return 0;
    s->n--;
    return *s->p++;
}

static uint32_t word(in *s)
{
    uint32_t w = 0;
    for (int i = 0; i < 4; i++)
        w = (w << 8) | byte(s);
    return w;
}

static kw_rc check_res(void *arg, const audit_res *r)
{
    (void)arg;
    if (!r->id || !r->title_en || !r->title_zh || !r->file || strcmp(r->category, "acl") != 0)
        abort();
    return KW_OK;
}

/* An address dimension: any, a prefix in 10/8 or 2001:db8::/32, or two of them. */
static void addr(in *s, acl_dim *d)
{
    unsigned k = byte(s);
    if (k % 4 == 0)
        return; /* whole */
    acl_dim_clear(d);
    for (unsigned i = 0; i < (k % 4 == 3 ? 2u : 1u); i++) {
        uint32_t a = word(s);
        int bits = (int)(byte(s) % 33);
        if (k & 0x80)
            acl_dim_add_prefix(d, ((acl_u128)0x20010db8u << 96) | a, bits + 64, false);
        else
            acl_dim_add_prefix(d, 0x0a000000u | (a & 0xffffffu), bits, true);
    }
}

static void small(in *s, acl_dim *d, unsigned max)
{
    unsigned k = byte(s);
    if (k % 3 == 0)
        return;
    acl_dim_clear(d);
    unsigned lo = byte(s) * (max / 255), hi = lo + byte(s) % 64;
    acl_dim_add(d, lo, hi > max ? max : hi);
    if (k % 3 == 2)
        acl_dim_add(d, byte(s), byte(s) % 2 + 200);
}

static void one_rule(acl_config *c, in *s, const char *const *names, size_t nl, int line)
{
    acl_list *l = acl_list_get(c, names[byte(s) % nl], "chain");
    char name[24];
    snprintf(name, sizeof name, "rule %d", line);
    acl_rule *r = acl_rule_add(l, line, "fuzz", name);
    unsigned f = byte(s);
    r->action = (acl_action)(f % 5);
    r->partial = f & 0x08;
    r->disabled = (f & 0x30) == 0x30;
    r->log = f & 0x40;
    r->go = f & 0x80;
    if (r->action == ACL_JUMP)
        r->target = strdup(names[byte(s) % (nl + 1) % nl]);
    addr(s, &r->src);
    addr(s, &r->dst);
    small(s, &r->proto, ACL_PROTO_MAX);
    small(s, &r->dport, ACL_PORT_MAX);
    if (byte(s) % 4 == 0) {
        small(s, &r->sport, ACL_PORT_MAX);
        small(s, &r->zin, 3);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"INPUT", "FORWARD", "web", "ssh"};
    in s = {data, size};
    acl_config *c = acl_config_new("fuzz");
    size_t nl = 1 + byte(&s) % 4;
    unsigned zones = byte(&s) % 4;
    static const char *const zn[] = {"trust", "untrust", "dmz"};
    for (unsigned z = 0; z < zones && z < 3; z++)
        acl_zone_id(c, zn[z]);
    for (size_t i = 0; i < nl; i++) {
        acl_list *l = acl_list_get(c, names[i], "chain");
        l->entry = i < 2;
        l->fallthrough = (acl_action)(byte(&s) % 5);
    }
    for (int line = 1; line <= 48 && s.n > 4; line++)
        one_rule(c, &s, names, nl, line);
    acl_stats st;
    if (acl_analyze(c, "fuzz.cfg", check_res, NULL, &st) != KW_OK || st.rules > 48)
        abort();
    acl_packet p = {.src = 0xffff0a000000ull | (word(&s) & 0xffffff), .dst = word(&s), .proto = byte(&s),
                    .sport = byte(&s), .dport = byte(&s) * 256 + byte(&s), .zin = byte(&s) & 1 ? "trust" : NULL,
                    .zout = byte(&s) & 1 ? "elsewhere" : NULL};
    acl_verdict v[4];
    size_t n = 0;
    if (acl_path(c, &p, NULL, v, 4, &n) != KW_OK || n > 4)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!v[i].list || v[i].action > ACL_OTHER || strlen(v[i].via) >= sizeof v[i].via)
            abort();
    acl_config_free(c);
    return 0;
}

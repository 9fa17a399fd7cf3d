/* libFuzzer target for the host baseline's parsers (audit_host_parse.c): the first byte picks
 * the file the rest is parsed as (sshd_config, login.defs, a PAM file, passwd, shadow,
 * sudoers, sysctl.conf, fstab, dpkg status, auditd.conf, limits.conf, journald.conf, group);
 * every entry parsed must be a bounded C string, and every comparison must be safe on it. */
#include "audit/audit_host_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_kv(const host_kvset *s)
{
    static const host_cmp cmps[] = {HC_EQ, HC_IN, HC_LE, HC_GE, HC_RANGE, HC_NONE_OF, HC_SET};
    for (size_t i = 0; i < s->n; i++) {
        const host_kv *e = &s->v[i];
        if (strlen(e->text) > 1024 || e->line < 1 || !e->file)
            abort();
        for (size_t c = 0; c < sizeof cmps / sizeof cmps[0]; c++)
            (void)host_cmp_ok(cmps[c], "1-3,no,aes128-cbc", e->val);
        if (!host_kv_get(s, e->key))
            abort();
    }
}

static void check_lines(const host_lines *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strlen(l->v[i].text) > 1024 || l->v[i].text[0] == '#')
            abort();
        (void)host_has_word(l->v[i].text, "nullok");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *b = (const char *)data + 1;
    size_t n = size - 1;
    host_kvset kv = {0};
    host_lines l = {0};
    host_accts a = {0};
    host_mnts m = {0};
    host_names p = {0};
    switch (data[0] % 13) {
    case 0: kv.first_wins = true; host_kv_parse(b, n, "/etc/ssh/sshd_config", HKV_STOP_MATCH, &kv); break;
    case 1: host_kv_parse(b, n, "/etc/login.defs", 0, &kv); break;
    case 2: host_lines_parse(b, n, "/etc/pam.d/common-auth", &l); break;
    case 3: host_acct_parse(b, n, 'p', &a); break;
    case 4: host_acct_parse(b, n, 's', &a); break;
    case 5: host_lines_parse(b, n, "/etc/sudoers", &l); break;
    case 6: host_kv_parse(b, n, "/etc/sysctl.conf", HKV_EQ, &kv); break;
    case 7: host_fstab_parse(b, n, &m); break;
    case 8: host_dpkg_parse(b, n, &p); break;
    case 9: host_kv_parse(b, n, "/etc/audit/auditd.conf", HKV_EQ, &kv); break;
    case 10: host_lines_parse(b, n, "/etc/security/limits.conf", &l); break;
    case 11: host_kv_parse(b, n, "/etc/systemd/journald.conf", HKV_EQ | HKV_INI, &kv); break;
    default: host_acct_parse(b, n, 'g', &a); break;
    }
    check_kv(&kv);
    check_lines(&l);
    for (size_t i = 0; i < a.n; i++)
        if (strlen(a.v[i].name) >= sizeof a.v[i].name || a.v[i].name[0] == '\0')
            abort();
    for (size_t i = 0; i < m.n; i++)
        if (!m.v[i].dir[0] || !m.v[i].type[0])
            abort();
    for (size_t i = 0; i < p.n; i++)
        if (!host_names_has(&p, p.v[i]))
            abort();
    host_kv_free(&kv);
    host_lines_free(&l);
    host_accts_free(&a);
    host_mnts_free(&m);
    host_names_free(&p);
    return 0;
}

/* What net.inspect asks for, built from the configuration: the signature set (keepwatch's
 * built-in rules, then the rule files with their variables) and the inspector options. This
 * is the one part of the inspection that reads files. */
#include "net/net_inspect_conf.h"
#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES_MAX_FILE (256u << 20)
#define RULES_MAX_VARS 64

kw_rc net_rules_read(const char *path, char **out, size_t *n, char *err, size_t errn)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return KW_ERR_IO;
    }
    kw_buf b;
    kw_buf_init(&b, RULES_MAX_FILE);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kw_buf_append(&b, chunk, got) != KW_OK)
            break;
    bool bad = ferror(f) || b.overflow;
    fclose(f);
    if (bad) {
        snprintf(err, errn, "%s: %s", path, b.overflow ? "larger than 256 MiB" : "read error");
        kw_buf_free(&b);
        return KW_ERR_IO;
    }
    *n = b.len;
    char *s = kw_buf_take(&b);
    *out = s ? s : kw_strdup("");
    return KW_OK;
}

/* The rule variables of net.inspect: vars as given, HOME_NET from home_net, EXTERNAL_NET
 * the rest of the world when HOME_NET is known. names[] holds the names the vars point to;
 * home[] the HOME_NET list. */
static size_t inspect_vars(const conf *c, net_sig_var *vars, char (*names)[64], char *home, size_t homen)
{
    const conf_net_inspect *in = &c->net.inspect;
    size_t n = 0;
    bool has_home = false, has_ext = false;
    for (size_t i = 0; i < in->vars.n && n < RULES_MAX_VARS - 2; i++) {
        const char *s = in->vars.v[i], *eq = strchr(s, '=');
        if (s[0] == '$')
            s++;
        size_t nl = eq ? (size_t)(eq - s) : 0;
        if (!nl || nl >= 64)
            continue; /* config check has said so */
        memcpy(names[n], s, nl);
        names[n][nl] = '\0';
        has_home |= !strcmp(names[n], "HOME_NET");
        has_ext |= !strcmp(names[n], "EXTERNAL_NET");
        vars[n] = (net_sig_var){names[n], eq + 1};
        n++;
    }
    if (!has_home && in->home_net.n) {
        size_t k = snprintf(home, homen, "[");
        for (size_t i = 0; i < in->home_net.n && k < homen; i++)
            k += (size_t)snprintf(home + k, homen - k, "%s%s", i ? "," : "", in->home_net.v[i]);
        if (k < homen)
            snprintf(home + k, homen - k, "]");
        vars[n++] = (net_sig_var){"HOME_NET", home};
        has_home = true;
    }
    if (has_home && !has_ext)
        vars[n++] = (net_sig_var){"EXTERNAL_NET", "!$HOME_NET"};
    return n;
}

kw_rc net_inspect_sigs_from_conf(const conf *c, net_sig_set **out, net_sig_report *rep, char *err, size_t errn)
{
    const conf_net_inspect *in = &c->net.inspect;
    *out = NULL;
    if (!in->enabled || (!in->builtin_rules && !in->rules.n))
        return KW_OK;
    net_sig_var vars[RULES_MAX_VARS];
    char names[RULES_MAX_VARS][64];
    char home[4096];
    size_t nvars = inspect_vars(c, vars, names, home, sizeof home);
    net_sig_builder *b = net_sig_builder_new(vars, nvars);
    kw_rc rc = in->builtin_rules ? net_sig_builder_add_builtin(b, rep) : KW_OK;
    for (size_t i = 0; rc == KW_OK && i < in->rules.n; i++) {
        char *text;
        size_t n;
        rc = net_rules_read(in->rules.v[i], &text, &n, err, errn);
        if (rc == KW_OK) {
            rc = net_sig_builder_add(b, text, n, in->rules.v[i], rep);
            free(text);
        }
    }
    if (rc != KW_OK) {
        net_sig_builder_free(b);
        return rc;
    }
    return net_sig_builder_compile(b, out, err, errn);
}

void net_inspect_opts_from_conf(const conf *c, net_inspect_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dns_tunnel = c->net.inspect.dns_tunnel;
    o->dga = c->net.inspect.dga;
    o->cleartext = c->net.inspect.cleartext;
    o->idle_end_s = c->net.idle_end_ms / 1000;
}

/* intel_stix.c: STIX 2.1 indicators. Owns reading a bundle, an array or a single object
 * (jansson), the indicator's validity (revoked, valid_until), the SCOs that carry a value
 * (ipv4-addr, ipv6-addr, domain-name, url), and a small reader of STIX patterns that takes
 * the values of equality comparisons on addresses, domain names and URLs joined by OR,
 * inside one observation or between observations. Patterns that need AND, FOLLOWEDBY,
 * qualifiers or other operators on those objects are skipped, never half-taken. */
#include "intel/intel_int.h"
#include "core/kw_mem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PAT_MAX_DEPTH 16

typedef struct pat {
    const char *s;
    size_t n, i;
    int depth;
    const char *err;      /* why the pattern is skipped; NULL while fine */
    char why[96];         /* the reason when a value is bad */
    intel_entries *out;
    size_t taken;         /* comparisons whose value was added */
    char val[INTEL_MAX_LINE + 1];
    size_t vn;
} pat;

static void pat_ws(pat *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* True (and consumed) if the keyword kw comes next. */
static bool pat_kw(pat *p, const char *kw)
{
    pat_ws(p);
    size_t k = strlen(kw);
    if (p->n - p->i < k || strncasecmp(p->s + p->i, kw, k) != 0 ||
        (p->i + k < p->n && ident_char(p->s[p->i + k])))
        return false;
    p->i += k;
    return true;
}

static bool pat_char(pat *p, char c)
{
    pat_ws(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

static bool pat_fail(pat *p, const char *why)
{
    if (!p->err)
        p->err = why;
    return false;
}

/* A quoted string at p->s[p->i] (the quote) into p->val; \' and \\ are the only escapes. */
static bool pat_string(pat *p)
{
    p->vn = 0;
    for (p->i++; p->i < p->n; p->i++) {
        char c = p->s[p->i];
        if (c == '\'') {
            p->i++;
            p->val[p->vn] = '\0';
            return true;
        }
        if (c == '\\') {
            if (++p->i >= p->n || (p->s[p->i] != '\'' && p->s[p->i] != '\\'))
                return pat_fail(p, "bad escape in a pattern string (only \\' and \\\\)");
            c = p->s[p->i];
        }
        if (p->vn >= INTEL_MAX_LINE)
            return pat_fail(p, "pattern string longer than 4096 bytes");
        p->val[p->vn++] = c;
    }
    return pat_fail(p, "unterminated string in the pattern");
}

/* An object path: type:prop[.prop|[n]|[*]|'quoted']... written into path[pn]. */
static bool pat_path(pat *p, char *path, size_t pn)
{
    pat_ws(p);
    size_t o = 0, start = p->i;
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c == '\'') {
            if (!pat_string(p))
                return false;
            continue;
        }
        if (c == '[' && p->i > start && p->i + 1 < p->n && (p->s[p->i + 1] == '*' || (p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9'))) {
            while (p->i < p->n && p->s[p->i] != ']')
                p->i++;
            if (p->i == p->n)
                return pat_fail(p, "unterminated [ in an object path");
            p->i++;
            continue;
        }
        if (!ident_char(c) && c != ':' && c != '.')
            break;
        if (o + 1 < pn)
            path[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        p->i++;
    }
    path[o] = '\0';
    return o > 0 && strchr(path, ':') ? true : pat_fail(p, "expected an object path such as ipv4-addr:value");
}

/* Any literal (string, t'', h'', b'', number, boolean, or a list for IN); strings land in p->val. */
static bool pat_value(pat *p, bool *is_string)
{
    pat_ws(p);
    *is_string = false;
    if (p->i >= p->n)
        return pat_fail(p, "expected a value");
    char c = p->s[p->i];
    if (c == '(') {
        p->i++;
        do {
            bool s;
            if (!pat_value(p, &s))
                return false;
        } while (pat_char(p, ','));
        return pat_char(p, ')') ? true : pat_fail(p, "expected ')' after a list");
    }
    if ((c == 't' || c == 'h' || c == 'b') && p->i + 1 < p->n && p->s[p->i + 1] == '\'')
        p->i++, c = '\'';
    if (c == '\'') {
        *is_string = true;
        return pat_string(p);
    }
    size_t start = p->i;
    while (p->i < p->n && (ident_char(p->s[p->i]) || p->s[p->i] == '.' || p->s[p->i] == '+'))
        p->i++;
    return p->i > start ? true : pat_fail(p, "expected a value");
}

/* The operator; returns its text ("=", "!=", "LIKE", ...) or NULL. */
static const char *pat_op(pat *p, bool *negated)
{
    static const char *const sym[] = {"!=", "<=", ">=", "=", "<", ">", NULL};
    static const char *const words[] = {"IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", NULL};
    *negated = pat_kw(p, "NOT");
    pat_ws(p);
    for (int k = 0; sym[k]; k++)
        if (p->n - p->i >= strlen(sym[k]) && memcmp(p->s + p->i, sym[k], strlen(sym[k])) == 0) {
            p->i += strlen(sym[k]);
            return sym[k];
        }
    for (int k = 0; words[k]; k++)
        if (pat_kw(p, words[k]))
            return words[k];
    pat_fail(p, "expected a comparison operator");
    return NULL;
}

static int path_hint(const char *path)
{
    static const struct {
        const char *path;
        int hint;
    } ours[] = {
        {"ipv4-addr:value", INTEL_HINT_IP}, {"ipv6-addr:value", INTEL_HINT_IP},
        {"domain-name:value", INTEL_HINT_DOMAIN}, {"url:value", INTEL_HINT_URL},
        {"network-traffic:src_ref.value", INTEL_HINT_IP}, {"network-traffic:dst_ref.value", INTEL_HINT_IP},
    };
    for (size_t k = 0; k < sizeof ours / sizeof ours[0]; k++)
        if (strcmp(path, ours[k].path) == 0)
            return ours[k].hint;
    return -1;
}

static bool pat_comparison(pat *p)
{
    char path[128];
    bool exists = pat_kw(p, "EXISTS"), negated = false, is_string = false;
    if (!pat_path(p, path, sizeof path))
        return false;
    int hint = path_hint(path);
    if (exists)
        return hint < 0 ? true : pat_fail(p, "EXISTS on an address, domain or URL");
    const char *op = pat_op(p, &negated);
    if (!op || !pat_value(p, &is_string))
        return false;
    if (hint < 0)
        return true; /* a comparison on something else (file hashes, ports): not ours */
    bool eq = !negated && (strcmp(op, "=") == 0 || (strcmp(op, "ISSUBSET") == 0 && hint == INTEL_HINT_IP));
    if (!eq || !is_string)
        return pat_fail(p, "an address, domain or URL compared with other than = or ISSUBSET");
    if (intel_value_add(p->out, p->val, p->vn, hint == INTEL_HINT_DOMAIN ? INTEL_HINT_ANY : hint, p->why,
                        sizeof p->why) != KW_OK)
        return pat_fail(p, p->why);
    p->taken++;
    return true;
}

static bool pat_comp_expr(pat *p);

static bool pat_comp_term(pat *p)
{
    if (pat_char(p, '(')) {
        if (++p->depth > PAT_MAX_DEPTH)
            return pat_fail(p, "pattern nested too deeply");
        bool ok = pat_comp_expr(p) && (pat_char(p, ')') || pat_fail(p, "expected ')'"));
        p->depth--;
        return ok;
    }
    return pat_comparison(p);
}

/* term (OR term)*: `and_why` is the reason when AND (or FOLLOWEDBY, where `seq`) joins them. */
static bool pat_or_list(pat *p, bool (*term)(pat *), const char *and_why, bool seq)
{
    if (!term(p))
        return false;
    for (;;) {
        if (pat_kw(p, "OR")) {
            if (!term(p))
                return false;
        } else if (pat_kw(p, "AND") || (seq && pat_kw(p, "FOLLOWEDBY"))) {
            return pat_fail(p, and_why);
        } else {
            return true;
        }
    }
}

static bool pat_comp_expr(pat *p)
{
    return pat_or_list(p, pat_comp_term, "comparisons joined with AND (only OR is taken)", false);
}

static bool pat_obs_expr(pat *p);

static bool pat_obs_term(pat *p)
{
    bool ok;
    if (++p->depth > PAT_MAX_DEPTH)
        return pat_fail(p, "pattern nested too deeply");
    if (pat_char(p, '('))
        ok = pat_obs_expr(p) && (pat_char(p, ')') || pat_fail(p, "expected ')'"));
    else if (pat_char(p, '['))
        ok = pat_comp_expr(p) && (pat_char(p, ']') || pat_fail(p, "expected ']'"));
    else
        ok = pat_fail(p, "expected '[' to open an observation");
    p->depth--;
    if (ok && (pat_kw(p, "WITHIN") || pat_kw(p, "REPEATS") || pat_kw(p, "START")))
        return pat_fail(p, "pattern qualifiers (WITHIN, REPEATS, START) are not taken");
    return ok;
}

static bool pat_obs_expr(pat *p)
{
    return pat_or_list(p, pat_obs_term, "observations joined with AND or FOLLOWEDBY (only OR is taken)", true);
}

/* Reads one pattern; on success the values are in out and *taken says how many. On failure
 * returns the reason (a static string or p->why) and out is as it was. */
static const char *pattern_take(pat *p, const char *s, size_t n, intel_entries *out, size_t *taken)
{
    intel_entries keep = *out;
    p->s = s;
    p->n = n;
    p->i = 0;
    p->depth = 0;
    p->err = NULL;
    p->out = out;
    p->taken = 0;
    if (pat_obs_expr(p)) {
        pat_ws(p);
        if (p->i != p->n)
            pat_fail(p, "unexpected text after the pattern");
    }
    if (p->err) { /* roll back what this pattern added (the arrays may have grown: keep them) */
        out->n_v4 = keep.n_v4;
        out->n_v6 = keep.n_v6;
        out->n_domains = keep.n_domains;
        out->names_len = keep.names_len;
        return p->err;
    }
    *taken = p->taken;
    return NULL;
}

/* ---- validity ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* RFC 3339 "2026-01-01T00:00:00[.sss](Z|+hh:mm)" to Unix milliseconds. */
static bool stix_time(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, se, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19 || mo < 1 ||
        mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    const char *p = s + n;
    int64_t frac = 0, scale = 1000;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale > 1)
                frac += (*p - '0') * (scale /= 10);
    int64_t off = 0;
    if (*p == '+' || *p == '-') {
        int oh, om, m2 = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m2) != 2 || m2 != 5)
            return false;
        off = (*p == '-' ? -1 : 1) * (oh * 60 + om) * 60000LL;
        p += 6;
    } else if (*p == 'Z' || *p == 'z') {
        p++;
    } else {
        return false;
    }
    if (*p)
        return false;
    *ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se) * 1000) + frac - off;
    return true;
}

/* ---- objects ---- */

static void skip_obj(intel_report *rep, size_t idx, const char *why, const char *text)
{
    size_t before = rep->n_skips;
    intel_skip_note(rep, idx, why, text, text ? strlen(text) : 0);
    if (rep->n_skips > before)
        rep->skips[before].object = true;
}

static void stix_indicator(json_t *o, size_t idx, int64_t now_ms, pat *p, intel_entries *out, intel_report *rep)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    if (json_is_true(json_object_get(o, "revoked"))) {
        rep->revoked++;
        return;
    }
    json_t *vu = json_object_get(o, "valid_until");
    int64_t until;
    if (vu && (!json_is_string(vu) || !stix_time(json_string_value(vu), &until))) {
        skip_obj(rep, idx, "bad valid_until timestamp", id);
        return;
    }
    if (vu && until <= now_ms) {
        rep->expired++;
        return;
    }
    json_t *pt = json_object_get(o, "pattern_type");
    if (pt && (!json_is_string(pt) || strcmp(json_string_value(pt), "stix") != 0)) {
        rep->ignored++;
        return;
    }
    json_t *pj = json_object_get(o, "pattern");
    if (!json_is_string(pj)) {
        skip_obj(rep, idx, "indicator without a pattern", id);
        return;
    }
    size_t taken = 0;
    const char *err = pattern_take(p, json_string_value(pj), json_string_length(pj), out, &taken);
    if (err)
        skip_obj(rep, idx, err, json_string_value(pj));
    else if (!taken)
        rep->ignored++;
}

static void stix_object(json_t *o, size_t idx, int64_t now_ms, pat *p, intel_entries *out, intel_report *rep)
{
    static const struct {
        const char *type;
        int hint;
    } scos[] = {{"ipv4-addr", INTEL_HINT_IP}, {"ipv6-addr", INTEL_HINT_IP}, {"domain-name", INTEL_HINT_ANY},
                {"url", INTEL_HINT_URL}};
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!json_is_object(o) || !type) {
        skip_obj(rep, idx, "not a STIX object (no type)", NULL);
        return;
    }
    if (strcmp(type, "indicator") == 0) {
        stix_indicator(o, idx, now_ms, p, out, rep);
        return;
    }
    for (size_t k = 0; k < sizeof scos / sizeof scos[0]; k++) {
        if (strcmp(type, scos[k].type) != 0)
            continue;
        json_t *v = json_object_get(o, "value");
        char why[96];
        if (!json_is_string(v))
            skip_obj(rep, idx, "SCO without a value", type);
        else if (intel_value_add(out, json_string_value(v), json_string_length(v), scos[k].hint, why, sizeof why))
            skip_obj(rep, idx, why, json_string_value(v));
        return;
    }
}

void intel_parse_stix(const char *data, size_t len, int64_t now_ms, intel_entries *out, intel_report *rep)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr);
    if (!root) {
        char why[96];
        snprintf(why, sizeof why, "JSON: %.80s", jerr.text);
        intel_skip_note(rep, jerr.line > 0 ? (size_t)jerr.line : 0, why, NULL, 0);
        return;
    }
    json_t *list = root;
    if (json_is_object(root)) {
        const char *type = json_string_value(json_object_get(root, "type"));
        if (type && strcmp(type, "bundle") == 0)
            list = json_object_get(root, "objects");
    }
    pat *p = kw_malloc(sizeof *p);
    if (json_is_array(list)) {
        for (size_t i = 0; i < json_array_size(list); i++)
            stix_object(json_array_get(list, i), i + 1, now_ms, p, out, rep);
    } else if (json_is_object(list)) {
        stix_object(list, 1, now_ms, p, out, rep);
    } else if (list) {
        intel_skip_note(rep, 1, "a bundle's objects must be an array", NULL, 0);
    }
    free(p);
    json_decref(root);
}

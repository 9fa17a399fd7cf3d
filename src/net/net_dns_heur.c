/* Pure heuristics over DNS names: Shannon entropy, the registered-domain split (a small
 * built-in table of two-level public suffixes, an approximation of the Public Suffix List),
 * a DGA-likeness score for the registered label and a tunnel-likeness score for the labels
 * in front of it. Scores are 0..1; the thresholds are in net_proto.h. They judge the shape of
 * a name only: callers combine them with volume (many names, many TXT answers) before they
 * alert. */
#include "net/net_proto.h"

#include <math.h>
#include <string.h>

double net_dns_entropy(const char *s, size_t n)
{
    unsigned cnt[256] = {0};
    uint8_t distinct[256];
    unsigned k = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (cnt[(uint8_t)s[i]]++ == 0)
            distinct[k++] = (uint8_t)s[i];
    /* H = -sum f log2 f = log2 n - (1/n) sum c log2 c, over the characters that occur */
    double sum = 0;
    for (unsigned i = 0; i < k; i++) {
        double c = cnt[distinct[i]];
        sum += c * log2(c);
    }
    return log2((double)n) - sum / (double)n;
}

/* Two-level public suffixes common in the traffic keepwatch watches (China first). */
static const char *const suffix2[] = {
    "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "mil.cn", "com.hk", "org.hk", "edu.hk",
    "gov.hk", "com.tw", "org.tw", "edu.tw", "gov.tw", "com.mo", "co.uk", "org.uk", "ac.uk", "gov.uk",
    "me.uk", "ltd.uk", "plc.uk", "net.uk", "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "co.kr",
    "or.kr", "ac.kr", "go.kr", "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "org.nz",
    "com.br", "com.sg", "edu.sg", "com.my", "co.in", "co.id", "co.th", "com.vn", "com.ph", "com.pk",
    "co.za", "com.mx", "com.ar", "com.tr", "com.ru", "com.ua", "in-addr.arpa", "ip6.arpa",
};

static bool is_suffix2(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof suffix2 / sizeof suffix2[0]; i++)
        if (strlen(suffix2[i]) == n && memcmp(suffix2[i], s, n) == 0)
            return true;
    return false;
}

size_t net_dns_registered_domain(const char *name)
{
    size_t n = strlen(name);
    size_t dots[3] = {0}, nd = 0;      /* offsets just after the last three dots, nearest first */
    for (size_t i = n; i > 0 && nd < 3; i--)
        if (name[i - 1] == '.')
            dots[nd++] = i;
    if (nd < 1)
        return 0;
    size_t two = nd >= 2 ? dots[1] : 0; /* where the last two labels start */
    if (!is_suffix2(name + two, n - two))
        return two;
    if (nd < 2)
        return 0;
    return nd >= 3 ? dots[2] : 0;
}

/* hex: 0-9 a-f; b32: a-z 2-7; alnum: a-z 0-9 */
static bool label_encoded(const char *s, size_t n)
{
    size_t hex = 0, digits = 0, b32 = 0, alnum = 0;
    if (n < 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool d = c >= '0' && c <= '9', l = c >= 'a' && c <= 'z';
        digits += d;
        hex += d || (c >= 'a' && c <= 'f');
        b32 += l || (c >= '2' && c <= '7');
        alnum += d || l;
    }
    if (hex == n && digits > 0 && digits < n)
        return true;
    double h = net_dns_entropy(s, n);
    if (b32 == n && digits > 0 && h >= 3.5)
        return true;
    return alnum == n && digits >= 2 && h >= 3.8;
}

void net_dns_name_measure(const char *name, net_dns_name_stats *st)
{
    memset(st, 0, sizeof *st);
    st->len = strlen(name);
    size_t reg = net_dns_registered_domain(name);
    st->sub_len = reg ? reg - 1 : 0;
    char sub[256];
    size_t ns = 0;
    for (size_t a = 0; a < st->len;) {
        const char *dot = memchr(name + a, '.', st->len - a);
        size_t e = dot ? (size_t)(dot - name) : st->len;
        st->nlabels++;
        if (e - a > st->longest) {
            st->longest = e - a;
            st->longest_entropy = net_dns_entropy(name + a, e - a);
        }
        if (e <= st->sub_len) {
            st->encoded_labels += label_encoded(name + a, e - a);
            if (e - a > st->sub_longest)
                st->sub_longest = e - a;
            for (size_t i = a; i < e && ns < sizeof sub; i++)
                sub[ns++] = name[i];
        }
        a = e + 1;
    }
    st->sub_entropy = net_dns_entropy(sub, ns);
}

/* Letter pairs that make up 99% of the pairs inside words of English prose: derived for
 * keepwatch by counting pairs in words of three letters or more in the GPL-3, Apache-2.0,
 * GFDL-1.3 and Artistic licence texts and 400 section-1 manual pages of a Debian system,
 * and keeping the most frequent pairs until they covered 99% of all pairs (309 pairs).
 * Row i lists the second letters that commonly follow letter 'a' + i. */
static const char *const common_pairs[26] = {
    "bcdfgiklmnprstuvxy", "aceijlorsuy", "acehiklmoprstuy", "abdeiloprsuy", "abcdefghilmnpqrstuvwxy",
    "aefilortuy", "acehilnorsu", "aeiort", "abcdefgklmnoprstvxz", "eo", "aegis", "adefilopstuvy",
    "abdeilmnopsu", "acdefgiklmnopstuvy", "abcdefgijklmnoprstuvwx", "adehikloprstuy", "u",
    "abcdefgiklmnoprstuvwy", "acefhiklmoprstuwy", "acefhiloprstuwy", "abcdegilmnoprst", "aeio",
    "aehinorsw", "aceipty", "eimnopst", "ae",
};

static bool pair_common(char a, char b)
{
    return strchr(common_pairs[a - 'a'], b) != NULL;
}

typedef struct label_shape {
    size_t letters, digits, vowels, pairs, rare_pairs, max_consonants;
} label_shape;

static bool is_vowel(char c)
{
    return c && strchr("aeiouy", c);
}

static void label_shape_of(const char *s, size_t n, label_shape *sh)
{
    memset(sh, 0, sizeof *sh);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool l = c >= 'a' && c <= 'z';
        sh->letters += l;
        sh->digits += c >= '0' && c <= '9';
        sh->vowels += is_vowel(c);
        run = l && !is_vowel(c) ? run + 1 : 0;
        if (run > sh->max_consonants)
            sh->max_consonants = run;
        if (i + 1 < n && l && s[i + 1] >= 'a' && s[i + 1] <= 'z') {
            sh->pairs++;
            sh->rare_pairs += !pair_common(c, s[i + 1]);
        }
    }
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* The label just left of the public suffix: [*a, *a + *len). */
static void registered_label(const char *name, size_t *a, size_t *len)
{
    size_t reg = net_dns_registered_domain(name);
    const char *dot = strchr(name + reg, '.');
    *a = reg;
    *len = dot ? (size_t)(dot - (name + reg)) : strlen(name + reg);
}

/* Weights: rare pairs 0.25 (full at half the pairs rare), entropy 0.33 (2.5..3.5 bits), few
 * vowels 0.17, consonant runs 0.08, digits mixed into letters 0.09, length 0.08 (6..12);
 * labels under 10 bytes are scaled down (too short to tell; many real short names are
 * abbreviations such as "xhscdn"). Tuned on 120 popular Chinese and global registered labels
 * (highest 0.48) and random-letter labels of 12 to 18 bytes (about 96% at the threshold). */
double net_dns_dga_score(const char *name)
{
    size_t a, n;
    registered_label(name, &a, &n);
    const char *s = name + a;
    label_shape sh;
    label_shape_of(s, n, &sh);
    if (n < 5 || sh.letters == 0)
        return 0;
    double rare = sh.pairs ? clamp01((double)sh.rare_pairs / (double)sh.pairs / 0.5) : 0;
    double ent = clamp01(net_dns_entropy(s, n) - 2.5);
    double vow = clamp01((0.32 - (double)sh.vowels / (double)sh.letters) / 0.17);
    double cons = clamp01(((double)sh.max_consonants - 2) / 3);
    double mix = sh.digits ? clamp01((double)sh.digits / (double)n * 2.5) : 0;
    double len = clamp01(((double)n - 6) / 6);
    double score = 0.25 * rare + 0.33 * ent + 0.17 * vow + 0.08 * cons + 0.09 * mix + 0.08 * len;
    return n < 10 ? score * (double)n / 10 : score;
}

/* Weights: subdomain length 0.25 (20..60 bytes), longest label 0.25 (20..50), subdomain
 * entropy 0.20 (3.0..4.5 bits), an encoded-looking label 0.30. */
double net_dns_tunnel_score(const char *name)
{
    net_dns_name_stats st;
    net_dns_name_measure(name, &st);
    if (st.sub_len == 0)
        return 0;
    double sub = clamp01(((double)st.sub_len - 20) / 40);
    double lab = clamp01(((double)st.sub_longest - 20) / 30);
    double ent = clamp01((st.sub_entropy - 3.0) / 1.5);
    double enc = st.encoded_labels ? 1 : 0;
    return 0.25 * sub + 0.25 * lab + 0.20 * ent + 0.30 * enc;
}

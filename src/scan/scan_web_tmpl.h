/* Nuclei-format HTTP templates (scan.web.templates): the model a template file loads into, the
 * loader (scan_web_tmpl_load.c: a buffer, pure; scan_web_tmpl_dir.c: directories), the
 * variables and the matching of one answer (scan_web_tmpl_match.c, pure), and the check that
 * sends a site every loaded template (scan_web_tmpl.c, web_check_templates).
 *
 * The supported subset: `id`, `info` (name, severity, description, reference, classification
 * cwe-id / cvss-metrics / cvss-score / cve-id, tags, remediation), `variables` of plain strings,
 * `http:` (or the older `requests:`) blocks with method, path, raw (plain requests), headers,
 * body, payloads (lists; one, pitchfork or clusterbomb), redirects / host-redirects,
 * max-redirects, stop-at-first-match, matchers-condition,
 * matchers of type word, status, regex, size, binary and dsl (a subset: scan_web_tmpl_dsl.c)
 * (part, condition, negative,
 * case-insensitive, encoding hex, match-all, name), regex and kval extractors (part, group,
 * name, internal: an internal one's value feeds the block's later requests as {{name}}).
 * Variables: BaseURL, RootURL, Hostname, Host, Port, Path, File, Scheme, Input, FQDN, randstr
 * (DN, RDN, SD, TLD are known but have no value: a request naming one is not sent), the
 * template's variables, payload values, and expressions of the DSL subset in {{...}}.
 * Anything else (another protocol, xpath/json matchers, a payload file, fuzzing, flow,
 * req-condition, an unknown {{...}}) makes the whole template skipped with a one-line reason:
 * a template is run whole or not at all. */
#ifndef KW_SCAN_WEB_TMPL_H
#define KW_SCAN_WEB_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "findings/finding.h"
#include "scan/scan_web.h"

/* ---- limits: what one hostile template file or directory can make the loader do ---- */

#define WEB_TMPL_FILE_MAX (1u << 20)  /* bytes of one template file; larger ones are skipped */
#define WEB_TMPL_COUNT_MAX 20000      /* template files read from all directories together */
#define WEB_TMPL_DEPTH_MAX 16         /* directory levels below a given directory */
#define WEB_TMPL_NODES_MAX 200000     /* YAML nodes one template may make the loader visit
                                         (aliases included): past it the template is skipped */
#define WEB_TMPL_STR_MAX 65536        /* bytes of one string (a word, a path, a raw request) */
#define WEB_TMPL_WHY_MAX 256          /* a skip reason or an error, NUL included */

/* ---- the model ---- */

typedef enum web_tmpl_mtype {
    WEB_TMPL_WORD = 0,
    WEB_TMPL_STATUS,
    WEB_TMPL_REGEX,
    WEB_TMPL_SIZE,
    WEB_TMPL_BINARY,                 /* hex-encoded byte strings, matched as words */
    WEB_TMPL_DSL,                    /* expressions in the subset scan_web_tmpl_dsl.c evaluates */
} web_tmpl_mtype;

typedef enum web_tmpl_part {
    WEB_TMPL_BODY = 0,               /* the default */
    WEB_TMPL_HEADER,                 /* "header", "all_headers": the header block */
    WEB_TMPL_ALL,                    /* "all": body then header block */
    WEB_TMPL_RESPONSE,               /* "response", "raw": header block then body */
    WEB_TMPL_NAMED,                  /* one header by its nuclei key: "content_type", "location" */
} web_tmpl_part;

struct pcre2_real_code_8;            /* pcre2_code, kept out of the header */
typedef struct web_tmpl_dsl web_tmpl_dsl; /* one compiled DSL expression */

typedef struct web_tmpl_matcher {
    web_tmpl_mtype type;
    web_tmpl_part part;
    char *part_name;                 /* WEB_TMPL_NAMED: the key, lower case, '_' for '-' */
    char *name;                      /* the matcher's name (NULL: none) */
    char **vals;                     /* words (binary decoded, lower-cased when nocase), or regex
                                        sources */
    size_t *lens;                    /* each val's length (a decoded binary word may hold NUL) */
    struct pcre2_real_code_8 **re;   /* WEB_TMPL_REGEX: one compiled per val */
    web_tmpl_dsl **dsl;              /* WEB_TMPL_DSL: one compiled per val */
    size_t nvals;
    long *nums;                      /* status codes or sizes */
    size_t nnums;
    bool and_;                       /* condition: and (default or) */
    bool negative, nocase, match_all;
} web_tmpl_matcher;

typedef struct web_tmpl_extractor {
    char *name;                      /* NULL: none */
    web_tmpl_part part;
    char *part_name;
    struct pcre2_real_code_8 **re;
    char **src;                      /* the regex sources, or the kval keys (lower case, '_') */
    size_t nre;
    unsigned group;
    bool internal;                   /* feeds later requests, not shown */
    bool kval;                       /* a kval extractor: the values of the headers src names */
} web_tmpl_extractor;

typedef struct web_tmpl_var {
    char *name, *value;              /* value may name other variables: {{Hostname}} */
} web_tmpl_var;

/* One request a block sends: every string may hold {{variables}}, expanded when it is sent. */
typedef struct web_tmpl_send {
    char *method;                    /* "GET", "POST", ... */
    char *url;                       /* "{{BaseURL}}/.git/config"; a raw request's path is joined
                                        to {{BaseURL}} at load time */
    char **headers;                  /* "Name: value" (Host, Content-Length and Connection of a
                                        raw request are left to libcurl) */
    size_t nheaders;
    char *content_type;              /* taken out of the headers; NULL: none */
    char *body;                      /* NULL: none */
    web_tmpl_var *payload;           /* the payload values this request was made with (also
                                        substituted above): variables while it is matched */
    size_t npayload;
} web_tmpl_send;

/* One http: block: its requests and the operators applied to each answer. */
typedef struct web_tmpl_block {
    web_tmpl_send *sends;
    size_t nsends;
    web_tmpl_matcher *m;
    size_t nm;
    web_tmpl_extractor *x;
    size_t nx;
    char **pnames;                   /* the payload lists' names */
    size_t npnames;
    bool and_;                       /* matchers-condition: and (default or) */
    bool follow;                     /* redirects or host-redirects */
    bool stop_first;                 /* stop-at-first-match */
} web_tmpl_block;

typedef struct web_tmpl {
    char *file;                      /* where it was loaded from */
    char *id;                        /* the check id its findings carry */
    char *name;                      /* info.name (the id when none) */
    finding_sev severity;
    char *description, *reference;   /* reference: the list joined with ", "; NULL none */
    char *cwe, *cve, *cvss_vector;   /* classification; the first of a list; NULL none */
    double cvss_score;               /* < 0 when none */
    char *tags;                      /* comma-separated, as given ("" none) */
    char *remediation;               /* NULL none */
    const char *category;            /* DESIGN.md's category, from tags and cwe */
    web_tmpl_var *vars;
    size_t nvars;
    web_tmpl_block *blocks;
    size_t nblocks;
} web_tmpl;

typedef struct web_tmpl_set {
    web_tmpl **t;
    size_t n;
    size_t skipped;                  /* files that were skipped or did not load */
} web_tmpl_set;

/* ---- loading ---- */

/* Parses one template from data[len] (`name` names it in messages). KW_OK: *out is the
 * template (the caller frees it with web_tmpl_free). KW_ERR_UNSUPPORTED: it uses something
 * keepwatch does not run; why says what ("dsl matcher", "payloads", "protocol dns"). KW_ERR_PARSE:
 * it is not a template (malformed YAML, a missing id, a wrong type); why says where
 * ("NAME:LINE:COL: ..."). id (idn bytes) receives the template's id when it was read ("" none).
 * Pure: no I/O. */
kw_rc web_tmpl_parse(const char *name, const char *data, size_t len, web_tmpl **out, char *id,
                     size_t idn, char *why, size_t whyn);
void web_tmpl_free(web_tmpl *t);

/* Loads every *.yaml / *.yml file below dirs[0..n) (recursively, at most WEB_TMPL_DEPTH_MAX
 * levels, WEB_TMPL_COUNT_MAX files, each at most WEB_TMPL_FILE_MAX bytes; symbolic links to
 * directories are not followed). A file that is skipped or malformed is handed to on_skip (may
 * be NULL) with its path, its id when known (else NULL) and the reason, and loading goes on.
 * KW_OK: *out is the set (possibly empty), the caller frees it with web_tmpl_set_free. An error
 * (a directory that cannot be read, too many files) is KW_ERR_IO / KW_ERR_FULL with err saying
 * which; nothing is returned then. */
kw_rc web_tmpl_load_dirs(char *const *dirs, size_t n, web_tmpl_set **out,
                         void (*on_skip)(void *arg, const char *path, const char *id, const char *why),
                         void *arg, char *err, size_t errn);
void web_tmpl_set_free(web_tmpl_set *s);
size_t web_tmpl_count(const web_tmpl_set *s);

/* An on_skip that prints "skipped TEMPLATE: reason" on the FILE * given as arg (stderr when
 * NULL); TEMPLATE is the id when known, else the path. */
void web_tmpl_print_skip(void *arg, const char *path, const char *id, const char *why);

/* ---- variables (pure) ---- */

typedef struct web_tmpl_vars {
    web_tmpl_var v[64];              /* borrowed strings */
    size_t n;
} web_tmpl_vars;

/* Sets name to value in vs (replacing an earlier value); false when vs is full. */
bool web_tmpl_vars_set(web_tmpl_vars *vs, const char *name, const char *value);
/* Fills vs with the URL variables of base ("http://h:p/app/": BaseURL "http://h:p/app",
 * RootURL, Hostname "h:p", Host, Port, Path, File, Scheme, Input, FQDN), their strings written
 * into store (of storen bytes, which must outlive vs). KW_ERR_PARSE: base is not http(s)://. */
kw_rc web_tmpl_vars_url(web_tmpl_vars *vs, const char *base, char *store, size_t storen);
/* Appends s with every {{name}} (blanks inside the braces allowed) replaced by its value in vs
 * to out. KW_ERR_NOTFOUND: s names a variable vs does not hold (out then holds a partial
 * result, not to be sent); KW_ERR_FULL: out's ceiling. */
kw_rc web_tmpl_expand(const char *s, const web_tmpl_vars *vs, kw_buf *out);

/* ---- DSL expressions (scan_web_tmpl_dsl.c, pure) ---- */

/* Compiles src. KW_ERR_UNSUPPORTED: it uses what the subset lacks (a function, a variable of
 * another request); KW_ERR_PARSE: it is not an expression. why says which. The caller frees
 * *out. */
kw_rc web_tmpl_dsl_compile(const char *src, web_tmpl_dsl **out, char *why, size_t whyn);
void web_tmpl_dsl_free(web_tmpl_dsl *d);
/* The i-th name d reads ("body", "content_type", "username"); NULL past the last. */
const char *web_tmpl_dsl_var(const web_tmpl_dsl *d, size_t i);

/* What an expression reads its names through. */
typedef struct web_tmpl_dsl_io {
    /* The value of `name`: a string (*s, *n) or a number (*num, *is_num true); false when there
     * is none (the expression using it is then false). */
    bool (*get)(void *arg, const char *name, const char **s, size_t *n, double *num, bool *is_num);
    /* A string literal holding {{...}} expanded into out (NULL: taken as it is). */
    kw_rc (*expand)(void *arg, const char *s, kw_buf *out);
    void *arg;
    void *md, *mc;                   /* a pcre2_match_data (of at least 1 pair) and a
                                        pcre2_match_context with its limits, for regex() */
    const char *seed;                /* of the rand_* functions: the run's {{randstr}} */
} web_tmpl_dsl_io;

/* Whether d holds on what io gives. */
bool web_tmpl_dsl_eval(const web_tmpl_dsl *d, const web_tmpl_dsl_io *io);
/* d's value as text appended to out (a number in the shortest form, true as "true");
 * KW_ERR_NOTFOUND when it has none (a name without a value). */
kw_rc web_tmpl_dsl_value(const web_tmpl_dsl *d, const web_tmpl_dsl_io *io, kw_buf *out);

/* ---- matching one answer (pure) ---- */

typedef struct web_tmpl_answer {
    long status;
    const char *headers;             /* the raw header block (status line included) */
    size_t hlen;
    const char *body;
    size_t blen;
} web_tmpl_answer;

typedef struct web_tmpl_result {
    bool matched;                    /* report it: the matchers hold, or there are none and a
                                        non-internal extractor found something */
    kw_buf detail;                   /* "word 'ref: refs/heads' in body; extracted: x, y" */
    kw_buf excerpt;                  /* the answer around what matched, control bytes as '.' */
    kw_buf internal;                 /* internal extractors' values: "name\0value\0" pairs */
} web_tmpl_result;

void web_tmpl_result_init(web_tmpl_result *r);
void web_tmpl_result_free(web_tmpl_result *r);

/* Applies block b's extractors and matchers to answer a (words expanded with vs first) into r
 * (initialised by the caller; reset here). KW_OK, or KW_ERR_NOTFOUND when a word names an
 * unknown variable (then nothing matched). */
kw_rc web_tmpl_eval(const web_tmpl_block *b, const web_tmpl_answer *a, const web_tmpl_vars *vs,
                    web_tmpl_result *r);

/* ---- running one template against a site (scan_web_tmpl_run.c) ---- */

/* What a run sends and reports through: web_send, web_response_free, web_report, web_marker
 * and web_stopping in a scan (scan_web_tmpl.c); fakes in the unit tests. */
typedef struct web_tmpl_io {
    kw_rc (*send)(void *arg, const web_request *rq, web_response *out);
    void (*response_free)(web_response *r);
    kw_rc (*report)(void *arg, const web_issue *is);
    void (*marker)(void *arg, char *out, size_t n);
    bool (*stopping)(void *arg);
    void *arg;
} web_tmpl_io;

/* Sends t's requests to the site at base ("http://h:p/") through io and reports each match
 * that a second sending of the same request confirms (check id: t's id; place: the request's
 * URL without its query). A block stops at its first
 * match with stop-at-first-match, every block when io says the scan is stopping. */
void web_tmpl_run(const web_tmpl *t, const char *base, const web_tmpl_io *io);

#endif

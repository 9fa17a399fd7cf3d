/* The pure parts of the web scanner's exposed-files check (scan_web_files.c) and passive checks
 * (scan_web_passive.c): the table of files to probe and the content proof of each, how like a
 * site's answer to a missing page an answer is (soft 404), directory-listing and stack-trace
 * signatures, and what a response's header block says about security headers, cookies and
 * version banners. No I/O: bytes in, verdicts out; every input is a hostile site's answer.
 * Implemented in scan_web_files_sig.c (probes, proofs, soft 404, header lookup) and
 * scan_web_passive_sig.c (headers, cookies, banners, listings, stack traces). */
#ifndef KW_SCAN_WEB_SIG_H
#define KW_SCAN_WEB_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"
#include "findings/finding.h"
#include "scan/scan_web.h"

/* ---- small text helpers (web_find and web_header_in of scan_web.h besides) ---- */

/* The site of an absolute http(s) URL, "scheme://authority/", into out (of outn bytes); *path
 * (may be NULL) points at the URL's path in url. False when url is not http(s) or does not fit. */
bool web_sig_site(const char *url, char *out, size_t outn, const char **path);

/* url without its query and fragment into out (of outn bytes, cut to fit). */
void web_sig_page(const char *url, char *out, size_t outn);

/* The text of the first <title> of an HTML body, blanks trimmed, into out (of outn bytes,
 * cut to fit); "" when none. */
void web_sig_title(const char *body, size_t len, char *out, size_t outn);

/* ---- exposed files: what to probe and what proves it ---- */

typedef enum web_proof {
    WEB_PROOF_GIT_HEAD = 0,          /* "ref: refs/..." or a 40-hex commit id, alone */
    WEB_PROOF_GIT_CONFIG,            /* an ini file with a [core] section */
    WEB_PROOF_SVN_ENTRIES,           /* a format number line (old: then "dir"), or <wc-entries */
    WEB_PROOF_SQLITE,                /* "SQLite format 3\0" magic (.svn/wc.db) */
    WEB_PROOF_ENV,                   /* mostly KEY=VALUE lines, two or more */
    WEB_PROOF_DS_STORE,              /* "\0\0\0\1Bud1" magic */
    WEB_PROOF_SOURCE,                /* server-side source text: <?php, <%@, <%=, <configuration */
    WEB_PROOF_SWAP,                  /* a vim swap file: "b0VIM" magic */
    WEB_PROOF_ARCHIVE,               /* zip "PK\3\4", gzip "\x1f\x8b", 7z, rar magic */
    WEB_PROOF_SQL_DUMP,              /* CREATE TABLE / INSERT INTO text that is not HTML */
    WEB_PROOF_PHPINFO,               /* "PHP Version", "phpinfo()" and its e/v table cells */
    WEB_PROOF_ADMIN,                 /* a login form or a title naming administration */
    WEB_PROOF_PHPMYADMIN,            /* title or login fields of phpMyAdmin */
    WEB_PROOF_ADMINER,               /* title of Adminer */
    WEB_PROOF_TOMCAT,                /* Tomcat manager: its 401 realm or its page title */
    WEB_PROOF_WORDPRESS,             /* wp-login.php's form */
    WEB_PROOF_SERVER_STATUS,         /* Apache mod_status page */
    WEB_PROOF_ACTUATOR,              /* Spring Boot actuator index (JSON _links) */
    WEB_PROOF_ACTUATOR_ENV,          /* Spring Boot /actuator/env (propertySources) */
} web_proof;

/* The check ids the exposed-files probes report under. */
typedef enum web_file_kind {
    WEB_FILE_GIT = 0,
    WEB_FILE_SVN,
    WEB_FILE_ENV,
    WEB_FILE_BACKUP,
    WEB_FILE_PHPINFO,
    WEB_FILE_ADMIN,
    WEB_FILE_NKINDS,
} web_file_kind;

/* What a kind is reported as: its check id, category, CWE, titles and advice. */
typedef struct web_file_kind_info {
    const char *check_id;
    const char *category;
    const char *cwe;
    const char *title, *title_zh;
    const char *advice_en, *advice_zh;
} web_file_kind_info;
extern const web_file_kind_info web_file_kinds[WEB_FILE_NKINDS];

typedef struct web_file_probe {
    const char *path;                /* from the site root, no leading '/'; "{host}" stands for
                                        the site's host name */
    web_proof proof;
    web_file_kind kind;
    finding_sev severity;
    unsigned group;                  /* nonzero: once one probe of the group is proven, the rest
                                        of the group are not sent (one repository, one finding) */
    unsigned profiles;               /* web_profile bits it runs in */
} web_file_probe;

extern const web_file_probe web_file_probes[];
extern const size_t web_nfile_probes;

/* An answer as the proofs see it. */
typedef struct web_answer {
    long status;
    const char *body;
    size_t len;
    const char *headers;             /* raw block; may be NULL */
    size_t hlen;
    const char *path;                /* the path that was asked for ("/.git/HEAD") */
    const char *final_path;          /* the path answered, after redirects (NULL: the same) */
} web_answer;

/* True when a proves that the file or console `proof` looks for is there; *at is the offset in
 * a->body of what shows it (for the evidence excerpt). Status must be 2xx (401 for the Tomcat
 * manager's realm). */
bool web_file_proven(web_proof proof, const web_answer *a, size_t *at);

/* The probes for a page the crawl found: backup names of its file ("x.php.bak", "x.php~",
 * ".x.php.swp") written as paths into out[k] (each of outn bytes); returns how many (0 when the
 * URL's last segment is not a server-side script). path is the URL's path, query cut. */
size_t web_file_page_backups(const char *path, char out[][512], size_t max, unsigned profile);

/* A page the crawl fetched at path (query cut) whose name says what it is (a dump, a backup-named
 * archive, a backup or swap copy, .env, a repository file) and whose body proves it, or whose
 * body is phpinfo() whatever its name: true, *out set to the probe it stands for (its path is
 * path; its group the table's for repository files) and *at to the proof's offset. */
bool web_file_page_proven(const char *path, const web_answer *a, web_file_probe *out, size_t *at);

/* ---- soft 404: how the site answers a page that is not there ---- */

#define WEB_SOFT404_TOKENS 4096      /* distinct words kept of a body */

typedef struct web_soft404 {
    long status;
    uint64_t *tok;                   /* sorted distinct word hashes of the body */
    size_t ntok;
    size_t len;
} web_soft404;

/* Learns a missing page's answer (status and body; the words of `asked`, the path that was
 * requested, are left out since sites echo it). The caller frees with web_soft404_free. */
void web_soft404_learn(web_soft404 *s, long status, const char *body, size_t len, const char *asked);
void web_soft404_free(web_soft404 *s);

/* How alike two learnt bodies are: shared distinct words over all distinct words (1 when
 * both have none). */
double web_soft404_similarity(const web_soft404 *a, const web_soft404 *b);

/* True when the answer (status, body) to `asked` is like the learnt missing page s: the same
 * status and a similarity of at least 0.8. */
bool web_soft404_like(const web_soft404 *s, long status, const char *body, size_t len, const char *asked);

/* ---- passive: header blocks, listings, stack traces ---- */

typedef struct web_hdr_sum {
    bool csp;                        /* Content-Security-Policy (enforced, not Report-Only) */
    bool frame_ancestors;            /* ... with a frame-ancestors directive */
    bool xfo;                        /* X-Frame-Options DENY or SAMEORIGIN (or ALLOW-FROM) */
    bool xcto;                       /* X-Content-Type-Options: nosniff */
    bool hsts;                       /* Strict-Transport-Security with max-age > 0 */
} web_hdr_sum;

/* What the security headers of header block h[n] are. */
void web_hdrs_security(const char *h, size_t n, web_hdr_sum *out);

#define WEB_COOKIE_NAME_MAX 128

typedef struct web_cookie {
    char name[WEB_COOKIE_NAME_MAX];  /* cut to fit */
    bool secure, httponly, samesite; /* the attributes it was set with */
    bool samesite_none;              /* SameSite=None */
    bool session;                    /* its name looks like a session or auth token */
    bool deleting;                   /* Max-Age=0 / an expiry in the past: a deletion */
    const char *line;                /* its Set-Cookie value, a pointer into the block */
    size_t line_len;
} web_cookie;

/* The cookies the Set-Cookie headers of h[n] set, at most max of them into out; returns how
 * many. */
size_t web_hdrs_cookies(const char *h, size_t n, web_cookie *out, size_t max);

/* True when the cookie name looks like a session or authentication token (PHPSESSID,
 * JSESSIONID, connect.sid, session, auth_token, ...; not CSRF tokens, which scripts read). */
bool web_cookie_is_session(const char *name);

#define WEB_BANNER_MAX 160

/* The version banners of h[n] (Server, X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version,
 * X-Generator ... whose value carries a version number "x.y") as "Name: value" lines into
 * out[k]; returns how many (at most max). */
size_t web_hdrs_banners(const char *h, size_t n, char out[][WEB_BANNER_MAX], size_t max);

/* True when body[len] is a server's directory listing (Apache, nginx, lighttpd "Index of /",
 * Python's "Directory listing for /", IIS "[To Parent Directory]", Tomcat, Node serve-index);
 * *at: where, *what: which server's shape. */
bool web_listing_find(const char *body, size_t len, size_t *at, const char **what);

/* True when the URL path (query cut or not) lies below a version-control directory
 * ("/.git/hooks/", "/app/.svn/pristine/"; not "/.git/" itself): its listings are the
 * repository's, which the exposed-files check reports once. */
bool web_path_in_vcs(const char *path);

/* True when body[len] shows a stack trace or a framework's debug error page (Python traceback,
 * Java exception frames, PHP fatal errors and warnings with file and line, ASP.NET's error
 * page, Node/Express frames, Go panics, Ruby on Rails, Django, Laravel, Werkzeug) in its first
 * 512 KiB; *at: where, *what: which. */
bool web_stacktrace_find(const char *body, size_t len, size_t *at, const char **what);

#endif

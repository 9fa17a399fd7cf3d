/* The exposed-files check's data and pure verdicts: the table of paths to probe with the content
 * proof of each, the proofs themselves (magic numbers, file shapes, console titles), the backup
 * names of a crawled page, the soft-404 model (how alike an answer is to the site's answer for
 * a missing page), and the small text helpers (case-insensitive search, header lookup on a raw
 * block, page title) the passive checks share. No I/O. */
#include "scan/scan_web_sig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"
#include "scan/scan_web.h"

#define ALL (WEB_QUICK | WEB_STANDARD | WEB_THOROUGH)
#define STD (WEB_STANDARD | WEB_THOROUGH)
#define THO WEB_THOROUGH

enum { G_NONE, G_GIT, G_SVN, G_ENV, G_PHPINFO };

/* What to ask for, in order. Repositories and secrets first, then backups, dumps, consoles. */
const web_file_probe web_file_probes[] = {
    {".git/HEAD", WEB_PROOF_GIT_HEAD, WEB_FILE_GIT, FINDING_HIGH, G_GIT, ALL},
    {".git/config", WEB_PROOF_GIT_CONFIG, WEB_FILE_GIT, FINDING_HIGH, G_GIT, ALL},
    {".svn/wc.db", WEB_PROOF_SQLITE, WEB_FILE_SVN, FINDING_HIGH, G_SVN, ALL},
    {".svn/entries", WEB_PROOF_SVN_ENTRIES, WEB_FILE_SVN, FINDING_HIGH, G_SVN, ALL},
    {".env", WEB_PROOF_ENV, WEB_FILE_ENV, FINDING_HIGH, G_ENV, ALL},
    {".env.bak", WEB_PROOF_ENV, WEB_FILE_ENV, FINDING_HIGH, G_ENV, STD},
    {".env.local", WEB_PROOF_ENV, WEB_FILE_ENV, FINDING_HIGH, G_ENV, THO},
    {".DS_Store", WEB_PROOF_DS_STORE, WEB_FILE_BACKUP, FINDING_MEDIUM, G_NONE, ALL},
    {"index.php.bak", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {"index.php~", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {".index.php.swp", WEB_PROOF_SWAP, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {"index.php.old", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, THO},
    {"config.php.bak", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {"config.php~", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, STD},
    {"config.inc.php.bak", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, STD},
    {"wp-config.php.bak", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, STD},
    {"wp-config.php~", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, THO},
    {"web.config.bak", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, THO},
    {"www.zip", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {"backup.zip", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {"site.tar.gz", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {"www.tar.gz", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, STD},
    {"backup.tar.gz", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, STD},
    {"{host}.zip", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, STD},
    {"{host}.tar.gz", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, THO},
    {"site.zip", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, THO},
    {"web.zip", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, THO},
    {"backup.sql", WEB_PROOF_SQL_DUMP, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {"dump.sql", WEB_PROOF_SQL_DUMP, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, ALL},
    {"database.sql", WEB_PROOF_SQL_DUMP, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, STD},
    {"db.sql", WEB_PROOF_SQL_DUMP, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, STD},
    {"{host}.sql", WEB_PROOF_SQL_DUMP, WEB_FILE_BACKUP, FINDING_HIGH, G_NONE, THO},
    {"phpinfo.php", WEB_PROOF_PHPINFO, WEB_FILE_PHPINFO, FINDING_MEDIUM, G_PHPINFO, ALL},
    {"info.php", WEB_PROOF_PHPINFO, WEB_FILE_PHPINFO, FINDING_MEDIUM, G_PHPINFO, ALL},
    {"php_info.php", WEB_PROOF_PHPINFO, WEB_FILE_PHPINFO, FINDING_MEDIUM, G_PHPINFO, STD},
    {"test.php", WEB_PROOF_PHPINFO, WEB_FILE_PHPINFO, FINDING_MEDIUM, G_PHPINFO, THO},
    {"admin/", WEB_PROOF_ADMIN, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, ALL},
    {"administrator/", WEB_PROOF_ADMIN, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, STD},
    {"admin.php", WEB_PROOF_ADMIN, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, STD},
    {"wp-admin/", WEB_PROOF_WORDPRESS, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, STD},
    {"phpmyadmin/", WEB_PROOF_PHPMYADMIN, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, ALL},
    {"pma/", WEB_PROOF_PHPMYADMIN, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, THO},
    {"adminer.php", WEB_PROOF_ADMINER, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, STD},
    {"manager/html", WEB_PROOF_TOMCAT, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, ALL},
    {"server-status", WEB_PROOF_SERVER_STATUS, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, ALL},
    {"actuator", WEB_PROOF_ACTUATOR, WEB_FILE_ADMIN, FINDING_MEDIUM, G_NONE, STD},
    {"actuator/env", WEB_PROOF_ACTUATOR_ENV, WEB_FILE_ADMIN, FINDING_HIGH, G_NONE, ALL},
};
const size_t web_nfile_probes = sizeof web_file_probes / sizeof web_file_probes[0];

const web_file_kind_info web_file_kinds[WEB_FILE_NKINDS] = {
    [WEB_FILE_GIT] = {"KW-WEB-GIT", "sensitive_file", "CWE-527", "Git repository exposed on the web site",
                      "网站暴露了 Git 仓库",
                      "Deny access to /.git/ in the web server (or deploy without the .git directory); assume "
                      "the source and any secrets in its history are known and rotate those secrets.",
                      "在 Web 服务器上禁止访问 /.git/（或部署时不带 .git 目录）；视源代码及其历史中的密钥为已泄露，"
                      "并更换这些密钥。"},
    [WEB_FILE_SVN] = {"KW-WEB-SVN", "sensitive_file", "CWE-527", "Subversion working copy exposed on the web site",
                      "网站暴露了 Subversion 工作副本",
                      "Deny access to /.svn/ in the web server (or deploy with svn export, without .svn); "
                      "rotate any secret the source contains.",
                      "在 Web 服务器上禁止访问 /.svn/（或用 svn export 部署，不带 .svn 目录）；更换源代码中的密钥。"},
    [WEB_FILE_ENV] = {"KW-WEB-ENV", "sensitive_file", "CWE-538", "Environment file (.env) readable on the web site",
                      "网站上可读取环境配置文件（.env）",
                      "Keep .env outside the document root or deny dotfiles in the web server; rotate every "
                      "password and key it holds.",
                      "将 .env 移出网站根目录，或在 Web 服务器上禁止访问以点开头的文件；更换其中所有密码和密钥。"},
    [WEB_FILE_BACKUP] = {"KW-WEB-BACKUP", "sensitive_file", "CWE-538",
                         "Backup, editor or archive copy of the site readable on the web site",
                         "网站上可下载备份、编辑器临时文件或站点压缩包",
                         "Remove backup copies, editor swap files, archives and database dumps from the document "
                         "root, and deny such names (*.bak, *~, *.swp, *.sql, *.zip) in the web server.",
                         "从网站根目录删除备份副本、编辑器交换文件、压缩包和数据库导出文件，并在 Web 服务器上禁止访问"
                         "此类文件名（*.bak、*~、*.swp、*.sql、*.zip）。"},
    [WEB_FILE_PHPINFO] = {"KW-WEB-PHPINFO", "sensitive_file", "CWE-200", "phpinfo() page exposed",
                          "暴露了 phpinfo() 页面",
                          "Delete the phpinfo page; it shows paths, versions, modules and environment variables.",
                          "删除 phpinfo 页面；它会泄露路径、版本、模块和环境变量。"},
    [WEB_FILE_ADMIN] = {"KW-WEB-ADMIN", "exposed_service", "CWE-284", "Administration console reachable from the scanner",
                        "管理控制台可从外部访问",
                        "Do not expose administration consoles to the network the site serves: restrict them to "
                        "an administration network or VPN (allow-list by address) and require strong "
                        "authentication.",
                        "不要把管理控制台暴露在网站所服务的网络上：仅允许管理网段或 VPN 访问（按地址白名单），并使用"
                        "强认证。"},
};

static bool has(const char *h, size_t n, const char *needle)
{
    return web_find(h, n, needle) != (size_t)-1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void web_sig_title(const char *body, size_t len, char *out, size_t outn)
{
    out[0] = '\0';
    size_t t = web_find(body, len, "<title");
    if (t == (size_t)-1)
        return;
    const char *gt = memchr(body + t, '>', len - t);
    if (!gt)
        return;
    size_t a = (size_t)(gt - body) + 1, e = web_find(body + a, len - a, "</title");
    e = e == (size_t)-1 ? len : a + e;
    while (a < e && is_blank(body[a]))
        a++;
    while (e > a && is_blank(body[e - 1]))
        e--;
    size_t m = e - a < outn - 1 ? e - a : outn - 1;
    for (size_t i = 0; i < m; i++)
        out[i] = (unsigned char)body[a + i] < 0x20 ? ' ' : body[a + i];
    out[m] = '\0';
}

/* ---- the proofs ---- */

static size_t first_nonblank(const char *b, size_t n)
{
    size_t i = 0;
    while (i < n && is_blank(b[i]))
        i++;
    return i;
}

static bool looks_html(const char *b, size_t n)
{
    size_t i = first_nonblank(b, n);
    return i < n && b[i] == '<';
}

static bool starts(const char *b, size_t n, const char *magic, size_t k)
{
    return n >= k && memcmp(b, magic, k) == 0;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool proof_git_head(const char *b, size_t n)
{
    while (n && is_blank(b[n - 1]))
        n--;
    if (n > 10 && n < 256 && memcmp(b, "ref: refs/", 10) == 0)
        return !memchr(b, '<', n) && !memchr(b, '\n', n);
    if (n != 40)
        return false;
    for (size_t i = 0; i < 40; i++)
        if (!is_hex(b[i]))
            return false;
    return true;
}

static bool proof_git_config(const char *b, size_t n, size_t *at)
{
    *at = web_find(b, n, "[core]");
    return *at != (size_t)-1 && !looks_html(b, n) &&
           (has(b, n, "repositoryformatversion") || has(b, n, "filemode") || has(b, n, "bare ="));
}

static bool proof_svn_entries(const char *b, size_t n, size_t *at)
{
    if ((*at = web_find(b, n, "<wc-entries")) != (size_t)-1)
        return true;
    *at = 0;
    size_t i = 0;
    unsigned v = 0;
    while (i < n && i < 3 && b[i] >= '0' && b[i] <= '9')
        v = v * 10 + (unsigned)(b[i++] - '0');
    if (i == 0 || i >= n || b[i] != '\n' || v < 8 || v > 31)
        return false;
    size_t rest = first_nonblank(b + i, n - i);
    return i + rest == n || has(b + i, n - i < 64 ? n - i : 64, "\ndir\n");
}

/* A .env line: optional "export ", then NAME = value. Upper-case names count apart. */
static int env_line(const char *l, size_t n)
{
    if (n >= 7 && memcmp(l, "export ", 7) == 0)
        l += 7, n -= 7;
    size_t i = 0;
    bool upper = true;
    while (i < n && (l[i] == '_' || (l[i] >= 'A' && l[i] <= 'Z') || (l[i] >= 'a' && l[i] <= 'z') ||
                     (i && ((l[i] >= '0' && l[i] <= '9') || l[i] == '.')))) {
        upper = upper && !(l[i] >= 'a' && l[i] <= 'z');
        i++;
    }
    while (i < n && l[i] == ' ')
        i++;
    if (i == 0 || i >= n || l[i] != '=')
        return 0;
    return upper ? 2 : 1;
}

static bool proof_env(const char *b, size_t n)
{
    if (looks_html(b, n) || memchr(b, '\0', n))
        return false;
    size_t kv = 0, upper = 0, other = 0;
    for (size_t s = 0; s < n;) {
        size_t e = s;
        while (e < n && b[e] != '\n')
            e++;
        size_t a = s + first_nonblank(b + s, e - s);
        if (a < e && b[a] != '#') {
            int k = env_line(b + a, e - a);
            kv += k > 0, upper += k == 2, other += k == 0;
        }
        s = e + 1;
    }
    return kv >= 2 && upper >= 2 && kv * 4 >= (kv + other) * 3;
}

static bool proof_source(const char *b, size_t n, size_t *at)
{
    static const char *const marks[] = {"<?php", "<%@", "<%=", "<jsp:", "<configuration"};
    if (starts(b, n, "#!/", 3)) {
        *at = 0;
        return true;
    }
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if ((*at = web_find(b, n, marks[i])) != (size_t)-1)
            return true;
    return false;
}

static bool proof_archive(const char *b, size_t n)
{
    return starts(b, n, "PK\x03\x04", 4) || starts(b, n, "\x1f\x8b\x08", 3) ||
           starts(b, n, "7z\xbc\xaf\x27\x1c", 6) || starts(b, n, "Rar!\x1a\x07", 6);
}

static bool proof_sql_dump(const char *b, size_t n, size_t *at)
{
    if (looks_html(b, n))
        return false;
    *at = web_find(b, n, "CREATE TABLE");
    if (*at == (size_t)-1)
        *at = web_find(b, n, "INSERT INTO");
    return *at != (size_t)-1 && memchr(b + *at, ';', n - *at) != NULL;
}

static size_t count(const char *b, size_t n, const char *needle)
{
    size_t c = 0, k = strlen(needle);
    for (size_t at; c < 1000 && (at = web_find(b, n, needle)) != (size_t)-1; b += at + k, n -= at + k)
        c++;
    return c;
}

static bool proof_phpinfo(const char *b, size_t n, size_t *at)
{
    *at = web_find(b, n, "PHP Version");
    return *at != (size_t)-1 && has(b, n, "phpinfo()") && count(b, n, "class=\"e\"") >= 3;
}

/* A form with a password input. */
static bool login_form(const char *b, size_t n, size_t *at)
{
    size_t f = web_find(b, n, "<form");
    if (f == (size_t)-1)
        return false;
    static const char *const pw[] = {"type=\"password\"", "type='password'", "type=password"};
    for (size_t i = 0; i < 3; i++)
        if ((*at = web_find(b + f, n - f, pw[i])) != (size_t)-1) {
            *at += f;
            return true;
        }
    return false;
}

static bool title_has(const char *b, size_t n, const char *word)
{
    char t[256];
    web_sig_title(b, n, t, sizeof t);
    return has(t, strlen(t), word);
}

/* The answer stayed under the probed path (a redirect to the site's general login page does not
 * prove an administration console). */
static bool stayed(const web_answer *a)
{
    if (!a->final_path || !a->path)
        return true;
    size_t k = strlen(a->path);
    while (k > 1 && a->path[k - 1] == '/')
        k--;
    return strncmp(a->final_path, a->path, k) == 0;
}

static bool proof_admin(const web_answer *a, size_t *at)
{
    *at = 0;
    if (!stayed(a))
        return false;
    return login_form(a->body, a->len, at) || title_has(a->body, a->len, "admin") ||
           title_has(a->body, a->len, "管理");
}

static bool proof_tomcat(const web_answer *a, size_t *at)
{
    size_t vl;
    const char *v = web_header_in(a->headers, a->hlen, "WWW-Authenticate", &vl, NULL);
    *at = 0;
    if (a->status == 401)
        return v && has(v, vl, "Tomcat Manager");
    return title_has(a->body, a->len, "Tomcat Web Application Manager");
}

static bool proof_wordpress(const web_answer *a, size_t *at)
{
    bool page = (a->final_path && strstr(a->final_path, "wp-login.php")) || has(a->body, a->len, "wp-login.php");
    return page && ((*at = web_find(a->body, a->len, "name=\"pwd\"")) != (size_t)-1 ||
                    (*at = web_find(a->body, a->len, "id=\"user_login\"")) != (size_t)-1);
}

static bool json_object(const char *b, size_t n)
{
    size_t i = first_nonblank(b, n);
    return i < n && b[i] == '{';
}

static bool proof_found(const char *b, size_t n, const char *needle, size_t *at)
{
    return (*at = web_find(b, n, needle)) != (size_t)-1;
}

static bool proof_console(web_proof p, const web_answer *a, size_t *at)
{
    const char *b = a->body;
    size_t n = a->len;
    switch (p) {
    case WEB_PROOF_ADMIN:
        return proof_admin(a, at);
    case WEB_PROOF_PHPMYADMIN:
        return title_has(b, n, "phpMyAdmin") || proof_found(b, n, "name=\"pma_username\"", at);
    case WEB_PROOF_ADMINER:
        return title_has(b, n, "Adminer") && login_form(b, n, at);
    case WEB_PROOF_TOMCAT:
        return proof_tomcat(a, at);
    case WEB_PROOF_WORDPRESS:
        return proof_wordpress(a, at);
    case WEB_PROOF_SERVER_STATUS:
        return proof_found(b, n, "Apache Server Status for", at);
    case WEB_PROOF_ACTUATOR:
        return json_object(b, n) && proof_found(b, n, "\"_links\"", at) && has(b, n, "actuator");
    case WEB_PROOF_ACTUATOR_ENV:
        return json_object(b, n) &&
               (proof_found(b, n, "\"propertySources\"", at) || proof_found(b, n, "\"activeProfiles\"", at));
    default:
        return false;
    }
}

static bool proof_file(web_proof p, const char *b, size_t n, size_t *at)
{
    switch (p) {
    case WEB_PROOF_GIT_HEAD:
        return proof_git_head(b, n);
    case WEB_PROOF_GIT_CONFIG:
        return proof_git_config(b, n, at);
    case WEB_PROOF_SVN_ENTRIES:
        return proof_svn_entries(b, n, at);
    case WEB_PROOF_SQLITE:
        return starts(b, n, "SQLite format 3", 16);
    case WEB_PROOF_ENV:
        return proof_env(b, n);
    case WEB_PROOF_DS_STORE:
        return starts(b, n, "\0\0\0\1Bud1", 8);
    case WEB_PROOF_SOURCE:
        return proof_source(b, n, at);
    case WEB_PROOF_SWAP:
        return starts(b, n, "b0VIM", 5);
    case WEB_PROOF_ARCHIVE:
        return proof_archive(b, n);
    case WEB_PROOF_SQL_DUMP:
        return proof_sql_dump(b, n, at);
    case WEB_PROOF_PHPINFO:
        return proof_phpinfo(b, n, at);
    default:
        return false;
    }
}

bool web_file_proven(web_proof proof, const web_answer *a, size_t *at)
{
    *at = 0;
    if (!a->body)
        return false;
    bool ok2xx = a->status >= 200 && a->status < 300;
    if (proof == WEB_PROOF_TOMCAT)
        return (ok2xx || a->status == 401) && proof_tomcat(a, at);
    if (!ok2xx)
        return false;
    if (proof >= WEB_PROOF_ADMIN)
        return proof_console(proof, a, at);
    return proof_file(proof, a->body, a->len, at);
}

/* ---- backups of a crawled page ---- */

static bool server_side_ext(const char *ext)
{
    static const char *const exts[] = {"php", "php3", "php4", "php5", "php7", "phtml", "inc", "asp",
                                       "aspx", "jsp", "jspx", "cfm", "cgi", "pl"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcmp(ext, exts[i]) == 0)
            return true;
    return false;
}

size_t web_file_page_backups(const char *path, char out[][512], size_t max, unsigned profile)
{
    const char *slash = strrchr(path, '/');
    const char *file = slash ? slash + 1 : path, *dot = strrchr(file, '.');
    size_t dirlen = (size_t)(file - path), k = 0;
    if (!dot || dot == file || !server_side_ext(dot + 1) || strlen(path) > 400)
        return 0;
    while (dirlen && path[0] == '/' && *path == '/')
        path++, dirlen--;
    if (k < max)
        snprintf(out[k++], 512, "%.*s%s.bak", (int)dirlen, path, file);
    if (k < max && (profile & STD))
        snprintf(out[k++], 512, "%.*s%s~", (int)dirlen, path, file);
    if (k < max && (profile & STD))
        snprintf(out[k++], 512, "%.*s.%s.swp", (int)dirlen, path, file);
    return k;
}

/* ---- crawled pages that are exposed files themselves ---- */

typedef struct name_rule {
    const char *suffix;              /* of the path, case-insensitive */
    web_proof proof;
    web_file_kind kind;
    finding_sev severity;
    bool backup_name;                /* only when the file name also says backup (archives) */
} name_rule;

static const name_rule name_rules[] = {
    {"/.git/HEAD", WEB_PROOF_GIT_HEAD, WEB_FILE_GIT, FINDING_HIGH, false},
    {"/.git/config", WEB_PROOF_GIT_CONFIG, WEB_FILE_GIT, FINDING_HIGH, false},
    {"/.svn/entries", WEB_PROOF_SVN_ENTRIES, WEB_FILE_SVN, FINDING_HIGH, false},
    {"/.svn/wc.db", WEB_PROOF_SQLITE, WEB_FILE_SVN, FINDING_HIGH, false},
    {"/.env", WEB_PROOF_ENV, WEB_FILE_ENV, FINDING_HIGH, false},
    {"/.DS_Store", WEB_PROOF_DS_STORE, WEB_FILE_BACKUP, FINDING_MEDIUM, false},
    {".sql", WEB_PROOF_SQL_DUMP, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".bak", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".old", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".orig", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".save", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".backup", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".copy", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".tmp", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".dist", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".inc", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".swo", WEB_PROOF_SWAP, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {"~", WEB_PROOF_SOURCE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".swp", WEB_PROOF_SWAP, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".zip", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, true},
    {".tar.gz", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, true},
    {".tgz", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, true},
    {".sql.gz", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, false},
    {".7z", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, true},
    {".rar", WEB_PROOF_ARCHIVE, WEB_FILE_BACKUP, FINDING_HIGH, true},
};

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && web_find(s + n - k, k, suffix) == 0;
}

/* An archive whose name says it is a copy of the site or its data (not a download offered). */
static bool backup_named(const char *path)
{
    static const char *const words[] = {"backup", "bak", "www", "site", "web", "dump", "db", "database",
                                        "htdocs", "wwwroot", "html", "source", "src", "old"};
    const char *slash = strrchr(path, '/');
    const char *file = slash ? slash + 1 : path;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (has(file, strlen(file), words[i]))
            return true;
    return false;
}

bool web_file_page_proven(const char *path, const web_answer *a, web_file_probe *out, size_t *at)
{
    size_t n = strlen(path);
    memset(out, 0, sizeof *out);
    out->path = path;
    out->profiles = ALL;
    for (size_t i = 0; i < sizeof name_rules / sizeof name_rules[0]; i++) {
        const name_rule *r = &name_rules[i];
        if (!ends_with(path, n, r->suffix) || (r->backup_name && !backup_named(path)))
            continue;
        out->proof = r->proof, out->kind = r->kind, out->severity = r->severity;
        out->group = r->kind == WEB_FILE_GIT ? G_GIT : r->kind == WEB_FILE_SVN ? G_SVN : G_NONE;
        if (web_file_proven(r->proof, a, at))
            return true;
    }
    out->proof = WEB_PROOF_PHPINFO, out->kind = WEB_FILE_PHPINFO, out->severity = FINDING_MEDIUM;
    out->group = G_NONE;
    return web_file_proven(WEB_PROOF_PHPINFO, a, at);
}

/* ---- soft 404 ---- */

#define SOFT404_SCAN (4 * WEB_SOFT404_TOKENS)

static bool word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* The hash of each word of b[n] (letters only: a word with a digit is a number, a date or a
 * token that changes between answers), at most max into out; returns how many. */
static size_t words(const char *b, size_t n, uint64_t *out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max;) {
        if (!word_char((unsigned char)b[i])) {
            i++;
            continue;
        }
        uint64_t h = 0xcbf29ce484222325ULL;
        bool digit = false;
        for (; i < n && word_char((unsigned char)b[i]); i++) {
            digit = digit || (b[i] >= '0' && b[i] <= '9');
            h = (h ^ (uint8_t)(b[i] | ((b[i] >= 'A' && b[i] <= 'Z') ? 0x20 : 0))) * 0x100000001b3ULL;
        }
        if (!digit)
            out[k++] = h;
    }
    return k;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool in(const uint64_t *v, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == h)
            return true;
    return false;
}

void web_soft404_learn(web_soft404 *s, long status, const char *body, size_t len, const char *asked)
{
    uint64_t skip[32];
    size_t nskip = asked ? words(asked, strlen(asked), skip, 32) : 0;
    uint64_t *all = kw_malloc(SOFT404_SCAN * sizeof *all);
    size_t n = body ? words(body, len, all, SOFT404_SCAN) : 0, k = 0;
    qsort(all, n, sizeof *all, cmp_u64);
    for (size_t i = 0; i < n && k < WEB_SOFT404_TOKENS; i++)
        if ((k == 0 || all[k - 1] != all[i]) && !in(skip, nskip, all[i]))
            all[k++] = all[i];
    s->status = status;
    s->len = len;
    s->ntok = k;
    s->tok = all;
}

void web_soft404_free(web_soft404 *s)
{
    free(s->tok);
    s->tok = NULL;
    s->ntok = 0;
}

double web_soft404_similarity(const web_soft404 *a, const web_soft404 *b)
{
    if (a->ntok == 0 && b->ntok == 0)
        return 1.0;
    size_t i = 0, j = 0, both = 0;
    while (i < a->ntok && j < b->ntok) {
        if (a->tok[i] == b->tok[j])
            both++, i++, j++;
        else if (a->tok[i] < b->tok[j])
            i++;
        else
            j++;
    }
    return (double)both / (double)(a->ntok + b->ntok - both);
}

bool web_soft404_like(const web_soft404 *s, long status, const char *body, size_t len, const char *asked)
{
    if (s->status != status)
        return false;
    web_soft404 t;
    web_soft404_learn(&t, status, body, len, asked);
    double sim = web_soft404_similarity(s, &t);
    web_soft404_free(&t);
    return sim >= 0.8;
}

/* ---- URLs ---- */

bool web_sig_site(const char *url, char *out, size_t outn, const char **path)
{
    size_t skip = strncmp(url, "http://", 7) == 0 ? 7 : strncmp(url, "https://", 8) == 0 ? 8 : 0;
    if (!skip)
        return false;
    size_t e = skip + strcspn(url + skip, "/?#");
    if (e == skip || e + 2 > outn)
        return false;
    memcpy(out, url, e);
    out[e] = '/', out[e + 1] = '\0';
    if (path)
        *path = url[e] == '/' ? url + e : "/";
    return true;
}

void web_sig_page(const char *url, char *out, size_t outn)
{
    size_t e = strcspn(url, "?#");
    kw_strlcpy(out, url, e + 1 < outn ? e + 1 : outn);
}

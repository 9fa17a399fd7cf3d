/* Unit tests of the exposed-files check's pure parts (scan_web_files_sig.c): the probe table,
 * each content proof on the real file shape and on look-alikes, the backup names of a crawled
 * page, the soft-404 model, and the text helpers (header lookup, title, site, page). The file
 * shapes are written here after the formats' documentation (git's gitrepository-layout, the
 * SQLite file format's header, vim's swap file, PKWARE's APPNOTE, RFC 1952). */
#include <stdlib.h>
#include <string.h>

#include "kw_test.h"
#include "scan/scan_web.h"
#include "scan/scan_web_sig.h"

static bool proven(web_proof p, long status, const char *body, size_t len)
{
    web_answer a = {.status = status, .body = body, .len = len, .path = "/x"};
    size_t at;
    return web_file_proven(p, &a, &at);
}

#define PROVEN(p, s) proven((p), 200, (s), strlen(s))

static void probe_table_is_consistent(void)
{
    CHECK(web_nfile_probes > 30);
    for (size_t i = 0; i < web_nfile_probes; i++) {
        const web_file_probe *p = &web_file_probes[i];
        CHECK(p->kind < WEB_FILE_NKINDS);
        CHECK(p->path[0] != '/' && p->path[0] != '\0');
        CHECK(p->profiles & WEB_THOROUGH);
        for (size_t k = 0; k < i; k++) {
            CHECK(strcmp(web_file_probes[k].path, p->path) != 0);
            if (p->group && web_file_probes[k].group == p->group)
                CHECK_INT(web_file_probes[k].kind, p->kind);
        }
    }
    CHECK_STR(web_file_kinds[WEB_FILE_GIT].check_id, "KW-WEB-GIT");
    CHECK_STR(web_file_kinds[WEB_FILE_ADMIN].category, "exposed_service");
    CHECK_STR(web_file_kinds[WEB_FILE_PHPINFO].cwe, "CWE-200");
}

static void git_proofs(void)
{
    CHECK(PROVEN(WEB_PROOF_GIT_HEAD, "ref: refs/heads/main\n"));
    CHECK(PROVEN(WEB_PROOF_GIT_HEAD, "4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"));
    CHECK(!PROVEN(WEB_PROOF_GIT_HEAD, "4b825dc642cb6eb9a060e54bf8d69288fbee490\n"));
    CHECK(!PROVEN(WEB_PROOF_GIT_HEAD, "<html><body>ref: refs/heads/main</body></html>"));
    CHECK(!PROVEN(WEB_PROOF_GIT_HEAD, "ref: refs/heads/main\n<p>more</p>\n"));
    CHECK(!proven(WEB_PROOF_GIT_HEAD, 404, "ref: refs/heads/main\n", 21));
    const char *cfg = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n";
    CHECK(PROVEN(WEB_PROOF_GIT_CONFIG, cfg));
    CHECK(!PROVEN(WEB_PROOF_GIT_CONFIG, "<html><pre>[core]\nrepositoryformatversion = 0</pre></html>"));
    CHECK(!PROVEN(WEB_PROOF_GIT_CONFIG, "[core] is a word in this text"));
}

static void svn_proofs(void)
{
    CHECK(PROVEN(WEB_PROOF_SVN_ENTRIES, "12\n"));
    CHECK(PROVEN(WEB_PROOF_SVN_ENTRIES, "10\n\ndir\n42\nhttp://svn.example/repo/trunk\n"));
    CHECK(PROVEN(WEB_PROOF_SVN_ENTRIES, "<?xml version=\"1.0\"?>\n<wc-entries xmlns=\"svn:\">"));
    CHECK(!PROVEN(WEB_PROOF_SVN_ENTRIES, "12\nnot found on this server, sorry about that\n"));
    CHECK(!PROVEN(WEB_PROOF_SVN_ENTRIES, "200\n"));
    CHECK(!PROVEN(WEB_PROOF_SVN_ENTRIES, ""));
    CHECK(proven(WEB_PROOF_SQLITE, 200, "SQLite format 3\0\x10\0\1\1", 20));
    CHECK(!PROVEN(WEB_PROOF_SQLITE, "SQLite format 3 is described here"));
}

static void env_proof(void)
{
    /* The shape of Laravel's .env.example. */
    CHECK(PROVEN(WEB_PROOF_ENV, "APP_NAME=Laravel\nAPP_ENV=local\nAPP_KEY=base64:abc=\n\n# db\n"
                                "DB_CONNECTION=mysql\nDB_PASSWORD=secret\n"));
    CHECK(PROVEN(WEB_PROOF_ENV, "export SECRET_KEY=\"x\"\r\nDATABASE_URL=postgres://u:p@h/db\r\n"));
    CHECK(!PROVEN(WEB_PROOF_ENV, "APP_KEY=x\n"));
    CHECK(!PROVEN(WEB_PROOF_ENV, "<html><body>APP_KEY=x\nDB_PASSWORD=y\n</body></html>"));
    CHECK(!PROVEN(WEB_PROOF_ENV, "Page not found.\nThe page you asked for\nis not here.\nA=b\nB=c\n"));
    CHECK(!PROVEN(WEB_PROOF_ENV, "a=1\nb=2\nc=3\n"));
}

static void binary_magic_proofs(void)
{
    CHECK(proven(WEB_PROOF_DS_STORE, 200, "\0\0\0\1Bud1\0\0", 10));
    CHECK(!proven(WEB_PROOF_DS_STORE, 200, "\0\0\0\2Bud1\0\0", 10));
    CHECK(proven(WEB_PROOF_SWAP, 200, "b0VIM 9.0\0\0", 11));
    CHECK(!PROVEN(WEB_PROOF_SWAP, "<html>b0VIM</html>"));
    CHECK(proven(WEB_PROOF_ARCHIVE, 200, "PK\x03\x04\x14\0\0\0", 8));
    CHECK(proven(WEB_PROOF_ARCHIVE, 200, "\x1f\x8b\x08\0\0\0\0\0", 8));
    CHECK(!PROVEN(WEB_PROOF_ARCHIVE, "<!doctype html><title>Not found</title>"));
    CHECK(!proven(WEB_PROOF_ARCHIVE, 200, "PK", 2));
}

static void source_and_dump_proofs(void)
{
    CHECK(PROVEN(WEB_PROOF_SOURCE, "<?php\n$db_pass = 'x';\n"));
    CHECK(PROVEN(WEB_PROOF_SOURCE, "<%@ page import=\"java.sql.*\" %>\n"));
    CHECK(PROVEN(WEB_PROOF_SOURCE, "#!/usr/bin/perl\nuse strict;\n"));
    CHECK(!PROVEN(WEB_PROOF_SOURCE, "<!doctype html><p>&lt;?php echo 1; ?&gt;</p>"));
    CHECK(!PROVEN(WEB_PROOF_SOURCE, "<html><body>Welcome</body></html>"));
    CHECK(PROVEN(WEB_PROOF_SQL_DUMP, "-- MySQL dump 10.13\n\nCREATE TABLE `users` (\n  `id` int\n);\n"));
    CHECK(PROVEN(WEB_PROOF_SQL_DUMP, "INSERT INTO users VALUES (1,'admin','5f4dcc3b');\n"));
    CHECK(!PROVEN(WEB_PROOF_SQL_DUMP, "<html><body><pre>CREATE TABLE t (a int);</pre></body></html>"));
    CHECK(!PROVEN(WEB_PROOF_SQL_DUMP, "how to CREATE TABLE in five steps"));
}

static void phpinfo_proof(void)
{
    /* The shape of PHP 8's phpinfo() output. */
    const char *pi = "<!DOCTYPE html><html><head><title>PHP 8.2.7 - phpinfo()</title></head><body>"
                     "<h1 class=\"p\">PHP Version 8.2.7</h1><table><tr><td class=\"e\">System </td>"
                     "<td class=\"v\">Linux</td></tr><tr><td class=\"e\">Build Date </td><td class=\"v\">x</td>"
                     "</tr><tr><td class=\"e\">Server API </td><td class=\"v\">FPM/FastCGI</td></tr></table>";
    CHECK(PROVEN(WEB_PROOF_PHPINFO, pi));
    CHECK(!PROVEN(WEB_PROOF_PHPINFO, "<p>Call phpinfo() to see your PHP Version.</p>"));
    CHECK(!proven(WEB_PROOF_PHPINFO, 500, pi, strlen(pi)));
}

static bool console(web_proof p, long status, const char *path, const char *final, const char *hdrs,
                    const char *body)
{
    web_answer a = {.status = status, .body = body, .len = strlen(body), .headers = hdrs,
                    .hlen = hdrs ? strlen(hdrs) : 0, .path = path, .final_path = final};
    size_t at;
    return web_file_proven(p, &a, &at);
}

static void console_proofs(void)
{
    const char *login = "<html><title>Sign in</title><form method=post><input name=u>"
                        "<input type=\"password\" name=p></form></html>";
    CHECK(console(WEB_PROOF_ADMIN, 200, "/admin/", "/admin/login.php", NULL, login));
    CHECK(!console(WEB_PROOF_ADMIN, 200, "/admin/", "/login.php", NULL, login));
    CHECK(console(WEB_PROOF_ADMIN, 200, "/admin/", NULL, NULL, "<title>Site Administration</title>"));
    CHECK(!console(WEB_PROOF_ADMIN, 200, "/admin/", NULL, NULL, "<title>Welcome</title><p>hi</p>"));
    CHECK(!console(WEB_PROOF_ADMIN, 403, "/admin/", NULL, NULL, "<title>Admin</title>"));
    CHECK(console(WEB_PROOF_TOMCAT, 401, "/manager/html", NULL,
                  "HTTP/1.1 401 \r\nWWW-Authenticate: Basic realm=\"Tomcat Manager Application\"\r\n\r\n",
                  "<html>401</html>"));
    CHECK(!console(WEB_PROOF_TOMCAT, 401, "/manager/html", NULL,
                   "HTTP/1.1 401 \r\nWWW-Authenticate: Basic realm=\"Private\"\r\n\r\n", ""));
    CHECK(console(WEB_PROOF_PHPMYADMIN, 200, "/phpmyadmin/", NULL, NULL, "<title>phpMyAdmin</title>"));
    CHECK(console(WEB_PROOF_WORDPRESS, 200, "/wp-admin/", "/wp-login.php",
                  NULL, "<form name=\"loginform\"><input id=\"user_login\"><input name=\"pwd\"></form>"));
    CHECK(!console(WEB_PROOF_WORDPRESS, 200, "/wp-admin/", NULL, NULL, login));
    CHECK(console(WEB_PROOF_SERVER_STATUS, 200, "/server-status", NULL, NULL,
                  "<html><h1>Apache Server Status for 127.0.0.1 (via 127.0.0.1)</h1>"));
    CHECK(console(WEB_PROOF_ACTUATOR, 200, "/actuator", NULL, NULL,
                  "{\"_links\":{\"self\":{\"href\":\"http://h/actuator\",\"templated\":false}}}"));
    CHECK(!console(WEB_PROOF_ACTUATOR, 200, "/actuator", NULL, NULL, "<html>_links actuator</html>"));
    CHECK(console(WEB_PROOF_ACTUATOR_ENV, 200, "/actuator/env", NULL, NULL,
                  "{\"activeProfiles\":[],\"propertySources\":[]}"));
    CHECK(console(WEB_PROOF_ADMINER, 200, "/adminer.php", NULL, NULL,
                  "<title>Login - Adminer</title><form><input type=\"password\"></form>"));
    CHECK(!console(WEB_PROOF_ADMINER, 200, "/adminer.php", NULL, NULL, login));
}

static void page_backups(void)
{
    char out[3][512];
    CHECK_INT(web_file_page_backups("/app/login.php", out, 3, WEB_STANDARD), 3);
    CHECK_STR(out[0], "app/login.php.bak");
    CHECK_STR(out[1], "app/login.php~");
    CHECK_STR(out[2], "app/.login.php.swp");
    CHECK_INT(web_file_page_backups("/index.php", out, 3, WEB_QUICK), 1);
    CHECK_STR(out[0], "index.php.bak");
    CHECK_INT(web_file_page_backups("/about.html", out, 3, WEB_STANDARD), 0);
    CHECK_INT(web_file_page_backups("/dir/", out, 3, WEB_STANDARD), 0);
    CHECK_INT(web_file_page_backups("/.php", out, 3, WEB_STANDARD), 0);
    CHECK_INT(web_file_page_backups("/a.php", out, 1, WEB_THOROUGH), 1);
}

static bool page_is(const char *path, const char *body, size_t len, web_file_kind *kind)
{
    web_answer a = {.status = 200, .body = body, .len = len, .path = path};
    web_file_probe p;
    size_t at;
    bool ok = web_file_page_proven(path, &a, &p, &at);
    *kind = p.kind;
    return ok && strcmp(p.path, path) == 0;
}

static void page_itself(void)
{
    web_file_kind k;
    CHECK(page_is("/backup/shop.sql", "CREATE TABLE t (a int);", 23, &k) && k == WEB_FILE_BACKUP);
    CHECK(page_is("/files/www-backup.ZIP", "PK\x03\x04....", 8, &k) && k == WEB_FILE_BACKUP);
    CHECK(!page_is("/downloads/manual.zip", "PK\x03\x04....", 8, &k));
    CHECK(page_is("/lib/conf.php~", "<?php $x=1;", 11, &k) && k == WEB_FILE_BACKUP);
    CHECK(page_is("/config/config.inc.php.dist", "<?php\n$_DVWA = array();", 23, &k) && k == WEB_FILE_BACKUP);
    CHECK(!page_is("/config/settings.inc", "<html><p>settings</p></html>", 28, &k));
    CHECK(!page_is("/backup.html", "<html><title>Backup service</title></html>", 42, &k));
    CHECK(page_is("/repo/.git/HEAD", "ref: refs/heads/dev\n", 20, &k) && k == WEB_FILE_GIT);
    CHECK(page_is("/.env", "A_B=1\nC_D=2\n", 12, &k) && k == WEB_FILE_ENV);
    const char *pi = "<title>PHP 7 - phpinfo()</title>PHP Version 7<td class=\"e\">a<td class=\"e\">b"
                     "<td class=\"e\">c";
    CHECK(page_is("/debug/show.php", pi, strlen(pi), &k) && k == WEB_FILE_PHPINFO);
    CHECK(!page_is("/index.php", "<html>hello</html>", 18, &k));
}

static void soft404(void)
{
    const char *a = "<html><title>Page not found</title><p>The page /kw93hf0a2.php was not found on this "
                    "server. Request id 8f3a9c1e, 2026-12-01 18:00:01</p><a href=/>Home</a></html>";
    const char *b = "<html><title>Page not found</title><p>The page /.git/HEAD was not found on this "
                    "server. Request id 1b2c3d4e, 2026-12-01 18:00:02</p><a href=/>Home</a></html>";
    const char *c = "ref: refs/heads/main\n";
    web_soft404 s;
    web_soft404_learn(&s, 200, a, strlen(a), "/kw93hf0a2.php");
    CHECK(s.ntok > 5);
    CHECK(web_soft404_like(&s, 200, b, strlen(b), "/.git/HEAD"));
    CHECK(!web_soft404_like(&s, 404, b, strlen(b), "/.git/HEAD"));
    CHECK(!web_soft404_like(&s, 200, c, strlen(c), "/.git/HEAD"));
    web_soft404 t;
    web_soft404_learn(&t, 200, c, strlen(c), NULL);
    CHECK(web_soft404_similarity(&s, &t) < 0.2);
    web_soft404_free(&t);
    web_soft404_free(&s);
    web_soft404_learn(&s, 200, "", 0, "/x");
    CHECK(web_soft404_like(&s, 200, "", 0, "/y"));
    CHECK(!web_soft404_like(&s, 200, c, strlen(c), "/y"));
    web_soft404_free(&s);
}

static void text_helpers(void)
{
    const char *h = "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nserver:  Apache/2.4  \r\nSet-Cookie: b=2\r\n\r\n";
    size_t len, from = 0;
    const char *v = web_header_in(h, strlen(h), "Server", &len, NULL);
    CHECK(v && len == 10 && memcmp(v, "Apache/2.4", 10) == 0);
    v = web_header_in(h, strlen(h), "set-cookie", &len, &from);
    CHECK(v && len == 3 && memcmp(v, "a=1", 3) == 0);
    v = web_header_in(h, strlen(h), "set-cookie", &len, &from);
    CHECK(v && len == 3 && memcmp(v, "b=2", 3) == 0);
    CHECK(web_header_in(h, strlen(h), "set-cookie", &len, &from) == NULL);
    CHECK(web_header_in(h, strlen(h), "Set", &len, NULL) == NULL);
    char t[16];
    web_sig_title("<HTML><TITLE>\n  Index of /x </TITLE>", 36, t, sizeof t);
    CHECK_STR(t, "Index of /x");
    web_sig_title("<title>a very long title indeed</title>", 39, t, sizeof t);
    CHECK_INT(strlen(t), 15);
    web_sig_title("<title", 6, t, sizeof t);
    CHECK_STR(t, "");
    char site[64];
    const char *path;
    CHECK(web_sig_site("http://127.0.0.1:8080/a/b.php?x=1", site, sizeof site, &path));
    CHECK_STR(site, "http://127.0.0.1:8080/");
    CHECK_STR(path, "/a/b.php?x=1");
    CHECK(web_sig_site("https://h?q", site, sizeof site, &path));
    CHECK_STR(site, "https://h/");
    CHECK_STR(path, "/");
    CHECK(!web_sig_site("ftp://h/", site, sizeof site, NULL));
    CHECK(!web_sig_site("http:///x", site, sizeof site, NULL));
    web_sig_page("http://h/a.php?x=1#f", site, sizeof site);
    CHECK_STR(site, "http://h/a.php");
    CHECK_INT(web_find("abcABC", 6, "cab"), 2);
    CHECK_INT(web_find("abc", 3, "abcd"), (size_t)-1);
    CHECK_INT(web_find("a\0bc", 4, "BC"), 2);
    CHECK_INT(web_find("{core}", 6, "[core]"), (size_t)-1);
    CHECK_INT(web_find("a\0b", 3, "a b"), (size_t)-1);
}

int main(void)
{
    RUN(probe_table_is_consistent);
    RUN(git_proofs);
    RUN(svn_proofs);
    RUN(env_proof);
    RUN(binary_magic_proofs);
    RUN(source_and_dump_proofs);
    RUN(phpinfo_proof);
    RUN(console_proofs);
    RUN(page_backups);
    RUN(page_itself);
    RUN(soft404);
    RUN(text_helpers);
    TEST_MAIN_END();
}

/* cli_vuln.c: `keepwatch vuln update` (download the vulnerability data with libcurl and compile
 * it), `vuln import` (compile files a person copied here: the offline path) and `vuln info`
 * (what the compiled index holds). The index is state_dir/vuln/vuln.idx (scan_vuln.h); every
 * update or import replaces it whole with what it was given. */
#include "cli/cli.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "scan/scan_vuln.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VULN_DEFAULT_URL "https://security-tracker.debian.org/tracker/data/json"
#define VULN_DOWNLOAD_MAX ((curl_off_t)1 << 30)
#define VULN_OSV_FILE_MAX ((size_t)16 << 20)

static const char vuln_usage[] =
    "usage: keepwatch vuln update [-c FILE] [--dir DIR] [--url URL]... [--release NAME]\n"
    "       keepwatch vuln import [-c FILE] [--dir DIR] [--format F] [--release NAME] FILE|DIR...\n"
    "       keepwatch vuln info [-c FILE] [--dir DIR] [--json]\n"
    "\n"
    "The OS package vulnerability data `keepwatch scan packages` checks against, compiled once\n"
    "into a compact index (DIR/vuln.idx; DIR defaults to state_dir/vuln). Each update or import\n"
    "replaces the index with what it was given.\n"
    "\n"
    "  update          download each URL (default: the Debian security tracker's JSON export,\n"
    "                  " VULN_DEFAULT_URL ")\n"
    "                  into DIR/downloads/ and compile them\n"
    "  import FILE...  compile files already here: the tracker's JSON export, debsecan feeds\n"
    "                  (.../debsecan/release/1/SUITE, zlib or plain), OSV JSON files,\n"
    "                  directories of them or osv.dev's zip archives (ECOSYSTEM/all.zip) of\n"
    "                  the Debian, Ubuntu, Alpine, Rocky Linux, AlmaLinux, Red Hat and SUSE\n"
    "                  ecosystems\n"
    "  info            the sources the index was built from, when, and how many records\n"
    "  --url URL       a URL to download (repeatable)\n"
    "  --format F      auto (default: by content), tracker, debsecan or osv (a file or a zip)\n"
    "  --release NAME  the Debian release a debsecan feed is for (default: its file name)\n"
    "  --dir DIR       where the index lives (default: state_dir/vuln)\n"
    "  --json          info as one JSON object\n"
    "\n"
    "exit status: 0 done, 1 some files or entries were skipped, 2 bad usage, nothing could be\n"
    "read or downloaded, or no index.\n";

enum { VF_AUTO, VF_TRACKER, VF_DEBSECAN, VF_OSV, VF_OSV_ZIP };

typedef struct vuln_run {
    scan_vuln_builder *b;
    const char *release;
    int format;
    bool skipped;   /* something was left out: exit 1 */
    bool in_dir;    /* reading a directory of OSV files: one source for all of them */
    size_t dir_records;
} vuln_run;

static char *vuln_dir(const char *cfg, const char *dir)
{
    if (dir)
        return kw_strdup(dir);
    conf *c = cli_conf_load(cli_conf_path(cfg));
    if (!c)
        return NULL;
    char *d = conf_state_path(c, "vuln");
    conf_free(c);
    return d;
}

static int vuln_sniff(const char *head, size_t n)
{
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
        i++;
    if (n >= 1 && (unsigned char)head[0] == 0x78)
        return VF_DEBSECAN;
    if (n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0)
        return VF_OSV_ZIP;
    if (n - i >= 9 && memcmp(head + i, "VERSION 1", 9) == 0)
        return VF_DEBSECAN;
    if (memmem(head, n, "\"affected\"", 10) && memmem(head, n, "\"id\"", 4))
        return VF_OSV;
    return VF_TRACKER;
}

static void vuln_report(const char *path, const char *fmt, const scan_vuln_stats *st, vuln_run *r)
{
    fprintf(stderr, "%s: %s: %zu records from %zu vulnerabilities", path, fmt, st->records, st->vulns);
    if (st->skipped) {
        fprintf(stderr, ", %zu skipped (first: %s)", st->skipped, st->first_error);
        r->skipped = true;
    }
    fputc('\n', stderr);
}

/* Streams the tracker export through the parser in 256 KiB reads. */
static kw_rc vuln_tracker_file(FILE *f, const char *path, vuln_run *r)
{
    char err[256] = "";
    scan_vuln_tracker *t = scan_vuln_tracker_new(scan_vuln_builder_add, r->b);
    char *buf = kw_malloc(256 * 1024);
    size_t n;
    kw_rc rc = KW_OK;
    while (rc == KW_OK && (n = fread(buf, 1, 256 * 1024, f)) > 0)
        rc = scan_vuln_tracker_feed(t, buf, n, err, sizeof err);
    if (rc == KW_OK)
        rc = scan_vuln_tracker_finish(t, err, sizeof err);
    free(buf);
    if (rc != KW_OK)
        fprintf(stderr, "keepwatch: %s: %s\n", path, err[0] ? err : kw_rc_str(rc));
    else
        vuln_report(path, "tracker", scan_vuln_tracker_stats(t), r);
    if (rc == KW_OK)
        scan_vuln_builder_source(r->b, "tracker", path, kw_now_ms(), scan_vuln_tracker_stats(t)->records);
    scan_vuln_tracker_free(t);
    return rc;
}

static kw_rc vuln_read_all(FILE *f, size_t max, char **out, size_t *n)
{
    kw_buf b;
    kw_rc rc = kw_file_read_stream(f, max, &b);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return rc;
    }
    *n = b.len;
    *out = b.data ? kw_buf_take(&b) : kw_strdup("");
    return KW_OK;
}

static kw_rc vuln_small_file(FILE *f, const char *path, int fmt, vuln_run *r)
{
    char *data, err[256] = "";
    size_t n;
    if (vuln_read_all(f, fmt == VF_OSV ? VULN_OSV_FILE_MAX : ((size_t)512 << 20), &data, &n) != KW_OK) {
        fprintf(stderr, "keepwatch: %s: too large\n", path);
        return KW_ERR_FULL;
    }
    scan_vuln_stats st = {0};
    kw_rc rc;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (fmt == VF_OSV)
        rc = scan_vuln_parse_osv(data, n, scan_vuln_builder_add, r->b, &st, err, sizeof err);
    else
        rc = scan_vuln_parse_debsecan(data, n, r->release ? r->release : base, scan_vuln_builder_add, r->b, &st,
                                      err, sizeof err);
    free(data);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch: %s: %s\n", path, err[0] ? err : kw_rc_str(rc));
        return rc;
    }
    if (fmt != VF_OSV)
        vuln_report(path, "debsecan", &st, r);
    if (r->in_dir)
        r->dir_records += st.records;
    else
        scan_vuln_builder_source(r->b, fmt == VF_OSV ? "osv" : "debsecan", path, kw_now_ms(), st.records);
    return KW_OK;
}

/* An osv.dev archive of OSV records, mapped for the parser. */
static kw_rc vuln_osv_zip(FILE *f, const char *path, vuln_run *r)
{
    scan_vuln_stats st = {0};
    size_t files = 0;
    char err[256] = "";
    struct stat sb;
    void *m = fstat(fileno(f), &sb) == 0 && sb.st_size > 0
                  ? mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fileno(f), 0) : MAP_FAILED;
    if (m == MAP_FAILED) {
        fprintf(stderr, "keepwatch: %s: %s\n", path, strerror(errno));
        return KW_ERR_IO;
    }
    kw_rc rc = scan_vuln_parse_osv_zip(m, (size_t)sb.st_size, scan_vuln_builder_add, r->b, &st, &files, err, sizeof err);
    munmap(m, (size_t)sb.st_size);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch: %s: %s\n", path, err[0] ? err : kw_rc_str(rc));
        return rc;
    }
    vuln_report(path, "osv archive", &st, r);
    fprintf(stderr, "%s: %zu members read\n", path, files);
    scan_vuln_builder_source(r->b, "osv", path, kw_now_ms(), st.records);
    return KW_OK;
}

static kw_rc vuln_file(const char *path, vuln_run *r)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "keepwatch: %s: %s\n", path, strerror(errno));
        return KW_ERR_IO;
    }
    char head[4096];
    size_t hn = fread(head, 1, sizeof head, f);
    rewind(f);
    int fmt = r->format == VF_AUTO ? vuln_sniff(head, hn) : r->format;
    if (fmt == VF_OSV && hn >= 4 && memcmp(head, "PK\x03\x04", 4) == 0)
        fmt = VF_OSV_ZIP;
    kw_rc rc = fmt == VF_OSV_ZIP ? vuln_osv_zip(f, path, r) : fmt == VF_TRACKER ? vuln_tracker_file(f, path, r)
             : vuln_small_file(f, path, fmt, r);
    fclose(f);
    return rc;
}

/* A directory: every *.json file in it, as OSV records. */
static kw_rc vuln_dir_files(const char *dir, vuln_run *r)
{
    DIR *d = opendir(dir);
    if (!d)
        return vuln_file(dir, r);
    struct dirent *e;
    size_t files = 0, bad = 0;
    int saved = r->format;
    r->format = VF_OSV;
    r->in_dir = true;
    r->dir_records = 0;
    kw_rc rc = KW_OK;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char *p = kw_malloc(strlen(dir) + n + 2);
        sprintf(p, "%s/%s", dir, e->d_name);
        if (vuln_file(p, r) != KW_OK)
            bad++;
        files++;
        free(p);
    }
    closedir(d);
    r->format = saved;
    r->in_dir = false;
    fprintf(stderr, "%s: %zu OSV files, %zu unreadable: %zu records\n", dir, files, bad, r->dir_records);
    if (files > bad)
        scan_vuln_builder_source(r->b, "osv", dir, kw_now_ms(), r->dir_records);
    if (bad)
        r->skipped = true;
    if (files == 0)
        rc = KW_ERR_NOTFOUND;
    return rc;
}

static kw_rc vuln_write(scan_vuln_builder *b, const char *dir)
{
    char err[256];
    if (kw_dir_make(dir, 0755, NULL, err, sizeof err) != KW_OK) {
        fprintf(stderr, "keepwatch: %s: %s\n", dir, err);
        return KW_ERR_IO;
    }
    kw_buf out;
    kw_buf_init(&out, (size_t)4 << 30);
    kw_rc rc = scan_vuln_builder_write(b, &out);
    char *tmp = kw_malloc(strlen(dir) + 32), *fin = kw_malloc(strlen(dir) + 32);
    sprintf(tmp, "%s/vuln.idx.tmp", dir);
    sprintf(fin, "%s/vuln.idx", dir);
    FILE *f = rc == KW_OK ? fopen(tmp, "wb") : NULL;
    if (rc == KW_OK && (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0 || rename(tmp, fin) != 0)) {
        fprintf(stderr, "keepwatch: %s: %s\n", fin, strerror(errno));
        rc = KW_ERR_IO;
    } else if (rc == KW_OK) {
        fprintf(stderr, "%s: %zu records, %zu bytes\n", fin, scan_vuln_builder_records(b), out.len);
    }
    kw_buf_free(&out);
    free(tmp);
    free(fin);
    return rc;
}

static size_t vuln_curl_write(char *p, size_t sz, size_t n, void *f) { return fwrite(p, sz, n, f); }

/* Downloads url into path (TLS verified, redirects followed, at most 1 GiB). */
static kw_rc vuln_download(const char *url, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "keepwatch: %s: %s\n", path, strerror(errno));
        return KW_ERR_IO;
    }
    CURL *c = curl_easy_init();
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, vuln_curl_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, VULN_DOWNLOAD_MAX);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 1800L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "keepwatch/" KW_VERSION);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    CURLcode cr = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (fclose(f) != 0 || cr != CURLE_OK) {
        fprintf(stderr, "keepwatch: %s: %s\n", url, err[0] ? err : curl_easy_strerror(cr));
        unlink(path);
        return KW_ERR_IO;
    }
    return KW_OK;
}

/* The file name a download is kept under: N-LAST-PATH-COMPONENT (the release, for debsecan). */
static char *vuln_download_path(const char *dir, size_t n, const char *url)
{
    const char *q = strpbrk(url, "?#");
    size_t end = q ? (size_t)(q - url) : strlen(url);
    while (end && url[end - 1] == '/')
        end--;
    size_t start = end;
    while (start && url[start - 1] != '/')
        start--;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(end - start < 100 ? end - start : 100), url + start);
    for (char *p = name; *p; p++)
        if (*p == '.' && p == name)
            *p = '_';
    char *path = kw_malloc(strlen(dir) + sizeof name + 40);
    sprintf(path, "%s/downloads/%zu-%s", dir, n, name[0] ? name : "data");
    return path;
}

static int vuln_build(vuln_run *r, const char *dir, size_t ok, size_t failed)
{
    int ex = KW_EXIT_OK;
    const char *why;
    size_t invalid = scan_vuln_builder_invalid(r->b, &why);
    if (invalid) {
        fprintf(stderr, "keepwatch: %zu records left out for a malformed version (first: %s)\n", invalid, why);
        r->skipped = true;
    }
    if (ok == 0)
        ex = KW_EXIT_USAGE;
    else if (vuln_write(r->b, dir) != KW_OK)
        ex = KW_EXIT_USAGE;
    else if (failed || r->skipped)
        ex = KW_EXIT_PROBLEM;
    if (ok == 0)
        fprintf(stderr, "keepwatch: nothing could be read; the index is left as it was\n");
    scan_vuln_builder_free(r->b);
    return ex;
}

static int vuln_update(const char *dir, const char **urls, size_t n_urls, vuln_run *r)
{
    static const char *const dflt[] = {VULN_DEFAULT_URL};
    if (n_urls == 0)
        urls = (const char **)dflt, n_urls = 1;
    char *dl = kw_malloc(strlen(dir) + 16), err[256];
    sprintf(dl, "%s/downloads", dir);
    if (kw_dir_make(dl, 0755, NULL, err, sizeof err) != KW_OK) {
        fprintf(stderr, "keepwatch: %s: %s\n", dl, err);
        free(dl);
        scan_vuln_builder_free(r->b);
        return KW_EXIT_USAGE;
    }
    free(dl);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    size_t ok = 0, failed = 0;
    for (size_t i = 0; i < n_urls; i++) {
        char *path = vuln_download_path(dir, i, urls[i]);
        const char *rel = r->release;
        char name[128];
        const char *dash = strchr(strrchr(path, '/'), '-');
        snprintf(name, sizeof name, "%s", dash ? dash + 1 : "GENERIC");
        if (!rel)
            r->release = name;
        if (vuln_download(urls[i], path) == KW_OK && vuln_file(path, r) == KW_OK)
            ok++;
        else
            failed++;
        r->release = rel;
        free(path);
    }
    curl_global_cleanup();
    return vuln_build(r, dir, ok, failed);
}

static int vuln_import(const char *dir, int argc, char **argv, vuln_run *r)
{
    size_t ok = 0, failed = 0;
    for (int i = 0; i < argc; i++) {
        struct stat st;
        bool is_dir = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode);
        if ((is_dir ? vuln_dir_files(argv[i], r) : vuln_file(argv[i], r)) == KW_OK)
            ok++;
        else
            failed++;
    }
    return vuln_build(r, dir, ok, failed);
}

static int vuln_info(const char *dir, bool json)
{
    char *path = kw_malloc(strlen(dir) + 16);
    sprintf(path, "%s/vuln.idx", dir);
    scan_vuln_db db;
    kw_rc rc = scan_vuln_db_open(path, &db);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch: %s: %s\n", path,
                rc == KW_ERR_NOTFOUND ? "no vulnerability data: run keepwatch vuln update (or vuln import FILE)"
                                      : rc == KW_ERR_PARSE ? "not a keepwatch vulnerability index" : strerror(errno));
        free(path);
        return KW_EXIT_USAGE;
    }
    kw_buf b;
    kw_buf_init(&b, 1 << 24);
    kw_json j;
    kw_json_init(&j, &b);
    if (json) {
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "index", path);
        kw_json_kv_int(&j, "records", db.n_recs);
        kw_json_kv_int(&j, "bytes", (int64_t)db.size);
        kw_json_key(&j, "sources");
        kw_json_arr_begin(&j);
    } else {
        kw_buf_printf(&b, "%s: %u records, %zu bytes\n", path, db.n_recs, db.size);
    }
    const char *name, *from;
    int64_t when;
    uint32_t recs;
    for (uint32_t i = 0; scan_vuln_db_source(&db, i, &name, &from, &when, &recs); i++) {
        if (json) {
            kw_json_obj_begin(&j);
            kw_json_kv_str(&j, "name", name);
            kw_json_kv_str(&j, "from", from);
            kw_json_kv_time(&j, "imported", when);
            kw_json_kv_int(&j, "records", recs);
            kw_json_obj_end(&j);
        } else {
            char t[40];
            time_t s = (time_t)(when / 1000);
            struct tm tm;
            strftime(t, sizeof t, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&s, &tm));
            kw_buf_printf(&b, "  %-9s %8u records  imported %s  from %s\n", name, recs, t, from);
        }
    }
    if (json) {
        kw_json_arr_end(&j);
        kw_json_obj_end(&j);
        kw_buf_putc(&b, '\n');
    }
    fputs(kw_buf_cstr(&b), stdout);
    kw_buf_free(&b);
    scan_vuln_db_close(&db);
    free(path);
    return KW_EXIT_OK;
}

int cli_vuln(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"dir", required_argument, NULL, 'd'},
        {"url", required_argument, NULL, 'u'},    {"format", required_argument, NULL, 'f'},
        {"release", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(vuln_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *verb = argv[1], *cfg = NULL, *dir_opt = NULL, *urls[16];
    size_t n_urls = 0;
    bool json = false;
    vuln_run r = {0};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': cfg = optarg; break;
        case 'd': dir_opt = optarg; break;
        case 'u':
            if (n_urls < sizeof urls / sizeof urls[0])
                urls[n_urls++] = optarg;
            break;
        case 'f':
            r.format = strcmp(optarg, "tracker") == 0 ? VF_TRACKER : strcmp(optarg, "debsecan") == 0 ? VF_DEBSECAN
                     : strcmp(optarg, "osv") == 0 ? VF_OSV : strcmp(optarg, "auto") == 0 ? VF_AUTO : -1;
            if (r.format < 0) {
                fprintf(stderr, "keepwatch: --format: auto, tracker, debsecan or osv\n");
                return KW_EXIT_USAGE;
            }
            break;
        case 'r': r.release = optarg; break;
        case 'j': json = true; break;
        default: fputs(vuln_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    char *dir = vuln_dir(cfg, dir_opt);
    if (!dir)
        return KW_EXIT_USAGE;
    int ex;
    if (strcmp(verb, "info") == 0) {
        ex = vuln_info(dir, json);
    } else if (strcmp(verb, "update") == 0 || (strcmp(verb, "import") == 0 && optind < argc)) {
        r.b = scan_vuln_builder_new();
        ex = verb[1] == 'p' ? vuln_update(dir, urls, n_urls, &r) : vuln_import(dir, argc - optind, argv + optind, &r);
    } else {
        fputs(vuln_usage, stderr);
        ex = KW_EXIT_USAGE;
    }
    free(dir);
    return ex;
}

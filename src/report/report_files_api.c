/* The scheduled reports' routes (report_files_api.h): the list of what was made and is kept,
 * and the download of one of its files. Only a name a kept report lists is served, and it is
 * opened without following links, so the route reads nothing else of report.dir or beyond. */
#include "report/report_files_api.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/kw_file.h"
#include "http/http_reply.h"
#include "report/report.h"
#include "report/report_deliver.h"
#include "store/store_reports.h"

#define FILE_MAX ((size_t)256 << 20)

bool report_file_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 200 || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_'))
            return false;
    }
    return true;
}

int report_files_api_list(const http_call *q)
{
    kw_store *st = http_store(q->server);
    if (!st)
        return http_error(q->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "the store cannot be opened");
    int limit = (int)http_query_int(q->conn, "limit", 100, 1, 1000);
    kw_buf b;
    kw_buf_init(&b, (size_t)16 << 20);
    kw_buf_puts(&b, "{\"reports\":");
    if (store_report_list_json(st, limit, &b) != KW_OK) {
        kw_buf_free(&b);
        return http_store_error(q->conn, st);
    }
    kw_buf_puts(&b, ",\"jobs\":");
    report_module_jobs_json(&b);
    kw_buf_puts(&b, "}");
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

static const char *mime_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    report_fmt f;
    if (dot && report_fmt_parse(dot + 1, &f) == KW_OK)
        return report_fmt_mime(f);
    return "application/octet-stream";
}

/* Reads dir/name without following a link: KW_ERR_NOTFOUND when it is not there. */
static kw_rc read_kept(const char *dir, const char *name, kw_buf *out)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        kw_buf_init(out, FILE_MAX);
        return errno == ENOENT ? KW_ERR_NOTFOUND : KW_ERR_IO;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        kw_buf_init(out, FILE_MAX);
        return KW_ERR_IO;
    }
    kw_rc rc = kw_file_read_stream(f, FILE_MAX, out);
    fclose(f);
    return rc;
}

int report_files_api_get(const http_call *q)
{
    const char *name = q->url + strlen("/api/v1/reports/files/");
    kw_store *st = http_store(q->server);
    if (!st)
        return http_error(q->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "the store cannot be opened");
    if (!report_file_name_ok(name) || !store_report_has_file(st, name))
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, "no kept report has that file");
    char dir[4096];
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    report_dir(q->sh->cfg, dir, sizeof dir);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    kw_buf b;
    kw_rc rc = read_kept(dir, name, &b);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return http_error(q->conn, rc == KW_ERR_NOTFOUND ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR,
                          rc == KW_ERR_NOTFOUND ? "the file is no longer kept" : "the file cannot be read");
    }
    char disp[256];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
    const char *hdrs[] = {"Content-Disposition", disp, NULL};
    return http_respond_hdr(q->conn, MHD_HTTP_OK, mime_of(name), &b, hdrs);
}

int report_files_api_run(const http_call *q)
{
    return http_job_run(q, "/api/v1/reports/jobs/", "report", report_module_request);
}

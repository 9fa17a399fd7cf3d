/* Nuclei templates from disk: the bounded walk of the directories scan.web.templates names
 * (*.yaml and *.yml files, recursively, in name order), each file read whole (bounded) and
 * handed to the pure loader; the set they make, and the printing of what was skipped. */
#include "scan/scan_web_tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kw_mem.h"

typedef struct td_walk {
    web_tmpl_set *set;
    size_t files;                    /* template files seen so far (WEB_TMPL_COUNT_MAX) */
    size_t cap;                      /* of set->t */
    void (*on_skip)(void *arg, const char *path, const char *id, const char *why);
    void *arg;
    char *err;
    size_t errn;
} td_walk;

static void td_skip(td_walk *w, const char *path, const char *id, const char *why)
{
    w->set->skipped++;
    if (w->on_skip)
        w->on_skip(w->arg, path, id && *id ? id : NULL, why);
}

static bool td_is_template(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && ((n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml")));
}

/* Reads path whole into *data (at most WEB_TMPL_FILE_MAX bytes); false with why on failure. */
static bool td_read(const char *path, char **data, size_t *len, char *why, size_t whyn)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, whyn, "cannot read: %s", fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (st.st_size > (off_t)WEB_TMPL_FILE_MAX) {
        snprintf(why, whyn, "larger than %u bytes", WEB_TMPL_FILE_MAX);
        close(fd);
        return false;
    }
    char *buf = kw_malloc((size_t)st.st_size + 1);
    size_t got = 0;
    for (ssize_t r; got < (size_t)st.st_size && (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0;)
        got += (size_t)r;
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return true;
}

static void td_add(td_walk *w, web_tmpl *t)
{
    kw_grow(&w->set->t, &w->cap, w->set->n + 1, sizeof *w->set->t);
    w->set->t[w->set->n++] = t;
}

static void td_file(td_walk *w, const char *path)
{
    char *data, why[WEB_TMPL_WHY_MAX], id[FINDING_ID_MAX];
    size_t len;
    if (!td_read(path, &data, &len, why, sizeof why)) {
        td_skip(w, path, NULL, why);
        return;
    }
    web_tmpl *t;
    kw_rc rc = web_tmpl_parse(path, data, len, &t, id, sizeof id, why, sizeof why);
    free(data);
    if (rc == KW_OK)
        td_add(w, t);
    else
        td_skip(w, path, id, why);
}

static int td_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir (names, sorted; "." and ".." left out) into *out; -1 when it cannot be read. */
static long td_list(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t n = 0, cap = 0;
    char **v = NULL;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        kw_grow(&v, &cap, n + 1, sizeof *v);
        v[n++] = kw_strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, td_cmp);
    *out = v;
    return (long)n;
}

static kw_rc td_walk_dir(td_walk *w, const char *dir, int depth);

/* One entry of a directory: a subdirectory (not a link) is walked, a template file loaded. */
static kw_rc td_entry(td_walk *w, const char *dir, const char *name, int depth)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        td_skip(w, dir, NULL, "a path longer than 4095 bytes");
        return KW_OK;
    }
    struct stat st;
    if (lstat(path, &st) != 0)
        return KW_OK;
    if (S_ISDIR(st.st_mode)) {
        if (depth < WEB_TMPL_DEPTH_MAX)
            return td_walk_dir(w, path, depth + 1);
        td_skip(w, path, NULL, "deeper than 16 directory levels");
        return KW_OK;
    }
    if (!td_is_template(name) || !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) /* a link is read if it
                                                                                  leads to a file */
        return KW_OK;
    if (++w->files > WEB_TMPL_COUNT_MAX) {
        snprintf(w->err, w->errn, "more than %d template files (at %s)", WEB_TMPL_COUNT_MAX, path);
        return KW_ERR_FULL;
    }
    td_file(w, path);
    return KW_OK;
}

static kw_rc td_walk_dir(td_walk *w, const char *dir, int depth)
{
    char **names;
    long n = td_list(dir, &names);
    if (n < 0) {
        snprintf(w->err, w->errn, "%s: %s", dir, strerror(errno));
        return KW_ERR_IO;
    }
    kw_rc rc = KW_OK;
    for (long i = 0; i < n; i++) {
        if (rc == KW_OK)
            rc = td_entry(w, dir, names[i], depth);
        free(names[i]);
    }
    free(names);
    return rc;
}

typedef struct td_ref {
    web_tmpl *t;
    size_t i;                        /* its place in load order */
} td_ref;

static int td_cmp_id(const void *a, const void *b)
{
    const td_ref *x = a, *y = b;
    int c = strcmp(x->t->id, y->t->id);
    return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* Keeps the first template of each id (findings are kept per check id): later ones are skipped. */
static void td_dedupe(td_walk *w)
{
    web_tmpl_set *s = w->set;
    if (s->n < 2)
        return;
    td_ref *v = kw_malloc(s->n * sizeof *v);
    bool *dup = kw_calloc(s->n, sizeof *dup);
    for (size_t i = 0; i < s->n; i++)
        v[i] = (td_ref){s->t[i], i};
    qsort(v, s->n, sizeof *v, td_cmp_id);
    for (size_t i = 1; i < s->n; i++)
        if (!strcmp(v[i].t->id, v[i - 1].t->id)) {
            char why[WEB_TMPL_WHY_MAX];
            snprintf(why, sizeof why, "the same id as %.200s", v[i - 1].t->file);
            td_skip(w, v[i].t->file, v[i].t->id, why);
            dup[v[i].i] = true;
            v[i].t = v[i - 1].t; /* compare the next with the first of the run */
        }
    size_t keep = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (dup[i])
            web_tmpl_free(s->t[i]);
        else
            s->t[keep++] = s->t[i];
    }
    s->n = keep;
    free(v);
    free(dup);
}

kw_rc web_tmpl_load_dirs(char *const *dirs, size_t n, web_tmpl_set **out,
                         void (*on_skip)(void *arg, const char *path, const char *id, const char *why), void *arg,
                         char *err, size_t errn)
{
    *out = NULL;
    td_walk w = {kw_calloc(1, sizeof *w.set), 0, 0, on_skip, arg, err, errn};
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < n && rc == KW_OK; i++) {
        struct stat st;
        if (stat(dirs[i], &st) == 0 && S_ISREG(st.st_mode) && td_is_template(dirs[i]))
            td_file(&w, dirs[i]); /* a file named directly is loaded too */
        else
            rc = td_walk_dir(&w, dirs[i], 0);
    }
    if (rc != KW_OK) {
        web_tmpl_set_free(w.set);
        return rc;
    }
    td_dedupe(&w);
    *out = w.set;
    return KW_OK;
}

void web_tmpl_set_free(web_tmpl_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        web_tmpl_free(s->t[i]);
    free(s->t);
    free(s);
}

size_t web_tmpl_count(const web_tmpl_set *s)
{
    return s ? s->n : 0;
}

void web_tmpl_print_skip(void *arg, const char *path, const char *id, const char *why)
{
    fprintf(arg ? (FILE *)arg : stderr, "skipped %s: %s\n", id ? id : path, why);
}

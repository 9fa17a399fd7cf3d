/* scan_web_sitemap.c: what a site lists for crawlers (pure: no I/O): the Allow/Disallow paths
 * and Sitemap lines of a robots.txt (RFC 9309's syntax, read leniently), and the URLs of a
 * sitemap.xml or a sitemap index (sitemaps.org's protocol).
 *
 * Sitemaps are read with libxml2's XML reader, streaming (no tree): nothing fetched
 * (XML_PARSE_NONET), no DTD loaded, no entity substituted (XML_PARSE_NOENT off: an entity
 * reference inside <loc> is skipped; libxml2's amplification check stops a billion-laughs
 * document, which then gives nothing). <loc> is taken only as a direct child of <url> or
 * <sitemap>, whatever the namespace (image:loc and the like are deeper). Gzip-compressed
 * sitemaps (.xml.gz) are not read: they are not XML (KW_ERR_PARSE); the caller may skip them. */
#include "scan/scan_web_html.h"

#include <libxml/xmlreader.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kw_buf.h"
#include "core/kw_mem.h"
#include "scan/scan_web.h"
#include "scan/scan_web_html_int.h"

/* ---- robots.txt ---- */

typedef struct robots_ctx {
    char site[WEB_URL_MAX];
    size_t max;
    web_list paths, maps;
} robots_ctx;

static void robots_value(robots_ctx *r, const char *key, char *v)
{
    char path[WEB_URL_MAX + 1], url[WEB_URL_MAX];
    bool rule = strcasecmp(key, "disallow") == 0 || strcasecmp(key, "allow") == 0;
    if (rule) {
        v[strcspn(v, "*$")] = '\0';
        if (!v[0] || *r->paths.n >= r->max) /* full: only Sitemap lines are still read */
            return;
        path[0] = '/';
        kw_strlcpy(path + (v[0] != '/'), v, sizeof path - 1);
        /* a path, never another host: "//evil.example/" resolves to one and is dropped */
        if (web_url_resolve(r->site, path, url, sizeof url) == KW_OK && strncmp(url, r->site, strlen(r->site)) == 0)
            web_list_add(&r->paths, url, r->max);
    } else if (strcasecmp(key, "sitemap") == 0 && web_url_resolve(r->site, v, url, sizeof url) == KW_OK)
        web_list_add(&r->maps, url, r->max);
}

/* One line of a robots.txt (p[n], no line end): "Key: value # comment". */
static void robots_line(robots_ctx *r, const char *p, size_t n)
{
    char line[WEB_URL_MAX];
    if (n >= sizeof line)
        return;
    memcpy(line, p, n);
    line[n] = '\0';
    line[strcspn(line, "#")] = '\0';
    char *colon = strchr(line, ':');
    if (!colon)
        return;
    *colon = '\0';
    char *key = line, *v = colon + 1, *e;
    while (*key == ' ' || *key == '\t')
        key++;
    for (e = colon; e > key && (e[-1] == ' ' || e[-1] == '\t'); e--)
        e[-1] = '\0';
    while (*v == ' ' || *v == '\t')
        v++;
    for (e = v + strlen(v); e > v && (unsigned char)e[-1] <= 0x20; e--)
        e[-1] = '\0';
    robots_value(r, key, v);
}

kw_rc web_robots_parse(const char *site, const char *buf, size_t len, size_t max_items, web_strs *paths,
                       web_strs *sitemaps)
{
    memset(paths, 0, sizeof *paths);
    memset(sitemaps, 0, sizeof *sitemaps);
    robots_ctx *r = kw_calloc(1, sizeof *r);
    if (!site || web_url_resolve(site, "/", r->site, sizeof r->site) != KW_OK) {
        free(r);
        return KW_ERR_PARSE;
    }
    r->max = max_items;
    web_list_init(&r->paths, &paths->v, &paths->n);
    web_list_init(&r->maps, &sitemaps->v, &sitemaps->n);
    size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (i < len) {
        size_t e = i;
        while (e < len && buf[e] != '\n' && buf[e] != '\r')
            e++;
        robots_line(r, buf + i, e - i);
        i = e + 1;
    }
    web_list_done(&r->paths);
    web_list_done(&r->maps);
    free(r);
    return KW_OK;
}

/* ---- sitemap.xml ---- */

typedef struct sitemap_ctx {
    size_t max;
    web_list urls, maps;
    int root;                        /* 1 <urlset>, 2 <sitemapindex>, 0 other or not yet */
    int parent;                      /* 0 none, 1 <url>, 2 <sitemap> */
    int parent_depth;
    bool in_loc;
    kw_buf loc;
} sitemap_ctx;

static void sitemap_loc_end(sitemap_ctx *s)
{
    char url[WEB_URL_MAX];
    s->in_loc = false;
    if (!s->loc.overflow && web_url_resolve(kw_buf_cstr(&s->loc), "", url, sizeof url) == KW_OK)
        web_list_add(s->parent == 1 ? &s->urls : &s->maps, url, s->max);
    kw_buf_reset(&s->loc);
}

static void sitemap_element(sitemap_ctx *s, xmlTextReaderPtr rd)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(rd);
    int depth = xmlTextReaderDepth(rd);
    if (!name || xmlTextReaderIsEmptyElement(rd) == 1)
        return;
    if (depth == 0)
        s->root = strcmp(name, "urlset") == 0 ? 1 : strcmp(name, "sitemapindex") == 0 ? 2 : 0;
    if (strcmp(name, "url") == 0 || strcmp(name, "sitemap") == 0) {
        s->parent = name[0] == 'u' ? 1 : 2;
        s->parent_depth = depth;
    } else if (strcmp(name, "loc") == 0 && s->parent && depth == s->parent_depth + 1) {
        s->in_loc = true;
        kw_buf_reset(&s->loc);
    }
}

static void sitemap_node(sitemap_ctx *s, xmlTextReaderPtr rd)
{
    int type = xmlTextReaderNodeType(rd);
    if (type == XML_READER_TYPE_ELEMENT)
        sitemap_element(s, rd);
    else if (s->in_loc && (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA)) {
        const char *v = (const char *)xmlTextReaderConstValue(rd);
        if (v)
            kw_buf_puts(&s->loc, v);
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
        if (s->in_loc)
            sitemap_loc_end(s);
        else if (s->parent && xmlTextReaderDepth(rd) == s->parent_depth)
            s->parent = 0;
    }
}

kw_rc web_sitemap_parse(const char *buf, size_t len, size_t max_items, web_strs *urls, web_strs *sitemaps)
{
    memset(urls, 0, sizeof *urls);
    memset(sitemaps, 0, sizeof *sitemaps);
    if (!buf || !len || len > INT_MAX)
        return KW_ERR_PARSE;
    web_xml_quiet q;
    web_xml_quiet_begin(&q);
    xmlTextReaderPtr rd = xmlReaderForMemory(buf, (int)len, NULL, NULL,
                                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!rd) {
        web_xml_quiet_end(&q);
        return KW_ERR_PARSE;
    }
    xmlTextReaderSetStructuredErrorHandler(rd, web_xml_drop, NULL);
    sitemap_ctx *s = kw_calloc(1, sizeof *s);
    s->max = max_items;
    web_list_init(&s->urls, &urls->v, &urls->n);
    web_list_init(&s->maps, &sitemaps->v, &sitemaps->n);
    kw_buf_init(&s->loc, WEB_URL_MAX);
    bool any = false;
    while (xmlTextReaderRead(rd) == 1) {
        any = true;
        sitemap_node(s, rd);
        if ((s->root == 1 && urls->n >= max_items) || (s->root == 2 && sitemaps->n >= max_items))
            break; /* the list this document fills is full: the rest is not read */
    }
    xmlFreeTextReader(rd);
    web_xml_quiet_end(&q);
    kw_buf_free(&s->loc);
    web_list_done(&s->urls);
    web_list_done(&s->maps);
    free(s);
    return any ? KW_OK : KW_ERR_PARSE;
}

/* Tomcat's XML files (server.xml, tomcat-users.xml, context.xml, web.xml; pure, no I/O) with
 * libxml2, treated as hostile: no network (XML_PARSE_NONET), no DTD loading, no entity
 * substitution (entity references stay unexpanded), errors silenced; comments (the
 * commented-out connectors of a stock server.xml) are skipped. Each element becomes a
 * directive: key its name, val its attributes name="value" (a '"' inside a value becomes
 * '\''), ctx its ancestors ("Server>Service>Engine"), line libxml2's. */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "audit/audit_app_int.h"

#define XML_DEPTH 64

static void attrs(xmlNode *e, char *out, size_t n)
{
    size_t l = 0;
    out[0] = '\0';
    for (xmlAttr *a = e->properties; a && l + 1 < n; a = a->next) {
        xmlChar *v = xmlNodeListGetString(e->doc, a->children, 0); /* entity references stay &name; */
        int w = snprintf(out + l, n - l, "%s%s=\"", l ? " " : "", (const char *)a->name);
        l = w > 0 && (size_t)w < n - l ? l + (size_t)w : n - 1;
        for (const xmlChar *p = v; p && *p && l + 2 < n; p++)
            out[l++] = *p == '"' ? '\'' : (char)*p;
        if (l + 1 < n)
            out[l++] = '"';
        out[l] = '\0';
        xmlFree(v);
    }
}

/* The text of an element without attributes whose children are text only ("listings" of
 * <param-name>listings</param-name>), trimmed, into out; "" otherwise. */
static void text_of(xmlNode *e, char *out, size_t n)
{
    out[0] = '\0';
    if (e->properties || !e->children)
        return;
    for (xmlNode *c = e->children; c; c = c->next)
        if (c->type != XML_TEXT_NODE)
            return;
    xmlChar *t = xmlNodeGetContent(e);
    const char *p = (const char *)t;
    while (p && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    snprintf(out, n, "%s", p ? p : "");
    size_t l = strlen(out);
    while (l && (out[l - 1] == ' ' || out[l - 1] == '\n' || out[l - 1] == '\t' || out[l - 1] == '\r'))
        out[--l] = '\0';
    xmlFree(t);
}

static kw_rc walk(app_cf *c, const char *file, xmlNode *e, char *ctx, size_t ctxn, int depth)
{
    char val[APP_TEXT_MAX + 1];
    for (; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        attrs(e, val, sizeof val);
        if (!val[0])
            text_of(e, val, sizeof val);
        const char *name = (const char *)e->name;
        kw_rc rc = app_cf_add(c, file, (int)xmlGetLineNo(e), ctx, name, strlen(name), val, strlen(val));
        if (rc != KW_OK)
            return rc;
        if (depth >= XML_DEPTH || !e->children)
            continue;
        size_t cl = strlen(ctx);
        snprintf(ctx + cl, ctxn - cl, "%s%s", cl ? ">" : "", name);
        rc = walk(c, file, e->children, ctx, ctxn, depth + 1);
        ctx[cl] = '\0';
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

kw_rc app_xml_parse(app_cf *c, const char *file, const char *b, size_t n)
{
    if (n > (size_t)0x7fffffff)
        return KW_ERR_RANGE;
    xmlParserCtxtPtr p = xmlNewParserCtxt();
    if (!p)
        return KW_ERR_NOMEM;
    int opt = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
    xmlDocPtr d = xmlCtxtReadMemory(p, b, (int)n, "config.xml", NULL, opt);
    xmlFreeParserCtxt(p);
    if (!d)
        return KW_ERR_PARSE;
    char ctx[APP_TEXT_MAX + 1] = "";
    kw_rc rc = walk(c, file, xmlDocGetRootElement(d), ctx, sizeof ctx, 0);
    xmlFreeDoc(d);
    return rc;
}

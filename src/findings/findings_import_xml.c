/* XML for the report importers (nmap, OpenVAS/GVM), read with libxml2 so that a hostile report
 * can do no more than fail: entity declarations are refused before parsing (no XXE, no
 * "billion laughs"), no DTD is loaded, nothing is fetched, the encoding is UTF-8 whatever the
 * document says (so the entity check sees what the parser sees), and libxml2's own depth and
 * text-size limits stay on (no XML_PARSE_HUGE). */
#include "findings/findings_import_int.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <string.h>

#define XML_OPTIONS                                                                          \
    (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC |      \
     XML_PARSE_NOCDATA | XML_PARSE_NOXINCNODE)

static kw_rc xml_error(fimp_ctx *c, xmlParserCtxt *ctxt)
{
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    if (!e || !e->message)
        return fimp_fail(c, "not a well-formed XML document");
    char msg[200];
    size_t k = 0;
    for (const char *m = e->message; *m && k + 1 < sizeof msg; m++)
        msg[k++] = *m == '\n' ? ' ' : *m;
    while (k && isspace((unsigned char)msg[k - 1]))
        k--;
    msg[k] = '\0';
    return fimp_fail(c, "line %d column %d: %s", e->line, e->int2, msg);
}

static kw_rc xml_read(fimp_ctx *c, const char *buf, size_t n, xmlDoc **out)
{
    *out = NULL;
    if (n > FINDINGS_IMPORT_MAX)
        return fimp_fail(c, "XML report too large");
    static const char decl[] = "<!ENTITY";
    if (memmem(buf, n, decl, sizeof decl - 1))
        return fimp_fail(c, "offset %zu: entity declarations are not accepted",
                         (size_t)((const char *)memmem(buf, n, decl, sizeof decl - 1) - buf));
    xmlInitParser();
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return KW_ERR_NOMEM;
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, buf, (int)n, NULL, "UTF-8", XML_OPTIONS);
    kw_rc rc = KW_OK;
    if (!doc || !xmlDocGetRootElement(doc)) {
        rc = xml_error(c, ctxt);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    *out = doc;
    return rc;
}

kw_rc fimp_xml_parse(fimp_ctx *c, const char *buf, size_t n, const char *root, const char *alt,
                     xmlDoc **out, xmlNode **top)
{
    *top = NULL;
    kw_rc rc = xml_read(c, buf, n, out);
    if (rc != KW_OK)
        return rc;
    *top = xmlDocGetRootElement(*out);
    if (fimp_xml_is(*top, root) || (alt && fimp_xml_is(*top, alt)))
        return KW_OK;
    rc = fimp_fail(c, "root element <%s> is not <%s>", (const char *)(*top)->name, root);
    xmlFreeDoc(*out);
    *out = NULL;
    *top = NULL;
    return rc;
}

bool fimp_xml_is(xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->name && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *first_element(xmlNode *n, const char *name)
{
    for (; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && (!name || fimp_xml_is(n, name)))
            return n;
    return NULL;
}

xmlNode *fimp_xml_child(xmlNode *n, const char *name)
{
    return n ? first_element(n->children, name) : NULL;
}

xmlNode *fimp_xml_next(xmlNode *n, const char *name)
{
    return n ? first_element(n->next, name) : NULL;
}

const char *fimp_xml_attr(xmlNode *n, const char *name)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && strcmp((const char *)a->name, name) == 0) {
            xmlNode *t = a->children;
            return t && t->type == XML_TEXT_NODE && !t->next ? (const char *)t->content : "";
        }
    return NULL;
}

const char *fimp_xml_text(fimp_ctx *c, xmlNode *n)
{
    if (!n)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, FINDING_EVIDENCE_MAX * 4);
    for (xmlNode *t = n->children; t; t = t->next)
        if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
            fimp_buf_add(&b, (const char *)t->content, FINDING_EVIDENCE_MAX * 4);
    const char *r = fimp_trim(c, kw_buf_cstr(&b));
    kw_buf_free(&b);
    return r;
}

const char *fimp_xml_ctext(fimp_ctx *c, xmlNode *n, const char *name)
{
    return fimp_xml_text(c, fimp_xml_child(n, name));
}

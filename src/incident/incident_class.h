/* The incident classification of GB/T 20986-2023 (信息安全技术 网络安全事件分类分级指南): its
 * ten categories and their sub-categories, each with the code of the standard's Annex B and
 * its names in Chinese and English (incident_class.c; sources and what is verified there). */
#ifndef KW_INCIDENT_CLASS_H
#define KW_INCIDENT_CLASS_H

#include <stddef.h>

typedef struct incident_class {
    const char *code;           /* the Annex B code */
    const char *parent;         /* a sub-category's category code; NULL for a category */
    const char *name_zh, *name_en;
} incident_class;

/* The entry for code (case-sensitive), or NULL. Static storage. */
const incident_class *incident_class_find(const char *code);
/* Entry i of the table (categories and sub-categories, each category before its own), or
 * NULL past the end. */
const incident_class *incident_class_at(size_t i);

#endif

/* The key=value engine the device parsers share: a vendor's format is a table (key -> ECS
 * field and how to read the value) and one call splits a message into pairs and applies it.
 * Also the value readers every device parser needs (transport, verdict, severity, time).
 * Nothing here allocates or does I/O; values point into the line or the record's scratch. */
#ifndef LOGS_KV_H
#define LOGS_KV_H

#include "logs/logs.h"

/* How a table entry reads its value. */
typedef enum {
    KV_STR,        /* as it is */
    KV_LOWER,      /* lower-cased */
    KV_TRANSPORT,  /* "6", "TCP", "tcp" -> "tcp" */
    KV_ACTION,     /* a firewall verdict into event.action ("deny", "allow", or the word) */
    KV_SEVERITY,   /* a word or a 0-10 number into event.severity */
    KV_OUTCOME,    /* "success", "failed", "成功", ... into event.outcome */
    KV_USER,       /* a user name unless it is an empty marker ("-", "N/A", "(null)") */
    KV_TIME,       /* a date-time ("2024-01-02 03:04:05", "2024/01/02 03:04:05", epoch seconds or ms) */
    KV_IFEMPTY,    /* as KV_STR, but only when no earlier key set the field */
    KV_IFEMPTY_USER, /* as KV_USER, but only when no earlier key set the field */
    KV_ADDR,       /* an address, also DPtech's hex "4-C0A8010F" */
    KV_ADDR_PORT,  /* "IP:PORT" or "IP:PORT:IFACE" (SonicWall): the address into field, the port into field + 1 */
} log_kv_kind;

typedef struct log_kv_field {
    const char *key;   /* compared without case */
    log_field field;
    log_kv_kind kind;
} log_kv_field;

/* A vendor's format. `pair` separates pairs (' ', ',' or ';'); `eq` separates a key from its
 * value ('=' or ':'). With pair ' ', an unquoted value runs to the space before the next
 * "key=", so values may hold spaces. Keys not in the table become extras (at most
 * LOG_MAX_EXTRA). */
typedef struct log_kv_table {
    const char *dataset, *vendor, *product, *ns;
    char pair, eq;
    const log_kv_field *fields;   /* ends with a NULL key */
} log_kv_table;

/* Applies t to p[0..n): sets the dataset, vendor and product and each known key's field.
 * Returns the number of pairs read. */
int log_kv_apply(log_rec *r, const log_kv_table *t, const char *p, size_t n, const log_parse_opts *o);

/* Sets field from one value read the way kind says. */
void log_kv_set(log_rec *r, log_field field, log_kv_kind kind, log_val v, const log_parse_opts *o);

/* The value of key in p[0..n) under t's separators (without quotes); false if absent. */
bool log_kv_get(const log_kv_table *t, const char *p, size_t n, const char *key, log_val *out);

/* Value readers (set the field; a value they do not understand is kept as it is or ignored). */
void log_set_transport(log_rec *r, const char *v, size_t n);
void log_set_action(log_rec *r, const char *v, size_t n);
void log_set_severity_word(log_rec *r, const char *v, size_t n);
void log_set_severity10(log_rec *r, int s);
/* "success" / "failure" from a status word; false when the word says neither. */
bool log_set_outcome_word(log_rec *r, const char *v, size_t n);
/* A date-time in the common device shapes into r's timestamp; false if not one. */
bool log_set_time_word(log_rec *r, const char *v, size_t n, const log_parse_opts *o);
/* Lower-case key without '-', '_' and spaces into out (NUL-terminated); returns its length. */
size_t log_norm_key(const char *k, size_t kn, char *out, size_t cap);
/* Case-insensitive equality of p[0..n) with a C string. */
bool log_ieq(const char *p, size_t n, const char *s);

/* "IP:PORT->IP:PORT", "IP/PORT -> IP/PORT", "[v6]:PORT -> ...": sets source and destination
 * address and port; returns where the second end ends, NULL if p does not start with one. */
const char *log_set_flow(log_rec *r, const char *p, const char *end);
/* One end "IP:PORT", "IP/PORT", "[v6]:PORT" or a bare address in p[0..n): sets ip_f and port_f. */
bool log_set_endpoint(log_rec *r, const char *p, size_t n, log_field ip_f, log_field port_f);

/* Splits a CSV line (fields in double quotes may hold commas and "" for a quote) into at
 * most max fields, which point into m without their quotes; returns the count. */
int log_csv_split(const char *m, size_t n, log_val *f, int max);
/* A quoted field's "" as one quote (a copy in scratch space when there is one). */
log_val log_csv_unquote(log_rec *r, log_val v);

extern const char *const log_syslog_levels[8];

#endif

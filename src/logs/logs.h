/* The log sensor's record and parsers: one input line into ECS fields.
 *
 * A parsed line is a log_rec: a fixed slot per known ECS field (a byte range into the line,
 * or into the record's own scratch space for decoded values), plus a bounded list of vendor
 * key/values that have no ECS home. Parsing allocates nothing per line once the record's
 * scratch space has grown to the longest line seen, and never fails: a line no parser knows
 * is kept as a plain `message`. The parsers do no I/O and read no clock (the caller passes
 * the receive time, used for timestamps without a year or zone). */
#ifndef LOGS_H
#define LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/kw_buf.h"

/* The fields a parser fills and a rule can test. Keep log_field_names in logs_rec.c in step. */
typedef enum {
    LF_MESSAGE,
    LF_HOST_NAME,           /* host.hostname: the syslog HOSTNAME */
    LF_PROCESS_NAME,        /* the syslog TAG / APP-NAME */
    LF_PROCESS_PID,
    LF_LOG_LEVEL,
    LF_EVENT_DATASET,       /* which parser understood the line: openssh, iptables, cisco.asa, ... */
    LF_EVENT_ACTION,
    LF_EVENT_OUTCOME,       /* success | failure | unknown */
    LF_EVENT_CATEGORY,      /* authentication, network, web, database, intrusion_detection, malware, ... */
    LF_EVENT_SEVERITY,      /* 1 (low) .. 4 (critical) */
    LF_EVENT_CODE,          /* the vendor's message id: 106023, MY-010926, 0000000013 */
    LF_EVENT_REASON,
    LF_SOURCE_IP,
    LF_SOURCE_PORT,
    LF_SOURCE_NAT_IP,
    LF_DEST_IP,
    LF_DEST_PORT,
    LF_NETWORK_TRANSPORT,   /* tcp, udp, icmp, ... (lower case) */
    LF_NETWORK_PROTOCOL,    /* application: http, dns, ... */
    LF_NETWORK_BYTES,
    LF_NETWORK_PACKETS,
    LF_USER_NAME,
    LF_USER_TARGET,         /* user.target.name: sudo's or su's target user */
    LF_PROCESS_COMMAND,     /* process.command_line: sudo's COMMAND */
    LF_RULE_ID,
    LF_RULE_NAME,           /* firewall policy, IDS signature, antivirus signature */
    LF_RULE_CATEGORY,
    LF_OBSERVER_VENDOR,
    LF_OBSERVER_PRODUCT,
    LF_OBSERVER_NAME,       /* the device's own name (devname=, the ASA's hostname, ...) */
    LF_OBSERVER_SERIAL,
    LF_OBSERVER_INGRESS,    /* observer.ingress.interface.name */
    LF_OBSERVER_EGRESS,
    LF_URL_ORIGINAL,
    LF_URL_DECODED,         /* keepwatch.url.decoded: url.original percent-decoded, for rules */
    LF_HTTP_METHOD,
    LF_HTTP_STATUS,
    LF_HTTP_BYTES,
    LF_HTTP_REFERRER,
    LF_USER_AGENT,
    LF_FILE_PATH,
    LF_DB_NAME,             /* keepwatch.database.name */
    LF_SIG_VERSION,         /* keepwatch.signatures.version: a rule library's version */
    LF_SIG_NAME,            /* keepwatch.signatures.name: daily, main, bytecode, ... */
    LF_INPUT,               /* log.file.path or the syslog listener: where the line came from */
    LF_SENDER,              /* log.source.address: the syslog sender */
    LF_SOURCE_DOMAIN,       /* source.domain: a client known by name only (Apache's HostnameLookups) */
    LF_COUNT
} log_field;

/* The ECS name of a field ("source.ip"), and the field of a name (-1 if none). */
const char *log_field_name(log_field f);
int log_field_lookup(const char *name);
/* True for fields written as JSON numbers when they hold one. */
bool log_field_numeric(log_field f);

typedef struct log_val {
    const char *p;
    uint32_t n;
} log_val;

#define LOG_MAX_EXTRA 48

typedef struct log_rec {
    int64_t ts_ms;               /* @timestamp; the receive time when the line has none */
    bool ts_from_line;
    uint64_t present;            /* bit f: f[f] is set */
    log_val f[LF_COUNT];
    const char *extra_ns;        /* the JSON object the extras go in: "fortinet", "cef", ... */
    uint32_t nextra;
    struct {
        log_val k, v;
    } extra[LOG_MAX_EXTRA];
    const char *line;            /* the whole input line (not NUL-terminated) */
    size_t len;
    /* scratch space for decoded values: owned, sized to the longest line */
    char *scratch;
    size_t scap, slen;
} log_rec;

/* Time zone for timestamps that carry none. */
#define LOG_TZ_LOCAL INT32_MIN

typedef struct log_parse_opts {
    int64_t now_ms;              /* receive time: fills in years and missing timestamps */
    int32_t tz_offset_min;       /* minutes east of UTC, or LOG_TZ_LOCAL */
    const char *format;          /* NULL or "auto": detect per line; else a log_format_names entry */
    const char *input;           /* log.file.path or listener, may be NULL */
    const char *sender;          /* syslog sender address, may be NULL */
} log_parse_opts;

/* Input formats a file can declare (auto-detection handles all of them too, except that a
 * declared nginx or apache names the dataset of access lines). */
extern const char *const log_format_names[];
bool log_format_valid(const char *name);

void log_rec_init(log_rec *r);
void log_rec_free(log_rec *r);
/* Parses line[0..len) into r (which is reset first). r's values point into line and into
 * r's scratch space: valid until the next parse into r. */
void log_parse(log_rec *r, const char *line, size_t len, const log_parse_opts *o);

/* For inputs that carry the envelope apart (the journal): the message alone, with its
 * program, host and pid (C strings, any may be NULL) and time (0: the receive time). */
void log_parse_message(log_rec *r, const char *msg, size_t n, const char *prog, const char *host, const char *pid,
                       int64_t ts_ms, const log_parse_opts *o);

static inline bool log_has(const log_rec *r, log_field f) { return (r->present >> f) & 1; }

/* The address and port fields: every parser's value for one of them passes log_value_ok,
 * the one check (in log_set), so a column read at the wrong place ("vsys1", "", "-") is never
 * taken for an address. */
#define LOG_ADDR_FIELDS (((uint64_t)1 << LF_SOURCE_IP) | ((uint64_t)1 << LF_DEST_IP) | ((uint64_t)1 << LF_SOURCE_NAT_IP))
#define LOG_PORT_FIELDS (((uint64_t)1 << LF_SOURCE_PORT) | ((uint64_t)1 << LF_DEST_PORT))
/* Is p[0..n) a valid value for field f (an address for the address fields, a port number
 * 0..65535 for the port fields; anything for the others)? */
bool log_value_ok(log_field f, const char *p, size_t n);

static inline void log_set(log_rec *r, log_field f, const char *p, size_t n)
{
    if (((LOG_ADDR_FIELDS | LOG_PORT_FIELDS) >> f & 1) && !log_value_ok(f, p, n))
        return;
    if (n > UINT32_MAX)
        n = UINT32_MAX;
    r->f[f].p = p;
    r->f[f].n = (uint32_t)n;
    r->present |= (uint64_t)1 << f;
}
/* A static string (inline, so that the length of a literal is known when compiling). */
static inline void log_set_str(log_rec *r, log_field f, const char *s) { log_set(r, f, s, strlen(s)); }
/* Copies bytes into scratch space and sets the field to the copy. */
void log_set_copy(log_rec *r, log_field f, const char *p, size_t n);
/* Compares a field with a C string. */
bool log_eq(const log_rec *r, log_field f, const char *s);
void log_extra(log_rec *r, const char *k, size_t kn, const char *v, size_t vn);
/* Reserves n bytes of scratch space (NULL when the record's scratch bound is reached). */
char *log_scratch(log_rec *r, size_t n);

/* The record as one ECS document (event.kind: event), no newline. */
void log_rec_ecs(const log_rec *r, kw_buf *out);

/* ---- splitting a byte stream into lines ---- */

/* Cuts a stream into lines. A line longer than max is cut at max (counted in `truncated`) and
 * the rest of it up to its newline dropped; a NUL byte is kept as data. */
typedef void (*log_line_fn)(void *arg, const char *line, size_t len);
typedef struct log_lines {
    char *buf;          /* the partial line carried between feeds (owned) */
    size_t len, cap, max;
    bool skipping;      /* dropping the rest of an over-long line */
    uint64_t lines, truncated;
} log_lines;

void log_lines_init(log_lines *l, size_t max_line);
void log_lines_free(log_lines *l);
/* Calls fn for each whole line in p[0..n) (and what was carried over), without the '\n'. */
void log_lines_feed(log_lines *l, const char *p, size_t n, log_line_fn fn, void *arg);
/* End of input: a last line without a newline is passed on. */
void log_lines_flush(log_lines *l, log_line_fn fn, void *arg);
/* Bytes held back as an incomplete line. */
static inline size_t log_lines_pending(const log_lines *l) { return l->skipping ? 0 : l->len; }

/* ---- helpers shared by the parsers (logs_util.c) ---- */

/* Civil date to Unix milliseconds, UTC. month 1..12. */
int64_t log_civil_ms(int year, int month, int day, int hour, int min, int sec, int ms);
/* "Jan" -> 1 ... "Dec" -> 12, 0 if not a month. */
int log_month(const char *p);
/* A stamp without a year (RFC 3164, Snort): the latest of next, this and last year that is at
 * most a week ahead of the receive time. */
int64_t log_infer_year_ms(const log_parse_opts *o, int mon, int day, int h, int m, int s, int ms);
/* Unix ms of a zone-less local wall time, in the zone the options say. */
int64_t log_local_ms(const log_parse_opts *o, int year, int mon, int day, int h, int m, int s, int ms);
/* RFC 3339 / ISO 8601 "2024-01-02T03:04:05.678+08:00" (T or space; zone optional: then
 * local). Returns bytes consumed, 0 if p does not start with one. */
size_t log_parse_iso(const char *p, size_t n, const log_parse_opts *o, int64_t *ms);
/* "local", "UTC", "Z", "+08:00", "+0800", "-05" into minutes east of UTC (or LOG_TZ_LOCAL). */
bool log_tz_parse(const char *s, int32_t *out);
/* Case-sensitive search for a literal (inline: the literal's length is folded at compile time;
 * the parsers call it on every line). */
static inline const char *log_find(const char *p, size_t n, const char *lit)
{
    size_t ln = strlen(lit);
    if (!ln || ln > n || n > (size_t)PTRDIFF_MAX)
        return NULL;
    return (const char *)memmem(p, n, lit, ln);
}
/* The last occurrence of a literal. */
const char *log_rfind(const char *p, size_t n, const char *lit);
/* Lower-cases n bytes into scratch space; returns the copy (or p itself if already lower). */
const char *log_lower(log_rec *r, const char *p, size_t n);
/* Percent-decodes (and '+' to space) into scratch space; returns the input if nothing to do. */
log_val log_url_decode(log_rec *r, const char *p, size_t n);
/* A firewall's verdict in one word: "deny" for anything that stopped the traffic (drop, deny,
 * reject, block, reset), "allow" for what let it pass; NULL when the word says neither. */
const char *log_verdict(const char *p, size_t n);
/* Is p[0..n) an IPv4 or IPv6 address? (It remembers the last address it accepted, until
 * log_is_ip_forget, which log_parse calls for each line: scratch space is reused.) */
bool log_is_ip(const char *p, size_t n);
void log_is_ip_forget(void);

/* Individual parsers, tried by log_parse. Each looks at msg[0..n) (the syslog MSG, or the
 * whole line) and returns true if it recognised it, having filled r. */
bool log_parse_openssh(log_rec *r, const char *m, size_t n);
bool log_parse_sudo(log_rec *r, const char *m, size_t n);
bool log_parse_su(log_rec *r, const char *m, size_t n);
/* Sessions and accounts from any program (PAM sessions, sftp, logind, useradd, ...). */
bool log_parse_account(log_rec *r, const char *m, size_t n);
bool log_parse_iptables(log_rec *r, const char *m, size_t n);
bool log_parse_cef(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_leef(log_rec *r, const char *m, size_t n);
bool log_parse_asa(log_rec *r, const char *m, size_t n);
bool log_parse_fortigate(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_panos(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_huawei(log_rec *r, const char *m, size_t n);
bool log_parse_h3c(log_rec *r, const char *m, size_t n);
bool log_parse_eve(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_access(log_rec *r, const char *m, size_t n, const log_parse_opts *o, const char *dataset);
bool log_parse_nginx_error(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_apache_error(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_mysql(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_postgresql(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_clamav(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
/* Topsec, Qi An Xin SecGate, Venustech, Sangfor, NSFOCUS, DPtech, Hillstone (logs_vendor_cn.c). */
bool log_parse_cn(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
bool log_parse_hillstone(log_rec *r, const char *m, size_t n);
/* Sophos Firewall, SonicWall, Check Point, F5 BIG-IP ASM/AFM, Juniper SRX text (logs_vendor_intl.c). */
bool log_parse_intl(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
/* Juniper's and Check Point's RFC 5424 structured data, already in r's extras, into fields;
 * msgid names the event. */
void log_junos_sd(log_rec *r, const char *msgid, size_t idn, const log_parse_opts *o);
/* Snort (and Suricata fast.log) alerts, fast and full formats (logs_snort.c). */
bool log_parse_snort(log_rec *r, const char *m, size_t n, const log_parse_opts *o);
/* pf's filterlog CSV (pfSense, OPNsense): logs_filterlog.c */
bool log_parse_filterlog(log_rec *r, const char *m, size_t n);
/* Mail and FTP servers' logins (Dovecot, ProFTPD, vsftpd): logs_mailftp.c */
bool log_parse_dovecot(log_rec *r, const char *m, size_t n);
bool log_parse_proftpd(log_rec *r, const char *m, size_t n);
bool log_parse_vsftpd(log_rec *r, const char *m, size_t n);
/* F5 BIG-IP's daemons ("01070417:5: ..." after the tag): logs_vendor_intl.c */
bool log_parse_f5_daemon(log_rec *r, const char *m, size_t n);
/* Cisco IOS and Ruijie "%MODULE-SEVERITY-MNEMONIC: text". */
bool log_parse_ios(log_rec *r, const char *m, size_t n);

#endif

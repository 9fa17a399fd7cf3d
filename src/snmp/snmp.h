/* The snmp subsystem: routers, switches, storage and security devices polled over SNMP
 * (v2c, v3) and their v2c traps.
 *
 * What is read from a device is described by profiles, as data (snmp_profile.c): a profile is
 * a few tables, a table a few columns (OID -> series, or OID -> label), and one engine turns
 * the rows a walk returned into metric samples labelled by device and index (snmp_profile.c,
 * no I/O). What a device's readings mean over time (counter deltas with 32-bit wraps and
 * resets, an uptime that went back, an interface that went down) is snmp_state.c, no I/O.
 * The poller (snmp_poll.c) talks to the devices through net-snmp (which does BER and the
 * protocol) from one thread, every device's requests in flight at once; traps arrive on the
 * same thread and become events (snmp_trap.c). The module (snmp_module.c) runs it all. */
#ifndef KW_SNMP_H
#define KW_SNMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "core/kw_map.h"
#include "http/http.h"
#include "metric/metric.h"

/* conf_snmp_device's enums (snmp_conf.c names them). */
enum { SNMP_CONF_V2C, SNMP_CONF_V3 };
enum { SNMP_CONF_NOAUTH, SNMP_CONF_AUTHNOPRIV, SNMP_CONF_AUTHPRIV };
enum { SNMP_CONF_SHA, SNMP_CONF_SHA256 };
enum { SNMP_CONF_AES };

#define SNMP_INDEX_MAX 64   /* an index suffix ("1.4.10"), dotted, longer ones are skipped */
#define SNMP_STR_MAX 128    /* a string value kept for a label (longer ones are cut) */
#define SNMP_ROWS_MAX 4096  /* rows kept per column and poll: a device that answers more is cut */

/* ---- addresses (snmp_conf.c) ---- */

/* Splits a device address, "host", "host:port", "[v6]:port" or a bare IPv6 address, into
 * host[hostn] (without brackets; *v6 when it is an IPv6 address) and *port (161 when none).
 * False when it is none of those (empty, a bad port, a host with other than letters, digits,
 * '.', '-', '_' or an IPv6 address's ':'). No I/O. */
bool snmp_addr_split(const char *s, char *host, size_t hostn, bool *v6, uint16_t *port);

/* ---- profiles (snmp_profile.c) ---- */

typedef enum {
    SNMP_COL_GAUGE,   /* a number: value * scale */
    SNMP_COL_COUNTER, /* a Counter32/Counter64: the raw value as `metric`, its rate per second as `rate` */
    SNMP_COL_STATUS,  /* an enum where 1 means up/true: 1 or 0 */
    SNMP_COL_LABEL,   /* a string: the label `label` of the row's series */
    SNMP_COL_UNITS,   /* a number that multiplies the row's `by_units` columns (hrStorageAllocationUnits) */
    SNMP_COL_NUMSTR,  /* a number written as a string (UCD's laLoad "0.15") */
} snmp_col_kind;

typedef enum {
    SNMP_ROLE_NONE,
    SNMP_ROLE_OPER,   /* ifOperStatus: with ROLE_ADMIN, the table's `down` series */
    SNMP_ROLE_ADMIN,  /* ifAdminStatus */
    SNMP_ROLE_UPTIME, /* sysUpTime (TimeTicks): reboot detection */
} snmp_col_role;

typedef struct snmp_column {
    const char *oid;           /* dotted, without a leading dot: the column (or the scalar without .0) */
    const char *object;        /* the MIB's object name, for logs */
    snmp_col_kind kind;
    snmp_col_role role;
    const metric_desc *metric; /* GAUGE, COUNTER, STATUS, NUMSTR; NULL for a column only read */
    const metric_desc *rate;   /* COUNTER: the per-second series */
    const char *label;         /* LABEL: the label key */
    double scale;              /* GAUGE, NUMSTR: multiplier (0: 1) */
    bool by_units;             /* GAUGE: multiplied by the row's UNITS column */
} snmp_column;

typedef struct snmp_table {
    const char *index_label;   /* the label that names a row when no LABEL column gives it a value */
    const snmp_column *cols;
    size_t ncols;
    const metric_desc *info;   /* 1 per row, with the LABEL columns (sysDescr), or NULL */
    const metric_desc *down;   /* 1 when oper went down while admin up (ROLE_OPER/ROLE_ADMIN), or NULL */
} snmp_table;

typedef struct snmp_profile {
    const char *name;          /* what snmp.devices[].profiles lists */
    const char *mib;           /* the MIBs its OIDs come from */
    const snmp_table *tables;
    size_t ntables;
} snmp_profile;

/* The built-in profiles, NULL-terminated (static). */
extern const snmp_profile *const snmp_profiles[];
/* The profile called name, or NULL. */
const snmp_profile *snmp_profile_find(const char *name);
/* The number of columns a profile walks (every table's). */
size_t snmp_profile_ncols(const snmp_profile *p);
/* The names of every built-in profile, joined by ", " into out[n] (for error messages). */
void snmp_profile_names(char *out, size_t n);
/* The series every profile may put in the registry, NULL-terminated (static). */
extern const metric_desc *const snmp_metrics[];

/* ---- what a walk returned ---- */

typedef struct snmp_val {
    char index[SNMP_INDEX_MAX]; /* the OID's suffix after the column, dotted: "3", "0" */
    double num;                 /* NAN when the value is no number */
    uint64_t raw;               /* counters and TimeTicks: the exact value */
    uint8_t bits;               /* counters: 32 or 64; 0 for anything else */
    bool is_ticks;              /* a TimeTicks value */
    char str[SNMP_STR_MAX];     /* strings (cut), "" for numbers */
} snmp_val;

/* One column's rows, in the order the device returned them. */
typedef struct snmp_colres {
    snmp_val *v;
    size_t n, cap;
} snmp_colres;

/* Appends a row (copied); false (nothing added) past SNMP_ROWS_MAX. */
bool snmp_colres_add(snmp_colres *c, const snmp_val *v);
void snmp_colres_free(snmp_colres *c);

/* ---- a device's state over polls (snmp_state.c) ---- */

typedef struct snmp_dev_state {
    kw_map counters;           /* "profile/column/index" -> snmp_counter_prev (owned) */
    kw_map seen_up;            /* "profile/table/index" -> (void *)1: that interface was seen up */
    bool have_uptime;
    uint64_t uptime_ticks;     /* the last sysUpTime */
    int64_t uptime_at_ms;      /* when it was read */
    int64_t rebooted_until_ms; /* snmp_device_rebooted is 1 until then */
    int64_t failed_polls;      /* polls in a row without an answer */
    int64_t answered_ms;       /* when the device last answered a poll; 0: never */
    uint64_t gen;              /* answered polls so far: what a poll did not see is forgotten */
} snmp_dev_state;

#define SNMP_REBOOT_HOLD_MS (15 * 60 * 1000) /* how long device_rebooted stays on */

void snmp_dev_state_init(snmp_dev_state *s);
void snmp_dev_state_free(snmp_dev_state *s);

/* The increase of a counter from prev to cur: a 32-bit counter that went back by more than
 * half its range wrapped (the delta is through 2^32); any other decrease is a reset (the
 * device restarted, the counter was cleared) and has no delta: false. */
bool snmp_counter_delta(uint64_t prev, uint64_t cur, int bits, uint64_t *delta);

/* True when sysUpTime went back from prev to cur (hundredths of a second) elapsed_ms after
 * it was read: a reboot, unless the 32-bit TimeTicks wrapped (after 497 days) as expected. */
bool snmp_uptime_went_back(uint64_t prev, uint64_t cur, int64_t elapsed_ms);

/* The per-second rate of a counter series key now at cur (read at now_ms): false on the first
 * reading, a reset or no time passed. Remembers cur. */
bool snmp_state_rate(snmp_dev_state *s, const char *key, uint64_t cur, int bits, int64_t now_ms, double *rate);

/* Takes a sysUpTime reading: true when the device rebooted since the last one. */
bool snmp_state_uptime(snmp_dev_state *s, uint64_t ticks, int64_t now_ms);

/* Interface `key` now oper_up/admin_up: true when it is down after having been seen up while
 * administratively up (an interface never up, or set down by its admin, is not "down"). */
bool snmp_state_if_down(snmp_dev_state *s, const char *key, bool oper_up, bool admin_up);

/* After an answered poll: forgets the counters and interfaces that poll did not report (rows
 * that are gone), so that a device whose indexes keep changing cannot grow the state. */
void snmp_state_sweep(snmp_dev_state *s);

/* ---- profile rows into samples (snmp_profile.c) ---- */

/* Adds the samples of profile p to out: res[] holds the rows of each of p's columns in
 * order (snmp_profile_ncols of them), device labels every series; counters' rates, reboots
 * and interfaces that went down are judged with st at now_ms. */
void snmp_profile_samples(const snmp_profile *p, const snmp_colres *res, const char *device, snmp_dev_state *st,
                          int64_t now_ms, metric_set *out);

/* Adds the device's own series to out (snmp_device_up, _failed_polls, _rebooted,
 * _poll_seconds) after a poll that was answered or not, counting the polls in a row without
 * an answer in st. */
void snmp_device_samples(snmp_dev_state *st, const char *device, bool answered, double seconds, int64_t now_ms,
                         metric_set *out);

/* Adds the trap listener's counters to out (snmp_traps_received_total, _dropped_total). */
void snmp_trap_samples(uint64_t received, uint64_t dropped, metric_set *out);

/* ---- traps (snmp_trap.c) ---- */

#define SNMP_TRAP_MAX_VARBINDS 32
#define SNMP_TRAP_VALUE_MAX 256

typedef struct snmp_trap_varbind {
    char oid[SNMP_INDEX_MAX * 2]; /* dotted */
    char type[16];                /* "integer", "string", "oid", "counter32", ... */
    char value[SNMP_TRAP_VALUE_MAX];
} snmp_trap_varbind;

/* A received v2c trap or inform, as keepwatch keeps it (bounded; no I/O). */
typedef struct snmp_trap {
    int64_t ts_ms;
    char sender[64];              /* observer.ip */
    uint16_t port;
    char trap_oid[SNMP_INDEX_MAX * 2]; /* snmpTrapOID.0, "" when the trap lacked it */
    uint64_t uptime_ticks;        /* sysUpTime.0 of the trap (0 when absent) */
    char device[128];             /* the snmp.devices name of the sender, "" when none */
    const struct conf_labels *labels; /* that device's labels, or NULL */
    size_t nvb;
    snmp_trap_varbind vb[SNMP_TRAP_MAX_VARBINDS]; /* the varbinds besides sysUpTime.0 and snmpTrapOID.0 */
    size_t dropped_vb;            /* varbinds past SNMP_TRAP_MAX_VARBINDS */
} snmp_trap;

/* A friendly name of a well-known trap OID (coldStart, linkDown, ...), or NULL. */
const char *snmp_trap_name(const char *oid);
/* Writes a printable, bounded copy of p[0..n) (a hex string "0a:1b" when it is not text) into
 * out[outn]. */
void snmp_trap_value_str(const uint8_t *p, size_t n, char *out, size_t outn);
/* Writes the trap as one ECS document (event.kind: event, event.dataset: snmp.trap) into out,
 * no newline. */
void snmp_trap_ecs(const snmp_trap *t, kw_buf *out);

struct log_rec;
/* Fills r (log_rec_init'ed, reset here) with the trap's fields for logs.rules: event.dataset
 * snmp.trap, event.action the trap's name or OID, log.source.address and source.ip the
 * sender, observer.name the device, and the extras snmp.trap_oid, snmp.<varbind oid>. r's
 * values point into t: valid while t is. */
void snmp_trap_rec(const snmp_trap *t, struct log_rec *r);

/* snmp_module.c: the daemon's module, one poller thread for every device and the traps. */
struct kw_module;
extern const struct kw_module snmp_module;
/* What a device's last polls said (snmp_api.c, from the samples the poller published; NAN:
 * not read yet). */
typedef struct snmp_device_view {
    double up, failed, uptime, cpu, mem_total, mem_avail, mem_ratio;
    double answered;             /* when it last answered a poll, Unix seconds; NAN: never */
    int if_up, if_down, if_admin_down;
    char name[128], descr[256];  /* sysName, sysDescr ("" not read) */
} snmp_device_view;

struct conf_snmp_device;
/* Calls fn for every configured device with its view (under sh's configuration lock: fn must
 * not take it). */
void snmp_devices_each(http_shared *sh, void (*fn)(void *, const struct conf_snmp_device *, const snmp_device_view *),
                       void *arg);
/* "up", "unreachable", "unknown" (not polled yet) or "disabled". */
const char *snmp_device_state(const struct conf_snmp_device *c, const snmp_device_view *v);
/* Memory in use (0-1): the vendor's ratio, else 1 - available/total (UCD); NAN unknown. */
double snmp_device_memory_ratio(const snmp_device_view *v);

/* Its route (snmp_api.c): GET /api/v1/snmp, each device's state from its last polls. */
extern const http_route snmp_routes[];

#endif

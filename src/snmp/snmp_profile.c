/* snmp_profile.c: the built-in profiles, as data (OID -> series or label, per MIB), and the one
 * engine that turns the rows a walk returned into metric samples labelled by device and row.
 * Adding a device family is adding a table here; no I/O.
 *
 * The OIDs are those of the MIBs named beside each table: IETF RFC 2863 (IF-MIB), RFC 2790
 * (HOST-RESOURCES-MIB), RFC 3418 (SNMPv2-MIB), RFC 2737 (ENTITY-MIB, for entity names),
 * net-snmp's UCD-SNMP-MIB, and the vendors' published MIBs: Huawei HUAWEI-ENTITY-EXTENT-MIB,
 * H3C HH3C-ENTITY-EXT-MIB, Cisco CISCO-PROCESS-MIB and CISCO-MEMORY-POOL-MIB. */
#include "core/kw_mem.h"
#include "snmp/snmp.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define G(n, h) static const metric_desc n##_d = {#n, h, METRIC_GAUGE, true}
#define C(n, h) static const metric_desc n##_d = {#n, h, METRIC_COUNTER, false} /* the rates are kept */

/* ---- series ---- */

G(snmp_device_up, "1 when the device answered its last poll.");
G(snmp_device_failed_polls, "Polls in a row the device did not answer (device_unreachable).");
G(snmp_device_rebooted, "1 for 15 minutes after the device's sysUpTime went back (device_rebooted).");
G(snmp_device_poll_seconds, "How long the device's last poll took.");
G(snmp_device_last_answer_timestamp_seconds, "When the device last answered a poll (Unix time).");
C(snmp_traps_received_total, "v2c traps and informs received and handed on as events.");
C(snmp_traps_dropped_total, "Traps dropped: another community, SNMPv1 or SNMPv3, or not a notification.");
G(snmp_device_uptime_seconds, "The device's sysUpTime, in seconds.");
G(snmp_device_info, "1, labelled with the device's sysDescr and sysName.");
G(snmp_if_oper_up, "1 when the interface's ifOperStatus is up.");
G(snmp_if_admin_up, "1 when the interface's ifAdminStatus is up.");
G(snmp_if_down, "1 when the interface went down while administratively up (interface_down).");
G(snmp_if_speed_mbps, "The interface's ifHighSpeed, in Mbit/s.");
C(snmp_if_in_octets_total, "Octets received (ifHCInOctets).");
C(snmp_if_out_octets_total, "Octets sent (ifHCOutOctets).");
G(snmp_if_in_octets_per_second, "Octets received per second, from ifHCInOctets' deltas.");
G(snmp_if_out_octets_per_second, "Octets sent per second, from ifHCOutOctets' deltas.");
C(snmp_if_in_errors_total, "Inbound packets with errors (ifInErrors).");
C(snmp_if_out_errors_total, "Outbound packets with errors (ifOutErrors).");
G(snmp_if_in_errors_per_second, "Inbound errors per second.");
G(snmp_if_out_errors_per_second, "Outbound errors per second.");
C(snmp_if_in_discards_total, "Inbound packets discarded (ifInDiscards).");
C(snmp_if_out_discards_total, "Outbound packets discarded (ifOutDiscards).");
G(snmp_if_in_discards_per_second, "Inbound discards per second.");
G(snmp_if_out_discards_per_second, "Outbound discards per second.");
G(snmp_cpu_load_ratio, "A processor's load over the last minute (hrProcessorLoad / 100).");
G(snmp_storage_size_bytes, "A storage area's size (hrStorageSize x hrStorageAllocationUnits).");
G(snmp_storage_used_bytes, "A storage area's used space (hrStorageUsed x hrStorageAllocationUnits).");
G(snmp_load_average, "UCD-SNMP-MIB laLoad: the 1, 5 and 15 minute load averages.");
G(snmp_memory_total_bytes, "UCD-SNMP-MIB memTotalReal, in bytes.");
G(snmp_memory_available_bytes, "UCD-SNMP-MIB memAvailReal, in bytes.");
G(snmp_cpu_usage_ratio, "A vendor's CPU usage of an entity (Huawei, H3C; Cisco's 5-minute average).");
G(snmp_memory_usage_ratio, "A vendor's memory usage of an entity (Huawei, H3C).");
G(snmp_memory_pool_used_bytes, "Cisco ciscoMemoryPoolUsed.");
G(snmp_memory_pool_free_bytes, "Cisco ciscoMemoryPoolFree.");

#define D(n) (&n##_d)
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- SNMPv2-MIB (RFC 3418): system group scalars ---- */
static const snmp_column system_uptime_cols[] = {
    {"1.3.6.1.2.1.1.3", "sysUpTime", SNMP_COL_GAUGE, SNMP_ROLE_UPTIME, D(snmp_device_uptime_seconds), .scale = 0.01},
};
static const snmp_column system_info_cols[] = {
    {"1.3.6.1.2.1.1.1", "sysDescr", SNMP_COL_LABEL, .label = "descr"},
    {"1.3.6.1.2.1.1.5", "sysName", SNMP_COL_LABEL, .label = "sysname"},
};
static const snmp_table system_tables[] = {
    {NULL, system_uptime_cols, N(system_uptime_cols), NULL, NULL},
    {NULL, system_info_cols, N(system_info_cols), D(snmp_device_info), NULL},
};

/* ---- IF-MIB (RFC 2863): ifTable 1.3.6.1.2.1.2.2.1 and ifXTable 1.3.6.1.2.1.31.1.1.1, rows by ifIndex ---- */
static const snmp_column if_cols[] = {
    {"1.3.6.1.2.1.31.1.1.1.1", "ifName", SNMP_COL_LABEL, .label = "ifname"},
    {"1.3.6.1.2.1.31.1.1.1.18", "ifAlias", SNMP_COL_LABEL, .label = "ifalias"},
    {"1.3.6.1.2.1.2.2.1.7", "ifAdminStatus", SNMP_COL_STATUS, SNMP_ROLE_ADMIN, D(snmp_if_admin_up)},
    {"1.3.6.1.2.1.2.2.1.8", "ifOperStatus", SNMP_COL_STATUS, SNMP_ROLE_OPER, D(snmp_if_oper_up)},
    {"1.3.6.1.2.1.31.1.1.1.15", "ifHighSpeed", SNMP_COL_GAUGE, .metric = D(snmp_if_speed_mbps)},
    {"1.3.6.1.2.1.31.1.1.1.6", "ifHCInOctets", SNMP_COL_COUNTER, .metric = D(snmp_if_in_octets_total),
     .rate = D(snmp_if_in_octets_per_second)},
    {"1.3.6.1.2.1.31.1.1.1.10", "ifHCOutOctets", SNMP_COL_COUNTER, .metric = D(snmp_if_out_octets_total),
     .rate = D(snmp_if_out_octets_per_second)},
    {"1.3.6.1.2.1.2.2.1.14", "ifInErrors", SNMP_COL_COUNTER, .metric = D(snmp_if_in_errors_total),
     .rate = D(snmp_if_in_errors_per_second)},
    {"1.3.6.1.2.1.2.2.1.20", "ifOutErrors", SNMP_COL_COUNTER, .metric = D(snmp_if_out_errors_total),
     .rate = D(snmp_if_out_errors_per_second)},
    {"1.3.6.1.2.1.2.2.1.13", "ifInDiscards", SNMP_COL_COUNTER, .metric = D(snmp_if_in_discards_total),
     .rate = D(snmp_if_in_discards_per_second)},
    {"1.3.6.1.2.1.2.2.1.19", "ifOutDiscards", SNMP_COL_COUNTER, .metric = D(snmp_if_out_discards_total),
     .rate = D(snmp_if_out_discards_per_second)},
};
static const snmp_table if_tables[] = {{"ifname", if_cols, N(if_cols), NULL, D(snmp_if_down)}};

/* ---- HOST-RESOURCES-MIB (RFC 2790): hrProcessorTable, hrStorageTable ---- */
static const snmp_column hr_cpu_cols[] = {
    {"1.3.6.1.2.1.25.3.3.1.2", "hrProcessorLoad", SNMP_COL_GAUGE, .metric = D(snmp_cpu_load_ratio), .scale = 0.01},
};
static const snmp_column hr_storage_cols[] = {
    {"1.3.6.1.2.1.25.2.3.1.3", "hrStorageDescr", SNMP_COL_LABEL, .label = "storage"},
    {"1.3.6.1.2.1.25.2.3.1.4", "hrStorageAllocationUnits", SNMP_COL_UNITS},
    {"1.3.6.1.2.1.25.2.3.1.5", "hrStorageSize", SNMP_COL_GAUGE, .metric = D(snmp_storage_size_bytes), .by_units = true},
    {"1.3.6.1.2.1.25.2.3.1.6", "hrStorageUsed", SNMP_COL_GAUGE, .metric = D(snmp_storage_used_bytes), .by_units = true},
};
static const snmp_table host_tables[] = {
    {"cpu", hr_cpu_cols, N(hr_cpu_cols), NULL, NULL},
    {"storage", hr_storage_cols, N(hr_storage_cols), NULL, NULL},
};

/* ---- UCD-SNMP-MIB (net-snmp): laTable 1.3.6.1.4.1.2021.10.1, memory scalars 1.3.6.1.4.1.2021.4 ---- */
static const snmp_column ucd_la_cols[] = {
    {"1.3.6.1.4.1.2021.10.1.2", "laNames", SNMP_COL_LABEL, .label = "period"},
    {"1.3.6.1.4.1.2021.10.1.3", "laLoad", SNMP_COL_NUMSTR, .metric = D(snmp_load_average)},
};
static const snmp_column ucd_mem_cols[] = {
    {"1.3.6.1.4.1.2021.4.5", "memTotalReal", SNMP_COL_GAUGE, .metric = D(snmp_memory_total_bytes), .scale = 1024},
    {"1.3.6.1.4.1.2021.4.6", "memAvailReal", SNMP_COL_GAUGE, .metric = D(snmp_memory_available_bytes), .scale = 1024},
};
static const snmp_table ucd_tables[] = {
    {"period", ucd_la_cols, N(ucd_la_cols), NULL, NULL},
    {NULL, ucd_mem_cols, N(ucd_mem_cols), NULL, NULL},
};

/* ENTITY-MIB (RFC 2737) entPhysicalName: the vendors' entity tables are indexed by entPhysicalIndex */
#define ENT_PHYSICAL_NAME {"1.3.6.1.2.1.47.1.1.1.1.7", "entPhysicalName", SNMP_COL_LABEL, .label = "entity"}

/* ---- Huawei HUAWEI-ENTITY-EXTENT-MIB: hwEntityStateEntry 1.3.6.1.4.1.2011.5.25.31.1.1.1.1 ---- */
static const snmp_column huawei_cols[] = {
    ENT_PHYSICAL_NAME,
    {"1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5", "hwEntityCpuUsage", SNMP_COL_GAUGE, .metric = D(snmp_cpu_usage_ratio),
     .scale = 0.01},
    {"1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7", "hwEntityMemUsage", SNMP_COL_GAUGE, .metric = D(snmp_memory_usage_ratio),
     .scale = 0.01},
};
static const snmp_table huawei_tables[] = {{"entity", huawei_cols, N(huawei_cols), NULL, NULL}};

/* ---- H3C HH3C-ENTITY-EXT-MIB: hh3cEntityExtStateEntry 1.3.6.1.4.1.25506.2.6.1.1.1.1 ---- */
static const snmp_column h3c_cols[] = {
    ENT_PHYSICAL_NAME,
    {"1.3.6.1.4.1.25506.2.6.1.1.1.1.6", "hh3cEntityExtCpuUsage", SNMP_COL_GAUGE, .metric = D(snmp_cpu_usage_ratio),
     .scale = 0.01},
    {"1.3.6.1.4.1.25506.2.6.1.1.1.1.8", "hh3cEntityExtMemUsage", SNMP_COL_GAUGE, .metric = D(snmp_memory_usage_ratio),
     .scale = 0.01},
};
static const snmp_table h3c_tables[] = {{"entity", h3c_cols, N(h3c_cols), NULL, NULL}};

/* ---- Cisco CISCO-PROCESS-MIB cpmCPUTotalEntry 1.3.6.1.4.1.9.9.109.1.1.1.1 and
 *      CISCO-MEMORY-POOL-MIB ciscoMemoryPoolEntry 1.3.6.1.4.1.9.9.48.1.1.1 ---- */
static const snmp_column cisco_cpu_cols[] = {
    {"1.3.6.1.4.1.9.9.109.1.1.1.1.8", "cpmCPUTotal5minRev", SNMP_COL_GAUGE, .metric = D(snmp_cpu_usage_ratio),
     .scale = 0.01},
};
static const snmp_column cisco_mem_cols[] = {
    {"1.3.6.1.4.1.9.9.48.1.1.1.2", "ciscoMemoryPoolName", SNMP_COL_LABEL, .label = "pool"},
    {"1.3.6.1.4.1.9.9.48.1.1.1.5", "ciscoMemoryPoolUsed", SNMP_COL_GAUGE, .metric = D(snmp_memory_pool_used_bytes)},
    {"1.3.6.1.4.1.9.9.48.1.1.1.6", "ciscoMemoryPoolFree", SNMP_COL_GAUGE, .metric = D(snmp_memory_pool_free_bytes)},
};
static const snmp_table cisco_tables[] = {
    {"entity", cisco_cpu_cols, N(cisco_cpu_cols), NULL, NULL},
    {"pool", cisco_mem_cols, N(cisco_mem_cols), NULL, NULL},
};

static const snmp_profile p_system = {"system", "SNMPv2-MIB", system_tables, N(system_tables)};
static const snmp_profile p_if = {"if", "IF-MIB", if_tables, N(if_tables)};
static const snmp_profile p_host = {"host", "HOST-RESOURCES-MIB", host_tables, N(host_tables)};
static const snmp_profile p_ucd = {"ucd", "UCD-SNMP-MIB", ucd_tables, N(ucd_tables)};
static const snmp_profile p_huawei = {"huawei", "HUAWEI-ENTITY-EXTENT-MIB, ENTITY-MIB", huawei_tables,
                                      N(huawei_tables)};
static const snmp_profile p_h3c = {"h3c", "HH3C-ENTITY-EXT-MIB, ENTITY-MIB", h3c_tables, N(h3c_tables)};
static const snmp_profile p_cisco = {"cisco", "CISCO-PROCESS-MIB, CISCO-MEMORY-POOL-MIB", cisco_tables,
                                     N(cisco_tables)};

const snmp_profile *const snmp_profiles[] = {&p_system, &p_if, &p_host, &p_ucd, &p_huawei, &p_h3c, &p_cisco, NULL};

const metric_desc *const snmp_metrics[] = {
    D(snmp_device_up), D(snmp_device_failed_polls), D(snmp_device_rebooted), D(snmp_device_poll_seconds),
    D(snmp_device_last_answer_timestamp_seconds), D(snmp_traps_received_total), D(snmp_traps_dropped_total),
    D(snmp_device_uptime_seconds), D(snmp_device_info), D(snmp_if_oper_up), D(snmp_if_admin_up), D(snmp_if_down),
    D(snmp_if_speed_mbps), D(snmp_if_in_octets_total), D(snmp_if_out_octets_total), D(snmp_if_in_octets_per_second),
    D(snmp_if_out_octets_per_second), D(snmp_if_in_errors_total), D(snmp_if_out_errors_total),
    D(snmp_if_in_errors_per_second), D(snmp_if_out_errors_per_second), D(snmp_if_in_discards_total),
    D(snmp_if_out_discards_total), D(snmp_if_in_discards_per_second), D(snmp_if_out_discards_per_second),
    D(snmp_cpu_load_ratio), D(snmp_storage_size_bytes), D(snmp_storage_used_bytes), D(snmp_load_average),
    D(snmp_memory_total_bytes), D(snmp_memory_available_bytes), D(snmp_cpu_usage_ratio), D(snmp_memory_usage_ratio),
    D(snmp_memory_pool_used_bytes), D(snmp_memory_pool_free_bytes), NULL,
};

const snmp_profile *snmp_profile_find(const char *name)
{
    for (size_t i = 0; snmp_profiles[i]; i++)
        if (strcmp(snmp_profiles[i]->name, name) == 0)
            return snmp_profiles[i];
    return NULL;
}

size_t snmp_profile_ncols(const snmp_profile *p)
{
    size_t n = 0;
    for (size_t t = 0; t < p->ntables; t++)
        n += p->tables[t].ncols;
    return n;
}

void snmp_profile_names(char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; snmp_profiles[i] && len < n; i++) {
        int w = snprintf(out + len, n - len, "%s%s", i ? ", " : "", snmp_profiles[i]->name);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

bool snmp_colres_add(snmp_colres *c, const snmp_val *v)
{
    if (c->n >= SNMP_ROWS_MAX)
        return false;
    if (c->n == c->cap)
        kw_grow(&c->v, &c->cap, c->n + 1, sizeof *c->v);
    c->v[c->n++] = *v;
    return true;
}

void snmp_colres_free(snmp_colres *c)
{
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* ---- rows into samples ---- */

/* The row of column res with index idx; hint is where it usually is (the same position in
 * every column of a table, since the device returns each column in index order). */
static const snmp_val *row_find(const snmp_colres *res, const char *idx, size_t hint)
{
    if (hint < res->n && strcmp(res->v[hint].index, idx) == 0)
        return &res->v[hint];
    for (size_t i = 0; i < res->n; i++)
        if (strcmp(res->v[i].index, idx) == 0)
            return &res->v[i];
    return NULL;
}

/* The labels of one row: device, then the table's LABEL columns (or the index). */
typedef struct row_labels {
    const char *k[METRIC_MAX_LABELS];
    const char *v[METRIC_MAX_LABELS];
    size_t n;
} row_labels;

static void row_labels_make(const snmp_table *t, const snmp_colres *res, const char *device, const char *idx,
                            size_t hint, row_labels *l)
{
    l->n = 0;
    l->k[l->n] = "device";
    l->v[l->n++] = device;
    bool named = false;
    for (size_t c = 0; c < t->ncols && l->n < METRIC_MAX_LABELS; c++) {
        if (t->cols[c].kind != SNMP_COL_LABEL)
            continue;
        const snmp_val *v = row_find(&res[c], idx, hint);
        if (!v || !v->str[0])
            continue;
        if (t->index_label && strcmp(t->cols[c].label, t->index_label) == 0)
            named = true;
        l->k[l->n] = t->cols[c].label;
        l->v[l->n++] = v->str;
    }
    if (t->index_label && !named && l->n < METRIC_MAX_LABELS) {
        l->k[l->n] = t->index_label;
        l->v[l->n++] = idx;
    }
}

static void sample_add(metric_set *out, const metric_desc *d, double value, const row_labels *l)
{
    const char *k[METRIC_MAX_LABELS] = {0}, *v[METRIC_MAX_LABELS] = {0};
    for (size_t i = 0; i < l->n; i++) {
        k[i] = l->k[i];
        v[i] = l->v[i];
    }
    metric_add(out, d, value, k[0], v[0], k[1], v[1], k[2], v[2], k[3], v[3], NULL);
}

/* The context of one table's rows. */
typedef struct table_ctx {
    const snmp_profile *p;
    const snmp_table *t;
    const snmp_colres *res;
    const char *device;
    snmp_dev_state *st;
    int64_t now_ms;
    metric_set *out;
} table_ctx;

static double col_value(const table_ctx *x, size_t c, const snmp_val *v, const char *idx, size_t hint)
{
    const snmp_column *col = &x->t->cols[c];
    double num = v->num;
    if (col->kind == SNMP_COL_NUMSTR) {
        char *end;
        num = strtod(v->str, &end);
        if (end == v->str || !isfinite(num))
            return NAN;
    }
    if (col->kind == SNMP_COL_STATUS)
        return num == 1 ? 1 : 0;
    if (col->scale != 0)
        num *= col->scale;
    if (col->by_units) {
        for (size_t u = 0; u < x->t->ncols; u++)
            if (x->t->cols[u].kind == SNMP_COL_UNITS) {
                const snmp_val *uv = row_find(&x->res[u], idx, hint);
                num = uv && isfinite(uv->num) ? num * uv->num : NAN;
            }
    }
    return num;
}

static void counter_samples(const table_ctx *x, size_t c, const snmp_val *v, const char *idx, const row_labels *l)
{
    const snmp_column *col = &x->t->cols[c];
    if (!v->bits)
        return; /* not a counter: the device answered something else */
    sample_add(x->out, col->metric, (double)v->raw, l);
    char key[256];
    snprintf(key, sizeof key, "%s/%s/%s", x->p->name, col->oid, idx);
    double rate;
    if (col->rate && snmp_state_rate(x->st, key, v->raw, v->bits, x->now_ms, &rate))
        sample_add(x->out, col->rate, rate, l);
}

/* The table's own judgements on a row: interface_down, the uptime. */
static void row_roles(const table_ctx *x, const char *idx, size_t hint, const row_labels *l)
{
    const snmp_val *oper = NULL, *admin = NULL;
    for (size_t c = 0; c < x->t->ncols; c++) {
        const snmp_column *col = &x->t->cols[c];
        const snmp_val *v = row_find(&x->res[c], idx, hint);
        if (!v)
            continue;
        if (col->role == SNMP_ROLE_OPER)
            oper = v;
        else if (col->role == SNMP_ROLE_ADMIN)
            admin = v;
        else if (col->role == SNMP_ROLE_UPTIME && v->is_ticks && snmp_state_uptime(x->st, v->raw, x->now_ms))
            x->st->rebooted_until_ms = x->now_ms + SNMP_REBOOT_HOLD_MS;
    }
    if (x->t->down && oper && admin) {
        char key[256];
        snprintf(key, sizeof key, "%s/%s", x->p->name, idx);
        bool down = snmp_state_if_down(x->st, key, oper->num == 1, admin->num == 1);
        sample_add(x->out, x->t->down, down ? 1 : 0, l);
    }
}

/* One row, named by the row idx of its first column that has it (position hint there). */
static void row_samples(const table_ctx *x, const char *idx, size_t hint)
{
    row_labels l;
    row_labels_make(x->t, x->res, x->device, idx, hint, &l);
    for (size_t c = 0; c < x->t->ncols; c++) {
        const snmp_column *col = &x->t->cols[c];
        if (!col->metric)
            continue;
        const snmp_val *v = row_find(&x->res[c], idx, hint);
        if (!v)
            continue;
        if (col->kind == SNMP_COL_COUNTER) {
            counter_samples(x, c, v, idx, &l);
            continue;
        }
        double num = col_value(x, c, v, idx, hint);
        if (isfinite(num))
            sample_add(x->out, col->metric, num, &l);
    }
    row_roles(x, idx, hint, &l);
    if (x->t->info)
        sample_add(x->out, x->t->info, 1, &l);
}

/* The rows of a table: those of the value column with the most rows (the others may lack
 * some; a label column, such as entPhysicalName, may name far more rows than have values). */
static void table_samples(const table_ctx *x)
{
    size_t best = 0, best_val = SIZE_MAX;
    for (size_t c = 0; c < x->t->ncols; c++) {
        if (x->res[c].n > x->res[best].n)
            best = c;
        if (x->t->cols[c].metric && x->res[c].n && (best_val == SIZE_MAX || x->res[c].n > x->res[best_val].n))
            best_val = c;
    }
    if (best_val != SIZE_MAX)
        best = best_val;
    const snmp_colres *rows = &x->res[best];
    for (size_t i = 0; i < rows->n; i++)
        row_samples(x, rows->v[i].index, i);
}

void snmp_profile_samples(const snmp_profile *p, const snmp_colres *res, const char *device, snmp_dev_state *st,
                          int64_t now_ms, metric_set *out)
{
    size_t at = 0;
    for (size_t t = 0; t < p->ntables; t++) {
        table_ctx x = {p, &p->tables[t], res + at, device, st, now_ms, out};
        table_samples(&x);
        at += p->tables[t].ncols;
    }
}

void snmp_device_samples(snmp_dev_state *st, const char *device, bool answered, double seconds, int64_t now_ms,
                         metric_set *out)
{
    if (answered) {
        st->failed_polls = 0;
        st->answered_ms = now_ms;
        snmp_state_sweep(st);
    } else {
        st->failed_polls++;
    }
    metric_add(out, D(snmp_device_up), answered ? 1 : 0, "device", device, NULL);
    metric_add(out, D(snmp_device_failed_polls), (double)st->failed_polls, "device", device, NULL);
    metric_add(out, D(snmp_device_rebooted), now_ms < st->rebooted_until_ms ? 1 : 0, "device", device, NULL);
    if (answered)
        metric_add(out, D(snmp_device_poll_seconds), seconds, "device", device, NULL);
    if (st->answered_ms) /* kept while it does not answer: since when it has been away */
        metric_add(out, D(snmp_device_last_answer_timestamp_seconds), (double)st->answered_ms / 1000.0, "device",
                   device, NULL);
}

void snmp_trap_samples(uint64_t received, uint64_t dropped, metric_set *out)
{
    metric_add(out, D(snmp_traps_received_total), (double)received, NULL);
    metric_add(out, D(snmp_traps_dropped_total), (double)dropped, NULL);
}

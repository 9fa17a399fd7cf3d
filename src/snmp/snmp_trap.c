/* snmp_trap.c: a received v2c trap (already decoded by net-snmp into snmp_trap's bounded
 * fields) as keepwatch shows it: one ECS document (observer.ip the sender, snmp.trap.oid,
 * the varbinds as labels) and one log_rec for logs.rules (event.dataset snmp.trap, extras
 * snmp.*). Well-known trap OIDs get their names (SNMPv2-MIB, IF-MIB, RFC 3418 / 2863). No I/O. */
#include "conf/conf.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "logs/logs.h"
#include "snmp/snmp.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *oid, *name;
} snmp_trap_names[] = {
    {"1.3.6.1.6.3.1.1.5.1", "coldStart"},           {"1.3.6.1.6.3.1.1.5.2", "warmStart"},
    {"1.3.6.1.6.3.1.1.5.3", "linkDown"},            {"1.3.6.1.6.3.1.1.5.4", "linkUp"},
    {"1.3.6.1.6.3.1.1.5.5", "authenticationFailure"}, {"1.3.6.1.6.3.1.1.5.6", "egpNeighborLoss"},
};

const char *snmp_trap_name(const char *oid)
{
    for (size_t i = 0; i < sizeof snmp_trap_names / sizeof snmp_trap_names[0]; i++)
        if (strcmp(snmp_trap_names[i].oid, oid) == 0)
            return snmp_trap_names[i].name;
    return NULL;
}

static bool snmp_printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') || p[i] == 0x7f)
            return false;
    return true;
}

void snmp_trap_value_str(const uint8_t *p, size_t n, char *out, size_t outn)
{
    if (!outn)
        return;
    out[0] = '\0';
    if (snmp_printable(p, n)) { /* text (UTF-8 passes: the JSON writer escapes what it must) */
        size_t k = n < outn - 1 ? n : outn - 1;
        memcpy(out, p, k);
        out[k] = '\0';
        return;
    }
    size_t at = 0;
    for (size_t i = 0; i < n && at + 3 < outn; i++)
        at += (size_t)snprintf(out + at, outn - at, "%s%02x", i ? ":" : "", p[i]);
}

/* "1.3.6.1" -> "1_3_6_1": a label key without dots (ECS labels are flat). */
static void snmp_label_key(const char *oid, char *out, size_t n)
{
    size_t i = 0;
    for (; oid[i] && i + 1 < n; i++)
        out[i] = oid[i] == '.' ? '_' : oid[i];
    out[i] = '\0';
}

/* event, observer, source */
static void snmp_trap_ecs_who(kw_json *j, const snmp_trap *t, const char *action)
{
    kw_json_key(j, "event");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "kind", "event");
    kw_json_kv_str(j, "module", "snmp");
    kw_json_kv_str(j, "dataset", "snmp.trap");
    kw_json_kv_str(j, "action", action);
    kw_json_obj_end(j);
    kw_json_key(j, "observer");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "ip", t->sender);
    if (t->device[0])
        kw_json_kv_str(j, "name", t->device);
    kw_json_obj_end(j);
    kw_json_key(j, "source");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "ip", t->sender);
    kw_json_kv_int(j, "port", t->port);
    kw_json_obj_end(j);
}

/* snmp.trap and labels: the device's, then the varbinds */
static void snmp_trap_ecs_what(kw_json *j, const snmp_trap *t, const char *name)
{
    kw_json_key(j, "snmp");
    kw_json_obj_begin(j);
    kw_json_key(j, "trap");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "oid", t->trap_oid);
    if (name)
        kw_json_kv_str(j, "name", name);
    kw_json_kv_int(j, "uptime", (int64_t)(t->uptime_ticks / 100));
    kw_json_obj_end(j);
    if (t->dropped_vb)
        kw_json_kv_int(j, "varbinds_dropped", (int64_t)t->dropped_vb);
    kw_json_obj_end(j);
    kw_json_key(j, "labels");
    kw_json_obj_begin(j);
    for (size_t i = 0; t->labels && i < t->labels->n; i++)
        kw_json_kv_str(j, t->labels->k[i], t->labels->v[i]);
    for (size_t i = 0; i < t->nvb; i++) {
        char key[sizeof t->vb[i].oid];
        snmp_label_key(t->vb[i].oid, key, sizeof key);
        kw_json_kv_str(j, key, t->vb[i].value);
    }
    kw_json_obj_end(j);
}

/* What the trap is called in event.action: its name, else its OID. */
static const char *snmp_trap_action(const snmp_trap *t)
{
    const char *name = snmp_trap_name(t->trap_oid);
    return name ? name : t->trap_oid[0] ? t->trap_oid : "unknown";
}

void snmp_trap_ecs(const snmp_trap *t, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "@timestamp", t->ts_ms);
    snmp_trap_ecs_who(&j, t, snmp_trap_action(t));
    snmp_trap_ecs_what(&j, t, snmp_trap_name(t->trap_oid));
    kw_json_obj_end(&j);
}

void snmp_trap_rec(const snmp_trap *t, log_rec *r)
{
    r->present = 0;
    r->nextra = 0;
    r->slen = 0;
    r->ts_ms = t->ts_ms;
    r->ts_from_line = false;
    r->line = t->trap_oid;
    r->len = strlen(t->trap_oid);
    r->extra_ns = "snmp";
    log_set_str(r, LF_EVENT_DATASET, "snmp.trap");
    log_set_str(r, LF_EVENT_ACTION, snmp_trap_action(t));
    log_set_str(r, LF_SENDER, t->sender);
    log_set_str(r, LF_SOURCE_IP, t->sender); /* dropped by log_set unless it is an address */
    log_set_str(r, LF_MESSAGE, t->trap_oid);
    if (t->device[0])
        log_set_str(r, LF_OBSERVER_NAME, t->device);
    log_extra(r, "trap_oid", 8, t->trap_oid, strlen(t->trap_oid));
    for (size_t i = 0; i < t->nvb; i++)
        log_extra(r, t->vb[i].oid, strlen(t->vb[i].oid), t->vb[i].value, strlen(t->vb[i].value));
}

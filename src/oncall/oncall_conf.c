/* oncall_conf.c: the configuration's departments, people, schedules (layers, overrides) and
 * the protection period, with their checks and the references between them. */
#include "oncall/oncall_conf.h"
#include "logs/logs.h"
#include "logs/logs_conf.h"

#include <stdio.h>
#include <string.h>

static const char *const dept_kinds[] = {"security", "operations", "business", "customer_service", "management",
                                         "other", NULL};
static const char *const rotations[] = {"daily", "weekly", "custom", NULL};

bool oncall_wall_minutes(const char *s, bool need_time, int64_t *out)
{
    char buf[32];
    size_t n = s ? strlen(s) : 0;
    if (n == 10 && !need_time)
        snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
    else if (n == 16 && (s[10] == 'T' || s[10] == ' '))
        snprintf(buf, sizeof buf, "%.10sT%.5s:00Z", s, s + 11);
    else
        return false;
    log_parse_opts o = {.tz_offset_min = 0};
    int64_t ms;
    if (log_parse_iso(buf, strlen(buf), &o, &ms) != strlen(buf))
        return false;
    *out = ms / 60000;
    return true;
}



static void layer_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_layer *l = obj;
    if (!l->members.n)
        cf_error(ctx, n, "layer \"%s\" needs members (people, in turn order)", l->name ? l->name : "?");
    if (l->rotation == ROTATION_CUSTOM && l->shift_ms < 3600000)
        cf_error(ctx, n, "layer \"%s\": a custom rotation needs shift_length (1h or more)", l->name ? l->name : "?");
    int handoff = l->handoff ? cf_hhmm(l->handoff) : 9 * 60;
    if (handoff < 0)
        cf_error(ctx, cf_find(ctx, n, "handoff"), "handoff: \"%s\" is not HH:MM", l->handoff);
    int64_t day;
    if (!oncall_wall_minutes(l->start ? l->start : "2024-01-01", false, &day))
        cf_error(ctx, cf_find(ctx, n, "start"), "start: \"%s\" is not a date (YYYY-MM-DD)", l->start);
    else
        l->anchor_min = day + (handoff < 0 ? 0 : handoff);
    l->from_min = l->to_min = -1;
    if (l->from || l->to) {
        l->from_min = cf_hhmm(l->from);
        l->to_min = cf_hhmm(l->to);
        if (l->from_min < 0 || l->to_min < 0 || l->from_min == l->to_min)
            cf_error(ctx, cf_find(ctx, n, l->from ? "from" : "to"),
                     "layer \"%s\": a time restriction needs from and to as HH:MM (20:00 to 08:00 runs past midnight)",
                     l->name ? l->name : "?");
    }
    l->day_mask = cf_days_mask(ctx, &l->days, n);
}

static bool layer_applies(const void *obj, const char *key)
{
    return strcmp(key, "shift_length") != 0 || ((const conf_layer *)obj)->rotation == ROTATION_CUSTOM;
}

static void override_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_override *o = obj;
    int64_t a = 0, b = 0;
    if (!o->person)
        cf_error(ctx, n, "an override needs a person");
    if (!oncall_wall_minutes(o->from, true, &a) || !oncall_wall_minutes(o->to, true, &b) || b <= a)
        cf_error(ctx, n, "an override needs from and to (YYYY-MM-DDTHH:MM), from before to");
    o->from_ms = a * 60000; /* wall time: the schedule's zone is applied in schedule_check */
    o->to_ms = b * 60000;
}

static void schedule_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_schedule *s = obj;
    s->tz_min = cf_zone_offset(logs_conf_zone(ctx, n, s->timezone));
    if (!s->layers.n)
        cf_error(ctx, n, "schedule \"%s\" needs layers", s->name ? s->name : "?");
    for (size_t i = 0; i < s->overrides.n; i++) {
        conf_override *o = CONF_AT(s->overrides, conf_override, i);
        o->from_ms -= (int64_t)s->tz_min * 60000;
        o->to_ms -= (int64_t)s->tz_min * 60000;
    }
}

static const cf_field dept_fields[] = {
    F(conf_department, "name", CF_STR, name),
    F(conf_department, "display", CF_STR, display),
    F(conf_department, "kind", CF_ENUM, kind, .names = dept_kinds, .dflt = DEPT_OTHER),
    F(conf_department, "head", CF_STR, head),
    {0},
};
const cf_section oncall_conf_departments = {"departments", sizeof(conf_department), dept_fields, NULL, NULL,
                                              NULL};

static const cf_field person_fields[] = {
    F(conf_person, "name", CF_STR, name),
    F(conf_person, "display", CF_STR, display),
    F(conf_person, "phone", CF_STR, phone),
    F(conf_person, "email", CF_STR, email),
    F(conf_person, "dingtalk", CF_STR, dingtalk),
    F(conf_person, "wecom", CF_STR, wecom),
    F(conf_person, "feishu", CF_STR, feishu),
    F(conf_person, "slack", CF_STR, slack),
    F(conf_person, "departments", CF_STRS, departments),
    F(conf_person, "roles", CF_STRS, roles),
    {0},
};
const cf_section oncall_conf_people = {"people", sizeof(conf_person), person_fields, NULL, NULL, NULL};

static const cf_field layer_fields[] = {
    F(conf_layer, "name", CF_STR, name),
    F(conf_layer, "rotation", CF_ENUM, rotation, .names = rotations, .dflt = ROTATION_WEEKLY),
    F(conf_layer, "shift_length", CF_DURATION, shift_ms, 3600000, 366 * CF_DAY),
    F(conf_layer, "start", CF_STR, start),
    F(conf_layer, "handoff", CF_STR, handoff),
    F(conf_layer, "members", CF_STRS, members),
    F(conf_layer, "days", CF_STRS, days),
    F(conf_layer, "from", CF_STR, from),
    F(conf_layer, "to", CF_STR, to),
    F(conf_layer, "period_only", CF_BOOL, period_only),
    {0},
};
static const cf_section layer_section = {"layers", sizeof(conf_layer), layer_fields, NULL, layer_check, NULL,
                                         layer_applies};

static const cf_field override_fields[] = {
    F(conf_override, "person", CF_STR, person),
    F(conf_override, "from", CF_STR, from),
    F(conf_override, "to", CF_STR, to),
    F(conf_override, "reason", CF_STR, reason),
    {0},
};
static const cf_section override_section = {"overrides", sizeof(conf_override), override_fields, NULL,
                                            override_check, NULL, NULL, true};

static const cf_field schedule_fields[] = {
    F(conf_schedule, "name", CF_STR, name),
    F(conf_schedule, "description", CF_STR, description),
    F(conf_schedule, "timezone", CF_STR, timezone),
    F(conf_schedule, "layers", CF_LIST, layers, .sub = &layer_section),
    F(conf_schedule, "overrides", CF_LIST, overrides, .sub = &override_section),
    {0},
};
const cf_section oncall_conf_schedules = {"schedules", sizeof(conf_schedule), schedule_fields, NULL,
                                            schedule_check, NULL};

static const cf_field period_fields[] = {
    F(conf, "name", CF_STR, period.name),
    F(conf, "start", CF_STR, period.start),
    F(conf, "end", CF_STR, period.end),
    {0},
};
const cf_section oncall_conf_period_section = {"period", 0, period_fields, NULL, NULL, NULL};

/* people, departments and schedules: the names they use are defined. */
void oncall_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *n)
{
    yaml_node_t *pn = cf_find(ctx, n, "people"), *sn = cf_find(ctx, n, "schedules"), *dn = cf_find(ctx, n, "departments");
    for (size_t i = 0; i < c->people.n; i++) {
        const conf_person *p = CONF_AT(c->people, conf_person, i);
        for (size_t k = 0; k < p->departments.n; k++)
            if (!conf_department_find(c, p->departments.v[k]))
                cf_error(ctx, pn ? pn : n, "person \"%s\": department \"%s\" is not defined under departments", p->name,
                         p->departments.v[k]);
    }
    for (size_t i = 0; i < c->departments.n; i++) {
        const conf_department *d = CONF_AT(c->departments, conf_department, i);
        if (d->head && !conf_person_find(c, d->head))
            cf_error(ctx, dn ? dn : n, "department \"%s\": head \"%s\" is not defined under people", d->name, d->head);
    }
    for (size_t i = 0; i < c->schedules.n; i++) {
        const conf_schedule *sc = CONF_AT(c->schedules, conf_schedule, i);
        for (size_t l = 0; l < sc->layers.n; l++) {
            const conf_layer *ly = CONF_AT(sc->layers, conf_layer, l);
            for (size_t k = 0; k < ly->members.n; k++)
                if (!conf_person_find(c, ly->members.v[k]))
                    cf_error(ctx, sn ? sn : n, "schedule \"%s\", layer \"%s\": \"%s\" is not defined under people",
                             sc->name, ly->name, ly->members.v[k]);
            if (ly->period_only && !c->period.start)
                cf_error(ctx, sn ? sn : n, "schedule \"%s\", layer \"%s\": period_only needs period: start and end",
                         sc->name, ly->name);
        }
        for (size_t k = 0; k < sc->overrides.n; k++) {
            const conf_override *o = CONF_AT(sc->overrides, conf_override, k);
            if (o->person && !conf_person_find(c, o->person))
                cf_error(ctx, sn ? sn : n, "schedule \"%s\": override person \"%s\" is not defined under people", sc->name,
                         o->person);
        }
    }
}

/* period: start and end, as milliseconds since the epoch (local time). */
void oncall_conf_period(cf_ctx *ctx, conf *c, yaml_node_t *n)
{
    c->period.start_ms = c->period.end_ms = 0;
    if (c->period.start || c->period.end) {
        int64_t a, b;
        yaml_node_t *per = cf_find(ctx, n, "period");
        if (!oncall_wall_minutes(c->period.start, true, &a) || !oncall_wall_minutes(c->period.end, true, &b) || b <= a)
            cf_error(ctx, per ? per : n, "period: start and end are YYYY-MM-DDTHH:MM (local time), start before end");
        else {
            int32_t off = cf_zone_offset(LOG_TZ_LOCAL);
            c->period.start_ms = (a - off) * 60000;
            c->period.end_ms = (b - off) * 60000;
        }
    }
}

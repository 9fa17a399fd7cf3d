/* Triggers: which alerts open an incident, and which join one already open (incident_trigger.c).
 * Pure: no I/O, no clock; the caller offers each fired or reopened alert in order.
 *
 * A trigger takes an alert its `match` holds for; with `after`, only when an alert matching
 * `after` fired first, at most `within` before, with the same key (a web_attack, then a new
 * process on the same host). The key is the values of the trigger's `key` fields (default: the
 * alert's asset, else its destination.ip, host.name or host label), with the drill flag: the
 * alerts of one attack, which join the incident the first of them opened instead of opening
 * another; a drill's alerts never join a real incident, nor a real alert a drill's. */
#ifndef KW_INCIDENT_TRIGGER_H
#define KW_INCIDENT_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "incident/incident_conf.h"
#include "notify/notify.h"

#define INCIDENT_KEY_MAX 512
#define INCIDENT_TRIG_MEMORY 4096   /* `after` alerts remembered per trigger */

typedef struct incident_trig incident_trig;

/* What a trigger made of an alert. */
typedef struct incident_trig_hit {
    const conf_inc_trigger *trigger;   /* the configuration's */
    const char *playbook;              /* the configuration's */
    int grade;                         /* 0: the playbook's */
    bool drill;                        /* the alert carries labels.drill */
    char key[INCIDENT_KEY_MAX];        /* "playbook|drill|value|value": the attack's identity */
} incident_trig_hit;

/* Compiles c's triggers; c must outlive it. The caller frees with incident_trig_free. */
incident_trig *incident_trig_new(const conf *c);
void incident_trig_free(incident_trig *t);

/* Offers alert a (fired or reopened; its start is a->started_ms): the first trigger, in the
 * configuration's order, that takes it fills *hit and the result is true. Either way the
 * alert is remembered for the `after` conditions of later ones. */
bool incident_trig_offer(incident_trig *t, const notify_alert *a, incident_trig_hit *hit);

#endif

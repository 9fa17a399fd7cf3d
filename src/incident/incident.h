/* The incident subsystem's face to the daemon: its module (incident_module.c) and its HTTP
 * routes (incident_api.c). The pieces: incident_conf.h (the configuration: playbooks,
 * triggers, reporting), incident_plan.h (a playbook's steps as tasks), incident_ops.h (the
 * operations), incident_trigger.h (alerts into incidents), incident_engine.h (the leader's
 * work). */
#ifndef KW_INCIDENT_H
#define KW_INCIDENT_H

#include "http/http.h"

struct kw_module;
extern const struct kw_module incident_module;
extern const http_route incident_routes[];

#endif

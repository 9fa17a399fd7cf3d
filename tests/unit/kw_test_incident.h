/* The configuration the incident tests share: people, departments (no customer_service one,
 * so kind:customer_service falls back to the duty officer), a daily duty rota handing over at
 * 09:00 +08:00 (ann, then bob), and one playbook written inline (the validation and the
 * built-in playbooks come from other parts). */
#ifndef KW_TEST_INCIDENT_H
#define KW_TEST_INCIDENT_H

#include "conf/conf.h"
#include "kw_test.h"
#include "logs/logs.h"

#include <stdio.h>
#include <string.h>

#define KWT_INCIDENT_YAML                                                                                              \
    "people:\n"                                                                                                        \
    "  - {name: ann, departments: [sec], roles: [duty_officer]}\n"                                                     \
    "  - {name: bob, departments: [sec], roles: [expert]}\n"                                                           \
    "  - {name: dan, departments: [ops]}\n"                                                                            \
    "  - {name: eve, departments: [ops]}\n"                                                                            \
    "departments:\n"                                                                                                   \
    "  - {name: sec, kind: security, head: bob}\n"                                                                     \
    "  - {name: ops, kind: operations}\n"                                                                              \
    "  - {name: biz, kind: business}\n"                                                                                \
    "schedules:\n"                                                                                                     \
    "  - name: duty\n"                                                                                                 \
    "    timezone: '+08:00'\n"                                                                                         \
    "    layers:\n"                                                                                                    \
    "      - {name: main, rotation: daily, start: 2026-11-23, handoff: '09:00', members: [ann, bob]}\n"               \
    "incident:\n"                                                                                                      \
    "  org_type: %s\n"                                                                                                 \
    "  playbooks:\n"                                                                                                   \
    "    - name: ddos\n"                                                                                               \
    "      title: DDoS makes a service unreachable\n"                                                                  \
    "      title_zh: DDoS 攻击导致服务不可用\n"                                                                        \
    "      category: NA\n"                                                                                            \
    "      subcategory: NADOS\n"                                                                                       \
    "      grade: IV\n"                                                                                                \
    "      phases:\n"                                                                                                  \
    "        - phase: confirm\n"                                                                                       \
    "          steps:\n"                                                                                               \
    "            - {name: verify, title: Verify, owner: duty, within: 15m}\n"                                         \
    "            - {name: assess, title: Assess, owner: 'role:expert', needs: [verify], within: 30m}\n"               \
    "        - phase: contain\n"                                                                                       \
    "          steps:\n"                                                                                               \
    "            - name: scrub\n"                                                                                      \
    "              title: Scrub the traffic\n"                                                                         \
    "              owner: 'kind:operations'\n"                                                                         \
    "              needs: [verify]\n"                                                                                  \
    "              within: 1h\n"                                                                                       \
    "              tell: ['kind:customer_service', 'kind:operations']\n"                                              \
    "            - {name: cdn, title: Switch to the CDN, owner: 'department:ops', within: 2h, grades: [I, II, III]}\n" \
    "        - phase: report\n"                                                                                        \
    "          steps:\n"                                                                                               \
    "            - {name: regulator, title: Report to the regulator, owner: 'head:sec', report: regulator}\n"         \
    "            - {name: tell_cs, title: Tell customer service, owner: 'kind:customer_service'}\n"                   \
    "            - {name: nobody, title: Nobody's, owner: 'department:biz'}\n"

/* The configuration above for org_type (cii, state_organ, other); NULL (printed) on error. */
static inline conf *kwt_incident_conf(const char *org_type)
{
    char y[8192];
    snprintf(y, sizeof y, KWT_INCIDENT_YAML, org_type);
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("t.yaml", y, strlen(y), &c, &errs) != KW_OK)
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    return c;
}

/* "2026-11-24T09:00:00+08:00" as Unix ms. */
static inline int64_t kwt_at(const char *s)
{
    log_parse_opts o = {.tz_offset_min = 0};
    int64_t ms = 0;
    if (!log_parse_iso(s, strlen(s), &o, &ms)) {
        fprintf(stderr, "  bad time %s\n", s);
        kwt_failed_checks++;
    }
    return ms;
}

#endif

/* Triggers: which alerts open an incident (match, a sequence with `after` and `within`, the
 * drill-only ones), the key that makes alerts of one attack join one incident (configured
 * fields, the default's fallbacks, drills apart, separators escaped), and the bounded memory. */
#include "kw_test.h"

#include <stdlib.h>

#include "conf/conf.h"
#include "incident/incident_trigger.h"

static conf *load(const char *yaml)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs) != KW_OK)
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    return c;
}

static const char cfg[] =
    "assets:\n"
    "  - {name: portal, addresses: [10.0.0.0/24], criticality: critical}\n"
    "  - {name: intranet, addresses: [10.1.0.0/24], criticality: low}\n"
    "incident:\n"
    "  triggers:\n"
    "    - {name: ddos, match: {rule: syn_flood, criticality|gt: medium}, playbook: ddos, grade: III}\n"
    "    - name: intrusion\n"
    "      match: {rule: new_process}\n"
    "      after: {rule: web_attack}\n"
    "      within: 30m\n"
    "      key: [host]\n"
    "      playbook: intrusion\n"
    "    - {name: drills, match: {rule: port_scan}, drill_only: true, playbook: phishing}\n";

/* Offers one alert; the trigger's name or "" when none took it, and its key in key[]. */
static const char *offer(incident_trig *t, const conf *c, const char *rule, const char *labels, int64_t at,
                         char *key, size_t n)
{
    notify_alert a;
    notify_alert_init(&a, c, 1, rule, "firing", "s", 3, at, labels);
    incident_trig_hit h;
    bool took = incident_trig_offer(t, &a, &h);
    snprintf(key, n, "%s", took ? h.key : "");
    notify_alert_fini(&a);
    return took ? h.trigger->name : "";
}

static void test_match_and_key(void)
{
    conf *c = load(cfg);
    CHECK(c != NULL);
    if (!c)
        return;
    incident_trig *t = incident_trig_new(c);
    char k1[INCIDENT_KEY_MAX], k2[INCIDENT_KEY_MAX], k3[INCIDENT_KEY_MAX];
    /* the asset is found by address; only the critical one opens an incident */
    CHECK_STR(offer(t, c, "syn_flood", "{\"destination.ip\":\"10.0.0.5\"}", 1000, k1, sizeof k1), "ddos");
    CHECK_STR(k1, "ddos|0|portal");
    CHECK_STR(offer(t, c, "syn_flood", "{\"destination.ip\":\"10.1.0.5\"}", 1000, k2, sizeof k2), "");
    /* another address of the same asset: the same attack, the same key */
    CHECK_STR(offer(t, c, "syn_flood", "{\"destination.ip\":\"10.0.0.9\"}", 2000, k2, sizeof k2), "ddos");
    CHECK_STR(k2, k1);
    /* a drill's flood is apart from a real one */
    CHECK_STR(offer(t, c, "syn_flood", "{\"destination.ip\":\"10.0.0.5\",\"drill\":\"ddos-1\"}", 3000, k3, sizeof k3),
              "ddos");
    CHECK_STR(k3, "ddos|1|portal");
    /* drill_only takes only drills */
    CHECK_STR(offer(t, c, "port_scan", "{}", 3000, k3, sizeof k3), "");
    CHECK_STR(offer(t, c, "port_scan", "{\"drill\":true}", 3000, k3, sizeof k3), "drills");
    CHECK_STR(offer(t, c, "port_scan", "{\"drill\":false}", 3000, k3, sizeof k3), "");
    incident_trig_free(t);
    conf_free(c);
}

static void test_sequence(void)
{
    conf *c = load(cfg);
    CHECK(c != NULL);
    if (!c)
        return;
    incident_trig *t = incident_trig_new(c);
    char k[INCIDENT_KEY_MAX];
    int64_t t0 = 1795824000000LL;
    /* a new process with no web attack before it: nothing */
    CHECK_STR(offer(t, c, "new_process", "{\"host\":\"web01\"}", t0, k, sizeof k), "");
    CHECK_STR(offer(t, c, "web_attack", "{\"host\":\"web01\"}", t0 + 1000, k, sizeof k), "");
    /* on another host: nothing; on the same host within 30 min: intrusion */
    CHECK_STR(offer(t, c, "new_process", "{\"host\":\"web02\"}", t0 + 2000, k, sizeof k), "");
    CHECK_STR(offer(t, c, "new_process", "{\"host\":\"web01\"}", t0 + 1000 + 29 * 60000, k, sizeof k), "intrusion");
    CHECK_STR(k, "intrusion|0|web01");
    /* more than 30 min after the attack: nothing */
    CHECK_STR(offer(t, c, "new_process", "{\"host\":\"web01\"}", t0 + 1000 + 31 * 60000, k, sizeof k), "");
    /* a separator in a value cannot make two keys one */
    CHECK_STR(offer(t, c, "web_attack", "{\"host\":\"a|b\"}", t0, k, sizeof k), "");
    CHECK_STR(offer(t, c, "new_process", "{\"host\":\"a|b\"}", t0 + 10, k, sizeof k), "intrusion");
    CHECK_STR(k, "intrusion|0|a\\|b");
    incident_trig_free(t);
    conf_free(c);
}

/* The memory keeps the newest INCIDENT_TRIG_MEMORY `after` alerts: the oldest are forgotten. */
static void test_memory_bound(void)
{
    conf *c = load(cfg);
    CHECK(c != NULL);
    if (!c)
        return;
    incident_trig *t = incident_trig_new(c);
    char k[INCIDENT_KEY_MAX], labels[64];
    int64_t t0 = 1795824000000LL;
    offer(t, c, "web_attack", "{\"host\":\"first\"}", t0, k, sizeof k);
    for (int i = 0; i < INCIDENT_TRIG_MEMORY; i++) {
        snprintf(labels, sizeof labels, "{\"host\":\"h%d\"}", i);
        offer(t, c, "web_attack", labels, t0 + 1, k, sizeof k);
    }
    CHECK_STR(offer(t, c, "new_process", "{\"host\":\"first\"}", t0 + 2, k, sizeof k), "");
    CHECK_STR(offer(t, c, "new_process", "{\"host\":\"h0\"}", t0 + 2, k, sizeof k), "intrusion");
    incident_trig_free(t);
    conf_free(c);
}

int main(void)
{
    RUN(test_match_and_key);
    RUN(test_sequence);
    RUN(test_memory_bound);
    TEST_MAIN_END();
}

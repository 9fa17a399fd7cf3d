/* The GB/T 20986-2023 classification table (incident/incident_class.c) and the built-in
 * playbooks (the YAML files in playbooks/) that name its codes: every sub-category under a
 * category that exists, codes unique, names present, the counts per category; the nine
 * built-in playbooks load into every configuration and name a category and a sub-category of
 * that category. */
#include "kw_test.h"

#include "conf/conf.h"
#include "incident/incident_class.h"
#include "incident/incident_conf.h"

static size_t table_len(void)
{
    size_t n = 0;
    while (incident_class_at(n))
        n++;
    return n;
}

static void test_parents_exist_and_precede(void)
{
    const incident_class *cat = NULL;
    for (size_t i = 0; i < table_len(); i++) {
        const incident_class *e = incident_class_at(i);
        if (!e->parent) {
            cat = e;
            continue;
        }
        const incident_class *p = incident_class_find(e->parent);
        CHECK(p != NULL);
        CHECK(p && p->parent == NULL); /* one level: a sub-category's parent is a category */
        CHECK(cat && p == cat);        /* listed under its own category */
        CHECK(strncmp(e->code, e->parent, strlen(e->parent)) == 0); /* NADOS under NA */
    }
}

static void test_codes_unique_names_present(void)
{
    size_t n = table_len();
    for (size_t i = 0; i < n; i++) {
        const incident_class *e = incident_class_at(i);
        CHECK(e->code && e->code[0]);
        CHECK(e->name_zh && strlen(e->name_zh) >= 3 * 2); /* at least two CJK characters */
        CHECK(e->name_en && e->name_en[0]);
        CHECK(incident_class_find(e->code) == e);
        for (size_t j = i + 1; j < n; j++) {
            CHECK(strcmp(e->code, incident_class_at(j)->code) != 0);
            CHECK(strcmp(e->name_zh, incident_class_at(j)->name_zh) != 0);
        }
    }
}

static size_t subs_of(const char *cat)
{
    size_t k = 0;
    for (size_t i = 0; i < table_len(); i++)
        if (incident_class_at(i)->parent && strcmp(incident_class_at(i)->parent, cat) == 0)
            k++;
    return k;
}

static void test_counts(void)
{
    size_t cats = 0;
    for (size_t i = 0; i < table_len(); i++)
        cats += incident_class_at(i)->parent == NULL;
    CHECK_INT(cats, 10);
    CHECK_INT(table_len() - cats, 75);
    CHECK_INT(subs_of("MP"), 10);
    CHECK_INT(subs_of("NA"), 21);
    CHECK_INT(subs_of("DS"), 12);
    CHECK_INT(subs_of("IC"), 8);
    CHECK_INT(subs_of("DE"), 5);
    CHECK_INT(subs_of("RO"), 8);
    CHECK_INT(subs_of("SHE"), 3);
    CHECK_INT(subs_of("AB"), 3);
    CHECK_INT(subs_of("FOC"), 5);
    CHECK_INT(subs_of("OTH"), 0);
}

static void test_find(void)
{
    const incident_class *e = incident_class_find("NADOS");
    CHECK(e != NULL);
    CHECK_STR(e ? e->parent : NULL, "NA");
    CHECK_STR(e ? e->name_zh : NULL, "拒绝服务事件");
    CHECK_STR(incident_class_find("MPRANS") ? incident_class_find("MPRANS")->name_zh : NULL, "勒索软件事件");
    CHECK(incident_class_find("nados") == NULL); /* case-sensitive */
    CHECK(incident_class_find("") == NULL);
    CHECK(incident_class_find(NULL) == NULL);
    CHECK(incident_class_at(table_len()) == NULL);
}

/* ---- the built-in playbooks ---- */

static const char *const builtin[] = {"ddos", "defacement", "intrusion", "ransomware", "data_leak",
                                      "account_compromise", "vuln_exploited", "service_failure",
                                      "phishing", NULL};

static conf *load_default(void)
{
    static const char yaml[] = "incident:\n  org_type: other\n";
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs) != KW_OK)
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    return c;
}

static const conf_playbook *playbook(const conf *c, const char *name)
{
    for (size_t i = 0; i < c->incident.playbooks.n; i++) {
        const conf_playbook *pb = CONF_AT(c->incident.playbooks, conf_playbook, i);
        if (pb->name && strcmp(pb->name, name) == 0)
            return pb;
    }
    return NULL;
}

/* The nine are embedded and loaded into every configuration, each classified by the table. */
static void test_builtin_playbooks_load_and_classify(void)
{
    conf *c = load_default();
    CHECK(c != NULL);
    if (!c)
        return;
    size_t n = 0;
    while (builtin[n])
        n++;
    CHECK_INT(c->incident.playbooks.n, n);
    for (size_t i = 0; builtin[i]; i++) {
        const conf_playbook *pb = playbook(c, builtin[i]);
        CHECK(pb != NULL);
        if (!pb) {
            fprintf(stderr, "  no built-in playbook %s\n", builtin[i]);
            continue;
        }
        CHECK(pb->builtin);
        const incident_class *cat = incident_class_find(pb->category);
        const incident_class *sub = incident_class_find(pb->subcategory);
        CHECK(cat && !cat->parent);
        CHECK(sub && sub->parent && cat && strcmp(sub->parent, cat->code) == 0);
        CHECK_INT(pb->grades.n, 4); /* criteria for every grade */
        CHECK_INT(pb->phases.n, 5); /* confirm .. report */
        CHECK(pb->title_zh && pb->description_zh);
    }
    conf_free(c);
}

int main(void)
{
    RUN(test_parents_exist_and_precede);
    RUN(test_codes_unique_names_present);
    RUN(test_counts);
    RUN(test_find);
    RUN(test_builtin_playbooks_load_and_classify);
    TEST_MAIN_END();
}

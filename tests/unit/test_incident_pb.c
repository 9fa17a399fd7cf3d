/* incident playbooks: every validation rule with its exact FILE:LINE:COLUMN message (the bad
 * files of tests/data/incident with their .expect files) and a good case, cycles, deadlines,
 * built-in-only targets, the cross-checks, the embedded playbooks, playbook_dir loading. */
#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"
#include "incident/incident_class.h"
#include "incident/incident_conf.h"
#include "incident/incident_pb.h"
#include "kw_test.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA KW_TEST_DATA "/incident"
#define PB(name) "name: " name "\ntitle: T\ncategory: NA\nphases:\n  - {phase: confirm, steps: [{name: a, title: A}]}\n"

static conf *load(const char *yaml, conf_errors *e)
{
    conf *c = NULL;
    conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, e);
    return c;
}

static conf *load_base(void)
{
    conf *c = NULL;
    conf_errors e = {0};
    conf_load(DATA "/conf.yaml", &c, &e);
    for (size_t i = 0; i < e.n; i++)
        fprintf(stderr, "  conf.yaml: %s\n", e.v[i]);
    CHECK(c != NULL && e.n == 0);
    conf_errors_free(&e);
    return c;
}

static char *slurp(const char *path)
{
    kw_buf b;
    if (kw_file_read(path, 1 << 20, &b) != KW_OK)
        return NULL;
    kw_buf_putc(&b, '\0');
    return b.data;
}

static int has_error(const conf_errors *e, const char *want)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->v[i], want) == 0)
            return 1;
    return 0;
}

/* How many errors contain what (the built-in playbooks may add their own). */
static size_t errors_with(const conf_errors *e, const char *what)
{
    size_t n = 0;
    for (size_t i = 0; i < e->n; i++)
        n += strstr(e->v[i], what) != NULL;
    return n;
}

/* The playbooks that are not built-in ones. */
static size_t user_playbooks(const conf *c)
{
    size_t n = 0;
    for (size_t i = 0; c && i < c->incident.playbooks.n; i++)
        n += !CONF_AT(c->incident.playbooks, conf_playbook, i)->builtin;
    return n;
}

/* The first of them (the built-in ones come first in the list). */
static const conf_playbook *user_first(const conf *c)
{
    for (size_t i = 0; c && i < c->incident.playbooks.n; i++)
        if (!CONF_AT(c->incident.playbooks, conf_playbook, i)->builtin)
            return CONF_AT(c->incident.playbooks, conf_playbook, i);
    return NULL;
}

static void dump(const conf_errors *e)
{
    for (size_t i = 0; i < e->n; i++)
        fprintf(stderr, "    got: %s\n", e->v[i]);
}

#define CHECK_ERR(e, want)                 \
    do {                                   \
        int kwt_h = has_error((e), (want)); \
        CHECK(kwt_h && want);              \
        if (!kwt_h)                        \
            dump(e);                       \
    } while (0)

/* Loads one file of the data directory as a playbook_dir file is (named by its base name). */
static kw_rc load_file(conf *c, const char *file, conf_errors *e, bool builtin)
{
    char path[512];
    snprintf(path, sizeof path, DATA "/%s", file);
    char *text = slurp(path);
    CHECK(text != NULL);
    if (!text)
        return KW_ERR_IO;
    kw_rc rc = incident_pb_load_text(c, file, text, strlen(text), builtin, e);
    free(text);
    return rc;
}

/* Every bad_*.yaml gives exactly the errors of its .expect file; good_*.yaml none. */
static void test_data_files(void)
{
    DIR *d = opendir(DATA);
    CHECK(d != NULL);
    if (!d)
        return;
    int bad = 0, good = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        bool is_bad = strncmp(de->d_name, "bad_", 4) == 0, is_good = strncmp(de->d_name, "good_", 5) == 0;
        if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0 || (!is_bad && !is_good))
            continue;
        conf *c = load_base();
        if (!c)
            break;
        conf_errors e = {0};
        kw_rc rc = load_file(c, de->d_name, &e, false);
        if (is_good) {
            good++;
            CHECK(rc == KW_OK && e.n == 0);
            dump(&e);
        } else {
            bad++;
            char path[512];
            snprintf(path, sizeof path, DATA "/%.*s.expect", (int)(l - 5), de->d_name);
            char *want = slurp(path);
            CHECK(want != NULL);
            CHECK(rc == KW_ERR_PARSE);
            size_t lines = 0;
            for (char *line = want ? strtok(want, "\n") : NULL; line; line = strtok(NULL, "\n"), lines++) {
                if (!has_error(&e, line))
                    fprintf(stderr, "  %s: missing \"%s\"\n", de->d_name, line);
                CHECK(has_error(&e, line));
            }
            if (lines != e.n) {
                fprintf(stderr, "  %s: %zu errors, expected %zu\n", de->d_name, e.n, lines);
                dump(&e);
            }
            CHECK_INT(e.n, lines);
            free(want);
        }
        conf_errors_free(&e);
        conf_free(c);
    }
    closedir(d);
    CHECK(bad >= 8 && good >= 1);
}

/* The good playbook's derived fields and what it is added as. */
static void test_derived(void)
{
    conf *c = load_base();
    conf_errors e = {0};
    CHECK(c && load_file(c, "good_ddos.yaml", &e, false) == KW_OK);
    const conf_playbook *pb = c ? incident_pb_find(c, "ddos_test") : NULL;
    CHECK(pb != NULL);
    if (pb) {
        CHECK_STR(pb->source, "good_ddos.yaml");
        CHECK(!pb->builtin);
        CHECK_INT(pb->grade, 4);
        const conf_pb_step *s = incident_pb_step_find(pb, "scrub");
        CHECK(s && s->phase == PB_PHASE_CONTAIN && s->grade_mask == 0x0f && s->within_ms == 30 * 60000);
        s = incident_pb_step_find(pb, "report_cac");
        CHECK(s && s->phase == PB_PHASE_REPORT && s->grade_mask == 0x07 && s->report == PB_REPORT_REGULATOR);
        CHECK(incident_pb_step_find(pb, "nosuch") == NULL);
    }
    /* the same name again from another file: an error naming the first */
    CHECK(c && incident_pb_load_text(c, "again.yaml", "name: ddos_test\ntitle: t\ncategory: NA\nphases:\n"
                                     "  - {phase: confirm, steps: [{name: a, title: A}]}\n", 97, false, &e) ==
                   KW_ERR_PARSE);
    CHECK_ERR(&e, "again.yaml:1:7: playbook \"ddos_test\" is defined twice: first in good_ddos.yaml");
    CHECK(user_playbooks(c) == 1);
    conf_errors_free(&e);
    conf_free(c);
}

/* A built-in playbook names only duty and kind: (valid with any configuration). */
static void test_builtin_targets(void)
{
    conf *c = load_base();
    conf_errors e = {0};
    CHECK(c && load_file(c, "good_ddos.yaml", &e, true) == KW_ERR_PARSE);
    CHECK_ERR(&e, "good_ddos.yaml:17:39: step \"verify\": tell: a built-in playbook names only duty and kind:KIND "
                  "(so that it is valid with any configuration), not \"department:ops\"");
    CHECK_ERR(&e, "good_ddos.yaml:22:16: step \"scrub\": owner: a built-in playbook names only duty and kind:KIND "
                  "(so that it is valid with any configuration), not \"role:duty_officer\"");
    CHECK_INT(e.n, 6); /* department:ops, role:, head:, schedule:, person:, department:sec */
    conf_errors_free(&e);
    static const char ok[] = "name: b\ntitle: t\ncategory: NA\nphases:\n  - phase: confirm\n    steps:\n"
                             "      - {name: a, title: A, owner: duty, tell: [kind:customer_service, kind:business]}\n";
    CHECK(c && incident_pb_load_text(c, "b.yaml", ok, strlen(ok), true, &e) == KW_OK && e.n == 0);
    const conf_playbook *pb = c ? incident_pb_find(c, "b") : NULL;
    CHECK(pb && pb->source == NULL);
    conf_errors_free(&e);
    conf_free(c);
}

/* A file's playbook of a built-in one's name replaces it; a second file of that name is refused. */
static void test_replace_builtin(void)
{
    conf *c = load_base();
    conf_errors e = {0};
    static const char a[] = PB("ddos_x"), b[] = "name: ddos_x\ntitle: mine\ncategory: NA\nphases:\n"
                                                "  - {phase: contain, steps: [{name: s, title: S, owner: person:bob}]}\n";
    CHECK(c && incident_pb_load_text(c, "playbooks/ddos_x.yaml", a, strlen(a), true, &e) == KW_OK);
    size_t n = c ? c->incident.playbooks.n : 0;
    conf_playbook *pb = c ? (conf_playbook *)incident_pb_find(c, "ddos_x") : NULL;
    CHECK(pb != NULL);
    if (pb)
        pb->builtin = true; /* as the built-in layer marks it */
    CHECK(c && incident_pb_load_text(c, "/etc/pb/ddos_x.yaml", b, strlen(b), false, &e) == KW_OK);
    dump(&e);
    pb = c ? (conf_playbook *)incident_pb_find(c, "ddos_x") : NULL;
    CHECK(pb && !pb->builtin && strcmp(pb->title, "mine") == 0 && c->incident.playbooks.n == n);
    CHECK_STR(pb ? pb->source : NULL, "/etc/pb/ddos_x.yaml");
    CHECK(c && incident_pb_load_text(c, "/etc/pb/ddos_y.yaml", b, strlen(b), false, &e) == KW_ERR_PARSE);
    CHECK_ERR(&e, "/etc/pb/ddos_y.yaml:1:7: playbook \"ddos_x\" is defined twice: first in /etc/pb/ddos_x.yaml");
    conf_errors_free(&e);
    conf_free(c);
}

/* Sub-categories: one whose parent is another category is refused (when the table has them). */
static void test_subcategory_parent(void)
{
    const incident_class *sub = NULL;
    for (size_t i = 0; !sub && incident_class_at(i); i++)
        if (incident_class_at(i)->parent)
            sub = incident_class_at(i);
    if (!sub) {
        fprintf(stderr, "  (the GB/T table has no sub-categories yet: the parent rule is not exercised)\n");
        return;
    }
    const char *other = strcmp(sub->parent, "MP") == 0 ? "NA" : "MP";
    char y[512], want[512];
    snprintf(y, sizeof y, "name: s\ntitle: t\ncategory: %s\nsubcategory: %s\nphases:\n"
             "  - {phase: confirm, steps: [{name: a, title: A}]}\n", other, sub->code);
    snprintf(want, sizeof want, "s.yaml:4:14: playbook \"s\": sub-category \"%s\" belongs to %s, not to %s", sub->code,
             sub->parent, other);
    conf *c = load_base();
    conf_errors e = {0};
    CHECK(c && incident_pb_load_text(c, "s.yaml", y, strlen(y), false, &e) == KW_ERR_PARSE);
    CHECK_ERR(&e, want);
    conf_errors_free(&e);
    snprintf(y, sizeof y, "name: s\ntitle: t\ncategory: %s\nsubcategory: %s\nphases:\n"
             "  - {phase: confirm, steps: [{name: a, title: A}]}\n", sub->parent, sub->code);
    CHECK(c && incident_pb_load_text(c, "s.yaml", y, strlen(y), false, &e) == KW_OK && e.n == 0);
    conf_errors_free(&e);
    conf_free(c);
}

/* Playbooks in the configuration file: the same hooks, targets checked against the file. */
static void test_config_playbooks(void)
{
    conf_errors e = {0};
    conf *c = load("people:\n  - {name: alice, roles: [lead]}\n"
                   "incident:\n"
                   "  playbooks:\n"
                   "    - name: p\n"
                   "      title: P\n"
                   "      category: NA\n"
                   "      phases:\n"
                   "        - phase: confirm\n"
                   "          steps:\n"
                   "            - {name: a, title: A, owner: role:lead, tell: [person:alice, person:zed]}\n"
                   "            - {name: b, title: B, owner: role:nobody, needs: [a, c]}\n",
                   &e);
    CHECK(c == NULL);
    CHECK_ERR(&e, "t.yaml:11:74: step \"a\": tell: person \"zed\" is not defined under people");
    CHECK_ERR(&e, "t.yaml:12:42: step \"b\": owner: role \"nobody\" is held by nobody under people");
    CHECK_ERR(&e, "t.yaml:12:66: step \"b\": needs: no step \"c\" in this playbook");
    CHECK_INT(e.n, 3);
    conf_errors_free(&e);
}

/* The incident section's own cross-checks. */
static void test_section_refs(void)
{
    conf_errors e = {0};
    conf *c = load("incident:\n"
                   "  duty_schedule: nosuch\n"
                   "  channels: [ops_robot]\n"
                   "  reporting:\n"
                   "    - {org_type: cii, within: 30m}\n"
                   "    - {org_type: cii, within: 20m}\n"
                   "  triggers:\n"
                   "    - {name: t1, match: {rule: syn_flood}, playbook: ddos_nosuch}\n"
                   "    - {name: t2, match: {rule: x}, key: [asset, \"\"]}\n"
                   "    - {name: t3, playbook: p}\n"
                   "  playbooks:\n"
                   "    - {name: p, title: P, category: NA, phases: [{phase: confirm, steps: [{name: a, title: A}]}]}\n",
                   &e);
    CHECK(c == NULL);
    CHECK_ERR(&e, "t.yaml:2:18: duty_schedule: schedule \"nosuch\" is not defined under schedules");
    CHECK_ERR(&e, "t.yaml:3:14: channels: channel \"ops_robot\" is not defined under notify.channels");
    CHECK_ERR(&e, "t.yaml:6:18: reporting: a second row for org_type cii (one row per organisation type)");
    CHECK_ERR(&e, "t.yaml:8:54: trigger \"t1\": playbook \"ddos_nosuch\" is not defined");
    CHECK_ERR(&e, "t.yaml:9:7: trigger \"t2\": needs a playbook");
    CHECK_ERR(&e, "t.yaml:9:49: trigger \"t2\": key: an empty field name");
    CHECK_ERR(&e, "t.yaml:10:7: trigger \"t3\": needs a match (the alert that opens the incident)");
    CHECK_INT(e.n, 7);
    conf_errors_free(&e);
    c = load("incident:\n  reporting:\n    - {min_grade: II, within: 1h}\n", &e);
    CHECK(c == NULL);
    CHECK_ERR(&e, "t.yaml:3:7: reporting: each row needs an org_type (cii, state_organ or other)");
    CHECK_INT(e.n, 1);
    conf_errors_free(&e);
    /* and a good one */
    c = load("schedules:\n  - {name: s, layers: [{name: l, members: [a]}]}\n"
             "people:\n  - {name: a}\n"
             "incident:\n  duty_schedule: s\n  triggers:\n    - {name: t1, match: {rule: syn_flood}, playbook: p, grade: III}\n"
             "  playbooks:\n"
             "    - {name: p, title: P, category: NA, phases: [{phase: confirm, steps: [{name: a, title: A}]}]}\n",
             &e);
    dump(&e);
    CHECK(c != NULL && e.n == 0);
    CHECK(c && CONF_AT(c->incident.triggers, conf_inc_trigger, 0)->grade == 3);
    conf_free(c);
    conf_errors_free(&e);
}

/* A regulator step's deadline depends on the organisation type: cii reports within 1h. */
static void test_regulator_org_type(void)
{
    static const char pb[] = "    - name: p\n      title: P\n      category: DS\n      phases:\n"
                             "        - phase: confirm\n          steps: [{name: v, title: V, within: 2h}]\n"
                             "        - phase: report\n          steps: [{name: r, title: R, report: regulator, needs: [v]}]\n";
    char y[1024];
    conf_errors e = {0};
    snprintf(y, sizeof y, "incident:\n  org_type: other\n  playbooks:\n%s", pb);
    conf *c = load(y, &e);
    CHECK(c != NULL && e.n == 0);
    conf_free(c);
    snprintf(y, sizeof y, "incident:\n  org_type: cii\n  playbooks:\n%s", pb);
    c = load(y, &e);
    CHECK(c == NULL);
    CHECK_ERR(&e, "t.yaml:11:47: playbook \"p\", step \"r\": the regulator's deadline for critical information "
                  "infrastructure operators at grade I is 1h, but it needs \"v\" (2h)");
    CHECK_INT(errors_with(&e, "playbook \"p\""), 1);
    conf_errors_free(&e);
    c = load("incident:\n  org_type: state_organ\n", &e);
    CHECK(c && incident_pb_regulator_ms(c, INC_ORG_STATE_ORGAN, 3) == 2 * 3600000);
    CHECK(c && incident_pb_regulator_ms(c, INC_ORG_STATE_ORGAN, 4) == -1);
    CHECK(c && incident_pb_regulator_ms(c, INC_ORG_CII, 1) == 3600000);
    conf_free(c);
    conf_errors_free(&e);
}

/* Every embedded playbook loads as a built-in one, alone and in the built-in configuration. */
static void test_embedded(void)
{
    size_t n = incident_pb_builtin_count();
    if (!n) {
        fprintf(stderr, "  (no built-in playbooks are embedded yet: only the empty case is checked)\n");
        conf *c = NULL;
        conf_errors e = {0};
        CHECK(conf_load(NULL, &c, &e) == KW_OK && c->incident.playbooks.n == 0);
        conf_free(c);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        const char *text = incident_pb_builtin_text(i, &len);
        conf *c = NULL;
        conf_errors e = {0};
        CHECK(conf_load(NULL, &c, &e) == KW_OK);
        /* alone in an otherwise empty list (the built-in configuration holds it already) */
        conf_list saved = c->incident.playbooks;
        c->incident.playbooks = (conf_list){0};
        kw_rc rc = incident_pb_load_text(c, incident_pb_builtin_name(i), text, len, true, &e);
        if (rc != KW_OK)
            fprintf(stderr, "  built-in %s:\n", incident_pb_builtin_name(i));
        dump(&e);
        CHECK(rc == KW_OK && e.n == 0);
        const conf_playbook *pb = CONF_AT(c->incident.playbooks, conf_playbook, 0);
        CHECK(c->incident.playbooks.n == 1 && pb->source == NULL && (pb->title || pb->title_zh));
        conf_list mine = c->incident.playbooks;
        c->incident.playbooks = saved;
        conf_free(c);
        c = kw_calloc(1, sizeof *c);
        c->incident.playbooks = mine;
        conf_free(c);
        conf_errors_free(&e);
    }
    conf *c = NULL;
    conf_errors e = {0};
    CHECK(conf_load(NULL, &c, &e) == KW_OK && c->incident.playbooks.n == n);
    for (size_t i = 0; c && i < c->incident.playbooks.n; i++)
        CHECK(CONF_AT(c->incident.playbooks, conf_playbook, i)->builtin);
    conf_free(c);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* playbook_dir: *.yaml files by name, their errors naming the file; a duplicate, a file that
 * cannot be opened, one too large, a directory; show leaves them out and reads back. */
static void test_playbook_dir(void)
{
    char dir[] = "/tmp/kw_pb_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p[512], y[1024];
    snprintf(p, sizeof p, "%s/pb", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/pb/b.yaml", dir);
    write_file(p, PB("beta"));
    snprintf(p, sizeof p, "%s/pb/a.yaml", dir);
    write_file(p, PB("alpha"));
    snprintf(p, sizeof p, "%s/pb/notes.txt", dir);
    write_file(p, "not a playbook");
    snprintf(p, sizeof p, "%s/kw.yaml", dir);
    write_file(p, "incident:\n  playbook_dir: pb\n");
    conf *c = NULL;
    conf_errors e = {0};
    CHECK(conf_load(p, &c, &e) == KW_OK);
    dump(&e);
    conf_errors_free(&e);
    CHECK(user_playbooks(c) == 2);
    if (c && user_playbooks(c) == 2) {
        const conf_playbook *a = user_first(c);
        CHECK_STR(a->name, "alpha"); /* sorted by file name */
        snprintf(y, sizeof y, "%s/pb/a.yaml", dir);
        CHECK_STR(a->source, y);
        /* config show leaves them out (playbook_dir reads them again) and reads back */
        char *s = conf_show(c);
        CHECK(strstr(s, "alpha") == NULL);
        snprintf(y, sizeof y, "%s/show.yaml", dir);
        write_file(y, s);
        free(s);
        conf *c2 = NULL;
        CHECK(conf_load(y, &c2, &e) == KW_OK && user_playbooks(c2) == 2 + incident_pb_builtin_count());
        CHECK(c2 && c2->incident.reporting.n == 3);
        dump(&e);
        conf_errors_free(&e);
        conf_free(c2);
    }
    conf_free(c);

    /* a duplicate, a dangling link, a directory, a file over 1 MiB */
    snprintf(y, sizeof y, "%s/pb/c.yaml", dir);
    write_file(y, PB("alpha"));
    snprintf(y, sizeof y, "%s/pb/d.yaml", dir);
    CHECK(symlink("/nonexistent/kw", y) == 0);
    snprintf(y, sizeof y, "%s/pb/e.yaml", dir);
    mkdir(y, 0755);
    snprintf(y, sizeof y, "%s/pb/f.yaml", dir);
    FILE *f = fopen(y, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("name: big\ndescription: \"", f);
        for (int i = 0; i < (1 << 20); i++)
            fputc('x', f);
        fputs("\"\n", f);
        fclose(f);
    }
    snprintf(y, sizeof y, "%s/pb/g.yaml", dir);
    write_file(y, "name: gamma\ntitle: G\ncategory: NA\nphases:\n  - {phase: confirm, steps: [{name: a, title: A, "
                  "owner: person:nobody}]}\n");
    CHECK(conf_load(p, &c, &e) == KW_ERR_PARSE && c == NULL);
    char want[1024];
    snprintf(want, sizeof want, "%s/pb/c.yaml:1:7: playbook \"alpha\" is defined twice: first in %s/pb/a.yaml", dir, dir);
    CHECK_ERR(&e, want);
    snprintf(want, sizeof want, "%s/pb/d.yaml:1:1: cannot open: No such file or directory", dir);
    CHECK_ERR(&e, want);
    snprintf(want, sizeof want, "%s/pb/e.yaml:1:1: not a regular file", dir);
    CHECK_ERR(&e, want);
    snprintf(want, sizeof want, "%s/pb/f.yaml:1:1: a playbook file is at most 1 MiB", dir);
    CHECK_ERR(&e, want);
    snprintf(want, sizeof want, "%s/pb/g.yaml:5:57: step \"a\": owner: person \"nobody\" is not defined under people", dir);
    CHECK_ERR(&e, want);
    CHECK_INT(e.n, 5);
    conf_errors_free(&e);

    /* a playbook of the configuration and a file of the same name */
    snprintf(p, sizeof p, "%s/kw2.yaml", dir);
    snprintf(y, sizeof y, "incident:\n  playbook_dir: %s/pb\n  playbooks:\n    - name: beta\n      title: B\n"
             "      category: NA\n      phases: [{phase: confirm, steps: [{name: a, title: A}]}]\n", dir);
    write_file(p, y);
    CHECK(conf_load(p, &c, &e) == KW_ERR_PARSE);
    snprintf(want, sizeof want, "%s/pb/b.yaml:1:7: playbook \"beta\" is defined twice: first at %s:4:7", dir, p);
    CHECK_ERR(&e, want);
    conf_errors_free(&e);

    /* a directory that is not there */
    write_file(p, "incident:\n  playbook_dir: /nonexistent/kw\n");
    CHECK(conf_load(p, &c, &e) == KW_ERR_PARSE);
    snprintf(want, sizeof want, "%s:2:17: playbook_dir: cannot open \"/nonexistent/kw\": No such file or directory", p);
    CHECK_ERR(&e, want);
    conf_errors_free(&e);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    RUN(test_data_files);
    RUN(test_derived);
    RUN(test_builtin_targets);
    RUN(test_replace_builtin);
    RUN(test_subcategory_parent);
    RUN(test_config_playbooks);
    RUN(test_section_refs);
    RUN(test_regulator_org_type);
    RUN(test_embedded);
    RUN(test_playbook_dir);
    TEST_MAIN_END();
}

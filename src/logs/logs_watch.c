/* Security-device watch: rule-hit surges, silent devices, stale signature libraries. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "logs/logs_watch.h"

#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#define MAX_DEVICES 1024      /* devices tracked (configured ones always are) */
#define MAX_HITRULES 4096     /* (device, rule) pairs tracked */
#define SURGE_CALM_S 120      /* a surge is over after this long below half its threshold */
#define BASELINE_MINUTES 30   /* the baseline's memory */

typedef struct device {
    char name[128];
    bool configured;
    log_matcher *match;
    int64_t heartbeat_ms;
    bool surge;
    uint64_t lines;
    int64_t last_seen;
    bool silent;
    int64_t silent_since;
} device;

typedef struct hitrule {
    char key[256];            /* device \x1f rule */
    device *dev;
    char rule[128];
    uint32_t sec[60];         /* hits per second over the last minute */
    int64_t sec_at[60];
    uint64_t total;
    int64_t minute;           /* the minute being counted */
    uint32_t minute_hits;
    double baseline;          /* hits per minute, learned from minutes that were not a surge */
    int learned;              /* minutes learned */
    bool active;
    int64_t started, calm_since;
    uint32_t peak;
    uint64_t during;
} hitrule;

typedef struct sig_conf { /* an owned copy: the watch outlives a reloaded configuration */
    char *name, *path, *version_pattern;
    bool freshclam;
    int64_t max_age_ms;
    int severity;
} sig_conf;

typedef struct sig {
    sig_conf cfv, *cf;
    pcre2_code *re;
    int64_t last_ok_ms;       /* freshclam: the newest successful update or check seen */
    int64_t age_ms;           /* -1: unknown */
    char version[64];
    char source[64];
    bool active;
    int64_t stale_since;
} sig;

struct log_watch {
    log_det_fn fn;
    void *arg;
    int64_t start_ms, next_sig_ms;
    double factor, min_per_min;
    int64_t learn_ms;
    device *dev;              /* configured devices first, then discovered ones */
    size_t ndev, capdev;
    kw_map dev_by_name;
    kw_map hits;              /* key -> hitrule */
    uint64_t hits_dropped;
    sig *sigs;
    size_t nsig;
    pcre2_match_data *md;
};

static device *device_add(log_watch *w, const char *name, bool configured)
{
    if (w->ndev == w->capdev) {
        /* device pointers are kept in hitrules: grow by copying into a new array is not
         * allowed; the array is sized once for all */
        return NULL;
    }
    device *d = &w->dev[w->ndev++];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->configured = configured;
    d->surge = true;
    d->last_seen = w->start_ms;
    kw_map_put(&w->dev_by_name, d->name, d);
    return d;
}

log_watch *log_watch_new(const conf *c, int64_t now_ms, log_det_fn fn, void *arg, char *err, size_t errn)
{
    log_watch *w = kw_calloc(1, sizeof *w);
    w->fn = fn;
    w->arg = arg;
    w->start_ms = now_ms;
    w->factor = c->logs.surge_factor > 1 ? c->logs.surge_factor : 5;
    w->min_per_min = c->logs.surge_min > 0 ? c->logs.surge_min : 30;
    w->learn_ms = c->logs.surge_learn_ms;
    w->capdev = c->logs.devices.n + MAX_DEVICES;
    w->dev = kw_calloc(w->capdev, sizeof *w->dev);
    kw_map_init(&w->dev_by_name);
    kw_map_init(&w->hits);
    w->md = pcre2_match_data_create(4, NULL);
    for (size_t i = 0; i < c->logs.devices.n; i++) {
        const conf_log_device *cd = CONF_AT(c->logs.devices, conf_log_device, i);
        device *d = device_add(w, cd->name, true);
        char e2[256];
        d->match = log_matcher_new(&cd->match, e2, sizeof e2);
        if (!d->match) {
            snprintf(err, errn, "device \"%s\": %s", cd->name, e2);
            log_watch_free(w);
            return NULL;
        }
        d->heartbeat_ms = cd->heartbeat_ms;
        d->surge = cd->surge;
    }
    w->nsig = c->logs.signatures.n;
    w->sigs = kw_calloc(w->nsig ? w->nsig : 1, sizeof *w->sigs);
    for (size_t i = 0; i < w->nsig; i++) {
        sig *s = &w->sigs[i];
        const conf_log_signatures *cs = CONF_AT(c->logs.signatures, conf_log_signatures, i);
        s->cf = &s->cfv;
        s->cfv = (sig_conf){kw_strdup(cs->name), cs->path ? kw_strdup(cs->path) : NULL,
                            cs->version_pattern ? kw_strdup(cs->version_pattern) : NULL, cs->freshclam,
                            cs->max_age_ms, cs->severity};
        s->age_ms = -1;
        if (s->cf->version_pattern) {
            int ec;
            PCRE2_SIZE off;
            s->re = pcre2_compile((PCRE2_SPTR)s->cf->version_pattern, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &ec,
                                  &off, NULL);
            if (!s->re) {
                snprintf(err, errn, "signatures \"%s\": bad version_pattern", s->cf->name);
                log_watch_free(w);
                return NULL;
            }
        }
    }
    return w;
}

void log_watch_free(log_watch *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->ndev; i++)
        log_matcher_free(w->dev[i].match);
    free(w->dev);
    size_t it = 0;
    const char *k;
    void *v;
    while (kw_map_next(&w->hits, &it, &k, &v))
        free(v);
    kw_map_free(&w->hits);
    kw_map_free(&w->dev_by_name);
    for (size_t i = 0; i < w->nsig; i++) {
        pcre2_code_free(w->sigs[i].re);
        free(w->sigs[i].cfv.name);
        free(w->sigs[i].cfv.path);
        free(w->sigs[i].cfv.version_pattern);
    }
    free(w->sigs);
    pcre2_match_data_free(w->md);
    free(w);
}

static void copy_val(char *out, size_t cap, const log_val *v)
{
    size_t n = v->n < cap - 1 ? v->n : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (v->p[i] == '\x1f' || v->p[i] == 0) ? '?' : v->p[i];
    out[n] = 0;
}

/* The device a line comes from: a configured one whose conditions hold, else the name the
 * line gives (observer.name, host.hostname, the syslog sender). */
static device *device_of(log_watch *w, const log_rec *r)
{
    for (size_t i = 0; i < w->ndev && w->dev[i].configured; i++)
        if (log_matcher_test(w->dev[i].match, r))
            return &w->dev[i];
    const log_field from[] = {LF_OBSERVER_NAME, LF_HOST_NAME, LF_SENDER};
    for (size_t i = 0; i < 3; i++)
        if (log_has(r, from[i]) && r->f[from[i]].n) {
            char name[128];
            copy_val(name, sizeof name, &r->f[from[i]]);
            device *d = kw_map_get(&w->dev_by_name, name);
            return d ? d : device_add(w, name, false);
        }
    return NULL;
}

/* ---- detections ---- */

static void emit(log_watch *w, log_det_phase ph, const char *rule, const char *f1, const char *v1, const char *f2,
                 const char *v2, int sev, uint64_t count, int64_t first, int64_t at, const char *summary)
{
    log_detection d = {0};
    d.phase = ph;
    d.rule = rule;
    d.action = rule;
    d.severity = sev;
    d.nby = f2 ? 2 : 1;
    d.by_field[0] = f1;
    d.by_value[0] = v1;
    d.by_field[1] = f2;
    d.by_value[1] = v2;
    d.count = count;
    d.threshold = 1;
    d.first_ms = first;
    d.fire_ms = ph == LOG_DET_FIRE ? at : first;
    d.last_ms = at;
    d.end_ms = ph == LOG_DET_END ? at : 0;
    d.summary = summary;
    w->fn(w->arg, &d);
}

static void surge_emit(log_watch *w, hitrule *h, log_det_phase ph, int64_t now, uint32_t last60)
{
    char s[512];
    snprintf(s, sizeof s, "deny rule %s on %s hit %u times in a minute (normally %.1f)", h->rule, h->dev->name,
             ph == LOG_DET_END ? h->peak : last60, h->baseline);
    emit(w, ph, "rule_hit_surge", "observer.name", h->dev->name, "rule.name", h->rule, KW_SEV_HIGH, h->during,
         h->started, now, s);
}

/* ---- lines ---- */

static void minute_roll(hitrule *h, int64_t minute)
{
    /* each minute that passed (silent ones too) teaches the baseline, unless it was a surge */
    int64_t steps = minute - h->minute;
    if (steps > BASELINE_MINUTES * 2)
        steps = BASELINE_MINUTES * 2;
    for (int64_t i = 0; i < steps; i++) {
        double x = i == 0 ? h->minute_hits : 0;
        if (!h->active) {
            int n = h->learned < BASELINE_MINUTES ? h->learned + 1 : BASELINE_MINUTES;
            h->baseline += (x - h->baseline) / n;
            h->learned++;
        }
    }
    h->minute = minute;
    h->minute_hits = 0;
}

static uint32_t last_minute(const hitrule *h, int64_t now)
{
    uint32_t sum = 0;
    int64_t sec = now / 1000;
    for (int i = 0; i < 60; i++)
        if (h->sec_at[i] > sec - 60)
            sum += h->sec[i];
    return sum;
}

/* Starts a surge when the last minute's hits reach the threshold; ends one after SURGE_CALM_S below half. */
static void surge_judge(log_watch *w, hitrule *h, int64_t now)
{
    uint32_t n = last_minute(h, now);
    double threshold = fmax(w->min_per_min, w->factor * h->baseline);
    if (!h->active) {
        if (now - w->start_ms >= w->learn_ms && n >= threshold) {
            h->active = true;
            h->started = now;
            h->calm_since = 0;
            h->peak = n;
            h->during = n;
            surge_emit(w, h, LOG_DET_FIRE, now, n);
        }
        return;
    }
    if (n > h->peak)
        h->peak = n;
    if (n >= threshold / 2) {
        h->calm_since = 0;
    } else if (!h->calm_since) {
        h->calm_since = now;
    } else if (now - h->calm_since >= SURGE_CALM_S * 1000) {
        surge_emit(w, h, LOG_DET_END, now, n);
        h->active = false;
    }
}

void log_watch_line(log_watch *w, const log_rec *r, int64_t now)
{
    /* freshclam: a successful update or check is the library's age */
    if (log_eq(r, LF_EVENT_DATASET, "clamav.freshclam") &&
        (log_eq(r, LF_EVENT_ACTION, "signatures_current") || log_eq(r, LF_EVENT_ACTION, "signatures_updated")))
        for (size_t i = 0; i < w->nsig; i++)
            if (w->sigs[i].cf->freshclam && r->ts_ms > w->sigs[i].last_ok_ms) {
                w->sigs[i].last_ok_ms = r->ts_ms;
                if (log_has(r, LF_SIG_VERSION))
                    copy_val(w->sigs[i].version, sizeof w->sigs[i].version, &r->f[LF_SIG_VERSION]);
            }
    device *d = device_of(w, r);
    if (!d)
        return;
    d->lines++;
    d->last_seen = now;
    if (d->silent) {
        char s[256];
        snprintf(s, sizeof s, "%s is sending logs again", d->name);
        emit(w, LOG_DET_END, "device_silent", "observer.name", d->name, NULL, NULL, KW_SEV_HIGH, 0, d->silent_since,
             now, s);
        d->silent = false;
    }
    if (!d->surge || !log_eq(r, LF_EVENT_ACTION, "deny"))
        return;
    const log_val *rv = log_has(r, LF_RULE_NAME) ? &r->f[LF_RULE_NAME] : log_has(r, LF_RULE_ID) ? &r->f[LF_RULE_ID] : NULL;
    char rule[128];
    if (rv)
        copy_val(rule, sizeof rule, rv);
    else
        snprintf(rule, sizeof rule, "(no rule)");
    char key[256];
    snprintf(key, sizeof key, "%s\x1f%s", d->name, rule);
    hitrule *h = kw_map_get(&w->hits, key);
    if (!h) {
        if (w->hits.n >= MAX_HITRULES) {
            w->hits_dropped++;
            return;
        }
        h = kw_calloc(1, sizeof *h);
        snprintf(h->key, sizeof h->key, "%s", key);
        snprintf(h->rule, sizeof h->rule, "%s", rule);
        h->dev = d;
        h->minute = now / 60000;
        kw_map_put(&w->hits, h->key, h);
    }
    int64_t minute = now / 60000;
    if (minute != h->minute)
        minute_roll(h, minute);
    h->minute_hits++;
    h->total++;
    if (h->active)
        h->during++;
    int64_t sec = now / 1000;
    int b = (int)(sec % 60);
    if (h->sec_at[b] != sec) {
        h->sec_at[b] = sec;
        h->sec[b] = 0;
    }
    h->sec[b]++;
    /* judged on the hit itself: a surge that ends a minute must not wait for the tick, or the minute's
       roll would teach it to the baseline first */
    if (!h->active)
        surge_judge(w, h, now);
}

/* ---- signatures ---- */

/* A date in a version string: 20241120, 2024-11-20, 2024.11.20, 2024/11/20. */
static bool date_of(const char *s, int64_t *ms)
{
    int y, m, d;
    char sep1, sep2;
    if (strlen(s) == 8 && sscanf(s, "%4d%2d%2d", &y, &m, &d) == 3) {
    } else if (sscanf(s, "%4d%c%2d%c%2d", &y, &sep1, &m, &sep2, &d) == 5 && sep1 == sep2 &&
               (sep1 == '-' || sep1 == '.' || sep1 == '/')) {
    } else {
        return false;
    }
    if (y < 1990 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *ms = log_civil_ms(y, m, d, 0, 0, 0, 0);
    return true;
}

static void sig_check(log_watch *w, sig *s, int64_t now)
{
    int64_t when = -1;
    snprintf(s->source, sizeof s->source, "none found");
    if (s->cf->path) {
        glob_t g;
        const char *newest = NULL;
        int64_t mt = -1;
        if (glob(s->cf->path, GLOB_NOSORT, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++) {
                struct stat st;
                if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode)) {
                    int64_t t = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
                    if (t > mt)
                        mt = t, newest = g.gl_pathv[i];
                }
            }
        }
        if (newest) {
            when = mt;
            snprintf(s->source, sizeof s->source, "file time");
            if (s->re) { /* the version written in the file, a date if it is one */
                char buf[65536];
                int fd = open(newest, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
                if (fd >= 0)
                    close(fd);
                if (n > 0 && pcre2_match(s->re, (PCRE2_SPTR)buf, (size_t)n, 0, 0, w->md, NULL) >= 2) {
                    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(w->md);
                    size_t vn = ov[3] - ov[2];
                    if (vn >= sizeof s->version)
                        vn = sizeof s->version - 1;
                    memcpy(s->version, buf + ov[2], vn);
                    s->version[vn] = 0;
                    int64_t dm;
                    if (date_of(s->version, &dm)) {
                        when = dm;
                        snprintf(s->source, sizeof s->source, "version date");
                    }
                }
            }
        }
        globfree(&g);
    }
    if (s->cf->freshclam && s->last_ok_ms > 0 && s->last_ok_ms > when) {
        when = s->last_ok_ms;
        snprintf(s->source, sizeof s->source, "freshclam");
    }
    s->age_ms = when >= 0 ? now - when : -1;
    /* unknown counts as stale only once the library has had max_age to show itself */
    bool stale = when >= 0 ? s->age_ms > s->cf->max_age_ms : now - w->start_ms > s->cf->max_age_ms || s->cf->path;
    char summary[512], age[32];
    if (when >= 0)
        kw_duration_format(s->age_ms, age, sizeof age);
    if (stale && !s->active) {
        s->active = true;
        s->stale_since = now;
        if (when >= 0)
            snprintf(summary, sizeof summary, "rule library %s is %s old (%s%s%s)", s->cf->name, age, s->source,
                     s->version[0] ? ", version " : "", s->version);
        else
            snprintf(summary, sizeof summary, "rule library %s: no library or update found", s->cf->name);
        emit(w, LOG_DET_FIRE, "signatures_stale", "keepwatch.signatures.name", s->cf->name, NULL, NULL,
             s->cf->severity, 1, now, now, summary);
    } else if (!stale && s->active) {
        s->active = false;
        snprintf(summary, sizeof summary, "rule library %s is current again (%s old)", s->cf->name, age);
        emit(w, LOG_DET_END, "signatures_stale", "keepwatch.signatures.name", s->cf->name, NULL, NULL,
             s->cf->severity, 1, s->stale_since, now, summary);
    }
}

/* ---- the clock ---- */

void log_watch_tick(log_watch *w, int64_t now)
{
    for (size_t i = 0; i < w->ndev; i++) {
        device *d = &w->dev[i];
        if (d->heartbeat_ms <= 0 || d->silent || now - d->last_seen < d->heartbeat_ms)
            continue;
        d->silent = true;
        d->silent_since = d->last_seen;
        char s[256], dur[32];
        kw_duration_format(now - d->last_seen, dur, sizeof dur);
        snprintf(s, sizeof s, "%s has sent no logs for %s", d->name, dur);
        emit(w, LOG_DET_FIRE, "device_silent", "observer.name", d->name, NULL, NULL, KW_SEV_HIGH, 0, d->last_seen, now,
             s);
    }
    size_t it = 0;
    const char *k;
    void *v;
    while (kw_map_next(&w->hits, &it, &k, &v)) {
        hitrule *h = v;
        int64_t minute = now / 60000;
        if (minute != h->minute)
            minute_roll(h, minute);
        surge_judge(w, h, now);
    }
    if (now >= w->next_sig_ms) {
        w->next_sig_ms = now + 60000;
        for (size_t i = 0; i < w->nsig; i++)
            sig_check(w, &w->sigs[i], now);
    }
}

/* ---- reading ---- */

void log_watch_json(const log_watch *w, kw_json *j)
{
    kw_json_key(j, "devices");
    kw_json_arr_begin(j);
    for (size_t i = 0; i < w->ndev; i++) {
        const device *d = &w->dev[i];
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "name", d->name);
        kw_json_kv_bool(j, "configured", d->configured);
        kw_json_kv_int(j, "lines", (int64_t)d->lines);
        if (d->lines)
            kw_json_kv_time(j, "last_seen", d->last_seen);
        if (d->heartbeat_ms)
            kw_json_kv_int(j, "heartbeat_ms", d->heartbeat_ms);
        kw_json_kv_bool(j, "silent", d->silent);
        kw_json_key(j, "rules");
        kw_json_arr_begin(j);
        size_t it = 0;
        const char *k;
        void *v;
        while (kw_map_next(&w->hits, &it, &k, &v)) {
            const hitrule *h = v;
            if (h->dev != d)
                continue;
            kw_json_obj_begin(j);
            kw_json_kv_str(j, "rule", h->rule);
            kw_json_kv_int(j, "hits", (int64_t)h->total);
            kw_json_kv_num(j, "baseline_per_minute", round(h->baseline * 100) / 100);
            kw_json_kv_bool(j, "surge", h->active);
            kw_json_obj_end(j);
        }
        kw_json_arr_end(j);
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
    kw_json_kv_int(j, "device_rules_dropped", (int64_t)w->hits_dropped);
    kw_json_key(j, "signatures");
    kw_json_arr_begin(j);
    for (size_t i = 0; i < w->nsig; i++) {
        const sig *s = &w->sigs[i];
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "name", s->cf->name);
        if (s->age_ms >= 0)
            kw_json_kv_int(j, "age_s", s->age_ms / 1000);
        kw_json_kv_int(j, "max_age_s", s->cf->max_age_ms / 1000);
        if (s->version[0])
            kw_json_kv_str(j, "version", s->version);
        kw_json_kv_str(j, "source", s->source);
        kw_json_kv_bool(j, "stale", s->active);
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
}

void log_watch_each(const log_watch *w, void (*fn)(void *, const log_watch_count *), void *arg)
{
    for (size_t i = 0; i < w->ndev; i++) {
        log_watch_count c = {w->dev[i].name, NULL, w->dev[i].lines, 0};
        fn(arg, &c);
    }
    size_t it = 0;
    const char *k;
    void *v;
    while (kw_map_next(&w->hits, &it, &k, &v)) {
        const hitrule *h = v;
        log_watch_count c = {h->dev->name, h->rule, h->total, h->baseline};
        fn(arg, &c);
    }
}

/* The parsed record: field names, setters, scratch space and the ECS document. */
#include "logs/logs.h"

#include <stdlib.h>
#include <string.h>

#include "core/kw_json.h"
#include "core/kw_mem.h"

static const char *const field_names[LF_COUNT] = {
    [LF_MESSAGE] = "message",
    [LF_HOST_NAME] = "host.hostname",
    [LF_PROCESS_NAME] = "process.name",
    [LF_PROCESS_PID] = "process.pid",
    [LF_LOG_LEVEL] = "log.level",
    [LF_EVENT_DATASET] = "event.dataset",
    [LF_EVENT_ACTION] = "event.action",
    [LF_EVENT_OUTCOME] = "event.outcome",
    [LF_EVENT_CATEGORY] = "event.category",
    [LF_EVENT_SEVERITY] = "event.severity",
    [LF_EVENT_CODE] = "event.code",
    [LF_EVENT_REASON] = "event.reason",
    [LF_SOURCE_IP] = "source.ip",
    [LF_SOURCE_PORT] = "source.port",
    [LF_SOURCE_NAT_IP] = "source.nat.ip",
    [LF_DEST_IP] = "destination.ip",
    [LF_DEST_PORT] = "destination.port",
    [LF_NETWORK_TRANSPORT] = "network.transport",
    [LF_NETWORK_PROTOCOL] = "network.protocol",
    [LF_NETWORK_BYTES] = "network.bytes",
    [LF_NETWORK_PACKETS] = "network.packets",
    [LF_USER_NAME] = "user.name",
    [LF_USER_TARGET] = "user.target.name",
    [LF_PROCESS_COMMAND] = "process.command_line",
    [LF_RULE_ID] = "rule.id",
    [LF_RULE_NAME] = "rule.name",
    [LF_RULE_CATEGORY] = "rule.category",
    [LF_OBSERVER_VENDOR] = "observer.vendor",
    [LF_OBSERVER_PRODUCT] = "observer.product",
    [LF_OBSERVER_NAME] = "observer.name",
    [LF_OBSERVER_SERIAL] = "observer.serial_number",
    [LF_OBSERVER_INGRESS] = "observer.ingress.interface.name",
    [LF_OBSERVER_EGRESS] = "observer.egress.interface.name",
    [LF_URL_ORIGINAL] = "url.original",
    [LF_URL_DECODED] = "keepwatch.url.decoded",
    [LF_HTTP_METHOD] = "http.request.method",
    [LF_HTTP_STATUS] = "http.response.status_code",
    [LF_HTTP_BYTES] = "http.response.body.bytes",
    [LF_HTTP_REFERRER] = "http.request.referrer",
    [LF_USER_AGENT] = "user_agent.original",
    [LF_FILE_PATH] = "file.path",
    [LF_DB_NAME] = "keepwatch.database.name",
    [LF_SIG_VERSION] = "keepwatch.signatures.version",
    [LF_SIG_NAME] = "keepwatch.signatures.name",
    [LF_INPUT] = "keepwatch.input",
    [LF_SOURCE_DOMAIN] = "source.domain",
    [LF_SENDER] = "log.source.address",
};

const char *log_field_name(log_field f) { return (unsigned)f < LF_COUNT ? field_names[f] : "?"; }

int log_field_lookup(const char *name)
{
    for (int i = 0; i < LF_COUNT; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}

bool log_field_numeric(log_field f)
{
    switch (f) {
    case LF_PROCESS_PID:
    case LF_EVENT_SEVERITY:
    case LF_SOURCE_PORT:
    case LF_DEST_PORT:
    case LF_NETWORK_BYTES:
    case LF_NETWORK_PACKETS:
    case LF_HTTP_STATUS:
    case LF_HTTP_BYTES:
        return true;
    default:
        return false;
    }
}

void log_rec_init(log_rec *r) { memset(r, 0, sizeof *r); }

void log_rec_free(log_rec *r)
{
    free(r->scratch);
    memset(r, 0, sizeof *r);
}


bool log_value_ok(log_field f, const char *p, size_t n)
{
    if ((LOG_ADDR_FIELDS >> f) & 1)
        return log_is_ip(p, n);
    if ((LOG_PORT_FIELDS >> f) & 1) {
        if (!n || n > 5)
            return false;
        uint32_t v = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i] < '0' || p[i] > '9')
                return false;
            v = v * 10 + (uint32_t)(p[i] - '0');
        }
        return v <= 65535;
    }
    return true;
}

void log_set_copy(log_rec *r, log_field f, const char *p, size_t n)
{
    char *d = log_scratch(r, n);
    if (!d) {
        log_set(r, f, p, n); /* out of scratch: point at the source, which is still valid */
        return;
    }
    if (n)
        memcpy(d, p, n);
    log_set(r, f, d, n);
}

bool log_eq(const log_rec *r, log_field f, const char *s)
{
    if (!log_has(r, f))
        return false;
    size_t n = strlen(s);
    return r->f[f].n == n && memcmp(r->f[f].p, s, n) == 0;
}

void log_extra(log_rec *r, const char *k, size_t kn, const char *v, size_t vn)
{
    if (r->nextra >= LOG_MAX_EXTRA || !kn)
        return;
    r->extra[r->nextra].k = (log_val){k, (uint32_t)(kn > 256 ? 256 : kn)};
    r->extra[r->nextra].v = (log_val){v, (uint32_t)(vn > UINT32_MAX ? UINT32_MAX : vn)};
    r->nextra++;
}

/* ---- the ECS document ---- */

/* Fields in the order their dotted names sort, so each JSON object's members are contiguous. */
static int sorted[LF_COUNT];
static int nsorted;

static int cmp_field(const void *a, const void *b)
{
    return strcmp(field_names[*(const int *)a], field_names[*(const int *)b]);
}

static void sort_fields(void)
{
    static _Atomic int done;
    if (done)
        return;
    int tmp[LF_COUNT];
    for (int i = 0; i < LF_COUNT; i++)
        tmp[i] = i;
    qsort(tmp, LF_COUNT, sizeof tmp[0], cmp_field);
    memcpy(sorted, tmp, sizeof tmp); /* the same bytes whichever thread gets here first */
    nsorted = LF_COUNT;
    done = 1;
}

/* A JSON number: digits without a leading zero (0706 stays a string). */
static bool all_digits(const char *p, size_t n)
{
    if (!n || n > 18 || (p[0] == '0' && n > 1))
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* One path component of name starting at *pos; advances past the dot. */
static size_t comp_len(const char *s) { return strcspn(s, "."); }

void log_rec_ecs(const log_rec *r, kw_buf *out)
{
    sort_fields();
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "@timestamp", r->ts_ms);
    /* open[] holds the names of the objects open below the top level */
    const char *open[8];
    size_t openlen[8];
    int depth = 0;
    bool wrote_kind = false;
    for (int i = 0; i < nsorted; i++) {
        int f = sorted[i];
        const char *name = field_names[f];
        bool want = log_has(r, f) || (!wrote_kind && strncmp(name, "event.", 6) == 0);
        if (f == LF_URL_DECODED && log_has(r, f) && log_has(r, LF_URL_ORIGINAL) &&
            r->f[f].p == r->f[LF_URL_ORIGINAL].p)
            continue; /* nothing was decoded */
        if (!want)
            continue;
        /* split name into components */
        const char *comp[8];
        size_t clen[8];
        int nc = 0;
        for (const char *s = name; nc < 8;) {
            comp[nc] = s;
            clen[nc] = comp_len(s);
            nc++;
            if (!s[clen[nc - 1]])
                break;
            s += clen[nc - 1] + 1;
        }
        int common = 0;
        while (common < depth && common < nc - 1 && openlen[common] == clen[common] &&
               memcmp(open[common], comp[common], clen[common]) == 0)
            common++;
        while (depth > common) {
            kw_json_obj_end(&j);
            depth--;
        }
        while (depth < nc - 1) {
            kw_json_keyn(&j, comp[depth], clen[depth]);
            kw_json_obj_begin(&j);
            open[depth] = comp[depth];
            openlen[depth] = clen[depth];
            depth++;
        }
        if (!wrote_kind && depth == 1 && openlen[0] == 5 && memcmp(open[0], "event", 5) == 0) {
            kw_json_kv_str(&j, "kind", "event");
            wrote_kind = true;
        }
        if (!log_has(r, f))
            continue;
        kw_json_keyn(&j, comp[nc - 1], clen[nc - 1]);
        const log_val *v = &r->f[f];
        if (f == LF_EVENT_CATEGORY) {
            kw_json_arr_begin(&j);
            kw_json_strn(&j, v->p, v->n);
            kw_json_arr_end(&j);
        } else if (log_field_numeric(f) && all_digits(v->p, v->n)) {
            kw_json_raw_n(&j, v->p, v->n);
        } else {
            kw_json_strn(&j, v->p, v->n);
        }
    }
    while (depth > 0) {
        kw_json_obj_end(&j);
        depth--;
    }
    if (r->nextra && r->extra_ns) {
        kw_json_key(&j, r->extra_ns);
        kw_json_obj_begin(&j);
        for (uint32_t i = 0; i < r->nextra; i++) {
            bool dup = false; /* a repeated key keeps its first value: JSON objects need unique keys */
            for (uint32_t k = 0; k < i && !dup; k++)
                dup = r->extra[k].k.n == r->extra[i].k.n && memcmp(r->extra[k].k.p, r->extra[i].k.p, r->extra[i].k.n) == 0;
            if (dup)
                continue;
            /* keys come from the line: control bytes (NUL above all) become '_', as JSON
             * consumers refuse them in keys */
            char key[257];
            size_t kn = r->extra[i].k.n;
            for (size_t k = 0; k < kn; k++) {
                char ch = r->extra[i].k.p[k];
                key[k] = ((unsigned char)ch < 0x20 || ch == 0x7f) ? '_' : ch;
            }
            kw_json_keyn(&j, key, kn);
            kw_json_strn(&j, r->extra[i].v.p, r->extra[i].v.n);
        }
        kw_json_obj_end(&j);
    }
    kw_json_obj_end(&j);
}

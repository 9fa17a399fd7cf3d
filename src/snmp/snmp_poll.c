/* snmp_poll.c: the poller: one net-snmp session per device (v2c community or v3 USM,
 * opened when first polled), GETBULK walks of every column the device's profiles name (the
 * scalars as non-repeaters, the table columns side by side, max-repetitions halved on
 * tooBig), all devices' requests in flight at once and answered from one select() loop; the
 * v2c trap listener's session in the same loop. What a walk returned becomes samples through
 * the profiles (snmp_profile.c); net-snmp does BER and the protocol, keepwatch none. */
#include "snmp/snmp_poll.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KW_HAVE_SNMP

snmp_poller *snmp_poller_new(const conf *c, kw_map *carry, snmp_poll_done_fn done, snmp_trap_fn trap, void *arg,
                             char *err, size_t errn)
{
    snprintf(err, errn, "keepwatch was built without net-snmp (libsnmp-dev)");
    return NULL;
}
void snmp_poller_free(snmp_poller *p, kw_map *carry) {}
void snmp_poller_run(snmp_poller *p, int64_t until_ms) {}
void snmp_poller_due_all(snmp_poller *p) {}
size_t snmp_poller_busy(const snmp_poller *p) { return 0; }
uint64_t snmp_poller_traps_dropped(const snmp_poller *p) { return 0; }

#endif

void snmp_carry_free(kw_map *carry)
{
    const char *k;
    void *v;
    for (size_t i = 0; kw_map_next(carry, &i, &k, &v);) {
        snmp_dev_state_free(v);
        free(v);
    }
    kw_map_free(carry);
}

#ifdef KW_HAVE_SNMP

#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <sys/select.h>

#include "snmp/snmp_net.h"

#define SNMP_REQ_COLS 16 /* columns walked side by side in one request */

typedef struct snmp_col {
    const snmp_column *col;
    bool scalar;          /* of a table without index (sysUpTime): a non-repeater */
    oid base[MAX_OID_LEN];
    size_t base_len;
    oid last[MAX_OID_LEN];
    size_t last_len;
    bool done;
} snmp_col;

typedef struct snmp_dev {
    struct snmp_poller *poller;
    const conf_snmp_device *conf;
    void *sess;                     /* net-snmp's, NULL until the first poll */
    const snmp_profile *prof[16];
    size_t nprof;
    snmp_col *cols;                 /* every profile's columns, in order */
    snmp_colres *res;
    size_t ncols;
    long maxrep;
    snmp_dev_state *st;             /* owned (or handed to the next poller) */
    bool busy;
    int64_t next_ms, started_ms;
    size_t req_cols[SNMP_REQ_COLS]; /* the columns of the request in flight */
    size_t req_n, req_nonrep;
} snmp_dev;

struct snmp_poller {
    const conf *conf;
    snmp_dev *devs;
    size_t ndevs;
    void *trap_sess;
    snmp_poll_done_fn done;
    snmp_trap_fn trap;
    void *arg;
    uint64_t traps_dropped;
};

/* ---- net-snmp, once per process ---- */

static pthread_once_t snmp_once = PTHREAD_ONCE_INIT;

static void snmp_lib_init(void)
{
    /* no snmp.conf, no persistent files, no MIB parsing: keepwatch names every OID itself */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
    netsnmp_set_mib_directory("/nonexistent");
    snmp_disable_log(); /* keepwatch says what failed itself */
    netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_EMERG);
    init_snmp("keepwatch");
}

void snmp_net_init(void) { pthread_once(&snmp_once, snmp_lib_init); }

/* ---- values ---- */

/* o[0..n) dotted into out[outn]; false (out holds the whole components that fit) when cut. */
static bool snmp_oid_str(const oid *o, size_t n, char *out, size_t outn)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + at, outn - at, "%s%lu", i ? "." : "", (unsigned long)o[i]);
        if (w < 0 || (size_t)w >= outn - at) {
            out[at] = '\0';
            return false;
        }
        at += (size_t)w;
    }
    return true;
}

bool snmp_net_value(const netsnmp_variable_list *vb, snmp_val *v)
{
    v->num = NAN;
    v->raw = 0;
    v->bits = 0;
    v->is_ticks = false;
    v->str[0] = '\0';
    switch (vb->type) {
    case ASN_INTEGER:
        if (vb->val_len < sizeof(long) || !vb->val.integer)
            return false;
        v->num = (double)*vb->val.integer;
        return true;
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
    case ASN_UINTEGER:
        if (vb->val_len < sizeof(long) || !vb->val.integer)
            return false;
        v->raw = (uint32_t)*vb->val.integer;
        v->num = (double)v->raw;
        v->bits = vb->type == ASN_COUNTER ? 32 : 0;
        v->is_ticks = vb->type == ASN_TIMETICKS;
        return true;
    case ASN_COUNTER64:
        if (vb->val_len < sizeof(struct counter64) || !vb->val.counter64)
            return false;
        v->raw = (uint64_t)(uint32_t)vb->val.counter64->high << 32 | (uint32_t)vb->val.counter64->low;
        v->num = (double)v->raw;
        v->bits = 64;
        return true;
    case ASN_OCTET_STR:
        snmp_trap_value_str(vb->val.string, vb->val.string ? vb->val_len : 0, v->str, sizeof v->str);
        return true;
    case ASN_IPADDRESS:
        if (vb->val_len != 4 || !vb->val.string)
            return false;
        inet_ntop(AF_INET, vb->val.string, v->str, sizeof v->str);
        return true;
    case ASN_OBJECT_ID:
        if (!vb->val.objid)
            return false;
        snmp_oid_str(vb->val.objid, vb->val_len / sizeof(oid), v->str, sizeof v->str);
        return true;
    default:
        return false; /* NULL, noSuchObject, noSuchInstance, endOfMibView, opaque */
    }
}

static const char *snmp_type_name(unsigned char t)
{
    switch (t) {
    case ASN_INTEGER: return "integer";
    case ASN_COUNTER: return "counter32";
    case ASN_GAUGE: return "gauge32";
    case ASN_TIMETICKS: return "timeticks";
    case ASN_UINTEGER: return "unsigned32";
    case ASN_COUNTER64: return "counter64";
    case ASN_OCTET_STR: return "string";
    case ASN_IPADDRESS: return "ipaddress";
    case ASN_OBJECT_ID: return "oid";
    case ASN_NULL: return "null";
    default: return "other";
    }
}

/* ---- traps ---- */

static const oid oid_sysuptime0[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const oid oid_trapoid0[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

static void snmp_trap_vb(snmp_trap *t, const netsnmp_variable_list *vb)
{
    snmp_val v;
    bool ok = snmp_net_value(vb, &v);
    if (snmp_oid_compare(vb->name, vb->name_length, oid_sysuptime0, 9) == 0) {
        t->uptime_ticks = ok ? v.raw : 0;
        return;
    }
    if (snmp_oid_compare(vb->name, vb->name_length, oid_trapoid0, 11) == 0) {
        if (ok && vb->type == ASN_OBJECT_ID)
            kw_strlcpy(t->trap_oid, v.str, sizeof t->trap_oid);
        return;
    }
    if (t->nvb >= SNMP_TRAP_MAX_VARBINDS) {
        t->dropped_vb++;
        return;
    }
    snmp_trap_varbind *b = &t->vb[t->nvb++];
    snmp_oid_str(vb->name, vb->name_length, b->oid, sizeof b->oid);
    kw_strlcpy(b->type, snmp_type_name(vb->type), sizeof b->type);
    if (!ok)
        b->value[0] = '\0';
    else if (isfinite(v.num))
        snprintf(b->value, sizeof b->value, "%.17g", v.num);
    else
        kw_strlcpy(b->value, v.str, sizeof b->value);
}

void snmp_net_trap(const netsnmp_pdu *pdu, snmp_trap *t)
{
    for (const netsnmp_variable_list *vb = pdu->variables; vb; vb = vb->next_variable)
        snmp_trap_vb(t, vb);
}

/* The sender of a received PDU into t (from the UDP transport's address pair). */
static void snmp_trap_sender(const netsnmp_pdu *pdu, snmp_trap *t)
{
    const netsnmp_indexed_addr_pair *ap = pdu->transport_data;
    if (!ap || pdu->transport_data_length < (int)sizeof(struct sockaddr_in))
        return;
    if (ap->remote_addr.sa.sa_family == AF_INET) {
        inet_ntop(AF_INET, &ap->remote_addr.sin.sin_addr, t->sender, sizeof t->sender);
        t->port = ntohs(ap->remote_addr.sin.sin_port);
    } else if (ap->remote_addr.sa.sa_family == AF_INET6 &&
               pdu->transport_data_length >= (int)sizeof(struct sockaddr_in6)) {
        inet_ntop(AF_INET6, &ap->remote_addr.sin6.sin6_addr, t->sender, sizeof t->sender);
        t->port = ntohs(ap->remote_addr.sin6.sin6_port);
    }
}

static bool snmp_trap_community_ok(const snmp_poller *p, const netsnmp_pdu *pdu)
{
    const char *want = p->conf->snmp.traps.community;
    if (!want || !*want)
        return true;
    size_t n = strlen(want);
    return pdu->community && pdu->community_len == n && memcmp(pdu->community, want, n) == 0;
}

/* The device of snmp.devices the sender is (by its address), or NULL. */
static const conf_snmp_device *snmp_sender_device(const snmp_poller *p, const char *ip)
{
    for (size_t i = 0; i < p->ndevs; i++) {
        char host[256];
        bool v6;
        uint16_t port;
        if (snmp_addr_split(p->devs[i].conf->address, host, sizeof host, &v6, &port) && strcmp(host, ip) == 0)
            return p->devs[i].conf;
    }
    return NULL;
}

/* An inform is acknowledged with a response carrying the same varbinds. */
static void snmp_inform_ack(netsnmp_session *s, const netsnmp_pdu *pdu)
{
    netsnmp_pdu *r = snmp_clone_pdu((netsnmp_pdu *)pdu);
    if (!r)
        return;
    r->command = SNMP_MSG_RESPONSE;
    r->errstat = 0;
    r->errindex = 0;
    if (!snmp_send(s, r))
        snmp_free_pdu(r);
}

static int snmp_trap_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
    snmp_poller *p = magic;
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)
        return 1;
    bool v2 = pdu->version == SNMP_VERSION_2c &&
              (pdu->command == SNMP_MSG_TRAP2 || pdu->command == SNMP_MSG_INFORM);
    if (!v2 || !snmp_trap_community_ok(p, pdu)) {
        p->traps_dropped++;
        return 1;
    }
    snmp_trap *t = kw_calloc(1, sizeof *t);
    t->ts_ms = kw_now_ms();
    snmp_trap_sender(pdu, t);
    const conf_snmp_device *dev = snmp_sender_device(p, t->sender);
    if (dev) {
        kw_strlcpy(t->device, dev->name, sizeof t->device);
        t->labels = &dev->labels;
    }
    snmp_net_trap(pdu, t);
    if (pdu->command == SNMP_MSG_INFORM)
        snmp_inform_ack(s, pdu);
    p->trap(p->arg, t);
    free(t);
    return 1;
}

static bool snmp_trap_open(snmp_poller *p, const char *listen, char *err, size_t errn)
{
    char spec[128];
    snprintf(spec, sizeof spec, "udp%s:%s", listen[0] == '[' ? "6" : "", listen);
    netsnmp_transport *tr = netsnmp_transport_open_server("snmptrap", spec);
    if (!tr) {
        snprintf(err, errn, "snmp.traps.listen %s: cannot bind", listen);
        return false;
    }
    netsnmp_session s;
    snmp_sess_init(&s);
    s.peername = SNMP_DEFAULT_PEERNAME;
    s.version = SNMP_DEFAULT_VERSION;
    s.community_len = SNMP_DEFAULT_COMMUNITY_LEN;
    s.retries = SNMP_DEFAULT_RETRIES;
    s.timeout = SNMP_DEFAULT_TIMEOUT;
    s.callback = snmp_trap_cb;
    s.callback_magic = p;
    s.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
    p->trap_sess = snmp_sess_add(&s, tr, NULL, NULL);
    if (!p->trap_sess) {
        snprintf(err, errn, "snmp.traps.listen %s: net-snmp refused the session", listen);
        return false;
    }
    return true;
}

/* ---- sessions ---- */

static void snmp_sess_v3(netsnmp_session *s, const conf_snmp_device *d)
{
    s->version = SNMP_VERSION_3;
    /* no blocking engine ID discovery at the open: the first request learns it (RFC 3414 4) */
    s->flags |= SNMP_FLAGS_DONT_PROBE;
    s->securityName = d->user;
    s->securityNameLen = strlen(d->user);
    s->securityLevel = d->security_level == SNMP_CONF_AUTHPRIV     ? SNMP_SEC_LEVEL_AUTHPRIV
                       : d->security_level == SNMP_CONF_AUTHNOPRIV ? SNMP_SEC_LEVEL_AUTHNOPRIV
                                                                   : SNMP_SEC_LEVEL_NOAUTH;
    if (d->security_level < SNMP_CONF_AUTHNOPRIV)
        return;
    s->securityAuthProto = d->auth_protocol == SNMP_CONF_SHA256 ? usmHMAC192SHA256AuthProtocol : usmHMACSHA1AuthProtocol;
    s->securityAuthProtoLen = 10;
    s->securityAuthKeyLen = USM_AUTH_KU_LEN;
    if (generate_Ku(s->securityAuthProto, (u_int)s->securityAuthProtoLen, (const u_char *)d->auth_pass,
                    strlen(d->auth_pass), s->securityAuthKey, &s->securityAuthKeyLen) != SNMPERR_SUCCESS)
        log_warn("snmp %s: cannot derive the auth key", d->name);
    if (d->security_level < SNMP_CONF_AUTHPRIV)
        return;
    s->securityPrivProto = usmAESPrivProtocol;
    s->securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
    s->securityPrivKeyLen = USM_PRIV_KU_LEN;
    if (generate_Ku(s->securityAuthProto, (u_int)s->securityAuthProtoLen, (const u_char *)d->priv_pass,
                    strlen(d->priv_pass), s->securityPrivKey, &s->securityPrivKeyLen) != SNMPERR_SUCCESS)
        log_warn("snmp %s: cannot derive the privacy key", d->name);
}

static int snmp_walk_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic);

/* Opens the device's session (for v3 this discovers the engine ID: a blocking exchange of
 * at most timeout x (retries + 1)). */
static bool snmp_dev_open(snmp_dev *d, char *err, size_t errn)
{
    const conf_snmp_device *c = d->conf;
    char host[256], peer[300];
    bool v6;
    uint16_t port;
    if (!snmp_addr_split(c->address, host, sizeof host, &v6, &port)) {
        snprintf(err, errn, "bad address %s", c->address);
        return false;
    }
    snprintf(peer, sizeof peer, v6 ? "udp6:[%s]:%u" : "udp:%s:%u", host, port);
    netsnmp_session s;
    snmp_sess_init(&s);
    s.peername = peer;
    s.timeout = (long)c->timeout_ms * 1000;
    s.retries = (int)c->retries;
    s.callback = snmp_walk_cb;
    s.callback_magic = d;
    if (c->version == SNMP_CONF_V3) {
        snmp_sess_v3(&s, c);
    } else {
        s.version = SNMP_VERSION_2c;
        s.community = (u_char *)c->community;
        s.community_len = strlen(c->community);
    }
    d->sess = snmp_sess_open(&s);
    if (!d->sess) {
        snprintf(err, errn, "%s", snmp_api_errstring(s.s_snmp_errno ? s.s_snmp_errno : snmp_errno));
        return false;
    }
    return true;
}

/* Closes the session; net-snmp keeps a v3 user's keys per engine in the process, and keeps
 * them after the session: they go with it, so that a reload with new passphrases uses them. */
static void snmp_dev_close(snmp_dev *d)
{
    netsnmp_session *ss = snmp_sess_session(d->sess);
    if (ss && ss->version == SNMP_VERSION_3 && ss->securityEngineIDLen && ss->securityName) {
        struct usmUser *u = usm_get_user(ss->securityEngineID, ss->securityEngineIDLen, ss->securityName);
        if (u) {
            usm_remove_user(u);
            usm_free_user(u);
        }
    }
    snmp_sess_close(d->sess);
    d->sess = NULL;
}

/* ---- walks ---- */

static void snmp_dev_finish(snmp_dev *d, bool answered, const char *error);

/* Sends the next GETBULK: the scalars not yet read as non-repeaters, then up to
 * SNMP_REQ_COLS table columns not done, each from where it stopped. */
static bool snmp_walk_send(snmp_dev *d)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
    d->req_n = d->req_nonrep = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < d->ncols && d->req_n < SNMP_REQ_COLS; i++) {
            snmp_col *c = &d->cols[i];
            if (c->done || c->scalar != (pass == 0))
                continue;
            snmp_add_null_var(pdu, c->last, c->last_len);
            d->req_cols[d->req_n++] = i;
            if (pass == 0)
                d->req_nonrep++;
        }
    if (!d->req_n) {
        snmp_free_pdu(pdu);
        return false;
    }
    pdu->non_repeaters = (long)d->req_nonrep;
    pdu->max_repetitions = d->maxrep;
    if (!snmp_sess_async_send(d->sess, pdu, snmp_walk_cb, d)) {
        snmp_free_pdu(pdu);
        snmp_dev_finish(d, false, snmp_api_errstring(snmp_sess_session(d->sess)->s_snmp_errno));
        return true;
    }
    return true;
}

/* One varbind of the answer for column c: a row, or the end of the column. */
static void snmp_walk_take(snmp_dev *d, snmp_col *c, size_t ci, const netsnmp_variable_list *vb)
{
    if (c->done)
        return;
    bool inside = vb->name_length > c->base_len &&
                  snmp_oid_compare(vb->name, c->base_len, c->base, c->base_len) == 0 && vb->type != SNMP_ENDOFMIBVIEW &&
                  vb->type != SNMP_NOSUCHOBJECT && vb->type != SNMP_NOSUCHINSTANCE;
    /* a device that does not go forwards would be walked for ever */
    if (!inside || snmp_oid_compare(vb->name, vb->name_length, c->last, c->last_len) <= 0 ||
        vb->name_length > MAX_OID_LEN) {
        c->done = true;
        return;
    }
    memcpy(c->last, vb->name, vb->name_length * sizeof(oid));
    c->last_len = vb->name_length;
    snmp_val v; /* a row whose index does not fit is skipped */
    if (snmp_oid_str(vb->name + c->base_len, vb->name_length - c->base_len, v.index, sizeof v.index) &&
        snmp_net_value(vb, &v) && !snmp_colres_add(&d->res[ci], &v))
        c->done = true;
    if (c->scalar)
        c->done = true;
}

static void snmp_walk_answer(snmp_dev *d, const netsnmp_pdu *pdu)
{
    size_t k = 0, nrep = d->req_n - d->req_nonrep;
    bool got[SNMP_REQ_COLS] = {0};
    for (const netsnmp_variable_list *vb = pdu->variables; vb; vb = vb->next_variable, k++) {
        size_t j = k < d->req_nonrep ? k : nrep ? d->req_nonrep + (k - d->req_nonrep) % nrep : SIZE_MAX;
        if (j >= d->req_n)
            break;
        got[j] = true;
        snmp_walk_take(d, &d->cols[d->req_cols[j]], d->req_cols[j], vb);
    }
    for (size_t j = 0; j < d->req_n; j++) /* nothing back for a column (or a scalar): it is over */
        if (!got[j] || d->cols[d->req_cols[j]].scalar)
            d->cols[d->req_cols[j]].done = true;
}

static const char *snmp_answer_error(const netsnmp_pdu *pdu, char *buf, size_t n)
{
    if (pdu->command == SNMP_MSG_REPORT)
        return snmp_api_errstring(snmpv3_get_report_type((netsnmp_pdu *)pdu));
    if (pdu->errstat != SNMP_ERR_NOERROR) {
        snprintf(buf, n, "the device answered %s", snmp_errstring((int)pdu->errstat));
        return buf;
    }
    return NULL;
}

/* Why a request failed without an answer (a security error: the report the agent sent). */
static const char *snmp_callback_error(int op, netsnmp_session *s, netsnmp_pdu *pdu)
{
    if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
        int why = pdu ? snmpv3_get_report_type(pdu) : 0;
        if (why == SNMPERR_AUTHENTICATION_FAILURE || why == 0)
            return "SNMPv3 authentication failure (wrong auth_pass or priv_pass?)";
        return snmp_api_errstring(why);
    }
    if (s->s_snmp_errno)
        return snmp_api_errstring(s->s_snmp_errno);
    if (op == NETSNMP_CALLBACK_OP_DISCONNECT || op == NETSNMP_CALLBACK_OP_SEND_FAILED)
        return "no answer (the port refused the request: nothing listening?)";
    return "no answer";
}

static int snmp_walk_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
    snmp_dev *d = magic;
    if (!d->busy)
        return 1;
    if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
        snmp_dev_finish(d, false, "no answer (timeout)");
        return 1;
    }
    if (op == NETSNMP_CALLBACK_OP_RESEND) /* a retry went out: the request is still under way */
        return 1;
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
        snmp_dev_finish(d, false, snmp_callback_error(op, s, pdu));
        return 1;
    }
    char buf[160];
    if (pdu->errstat == SNMP_ERR_TOOBIG && d->maxrep > 1) { /* again, with fewer rows */
        d->maxrep /= 2;
        if (!snmp_walk_send(d))
            snmp_dev_finish(d, true, NULL);
        return 1;
    }
    const char *e = snmp_answer_error(pdu, buf, sizeof buf);
    if (e) {
        snmp_dev_finish(d, false, e);
        return 1;
    }
    snmp_walk_answer(d, pdu);
    if (!snmp_walk_send(d))
        snmp_dev_finish(d, true, NULL);
    return 1;
}

static void snmp_dev_samples(snmp_dev *d, metric_set *set, int64_t now)
{
    size_t at = 0;
    /* the uptime first, so that a reboot is known before the counters' deltas */
    for (int pass = 0; pass < 2; pass++) {
        at = 0;
        for (size_t i = 0; i < d->nprof; i++) {
            bool sys = strcmp(d->prof[i]->name, "system") == 0;
            if (sys == (pass == 0))
                snmp_profile_samples(d->prof[i], d->res + at, d->conf->name, d->st, now, set);
            at += snmp_profile_ncols(d->prof[i]);
        }
    }
}

static void snmp_dev_finish(snmp_dev *d, bool answered, const char *error)
{
    int64_t now = kw_now_ms();
    metric_set *set = metric_set_new(now);
    if (answered)
        snmp_dev_samples(d, set, now);
    snmp_device_samples(d->st, d->conf->name, answered, (double)(kw_mono_ms() - d->started_ms) / 1000.0, now, set);
    for (size_t i = 0; i < d->ncols; i++)
        d->res[i].n = 0;
    d->busy = false;
    d->poller->done(d->poller->arg, d->conf, set, answered, error);
}

static void snmp_dev_start(snmp_dev *d, int64_t now)
{
    d->next_ms = now + d->conf->interval_ms;
    d->started_ms = now;
    d->busy = true;
    d->maxrep = d->poller->conf->snmp.bulk_rows > 0 ? (long)d->poller->conf->snmp.bulk_rows : 25;
    char err[256];
    if (!d->sess && !snmp_dev_open(d, err, sizeof err)) {
        snmp_dev_finish(d, false, err);
        return;
    }
    for (size_t i = 0; i < d->ncols; i++) {
        snmp_col *c = &d->cols[i];
        memcpy(c->last, c->base, c->base_len * sizeof(oid));
        c->last_len = c->base_len;
        c->done = false;
    }
    if (!snmp_walk_send(d))
        snmp_dev_finish(d, true, NULL);
}

/* ---- the poller ---- */

static void snmp_dev_setup(snmp_poller *p, snmp_dev *d, const conf_snmp_device *c, size_t i, kw_map *carry)
{
    d->poller = p;
    d->conf = c;
    d->st = carry ? kw_map_del(carry, c->name) : NULL;
    if (!d->st) {
        d->st = kw_calloc(1, sizeof *d->st);
        snmp_dev_state_init(d->st);
    }
    for (size_t k = 0; k < c->profiles.n && d->nprof < 16; k++) {
        const snmp_profile *pr = snmp_profile_find(c->profiles.v[k]);
        if (pr) {
            d->prof[d->nprof++] = pr;
            d->ncols += snmp_profile_ncols(pr);
        }
    }
    d->cols = kw_calloc(d->ncols ? d->ncols : 1, sizeof *d->cols);
    d->res = kw_calloc(d->ncols ? d->ncols : 1, sizeof *d->res);
    size_t at = 0;
    for (size_t k = 0; k < d->nprof; k++)
        for (size_t t = 0; t < d->prof[k]->ntables; t++)
            for (size_t j = 0; j < d->prof[k]->tables[t].ncols; j++, at++) {
                snmp_col *col = &d->cols[at];
                col->col = &d->prof[k]->tables[t].cols[j];
                col->scalar = d->prof[k]->tables[t].index_label == NULL;
                col->base_len = MAX_OID_LEN;
                if (!read_objid(col->col->oid, col->base, &col->base_len))
                    fatal("snmp: bad built-in OID %s", col->col->oid);
            }
    /* spread the first polls over a second, not all at once */
    d->next_ms = kw_mono_ms() + (int64_t)(i * 997 % 1000);
}

snmp_poller *snmp_poller_new(const conf *c, kw_map *carry, snmp_poll_done_fn done, snmp_trap_fn trap, void *arg,
                             char *err, size_t errn)
{
    snmp_net_init();
    snmp_poller *p = kw_calloc(1, sizeof *p);
    *p = (snmp_poller){.conf = c, .done = done, .trap = trap, .arg = arg};
    p->devs = kw_calloc(c->snmp.devices.n + 1, sizeof *p->devs);
    for (size_t i = 0; i < c->snmp.devices.n; i++) {
        const conf_snmp_device *d = CONF_AT(c->snmp.devices, conf_snmp_device, i);
        if (d->enabled)
            snmp_dev_setup(p, &p->devs[p->ndevs++], d, i, carry);
    }
    if (c->snmp.traps.listen && *c->snmp.traps.listen && !snmp_trap_open(p, c->snmp.traps.listen, err, errn)) {
        snmp_poller_free(p, carry);
        return NULL;
    }
    return p;
}

void snmp_poller_free(snmp_poller *p, kw_map *carry)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ndevs; i++) {
        snmp_dev *d = &p->devs[i];
        if (d->sess)
            snmp_dev_close(d);
        for (size_t k = 0; k < d->ncols; k++)
            snmp_colres_free(&d->res[k]);
        free(d->res);
        free(d->cols);
        snmp_dev_state *old = carry ? kw_map_put(carry, d->conf->name, d->st) : d->st;
        if (old) {
            snmp_dev_state_free(old);
            free(old);
        }
    }
    if (p->trap_sess)
        snmp_sess_close(p->trap_sess);
    free(p->devs);
    free(p);
}

static void snmp_poller_start_due(snmp_poller *p, int64_t now, int64_t *wake)
{
    for (size_t i = 0; i < p->ndevs; i++) {
        snmp_dev *d = &p->devs[i];
        if (!d->busy && d->next_ms <= now)
            snmp_dev_start(d, now);
        if (!d->busy && d->next_ms < *wake)
            *wake = d->next_ms;
    }
}

/* One select() over every session's socket, until the earliest of wake and net-snmp's own
 * retransmission timers; then reads what came and lets net-snmp time requests out. */
static void snmp_poller_wait(snmp_poller *p, int64_t wake)
{
    netsnmp_large_fd_set fds;
    netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
    NETSNMP_LARGE_FD_ZERO(&fds);
    int nfds = 0, block = 1;
    int64_t left = wake - kw_mono_ms();
    if (left < 0)
        left = 0;
    struct timeval tv = {(time_t)(left / 1000), (suseconds_t)(left % 1000 * 1000)}, ours = tv;
    for (size_t i = 0; i < p->ndevs; i++)
        if (p->devs[i].sess) {
            block = 0;
            snmp_sess_select_info2(p->devs[i].sess, &nfds, &fds, &tv, &block);
            if (timercmp(&ours, &tv, <))
                tv = ours;
        }
    if (p->trap_sess) {
        block = 0;
        snmp_sess_select_info2(p->trap_sess, &nfds, &fds, &tv, &block);
        if (timercmp(&ours, &tv, <))
            tv = ours;
    }
    int n = netsnmp_large_fd_set_select(nfds, &fds, NULL, NULL, &tv);
    for (size_t i = 0; i < p->ndevs; i++)
        if (p->devs[i].sess) {
            if (n > 0)
                snmp_sess_read2(p->devs[i].sess, &fds);
            snmp_sess_timeout(p->devs[i].sess);
        }
    if (p->trap_sess && n > 0)
        snmp_sess_read2(p->trap_sess, &fds);
    netsnmp_large_fd_set_cleanup(&fds);
}

void snmp_poller_run(snmp_poller *p, int64_t until_ms)
{
    int64_t wake = until_ms;
    snmp_poller_start_due(p, kw_mono_ms(), &wake);
    snmp_poller_wait(p, wake);
}

void snmp_poller_due_all(snmp_poller *p)
{
    int64_t now = kw_mono_ms();
    for (size_t i = 0; i < p->ndevs; i++)
        p->devs[i].next_ms = now;
}

size_t snmp_poller_busy(const snmp_poller *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->ndevs; i++)
        n += p->devs[i].busy;
    return n;
}

uint64_t snmp_poller_traps_dropped(const snmp_poller *p) { return p->traps_dropped; }

#endif

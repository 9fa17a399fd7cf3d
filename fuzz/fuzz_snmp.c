/* libFuzzer target: what keepwatch makes of a device's or a trap sender's PDU once net-snmp
 * decoded it (snmp_pdu_parse): the varbinds as a trap (ECS document and the record
 * logs.rules read) and as the rows of every profile's columns, through the samples engine
 * with a state kept across inputs (rates, reboots, interfaces). Seeds: a linkDown trap and a
 * GETBULK request and answer captured from snmptrap, snmpbulkget and snmpd
 * (tests/helpers/snmp_seeds.py). */
#include "core/kw_mem.h"
#include "logs/logs.h"
#include "snmp/snmp.h"
#include "snmp/snmp_net.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef KW_HAVE_SNMP
static snmp_dev_state st;
static log_rec rec;
static int64_t now_ms;

static void fuzz_trap(const netsnmp_pdu *pdu)
{
    snmp_trap *t = kw_calloc(1, sizeof *t);
    strcpy(t->sender, "192.0.2.1");
    snmp_net_trap(pdu, t);
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    snmp_trap_ecs(t, &b);
    kw_buf_free(&b);
    snmp_trap_rec(t, &rec);
    free(t);
}

/* Each varbind into the column of the profile it falls under, then the profile's samples. */
static void fuzz_profile(const snmp_profile *p, const netsnmp_pdu *pdu)
{
    size_t n = snmp_profile_ncols(p), at = 0;
    snmp_colres *res = kw_calloc(n, sizeof *res);
    for (size_t t = 0; t < p->ntables; t++)
        for (size_t c = 0; c < p->tables[t].ncols; c++, at++) {
            oid base[MAX_OID_LEN];
            size_t blen = MAX_OID_LEN;
            if (!read_objid(p->tables[t].cols[c].oid, base, &blen))
                abort();
            for (const netsnmp_variable_list *vb = pdu->variables; vb; vb = vb->next_variable) {
                if (vb->name_length <= blen || snmp_oid_compare(vb->name, blen, base, blen) != 0)
                    continue;
                snmp_val v;
                size_t k = 0;
                for (size_t i = blen; i < vb->name_length && k + 22 < sizeof v.index; i++)
                    k += (size_t)snprintf(v.index + k, sizeof v.index - k, "%s%lu", i > blen ? "." : "",
                                          (unsigned long)vb->name[i]);
                v.index[k] = '\0';
                if (snmp_net_value(vb, &v))
                    snmp_colres_add(&res[at], &v);
            }
        }
    metric_set *s = metric_set_new(now_ms);
    snmp_profile_samples(p, res, "fuzz", &st, now_ms, s);
    snmp_device_samples(&st, "fuzz", true, 0.1, now_ms, s);
    metric_set_free(s);
    for (size_t i = 0; i < n; i++)
        snmp_colres_free(&res[i]);
    free(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        snmp_net_init();
        snmp_dev_state_init(&st);
        log_rec_init(&rec);
        ready = true;
    }
    now_ms += 60000;
    u_char *copy = kw_memdup(data, size ? size : 1);
    size_t len = size;
    netsnmp_pdu *pdu = snmp_pdu_create(0);
    if (snmp_pdu_parse(pdu, copy, &len) == 0) {
        fuzz_trap(pdu);
        for (size_t i = 0; snmp_profiles[i]; i++)
            fuzz_profile(snmp_profiles[i], pdu);
    }
    snmp_free_pdu(pdu);
    free(copy);
    return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return 0; }
#endif

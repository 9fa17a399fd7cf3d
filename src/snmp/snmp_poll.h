/* The SNMP poller (snmp_poll.c): every device of a configuration polled from one thread
 * through net-snmp's single-session API, each device's GETBULK walk in flight at once, and the
 * v2c trap listener on the same thread. Without net-snmp (built without KW_HAVE_SNMP)
 * snmp_poller_new says so and returns NULL. All calls are the poller thread's. */
#ifndef SNMP_POLL_H
#define SNMP_POLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "metric/metric.h"
#include "snmp/snmp.h"

/* A finished poll of device d: its samples (the callee owns set), whether it answered and,
 * when it did not, why ("timeout", "authentication failure ..."). */
typedef void (*snmp_poll_done_fn)(void *arg, const conf_snmp_device *d, metric_set *set, bool answered,
                                  const char *error);
/* A trap arrived (t is valid during the call). */
typedef void (*snmp_trap_fn)(void *arg, const snmp_trap *t);

typedef struct snmp_poller snmp_poller;

/* Returns a poller of c's enabled snmp.devices and, when snmp.traps.listen is set, its trap
 * listener; c must outlive it. A device named in carry (device name -> snmp_dev_state *, from
 * the poller before a reload; may be NULL) takes its state from there (counters, interfaces
 * seen up, polls unanswered), so a reload neither loses rates nor flaps device_unreachable.
 * The caller frees it with snmp_poller_free. NULL with err set when net-snmp is missing or
 * the trap port cannot be bound. */
snmp_poller *snmp_poller_new(const conf *c, kw_map *carry, snmp_poll_done_fn done, snmp_trap_fn trap, void *arg,
                             char *err, size_t errn);
/* Frees p; its devices' states go into carry (which owns them from then on) unless it is NULL. */
void snmp_poller_free(snmp_poller *p, kw_map *carry);
/* Frees the states a carry map holds, and the map. */
void snmp_carry_free(kw_map *carry);

/* Starts the polls that are due, then waits for answers and traps until the monotonic time
 * until_ms at most, handling what arrives (callbacks run from here). */
void snmp_poller_run(snmp_poller *p, int64_t until_ms);

/* Makes every device due now (for the benchmark: one round of all devices). */
void snmp_poller_due_all(snmp_poller *p);
/* Polls under way. */
size_t snmp_poller_busy(const snmp_poller *p);
/* Traps dropped: wrong community, not v2c, or malformed. */
uint64_t snmp_poller_traps_dropped(const snmp_poller *p);

#endif

/* What of the poller touches net-snmp's types (snmp_poll.c), for the fuzz target and the
 * tests: net-snmp's headers, its one-time set-up, and its decoded values into keepwatch's
 * bounded ones. Only with KW_HAVE_SNMP. */
#ifndef SNMP_NET_H
#define SNMP_NET_H

#ifdef KW_HAVE_SNMP
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <syslog.h>

#include "snmp/snmp.h"

/* Sets net-snmp up once per process (no config files, persistent files or MIBs). */
void snmp_net_init(void);
/* One decoded varbind's value into v (all but v->index); false for a type keepwatch does not
 * read (NULL, noSuchObject, endOfMibView, opaque) or a value of the wrong size. */
bool snmp_net_value(const netsnmp_variable_list *vb, snmp_val *v);
/* The varbinds of a v2c trap into t (sysUpTime.0, snmpTrapOID.0, the rest bounded); the
 * sender, time and device are the caller's to fill. */
void snmp_net_trap(const netsnmp_pdu *pdu, snmp_trap *t);
#endif

#endif

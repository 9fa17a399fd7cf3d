/* UDP services abused for reflection and amplification: their replies flood a victim whose
 * address the attacker spoofed (US-CERT TA14-017A and later reports). A switch: the
 * detectors ask for every UDP request. */
#include "net/net.h"

const char *net_reflector_name(uint16_t port)
{
    switch (port) {
    case 7: return "Echo";
    case 17: return "QOTD";
    case 19: return "CharGEN";
    case 53: return "DNS";
    case 69: return "TFTP";
    case 111: return "Portmap";
    case 123: return "NTP";
    case 137: return "NetBIOS";
    case 161: return "SNMP";
    case 389: return "CLDAP";
    case 427: return "SLP";
    case 500: return "IKE";
    case 520: return "RIP";
    case 1194: return "OpenVPN";
    case 1434: return "MS-SQL";
    case 1900: return "SSDP";
    case 3283: return "ARD";
    case 3389: return "RDP";
    case 3702: return "WS-Discovery";
    case 4500: return "IKE";
    case 5351: return "NAT-PMP";
    case 5353: return "mDNS";
    case 5683: return "CoAP";
    case 10001: return "Ubiquiti";
    case 11211: return "memcached";
    case 27015: return "Steam";
    case 33848: return "Jenkins";
    case 37810: return "DVR";
    case 47808: return "BACnet";
    }
    return NULL;
}

/* scan_ports.c: the port tables of the network scanner, written for keepwatch from the IANA
 * service-name registry's well-known names and common deployment knowledge: the service usually
 * found on a port (what a port is called before identification, or without it), the default TCP
 * list (every system port 1-1024 and the service ports above them that inventories and
 * advisories keep meeting: databases, remote desktops, admin consoles, message brokers, cluster
 * APIs, proxies), and the UDP ports there is a probe for. */
#include "scan/scan.h"

#include <stddef.h>

typedef struct {
    uint16_t port;
    const char *name;
} port_name;

/* Sorted by port. */
static const port_name tcp_names[] = {
    {7, "echo"}, {9, "discard"}, {13, "daytime"}, {19, "chargen"}, {20, "ftp-data"}, {21, "ftp"}, {22, "ssh"},
    {23, "telnet"}, {25, "smtp"}, {37, "time"}, {43, "whois"}, {49, "tacacs"}, {53, "domain"}, {70, "gopher"},
    {79, "finger"}, {80, "http"}, {81, "http-alt"}, {88, "kerberos"}, {102, "iso-tsap"}, {106, "pop3pw"},
    {110, "pop3"}, {111, "rpcbind"}, {113, "ident"}, {119, "nntp"}, {135, "msrpc"}, {139, "netbios-ssn"},
    {143, "imap"}, {161, "snmp"}, {179, "bgp"}, {199, "smux"}, {389, "ldap"}, {427, "svrloc"}, {443, "https"},
    {444, "snpp"}, {445, "microsoft-ds"}, {465, "smtps"}, {502, "modbus"}, {512, "exec"}, {513, "login"},
    {514, "shell"}, {515, "printer"}, {543, "klogin"}, {544, "kshell"}, {548, "afp"}, {554, "rtsp"},
    {587, "submission"}, {623, "ipmi"}, {631, "ipp"}, {636, "ldaps"}, {646, "ldp"}, {873, "rsync"},
    {902, "vmware-auth"}, {990, "ftps"}, {992, "telnets"}, {993, "imaps"}, {995, "pop3s"}, {1080, "socks"},
    {1099, "rmiregistry"}, {1194, "openvpn"}, {1433, "ms-sql-s"}, {1434, "ms-sql-m"}, {1521, "oracle"},
    {1723, "pptp"}, {1883, "mqtt"}, {1900, "upnp"}, {2000, "cisco-sccp"}, {2049, "nfs"}, {2082, "cpanel"},
    {2083, "cpanel-ssl"}, {2121, "ftp-alt"}, {2181, "zookeeper"}, {2222, "ssh-alt"}, {2375, "docker"},
    {2376, "docker-tls"}, {2379, "etcd-client"}, {2380, "etcd-server"}, {2483, "oracle-tcps"}, {3000, "http-alt"},
    {3128, "squid-http"}, {3260, "iscsi"}, {3268, "ldap-gc"}, {3269, "ldaps-gc"}, {3306, "mysql"},
    {3389, "ms-wbt-server"}, {3690, "svn"}, {4369, "epmd"}, {4443, "https-alt"}, {4505, "salt"}, {4506, "salt"},
    {4848, "glassfish"}, {5000, "upnp-http"}, {5060, "sip"}, {5061, "sips"}, {5222, "xmpp-client"},
    {5269, "xmpp-server"}, {5432, "postgresql"}, {5555, "adb"}, {5601, "kibana"}, {5631, "pcanywhere"},
    {5666, "nrpe"}, {5672, "amqp"}, {5800, "vnc-http"}, {5900, "vnc"}, {5901, "vnc-1"}, {5902, "vnc-2"},
    {5984, "couchdb"}, {5985, "wsman"}, {5986, "wsmans"}, {6000, "x11"}, {6379, "redis"}, {6443, "kubernetes-api"},
    {6667, "irc"}, {6697, "ircs"}, {7001, "weblogic"}, {7002, "weblogic-ssl"}, {7474, "neo4j"}, {7547, "cwmp"},
    {8000, "http-alt"}, {8008, "http-alt"}, {8009, "ajp13"}, {8080, "http-proxy"}, {8081, "http-alt"},
    {8086, "influxdb"}, {8088, "http-alt"}, {8089, "splunkd"}, {8161, "activemq-admin"}, {8200, "vault"},
    {8291, "winbox"}, {8443, "https-alt"}, {8500, "consul"}, {8728, "routeros-api"}, {8834, "nessus"},
    {8888, "http-alt"}, {9000, "http-alt"}, {9042, "cassandra"}, {9090, "http-alt"}, {9092, "kafka"},
    {9100, "jetdirect"}, {9200, "elasticsearch"}, {9300, "elasticsearch-transport"}, {9418, "git"},
    {9443, "https-alt"}, {10000, "webmin"}, {10250, "kubelet"}, {11211, "memcache"}, {15672, "rabbitmq-mgmt"},
    {25565, "minecraft"}, {27017, "mongodb"}, {27018, "mongodb"}, {50070, "hdfs-namenode"}, {61616, "activemq"},
};

static const port_name udp_names[] = {
    {7, "echo"}, {17, "qotd"}, {19, "chargen"}, {53, "domain"}, {67, "dhcps"}, {68, "dhcpc"}, {69, "tftp"},
    {111, "rpcbind"}, {123, "ntp"}, {137, "netbios-ns"}, {138, "netbios-dgm"}, {161, "snmp"}, {162, "snmptrap"},
    {389, "ldap"}, {500, "isakmp"}, {514, "syslog"}, {520, "route"}, {623, "asf-rmcp"}, {1194, "openvpn"},
    {1434, "ms-sql-m"}, {1812, "radius"}, {1813, "radacct"}, {1900, "ssdp"}, {2049, "nfs"}, {3702, "ws-discovery"},
    {4500, "ipsec-nat-t"}, {5060, "sip"}, {5353, "mdns"}, {11211, "memcache"},
};

/* The default TCP list above the system ports. */
static const uint16_t tcp_common_high[] = {
    1080, 1099, 1194, 1241, 1311, 1433, 1434, 1521, 1583, 1604, 1720, 1723, 1755, 1801, 1812, 1883, 1900, 2000,
    2001, 2049, 2082, 2083, 2086, 2087, 2095, 2096, 2100, 2121, 2181, 2222, 2375, 2376, 2379, 2380, 2483, 2484,
    2525, 2601, 2604, 3000, 3001, 3128, 3260, 3268, 3269, 3306, 3333, 3389, 3632, 3690, 3780, 4000, 4040, 4369,
    4443, 4444, 4505, 4506, 4567, 4711, 4848, 4899, 5000, 5001, 5003, 5009, 5050, 5060, 5061, 5101, 5190, 5222,
    5269, 5357, 5432, 5555, 5601, 5631, 5666, 5672, 5800, 5801, 5900, 5901, 5902, 5903, 5984, 5985, 5986, 6000,
    6001, 6379, 6443, 6646, 6660, 6661, 6662, 6663, 6664, 6665, 6666, 6667, 6668, 6669, 6697, 7000, 7001, 7002,
    7070, 7077, 7443, 7474, 7547, 7777, 8000, 8001, 8008, 8009, 8010, 8020, 8042, 8069, 8080, 8081, 8082, 8083,
    8086, 8088, 8089, 8090, 8091, 8161, 8181, 8200, 8222, 8291, 8333, 8443, 8500, 8530, 8531, 8649, 8728, 8800,
    8834, 8880, 8888, 8983, 9000, 9001, 9002, 9042, 9043, 9060, 9080, 9090, 9091, 9092, 9100, 9160, 9200, 9300,
    9418, 9443, 9600, 9999, 10000, 10050, 10051, 10250, 10255, 11211, 15672, 16010, 20000, 25565, 27017, 27018,
    28017, 32400, 50000, 50070, 61616,
};

static const uint16_t udp_probed[] = {53, 123, 137, 161, 1900, 11211};

static const char *table_find(const port_name *t, size_t n, unsigned port)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t[mid].port == port)
            return t[mid].name;
        if (t[mid].port < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *scan_port_service(unsigned port, bool udp)
{
    return udp ? table_find(udp_names, sizeof udp_names / sizeof udp_names[0], port)
               : table_find(tcp_names, sizeof tcp_names / sizeof tcp_names[0], port);
}

void scan_ports_default_tcp(scan_ports *p)
{
    uint16_t low[1024];
    for (unsigned i = 0; i < 1024; i++)
        low[i] = (uint16_t)(i + 1);
    scan_ports_add_list(p, false, low, 1024);
    scan_ports_add_list(p, false, tcp_common_high, sizeof tcp_common_high / sizeof tcp_common_high[0]);
}

void scan_ports_default_udp(scan_ports *p)
{
    scan_ports_add_list(p, true, udp_probed, sizeof udp_probed / sizeof udp_probed[0]);
}

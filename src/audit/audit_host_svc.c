/* Host baseline, services that should not be there: a table of package names (dpkg status)
 * and systemd units (enabled through a *.wants link); installed or enabled fails. */
#include "audit/audit_host_int.h"

#include <stdio.h>

static kw_rc svc_absent(host_ctx *c, const host_check *k);

#define V(id, en, zh, sev, cis, pkgs, units, flags) \
    {id, "svc", en, zh, sev, {cis, "8.1.4.4 a)"}, HS_NONE, pkgs, HC_EQ, units, NULL, \
     "not installed, not enabled", "Remove the package (apt purge " pkgs ") or mask its unit.", svc_absent, flags}

static const host_check rows[] = {
    V("KW-SVC-TELNETD", "No telnet server", "未安装 telnet 服务", FINDING_HIGH, "2.2", "telnetd,inetutils-telnetd,telnetd-ssl,telnet-server", "telnet.socket,inetd.service", 0),
    V("KW-SVC-RSH", "No rsh/rlogin server", "未安装 rsh/rlogin 服务", FINDING_HIGH, "2.2", "rsh-server,rsh-redone-server,rsh-server", "rsh.socket,rlogin.socket,rexec.socket", 0),
    V("KW-SVC-TFTPD", "No TFTP server", "未安装 TFTP 服务", FINDING_HIGH, "2.1.19", "tftpd,tftpd-hpa,atftpd,tftp-server", "tftpd-hpa.service,tftp.socket", 0),
    V("KW-SVC-XINETD", "No xinetd/inetd super-server", "未安装 xinetd/inetd", FINDING_MEDIUM, "2.1", "xinetd,openbsd-inetd,inetutils-inetd", "xinetd.service,inetd.service", 0),
    V("KW-SVC-NIS", "No NIS server or client", "未安装 NIS 服务", FINDING_HIGH, "2.1.10", "nis,ypserv,ypbind", "ypserv.service,ypbind.service", 0),
    V("KW-SVC-TALK", "No talk server", "未安装 talk 服务", FINDING_LOW, "2.2.3", "talkd,inetutils-talkd,talk-server", "talk.socket", 0),
    V("KW-SVC-AVAHI", "No Avahi (mDNS) daemon", "未安装 Avahi 服务", FINDING_LOW, "2.1.1", "avahi-daemon", "avahi-daemon.service,avahi-daemon.socket", HK_SERVER),
    V("KW-SVC-CUPS", "No print server (CUPS)", "未安装打印服务 CUPS", FINDING_LOW, "2.1.12", "cups,cups-daemon", "cups.service,cups.socket", HK_SERVER),
    V("KW-SVC-RPCBIND", "No rpcbind", "未启用 rpcbind", FINDING_MEDIUM, "2.1.13", "rpcbind", "rpcbind.service,rpcbind.socket", 0),
    V("KW-SVC-NFS-SERVER", "No NFS server", "未安装 NFS 服务端", FINDING_MEDIUM, "2.1.9", "nfs-kernel-server,nfs-utils", "nfs-server.service", 0),
    V("KW-SVC-VSFTPD", "No FTP server", "未安装 FTP 服务", FINDING_MEDIUM, "2.1.6", "vsftpd,proftpd-basic,pure-ftpd", "vsftpd.service,proftpd.service,pure-ftpd.service", 0),
    V("KW-SVC-XSERVER", "No X server on a server", "服务器未安装 X 图形服务", FINDING_LOW, "2.1.20", "xserver-xorg,xserver-xorg-core,xorg-x11-server-Xorg", "display-manager.service", HK_SERVER),
    V("KW-SVC-DHCP-SERVER", "No DHCP server", "未安装 DHCP 服务端", FINDING_LOW, "2.1.3", "isc-dhcp-server,kea-dhcp4-server,dhcp-server", "isc-dhcp-server.service,kea-dhcp4-server.service", 0),
    V("KW-SVC-DNS-SERVER", "No DNS server", "未安装 DNS 服务端", FINDING_LOW, "2.1.4", "bind9,bind", "named.service,bind9.service", 0),
    V("KW-SVC-LDAP-SERVER", "No LDAP server", "未安装 LDAP 服务端", FINDING_LOW, "2.1.7", "slapd,openldap-servers", "slapd.service", 0),
    V("KW-SVC-SAMBA", "No Samba server", "未安装 Samba 服务", FINDING_MEDIUM, "2.1.15", "samba", "smbd.service,nmbd.service", 0),
    V("KW-SVC-SQUID", "No HTTP proxy (squid)", "未安装 HTTP 代理 squid", FINDING_LOW, "2.1.16", "squid", "squid.service", 0),
    V("KW-SVC-DOVECOT", "No IMAP/POP3 server", "未安装 IMAP/POP3 服务", FINDING_LOW, "2.1.8", "dovecot-imapd,dovecot-pop3d,dovecot", "dovecot.service", 0),
    V("KW-SVC-SNMPD", "No SNMP daemon", "未安装 SNMP 服务", FINDING_MEDIUM, "2.1.17", "snmpd,net-snmp", "snmpd.service", 0),
    V("KW-SVC-RSYNC", "No rsync daemon", "未启用 rsync 守护进程", FINDING_LOW, "2.1.14", "rsync-daemon", "rsync.service", 0),
    V("KW-SVC-DNSMASQ", "No dnsmasq", "未安装 dnsmasq", FINDING_LOW, "2.1.2", "dnsmasq", "dnsmasq.service", 0),
    V("KW-SVC-AUTOFS", "No automounter (autofs)", "未安装自动挂载 autofs", FINDING_LOW, "2.1", "autofs", "autofs.service", HK_SERVER),
    V("KW-SVC-TELNET-CLIENT", "No telnet client", "未安装 telnet 客户端", FINDING_LOW, "2.2.4", "telnet,inetutils-telnet", "", 0),
    V("KW-SVC-RSH-CLIENT", "No rsh client", "未安装 rsh 客户端", FINDING_LOW, "2.2.2", "rsh-client,rsh-redone-client", "", 0),
    V("KW-SVC-FTP-CLIENT", "No plain FTP client", "未安装明文 FTP 客户端", FINDING_LOW, "2.2.5", "ftp,tnftp,inetutils-ftp", "", 0),
    V("KW-SVC-LDAP-CLIENT", "No LDAP utilities", "未安装 LDAP 客户端工具", FINDING_INFO, "2.2.6", "ldap-utils", "", 0),
    V("KW-SVC-PRELINK", "prelink is not installed", "未安装 prelink", FINDING_LOW, "1.5.4", "prelink", "", 0),
    V("KW-SVC-APPORT", "Automatic error reporting (apport) is off", "关闭自动错误上报 apport", FINDING_LOW, "1.5.5", "apport", "apport.service", 0),
    V("KW-SVC-BLUETOOTH", "No Bluetooth service on a server", "服务器未启用蓝牙服务", FINDING_LOW, "3.1.3", "bluez", "bluetooth.service", HK_SERVER),
    V("KW-SVC-WEB-SERVER-UNNEEDED", "No web server installed by default", "未默认安装 Web 服务", FINDING_INFO, "2.1.18", "apache2,lighttpd", "apache2.service,lighttpd.service", HK_SERVER),
};

/* key: packages, want: units. */
static kw_rc svc_absent(host_ctx *c, const host_check *k)
{
    const char *which = NULL;
    int pkg = host_pkg(c, k->key, &which);
    if (pkg == 1)
        return host_emit(c, k, AUDIT_FAIL, "/var/lib/dpkg/status", 0, NULL, which, which);
    if (k->want[0] && host_unit_enabled(c, k->want, &which))
        return host_emit(c, k, AUDIT_FAIL, "/etc/systemd/system", 0, NULL, which, which);
    if (pkg < 0)
        return host_na(c, k, "no dpkg database");
    return host_emit(c, k, AUDIT_PASS, "/var/lib/dpkg/status", 0, NULL, "not installed", NULL);
}

const host_family host_fam_svc = {rows, sizeof rows / sizeof rows[0]};

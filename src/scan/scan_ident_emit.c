/* The findings services' answers prove: the table of checks (id, category, severity, title,
 * description, solution) and how one is reported, with its evidence, into the port's sink. */
#include "scan/scan_ident_int.h"

#include <stdio.h>
#include <string.h>

typedef struct check_def {
    const char *id, *category;
    finding_sev sev;
    const char *title, *description, *solution;
} check_def;

static const check_def checks[SI_NCHECKS] = {
    [SI_TELNET_EXPOSED] = {"KW-TELNET-EXPOSED", "exposed_service", FINDING_HIGH, "Telnet service exposed",
        "Telnet carries logins and whole sessions in clear text.", "Turn the telnet service off and use SSH."},
    [SI_RDP_EXPOSED] = {"KW-RDP-EXPOSED", "exposed_service", FINDING_MEDIUM, "RDP service exposed",
        "Remote Desktop is a frequent target of password guessing and of pre-authentication flaws.",
        "Reach RDP only through a VPN or a gateway; require Network Level Authentication."},
    [SI_SMB1] = {"KW-SMB1-ENABLED", "exposed_service", FINDING_HIGH, "SMBv1 accepted",
        "The server accepts the SMB1 dialect (NT LM 0.12), which has no protection against downgrade and was the way in for EternalBlue/WannaCry.",
        "Turn SMB1 off (Samba: server min protocol = SMB2_10; Windows: Set-SmbServerConfiguration -EnableSMB1Protocol $false)."},
    [SI_DB_EXPOSED] = {"KW-DB-EXPOSED", "exposed_service", FINDING_LOW, "Database port reachable",
        "A database answers on the network; databases should be reachable only from the hosts that use them.",
        "Bind the database to internal addresses and filter the port to its clients."},
    [SI_REDIS_NOAUTH] = {"KW-REDIS-NOAUTH", "weak_auth", FINDING_HIGH, "Redis answers without authentication",
        "Redis ran a command without a password (no requirepass or ACL): anyone who reaches it can read and change the data and, with CONFIG SET, write files on the server.",
        "Set requirepass (or ACL users with passwords), keep protected-mode on and bind to internal addresses."},
    [SI_MONGO_NOAUTH] = {"KW-MONGODB-NOAUTH", "weak_auth", FINDING_HIGH, "MongoDB lists databases without authentication",
        "listDatabases succeeded without credentials: authorization is off.",
        "Enable security.authorization and create users; bind to internal addresses."},
    [SI_ES_NOAUTH] = {"KW-ES-NOAUTH", "weak_auth", FINDING_HIGH, "Elasticsearch answers without authentication",
        "The cluster answered without credentials: its indices can be read and changed by anyone who reaches it.",
        "Enable xpack.security (authentication and TLS) and bind to internal addresses."},
    [SI_MEMCACHED_NOAUTH] = {"KW-MEMCACHED-NOAUTH", "weak_auth", FINDING_MEDIUM, "memcached answers without authentication",
        "memcached gave its statistics without authentication: cached data can be read and changed, and a reachable UDP port amplifies DDoS.",
        "Bind memcached to 127.0.0.1 or internal addresses (-l), turn UDP off (-U 0), enable SASL if remote clients need it."},
    [SI_DOCKER_NOAUTH] = {"KW-DOCKER-API-NOAUTH", "weak_auth", FINDING_CRITICAL, "Docker API open without authentication",
        "The Docker Engine API answered without TLS client authentication: anyone who reaches it can start privileged containers, which is root on the host.",
        "Do not expose the Docker socket over TCP; if needed, use TLS with client certificates (--tlsverify) on 2376."},
    [SI_K8S_NOAUTH] = {"KW-K8S-API-NOAUTH", "weak_auth", FINDING_HIGH, "Kubernetes API answers anonymous requests",
        "The Kubernetes API server served /api to an anonymous request.",
        "Set --anonymous-auth=false and check the RBAC bindings of system:anonymous and system:unauthenticated."},
    [SI_PG_TRUST] = {"KW-PG-TRUST", "weak_auth", FINDING_CRITICAL, "PostgreSQL trusts network logins (no password)",
        "The server let user postgres in over TCP without a password: a pg_hba.conf host line with method trust.",
        "Replace trust by scram-sha-256 in pg_hba.conf's host lines and reload PostgreSQL."},
    [SI_PG_DEFAULT_PW] = {"KW-PG-DEFAULT-PASSWORD", "weak_auth", FINDING_CRITICAL, "PostgreSQL superuser has a default password",
        "User postgres logged in over the network with a well-known password.",
        "Set a strong password for postgres (ALTER ROLE) and restrict superuser logins to local connections."},
    [SI_MYSQL_ROOT_NOPW] = {"KW-MYSQL-ROOT-NOPASS", "weak_auth", FINDING_CRITICAL, "MySQL root login from the network with an empty or default password",
        "User root logged in from a remote address with an empty or well-known password.",
        "Give root a strong password, allow root only from localhost (mysql_secure_installation)."},
    [SI_FTP_ANON] = {"KW-FTP-ANON", "weak_auth", FINDING_MEDIUM, "FTP allows anonymous login",
        "The server logged in user anonymous.", "Turn anonymous FTP off (vsftpd: anonymous_enable=NO) unless it is meant to publish files."},
    [SI_LDAP_ANON] = {"KW-LDAP-ANON", "weak_auth", FINDING_LOW, "LDAP accepts anonymous binds",
        "An anonymous simple bind succeeded and the root DSE was read; what else anonymous can read depends on the directory's ACLs.",
        "Refuse anonymous binds (OpenLDAP: disallow bind_anon; olcRequires authc) or restrict anonymous to the root DSE."},
    [SI_VNC_NOAUTH] = {"KW-VNC-NOAUTH", "weak_auth", FINDING_CRITICAL, "VNC offers security type None",
        "The VNC server offers a session without a password.", "Require a VNC password or, better, reach VNC only through SSH or a VPN."},
    [SI_TLS10] = {"KW-TLS-TLS10", "weak_tls", FINDING_MEDIUM, "TLS 1.0 accepted",
        "TLS 1.0 is deprecated (RFC 8996).", "Allow TLS 1.2 and 1.3 only."},
    [SI_TLS11] = {"KW-TLS-TLS11", "weak_tls", FINDING_MEDIUM, "TLS 1.1 accepted",
        "TLS 1.1 is deprecated (RFC 8996).", "Allow TLS 1.2 and 1.3 only."},
    [SI_CIPHER_RC4] = {"KW-TLS-CIPHER-RC4", "weak_tls", FINDING_MEDIUM, "RC4 cipher accepted",
        "RC4 is prohibited in TLS (RFC 7465).", "Remove RC4 from the server's cipher list."},
    [SI_CIPHER_3DES] = {"KW-TLS-CIPHER-3DES", "weak_tls", FINDING_MEDIUM, "3DES cipher accepted",
        "3DES has a 64-bit block (Sweet32, CVE-2016-2183).", "Remove 3DES from the server's cipher list."},
    [SI_CIPHER_NULL] = {"KW-TLS-CIPHER-NULL", "weak_tls", FINDING_HIGH, "NULL cipher accepted (no encryption)",
        "The server agreed to a cipher suite without encryption.", "Remove eNULL suites from the server's cipher list."},
    [SI_CIPHER_EXPORT] = {"KW-TLS-CIPHER-EXPORT", "weak_tls", FINDING_HIGH, "EXPORT cipher accepted",
        "Export-grade suites have 40- or 56-bit keys (FREAK, Logjam).", "Remove EXPORT suites from the server's cipher list."},
    [SI_CIPHER_ANON] = {"KW-TLS-CIPHER-ANON", "weak_tls", FINDING_HIGH, "Anonymous cipher accepted (no server authentication)",
        "The server agreed to an anonymous (aNULL) suite: anyone in the path can impersonate it.", "Remove aNULL suites from the server's cipher list."},
    [SI_CERT_EXPIRED] = {"KW-TLS-CERT-EXPIRED", "weak_tls", FINDING_MEDIUM, "TLS certificate expired",
        "The certificate's validity has ended.", "Renew the certificate."},
    [SI_CERT_SELF_SIGNED] = {"KW-TLS-CERT-SELF-SIGNED", "weak_tls", FINDING_MEDIUM, "TLS certificate is self-signed",
        "The certificate signs itself: clients cannot tell it from an impostor's.", "Use a certificate issued by a CA the clients trust."},
    [SI_CERT_MISMATCH] = {"KW-TLS-CERT-NAME-MISMATCH", "weak_tls", FINDING_MEDIUM, "TLS certificate is not for this name",
        "The certificate does not name the host it was served for.", "Serve a certificate whose SANs include every name clients use."},
    [SI_CERT_WEAK_KEY] = {"KW-TLS-CERT-WEAK-KEY", "weak_tls", FINDING_MEDIUM, "TLS certificate key too short",
        "The certificate's public key is shorter than 2048 bits (RSA, DSA) or 224 bits (EC).", "Reissue the certificate with an RSA 2048+ or an EC P-256 key."},
};

const char *si_check_id(si_check check)
{
    return check < SI_NCHECKS ? checks[check].id : "?";
}

static finding_sev severity(const si_port *sp, const check_def *d)
{
    finding_sev s = d->sev;
    bool raise = sp->opts->internet_facing && strcmp(d->category, "weak_tls") != 0;
    if (d == &checks[SI_DB_EXPOSED] && sp->opts->internet_facing)
        return FINDING_HIGH;
    return raise && s < FINDING_CRITICAL ? s + 1 : s;
}

void si_emit(si_port *sp, si_check check, const char *detail, const char *sent, const uint8_t *ans, size_t ansn)
{
    if (!sp->sink || sp->sink_rc || check >= SI_NCHECKS)
        return;
    const check_def *d = &checks[check];
    char desc[1024], ev[1200], esc[768] = "";
    snprintf(desc, sizeof desc, "%s%s%s", d->description, detail ? " " : "", detail ? detail : "");
    if (ans && ansn)
        scan_escape(ans, ansn > 512 ? 512 : ansn, esc, sizeof esc);
    snprintf(ev, sizeof ev, "%s%s%s", sent ? sent : "", esc[0] ? "\nanswer: " : "", esc);
    finding f = {
        .vuln_id = d->id, .category = d->category, .title = d->title, .description = desc,
        .solution = d->solution, .scanner = "keepwatch", .severity = severity(sp, d), .score = -1,
        .host = sp->opts->host && sp->opts->host[0] ? sp->opts->host : sp->ip, .ip = sp->ip,
        .port = sp->port, .transport = "tcp", .service = sp->out->name, .evidence = ev,
    };
    sp->sink_rc = finding_emit(sp->sink, &f);
}

/* The SSH identification line ("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n", RFC 4253
 * section 4.2) at the start of either direction, and the family of the software named in
 * it, as plain data. No I/O; slices into the input. */
#include "net/net_proto_int.h"

#include <string.h>

/* Software names and their family word; a name matches when the software starts with it and
 * the next byte is not a letter or digit ("libssh" does not match "libssh2_1.10"). */
static const struct {
    const char *prefix, *family;
} ssh_families[] = {
    {"OpenSSH", "openssh"},   {"dropbear", "dropbear"}, {"libssh2", "libssh2"},   {"libssh", "libssh"},
    {"paramiko", "paramiko"}, {"Go", "go"},             {"PuTTY", "putty"},       {"AsyncSSH", "asyncssh"},
    {"JSCH", "jsch"},         {"Nmap", "nmap"},         {"ZGrab", "zgrab"},       {"WinSCP", "winscp"},
    {"Twisted", "twisted"},   {"Cisco", "cisco"},       {"ROSSSH", "mikrotik"},   {"SSHJ", "sshj"},
    {"russh", "russh"},       {"Erlang", "erlang"},     {"MINA", "apache-mina"}, {"phpseclib", "phpseclib"},
};

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static const char *ssh_family(net_slice sw)
{
    for (size_t i = 0; i < sizeof ssh_families / sizeof ssh_families[0]; i++) {
        size_t k = strlen(ssh_families[i].prefix);
        if (sw.n >= k && net_slice_ieq((net_slice){sw.p, k}, ssh_families[i].prefix) &&
            (sw.n == k || !is_alnum(sw.p[k])))
            return ssh_families[i].family;
    }
    return "other";
}

net_proto_rc net_ssh_ident_parse(const uint8_t *p, size_t n, net_ssh_ident *out)
{
    memset(out, 0, sizeof *out);
    if (memcmp(p, "SSH-", n < 4 ? n : 4) != 0)
        return NET_PROTO_NOT_MINE;
    size_t end, next;
    net_proto_rc rc = net_proto_line(p, n, 0, 255, &end, &next, NULL);
    if (rc == NET_PROTO_OK && memchr(p, 0, end))
        rc = NET_PROTO_MALFORMED;
    if (rc == NET_PROTO_MALFORMED)
        out->why = NET_WHY_SSH_LINE;
    if (rc != NET_PROTO_OK)
        return rc;
    const uint8_t *dash = end > 4 ? memchr(p + 4, '-', end - 4) : NULL;
    if (!dash || dash == p + 4) {
        out->why = NET_WHY_SSH_SYNTAX;
        return NET_PROTO_MALFORMED;
    }
    size_t ss = (size_t)(dash - p) + 1;
    const uint8_t *sp = memchr(p + ss, ' ', end - ss);
    size_t se = sp ? (size_t)(sp - p) : end;
    out->proto = (net_slice){p + 4, ss - 5};
    out->software = (net_slice){p + ss, se - ss};
    out->comments = sp ? (net_slice){sp + 1, end - se - 1} : (net_slice){p + end, 0};
    out->family = ssh_family(out->software);
    out->used = next;
    return NET_PROTO_OK;
}

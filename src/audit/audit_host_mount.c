/* Host baseline, mounts: /etc/fstab (and /proc/self/mounts on the live host, which wins):
 * separate /tmp, /var/tmp, /dev/shm, /home... with nodev, nosuid, noexec where CIS asks. */
#include "audit/audit_host_int.h"

#include <stdio.h>
#include <string.h>

static kw_rc mnt_check(host_ctx *c, const host_check *k);

/* key: mount point; want: options required (comma list; "" for "separate partition"). */
#define M(id, en, zh, sev, cis, dir, opts, fix) \
    {id, "mount", en, zh, sev, {cis, "8.1.4.4 f)"}, HS_NONE, dir, HC_EQ, opts, NULL, \
     (opts[0] ? dir " mounted with " opts : dir " a separate file system"), fix, mnt_check, 0}

static const host_check rows[] = {
    M("KW-MOUNT-TMP-SEPARATE", "/tmp is a separate file system", "/tmp 为独立分区", FINDING_LOW, "1.1.2.1.1", "/tmp", "",
      "Mount /tmp as tmpfs (systemctl unmask tmp.mount) or its own partition."),
    M("KW-MOUNT-TMP-NODEV", "/tmp is mounted nodev", "/tmp 挂载 nodev", FINDING_LOW, "1.1.2.1.2", "/tmp", "nodev", "Add nodev to /tmp's options in /etc/fstab."),
    M("KW-MOUNT-TMP-NOSUID", "/tmp is mounted nosuid", "/tmp 挂载 nosuid", FINDING_MEDIUM, "1.1.2.1.3", "/tmp", "nosuid", "Add nosuid to /tmp's options in /etc/fstab."),
    M("KW-MOUNT-TMP-NOEXEC", "/tmp is mounted noexec", "/tmp 挂载 noexec", FINDING_MEDIUM, "1.1.2.1.4", "/tmp", "noexec", "Add noexec to /tmp's options in /etc/fstab."),
    M("KW-MOUNT-DEVSHM-NODEV", "/dev/shm is mounted nodev", "/dev/shm 挂载 nodev", FINDING_LOW, "1.1.2.2.2", "/dev/shm", "nodev", "Add a /dev/shm tmpfs line with nodev,nosuid,noexec to /etc/fstab."),
    M("KW-MOUNT-DEVSHM-NOSUID", "/dev/shm is mounted nosuid", "/dev/shm 挂载 nosuid", FINDING_LOW, "1.1.2.2.3", "/dev/shm", "nosuid", "Add nosuid to /dev/shm's options."),
    M("KW-MOUNT-DEVSHM-NOEXEC", "/dev/shm is mounted noexec", "/dev/shm 挂载 noexec", FINDING_MEDIUM, "1.1.2.2.4", "/dev/shm", "noexec", "Add noexec to /dev/shm's options."),
    M("KW-MOUNT-VARTMP-SEPARATE", "/var/tmp is a separate file system", "/var/tmp 为独立分区", FINDING_LOW, "1.1.2.5.1", "/var/tmp", "", "Give /var/tmp its own partition (or a bind mount of /tmp)."),
    M("KW-MOUNT-VARTMP-NOSUID", "/var/tmp is mounted nosuid", "/var/tmp 挂载 nosuid", FINDING_LOW, "1.1.2.5.3", "/var/tmp", "nosuid", "Add nosuid to /var/tmp's options."),
    M("KW-MOUNT-VARTMP-NOEXEC", "/var/tmp is mounted noexec", "/var/tmp 挂载 noexec", FINDING_LOW, "1.1.2.5.4", "/var/tmp", "noexec", "Add noexec to /var/tmp's options."),
    M("KW-MOUNT-HOME-NODEV", "/home is mounted nodev", "/home 挂载 nodev", FINDING_LOW, "1.1.2.3.2", "/home", "nodev", "Add nodev to /home's options."),
    M("KW-MOUNT-HOME-NOSUID", "/home is mounted nosuid", "/home 挂载 nosuid", FINDING_LOW, "1.1.2.3.3", "/home", "nosuid", "Add nosuid to /home's options."),
    M("KW-MOUNT-VAR-SEPARATE", "/var is a separate file system", "/var 为独立分区", FINDING_INFO, "1.1.2.4.1", "/var", "", "Give /var its own partition."),
    M("KW-MOUNT-VARLOG-SEPARATE", "/var/log is a separate file system", "/var/log 为独立分区", FINDING_LOW, "1.1.2.6.1", "/var/log", "", "Give /var/log its own partition."),
    M("KW-MOUNT-VARLOGAUDIT-SEPARATE", "/var/log/audit is a separate file system", "/var/log/audit 为独立分区", FINDING_LOW, "1.1.2.7.1", "/var/log/audit", "", "Give /var/log/audit its own partition."),
    M("KW-MOUNT-VARLOG-NOEXEC", "/var/log is mounted noexec", "/var/log 挂载 noexec", FINDING_LOW, "1.1.2.6.4", "/var/log", "noexec", "Add noexec to /var/log's options."),
};

static bool opt_has(const char *opts, const char *o)
{
    return host_word_in(opts, o, strlen(o));
}

static const host_mnt *find_mnt(const host_mnts *m, const char *dir)
{
    const host_mnt *hit = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].dir, dir) == 0)
            hit = &m->v[i]; /* the last mount over a point is the one seen */
    return hit;
}

static kw_rc mnt_check(host_ctx *c, const host_check *k)
{
    host_mnt_load(c);
    const host_mnts *src = c->mounts.present ? &c->mounts : &c->fstab;
    const char *file = c->mounts.present ? "/proc/self/mounts" : "/etc/fstab";
    if (!src->present)
        return host_na(c, k, "no /etc/fstab");
    const host_mnt *m = find_mnt(src, k->key);
    if (!m && src == &c->mounts && (m = find_mnt(&c->fstab, k->key)) != NULL)
        file = "/etc/fstab";
    if (!m) {
        /* /dev/shm is always mounted by systemd: judged on fstab's line only when given */
        return host_emit(c, k, k->want[0] && strcmp(k->key, "/dev/shm") != 0 ? AUDIT_NA : AUDIT_FAIL, file, 0, NULL,
                         "not a separate file system", NULL);
    }
    char text[600];
    snprintf(text, sizeof text, "%s %s %s %s", m->dev, m->dir, m->type, m->opts);
    bool ok = true;
    char o[32];
    for (const char *p = k->want; host_next_word(&p, o, sizeof o);)
        ok &= opt_has(m->opts, o);
    return host_emit(c, k, ok ? AUDIT_PASS : AUDIT_FAIL, file, src == &c->mounts && file[1] == 'p' ? 0 : m->line, text,
                     m->opts[0] ? m->opts : "defaults", NULL);
}

const host_family host_fam_mount = {rows, sizeof rows / sizeof rows[0]};

/* The host baseline (audit_host.c and the family tables): a "weak" root with known failures
 * and its "hardened" twin built in a temp dir, the catalogue's shape, and a run on "/". */
#include "audit/audit_host.h"
#include "kw_test.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- building a root ---- */

static void mkparents(const char *path)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
}

static void put(const char *root, const char *path, const char *text, mode_t mode)
{
    char p[4096];
    snprintf(p, sizeof p, "%s%s", root, path);
    mkparents(p);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
    chmod(p, mode);
}

static void dir(const char *root, const char *path, mode_t mode)
{
    char p[4096];
    snprintf(p, sizeof p, "%s%s/", root, path);
    mkparents(p);
    snprintf(p, sizeof p, "%s%s", root, path);
    chmod(p, mode);
}

static void link_to(const char *root, const char *path, const char *target)
{
    char p[4096];
    snprintf(p, sizeof p, "%s%s", root, path);
    mkparents(p);
    CHECK(symlink(target, p) == 0);
}

/* Files both roots share. */
static void common(const char *r)
{
    put(r, "/etc/passwd-", "", 0644);
    put(r, "/etc/group", "root:x:0:\nbob:x:1000:\nshadow:x:42:\n", 0644);
    put(r, "/etc/gshadow", "root:*::\n", 0640);
    put(r, "/etc/ssh/ssh_host_ed25519_key", "k\n", 0600);
    put(r, "/usr/bin/passwd", "", 04755);
    link_to(r, "/etc/systemd/system/multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service");
}

/* Known failures, each on a known line. */
static void weak(const char *r)
{
    common(r);
    put(r, "/etc/ssh/sshd_config",
        "# weak\n"
        "Include /etc/ssh/sshd_config.d/*.conf\n"
        "PermitRootLogin yes\n"
        "PasswordAuthentication yes\n"
        "PermitEmptyPasswords yes\n"
        "Match User backup\n"
        "  PermitRootLogin no\n", 0644);
    put(r, "/etc/ssh/sshd_config.d/10-fwd.conf", "X11Forwarding yes\nPermitRootLogin without-password\n", 0644);
    put(r, "/etc/login.defs", "MAIL_DIR /var/mail\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\n", 0644);
    put(r, "/etc/pam.d/common-password", "password [success=1 default=ignore] pam_unix.so obscure\n", 0644);
    put(r, "/etc/pam.d/common-auth", "auth [success=1 default=ignore] pam_unix.so nullok\n", 0644);
    put(r, "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\n"
        "toor:x:0:0::/root:/bin/bash\n"
        "bob:x:1000:1000::/home/bob:/bin/bash\n"
        "ghost:x:1001:1000::/home/ghost:/bin/bash\n"
        "daemon:x:1:1::/usr/sbin:/bin/sh\n", 0644);
    put(r, "/etc/shadow",
        "root:$6$s$h:19000:0:99999:7:::\n"
        "toor:$6$s$h:19000:0:99999:7:::\n"
        "bob::19000:0:99999:7:::\n"
        "daemon:*:19000:0:99999:7:::\n", 0644);
    put(r, "/etc/sudoers", "root ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n", 0440);
    put(r, "/etc/sudoers.d/bob", "# bob\nbob ALL=(ALL) NOPASSWD: ALL\n", 0666);
    put(r, "/etc/sysctl.d/60-fw.conf", "# forwarding\nnet.ipv4.ip_forward = 1\n", 0644);
    put(r, "/var/lib/dpkg/status",
        "Package: openssh-server\nStatus: install ok installed\nVersion: 1:9.2p1-2\n\n"
        "Package: telnetd\nStatus: install ok installed\nDescription: telnet server\n continuation\n\n"
        "Package: auditd\nStatus: deinstall ok config-files\n\n", 0644);
    put(r, "/etc/fstab", "# fstab\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sda2 /tmp ext4 defaults,nodev 0 2\n", 0644);
    put(r, "/usr/local/bin/evil", "", 04755);
    put(r, "/etc/security/limits.conf", "# nothing\n", 0644);
    put(r, "/etc/logrotate.conf", "weekly\nrotate 4\n/var/log/wtmp {\n rotate 1\n}\n", 0644);
}

static void hardened(const char *r)
{
    common(r);
    put(r, "/etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\n"
        "PermitRootLogin no\n"
        "PasswordAuthentication no\n"
        "PermitEmptyPasswords no\n"
        "MaxAuthTries 3\n", 0600);
    put(r, "/etc/ssh/sshd_config.d/10-fwd.conf", "X11Forwarding no\n", 0600);
    put(r, "/etc/login.defs", "PASS_MAX_DAYS 90\nPASS_MIN_DAYS 1\nENCRYPT_METHOD YESCRYPT\n", 0644);
    put(r, "/etc/pam.d/common-password",
        "password requisite pam_pwquality.so retry=3\n"
        "password [success=1 default=ignore] pam_unix.so obscure yescrypt remember=5\n", 0644);
    put(r, "/etc/pam.d/common-auth", "auth required pam_faillock.so preauth\nauth [success=1 default=ignore] pam_unix.so\n", 0644);
    put(r, "/etc/security/pwquality.conf", "minlen = 14\nminclass = 4\nenforce_for_root\n", 0644);
    put(r, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000::/home/bob:/bin/bash\n"
                         "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n", 0644);
    put(r, "/etc/shadow", "root:$6$s$h:19000:0:90:7:::\nbob:$y$s$h:19000:1:90:7:::\ndaemon:*:19000:0:99999:7:::\n", 0640);
    put(r, "/etc/sudoers", "Defaults use_pty\nDefaults logfile=\"/var/log/sudo.log\"\nroot ALL=(ALL:ALL) ALL\n"
                          "%sudo ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n", 0440);
    put(r, "/etc/sudoers.d/bob", "bob ALL=(root) /usr/bin/systemctl restart nginx\n", 0440);
    put(r, "/etc/sysctl.d/60-fw.conf", "net.ipv4.ip_forward = 0\n", 0644);
    put(r, "/var/lib/dpkg/status",
        "Package: openssh-server\nStatus: install ok installed\n\n"
        "Package: auditd\nStatus: install ok installed\n\n"
        "Package: nftables\nStatus: install ok installed\n", 0644);
    link_to(r, "/etc/systemd/system/multi-user.target.wants/auditd.service", "/lib/systemd/system/auditd.service");
    link_to(r, "/etc/systemd/system/sysinit.target.wants/nftables.service", "/lib/systemd/system/nftables.service");
    put(r, "/etc/fstab", "UUID=1 / ext4 errors=remount-ro 0 1\ntmpfs /tmp tmpfs defaults,nodev,nosuid,noexec 0 0\n", 0644);
    put(r, "/etc/security/limits.d/60-core.conf", "* hard core 0\n", 0644);
    put(r, "/etc/logrotate.conf", "weekly\nrotate 26\n", 0644);
    dir(r, "/home/bob", 0750);
}

/* ---- collecting results ---- */

#define MAXR 2000
typedef struct res {
    char id[64], file[256], found[256], key[256];
    int line;
    audit_status st;
} res;
typedef struct run {
    res v[MAXR];
    size_t n;
} run;

static kw_rc collect(void *arg, const audit_res *r)
{
    run *u = arg;
    if (!r->id || !r->title_en || !r->title_zh)
        return KW_ERR_PARSE;
    if (u->n == MAXR)
        return KW_OK;
    res *o = &u->v[u->n++];
    snprintf(o->id, sizeof o->id, "%s", r->id);
    snprintf(o->file, sizeof o->file, "%s", r->file ? r->file : "");
    snprintf(o->found, sizeof o->found, "%s", r->found ? r->found : "");
    snprintf(o->key, sizeof o->key, "%s", r->key ? r->key : "");
    o->line = r->line;
    o->st = r->status;
    return KW_OK;
}

/* The nth result of id (0-based), or NULL. */
static const res *get(const run *u, const char *id, int nth)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->v[i].id, id) == 0 && nth-- == 0)
            return &u->v[i];
    return NULL;
}

static int count(const run *u, const char *id, audit_status st)
{
    int n = 0;
    for (size_t i = 0; i < u->n; i++)
        n += strcmp(u->v[i].id, id) == 0 && u->v[i].st == st;
    return n;
}

#define EXPECT(u, id, status, F_, L_, V_)                                 \
    do {                                                                         \
        const res *e_ = get(u, id, 0);                                           \
        CHECK(e_ != NULL);                                                       \
        if (e_) {                                                                \
            if (e_->st != (status))                                              \
                fprintf(stderr, "  %s: status %d found '%s'\n", id, e_->st, e_->found); \
            CHECK_INT((int)e_->st, (int)(status));                               \
            if (F_)                                                            \
                CHECK_STR(e_->file, (const char *)(F_));                       \
            if ((L_) >= 0)                                                     \
                CHECK_INT(e_->line, L_);                                       \
            if (V_)                                                           \
                CHECK_STR(e_->found, (const char *)(V_));                     \
        }                                                                        \
    } while (0)

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static size_t catalogue_n;

static void do_run(void (*build)(const char *), run *u, audit_host_stats *st)
{
    char tmpl[] = "/tmp/kw-audit-host-XXXXXX";
    char *d = mkdtemp(tmpl);
    CHECK(d != NULL);
    if (!d)
        return;
    build(d);
    audit_root r;
    char err[256];
    CHECK(audit_root_open(&r, d, err, sizeof err) == KW_OK);
    audit_host_opts o = {.now_ms = (int64_t)19100 * 86400000};
    CHECK(audit_host_run(&r, &o, collect, u, st) == KW_OK);
    audit_root_close(&r);
    nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static run weak_run, hard_run;

static void weak_root(void)
{
    audit_host_stats st;
    do_run(weak, &weak_run, &st);
    run *u = &weak_run;
    CHECK(st.checks == catalogue_n);
    /* sshd: first value wins; the Include comes first, so its PermitRootLogin decides */
    EXPECT(u, "KW-SSH-ROOT-LOGIN", AUDIT_FAIL, "/etc/ssh/sshd_config.d/10-fwd.conf", 2, "without-password");
    EXPECT(u, "KW-SSH-PASSWORD-AUTH", AUDIT_FAIL, "/etc/ssh/sshd_config", 4, "yes");
    EXPECT(u, "KW-SSH-EMPTY-PASSWORDS", AUDIT_FAIL, "/etc/ssh/sshd_config", 5, "yes");
    EXPECT(u, "KW-SSH-X11-FORWARDING", AUDIT_FAIL, "/etc/ssh/sshd_config.d/10-fwd.conf", 1, "yes");
    EXPECT(u, "KW-SSH-MAX-AUTH-TRIES", AUDIT_FAIL, NULL, 0, "6 (default)");
    EXPECT(u, "KW-PERM-SSHD-CONFIG", AUDIT_FAIL, "/etc/ssh/sshd_config", 0, "0644 0:0");
    EXPECT(u, "KW-LOGIN-PASS-MAX-DAYS", AUDIT_FAIL, "/etc/login.defs", 2, "99999");
    EXPECT(u, "KW-LOGIN-PASS-MIN-DAYS", AUDIT_FAIL, "/etc/login.defs", 3, "0");
    EXPECT(u, "KW-PAM-PWQUALITY", AUDIT_FAIL, NULL, 0, "absent");
    EXPECT(u, "KW-PAM-MINLEN", AUDIT_FAIL, NULL, 0, "module not used");
    EXPECT(u, "KW-PAM-FAILLOCK", AUDIT_FAIL, NULL, 0, "absent");
    EXPECT(u, "KW-PAM-NULLOK", AUDIT_FAIL, "/etc/pam.d/common-auth", 1, NULL);
    EXPECT(u, "KW-PAM-UNIX-HASH", AUDIT_FAIL, NULL, 0, "absent");
    EXPECT(u, "KW-ACCT-UID0", AUDIT_FAIL, "/etc/passwd", 2, "toor");
    CHECK_INT(count(u, "KW-ACCT-UID0", AUDIT_FAIL), 1);
    EXPECT(u, "KW-ACCT-EMPTY-PASSWORD", AUDIT_FAIL, "/etc/shadow", 3, "bob");
    EXPECT(u, "KW-ACCT-NO-SHADOW", AUDIT_FAIL, "/etc/passwd", 4, "ghost");
    EXPECT(u, "KW-ACCT-SYSTEM-SHELL", AUDIT_FAIL, "/etc/passwd", 2, "toor (uid 0) /bin/bash");
    CHECK(get(u, "KW-ACCT-SYSTEM-SHELL", 1) && get(u, "KW-ACCT-SYSTEM-SHELL", 1)->line == 5);
    CHECK_INT(count(u, "KW-ACCT-SYSTEM-SHELL", AUDIT_FAIL), 2);
    EXPECT(u, "KW-SUDO-NOPASSWD-ALL", AUDIT_FAIL, "/etc/sudoers.d/bob", 2, "bob ALL=(ALL) NOPASSWD: ALL");
    EXPECT(u, "KW-SUDO-ALL-NON-ADMIN", AUDIT_PASS, NULL, -1, NULL);
    EXPECT(u, "KW-SUDO-WW-INCLUDE", AUDIT_FAIL, "/etc/sudoers.d/bob", 0, "0666 0:0");
    EXPECT(u, "KW-SUDO-USE-PTY", AUDIT_FAIL, NULL, 0, "absent");
    EXPECT(u, "KW-PERM-SHADOW", AUDIT_FAIL, "/etc/shadow", 0, "0644 0:0");
    EXPECT(u, "KW-SYSCTL-IP-FORWARD", AUDIT_FAIL, "/etc/sysctl.d/60-fw.conf", 2, "1");
    EXPECT(u, "KW-SYSCTL-ASLR", AUDIT_PASS, NULL, 0, "2 (kernel default)");
    EXPECT(u, "KW-SYSCTL-PERSISTED", AUDIT_NA, NULL, 0, NULL);
    EXPECT(u, "KW-SVC-TELNETD", AUDIT_FAIL, "/var/lib/dpkg/status", 0, "telnetd");
    EXPECT(u, "KW-SVC-TFTPD", AUDIT_PASS, NULL, -1, "not installed");
    EXPECT(u, "KW-FW-ACTIVE", AUDIT_FAIL, NULL, -1, "none");
    EXPECT(u, "KW-LOG-AUDITD-INSTALLED", AUDIT_FAIL, NULL, -1, "not installed");
    EXPECT(u, "KW-LOG-AUDITD-ENABLED", AUDIT_FAIL, NULL, -1, "not installed");
    EXPECT(u, "KW-LOG-ROTATE-RETENTION", AUDIT_FAIL, "/etc/logrotate.conf", 2, "28 days (rotate 4 x 7 d)");
    EXPECT(u, "KW-MOUNT-TMP-NOEXEC", AUDIT_FAIL, "/etc/fstab", 3, "defaults,nodev");
    EXPECT(u, "KW-MOUNT-TMP-NODEV", AUDIT_PASS, "/etc/fstab", 3, NULL);
    EXPECT(u, "KW-PERM-SUID-UNKNOWN", AUDIT_FAIL, "/usr/local/bin/evil", 0, "/usr/local/bin/evil 4755 0:0");
    CHECK_INT(count(u, "KW-PERM-SUID-UNKNOWN", AUDIT_FAIL), 1); /* /usr/bin/passwd is standard */
    EXPECT(u, "KW-PERM-WORLD-WRITABLE", AUDIT_FAIL, "/etc/sudoers.d/bob", 0, NULL);
    EXPECT(u, "KW-CORE-LIMITS", AUDIT_FAIL, NULL, 0, "absent");
    EXPECT(u, "KW-PERM-SSH-HOST-KEYS", AUDIT_PASS, "/etc/ssh/ssh_host_ed25519_key", 0, "0600 0:0");
    EXPECT(u, "KW-ACCT-PASS-MAX-AGE", AUDIT_FAIL, "/etc/shadow", 1, "root max 99999");
}

static void hardened_root(void)
{
    audit_host_stats st;
    do_run(hardened, &hard_run, &st);
    run *u = &hard_run;
    CHECK(st.checks == catalogue_n);
    EXPECT(u, "KW-SSH-ROOT-LOGIN", AUDIT_PASS, "/etc/ssh/sshd_config", 2, "no");
    EXPECT(u, "KW-SSH-PASSWORD-AUTH", AUDIT_PASS, "/etc/ssh/sshd_config", 3, "no");
    EXPECT(u, "KW-SSH-EMPTY-PASSWORDS", AUDIT_PASS, "/etc/ssh/sshd_config", 4, "no");
    EXPECT(u, "KW-SSH-X11-FORWARDING", AUDIT_PASS, "/etc/ssh/sshd_config.d/10-fwd.conf", 1, "no");
    EXPECT(u, "KW-SSH-MAX-AUTH-TRIES", AUDIT_PASS, "/etc/ssh/sshd_config", 5, "3");
    EXPECT(u, "KW-PERM-SSHD-CONFIG", AUDIT_PASS, "/etc/ssh/sshd_config", 0, "0600 0:0");
    EXPECT(u, "KW-LOGIN-PASS-MAX-DAYS", AUDIT_PASS, "/etc/login.defs", 1, "90");
    EXPECT(u, "KW-LOGIN-PASS-MIN-DAYS", AUDIT_PASS, "/etc/login.defs", 2, "1");
    EXPECT(u, "KW-PAM-PWQUALITY", AUDIT_PASS, "/etc/pam.d/common-password", 1, NULL);
    EXPECT(u, "KW-PAM-MINLEN", AUDIT_PASS, "/etc/security/pwquality.conf", 1, "14");
    EXPECT(u, "KW-PAM-ENFORCE-ROOT", AUDIT_PASS, "/etc/security/pwquality.conf", 3, "1");
    EXPECT(u, "KW-PAM-REMEMBER", AUDIT_PASS, "/etc/pam.d/common-password", 2, "5");
    EXPECT(u, "KW-PAM-FAILLOCK", AUDIT_PASS, "/etc/pam.d/common-auth", 1, NULL);
    EXPECT(u, "KW-PAM-NULLOK", AUDIT_PASS, NULL, 0, "none");
    EXPECT(u, "KW-PAM-UNIX-HASH", AUDIT_PASS, "/etc/pam.d/common-password", 2, NULL);
    EXPECT(u, "KW-ACCT-UID0", AUDIT_PASS, "/etc/passwd", 0, "none");
    EXPECT(u, "KW-ACCT-EMPTY-PASSWORD", AUDIT_PASS, "/etc/shadow", 0, "none");
    EXPECT(u, "KW-ACCT-NO-SHADOW", AUDIT_PASS, "/etc/passwd", 0, "none");
    EXPECT(u, "KW-ACCT-SYSTEM-SHELL", AUDIT_PASS, "/etc/passwd", 0, "none");
    EXPECT(u, "KW-ACCT-PASS-MAX-AGE", AUDIT_PASS, "/etc/shadow", 0, "none");
    EXPECT(u, "KW-ACCT-HOME-EXISTS", AUDIT_PASS, "/etc/passwd", 0, "none");
    EXPECT(u, "KW-SUDO-NOPASSWD-ALL", AUDIT_PASS, NULL, 0, "none");
    EXPECT(u, "KW-SUDO-WW-INCLUDE", AUDIT_PASS, NULL, 0, "none");
    EXPECT(u, "KW-SUDO-USE-PTY", AUDIT_PASS, "/etc/sudoers", 1, "Defaults use_pty");
    EXPECT(u, "KW-SUDO-LOGFILE", AUDIT_PASS, "/etc/sudoers", 2, NULL);
    EXPECT(u, "KW-PERM-SHADOW", AUDIT_PASS, "/etc/shadow", 0, "0640 0:0");
    EXPECT(u, "KW-SYSCTL-IP-FORWARD", AUDIT_PASS, "/etc/sysctl.d/60-fw.conf", 1, "0");
    EXPECT(u, "KW-SVC-TELNETD", AUDIT_PASS, "/var/lib/dpkg/status", 0, "not installed");
    EXPECT(u, "KW-FW-ACTIVE", AUDIT_PASS, NULL, -1, "nftables.service");
    EXPECT(u, "KW-LOG-AUDITD-INSTALLED", AUDIT_PASS, NULL, -1, "auditd");
    EXPECT(u, "KW-LOG-AUDITD-ENABLED", AUDIT_PASS, NULL, -1, "enabled");
    EXPECT(u, "KW-LOG-ROTATE-RETENTION", AUDIT_PASS, "/etc/logrotate.conf", 2, "182 days (rotate 26 x 7 d)");
    EXPECT(u, "KW-MOUNT-TMP-NOEXEC", AUDIT_PASS, "/etc/fstab", 2, "defaults,nodev,nosuid,noexec");
    EXPECT(u, "KW-PERM-SUID-UNKNOWN", AUDIT_PASS, NULL, 0, "none");
    EXPECT(u, "KW-PERM-WORLD-WRITABLE", AUDIT_PASS, NULL, 0, "none");
    EXPECT(u, "KW-CORE-LIMITS", AUDIT_PASS, "/etc/security/limits.d/60-core.conf", 1, "* hard core 0");
}

/* ---- the catalogue ---- */

#define MAXC 1000
static const char *ids[MAXC];
static int bad_rows;

static kw_rc cat_row(void *arg, const audit_res *p)
{
    (void)arg;
    if (!p->id || !p->title_en || !p->title_zh || !p->title_en[0] || !p->title_zh[0] || !p->fix || !p->fix[0] ||
        (!p->refs.cis && !p->refs.gb) || !p->group || strncmp(p->id, "KW-", 3) != 0 || !p->expected) {
        fprintf(stderr, "  bad row %s\n", p->id ? p->id : "(null)");
        bad_rows++;
    }
    if (catalogue_n < MAXC)
        ids[catalogue_n] = p->id;
    catalogue_n++;
    return KW_OK;
}

static void catalogue(void)
{
    CHECK(audit_host_each(cat_row, NULL) == KW_OK);
    CHECK(catalogue_n >= 200);
    CHECK_INT(bad_rows, 0);
    int dups = 0;
    for (size_t i = 0; i < catalogue_n && i < MAXC; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0) {
                fprintf(stderr, "  duplicate id %s\n", ids[i]);
                dups++;
            }
    CHECK_INT(dups, 0);
    printf("catalogue: %zu checks\n", catalogue_n);
}

/* Every check that passed on the weak root and failed on the hardened one would be a check
 * upside down: none may. */
static void twins_agree(void)
{
    int wrong = 0;
    for (size_t i = 0; i < hard_run.n; i++) {
        const res *h = &hard_run.v[i];
        if (h->st != AUDIT_FAIL || h->key[0])
            continue;
        const res *w = get(&weak_run, h->id, 0);
        if (w && w->st == AUDIT_PASS) {
            fprintf(stderr, "  %s passes weak, fails hardened\n", h->id);
            wrong++;
        }
    }
    CHECK_INT(wrong, 0);
}

static void only_and_profile(void)
{
    audit_root r;
    char err[256];
    CHECK(audit_root_open(&r, "/", err, sizeof err) == KW_OK);
    const char *only[] = {"KW-SSH-*"};
    audit_host_opts o = {.only = only, .nonly = 1};
    audit_host_stats st;
    CHECK(audit_host_run(&r, &o, NULL, NULL, &st) == KW_OK);
    CHECK(st.checks > 20 && st.checks < 40);
    audit_host_opts bad = {.profile = "toaster"};
    CHECK(audit_host_run(&r, &bad, NULL, NULL, &st) == KW_ERR_RANGE);
    audit_root_close(&r);
}

static kw_rc live_emit(void *arg, const audit_res *r)
{
    size_t *n = arg;
    (*n)++;
    return r->id && r->title_en && r->title_zh && r->status <= AUDIT_NOTE ? KW_OK : KW_ERR_PARSE;
}

static void live_host(void)
{
    audit_root r;
    char err[256];
    CHECK(audit_root_open(&r, "/", err, sizeof err) == KW_OK);
    CHECK(r.live);
    size_t n = 0;
    audit_host_stats st;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK(audit_host_run(&r, NULL, live_emit, &n, &st) == KW_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    CHECK(st.checks == catalogue_n);
    CHECK(n == st.pass + st.fail + st.na);
    CHECK(n >= st.checks);
    printf("live: %zu checks, %zu results (%zu pass, %zu fail, %zu n/a) in %.3f s\n", st.checks, n, st.pass, st.fail,
           st.na, (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    audit_root_close(&r);
}

int main(void)
{
    RUN(catalogue);
    RUN(weak_root);
    RUN(hardened_root);
    RUN(twins_agree);
    RUN(only_and_profile);
    RUN(live_host);
    TEST_MAIN_END();
}

/* The drill's log lines (drill_inject_log.c): the built-in sets (an SSH brute force in a
 * Debian 12 auth.log, web attacks in a combined access log, a FortiGate deny surge, MySQL
 * login failures), their placeholders filled in, and each line as a watched file holds it or
 * as the syslog listener takes it. Pure: the caller gives the time and the values. */
#ifndef KW_DRILL_LINES_H
#define KW_DRILL_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_buf.h"

/* How a set's lines carry their time, and how they travel by syslog. */
typedef enum {
    DRILL_LINES_SYSLOG,  /* "{time} HOST APP[PID]: MSG" in a file (rsyslog's RFC 3339 stamps, as Debian 12
                            writes auth.log); RFC 5424 by syslog */
    DRILL_LINES_ACCESS,  /* the line is the message (Apache/nginx combined, CLF stamps); RFC 5424 by syslog */
    DRILL_LINES_MYSQL,   /* the line is the message (MySQL 8 error log, UTC ISO stamps); RFC 5424 by syslog */
    DRILL_LINES_KV,      /* a device's key=value line (FortiGate date= time=); "<PRI>" + the line by syslog */
} drill_lines_form;

typedef struct drill_line_set {
    const char *name;           /* ssh_brute_force, web_attack, firewall_deny, db_login_failure */
    const char *en, *zh;        /* what the lines are, in words */
    drill_lines_form form;
    const char *app;            /* the program the lines come from (sshd, nginx, mysqld, -) */
    int pri;                    /* syslog facility * 8 + severity */
    int64_t count;              /* lines sent when the injection gives no count */
    const char *const *lines;   /* the templates, sent in turn */
    size_t nlines;
    const char *expect;         /* what keepwatch raises for them (rule or watch detection names) */
    const char *marks;          /* a value its alerts' labels carry besides {src} (the device's name), or NULL */
} drill_line_set;

/* The built-in set called name, or NULL. */
const drill_line_set *drill_lines_builtin(const char *name);

/* The values the placeholders take: {src} {port} {time} {target}. */
typedef struct drill_line_vars {
    const char *src;            /* the attacking address */
    const char *target;         /* the address attacked */
    int64_t now_ms;             /* {time}, in the set's form, local time (MySQL: UTC) */
    uint32_t seq;               /* the line's number: varies {port} and the set's own fields */
} drill_line_vars;

/* Appends template t with its placeholders filled (an unknown "{...}" is kept as it is) to
 * out, in the set's form (NULL form: DRILL_LINES_ACCESS, the template alone). */
void drill_lines_render(const drill_line_set *set, const char *t, const drill_line_vars *v, kw_buf *out);
/* The line as a watched file gets it (no newline). */
void drill_lines_file_line(const drill_line_set *set, const char *t, const drill_line_vars *v, kw_buf *out);
/* The line as one syslog message (no framing, no newline): RFC 5424 or the device's own. */
void drill_lines_syslog_msg(const drill_line_set *set, const char *t, const drill_line_vars *v, kw_buf *out);

#endif

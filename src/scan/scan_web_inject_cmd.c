/* The OS command injection check (KW-WEB-CMDI). Each probe appends to the value an echo of a
 * marker followed by an arithmetic expansion ("kwX$((41*797))") and a short sleep: output proof
 * when the answer shows the marker followed by the computed number (a reflection of the payload
 * never does), blind proof when the answer came the sleep later than the page as seen, a longer
 * sleep delays it longer again, and the page as seen is still quick afterwards. Two probes in
 * the standard profile: ";echo M$((..))$(sleep N)" (the sleep in a command substitution runs
 * after a separator, inside double quotes and where the separator was stripped alike) and
 * newline-separated "sleep N", "echo M", "expr 41 + 32636" (for filters that strip ';', '|',
 * '&', '$' and parentheses but forget the newline, and the marker and the sum print on their own
 * lines). The thorough profile adds a pipe, backticks, quotes broken out of, the value replaced
 * instead of appended, and Windows' cmd.exe ("&echo M&set /a 41*797&" prints the product). */
#include "scan/scan_web_inject.h"

#include <stdio.h>
#include <string.h>

#define CMD_EXPR "$((41*797))"       /* what the shell computes, */
#define CMD_EXPR2 "expr 41 + 32636"  /* or a command does, for filters that strip '$' and '(' */
#define CMD_VALUE 32677L             /* and what both give */
#define CMD_N1 2                     /* seconds slept by a first probe */
#define CMD_N2 4                     /* seconds slept by its confirmation */

static const inj_spec cmdi_spec = {
    .check_id = "KW-WEB-CMDI",
    .category = "command_injection",
    .title = "OS command injection: a parameter runs commands on the server",
    .title_zh = "操作系统命令注入：参数可在服务器上执行命令",
    .cwe = "CWE-78",
    .severity = FINDING_CRITICAL,
    .advice_en = "Do not pass request input to a shell. Call the program directly with an argument "
                 "list (execve, subprocess without shell=True, ProcessBuilder, execFile), validate the "
                 "input against a strict pattern of what it may be (an address, a number), and put '--' "
                 "before it so it cannot become an option. Better still, use a library call instead of "
                 "a command.",
    .advice_zh = "不要把请求参数交给 shell。应以参数数组直接调用程序（execve、不带 shell=True 的 "
                 "subprocess、ProcessBuilder、execFile），按严格格式校验输入（如地址、数字），并在其前加 "
                 "'--' 防止被当作选项；能用库函数完成的就不要调用外部命令。",
};

/* A probe: tmpl with "%M" for the marker and "%N" for the seconds to sleep (none: output only). */
typedef struct cmd_form {
    const char *tmpl;
    const char *computes;            /* what prints CMD_VALUE after the marker; NULL: nothing */
    web_mut mode;
    bool thorough;                   /* only in the thorough profile */
} cmd_form;

static const cmd_form cmd_forms[] = {
    {";echo %M" CMD_EXPR "$(sleep %N)", CMD_EXPR, WEB_MUT_APPEND, false},
    {"\nsleep %N\necho %M\n" CMD_EXPR2, CMD_EXPR2, WEB_MUT_APPEND, false},
    {"|sleep %N|echo %M" CMD_EXPR, CMD_EXPR, WEB_MUT_APPEND, true},
    {"`sleep %N`", NULL, WEB_MUT_APPEND, true},
    {"';sleep %N;echo %M" CMD_EXPR ";'", CMD_EXPR, WEB_MUT_APPEND, true},
    {"\";sleep %N;echo %M" CMD_EXPR ";\"", CMD_EXPR, WEB_MUT_APPEND, true},
    {";echo %M" CMD_EXPR "$(sleep %N)", CMD_EXPR, WEB_MUT_REPLACE, true},
    {"|sleep %N|echo %M" CMD_EXPR, CMD_EXPR, WEB_MUT_REPLACE, true},
    {"&echo %M&set /a 41*797&", "set /a 41*797", WEB_MUT_APPEND, true},
};

/* f's payload with marker m and n seconds, into out (cut at outn). */
static void cmd_payload(const cmd_form *f, int n, const char *m, char *out, size_t outn)
{
    size_t k = 0;
    for (const char *p = f->tmpl; *p && k + 1 < outn; p++) {
        if (p[0] == '%' && (p[1] == 'M' || p[1] == 'N')) {
            int w = p[1] == 'M' ? snprintf(out + k, outn - k, "%s", m) : snprintf(out + k, outn - k, "%d", n);
            k = w > 0 && (size_t)w < outn - k ? k + (size_t)w : outn - 1;
            p++;
            continue;
        }
        out[k++] = *p;
    }
    out[k] = '\0';
}

static bool cmd_sleeps(const cmd_form *f)
{
    return strstr(f->tmpl, "%N") != NULL;
}

typedef struct cmd_run {
    const inj_io *io;
    web_ctx *x;
    const web_target *t;
    size_t i;
    char m[16];                      /* the marker of the form being tried (a new one each) */
    int64_t base_us;                 /* the page as seen; -1 until measured */
    bool done;
} cmd_run;

static int64_t cmd_baseline(cmd_run *r)
{
    inj_probe p = {0};
    int64_t us = inj_probe_baseline(r->io, r->x, r->t, r->i, &p) == KW_OK ? p.r.elapsed_us : -1;
    inj_probe_free(r->io, &p);
    return us;
}

static kw_rc cmd_send(cmd_run *r, const cmd_form *f, int n, inj_probe *p)
{
    char payload[160];
    cmd_payload(f, n, r->m, payload, sizeof payload);
    /* a value that carries a payload already (a recheck's) is replaced, so its sleep adds nothing */
    web_mut mode = inj_value_ours(r->t->params[r->i].value) ? WEB_MUT_REPLACE : f->mode;
    inj_send s = {.i = r->i, .payload = payload, .mode = mode, .timeout_ms = (n + 15) * 1000};
    kw_rc rc = inj_probe_send(r->io, r->x, r->t, &s, p);
    if (rc == KW_ERR_RANGE || r->io->stopping(r->x))
        r->done = true;
    return rc;
}

/* p1 slept about n1 longer than the page as seen: a longer sleep must delay longer again, and the
 * page as seen must still be quick; reports the timing proof when both hold. */
static kw_rc cmd_timed(cmd_run *r, const cmd_form *f, const inj_probe *p1)
{
    if (r->base_us < 0)
        r->base_us = cmd_baseline(r);
    if (r->base_us < 0 || p1->r.elapsed_us - r->base_us < (int64_t)CMD_N1 * 800000)
        return KW_OK;
    inj_probe p2 = {0};
    kw_rc rc = KW_OK;
    web_timing_lock(); /* the confirming sleep and the quick page after it: no other check's sleep */
    bool slept = cmd_send(r, f, CMD_N2, &p2) == KW_OK && !r->done &&
                 inj_timing_proof(r->base_us, p1->r.elapsed_us, CMD_N1, p2.r.elapsed_us, CMD_N2);
    int64_t again = slept ? cmd_baseline(r) : -1;
    web_timing_unlock();
    if (slept) {
        if (again >= 0 && again - r->base_us < (int64_t)CMD_N1 * 500000) {
            char detail[256];
            snprintf(detail, sizeof detail, "sleep %d and sleep %d delayed the answer %.1f s and %.1f s "
                     "against a %.2f s baseline (%.2f s again after)", CMD_N1, CMD_N2,
                     (double)(p1->r.elapsed_us - r->base_us) / 1e6, (double)(p2.r.elapsed_us - r->base_us) / 1e6,
                     (double)r->base_us / 1e6, (double)again / 1e6);
            rc = inj_probe_report(r->io, r->x, &cmdi_spec, r->t, r->i, &p2, NULL, 0, 0, detail);
            r->done = true;
        }
    }
    inj_probe_free(r->io, &p2);
    return rc;
}

static kw_rc cmd_try(cmd_run *r, const cmd_form *f)
{
    inj_probe p = {0};
    size_t at;
    kw_rc rc = KW_OK;
    r->io->marker(r->x, r->m, 8);
    if (cmd_send(r, f, CMD_N1, &p) != KW_OK) {
        inj_probe_free(r->io, &p);
        return KW_OK;
    }
    if (f->computes && inj_marker_product(p.r.body, p.r.len, r->m, CMD_VALUE, 4, &at)) {
        char detail[256];
        snprintf(detail, sizeof detail, "the answer shows %s and then %ld: the shell ran the parameter's %s",
                 r->m, CMD_VALUE, f->computes);
        rc = inj_probe_report(r->io, r->x, &cmdi_spec, r->t, r->i, &p, NULL, 0, at, detail);
        r->done = true;
    } else if (cmd_sleeps(f) && !r->done && p.r.elapsed_us >= (int64_t)CMD_N1 * 800000) {
        rc = cmd_timed(r, f, &p);
    }
    inj_probe_free(r->io, &p);
    return rc;
}

kw_rc inj_cmdi_run(const inj_io *io, web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    if (inj_skip(io, x, &cmdi_spec, t, i, profile, false))
        return KW_OK;
    cmd_run r = {.io = io, .x = x, .t = t, .i = i, .base_us = -1};
    kw_rc rc = KW_OK;
    for (size_t k = 0; k < sizeof cmd_forms / sizeof cmd_forms[0] && !r.done && rc == KW_OK; k++)
        if (!cmd_forms[k].thorough || (profile & WEB_THOROUGH))
            rc = cmd_try(&r, &cmd_forms[k]);
    return rc;
}

/* The four injection checks as the scanner's table sees them (web_check_traversal, _cmdi,
 * _redirect, _ssti: one per_param each, in the standard and thorough profiles), bound to the
 * engine's functions. Their logic lives in scan_web_inject_{path,cmd,redir,ssti}.c and their
 * proofs in scan_web_inject_match.c. */
#include "scan/scan_web_inject.h"

const inj_io inj_io_web = {
    .send = web_send,
    .response_free = web_response_free,
    .build = web_target_build,
    .built_free = web_built_free,
    .header = web_header,
    .stopping = web_stopping,
    .report = web_report,
    .reported = web_reported,
    .marker = web_marker,
    .excerpt = web_excerpt,
};

static kw_rc traversal_param(web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    return inj_traversal_run(&inj_io_web, x, t, i, profile);
}

static kw_rc cmdi_param(web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    return inj_cmdi_run(&inj_io_web, x, t, i, profile);
}

static kw_rc redirect_param(web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    return inj_redirect_run(&inj_io_web, x, t, i, profile);
}

static kw_rc ssti_param(web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    return inj_ssti_run(&inj_io_web, x, t, i, profile);
}

const web_check web_check_traversal = {"traversal", WEB_STANDARD | WEB_THOROUGH, NULL, NULL, traversal_param, NULL};
const web_check web_check_cmdi = {"cmdi", WEB_STANDARD | WEB_THOROUGH, NULL, NULL, cmdi_param, NULL};
const web_check web_check_redirect = {"redirect", WEB_STANDARD | WEB_THOROUGH, NULL, NULL, redirect_param, NULL};
const web_check web_check_ssti = {"ssti", WEB_STANDARD | WEB_THOROUGH, NULL, NULL, ssti_param, NULL};

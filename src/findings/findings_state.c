/* The remediation workflow of findings.h: the statuses, the moves people make and the looks
 * scans take. No I/O. */
#include "findings/findings.h"

#include <string.h>
#include <strings.h>

static const char *const status_names[FST_COUNT] = {
    "open", "assigned", "fixing", "fixed", "verified", "reopened", "accepted", "false_positive",
};

const char *finding_status_name(finding_status s)
{
    return (unsigned)s < FST_COUNT ? status_names[s] : "open";
}

bool finding_status_parse(const char *word, finding_status *out)
{
    if (!word)
        return false;
    if (strcasecmp(word, "false-positive") == 0 || strcasecmp(word, "fp") == 0) {
        *out = FST_FALSE_POSITIVE;
        return true;
    }
    for (int i = 0; i < FST_COUNT; i++)
        if (strcasecmp(word, status_names[i]) == 0) {
            *out = (finding_status)i;
            return true;
        }
    return false;
}

bool finding_status_active(finding_status s)
{
    return s == FST_OPEN || s == FST_ASSIGNED || s == FST_FIXING || s == FST_REOPENED;
}

bool finding_status_closed(finding_status s)
{
    return s == FST_VERIFIED || s == FST_ACCEPTED || s == FST_FALSE_POSITIVE;
}

static const char *const move_names[] = {"assign", "start", "fix", "accept", "false_positive", "reopen", "verify"};

const char *finding_move_name(finding_move m)
{
    return (unsigned)m < sizeof move_names / sizeof move_names[0] ? move_names[m] : "?";
}

bool finding_move_parse(const char *word, finding_move *out)
{
    if (word && (strcmp(word, "false-positive") == 0 || strcmp(word, "fp") == 0)) {
        *out = FMOVE_FALSE;
        return true;
    }
    for (size_t i = 0; word && i < sizeof move_names / sizeof move_names[0]; i++)
        if (strcmp(word, move_names[i]) == 0) {
            *out = (finding_move)i;
            return true;
        }
    return false;
}

bool finding_move_to(finding_status from, finding_move m, finding_status *to, const char **why)
{
    const char *no = NULL;
    finding_status next = from;
    switch (m) {
    case FMOVE_ASSIGN: /* a new owner may take it over while it is worked on */
        if (!finding_status_active(from))
            no = "only an open finding can be assigned (reopen it first)";
        next = from == FST_FIXING ? FST_FIXING : FST_ASSIGNED;
        break;
    case FMOVE_START:
        if (!finding_status_active(from) || from == FST_FIXING)
            no = from == FST_FIXING ? "it is already being fixed" : "only an open finding can be started";
        next = FST_FIXING;
        break;
    case FMOVE_FIX:
        if (!finding_status_active(from))
            no = "only an open finding can be marked fixed";
        next = FST_FIXED;
        break;
    case FMOVE_ACCEPT:
        if (from == FST_FALSE_POSITIVE || from == FST_VERIFIED)
            no = "a closed finding cannot be accepted (reopen it first)";
        next = FST_ACCEPTED;
        break;
    case FMOVE_FALSE:
        if (from == FST_FALSE_POSITIVE)
            no = "it is already a false positive";
        next = FST_FALSE_POSITIVE;
        break;
    case FMOVE_REOPEN:
        if (finding_status_active(from))
            no = "it is open already";
        next = FST_REOPENED;
        break;
    case FMOVE_VERIFY:
        if (from != FST_FIXED)
            no = "only a fixed finding can be verified";
        next = FST_VERIFIED;
        break;
    default:
        no = "unknown move";
    }
    if (why)
        *why = no;
    if (no)
        return false;
    *to = next;
    return true;
}

finding_status finding_after_scan(finding_status from, finding_seen seen, bool *not_seen)
{
    if (seen == FSEEN_AGAIN) {
        *not_seen = false;
        return from == FST_FIXED || from == FST_VERIFIED ? FST_REOPENED : from;
    }
    *not_seen = finding_status_active(from);
    return from == FST_FIXED ? FST_VERIFIED : from;
}

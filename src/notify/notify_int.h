/* What notify's message files share (notify_tmpl.c, notify_incident.c): values made inert for
 * a channel, times in a zone, mentions. */
#ifndef NOTIFY_INT_H
#define NOTIFY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"

/* Appends s made inert for a channel of type (control characters as spaces; for chat robots
 * markdown, mention tags and links defused), cut at max bytes with "…". */
void notify_put_value(kw_buf *b, const char *s, int type, size_t max);
/* "2026-12-01 18:30:00 +08:00": ms in the zone tz_min minutes east of UTC. */
void notify_put_time(kw_buf *b, int64_t ms, int32_t tz_min);
/* The people, @-mentioned the channel's way when it mentions, else their names made inert. */
void notify_put_mentions(kw_buf *b, const conf_channel *ch, const conf_person *const *people, size_t npeople);
/* Appends to arr a person as a message names them: name, display, phone, email, chat ids. */
struct json_t;
void notify_json_person(struct json_t *arr, const conf_person *p);
/* Whether a channel of this type takes markdown (DingTalk, WeCom, Slack). */
bool notify_markdown(int type);

#endif

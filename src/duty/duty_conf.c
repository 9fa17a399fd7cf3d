/* duty_conf.c: the configuration's duty: section, and the glue from it to the store's duty
 * log. */
#include "duty/duty_conf.h"
#include "duty/duty_watch.h"

#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cf_field duty_fields[] = {
    F(conf, "key_file", CF_STR, duty.key_file),
    F(conf, "sign_key_file", CF_STR, duty.sign_key_file),
    F(conf, "checkpoint_every", CF_INT, duty.checkpoint_every, 1, 1000000),
    F(conf, "verify_interval", CF_DURATION, duty.verify_interval_ms, 1000, CF_DAY),
    {0},
};
const cf_section duty_conf_section = {"duty", 0, duty_fields, NULL, NULL, NULL};

void duty_configure(const conf *c)
{
    char *key = c->duty.key_file ? conf_state_path(c, c->duty.key_file) : conf_state_path(c, "duty.key");
    char *sign = conf_state_path(c, c->duty.sign_key_file ? c->duty.sign_key_file : "duty_sign.key");
    size_t n = strlen(sign);
    char *pub = kw_malloc(n + 5);
    if (n > 4 && strcmp(sign + n - 4, ".key") == 0)
        snprintf(pub, n + 5, "%.*s.pub", (int)(n - 4), sign);
    else
        snprintf(pub, n + 5, "%s.pub", sign);
    store_duty_configure(key, sign, pub, c->duty.checkpoint_every);
    free(key);
    free(sign);
    free(pub);
}

/* duty_conf.c: the glue from the configuration's duty: section to the store's duty log. (The
 * section's fields are declared with the other sections in src/conf/conf.c.) */
#include "duty/duty_watch.h"

#include <stdlib.h>

void duty_configure(const conf *c)
{
    char *key = c->duty.key_file ? conf_state_path(c, c->duty.key_file) : conf_state_path(c, "duty.key");
    char *sign = conf_state_path(c, "duty_sign.key"), *pub = conf_state_path(c, "duty_sign.pub");
    store_duty_configure(key, sign, pub, c->duty.checkpoint_every);
    free(key);
    free(sign);
    free(pub);
}

/* The inspection a configuration asks for (net.inspect): its signature set and options. */
#ifndef NET_INSPECT_CONF_H
#define NET_INSPECT_CONF_H

#include <stddef.h>

#include "core/kw_err.h"
#include "net/net_inspect.h"
#include "net/net_sig.h"

struct conf;

/* Reads the whole of a rule file (at most 256 MiB) into *out, which the caller frees, with
 * its length in *n; KW_ERR_IO with err set when it cannot. */
kw_rc net_rules_read(const char *path, char **out, size_t *n, char *err, size_t errn);

/* The signatures of net.inspect: the built-in rules (builtin_rules), then each file of
 * `rules` in order, with `vars` and HOME_NET from `home_net`. Rules that do not load are
 * counted in rep (which may be NULL). KW_OK with *out a set the caller frees with
 * net_sig_set_free, or NULL when inspection is off or has no rules; an error (err says
 * which file and why) and *out NULL otherwise. */
kw_rc net_inspect_sigs_from_conf(const struct conf *c, net_sig_set **out, net_sig_report *rep, char *err,
                                 size_t errn);

/* The inspector's options from net.inspect and net.idle_end (signatures and lists are the
 * caller's to add). */
void net_inspect_opts_from_conf(const struct conf *c, net_inspect_opts *o);

#endif

/* The detections as a duty officer reads them (one line of text) and as ECS JSON. */
#include "net/net.h"
#include "core/kw_addr.h"
#include "core/kw_json.h"

#include <stdio.h>
#include <string.h>

static const char *transport_name(uint8_t proto)
{
    switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "ipv6-icmp";
    }
    return "ip";
}

void net_detection_text(const net_detection *x, kw_buf *out)
{
    char s[64] = "", t[64] = "";
    if (x->has_src)
        kw_addr_str(&x->src, s, sizeof s);
    if (x->has_dst)
        kw_addr_str(&x->dst, t, sizeof t);
    if (x->content) {
        const net_content *c = x->content;
        kw_buf_printf(out, "%s %s -> %s", x->action, x->has_src ? s : "(many sources)", x->has_dst ? t : "(many hosts)");
        if (x->has_dport)
            kw_buf_printf(out, ":%u", x->dport);
        kw_buf_printf(out, "/%s: %s", c->app[0] ? c->app : transport_name(x->proto), c->rule);
        if (c->category[0])
            kw_buf_printf(out, " [%s]", c->category);
        if (c->domain[0])
            kw_buf_printf(out, " %s", c->domain);
        kw_buf_printf(out, ", %llu %s", (unsigned long long)c->hits, c->hits == 1 ? "time" : "times");
        return;
    }
    if (x->target[0]) {
        kw_buf_printf(out, "%s to %s: peak %.0f pps, %.1f Mbit/s (baseline %.0f pps), %.1f s", x->action, x->target,
                      x->peak_pps, x->peak_bps / 1e6, x->baseline_pps, (double)(x->end_ns - x->start_ns) / 1e9);
        return;
    }
    kw_buf_printf(out, "%s ", x->action);
    if (x->has_src)
        kw_buf_puts(out, s);
    else if (x->distinct_sources)
        kw_buf_printf(out, "(~%llu sources)", (unsigned long long)x->distinct_sources);
    else
        kw_buf_puts(out, "(many sources)");
    kw_buf_printf(out, " -> %s", x->has_dst ? t : "(many hosts)");
    if (x->has_dport)
        kw_buf_printf(out, ":%u", x->dport);
    kw_buf_printf(out, "/%s, %.1f s", transport_name(x->proto), (double)(x->end_ns - x->start_ns) / 1e9);
    if (!strcmp(x->action, "port_scan"))
        kw_buf_printf(out, ", %llu ports", (unsigned long long)x->ports);
    else if (!strcmp(x->action, "host_sweep"))
        kw_buf_printf(out, ", %llu hosts", (unsigned long long)x->hosts);
    else if (!strcmp(x->action, "brute_force"))
        kw_buf_printf(out, ", %llu sessions", (unsigned long long)x->sessions);
    else
        kw_buf_printf(out, ", peak %.0f pps, %llu packets", x->peak_pps, (unsigned long long)x->packets);
    if (x->reflection)
        kw_buf_printf(out, ", %s reflection from port %u", x->reflection, x->sport);
}

/* The ECS fields of a protocol-content detection: the names it is about, and its evidence. */
static void content_ecs(kw_json *j, const net_detection *x, const net_content *c)
{
    if (c->domain[0] && !strcmp(c->app, "dns")) { /* other apps' names are destination.domain */
        kw_json_key(j, "dns");
        kw_json_obj_begin(j);
        kw_json_key(j, "question");
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "name", c->domain);
        kw_json_obj_end(j);
        kw_json_obj_end(j);
    }
    if (!strcmp(x->action, "intel_match")) {
        kw_json_key(j, "threat");
        kw_json_obj_begin(j);
        kw_json_key(j, "indicator");
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "type", !strcmp(c->category, "domain") ? "domain-name" : x->src.v6 ? "ipv6-addr" : "ipv4-addr");
        kw_json_kv_str(j, "provider", c->rule);
        kw_json_obj_end(j);
        kw_json_obj_end(j);
    }
}

void net_detection_ecs(const net_detection *x, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    char a[64];
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "@timestamp", x->fire_ns / 1000000);
    kw_json_key(&j, "event");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "alert");
    kw_json_key(&j, "category");
    kw_json_arr_begin(&j);
    kw_json_str(&j, "network");
    kw_json_str(&j, "intrusion_detection");
    kw_json_arr_end(&j);
    kw_json_kv_str(&j, "action", x->action);
    kw_json_kv_str(&j, "dataset", "keepwatch.net");
    kw_json_kv_int(&j, "severity", x->severity);
    kw_json_kv_time(&j, "start", x->start_ns / 1000000);
    kw_json_kv_time(&j, "end", x->end_ns / 1000000);
    kw_json_obj_end(&j);
    const net_content *c = x->content;
    char ruleid[64];
    if (c && c->sid)
        snprintf(ruleid, sizeof ruleid, "%u", c->sid);
    else
        snprintf(ruleid, sizeof ruleid, "net.%s", x->action);
    kw_json_key(&j, "rule");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "id", ruleid);
    kw_json_kv_str(&j, "name", c && c->rule[0] ? c->rule : x->action);
    if (c && c->category[0])
        kw_json_kv_str(&j, "category", c->category);
    kw_json_obj_end(&j);
    if (x->has_src || x->has_sport) {
        kw_json_key(&j, "source");
        kw_json_obj_begin(&j);
        if (x->has_src) {
            kw_addr_str(&x->src, a, sizeof a);
            kw_json_kv_str(&j, "ip", a);
        }
        if (x->has_sport)
            kw_json_kv_int(&j, "port", x->sport);
        kw_json_obj_end(&j);
    }
    bool named = c && c->domain[0] && strcmp(c->app, "dns") != 0;
    if (x->has_dst || x->has_dport || named) {
        kw_json_key(&j, "destination");
        kw_json_obj_begin(&j);
        if (x->has_dst) {
            kw_addr_str(&x->dst, a, sizeof a);
            kw_json_kv_str(&j, "ip", a);
        }
        if (x->has_dport)
            kw_json_kv_int(&j, "port", x->dport);
        if (named)
            kw_json_kv_str(&j, "domain", c->domain);
        kw_json_obj_end(&j);
    }
    kw_json_key(&j, "network");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "transport", transport_name(x->proto));
    if (c && c->app[0])
        kw_json_kv_str(&j, "protocol", c->app);
    kw_json_obj_end(&j);
    if (x->technique && x->technique[0]) {
        kw_json_key(&j, "threat");
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "framework", "MITRE ATT&CK");
        kw_json_key(&j, "technique");
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "id", x->technique);
        kw_json_kv_str(&j, "name", x->technique_name);
        kw_json_obj_end(&j);
        kw_json_obj_end(&j);
    }
    if (c)
        content_ecs(&j, x, c);
    kw_buf msg;
    kw_buf_init(&msg, 1024);
    net_detection_text(x, &msg);
    kw_json_kv_str(&j, "message", kw_buf_cstr(&msg));
    kw_buf_free(&msg);
    kw_json_key(&j, "keepwatch");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "net");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "packets", (int64_t)x->packets);
    if (x->bytes)
        kw_json_kv_int(&j, "bytes", (int64_t)x->bytes);
    if (x->peak_pps > 0) {
        kw_json_kv_num(&j, "peak_pps", x->peak_pps);
        kw_json_kv_num(&j, "peak_bps", x->peak_bps);
        kw_json_kv_int(&j, "distinct_sources", (int64_t)x->distinct_sources);
        kw_json_key(&j, "top_source_prefixes");
        kw_json_arr_begin(&j);
        for (int i = 0; i < x->ntop; i++)
            kw_json_str(&j, x->top_prefixes[i]);
        kw_json_arr_end(&j);
    }
    if (x->target[0]) {
        kw_json_kv_str(&j, "target", x->target);
        kw_json_kv_num(&j, "baseline_pps", x->baseline_pps);
    }
    if (x->reflection) {
        kw_json_kv_str(&j, "reflection", x->reflection);
        kw_json_kv_int(&j, "reflector_port", x->sport);
    }
    if (x->ports)
        kw_json_kv_int(&j, "ports", (int64_t)x->ports);
    if (x->hosts)
        kw_json_kv_int(&j, "hosts", (int64_t)x->hosts);
    if (x->sessions)
        kw_json_kv_int(&j, "sessions", (int64_t)x->sessions);
    if (x->content) {
        kw_json_kv_int(&j, "hits", (int64_t)x->content->hits);
        kw_json_kv_str(&j, "evidence", x->content->evidence);
    }
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
}

/* Logging in the OpenBSD-daemon manner: log_warn() and friends, fatal() exits. */
#ifndef KW_LOG_H
#define KW_LOG_H

#include <stdbool.h>

typedef enum { KW_LOG_ERROR, KW_LOG_WARN, KW_LOG_INFO, KW_LOG_DEBUG } kw_log_level;

void kw_log_init(const char *ident, kw_log_level level, bool use_syslog);
void kw_log_set_level(kw_log_level level);
int kw_log_level_parse(const char *s, kw_log_level *out);
const char *kw_log_level_name(kw_log_level level);

void kw_log(kw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) kw_log(KW_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  kw_log(KW_LOG_WARN, __VA_ARGS__)
#define log_info(...)  kw_log(KW_LOG_INFO, __VA_ARGS__)
#define log_debug(...) kw_log(KW_LOG_DEBUG, __VA_ARGS__)
/* Logs at error level and exits with status 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif

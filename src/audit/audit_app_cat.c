/* The application audit's catalogue (every check's id, titles, severity, references,
 * expected value and fix) and the emitting of one result. CIS item numbers are best-effort
 * references to the CIS benchmark of the product (NGINX 2.x, Apache HTTP Server 2.4,
 * MySQL 8.0, PostgreSQL 15, Apache Tomcat 9); NULL where none is known. GB: GB/T 22239-2019. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

#define GB_AUTH "8.1.4.1"
#define GB_ACCESS "8.1.4.2"
#define GB_AUDIT "8.1.4.3"
#define GB_HARDEN "8.1.4.4"
#define GB_CRYPT "8.1.4.8"
#define GB_AVAIL "8.1.4.9"

const app_cat app_cat_rows[] = {
    {"KW-NGINX-SERVER-TOKENS", "nginx", "nginx hides its version (server_tokens off)", "nginx 隐藏版本号 (server_tokens off)", FINDING_LOW, "2.5.1", GB_HARDEN, "off", "set `server_tokens off;` in the http block"},
    {"KW-NGINX-AUTOINDEX", "nginx", "nginx directory listing is off", "nginx 关闭目录浏览 (autoindex)", FINDING_MEDIUM, NULL, GB_ACCESS, "off", "remove `autoindex on;` or set it off"},
    {"KW-NGINX-SSL-PROTOCOLS", "nginx", "nginx offers only TLS 1.2 and 1.3", "nginx 仅启用 TLS 1.2/1.3", FINDING_HIGH, "4.1.4", GB_CRYPT, "TLSv1.2 TLSv1.3", "set `ssl_protocols TLSv1.2 TLSv1.3;`"},
    {"KW-NGINX-SSL-CIPHERS", "nginx", "nginx offers no weak cipher (NULL, EXPORT, RC4, DES, MD5)", "nginx 未启用弱加密套件", FINDING_HIGH, "4.1.5", GB_CRYPT, "no NULL/EXPORT/RC4/DES/3DES/MD5", "exclude them: `ssl_ciphers HIGH:!aNULL:!eNULL:!EXPORT:!RC4:!DES:!3DES:!MD5;`"},
    {"KW-NGINX-WORKER-FDS", "nginx", "nginx worker_connections fit under worker_rlimit_nofile", "nginx worker_connections 不超过 worker_rlimit_nofile", FINDING_MEDIUM, NULL, GB_AVAIL, "worker_connections ≤ worker_rlimit_nofile (a proxied client takes 2 descriptors: ≤ half)", "raise `worker_rlimit_nofile` to at least 2 × worker_connections, or lower worker_connections"},
    {"KW-NGINX-UPSTREAM-KEEPALIVE", "nginx", "nginx upstreams keep connections alive (keepalive)", "nginx upstream 启用长连接 (keepalive)", FINDING_LOW, NULL, GB_AVAIL, "keepalive N in the upstream block", "add `keepalive 32;` to the upstream and `proxy_http_version 1.1; proxy_set_header Connection \"\";` to the locations using it"},
    {"KW-NGINX-TIMEOUTS", "nginx", "nginx timeouts are bounded", "nginx 超时设置合理", FINDING_LOW, "5.2.1", GB_AVAIL, "client_body_timeout, keepalive_timeout, proxy_*_timeout ≤ 75s", "set `client_body_timeout 10s; keepalive_timeout 65s;` and proxy timeouts of at most 60s"},
    {"KW-NGINX-CLIENT-MAX-BODY", "nginx", "nginx bounds the request body (client_max_body_size)", "nginx 限制请求体大小", FINDING_LOW, "5.2.2", GB_AVAIL, "client_max_body_size set (not 0)", "set `client_max_body_size 10m;` (or what uploads need)"},
    {"KW-NGINX-RATE-LIMIT", "nginx", "nginx limits request rates or connections (limit_req / limit_conn)", "nginx 配置请求/连接限速", FINDING_LOW, "5.2.4", GB_AVAIL, "limit_req or limit_conn", "define `limit_req_zone`/`limit_conn_zone` in http and apply `limit_req`/`limit_conn` in the servers"},
    {"KW-NGINX-SECURITY-HEADERS", "nginx", "nginx TLS servers send X-Frame-Options, X-Content-Type-Options and HSTS", "nginx HTTPS 站点发送安全响应头", FINDING_LOW, "5.3.1", GB_HARDEN, "X-Frame-Options, X-Content-Type-Options, Strict-Transport-Security", "add `add_header X-Frame-Options SAMEORIGIN always; add_header X-Content-Type-Options nosniff always; add_header Strict-Transport-Security \"max-age=31536000\" always;`"},
    {"KW-NGINX-STATUS-OPEN", "nginx", "nginx stub_status is not open to everyone", "nginx stub_status 未对外开放", FINDING_MEDIUM, NULL, GB_ACCESS, "allow/deny (or auth) in the status location", "add `allow 127.0.0.1; deny all;` to the stub_status location"},
    {"KW-NGINX-HTTP-REDIRECT", "nginx", "nginx plain-HTTP servers of TLS sites redirect to HTTPS", "nginx HTTP 站点跳转至 HTTPS", FINDING_LOW, NULL, GB_CRYPT, "return 301 https://...", "in the `listen 80` server: `return 301 https://$host$request_uri;`"},
    {"KW-NGINX-ALIAS-TRAVERSAL", "nginx", "nginx has no alias traversal (location without trailing slash, alias with one) and no root /", "nginx 无 alias 路径穿越且 root 不为 /", FINDING_MEDIUM, NULL, GB_ACCESS, "location /x/ { alias /y/; }", "end the location with '/' like its alias (`location /img/ { alias /data/img/; }`); never `root /`"},
    {"KW-APACHE-SERVER-TOKENS", "apache", "Apache ServerTokens is Prod", "Apache ServerTokens 设为 Prod", FINDING_LOW, "8.1", GB_HARDEN, "Prod", "set `ServerTokens Prod`"},
    {"KW-APACHE-SERVER-SIGNATURE", "apache", "Apache ServerSignature is Off", "Apache ServerSignature 关闭", FINDING_LOW, "8.2", GB_HARDEN, "Off", "set `ServerSignature Off`"},
    {"KW-APACHE-TRACE", "apache", "Apache TRACE is disabled (TraceEnable Off)", "Apache 禁用 TRACE 方法", FINDING_MEDIUM, "5.8", GB_HARDEN, "Off", "set `TraceEnable Off`"},
    {"KW-APACHE-INDEXES", "apache", "Apache directory listing is off (no Options Indexes)", "Apache 关闭目录浏览 (Options Indexes)", FINDING_MEDIUM, "5.4", GB_ACCESS, "Options -Indexes", "use `Options -Indexes` (or None) in the section"},
    {"KW-APACHE-OPTIONS", "apache", "Apache sections do not enable ExecCGI or FollowSymLinks without need", "Apache 未启用不必要的 ExecCGI/FollowSymLinks", FINDING_LOW, "5.3", GB_HARDEN, "Options None (SymLinksIfOwnerMatch where links are needed)", "drop ExecCGI, use SymLinksIfOwnerMatch instead of FollowSymLinks"},
    {"KW-APACHE-SSL-PROTOCOL", "apache", "Apache SSLProtocol excludes SSLv3, TLSv1 and TLSv1.1", "Apache 仅启用 TLS 1.2/1.3", FINDING_HIGH, "7.4", GB_CRYPT, "all -SSLv3 -TLSv1 -TLSv1.1", "set `SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1`"},
    {"KW-APACHE-SSL-CIPHERS", "apache", "Apache SSLCipherSuite excludes weak ciphers", "Apache 未启用弱加密套件", FINDING_HIGH, "7.5", GB_CRYPT, "no NULL/EXPORT/RC4/DES/MD5", "set `SSLCipherSuite HIGH:!aNULL:!MD5:!RC4:!3DES`"},
    {"KW-APACHE-STATUS-OPEN", "apache", "Apache server-status / server-info require an allowed client", "Apache server-status/server-info 限制访问", FINDING_MEDIUM, "2.4", GB_ACCESS, "Require ip 127.0.0.1 (or local)", "put `Require local` in the <Location /server-status> section"},
    {"KW-APACHE-WORKERS", "apache", "Apache MaxRequestWorkers fits ServerLimit × ThreadsPerChild", "Apache MaxRequestWorkers 与 ServerLimit 匹配", FINDING_LOW, NULL, GB_AVAIL, "MaxRequestWorkers ≤ ServerLimit × ThreadsPerChild", "raise ServerLimit or lower MaxRequestWorkers"},
    {"KW-APACHE-TIMEOUT", "apache", "Apache Timeout is at most 60 s", "Apache Timeout 不超过 60 秒", FINDING_LOW, "9.1", GB_AVAIL, "≤ 60", "set `Timeout 60` (or less)"},
    {"KW-APACHE-KEEPALIVE-TIMEOUT", "apache", "Apache KeepAliveTimeout is at most 15 s", "Apache KeepAliveTimeout 不超过 15 秒", FINDING_LOW, "9.4", GB_AVAIL, "≤ 15", "set `KeepAliveTimeout 5`"},
    {"KW-APACHE-LIMIT-BODY", "apache", "Apache bounds the request body (LimitRequestBody)", "Apache 限制请求体大小", FINDING_LOW, "10.4", GB_AVAIL, "LimitRequestBody set (not 0)", "set `LimitRequestBody 10485760` (or what uploads need)"},
    {"KW-APACHE-RISKY-MODULES", "apache", "Apache modules userdir, autoindex and dav are disabled", "Apache 禁用 userdir/autoindex/dav 模块", FINDING_MEDIUM, "2.3", GB_HARDEN, "not enabled", "a2dismod userdir autoindex dav dav_fs (or remove their LoadModule)"},
    {"KW-MYSQL-BIND-ADDRESS", "mysql", "MySQL listens on a chosen address, not all interfaces", "MySQL 仅监听指定地址", FINDING_MEDIUM, NULL, GB_ACCESS, "127.0.0.1 or a private address", "set `bind-address = 127.0.0.1` (or the private address the application uses) in [mysqld]"},
    {"KW-MYSQL-LOCAL-INFILE", "mysql", "MySQL local_infile is off", "MySQL 禁用 local_infile", FINDING_HIGH, "4.6", GB_HARDEN, "0", "set `local_infile = 0` in [mysqld]"},
    {"KW-MYSQL-SKIP-GRANT-TABLES", "mysql", "MySQL does not run with skip-grant-tables", "MySQL 未启用 skip-grant-tables", FINDING_CRITICAL, "4.3", GB_AUTH, "absent", "remove `skip-grant-tables` and restart mysqld"},
    {"KW-MYSQL-MAX-CONNECTIONS", "mysql", "MySQL max_connections is known (for the pool check)", "MySQL max_connections 已记录", FINDING_INFO, NULL, GB_AVAIL, "set", "set `max_connections` for the applications' pools (default 151)"},
    {"KW-MYSQL-SYMLINKS", "mysql", "MySQL symbolic links are disabled", "MySQL 禁用符号链接", FINDING_LOW, "4.4", GB_HARDEN, "symbolic-links = 0 (skip-symbolic-links)", "set `symbolic-links = 0` in [mysqld]"},
    {"KW-MYSQL-SECURE-FILE-PRIV", "mysql", "MySQL secure_file_priv is set to a directory", "MySQL secure_file_priv 限定目录", FINDING_MEDIUM, "4.5", GB_ACCESS, "a directory (or NULL)", "set `secure_file_priv = /var/lib/mysql-files`"},
    {"KW-MYSQL-LOG-ERROR", "mysql", "MySQL writes an error log (log_error)", "MySQL 配置错误日志", FINDING_LOW, "6.1", GB_AUDIT, "a file", "set `log_error = /var/log/mysql/error.log`"},
    {"KW-MYSQL-GENERAL-LOG", "mysql", "MySQL general query log is off in production", "MySQL 生产环境关闭通用查询日志", FINDING_LOW, NULL, GB_AUDIT, "0", "set `general_log = 0` (it records every statement, passwords included)"},
    {"KW-MYSQL-SECURE-TRANSPORT", "mysql", "MySQL requires TLS (require_secure_transport)", "MySQL 强制 TLS 传输", FINDING_MEDIUM, NULL, GB_CRYPT, "ON", "set `require_secure_transport = ON` with ssl_cert/ssl_key"},
    {"KW-MYSQL-SQL-MODE", "mysql", "MySQL sql_mode is strict", "MySQL sql_mode 为严格模式", FINDING_INFO, NULL, GB_HARDEN, "STRICT_TRANS_TABLES or STRICT_ALL_TABLES", "add STRICT_TRANS_TABLES to sql_mode (or leave sql_mode at its default, which has it)"},
    {"KW-MYSQL-OLD-PASSWORDS", "mysql", "MySQL does not use old (pre-4.1) password hashing", "MySQL 未启用旧密码哈希", FINDING_HIGH, NULL, GB_AUTH, "0 / absent", "remove `old_passwords` and reset the accounts' passwords"},
    {"KW-PG-LISTEN", "postgresql", "PostgreSQL listens on chosen addresses, not '*'", "PostgreSQL 仅监听指定地址", FINDING_MEDIUM, NULL, GB_ACCESS, "localhost or chosen addresses", "set `listen_addresses = 'localhost'` (or the private address)"},
    {"KW-PG-HBA-TRUST", "postgresql", "pg_hba.conf has no trust authentication", "pg_hba.conf 无 trust 免密认证", FINDING_CRITICAL, NULL, GB_AUTH, "scram-sha-256 / peer", "replace `trust` with `scram-sha-256` (host) or `peer` (local)"},
    {"KW-PG-HBA-MD5", "postgresql", "pg_hba.conf uses scram-sha-256, not md5", "pg_hba.conf 使用 scram-sha-256 而非 md5", FINDING_MEDIUM, NULL, GB_AUTH, "scram-sha-256", "set `password_encryption = scram-sha-256`, reset passwords, replace md5 with scram-sha-256"},
    {"KW-PG-HBA-PASSWORD", "postgresql", "pg_hba.conf sends no cleartext password (method password)", "pg_hba.conf 无明文口令认证", FINDING_HIGH, NULL, GB_CRYPT, "scram-sha-256", "replace `password` with `scram-sha-256`"},
    {"KW-PG-HBA-ANY", "postgresql", "pg_hba.conf does not open every database to every address", "pg_hba.conf 未对任意地址开放", FINDING_HIGH, NULL, GB_ACCESS, "the application's addresses only", "replace 0.0.0.0/0 (::/0, all) with the application servers' networks"},
    {"KW-PG-SSL", "postgresql", "PostgreSQL has TLS on when it accepts host connections", "PostgreSQL 远程连接启用 TLS", FINDING_MEDIUM, "6.7", GB_CRYPT, "ssl = on", "set `ssl = on` with ssl_cert_file/ssl_key_file; use hostssl lines"},
    {"KW-PG-MAX-CONNECTIONS", "postgresql", "PostgreSQL max_connections is known (for the pool check)", "PostgreSQL max_connections 已记录", FINDING_INFO, NULL, GB_AVAIL, "set", "set `max_connections` for the applications' pools (default 100)"},
    {"KW-PG-LOG-CONNECTIONS", "postgresql", "PostgreSQL logs connections", "PostgreSQL 记录连接日志", FINDING_LOW, "3.1.20", GB_AUDIT, "on", "set `log_connections = on` and `log_disconnections = on`"},
    {"KW-PG-PASSWORD-ENCRYPTION", "postgresql", "PostgreSQL stores passwords as scram-sha-256", "PostgreSQL 口令以 scram-sha-256 存储", FINDING_MEDIUM, NULL, GB_AUTH, "scram-sha-256", "set `password_encryption = scram-sha-256` and reset passwords"},
    {"KW-PG-SUPERUSER-RESERVED", "postgresql", "PostgreSQL reserves connections for superusers", "PostgreSQL 为超级用户保留连接", FINDING_LOW, NULL, GB_AVAIL, "≥ 3", "set `superuser_reserved_connections = 3` (or more)"},
    {"KW-REDIS-EXPOSED", "redis", "Redis is not open to every address without protection", "Redis 未在无保护模式下对外开放", FINDING_CRITICAL, NULL, GB_ACCESS, "bind 127.0.0.1 or protected-mode yes", "set `bind 127.0.0.1 -::1` and `protected-mode yes`"},
    {"KW-REDIS-PROTECTED-MODE", "redis", "Redis protected-mode is on", "Redis 启用 protected-mode", FINDING_HIGH, NULL, GB_ACCESS, "yes", "set `protected-mode yes`"},
    {"KW-REDIS-AUTH", "redis", "Redis requires a strong password", "Redis 设置强口令", FINDING_HIGH, NULL, GB_AUTH, "requirepass of 16+ characters, no `user default on nopass`", "set `requirepass` to a long random secret (or ACL users with passwords)"},
    {"KW-REDIS-RENAME-COMMANDS", "redis", "Redis dangerous commands are renamed or disabled", "Redis 危险命令已重命名或禁用", FINDING_MEDIUM, NULL, GB_HARDEN, "rename-command for FLUSHALL FLUSHDB CONFIG KEYS DEBUG SHUTDOWN", "add `rename-command FLUSHALL \"\"` (etc.) or deny them with ACL rules"},
    {"KW-REDIS-TIMEOUT", "redis", "Redis closes idle clients (timeout)", "Redis 关闭空闲连接", FINDING_LOW, NULL, GB_AVAIL, "> 0", "set `timeout 300`"},
    {"KW-REDIS-DEBUG-COMMAND", "redis", "Redis DEBUG command is not enabled for remote clients", "Redis 未开放 DEBUG 命令", FINDING_HIGH, NULL, GB_HARDEN, "no (or local)", "set `enable-debug-command no`"},
    {"KW-REDIS-MAXCLIENTS", "redis", "Redis maxclients is set", "Redis 设置 maxclients", FINDING_INFO, NULL, GB_AVAIL, "set", "set `maxclients` to what the applications need (default 10000)"},
    {"KW-TOMCAT-SHUTDOWN-PORT", "tomcat", "Tomcat shutdown port is disabled or its word changed", "Tomcat 关闭端口已禁用或修改关闭口令", FINDING_HIGH, "3.2", GB_HARDEN, "port=\"-1\"", "set `<Server port=\"-1\" ...>` (or a random shutdown word)"},
    {"KW-TOMCAT-AJP", "tomcat", "Tomcat AJP connector is off or protected by a secret (Ghostcat, CVE-2020-1938)", "Tomcat AJP 连接器关闭或配置 secret (Ghostcat CVE-2020-1938)", FINDING_CRITICAL, NULL, GB_HARDEN, "no AJP connector, or secretRequired with a secret and address=127.0.0.1", "remove the AJP Connector, or add `secret=\"...\" secretRequired=\"true\" address=\"127.0.0.1\"`"},
    {"KW-TOMCAT-MANAGER-EXPOSED", "tomcat", "Tomcat manager apps are restricted to local addresses", "Tomcat 管理应用仅限本机访问", FINDING_HIGH, NULL, GB_ACCESS, "RemoteAddrValve allow=\"127\\.\\d+\\.\\d+\\.\\d+|::1\"", "keep the RemoteAddrValve of webapps/manager/META-INF/context.xml (127.0.0.1 only) or undeploy manager and host-manager"},
    {"KW-TOMCAT-WEAK-USERS", "tomcat", "tomcat-users.xml has no default or weak password", "tomcat-users.xml 无默认/弱口令", FINDING_CRITICAL, NULL, GB_AUTH, "no tomcat/tomcat, admin/admin, password = user name or shorter than 8", "remove the sample users; give manager roles long random passwords (digest)"},
    {"KW-TOMCAT-SERVER-INFO", "tomcat", "Tomcat hides its version (ErrorReportValve showServerInfo=false, server=)", "Tomcat 隐藏版本信息", FINDING_LOW, "2.5", GB_HARDEN, "showServerInfo=\"false\" showReport=\"false\"", "add `<Valve className=\"org.apache.catalina.valves.ErrorReportValve\" showReport=\"false\" showServerInfo=\"false\"/>` to the Host"},
    {"KW-TOMCAT-CONNECTOR-LIMITS", "tomcat", "Tomcat connectors set maxThreads, acceptCount and connectionTimeout", "Tomcat 连接器设置线程数与超时", FINDING_LOW, NULL, GB_AVAIL, "maxThreads, acceptCount ≤ maxThreads, connectionTimeout ≤ 60000", "set `maxThreads=\"200\" acceptCount=\"100\" connectionTimeout=\"20000\"`"},
    {"KW-TOMCAT-AUTODEPLOY", "tomcat", "Tomcat autoDeploy is off in production", "Tomcat 生产环境关闭 autoDeploy", FINDING_LOW, NULL, GB_HARDEN, "false", "set `autoDeploy=\"false\"` on the Host"},
    {"KW-TOMCAT-LISTINGS", "tomcat", "Tomcat DefaultServlet directory listings are off (web.xml listings)", "Tomcat DefaultServlet 关闭目录浏览", FINDING_MEDIUM, "10.2", GB_ACCESS, "false", "set the DefaultServlet's init-param `listings` to false in conf/web.xml"},
    {"KW-POOL-SIZE", "pool", "The pool size × instances fits under the database's max_connections", "连接池大小 × 实例数不超过数据库 max_connections", FINDING_HIGH, NULL, GB_AVAIL, "≤ max_connections minus a margin", "lower the pool size or raise the database's max_connections (keeping the margin)"},
    {"KW-POOL-TIMEOUT", "pool", "The pool bounds the wait for a connection", "连接池设置获取连接超时", FINDING_MEDIUM, NULL, GB_AVAIL, "a finite wait (Hikari connectionTimeout, Druid maxWait, c3p0 checkoutTimeout, Tomcat maxWait)", "set e.g. `maxWait=3000` (Druid) / `checkoutTimeout=3000` (c3p0)"},
    {"KW-POOL-LIFETIME", "pool", "The pool retires connections before the database closes them", "连接池连接寿命短于数据库超时", FINDING_MEDIUM, NULL, GB_AVAIL, "Hikari maxLifetime < wait_timeout; validation on borrow/idle for the others", "set Hikari `max-lifetime` a few seconds under the database's wait_timeout; Druid/Tomcat `testWhileIdle=true` with a validation query"},
    {"KW-POOL-LEAK-DETECTION", "pool", "The pool detects leaked connections", "连接池启用连接泄漏检测", FINDING_MEDIUM, NULL, GB_AVAIL, "Hikari leakDetectionThreshold > 0; Druid/Tomcat removeAbandoned=true; c3p0 unreturnedConnectionTimeout > 0", "set `leak-detection-threshold: 60000` (Hikari) / `removeAbandoned=true` + `removeAbandonedTimeout=180` (Druid)"},
    {"KW-POOL-MIN-IDLE", "pool", "Hikari minimumIdle equals maximumPoolSize (a fixed-size pool)", "Hikari minimumIdle 等于 maximumPoolSize", FINDING_INFO, NULL, GB_AVAIL, "minimumIdle unset or = maximumPoolSize", "leave minimum-idle unset (HikariCP recommends a fixed-size pool)"},
    {"KW-POOL-PLAINTEXT-PASSWORD", "pool", "The database password is not in plain text in the settings", "数据库口令未以明文写在配置中", FINDING_MEDIUM, NULL, GB_CRYPT, "a reference (${ENV}), an encrypted value (ENC(...)) or a vault", "read the password from the environment or a secret store (`password: ${DB_PASSWORD}`), or encrypt it (Jasypt ENC(...), Druid config.decrypt)"},
};
const size_t app_cat_n = sizeof app_cat_rows / sizeof app_cat_rows[0];

const app_cat *app_cat_find(const char *id)
{
    for (size_t i = 0; i < app_cat_n; i++)
        if (!strcmp(app_cat_rows[i].id, id))
            return &app_cat_rows[i];
    return NULL;
}

/* Replaces the values of password="", secret="" and *Pass="" attributes in t with ***. */
static void mask_secrets(char *t, size_t n)
{
    static const char *const pats[] = {"password=\"", "secret=\"", "pass=\"", NULL};
    for (const char *const *p = pats; *p; p++)
        for (char *at = strcasestr(t, *p); at; at = strcasestr(at, *p)) {
            char *v = at + strlen(*p), *e = strchr(v, '"');
            if (!e)
                break;
            size_t tail = strlen(e) + 1;
            if ((size_t)(v - t) + 3 + tail > n)
                break;
            memmove(v + 3, e, tail);
            memcpy(v, "***", 3);
            at = v + 4;
        }
}

static void proto(const app_cat *c, audit_res *r)
{
    memset(r, 0, sizeof *r);
    r->id = c->id;
    r->category = "app_config";
    r->group = c->group;
    r->title_en = c->en;
    r->title_zh = c->zh;
    r->severity = c->sev;
    r->refs.cis = c->cis;
    r->refs.gb = c->gb;
    r->expected = c->expected;
    r->fix = c->fix;
    r->status = AUDIT_NA;
}

void app_emit(app_run *r, const char *id, audit_status st, const app_kv *at, const char *file,
              const char *found, const char *exp, const char *key)
{
    const app_cat *c = app_cat_find(id);
    if (!c || r->rc != KW_OK)
        return;
    audit_res res;
    proto(c, &res);
    char text[2 * APP_TEXT_MAX + 2];
    res.status = st;
    if (at) {
        if (r->hide)
            snprintf(text, sizeof text, "%s (value not shown)", at->key);
        else
            snprintf(text, sizeof text, "%s%s%s", at->key, at->val[0] ? " " : "", at->val);
        mask_secrets(text, sizeof text);
        res.text = text;
        res.file = at->file;
        res.line = at->line;
    }
    if (file && !at)
        res.file = file;
    res.found = found;
    if (exp)
        res.expected = exp;
    res.key = key;
    if (r->sev_set)
        res.severity = r->sev;
    r->sev_set = false;
    r->hide = false;
    r->st.checks++;
    if (st == AUDIT_PASS)
        r->st.pass++;
    else if (st == AUDIT_FAIL)
        r->st.fail++;
    else if (st == AUDIT_NA)
        r->st.na++;
    r->rc = r->emit(r->arg, &res);
}

void app_na(app_run *r, const char *id, const char *why)
{
    app_emit(r, id, AUDIT_NA, NULL, NULL, why, NULL, NULL);
}

void app_na_group(app_run *r, const char *group, const char *why)
{
    for (size_t i = 0; i < app_cat_n; i++)
        if (!strcmp(app_cat_rows[i].group, group))
            app_na(r, app_cat_rows[i].id, why);
}

bool app_on(const char *v)
{
    return !v[0] || !strcasecmp(v, "1") || !strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcasecmp(v, "true");
}

kw_rc audit_app_each(kw_rc (*fn)(void *arg, const audit_res *p), void *arg)
{
    for (size_t i = 0; i < app_cat_n; i++) {
        audit_res res;
        proto(&app_cat_rows[i], &res);
        kw_rc rc = fn(arg, &res);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

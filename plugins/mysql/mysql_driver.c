/*
 * invs_mysql: the MySQL / MariaDB driver, on MariaDB Connector/C.
 *
 * URIs: mysql://user:pass@host:port/db and mariadb://...; ?socket=/path for
 * a Unix socket, ?ssl-mode=DISABLED|PREFERRED|REQUIRED|VERIFY_CA|
 * VERIFY_IDENTITY (with ssl-ca, ssl-capath, ssl-cert, ssl-key) as the
 * mysql client means them (my_tls.c);
 * what the URI leaves out comes from the [client] group of the option files
 * (~/.my.cnf), as the mariadb client reads them, then MYSQL_PWD (the
 * library's own order).
 *
 * Every session is pinned to what keeps values exact: utf8mb4, a strict
 * sql_mode with NO_BACKSLASH_ESCAPES and NO_AUTO_VALUE_ON_ZERO and without
 * ANSI_QUOTES or NO_ZERO_DATE (zero dates are MySQL values: they go in and
 * out as they are), time zone +00:00. A pull reads one REPEATABLE READ,
 * READ ONLY snapshot. DDL is not transactional: the host creates missing
 * tables before the data transaction and drops them again after a failure
 * (table_drop), reconnecting first if the server went away. Statements go
 * one per call (CLIENT_MULTI_STATEMENTS stays off).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "my_driver.h"

const invs_host *my_host;

char *my_strdup(const char *s)
{
    size_t n;
    char *d;
    if (!s)
        return NULL;
    n = strlen(s) + 1;
    if ((d = my_host->alloc(n)))
        memcpy(d, s, n);
    return d;
}

int my_oom(my_conn *c) { return my_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory"); }

int my_sb_ok(my_conn *c, const invs_strbuf *sb)
{
    return invs_sb_failed(sb) ? my_oom(c) : INVS_OK;
}

void my_literal(invs_strbuf *sb, const char *s) { invs_sb_literal(sb, s); }

void my_db_literal(invs_strbuf *sb, const my_conn *c) { my_literal(sb, c->to.db ? c->to.db : ""); }

static int my_lost_errno(unsigned e)
{
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONNECTION_ERROR ||
           e == CR_CONN_HOST_ERROR || e == ER_SERVER_SHUTDOWN || e == CR_SERVER_LOST_EXTENDED ||
           e == ER_CONNECTION_KILLED;
}

static int my_code_for(unsigned e)
{
    if (my_lost_errno(e) || e == CR_UNKNOWN_HOST)
        return INVS_ECONNECT;
    switch (e) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR: return INVS_EAUTH;
    case ER_BAD_DB_ERROR:
    case ER_NO_SUCH_TABLE: return INVS_ENOTFOUND;
    case ER_DUP_ENTRY:
    case ER_DUP_KEY:
    case ER_BAD_NULL_ERROR:
    case ER_NO_REFERENCED_ROW_2:
    case ER_ROW_IS_REFERENCED_2: return INVS_ECONSTRAINT;
    case ER_WARN_DATA_OUT_OF_RANGE:
    case WARN_DATA_TRUNCATED:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_DATA_TOO_LONG: return INVS_ETYPE;
    }
    return INVS_ESQL;
}

int my_fail(my_conn *c, const char *what)
{
    unsigned e = mysql_errno(c->my);
    const char *msg = mysql_error(c->my);
    if (my_lost_errno(e))
        c->lost = 1;
    /* a statement is named by its start: the server's message says where */
    return my_host->error(c->s, my_code_for(e), mysql_sqlstate(c->my), (long)e,
                          "%s: %.*s%s: %s", c->shown, 100, what, strlen(what) > 100 ? "..." : "",
                          msg && *msg ? msg : "(no message)");
}

int my_exec(my_conn *c, const char *sql)
{
    MYSQL_RES *r;
    if (mysql_real_query(c->my, sql, (unsigned long)strlen(sql)) != 0)
        return my_fail(c, sql);
    if ((r = mysql_store_result(c->my))) /* a statement with rows (none expected) */
        mysql_free_result(r);
    return INVS_OK;
}

int my_exec_sb(my_conn *c, invs_strbuf *sb)
{
    int rc = my_sb_ok(c, sb);
    if (rc == INVS_OK)
        rc = my_exec(c, sb->p);
    invs_sb_free(sb);
    return rc;
}

MYSQL_RES *my_query(my_conn *c, const char *sql)
{
    MYSQL_RES *r;
    if (mysql_real_query(c->my, sql, (unsigned long)strlen(sql)) != 0) {
        my_fail(c, "reading the catalog");
        return NULL;
    }
    if (!(r = mysql_store_result(c->my)))
        my_fail(c, "reading the catalog");
    return r;
}

/* ------------------------------------------------------------ URIs */

static void my_target_free(my_target *t)
{
    char **s[] = {&t->host, &t->user, &t->password, &t->db,      &t->socket,
                  &t->ssl_ca, &t->ssl_capath, &t->ssl_cert, &t->ssl_key};
    size_t i;
    for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        if (*s[i] && s[i] == &t->password)
            memset(*s[i], 0, strlen(*s[i]));
        my_host->free(*s[i]);
        *s[i] = NULL;
    }
}

static int my_hex(int ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* A query parameter's value, percent-decoded. */
static char *my_decode(const char *s, size_t n)
{
    char *d = my_host->alloc(n + 1), *o = d;
    size_t i;
    if (!d)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && my_hex((unsigned char)s[i + 1]) >= 0 &&
            my_hex((unsigned char)s[i + 2]) >= 0) {
            *o++ = (char)(my_hex((unsigned char)s[i + 1]) * 16 + my_hex((unsigned char)s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i] == '+' ? ' ' : s[i];
        }
    }
    *o = '\0';
    return d;
}

/* ?socket=...&ssl-mode=...&ssl-ca=...: the parameters this driver knows. */
static int my_query_params(my_conn *c, const char *q)
{
    while (q && *q) {
        size_t n = strcspn(q, "&"), k = strcspn(q, "=");
        char *v;
        int rc = INVS_OK;
        if (k > n)
            k = n;
        if (!(v = my_decode(q + k + (k < n), n - k - (k < n))))
            return my_oom(c);
#define MY_PARAM(name) (k == strlen(name) && !strncmp(q, name, k))
        if (MY_PARAM("socket") || MY_PARAM("unix_socket")) {
            my_host->free(c->to.socket);
            c->to.socket = v, v = NULL;
        } else if (MY_PARAM("ssl-mode") || MY_PARAM("ssl_mode") || MY_PARAM("sslmode")) {
            rc = my_tls_mode(c, v);
        } else if (MY_PARAM("ssl-ca") || MY_PARAM("ssl_ca")) {
            c->to.ssl_ca = v, v = NULL;
        } else if (MY_PARAM("ssl-capath") || MY_PARAM("ssl_capath")) {
            c->to.ssl_capath = v, v = NULL;
        } else if (MY_PARAM("ssl-cert") || MY_PARAM("ssl_cert")) {
            c->to.ssl_cert = v, v = NULL;
        } else if (MY_PARAM("ssl-key") || MY_PARAM("ssl_key")) {
            c->to.ssl_key = v, v = NULL;
        } else {
            rc = my_host->error(c->s, INVS_EINVAL, NULL, 0,
                                "%s: unknown parameter '%.*s' (the mysql driver knows socket, "
                                "ssl-mode, ssl-ca, ssl-capath, ssl-cert, ssl-key)",
                                c->shown, (int)k, q);
        }
#undef MY_PARAM
        my_host->free(v);
        if (rc != INVS_OK)
            return rc;
        q += n + (q[n] == '&');
    }
    return INVS_OK;
}

static int my_parse_uri(my_conn *c, const char *uri)
{
    invs_uri *u = NULL;
    int rc = my_host->uri_parse(&u, uri);
    const char *db;
    if (rc == INVS_ENOMEM)
        return my_oom(c);
    if (rc != INVS_OK || !u->has_authority) {
        my_host->uri_free(u);
        return my_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "%s is not a MySQL URI: expected mysql://user:password@host:port/"
                              "database",
                              c->shown);
    }
    db = u->path ? u->path + (u->path[0] == '/') : "";
    if ((u->host && *u->host && !(c->to.host = my_strdup(u->host))) ||
        (u->user && *u->user && !(c->to.user = my_strdup(u->user))) ||
        (u->password && !(c->to.password = my_strdup(u->password))) ||
        (*db && !(c->to.db = my_strdup(db))))
        rc = my_oom(c);
    if (u->password)
        memset(u->password, 0, strlen(u->password));
    c->to.port = u->port ? (unsigned)strtoul(u->port, NULL, 10) : 0;
    if (rc == INVS_OK)
        rc = my_query_params(c, u->query);
    my_host->uri_free(u);
    return rc;
}

static int my_options(my_conn *c, const char *const *options)
{
    for (; options && *options; options++) {
        const char *eq = strchr(*options, '=');
        char *end;
        if (eq && (size_t)(eq - *options) == 14 && !strncmp(*options, "reconnect_wait", 14)) {
            double v = strtod(eq + 1, &end);
            if (end != eq + 1 && !*end && v >= 0 && v <= 86400) {
                c->reconnect_wait = v;
                continue;
            }
        }
        return my_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "the mysql driver has no option '%s' (it knows "
                              "reconnect_wait=SECONDS)",
                              *options);
    }
    return INVS_OK;
}

/* ------------------------------------------------------------ sessions */

/* What every session is pinned to, one statement at a time. */
static int my_session(my_conn *c, unsigned flags)
{
    static const char *const common[] = {
        "SET NAMES utf8mb4",
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_AUTO_VALUE_ON_ZERO,"
        "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
        "SET SESSION time_zone = '+00:00'",
        "SET SESSION net_write_timeout = 3600",
        "SET SESSION net_read_timeout = 3600",
        NULL};
    static const char *const writing[] = {"SET SESSION foreign_key_checks = 0",
                                          "SET SESSION explicit_defaults_for_timestamp = 1",
                                          NULL};
    static const char *const reading[] = {
        "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", NULL};
    const char *const *p;
    int rc = INVS_OK;
    for (p = common; *p && rc == INVS_OK; p++)
        rc = my_exec(c, *p);
    /* MySQL 8 caches table statistics (AUTO_INCREMENT among them) for a
     * day unless told not to; MariaDB has no such cache, nor the variable */
    if (rc == INVS_OK && !c->mariadb &&
        mysql_query(c->my, "SET SESSION information_schema_stats_expiry = 0") != 0 &&
        mysql_errno(c->my) != ER_UNKNOWN_SYSTEM_VARIABLE)
        rc = my_fail(c, "SET SESSION information_schema_stats_expiry = 0");
    for (p = (flags & INVS_OPEN_WRITE) ? writing : reading; *p && rc == INVS_OK; p++)
        rc = my_exec(c, *p);
    if (rc == INVS_OK && (flags & INVS_OPEN_WRITE))
        rc = my_lock_session(c);
    if (rc == INVS_OK && !(flags & INVS_OPEN_WRITE))
        c->in_txn = 1;
    return rc;
}

static int my_connect_error(my_conn *c, MYSQL *m)
{
    unsigned e = mysql_errno(m);
    /* a database that does not exist is ENOTFOUND: verify --target URI
     * takes it for one push will fill */
    int code = e == ER_ACCESS_DENIED_ERROR ? INVS_EAUTH
               : e == ER_BAD_DB_ERROR      ? INVS_ENOTFOUND
                                           : INVS_ECONNECT;
    return my_host->error(c->s, code, mysql_sqlstate(m), (long)e, "cannot connect to %s: %s",
                          c->shown, mysql_error(m));
}

int my_connect(my_conn *c, unsigned flags)
{
    unsigned int timeout = 10, local = (flags & INVS_OPEN_WRITE) != 0;
    const char *pw = c->to.password;
    MYSQL *m;
    int rc;

    if (!(m = mysql_init(NULL)))
        return my_oom(c);
    /* ~/.my.cnf and the other option files, [client] group */
    mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, "client");
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &local);
    my_tls_options(c, m);
    if (!mysql_real_connect(m, c->to.host, c->to.user, pw, c->to.db, c->to.port, c->to.socket,
                            0)) {
        rc = my_connect_error(c, m);
        mysql_close(m);
        return rc;
    }
    if ((rc = my_tls_check(c, m)) != INVS_OK) {
        mysql_close(m);
        return rc;
    }
    if (c->my)
        mysql_close(c->my);
    c->my = m;
    c->lost = 0;
    c->mariadb = strstr(mysql_get_server_info(m), "MariaDB") != NULL;
    my_infile_install(c);
    return my_session(c, flags);
}

/* The database the URI (or the option files) named. */
static int my_database(my_conn *c)
{
    MYSQL_RES *r;
    MYSQL_ROW row;
    int rc = INVS_OK;
    if (c->to.db)
        return INVS_OK;
    if (!(r = my_query(c, "SELECT DATABASE()")))
        return INVS_ESQL;
    if ((row = mysql_fetch_row(r)) && row[0] && !(c->to.db = my_strdup(row[0])))
        rc = my_oom(c);
    mysql_free_result(r);
    if (rc == INVS_OK && !c->to.db)
        rc = my_host->error(c->s, INVS_EINVAL, NULL, 0,
                            "%s names no database: mysql://user@host/DATABASE", c->shown);
    return rc;
}

static void my_close(invs_drv_conn *conn)
{
    my_conn *c = conn;
    size_t i;
    if (!c)
        return;
    if (c->my)
        mysql_close(c->my);
    my_target_free(&c->to);
    for (i = 0; i < c->noutside; i++) {
        my_host->free(c->outside[i].parent);
        my_host->free(c->outside[i].child);
        my_host->free(c->outside[i].name);
    }
    for (i = 0; i < c->nautoinc; i++)
        my_host->free(c->autoinc[i].table);
    my_host->free(c->outside);
    my_host->free(c->autoinc);
    my_lock_free(c);
    my_host->free(c->shown);
    my_host->free(c);
}

static int my_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                   const char *const *options)
{
    my_conn *c;
    int rc;

    *out = NULL;
    if (!(c = my_host->alloc(sizeof(*c))))
        return my_host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(c, 0, sizeof(*c));
    c->s = s;
    c->reading = !(flags & INVS_OPEN_WRITE);
    c->reconnect_wait = 20;
    c->to.ssl = -1;
    if (!(c->shown = my_host->uri_redact(uri)))
        rc = my_oom(c);
    else if ((rc = my_options(c, options)) == INVS_OK && (rc = my_parse_uri(c, uri)) == INVS_OK &&
             (rc = my_tls_ready(c)) == INVS_OK && (rc = my_connect(c, flags)) == INVS_OK)
        rc = my_database(c);
    if (rc != INVS_OK) {
        my_close(c);
        return rc;
    }
    *out = c;
    return INVS_OK;
}

static int my_begin(invs_drv_conn *conn)
{
    my_conn *c = conn;
    int rc = my_exec(c, "START TRANSACTION");
    c->in_txn = rc == INVS_OK;
    return rc;
}

static int my_commit(invs_drv_conn *conn)
{
    my_conn *c = conn;
    int rc;
    c->committing = 1;
    rc = my_exec(c, "COMMIT");
    c->in_txn = 0;
    if (rc == INVS_OK) {
        c->committing = 0;
        if ((rc = my_lock_release(c)) == INVS_OK)
            rc = my_autoinc_apply(c);
    }
    return rc;
}

static int my_rollback(invs_drv_conn *conn)
{
    my_conn *c = conn;
    int rc;
    if (!c->in_txn)
        return INVS_OK;
    c->in_txn = 0;
    if (c->lost)
        return INVS_OK; /* the server rolls back what it lost, and its locks */
    if ((rc = my_exec(c, "ROLLBACK")) == INVS_OK)
        rc = my_lock_release(c);
    return rc;
}

static const char *const my_schemes[] = {"mysql", "mariadb", NULL};

/* utf8 is utf8mb3 in MySQL and MariaDB: characters up to U+FFFF only */
static const char *const my_bmp_charsets[] = {"utf8mb3", "utf8", NULL};

/* What MySQL refuses that a stage may hold. Zero and partial dates are
 * MySQL's own values: the sessions' sql_mode has no NO_ZERO_DATE or
 * NO_ZERO_IN_DATE, so they go in as they are. Column names ignore case
 * (É is é) on every server; table names follow lower_case_table_names,
 * 0 on Linux: they keep their case, as invstage does (README). No name
 * may be empty. */
static const invs_limits my_limits = {
    .struct_size = sizeof(invs_limits),
    .flags = INVS_LIM_TYPED | INVS_LIM_CI_UNIQUE | INVS_LIM_NO_BC | INVS_LIM_NO_INFINITY |
             INVS_LIM_ZERO_DATES | INVS_LIM_CI_COLUMNS | INVS_LIM_NO_EMPTY_NAME |
             INVS_LIM_DECIMAL_BOUNDED,
    .engine = "MySQL",
    .ident_max = 64,
    .ident_unit = INVS_UNIT_CHARS,
    .year_min = 1000, /* DATE and DATETIME: 1000-01-01 to 9999-12-31 */
    .year_max = 9999,
    .decimal_max = 65, /* decimal(65,30), which a decimal without precision becomes */
    .bmp_charsets = my_bmp_charsets,
    .decimal_scale_max = 30,
};

static const invs_driver my_driver = {
    .abi_major = INVS_ABI_MAJOR,
    .abi_minor = INVS_ABI_MINOR,
    .struct_size = sizeof(invs_driver),
    .name = "mysql",
    .version = MYSQL_DRIVER_VERSION,
    .description = "MySQL and MariaDB (Connector/C): snapshot pull, LOAD DATA push",
    .schemes = my_schemes,
    .caps = INVS_CAP_PULL | INVS_CAP_PUSH | INVS_CAP_CREATE | INVS_CAP_SNAPSHOT,
    .open = my_open,
    .close = my_close,
    .schema_read = my_schema_read,
    .cursor_next = my_cursor_next,
    .cursor_close = my_cursor_close,
    .begin = my_begin,
    .commit = my_commit,
    .rollback = my_rollback,
    .has_rows = my_has_rows,
    .table_clear = my_table_clear,
    .load_begin = my_load_begin,
    .writer_open = my_writer_open,
    .writer_put = my_writer_put,
    .writer_close = my_writer_close,
    .load_end = my_load_end,
    .sequences_set = my_sequences_set,
    .indexes_create = my_indexes_create,
    /* 1.2 */
    .limits = &my_limits,
    .cursor_open_v2 = my_cursor_open,
    .table_create_v2 = my_table_create,
    .table_drop = my_table_drop,
};

INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host)
{
    if (!host || host->abi_major != INVS_ABI_MAJOR)
        return NULL;
    if (!INVS_HAS(host, invs_host, canon_name)) {
        host->log(NULL, INVS_LOG_ERROR, "the mysql driver needs host ABI %d.0's services",
                  INVS_ABI_MAJOR);
        return NULL;
    }
    my_host = host;
    return &my_driver;
}

/*
 * invs_postgres: the PostgreSQL driver, on libpq.
 *
 * URIs (postgresql://, postgres://) go to libpq as they are, so PGPASSWORD,
 * ~/.pgpass, sslmode, host=/socket/dir and ?options= work as users expect.
 * Every session is pinned to what makes text exact and absolute: UTF-8,
 * ISO dates, UTC, shortest-exact floats, hex bytea. A pull reads one
 * REPEATABLE READ, READ ONLY snapshot; a push is one transaction (DDL
 * included: PostgreSQL's DDL is transactional).
 */
#include <stdlib.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "pg_driver.h"

const invs_host *pg_host;

char *pg_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = pg_host->alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int pg_sb_ok(pg_conn *c, const invs_strbuf *sb)
{
    if (invs_sb_failed(sb))
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    return INVS_OK;
}

static int pg_code_for(const char *sqlstate)
{
    if (!sqlstate || strlen(sqlstate) != 5)
        return INVS_ESQL;
    if (!strcmp(sqlstate, "57014")) /* canceled: pg_run asked, for the user */
        return INVS_ECANCELLED;
    if (!strncmp(sqlstate, "28", 2))
        return INVS_EAUTH;
    if (!strncmp(sqlstate, "08", 2) || !strncmp(sqlstate, "57P", 3))
        return INVS_ECONNECT;
    if (!strncmp(sqlstate, "23", 2))
        return INVS_ECONSTRAINT;
    if (!strncmp(sqlstate, "22", 2))
        return INVS_ETYPE;
    if (!strncmp(sqlstate, "53", 2) || !strncmp(sqlstate, "58", 2))
        return INVS_EIO;
    return INVS_ESQL;
}

int pg_fail(pg_conn *c, PGresult *r, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : "";
    int code = pg_code_for(state);
    int rc;
    size_t n;

    if (!msg || !*msg)
        msg = PQerrorMessage(c->pg);
    if (PQstatus(c->pg) == CONNECTION_BAD && code == INVS_ESQL)
        code = INVS_ECONNECT;
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    if (code == INVS_ECANCELLED)
        rc = pg_host->error(c->s, code, state, 0, "%s: %s: interrupted (the server stopped it)",
                            c->shown, what);
    else
        rc = pg_host->error(c->s, code, state, 0, "%s: %s: %.*s", c->shown, what, (int)n, msg);
    PQclear(r);
    c->failed = rc;
    return rc;
}

PGresult *pg_run(pg_conn *c, const char *sql, int nparams, const char *const *params)
{
    PGresult *r, *last = NULL;
    int asked = 0;
    if (!PQsendQueryParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0))
        return NULL;
    for (;;) {
        while (PQisBusy(c->pg)) {
            struct pollfd pfd;
            pfd.fd = PQsocket(c->pg);
            pfd.events = POLLIN;
            pfd.revents = 0;
            if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
                break;
            if (!asked && pg_host->cancelled(c->s)) {
                /* the server stops the statement and answers 57014 */
                char why[256];
                PGcancel *cn = PQgetCancel(c->pg);
                if (cn) {
                    PQcancel(cn, why, sizeof(why));
                    PQfreeCancel(cn);
                }
                asked = 1;
            }
            if (!PQconsumeInput(c->pg))
                break;
        }
        if (!(r = PQgetResult(c->pg)))
            return last;
        if (PQresultStatus(r) == PGRES_COPY_IN || PQresultStatus(r) == PGRES_COPY_OUT) {
            PQclear(last);
            return r;
        }
        PQclear(last);
        last = r;
        if (PQstatus(c->pg) == CONNECTION_BAD)
            return last;
    }
}

PGresult *pg_query(pg_conn *c, const char *sql, int nparams, const char *const *params)
{
    PGresult *r = pg_run(c, sql, nparams, params);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    pg_fail(c, r, "query");
    return NULL;
}

int pg_exec(pg_conn *c, const char *sql)
{
    /* the extended protocol: one statement per call, a second is refused */
    PGresult *r = pg_run(c, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        return pg_fail(c, r, sql);
    PQclear(r);
    return INVS_OK;
}

int pg_nextval_sequence(invs_strbuf *sb, const char *default_expr)
{
    const char *p, *e;
    if (!default_expr || strncmp(default_expr, "nextval('", 9) != 0)
        return 0;
    p = default_expr + 9;
    if (!(e = strstr(p, "'::regclass)")))
        return 0;
    invs_sb_add(sb, p, (size_t)(e - p)); /* already quoted as an identifier */
    return 1;
}

const char *pg_table_schema(const pg_conn *c, const invs_table *t)
{
    /* a pull reads each table from its own schema; a push loads into the
     * schema the target was opened with */
    if (c->reading && t->schema)
        return t->schema;
    return c->nschemas ? c->schemas[0] : "public";
}

void pg_qualified(invs_strbuf *sb, const pg_conn *c, const invs_table *t)
{
    invs_sb_ident(sb, pg_table_schema(c, t), '"');
    invs_sb_puts(sb, ".");
    invs_sb_ident(sb, t->name, '"');
}

static void pg_close(invs_drv_conn *conn)
{
    pg_conn *c = conn;
    size_t i;
    if (!c)
        return;
    if (c->pg)
        PQfinish(c->pg);
    for (i = 0; i < c->nschemas; i++)
        pg_host->free(c->schemas[i]);
    for (i = 0; i < c->nfks; i++) {
        pg_host->free(c->fks[i].table);
        pg_host->free(c->fks[i].name);
        pg_host->free(c->fks[i].def);
    }
    for (i = 0; i < c->noutside; i++) {
        pg_host->free(c->outside[i].parent);
        pg_host->free(c->outside[i].child);
        pg_host->free(c->outside[i].name);
    }
    pg_host->free(c->outside);
    pg_host->free(c->fks);
    pg_host->free(c->made_seqs);
    pg_host->free(c->schemas);
    pg_host->free(c->shown);
    pg_host->free(c);
}

static int pg_add_schema(pg_conn *c, const char *name)
{
    char **v = pg_host->realloc(c->schemas, (c->nschemas + 1) * sizeof(*v));
    if (!v)
        return INVS_ENOMEM;
    c->schemas = v;
    if (!(v[c->nschemas] = pg_strdup(name)))
        return INVS_ENOMEM;
    c->nschemas++;
    return INVS_OK;
}

static int pg_options(pg_conn *c, const char *const *options)
{
    for (; options && *options; options++) {
        const char *eq = strchr(*options, '=');
        if (eq && (size_t)(eq - *options) == 6 && !strncmp(*options, "schema", 6) && eq[1]) {
            if (pg_add_schema(c, eq + 1) != INVS_OK)
                return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
            continue;
        }
        if (!strcmp(*options, "copy=text") || !strcmp(*options, "copy=binary")) {
            c->copy_text = !strcmp(*options, "copy=text");
            continue;
        }
        return pg_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "the postgres driver has no option '%s' (it knows schema=NAME "
                              "and copy=text|binary)",
                              *options);
    }
    return INVS_OK;
}

/* Server notices go to the host's log, not to stderr: the library never
 * prints. */
static void pg_notice(void *arg, const char *msg)
{
    pg_conn *c = arg;
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        n--;
    pg_host->log(c->s, INVS_LOG_WARN, "server says: %.*s", (int)n, msg);
}

static int pg_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                   const char *const *options)
{
    /* the session as the rows are read and written: UTF-8, ISO dates, UTC,
     * shortest-exact floats, hex bytea */
    static const char *const session[] = {
        "SET client_encoding = 'UTF8'",        "SET DateStyle = 'ISO, YMD'",
        "SET IntervalStyle = 'postgres'",      "SET TimeZone = 'UTC'",
        "SET extra_float_digits = 3",          "SET bytea_output = 'hex'",
        "SET standard_conforming_strings = on", "SET client_min_messages = warning"};
    pg_conn *c;
    size_t i;
    int rc = INVS_OK;

    *out = NULL;
    if (!(c = pg_host->alloc(sizeof(*c))))
        return pg_host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(c, 0, sizeof(*c));
    c->s = s;
    if (!(c->shown = pg_host->uri_redact(uri))) {
        pg_close(c);
        return pg_host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
    }
    if ((rc = pg_options(c, options)) != INVS_OK) {
        pg_close(c);
        return rc;
    }
    c->pg = PQconnectdb(uri);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        const char *msg = c->pg ? PQerrorMessage(c->pg) : "out of memory";
        int code = (strstr(msg, "password authentication failed") ||
                    strstr(msg, "no password supplied") || strstr(msg, "authentication failed"))
                       ? INVS_EAUTH
                       : INVS_ECONNECT;
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            n--;
        rc = pg_host->error(s, code, "08001", 0, "cannot connect to %s: %.*s", c->shown, (int)n,
                            msg);
        pg_close(c);
        return rc;
    }
    PQsetNoticeProcessor(c->pg, pg_notice, c);
    for (i = 0; i < sizeof(session) / sizeof(session[0]) && rc == INVS_OK; i++)
        rc = pg_exec(c, session[i]);
    if (rc == INVS_OK) { /* how long a lock held elsewhere is waited for */
        char set[64];
        long ms = pg_host->lock_timeout_ms(s);
        snprintf(set, sizeof(set), "SET lock_timeout = %ld", ms < 0 ? 0 : ms);
        rc = pg_exec(c, set);
    }
    c->reading = !(flags & INVS_OPEN_WRITE);
    if (rc == INVS_OK && c->reading) {
        rc = pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        c->in_txn = rc == INVS_OK;
    }
    if (rc == INVS_OK && c->nschemas == 0) {
        PGresult *r = pg_query(c, "SELECT current_schema()", 0, NULL);
        rc = !r ? c->failed
                : pg_add_schema(c, PQgetisnull(r, 0, 0) ? "public" : PQgetvalue(r, 0, 0));
        PQclear(r);
        if (rc == INVS_ENOMEM)
            pg_host->error(s, rc, NULL, 0, "out of memory");
    }
    if (rc != INVS_OK) {
        pg_close(c);
        return rc;
    }
    *out = c;
    return INVS_OK;
}

static int pg_begin(invs_drv_conn *conn)
{
    pg_conn *c = conn;
    int rc = pg_exec(c, "BEGIN");
    c->in_txn = rc == INVS_OK;
    return rc;
}

static int pg_commit(invs_drv_conn *conn)
{
    pg_conn *c = conn;
    int rc = pg_exec(c, "COMMIT");
    c->in_txn = 0;
    return rc;
}

static int pg_rollback(invs_drv_conn *conn)
{
    pg_conn *c = conn;
    if (!c->in_txn)
        return INVS_OK;
    c->in_txn = 0;
    c->nmade_seqs = 0; /* they are gone with the transaction */
    if (PQstatus(c->pg) != CONNECTION_OK)
        return INVS_OK; /* the server rolls back a connection it lost */
    return pg_exec(c, "ROLLBACK");
}

static const char *const pg_schemes[] = {"postgresql", "postgres", "pgsql", NULL};

/* What PostgreSQL refuses that a stage may hold. */
static const invs_limits pg_limits = {
    .struct_size = sizeof(invs_limits),
    .flags = INVS_LIM_TYPED | INVS_LIM_NO_NUL | INVS_LIM_NO_EMPTY_NAME | INVS_LIM_TIME_OF_DAY,
    .engine = "PostgreSQL",
    .ident_max = 63, /* NAMEDATALEN - 1 */
    .ident_unit = INVS_UNIT_BYTES,
    .decimal_max = 1000, /* numeric(p,s): p at most 1000 */
    .decimal_scale_max = 1000, /* s too (PostgreSQL 15 lets it exceed p) */
};

static const invs_driver pg_driver = {
    .abi_major = INVS_ABI_MAJOR,
    .abi_minor = INVS_ABI_MINOR,
    .struct_size = sizeof(invs_driver),
    .name = "postgres",
    .version = PG_DRIVER_VERSION,
    .description = "PostgreSQL (libpq): snapshot pull, COPY push",
    .schemes = pg_schemes,
    .caps = INVS_CAP_PULL | INVS_CAP_PUSH | INVS_CAP_CREATE | INVS_CAP_SNAPSHOT |
            INVS_CAP_TXN_DDL,
    .open = pg_open,
    .close = pg_close,
    .schema_read = pg_schema_read,
    .cursor_next = pg_cursor_next,
    .cursor_close = pg_cursor_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .has_rows = pg_has_rows,
    .table_clear = pg_table_clear,
    .load_begin = pg_load_begin,
    .writer_open = pg_writer_open,
    .writer_put = pg_writer_put,
    .writer_close = pg_writer_close,
    .load_end = pg_load_end,
    .sequences_set = pg_sequences_set,
    .indexes_create = pg_indexes_create,
    /* 1.2 */
    .limits = &pg_limits,
    .cursor_open_v2 = pg_cursor_open,
    .table_create_v2 = pg_table_create,
    .preflight = pg_preflight,
    .objects_read = pg_objects_read,
    .object_create = pg_object_create,
};

INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host)
{
    if (!host || host->abi_major != INVS_ABI_MAJOR)
        return NULL;
    if (!INVS_HAS(host, invs_host, lock_timeout_ms)) {
        host->log(NULL, INVS_LOG_ERROR, "the postgres driver needs host ABI %d.2's services",
                  INVS_ABI_MAJOR);
        return NULL;
    }
    pg_host = host;
    return &pg_driver;
}

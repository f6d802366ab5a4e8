/*
 * invs_sqlite: the SQLite driver. Pull and push, in one module that links
 * against libsqlite3 and nothing of invstage's.
 *
 * URIs: sqlite:PATH (verbatim, relative to the working directory) and
 * sqlite:///ABSOLUTE/PATH (percent-decoded). A source is opened read-only
 * and never created. A missing target is built under a temporary name
 * beside PATH and appears at PATH only when the push commits (never over a
 * file another run put there meanwhile); until then a killed push leaves a
 * temporary, which the next push to PATH removes.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sqlite_driver.h"

const invs_host *sqlite_host;

int sqlite_err(sqlite_conn *c, int code, const char *what)
{
    int ext = sqlite3_extended_errcode(c->db), prim = ext & 0xff;
    switch (prim) {
    case SQLITE_NOMEM: code = INVS_ENOMEM; break;
    case SQLITE_CONSTRAINT: code = INVS_ECONSTRAINT; break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = INVS_EIO; break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: code = INVS_ECORRUPT; break;
    case SQLITE_INTERRUPT: code = INVS_ECANCELLED; break;
    }
    if (prim == SQLITE_BUSY && sqlite_host->cancelled(c->s)) /* sqlite_busy gave up */
        return sqlite_host->error(c->s, INVS_ECANCELLED, NULL, ext,
                                  "sqlite:%s: interrupted while waiting for another "
                                  "connection's lock",
                                  c->path);
    return sqlite_host->error(c->s, code, NULL, ext, "sqlite:%s: %s: %s", c->path, what,
                              sqlite3_errmsg(c->db));
}

/* SQLite's busy handler: another connection's lock is waited for as long
 * as the user lets (--lock-timeout; -1 without limit), in short sleeps,
 * each followed by a look at whether the user asked to stop, so that
 * Ctrl-C ends the wait at once (sqlite3_busy_timeout sleeps on, deaf). */
static int sqlite_busy(void *payload, int count)
{
    sqlite_conn *c = payload;
    long limit = sqlite_host->lock_timeout_ms(c->s), waited, step = 10;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        c->busy_since = now;
    if (sqlite_host->cancelled(c->s))
        return 0;
    waited = (long)(now.tv_sec - c->busy_since.tv_sec) * 1000 +
             (now.tv_nsec - c->busy_since.tv_nsec) / 1000000;
    if (limit >= 0 && waited >= limit)
        return 0;
    if (limit >= 0 && limit - waited < step)
        step = limit - waited;
    sqlite3_sleep((int)step);
    return 1;
}

int sqlite_txn_lost(sqlite_conn *c)
{
    if (!c->in_txn || !sqlite3_get_autocommit(c->db))
        return INVS_OK;
    /* after some errors (out of memory, disk full, I/O) SQLite rolls the
     * transaction back itself: a statement run now would commit on its
     * own, so none is */
    return sqlite_host->error(c->s, INVS_EIO, NULL, 0,
                              "sqlite:%s: SQLite ended the transaction itself after a failure "
                              "(out of memory, disk full or I/O); nothing was committed",
                              c->path);
}

int sqlite_exec(sqlite_conn *c, const char *sql)
{
    sqlite3_stmt *s = NULL;
    const char *tail = NULL;
    int step, rc;
    if ((rc = sqlite_txn_lost(c)) != INVS_OK)
        return rc;
    /* one statement per call: what follows the first is refused, never run */
    if (sqlite3_prepare_v2(c->db, sql, -1, &s, &tail) != SQLITE_OK)
        return sqlite_err(c, INVS_ESQL, sql);
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
        tail++;
    if (tail && *tail) {
        sqlite3_finalize(s);
        return sqlite_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                  "sqlite:%s: refusing a second statement in one call: %.60s",
                                  c->path, tail);
    }
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        ;
    sqlite3_finalize(s);
    if (step != SQLITE_DONE)
        return sqlite_err(c, INVS_ESQL, sql);
    return INVS_OK;
}

int sqlite_exec_sb(sqlite_conn *c, invs_strbuf *sb)
{
    int rc = sqlite_sb_ok(c, sb);
    if (rc == INVS_OK)
        rc = sqlite_exec(c, sb->p);
    invs_sb_free(sb);
    return rc;
}

int sqlite_sb_ok(sqlite_conn *c, const invs_strbuf *sb)
{
    if (invs_sb_failed(sb))
        return sqlite_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    return INVS_OK;
}

/* The file path a URI names, or an error naming the URI. */
static int sqlite_uri_path(char **out, invs_session *s, const char *uri)
{
    invs_uri *u = NULL;
    int rc = sqlite_host->uri_parse(&u, uri);
    char *red;

    *out = NULL;
    if (rc == INVS_ENOMEM)
        return sqlite_host->error(s, rc, NULL, 0, "out of memory");
    if (rc == INVS_OK && u->has_authority && u->host && *u->host && strcmp(u->host, "localhost"))
        rc = INVS_EINVAL;
    if (rc == INVS_OK && (!u->path || !*u->path || (u->has_authority && u->query)))
        rc = INVS_EINVAL;
    if (rc == INVS_OK && !(*out = sqlite_host->alloc(strlen(u->path) + 1)))
        rc = INVS_ENOMEM;
    if (rc == INVS_OK)
        memcpy(*out, u->path, strlen(u->path) + 1);
    sqlite_host->uri_free(u);
    if (rc == INVS_EINVAL) {
        red = sqlite_host->uri_redact(uri);
        sqlite_host->error(s, rc, NULL, 0,
                           "%s is not an SQLite URI: use sqlite:PATH or sqlite:///ABSOLUTE/PATH",
                           red ? red : "URI");
        sqlite_host->free(red);
    } else if (rc == INVS_ENOMEM) {
        sqlite_host->error(s, rc, NULL, 0, "out of memory");
    }
    return rc;
}

static void sqlite_close(invs_drv_conn *conn)
{
    sqlite_conn *c = conn;
    if (!c)
        return;
    sqlite3_close_v2(c->db);
    if (c->tmp && !c->committed) {
        /* a target we created and did not fill: leave nothing behind */
        size_t n = strlen(c->tmp);
        char *j = sqlite_host->alloc(n + 9);
        unlink(c->tmp);
        if (j) {
            memcpy(j, c->tmp, n);
            memcpy(j + n, "-journal", 9);
            unlink(j);
            sqlite_host->free(j);
        }
    }
    sqlite_host->free(c->tmp);
    sqlite_host->free(c->path);
    sqlite_host->free(c);
}

static int sqlite_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                       const char *const *options)
{
    sqlite_conn *c;
    struct stat sb;
    int rc, oflags;

    *out = NULL;
    if (options && options[0])
        return sqlite_host->error(s, INVS_EINVAL, NULL, 0,
                                  "the sqlite driver has no option '%.*s'",
                                  (int)strcspn(options[0], "="), options[0]);
    if (!(c = sqlite_host->alloc(sizeof(*c))))
        return sqlite_host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(c, 0, sizeof(*c));
    c->s = s;
    if ((rc = sqlite_uri_path(&c->path, s, uri)) != INVS_OK) {
        sqlite_close(c);
        return rc;
    }
    if (stat(c->path, &sb) != 0) {
        if (errno != ENOENT || !(flags & INVS_OPEN_CREATE)) {
            rc = sqlite_host->error(s, errno == ENOENT ? INVS_ENOTFOUND : INVS_EIO, NULL, errno,
                                    "sqlite:%s: %s", c->path, strerror(errno));
            sqlite_close(c);
            return rc;
        }
        if (!(c->tmp = sqlite_host->temp_name(s, c->path))) {
            sqlite_close(c);
            return sqlite_host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
        }
        unlink(c->tmp);
    } else if (!S_ISREG(sb.st_mode)) {
        rc = sqlite_host->error(s, INVS_EIO, NULL, 0, "sqlite:%s: not a regular file", c->path);
        sqlite_close(c);
        return rc;
    }
    oflags = (flags & INVS_OPEN_WRITE) ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (c->tmp)
        oflags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(c->tmp ? c->tmp : c->path, &c->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = c->db ? sqlite_err(c, INVS_EIO, "open")
                   : sqlite_host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
        sqlite_close(c);
        return rc;
    }
    sqlite3_extended_result_codes(c->db, 1);
    /* another connection's write lock is waited for as long as the user lets */
    sqlite3_busy_handler(c->db, sqlite_busy, c);
    /* Reading the schema proves the file is a database at all. Keys are
     * not enforced while loading: the load checks them once at the end
     * (load_end), and ON DELETE actions never cascade out of the stage. */
    rc = sqlite_exec(c, "SELECT count(*) FROM sqlite_schema");
    if (rc == INVS_OK)
        rc = sqlite_exec(c, "PRAGMA cache_size = -16384");
    if (rc == INVS_OK && (flags & INVS_OPEN_WRITE))
        rc = sqlite_exec(c, "PRAGMA foreign_keys = OFF");
    if (rc == INVS_OK && !(flags & INVS_OPEN_WRITE) && (rc = sqlite_exec(c, "BEGIN")) == INVS_OK)
        rc = sqlite_exec(c, "SELECT count(*) FROM sqlite_schema");
    if (rc != INVS_OK) {
        sqlite_close(c);
        return rc;
    }
    c->in_txn = !(flags & INVS_OPEN_WRITE); /* a read snapshot for the pull */
    *out = c;
    return INVS_OK;
}

/* The write lock first: the checks that follow (is the target empty?)
 * then stay true until commit, and a second push waits for the first. */
static int sqlite_begin(invs_drv_conn *conn)
{
    sqlite_conn *c = conn;
    int rc = sqlite_exec(c, "BEGIN IMMEDIATE");
    if (rc != INVS_OK && rc != INVS_ECANCELLED &&
        (sqlite3_extended_errcode(c->db) & 0xff) == SQLITE_BUSY)
        rc = sqlite_host->error(c->s, INVS_EREFUSED, NULL, SQLITE_BUSY,
                                "sqlite:%s is locked by another connection (a push, or an "
                                "application writing) for longer than --lock-timeout; nothing "
                                "was written",
                                c->path);
    c->in_txn = rc == INVS_OK;
    return rc;
}

static int sqlite_commit(invs_drv_conn *conn)
{
    sqlite_conn *c = conn;
    int rc = sqlite_exec(c, "COMMIT");
    if (rc != INVS_OK)
        return rc;
    c->in_txn = 0;
    /* a new target appears now, and only if no other run made one meanwhile */
    if (c->tmp && (rc = sqlite_host->publish(c->s, c->tmp, c->path, 0)) != INVS_OK)
        return rc;
    c->committed = 1;
    return INVS_OK;
}

/* After a full disk (or an I/O error) SQLite ends the transaction itself
 * and leaves its pager in an error state: the file stays grown, with a hot
 * journal that only the next opener rolls back. Be that opener now, so the
 * target is as it was, in size too, when the push returns. */
static int sqlite_recover(sqlite_conn *c)
{
    sqlite3 *db = NULL;
    const char *file = c->tmp ? c->tmp : c->path;
    int rc = INVS_OK;
    sqlite3_close_v2(c->db);
    c->db = NULL;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK)
        rc = sqlite_host->error(c->s, INVS_EIO, NULL, 0,
                                "sqlite:%s: rolling back after a failure: %s", c->path,
                                db ? sqlite3_errmsg(db) : "out of memory");
    c->db = db;
    return rc;
}

static int sqlite_rollback(invs_drv_conn *conn)
{
    sqlite_conn *c = conn;
    if (!c->in_txn)
        return INVS_OK;
    c->in_txn = 0;
    if (sqlite3_get_autocommit(c->db)) /* SQLite gave up the transaction itself */
        return sqlite_recover(c);
    return sqlite_exec(c, "ROLLBACK");
}

static const char *const sqlite_schemes[] = {"sqlite", "sqlite3", NULL};

/* SQLite stores what it is given: any storage class in any column, NUL
 * bytes in text, names of any length. But its names ignore (ASCII) case:
 * "Foo" and "foo" are one table. */
static const invs_limits sqlite_limits = {
    .struct_size = sizeof(invs_limits),
    .flags = INVS_LIM_CI_NAMES,
    .engine = "SQLite",
};

static const invs_driver sqlite_driver = {
    .abi_major = INVS_ABI_MAJOR,
    .abi_minor = INVS_ABI_MINOR,
    .struct_size = sizeof(invs_driver),
    .name = "sqlite",
    .version = SQLITE_VERSION,
    .description = "SQLite 3 databases (libsqlite3)",
    .schemes = sqlite_schemes,
    .caps = INVS_CAP_PULL | INVS_CAP_PUSH | INVS_CAP_CREATE | INVS_CAP_SNAPSHOT |
            INVS_CAP_TXN_DDL,
    .open = sqlite_open,
    .close = sqlite_close,
    .schema_read = sqlite_schema_read,
    .cursor_next = sqlite_cursor_next,
    .cursor_close = sqlite_cursor_close,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .has_rows = sqlite_has_rows,
    .table_clear = sqlite_table_clear,
    .load_begin = sqlite_load_begin,
    .writer_open = sqlite_writer_open,
    .writer_put = sqlite_writer_put,
    .writer_close = sqlite_writer_close,
    .load_end = sqlite_load_end,
    .sequences_set = sqlite_sequences_set,
    .indexes_create = sqlite_indexes_create,
    /* 1.2 */
    .limits = &sqlite_limits,
    .cursor_open_v2 = sqlite_cursor_open,
    .table_create_v2 = sqlite_table_create,
    .objects_read = sqlite_objects_read,
    .object_create = sqlite_object_create,
};

INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host)
{
    if (!host || host->abi_major != INVS_ABI_MAJOR)
        return NULL;
    if (!INVS_HAS(host, invs_host, publish)) {
        host->log(NULL, INVS_LOG_ERROR, "the sqlite driver needs host ABI %d.2's services",
                  INVS_ABI_MAJOR);
        return NULL;
    }
    sqlite_host = host;
    return &sqlite_driver;
}

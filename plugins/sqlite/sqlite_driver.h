/* The SQLite driver's private interface between its files. */
#ifndef INVS_SQLITE_DRIVER_H
#define INVS_SQLITE_DRIVER_H

#include <sqlite3.h>
#include <time.h>

#include "invstage/driver.h"
#include "invstage/pool.h"
#include "invstage/strbuf.h"

extern const invs_host *sqlite_host;

/* The driver's handles: the ABI's opaque types, completed here. */
typedef struct invs_drv_conn sqlite_conn;
typedef struct invs_drv_cursor sqlite_cursor;
typedef struct invs_drv_writer sqlite_writer;

struct invs_drv_conn {
    sqlite3 *db;
    invs_session *s;
    char *path;
    char *tmp;     /* a new target, built here until commit publishes it */
    int committed;
    int in_txn;
    struct timespec busy_since; /* when the current wait for a lock began */
};

/* Report the connection's last SQLite error as `code` (refined by the
 * SQLite error: constraint, I/O, ...), naming what was being done. */
int sqlite_err(sqlite_conn *c, int code, const char *what);
/* INVS_OK, or an error when SQLite left the write transaction on its own
 * (its statements would each commit). */
int sqlite_txn_lost(sqlite_conn *c);
int sqlite_exec(sqlite_conn *c, const char *sql);
int sqlite_exec_sb(sqlite_conn *c, invs_strbuf *sb); /* and free sb */

static inline void sqlite_sb_init(invs_strbuf *sb)
{
    invs_sb_init(sb, sqlite_host->realloc, sqlite_host->free);
}
/* Check a built SQL string; reports out-of-memory. */
int sqlite_sb_ok(sqlite_conn *c, const invs_strbuf *sb);

/* types */
void sqlite_type_from_decl(invs_column *col, const char *decl);
/* The declaration for a column: its own where native (INVS_HINT_NATIVE),
 * else the SQLite name whose affinity holds the canonical type's values. */
void sqlite_decl_for(invs_strbuf *sb, const invs_column *col, int native);

/* What only the text of CREATE TABLE / CREATE INDEX says (sqlite_ddl.c). */
typedef struct sqlite_ddl_constraint {
    int kind;               /* 'p' primary key, 'u' unique, 'f' foreign key, 'c' check */
    const char *name;       /* CONSTRAINT name, NULL if none */
    const char *column;     /* a column constraint's column, NULL for a table's */
    size_t ncols;           /* a table constraint's columns (p, u, f) */
    const char **cols;
    const char *ref_table;  /* f */
    const char *expr;       /* c: the condition */
} sqlite_ddl_constraint;
typedef int (*sqlite_ddl_fn)(const sqlite_ddl_constraint *c, void *payload);
/* Every named constraint and every CHECK of a CREATE TABLE statement. */
int sqlite_ddl_table(invs_pool *pl, const char *sql, sqlite_ddl_fn fn, void *payload);
/* The parts (columns or expressions, ASC/DESC) and WHERE of a CREATE INDEX
 * statement into x (its name and flags are the caller's). */
int sqlite_ddl_index(invs_pool *pl, const char *sql, invs_xindex *x);
/* What follows a view's name in its CREATE VIEW statement: "(cols) AS
 * query" where it names its columns, else the query; NULL when the
 * statement is not that shape. */
const char *sqlite_ddl_view(const char *sql);
/* 1 when s holds nothing but spaces, comments and at most one ';': the
 * tail of a single statement. */
int sqlite_ddl_end(const char *s);
/* A default as SQLite wrote it, classified for another engine. */
void sqlite_default_classify(invs_pool *pl, invs_colx *x, const char *expr);

/* pull */
int sqlite_schema_read(invs_drv_conn *conn, invs_emit_table_fn emit, void *payload);
/* views (with their queries) and triggers (named) (sqlite_objects.c) */
int sqlite_objects_read(invs_drv_conn *conn, invs_emit_object_fn emit, void *payload);
/* a view SQLite wrote, made again (push) */
int sqlite_object_create(invs_drv_conn *conn, const invs_object *o, uint32_t hints);
int sqlite_cursor_open(invs_drv_cursor **out_cur, invs_drv_conn *conn, const invs_table *t,
                       uint32_t hints);
int sqlite_cursor_next(invs_drv_cursor *cur, const invs_value **out_row);
void sqlite_cursor_close(invs_drv_cursor *cur);

/* push */
int sqlite_has_rows(invs_drv_conn *conn, const invs_table *t, int *out);
int sqlite_table_create(invs_drv_conn *conn, const invs_table *t, uint32_t hints);
int sqlite_indexes_create(invs_drv_conn *conn, const invs_table *t);
int sqlite_table_clear(invs_drv_conn *conn, const invs_table *t);
int sqlite_load_begin(invs_drv_conn *conn, const invs_table *const *ts, size_t n);
int sqlite_load_end(invs_drv_conn *conn, const invs_table *const *ts, size_t n);
int sqlite_sequences_set(invs_drv_conn *conn, const invs_table *t);
int sqlite_writer_open(invs_drv_writer **out_w, invs_drv_conn *conn, const invs_table *t);
int sqlite_writer_put(invs_drv_writer *w, const invs_value *rows, size_t nrows);
int sqlite_writer_close(invs_drv_writer *w, int abort);

#endif

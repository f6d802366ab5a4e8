/* The SQLite driver's private interface between its files. */
#ifndef INVS_SQLITE_DRIVER_H
#define INVS_SQLITE_DRIVER_H

#include <sqlite3.h>

#include "invstage/driver.h"
#include "invstage/strbuf.h"

extern const invs_host *sqlite_host;

typedef struct sqlite_conn {
    sqlite3 *db;
    invs_session *s;
    char *path;
    int created;   /* we created the file: remove it unless committed */
    int committed;
    int in_txn;
} sqlite_conn;

/* Report the connection's last SQLite error as `code` (refined by the
 * SQLite error: constraint, I/O, ...), naming what was being done. */
int sqlite_err(sqlite_conn *c, int code, const char *what);
int sqlite_exec(sqlite_conn *c, const char *sql);

static inline void sqlite_sb_init(invs_strbuf *sb)
{
    invs_sb_init(sb, sqlite_host->realloc, sqlite_host->free);
}
/* Check a built SQL string; reports out-of-memory. */
int sqlite_sb_ok(sqlite_conn *c, const invs_strbuf *sb);

/* types */
void sqlite_type_from_decl(invs_column *col, const char *decl);
void sqlite_decl_for(invs_strbuf *sb, const invs_column *col, const char *origin_engine);

/* pull */
int sqlite_schema_read(void *conn, invs_emit_table_fn emit, void *payload);
int sqlite_cursor_open(void **out_cur, void *conn, const invs_table *t);
int sqlite_cursor_next(void *cur, const invs_value **out_row);
void sqlite_cursor_close(void *cur);

/* push */
int sqlite_has_rows(void *conn, const invs_table *t, int *out);
int sqlite_table_create(void *conn, const invs_table *t);
int sqlite_indexes_create(void *conn, const invs_table *t);
int sqlite_table_clear(void *conn, const invs_table *t);
int sqlite_load_begin(void *conn, const invs_table *const *ts, size_t n);
int sqlite_load_end(void *conn, const invs_table *const *ts, size_t n);
int sqlite_sequences_set(void *conn, const invs_table *t);
int sqlite_writer_open(void **out_w, void *conn, const invs_table *t);
int sqlite_writer_put(void *w, const invs_value *rows, size_t nrows);
int sqlite_writer_close(void *w, int abort);

#endif

/* The PostgreSQL driver's private interface between its files. */
#ifndef INVS_PG_DRIVER_H
#define INVS_PG_DRIVER_H

#include <libpq-fe.h>

#include "invstage/driver.h"
#include "invstage/pool.h"
#include "invstage/strbuf.h"

extern const invs_host *pg_host;

/* A key taken off for the load (a foreign key of an existing table) or not
 * yet added to a table created here (any key), put back by load_end. */
typedef struct pg_fk {
    char *table; /* qualified, quoted */
    char *name;  /* quoted constraint name */
    char *def;   /* FOREIGN KEY (...) REFERENCES ... */
} pg_fk;

/* A foreign key from a table outside the load into one inside it. */
typedef struct pg_outside_ref {
    char *parent; /* unquoted relname of the referenced table */
    char *child;  /* schema.relname of the referencing table */
    char *name;
} pg_outside_ref;

/* The driver's handles: the ABI's opaque types, completed here. */
typedef struct invs_drv_conn pg_conn;
typedef struct invs_drv_cursor pg_cursor;
typedef struct invs_drv_writer pg_writer;

struct invs_drv_conn {
    PGconn *pg;
    invs_session *s;
    char *shown;     /* the URI with its password redacted */
    char **schemas;  /* --schema, or current_schema() */
    size_t nschemas;
    int in_txn;
    int reading;     /* opened for a pull */
    pg_fk *fks;
    size_t nfks;
    pg_outside_ref *outside;
    size_t noutside;
    unsigned *made_seqs; /* oids of the sequences this push created */
    size_t nmade_seqs;
    int failed;      /* the code pg_fail last reported, for pg_query's callers */
    int copy_text;   /* option copy=text: COPY in text format only */
};

/* Report a failed result (or the connection's state when r is NULL), with
 * SQLSTATE, mapping its class to a return code; frees r. */
int pg_fail(pg_conn *c, PGresult *r, const char *what);
/* Send one statement and wait for its result as PQexecParams would, but
 * notice the user's Ctrl-C while the server works (an index build, a lock
 * wait) and cancel it there; NULL only when nothing could be sent. */
PGresult *pg_run(pg_conn *c, const char *sql, int nparams, const char *const *params);
/* Run a statement that returns no rows. */
int pg_exec(pg_conn *c, const char *sql);
/* pg_exec of sb's statement (out of memory if it failed to grow); frees sb. */
int pg_exec_sb(pg_conn *c, invs_strbuf *sb);
/* Run a query with text parameters; NULL after reporting an error, whose
 * code is then c->failed (a cancelled statement is not a mere SQL error). */
PGresult *pg_query(pg_conn *c, const char *sql, int nparams, const char *const *params);
int pg_sb_ok(pg_conn *c, const invs_strbuf *sb);

static inline void pg_sb_init(invs_strbuf *sb)
{
    invs_sb_init(sb, pg_host->realloc, pg_host->free);
}
char *pg_strdup(const char *s);
/* Append the sequence a default nextval('X'::regclass) names; 0 if it is
 * not such a default. */
int pg_nextval_sequence(invs_strbuf *sb, const char *default_expr);
/* The schema a table lives in: its own (pull) or the connection's (push). */
const char *pg_table_schema(const pg_conn *c, const invs_table *t);
/* "schema"."table" */
void pg_qualified(invs_strbuf *sb, const pg_conn *c, const invs_table *t);

/* types */
void pg_type_to_canon(invs_column *col, const char *typname, char typtype, int typmod);
/* The declaration for a column: its own where native (INVS_HINT_NATIVE),
 * else the PostgreSQL type that holds every value of its canonical type. */
void pg_decl_for(invs_strbuf *sb, const invs_column *col, int native);

/* pull */
/* A default as pg_get_expr() writes it, classified (enum invs_default_kind);
 * *value as invs_colx.default_value wants it, allocated in pl. */
int pg_default_classify(invs_pool *pl, const char *expr, const char **value);
/* colx, CHECKs and xindexes of the table whose oid is given. */
int pg_schema_ext_read(pg_conn *c, invs_pool *pl, const char *oid, invs_table *t);
int pg_objects_read(invs_drv_conn *conn, invs_emit_object_fn emit, void *payload);
int pg_schema_read(invs_drv_conn *conn, invs_emit_table_fn emit, void *payload);
int pg_cursor_open(invs_drv_cursor **out_cur, invs_drv_conn *conn, const invs_table *t,
                   uint32_t hints);
int pg_cursor_next(invs_drv_cursor *cur, const invs_value **out_row);
void pg_cursor_close(invs_drv_cursor *cur);

/* verify --target URI */
int pg_preflight(invs_drv_conn *conn, const invs_table *const *ts, size_t n,
                 invs_emit_meta_fn emit, void *payload);

/* push */
int pg_has_rows(invs_drv_conn *conn, const invs_table *t, int *out);
int pg_table_create(invs_drv_conn *conn, const invs_table *t, uint32_t hints);
int pg_indexes_create(invs_drv_conn *conn, const invs_table *t);
/* One statement inside a savepoint: 1 done, 0 refused (rolled back to the
 * savepoint, why holds the server's word), <0 the connection failed. */
int pg_try(pg_conn *c, const char *sql, char *why, size_t whyn);
/* Per column of t: 1 where its declaration (and default) is written as the
 * stage has it: native, and its enum or domain type exists here. */
int pg_decl_native(pg_conn *c, const invs_table *t, int native, unsigned char *out);
/* " (START WITH ... )" of column i's identity, when the source gave them. */
void pg_identity_options(invs_strbuf *sb, const invs_table *t, size_t i, int native);
/* After CREATE TABLE: defaults not written in it, CHECKs, enum labels. */
int pg_table_extras(pg_conn *c, const invs_table *t, const char *qt, int native,
                    const unsigned char *decl_native);
/* Indexes on expressions, partial, descending (t->xindexes). */
int pg_xindexes_create(pg_conn *c, const invs_table *t);
/* PostgreSQL's own name for key k of table: t_pkey, t_a_b_key, t_a_fkey
 * (a push names a key so when it has no name; a pull leaves out a name
 * that is this one, so that another engine need not carry it). */
void pg_key_default_name(invs_strbuf *sb, const char *table, const invs_key *k);
/* Column i of a CREATE TABLE (pg_load.c). */
void pg_column_def(invs_strbuf *sb, const invs_table *t, size_t i, int native, int decl_native);
/* Partitions and inheritance children, same engine (pg_partition.c):
 * is t one; its CREATE TABLE after the name; its table's PARTITION BY;
 * its inherited columns' defaults and NOT NULLs made the model's. */
int pg_is_child(const invs_table *t);
int pg_child_body(pg_conn *c, const invs_table *t, const unsigned char *dn, invs_strbuf *sb);
int pg_partition_by(pg_conn *c, const invs_table *t, invs_strbuf *sb);
int pg_child_align(pg_conn *c, const invs_table *t, const char *qt);
int pg_object_create(invs_drv_conn *conn, const invs_object *o, uint32_t hints);
int pg_table_clear(invs_drv_conn *conn, const invs_table *t);
int pg_load_begin(invs_drv_conn *conn, const invs_table *const *ts, size_t n);
int pg_load_end(invs_drv_conn *conn, const invs_table *const *ts, size_t n);
int pg_sequences_set(invs_drv_conn *conn, const invs_table *t);
int pg_writer_open(invs_drv_writer **out_w, invs_drv_conn *conn, const invs_table *t);
int pg_writer_put(invs_drv_writer *w, const invs_value *rows, size_t nrows);
int pg_writer_close(invs_drv_writer *w, int abort);

#endif

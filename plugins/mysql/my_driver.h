/* The MySQL / MariaDB driver's private interface between its files. */
#ifndef INVS_MY_DRIVER_H
#define INVS_MY_DRIVER_H

#include <mysql.h>

#include "invstage/pool.h"
#include "invstage/driver.h"
#include "invstage/strbuf.h"

extern const invs_host *my_host;

/* The driver's handles: the ABI's opaque types, completed here. */
typedef struct invs_drv_conn my_conn;
typedef struct invs_drv_cursor my_cursor;
typedef struct invs_drv_writer my_writer;

/* A table outside the load whose foreign key points into it (clearing the
 * parent would leave it orphans: -c refuses). */
typedef struct my_outside_ref {
    char *parent, *child, *name;
} my_outside_ref;

/* An AUTO_INCREMENT position for a table the target already had: setting
 * it is DDL, which commits, so it waits for the commit. */
typedef struct my_autoinc {
    char *table;
    unsigned long long next;
} my_autoinc;

/* Where to connect, kept (in memory only) to reconnect after a server that
 * went away came back, so that the tables a failed push created go again. */
typedef struct my_target {
    char *host, *user, *password, *db, *socket;
    unsigned port;
    int ssl;          /* ?ssl-mode=: MY_TLS_*, -1 when not given */
    char *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key;
} my_target;

/* ssl-mode values, in the order of their strength (my_tls.c) */
#define MY_TLS_DISABLED 0
#define MY_TLS_PREFERRED 1
#define MY_TLS_REQUIRED 2
#define MY_TLS_VERIFY_CA 3
#define MY_TLS_VERIFY_IDENTITY 4

struct invs_drv_conn {
    MYSQL *my;
    invs_session *s;
    char *shown;      /* the URI with its password redacted */
    my_target to;
    int reading;      /* opened for a pull */
    int mariadb;      /* the server is MariaDB (else MySQL) */
    int in_txn;
    int lost;         /* the server went away */
    int committing;   /* COMMIT was sent and no answer came: it may have happened */
    double reconnect_wait; /* seconds table_drop waits for a server that went away */
    my_outside_ref *outside;
    size_t noutside;
    my_autoinc *autoinc;
    size_t nautoinc;
    my_writer *feeding; /* the writer a LOAD DATA LOCAL is reading from */
    int named_locks;    /* holds advisory locks on table names (my_lock.c) */
    char **empty;       /* the tables has_rows found empty, locked by load_begin */
    size_t nempty;
};

/* Report the connection's last error (what: what was being done), with
 * SQLSTATE, mapping it to a return code. */
int my_fail(my_conn *c, const char *what);
/* Run one statement that returns no rows. */
int my_exec(my_conn *c, const char *sql);
int my_exec_sb(my_conn *c, invs_strbuf *sb); /* and free sb */
/* Run a query and take its (small) result whole; NULL after reporting. For
 * catalog queries only: table rows stream (my_rows.c). */
MYSQL_RES *my_query(my_conn *c, const char *sql);
int my_sb_ok(my_conn *c, const invs_strbuf *sb);
int my_oom(my_conn *c);
char *my_strdup(const char *s);
/* Connect c->my to c->to; 0 or an error reported on c. */
int my_connect(my_conn *c, unsigned flags);
/* TLS (my_tls.c): ?ssl-mode= parsed; the URI's parameters complete for it;
 * the library told; the connection it made checked against the mode. */
int my_tls_mode(my_conn *c, const char *value);
int my_tls_ready(my_conn *c);
void my_tls_options(const my_conn *c, MYSQL *m);
int my_tls_check(my_conn *c, MYSQL *m);

static inline void my_sb_init(invs_strbuf *sb)
{
    invs_sb_init(sb, my_host->realloc, my_host->free);
}
/* s as a string literal, safe in any sql_mode ('' doubled; the session
 * has NO_BACKSLASH_ESCAPES, so a backslash is itself). */
void my_literal(invs_strbuf *sb, const char *s);
/* The database the connection works in, as a literal (for
 * information_schema). */
void my_db_literal(invs_strbuf *sb, const my_conn *c);

/* types */
void my_type_to_canon(invs_column *col, const char *data_type, const char *column_type,
                      long long char_len, long long num_prec, long long num_scale);
/* The declaration for a column: its own where native (validated: *ok = 0
 * and nothing written when it is no MySQL type), else the MySQL type that
 * holds every value of its canonical type. */
void my_decl_for(invs_strbuf *sb, const invs_column *col, int native, int *ok);
/* A charset or collation name: letters, digits, '_' only. */
int my_name_ok(const char *s);
/* A MySQL default clause's expression, checked (0: not one we copy). */
int my_default_ok(const char *expr);

/* pull */
int my_schema_read(invs_drv_conn *conn, invs_emit_table_fn emit, void *payload);

/* my_schema_ext.c: the schema beyond columns and keys. */
typedef struct my_check_src {
    char *table, *name, *expr;
} my_check_src;
typedef struct my_checks {
    my_check_src *v;
    size_t n;
} my_checks;
int my_checks_add(my_checks *l, const char *table, const char *name, const char *expr);
void my_checks_free(my_checks *l);
/* Defaults classified, enum labels, the table's CHECKs from l (pull). */
int my_table_ext(invs_pool *pl, const my_checks *l, invs_table *t);
/* Another engine's default of column i (push): 1 written, 0 none. */
int my_foreign_default(my_conn *c, invs_strbuf *sb, const invs_table *t, size_t i);
/* An identity column's increment (1 where the source gave none), and a
 * warning naming the identity options AUTO_INCREMENT cannot keep. */
int64_t my_ident_increment(const invs_table *t, const char *col);
void my_ident_warn(my_conn *c, const invs_table *t, const invs_column *col);
/* ", CHECK (...)" for each CHECK the table keeps (push). */
int my_checks_def(my_conn *c, invs_strbuf *sb, const invs_table *t, int native);
int my_cursor_open(invs_drv_cursor **out_cur, invs_drv_conn *conn, const invs_table *t,
                   uint32_t hints);
int my_cursor_next(invs_drv_cursor *cur, const invs_value **out_row);
void my_cursor_close(invs_drv_cursor *cur);

/* push */
int my_has_rows(invs_drv_conn *conn, const invs_table *t, int *out);
int my_table_create(invs_drv_conn *conn, const invs_table *t, uint32_t hints);
int my_indexes_create(invs_drv_conn *conn, const invs_table *t);
int my_table_drop(invs_drv_conn *conn, const invs_table *t);
int my_table_clear(invs_drv_conn *conn, const invs_table *t);
int my_load_begin(invs_drv_conn *conn, const invs_table *const *ts, size_t n);
int my_load_end(invs_drv_conn *conn, const invs_table *const *ts, size_t n);
int my_sequences_set(invs_drv_conn *conn, const invs_table *t);
int my_autoinc_apply(my_conn *c);
int my_writer_open(invs_drv_writer **out_w, invs_drv_conn *conn, const invs_table *t);
int my_writer_put(invs_drv_writer *w, const invs_value *rows, size_t nrows);
int my_writer_close(invs_drv_writer *w, int abort);
/* locks (my_lock.c): --lock-timeout on every wait of a writing session;
 * an advisory lock on a table's name before it is checked or cleared;
 * in the transaction, a locking read of every table found empty (rows
 * that arrived meanwhile refuse the push); the advisory locks released
 * after commit or rollback. */
long my_lock_ms(const my_conn *c);
int my_lock_session(my_conn *c);
int my_lock_table_name(my_conn *c, const invs_table *t);
int my_lock_remember_empty(my_conn *c, const invs_table *t);
int my_lock_empty_tables(my_conn *c);
int my_lock_release(my_conn *c);
void my_lock_free(my_conn *c);
/* The local-infile handler, installed on every connection: it serves the
 * writer's buffer and nothing else, so a server can never read a file. */
void my_infile_install(my_conn *c);

#endif

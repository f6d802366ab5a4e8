/*
 * What this PostgreSQL server would refuse of a stage that its settings
 * decide, found before the push (verify --target URI): a lock table too
 * small to hold every table of one transaction (max_locks_per_transaction
 * for each server process and prepared transaction), more columns than a
 * table may have, fixed-width columns wider together than a page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_driver.h"

#define PG_MAX_COLUMNS 1600

/* Bytes a value of canonical type canon takes in a row whatever it holds
 * (0: variable width, which TOAST can move out of the row). */
static size_t pg_fixed_width(int canon)
{
    switch (canon) {
    case INVS_T_BOOL: return 1;
    case INVS_T_INT16: return 2;
    case INVS_T_INT32:
    case INVS_T_FLOAT32:
    case INVS_T_DATE: return 4;
    case INVS_T_INT64:
    case INVS_T_FLOAT64:
    case INVS_T_TIME:
    case INVS_T_TIMESTAMP:
    case INVS_T_TIMESTAMPTZ: return 8;
    case INVS_T_TIMETZ: return 12;
    case INVS_T_UUID:
    case INVS_T_INTERVAL: return 16;
    }
    return 0;
}

/* Relations a push locks for table t: the table, its indexes, sequences,
 * and a TOAST table and its index where a column is of variable width. */
static long pg_locks_for(const invs_table *t)
{
    long n = 1 + (long)t->nseqs;
    size_t i;
    int varlena = 0;
    for (i = 0; i < t->nkeys; i++)
        n += t->keys[i].kind != INVS_KEY_FOREIGN;
    for (i = 0; i < t->ncols && !varlena; i++)
        varlena = pg_fixed_width(t->cols[i].canon) == 0;
    return n + (varlena ? 2 : 0);
}

int pg_preflight(invs_drv_conn *conn, const invs_table *const *ts, size_t n,
                 invs_emit_meta_fn emit, void *payload)
{
    pg_conn *c = conn;
    /* the lock table has room for max_locks_per_transaction locks per
     * server process (backends, autovacuum and other workers, WAL senders)
     * and prepared transaction */
    PGresult *r = pg_query(c,
                           "SELECT current_setting('max_locks_per_transaction')::bigint *"
                           " (current_setting('max_connections')::bigint +"
                           " current_setting('autovacuum_max_workers')::bigint + 1 +"
                           " current_setting('max_worker_processes')::bigint +"
                           " current_setting('max_wal_senders')::bigint +"
                           " current_setting('max_prepared_transactions')::bigint),"
                           " current_setting('max_locks_per_transaction'),"
                           " current_setting('block_size')::int",
                           0, NULL);
    char detail[512];
    long capacity, locks = 0, page;
    size_t i, k;
    int rc = INVS_OK;

    if (!r)
        return c->failed;
    capacity = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    page = strtol(PQgetvalue(r, 0, 2), NULL, 10) - 32; /* a page minus its header */
    for (i = 0; i < n && rc == INVS_OK; i++) {
        const invs_table *t = ts[i];
        size_t width = 24; /* the row's header */
        locks += pg_locks_for(t);
        for (k = 0; k < t->ncols; k++)
            width += pg_fixed_width(t->cols[k].canon);
        if (t->ncols > PG_MAX_COLUMNS) {
            snprintf(detail, sizeof(detail),
                     "table %s has %zu columns; a PostgreSQL table takes at most %d", t->name,
                     t->ncols, PG_MAX_COLUMNS);
            rc = emit("too-many-columns", detail, payload);
        } else if ((long)width > page) {
            snprintf(detail, sizeof(detail),
                     "table %s: its fixed-width columns take %zu bytes a row, more than a "
                     "PostgreSQL page holds (%ld): a row with few NULLs is refused (\"row is too "
                     "big\")",
                     t->name, width, page);
            rc = emit("row-too-big", detail, payload);
        }
    }
    if (rc == INVS_OK && locks > capacity) {
        snprintf(detail, sizeof(detail),
                 "the push locks about %ld tables, indexes and sequences in one transaction; "
                 "this server's lock table holds about %ld (max_locks_per_transaction %s for "
                 "each server process and prepared transaction): raise "
                 "max_locks_per_transaction, or push the tables in parts",
                 locks, capacity, PQgetvalue(r, 0, 1));
        rc = emit("lock-table", detail, payload);
    }
    PQclear(r);
    return rc;
}

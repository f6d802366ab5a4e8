/*
 * Push into SQLite: clearing, the foreign-key check after the load, sequence
 * positions (tables and indexes are made in sqlite_create.c).
 *
 * The connection runs with foreign_keys OFF (set at open, since SQLite
 * ignores the pragma inside a transaction), so rows may arrive child-first
 * (self-references, cycles) and clearing never cascades into tables outside
 * the stage. load_end then runs PRAGMA foreign_key_check over the whole
 * database before anything is committed.
 */
#include <string.h>

#include "sqlite_driver.h"

int sqlite_has_rows(invs_drv_conn *conn, const invs_table *t, int *out)
{
    sqlite_conn *c = conn;
    sqlite3_stmt *s = NULL;
    invs_strbuf sb;
    int rc, step;

    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "SELECT 1 FROM ");
    invs_sb_ident(&sb, t->name, '"');
    invs_sb_puts(&sb, " LIMIT 1");
    if ((rc = sqlite_sb_ok(c, &sb)) == INVS_OK) {
        if (sqlite3_prepare_v2(c->db, sb.p, -1, &s, NULL) != SQLITE_OK ||
            ((step = sqlite3_step(s)) != SQLITE_ROW && step != SQLITE_DONE))
            rc = sqlite_err(c, INVS_ESQL, "looking for rows");
        else
            *out = step == SQLITE_ROW;
    }
    sqlite3_finalize(s);
    invs_sb_free(&sb);
    return rc;
}

/* 1 when the target has sqlite_sequence, 0 when not, -1 when SQLite could
 * not say (out of memory: not the same as "no such table"). */
static int load_has_sqlite_sequence(sqlite_conn *c)
{
    int rc = sqlite3_table_column_metadata(c->db, "main", "sqlite_sequence", "seq", NULL, NULL,
                                           NULL, NULL, NULL);
    return rc == SQLITE_OK ? 1 : rc == SQLITE_ERROR ? 0 : -1;
}

int sqlite_table_clear(invs_drv_conn *conn, const invs_table *t)
{
    sqlite_conn *c = conn;
    invs_strbuf sb;

    int rc;

    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "DELETE FROM ");
    invs_sb_ident(&sb, t->name, '"');
    if ((rc = sqlite_exec_sb(c, &sb)) != INVS_OK || !load_has_sqlite_sequence(c))
        return rc;
    /* the position is the source's after the load, or none if it had none */
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "DELETE FROM sqlite_sequence WHERE name = ");
    invs_sb_literal(&sb, t->name);
    return sqlite_exec_sb(c, &sb);
}

int sqlite_load_begin(invs_drv_conn *conn, const invs_table *const *ts, size_t n)
{
    (void)conn, (void)ts, (void)n; /* keys are off on this connection already */
    return INVS_OK;
}

int sqlite_load_end(invs_drv_conn *conn, const invs_table *const *ts, size_t n)
{
    sqlite_conn *c = conn;
    sqlite3_stmt *s = NULL;
    invs_strbuf first;
    int64_t count = 0;
    int step, rc = INVS_OK;

    (void)ts, (void)n;
    sqlite_sb_init(&first);
    if (sqlite3_prepare_v2(c->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
        return sqlite_err(c, INVS_ESQL, "checking foreign keys");
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (count++ < 5)
            invs_sb_printf(&first, "%s%s row %lld -> %s", count > 1 ? "; " : "",
                           (const char *)sqlite3_column_text(s, 0),
                           (long long)sqlite3_column_int64(s, 1),
                           (const char *)sqlite3_column_text(s, 2));
    }
    if (step != SQLITE_DONE)
        rc = sqlite_err(c, INVS_ESQL, "checking foreign keys");
    else if (count)
        rc = sqlite_host->error(c->s, INVS_ECONSTRAINT, NULL, 0,
                                "%lld row(s) would break foreign keys (%s%s); nothing was "
                                "committed",
                                (long long)count, invs_sb_failed(&first) ? "" : first.p,
                                count > 5 ? "; ..." : "");
    sqlite3_finalize(s);
    invs_sb_free(&first);
    return rc;
}

int sqlite_sequences_set(invs_drv_conn *conn, const invs_table *t)
{
    sqlite_conn *c = conn;
    sqlite3_stmt *del = NULL, *ins = NULL;
    size_t i;
    int rc = INVS_OK;

    int has;

    if (!t->nseqs)
        return INVS_OK;
    if ((rc = sqlite_txn_lost(c)) != INVS_OK)
        return rc;
    if ((has = load_has_sqlite_sequence(c)) < 0)
        return sqlite_err(c, INVS_ESQL, "looking for sqlite_sequence");
    if (!has) {
        sqlite_host->log(c->s, INVS_LOG_WARN,
                         "table %s: the target has no AUTOINCREMENT table, so the sequence "
                         "position is not kept",
                         t->name);
        return INVS_OK;
    }
    if (sqlite3_prepare_v2(c->db, "DELETE FROM sqlite_sequence WHERE name = ?1", -1, &del,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c->db, "INSERT INTO sqlite_sequence(name, seq) VALUES(?1, ?2)", -1,
                           &ins, NULL) != SQLITE_OK) {
        rc = sqlite_err(c, INVS_ESQL, "setting sequences");
        goto out;
    }
    for (i = 0; i < t->nseqs && rc == INVS_OK; i++) {
        /* SQLite hands out seq+1 next; a never-called sequence starts at value */
        int64_t v = t->seqs[i].is_called ? t->seqs[i].value : t->seqs[i].value - 1;
        sqlite3_bind_text(del, 1, t->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 1, t->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, v);
        if (sqlite3_step(del) != SQLITE_DONE || sqlite3_step(ins) != SQLITE_DONE)
            rc = sqlite_err(c, INVS_ESQL, "setting sequences");
        sqlite3_reset(del);
        sqlite3_reset(ins);
    }
out:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return rc;
}

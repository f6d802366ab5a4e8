/*
 * Push into SQLite: table creation from the model, clearing, the foreign-key
 * check after the load, sequence positions.
 *
 * The connection runs with foreign_keys OFF (set at open, since SQLite
 * ignores the pragma inside a transaction), so rows may arrive child-first
 * (self-references, cycles) and clearing never cascades into tables outside
 * the stage. load_end then runs PRAGMA foreign_key_check over the whole
 * database before anything is committed.
 */
#include <string.h>

#include "invstage/sqltext.h"
#include "sqlite_driver.h"

/* What a DEFAULT may call: SQLite's own functions without side effects. */
static const char *const sqlite_default_fns[] = {
    "datetime", "date", "time", "julianday", "strftime", "unixepoch", "random", "randomblob",
    "hex", "lower", "upper", "abs", "length", "ifnull", "round", "trim", "ltrim", "rtrim",
    "substr", "replace", "printf", "format", "char", "zeroblob", "json", NULL};

static int load_exec_sb(sqlite_conn *c, invs_strbuf *sb)
{
    int rc = sqlite_sb_ok(c, sb);
    if (rc == INVS_OK)
        rc = sqlite_exec(c, sb->p);
    invs_sb_free(sb);
    return rc;
}

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

/* The single INTEGER column of an AUTOINCREMENT primary key: it must be
 * declared in the column, the only place SQLite accepts AUTOINCREMENT. A
 * key another engine fed from a sequence (identity, serial) becomes one
 * too, so its position can be kept in sqlite_sequence. (A SQLite source
 * records a position only for its AUTOINCREMENT columns.) */
static int load_fed_by_sequence(const invs_table *t, const invs_column *col)
{
    size_t i;
    if (col->flags & INVS_COL_AUTOINCREMENT)
        return 1;
    if (col->canon < INVS_T_INT16 || col->canon > INVS_T_INT64)
        return 0;
    for (i = 0; i < t->nseqs; i++)
        if (t->seqs[i].column && !strcmp(t->seqs[i].column, col->name))
            return 1;
    return 0;
}

static const invs_column *load_autoinc_pk(const invs_table *t, const invs_key **pk)
{
    size_t i;
    *pk = NULL;
    for (i = 0; i < t->nkeys && !*pk; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY)
            *pk = &t->keys[i];
    if (!*pk || (*pk)->ncols != 1)
        return NULL;
    for (i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, (*pk)->cols[0]) == 0)
            return load_fed_by_sequence(t, &t->cols[i]) ? &t->cols[i] : NULL;
    return NULL;
}

static void load_column_def(invs_strbuf *sb, const invs_column *col, const invs_column *autoinc,
                            int native)
{
    invs_sb_ident(sb, col->name, '"');
    if (col->decl && (*col->decl || !native)) {
        invs_sb_puts(sb, " ");
        sqlite_decl_for(sb, col, native);
    }
    if (col == autoinc)
        invs_sb_puts(sb, " PRIMARY KEY AUTOINCREMENT");
    if (col->flags & INVS_COL_NOT_NULL)
        invs_sb_puts(sb, " NOT NULL");
    /* defaults are SQL of the source's dialect: only SQLite's is ours.
     * SQLite reports "DEFAULT (6 * 7)" as "6 * 7": the parentheses are
     * needed again, and harmless around a literal. */
    if (col->default_expr && native)
        invs_sb_printf(sb, " DEFAULT (%s)", col->default_expr);
    if (col->collation && native) { /* another engine's collation names nothing here */
        invs_sb_puts(sb, " COLLATE ");
        invs_sb_ident(sb, col->collation, '"');
    }
}

static void load_key_def(invs_strbuf *sb, const invs_key *k)
{
    if (k->name) {
        invs_sb_puts(sb, "CONSTRAINT ");
        invs_sb_ident(sb, k->name, '"');
        invs_sb_puts(sb, " ");
    }
    switch (k->kind) {
    case INVS_KEY_PRIMARY: invs_sb_puts(sb, "PRIMARY KEY "); break;
    case INVS_KEY_UNIQUE: invs_sb_puts(sb, "UNIQUE "); break;
    case INVS_KEY_FOREIGN: invs_sb_puts(sb, "FOREIGN KEY "); break;
    }
    invs_sb_ident_list(sb, k->cols, k->ncols, '"');
    if (k->kind != INVS_KEY_FOREIGN)
        return;
    invs_sb_puts(sb, " REFERENCES ");
    invs_sb_ident(sb, k->ref_table, '"');
    invs_sb_puts(sb, " ");
    invs_sb_ident_list(sb, k->ref_cols, k->ncols, '"');
    /* the actions are keywords from a closed list: checked, not quoted */
    if (k->on_delete && strcmp(k->on_delete, "NO ACTION") != 0)
        invs_sb_printf(sb, " ON DELETE %s", k->on_delete);
    if (k->on_update && strcmp(k->on_update, "NO ACTION") != 0)
        invs_sb_printf(sb, " ON UPDATE %s", k->on_update);
    if (k->flags & INVS_KEYF_DEFERRABLE)
        invs_sb_puts(sb, (k->flags & INVS_KEYF_DEFERRED) ? " DEFERRABLE INITIALLY DEFERRED"
                                                           : " DEFERRABLE INITIALLY IMMEDIATE");
}

/* The stage is untrusted input: its text goes into the statement only in
 * the shapes invstage/sqltext.h lets through (names are quoted anyway). */
static int load_check_text(sqlite_conn *c, const invs_table *t, int native)
{
    size_t i;
    for (i = 0; i < t->ncols; i++) {
        const invs_column *col = &t->cols[i];
        if (native && !invs_sql_type_ok(col->decl))
            return sqlite_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                      "table %s, column %s: the stage's declared type is not a "
                                      "type name; refused",
                                      t->name, col->name);
        if (native && !invs_sql_expr_ok(col->default_expr, sqlite_default_fns))
            return sqlite_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                      "table %s, column %s: the stage's default is not an "
                                      "expression SQLite evaluates without side effects; "
                                      "refused",
                                      t->name, col->name);
    }
    for (i = 0; i < t->nkeys; i++)
        if (t->keys[i].kind == INVS_KEY_FOREIGN && (!invs_sql_action_ok(t->keys[i].on_delete) ||
                                                    !invs_sql_action_ok(t->keys[i].on_update)))
            return sqlite_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                                      "table %s: foreign key to %s has an action SQLite does "
                                      "not know",
                                      t->name, t->keys[i].ref_table);
    return INVS_OK;
}

int sqlite_table_create(invs_drv_conn *conn, const invs_table *t, uint32_t hints)
{
    sqlite_conn *c = conn;
    const invs_key *pk;
    const invs_column *autoinc = load_autoinc_pk(t, &pk);
    invs_strbuf sb;
    size_t i;
    const char *sep = "";
    int rc;

    if ((rc = load_check_text(c, t, (hints & INVS_HINT_NATIVE) != 0)) != INVS_OK)
        return rc;
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "CREATE TABLE ");
    invs_sb_ident(&sb, t->name, '"');
    invs_sb_puts(&sb, " (");
    for (i = 0; i < t->ncols; i++) {
        invs_sb_puts(&sb, i ? ", " : "");
        load_column_def(&sb, &t->cols[i], autoinc, (hints & INVS_HINT_NATIVE) != 0);
    }
    for (i = 0; i < t->nkeys; i++) {
        const invs_key *k = &t->keys[i];
        if (k->kind == INVS_KEY_INDEX || (k == pk && autoinc))
            continue;
        invs_sb_puts(&sb, ", ");
        load_key_def(&sb, k);
    }
    invs_sb_puts(&sb, ")");
    if (t->flags & INVS_TBL_WITHOUT_ROWID) {
        invs_sb_puts(&sb, " WITHOUT ROWID");
        sep = ",";
    }
    if (t->flags & INVS_TBL_STRICT)
        invs_sb_printf(&sb, "%s STRICT", sep);
    return load_exec_sb(c, &sb);
}

int sqlite_indexes_create(invs_drv_conn *conn, const invs_table *t)
{
    sqlite_conn *c = conn;
    size_t i;
    int rc = INVS_OK;

    for (i = 0; i < t->nkeys && rc == INVS_OK; i++) {
        const invs_key *k = &t->keys[i];
        invs_strbuf sb;
        if (k->kind != INVS_KEY_INDEX)
            continue;
        sqlite_sb_init(&sb);
        invs_sb_puts(&sb, (k->flags & INVS_KEYF_UNIQUE) ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
        if (k->name) {
            invs_sb_ident(&sb, k->name, '"');
        } else {
            invs_strbuf nm;
            sqlite_sb_init(&nm);
            invs_sb_printf(&nm, "%s_idx%zu", t->name, i);
            if (!invs_sb_failed(&nm))
                invs_sb_ident(&sb, nm.p, '"');
            invs_sb_free(&nm);
        }
        invs_sb_puts(&sb, " ON ");
        invs_sb_ident(&sb, t->name, '"');
        invs_sb_puts(&sb, " ");
        invs_sb_ident_list(&sb, k->cols, k->ncols, '"');
        rc = load_exec_sb(c, &sb);
    }
    return rc;
}

static int load_has_sqlite_sequence(sqlite_conn *c)
{
    return sqlite3_table_column_metadata(c->db, "main", "sqlite_sequence", "seq", NULL, NULL,
                                         NULL, NULL, NULL) == SQLITE_OK;
}

int sqlite_table_clear(invs_drv_conn *conn, const invs_table *t)
{
    sqlite_conn *c = conn;
    invs_strbuf sb;

    int rc;

    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "DELETE FROM ");
    invs_sb_ident(&sb, t->name, '"');
    if ((rc = load_exec_sb(c, &sb)) != INVS_OK || !load_has_sqlite_sequence(c))
        return rc;
    /* the position is the source's after the load, or none if it had none */
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "DELETE FROM sqlite_sequence WHERE name = ");
    invs_sb_literal(&sb, t->name);
    return load_exec_sb(c, &sb);
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

    if (!t->nseqs)
        return INVS_OK;
    if (!load_has_sqlite_sequence(c)) {
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

/*
 * Push into PostgreSQL: tables from the model, TRUNCATE for -c, foreign
 * keys taken off for the load and put back (and so validated) at its end,
 * sequences set to the source's position. All inside the one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "invstage/sqltext.h"
#include "pg_driver.h"

int pg_exec_sb(pg_conn *c, invs_strbuf *sb)
{
    int rc = pg_sb_ok(c, sb);
    if (rc == INVS_OK)
        rc = pg_exec(c, sb->p);
    invs_sb_free(sb);
    return rc;
}

/* Lock t in `mode` until commit, waiting no longer than --lock-timeout
 * (the session's lock_timeout): a check made after it (is the table
 * empty?) stays true until commit, and a second push waits for the first
 * instead of loading the same rows beside them. A timeout names the
 * sessions that held a lock on the table when the wait began. */
static int pg_lock(pg_conn *c, const invs_table *t, const char *mode)
{
    invs_strbuf qt, q;
    const char *params[1];
    char holders[256] = "";
    PGresult *r;
    int rc;

    pg_sb_init(&qt);
    pg_sb_init(&q);
    pg_qualified(&qt, c, t);
    invs_sb_printf(&q, "LOCK TABLE ONLY %s IN %s MODE", qt.p ? qt.p : "", mode);
    if ((rc = pg_sb_ok(c, &qt)) != INVS_OK || (rc = pg_sb_ok(c, &q)) != INVS_OK)
        goto out;
    params[0] = qt.p;
    if ((r = pg_query(c,
                      "SELECT string_agg(DISTINCT pid::text, ', ') FROM pg_locks WHERE relation"
                      " = to_regclass($1) AND granted AND pid <> pg_backend_pid()",
                      1, params))) {
        if (!PQgetisnull(r, 0, 0))
            snprintf(holders, sizeof(holders), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
    } else {
        rc = c->failed;
        goto out;
    }
    r = pg_run(c, q.p, 0, NULL);
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
        PQclear(r);
    } else if (PQresultErrorField(r, PG_DIAG_SQLSTATE) &&
               !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "55P03")) {
        PQclear(r);
        rc = pg_host->error(c->s, INVS_EREFUSED, "55P03", 0,
                            "table %s is locked by another session%s%s%s for longer than "
                            "--lock-timeout; nothing was written",
                            t->name, holders[0] ? " (pid " : "", holders, holders[0] ? ")" : "");
    } else {
        rc = pg_fail(c, r, t->name);
    }
out:
    invs_sb_free(&qt);
    invs_sb_free(&q);
    return rc;
}

int pg_has_rows(invs_drv_conn *conn, const invs_table *t, int *out)
{
    pg_conn *c = conn;
    invs_strbuf q;
    PGresult *r;
    int rc;
    /* other writers wait until this push commits; readers do not */
    if ((rc = pg_lock(c, t, "EXCLUSIVE")) != INVS_OK)
        return rc;
    pg_sb_init(&q);
    invs_sb_puts(&q, "SELECT 1 FROM ONLY ");
    pg_qualified(&q, c, t);
    invs_sb_puts(&q, " LIMIT 1");
    if ((rc = pg_sb_ok(c, &q)) == INVS_OK) {
        if ((r = pg_query(c, q.p, 0, NULL))) {
            *out = PQntuples(r) > 0;
            PQclear(r);
        } else {
            rc = c->failed;
        }
    }
    invs_sb_free(&q);
    return rc;
}

static int pg_remember_fk(pg_conn *c, const char *table, const char *name, const char *def)
{
    pg_fk *v = pg_host->realloc(c->fks, (c->nfks + 1) * sizeof(*v));
    if (!v)
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    c->fks = v;
    v[c->nfks].table = pg_strdup(table);
    v[c->nfks].name = pg_strdup(name);
    v[c->nfks].def = pg_strdup(def);
    c->nfks++;
    if (!v[c->nfks - 1].table || !v[c->nfks - 1].name || !v[c->nfks - 1].def)
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    return INVS_OK;
}

/* What a DEFAULT may call: PostgreSQL's functions without side effects,
 * and nextval for the column's own sequence. */
static const char *const pg_default_fns[] = {
    "nextval", "now", "gen_random_uuid", "uuid_generate_v4", "clock_timestamp",
    "statement_timestamp", "transaction_timestamp", "timezone", "date_trunc", "lower", "upper",
    "length", "char_length", "abs", "round", "floor", "ceil", "btrim", "ltrim", "rtrim",
    "left", "right", "concat", "make_date", "to_timestamp", "to_char", "to_date", NULL};

/* The stage is untrusted input: its text goes into a statement only in
 * the shapes invstage/sqltext.h lets through (names are quoted anyway). */
static int pg_check_text(pg_conn *c, const invs_table *t, int native)
{
    invs_strbuf seq;
    size_t i;
    int rc = INVS_OK;
    pg_sb_init(&seq);
    for (i = 0; i < t->ncols && rc == INVS_OK; i++) {
        const invs_column *col = &t->cols[i];
        invs_sb_reset(&seq);
        if (!native)
            continue; /* declared from the canonical model, no default */
        if (!invs_sql_type_ok(col->decl))
            rc = pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                "table %s, column %s: the stage's declared type is not a type "
                                "name; refused",
                                t->name, col->name);
        else if (!invs_sql_expr_ok(col->default_expr, pg_default_fns) ||
                 (pg_nextval_sequence(&seq, col->default_expr) &&
                  (invs_sb_failed(&seq) || !invs_sql_name_ok(seq.p))))
            rc = pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                "table %s, column %s: the stage's default is not an expression "
                                "PostgreSQL evaluates without side effects; refused",
                                t->name, col->name);
    }
    for (i = 0; i < t->nkeys && rc == INVS_OK; i++)
        if (t->keys[i].kind == INVS_KEY_FOREIGN && (!invs_sql_action_ok(t->keys[i].on_delete) ||
                                                    !invs_sql_action_ok(t->keys[i].on_update)))
            rc = pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                "table %s: foreign key to %s has an action PostgreSQL does not "
                                "know; refused",
                                t->name, t->keys[i].ref_table);
    invs_sb_free(&seq);
    return rc;
}

/* Column i of CREATE TABLE; decl_native: written as the stage has it
 * (native, its type exists here), else from its canonical type. */
void pg_column_def(invs_strbuf *sb, const invs_table *t, size_t i, int native, int decl_native)
{
    const invs_column *col = &t->cols[i];
    invs_sb_ident(sb, col->name, '"');
    invs_sb_puts(sb, " ");
    pg_decl_for(sb, col, decl_native);
    if (native && (col->flags & INVS_COL_IDENTITY))
        invs_sb_puts(sb, (col->flags & INVS_COL_IDENTITY_ALWAYS) ? " GENERATED ALWAYS AS IDENTITY"
                                                              : " GENERATED BY DEFAULT AS IDENTITY");
    else if (!native && (col->flags & (INVS_COL_AUTOINCREMENT | INVS_COL_AUTO_KEY)))
        /* the source handed out keys by itself: here an identity does */
        invs_sb_puts(sb, " GENERATED BY DEFAULT AS IDENTITY");
    if ((native && (col->flags & INVS_COL_IDENTITY)) ||
        (!native && (col->flags & (INVS_COL_AUTOINCREMENT | INVS_COL_AUTO_KEY))))
        pg_identity_options(sb, t, i, native);
    if (col->flags & INVS_COL_NOT_NULL)
        invs_sb_puts(sb, " NOT NULL");
    /* defaults are SQL of the source's dialect: only PostgreSQL's is ours
     * (the others, classified, follow in pg_table_extras) */
    if (decl_native && col->default_expr && !(col->flags & INVS_COL_IDENTITY))
        invs_sb_printf(sb, " DEFAULT %s", col->default_expr);
    if (native && col->collation) {
        invs_sb_puts(sb, " COLLATE ");
        invs_sb_ident(sb, col->collation, '"');
    }
}

/* The oid of the relation `name` (a quoted, maybe qualified name) names;
 * 0 when there is none. */
static int pg_regclass(pg_conn *c, const char *name, unsigned *out)
{
    const char *params[1] = {name};
    PGresult *r = pg_query(c, "SELECT to_regclass($1)::oid", 1, params);
    if (!r)
        return c->failed;
    *out = PQgetisnull(r, 0, 0) ? 0 : (unsigned)strtoul(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return INVS_OK;
}

/* A serial's sequence, before its table: made by this push, never one the
 * target had (the application's: owning and setting it would take it
 * over), so CREATE SEQUENCE without IF NOT EXISTS, after a check that
 * names the column. A sequence this push made for an earlier table is
 * shared, as it was in the source. */
static int pg_serial_sequence(pg_conn *c, const invs_table *t, const invs_column *col,
                              const char *seq)
{
    invs_strbuf sb;
    unsigned oid, *v;
    size_t i;
    int rc;
    if ((rc = pg_regclass(c, seq, &oid)) != INVS_OK)
        return rc;
    for (i = 0; oid && i < c->nmade_seqs; i++)
        if (c->made_seqs[i] == oid)
            return INVS_OK;
    if (oid)
        return pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                              "table %s, column %s: sequence %s already exists in the target, "
                              "and a push that creates the table does not take over a sequence "
                              "it did not make; nothing was written (drop or rename it first)",
                              t->name, col->name, seq);
    pg_sb_init(&sb);
    invs_sb_printf(&sb, "CREATE SEQUENCE %s", seq);
    if ((rc = pg_exec_sb(c, &sb)) != INVS_OK || (rc = pg_regclass(c, seq, &oid)) != INVS_OK)
        return rc;
    if (!(v = pg_host->realloc(c->made_seqs, (c->nmade_seqs + 1) * sizeof(*v))))
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    c->made_seqs = v;
    v[c->nmade_seqs++] = oid;
    return INVS_OK;
}

/* The source's column used its sequence without owning it (Sakila's). */
static int pg_seq_not_owned(const invs_table *t, const invs_column *col)
{
    size_t i;
    for (i = 0; i < t->nseqs; i++)
        if (t->seqs[i].column && !strcmp(t->seqs[i].column, col->name))
            return (t->seqs[i].flags & INVS_SEQ_NOT_OWNED) != 0;
    return 0;
}

/* The serials' sequences: made before their table (before = 1), owned by
 * their column after it, as they were in the source. One statement each. */
static int pg_serials(pg_conn *c, const invs_table *t, const char *qt, int before)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < t->ncols && rc == INVS_OK; i++) {
        const invs_column *col = &t->cols[i];
        invs_strbuf sb;
        pg_sb_init(&sb);
        if (!before)
            invs_sb_puts(&sb, "ALTER SEQUENCE ");
        if (!pg_nextval_sequence(&sb, col->default_expr) ||
            (!before && pg_seq_not_owned(t, col))) {
            invs_sb_free(&sb);
            continue;
        }
        if (before) {
            if ((rc = pg_sb_ok(c, &sb)) == INVS_OK)
                rc = pg_serial_sequence(c, t, col, sb.p);
            invs_sb_free(&sb);
            continue;
        }
        invs_sb_printf(&sb, " OWNED BY %s.", qt);
        invs_sb_ident(&sb, col->name, '"');
        rc = pg_exec_sb(c, &sb);
    }
    return rc;
}

/* Another engine's key name that PostgreSQL would refuse here: a primary
 * or unique key's names its index, one name per schema. Taken: a warning,
 * and PostgreSQL's own name instead. */
static int pg_name_taken(pg_conn *c, const invs_table *t, const invs_key *k)
{
    invs_strbuf q;
    size_t i;
    unsigned oid = 0;
    int taken = 0;
    if (k->kind == INVS_KEY_FOREIGN)
        return 0;
    for (i = 0; i < c->nfks && !taken; i++)
        taken = strncmp(c->fks[i].def, "FOREIGN", 7) != 0 && c->fks[i].name[0] == '"' &&
                strlen(c->fks[i].name) == strlen(k->name) + 2 &&
                !strncmp(c->fks[i].name + 1, k->name, strlen(k->name));
    pg_sb_init(&q);
    invs_sb_ident(&q, c->nschemas ? c->schemas[0] : "public", '"');
    invs_sb_puts(&q, ".");
    invs_sb_ident(&q, k->name, '"');
    if (!taken && !invs_sb_failed(&q) && pg_regclass(c, q.p, &oid) == INVS_OK)
        taken = oid != 0;
    invs_sb_free(&q);
    if (taken)
        pg_host->log(c->s, INVS_LOG_WARN,
                     "table %s: key name %s is taken in the target's schema: PostgreSQL's own "
                     "name is used",
                     t->name, k->name);
    return taken;
}

void pg_key_default_name(invs_strbuf *sb, const char *table, const invs_key *k)
{
    size_t j;
    invs_sb_puts(sb, table);
    for (j = 0; j < k->ncols && k->kind != INVS_KEY_PRIMARY; j++)
        invs_sb_printf(sb, "_%s", k->cols[j]);
    invs_sb_puts(sb, k->kind == INVS_KEY_PRIMARY  ? "_pkey"
                     : k->kind == INVS_KEY_UNIQUE ? "_key"
                                                  : "_fkey");
}

/* The key's definition and name, remembered for load_end. */
static int pg_key_later(pg_conn *c, const invs_table *t, const char *qt, const invs_key *k,
                        int native)
{
    invs_strbuf def, name;
    int rc;
    pg_sb_init(&def);
    pg_sb_init(&name);
    invs_sb_puts(&def, k->kind == INVS_KEY_PRIMARY  ? "PRIMARY KEY "
                       : k->kind == INVS_KEY_UNIQUE ? "UNIQUE "
                                                    : "FOREIGN KEY ");
    invs_sb_ident_list(&def, k->cols, k->ncols, '"');
    if (k->kind == INVS_KEY_FOREIGN) {
        invs_sb_puts(&def, " REFERENCES ");
        invs_sb_ident(&def, c->schemas[0], '"');
        invs_sb_puts(&def, ".");
        invs_sb_ident(&def, k->ref_table, '"');
        invs_sb_puts(&def, " ");
        invs_sb_ident_list(&def, k->ref_cols, k->ncols, '"');
        if (k->on_delete && strcmp(k->on_delete, "NO ACTION"))
            invs_sb_printf(&def, " ON DELETE %s", k->on_delete);
        if (k->on_update && strcmp(k->on_update, "NO ACTION"))
            invs_sb_printf(&def, " ON UPDATE %s", k->on_update);
        if (k->flags & INVS_KEYF_DEFERRABLE)
            invs_sb_puts(&def, (k->flags & INVS_KEYF_DEFERRED) ? " DEFERRABLE INITIALLY DEFERRED"
                                                               : " DEFERRABLE");
    }
    if (k->name && (native || !pg_name_taken(c, t, k))) {
        invs_sb_ident(&name, k->name, '"');
    } else {
        invs_strbuf gen;
        pg_sb_init(&gen);
        pg_key_default_name(&gen, t->name, k);
        invs_sb_ident(&name, invs_sb_failed(&gen) ? "fk" : gen.p, '"');
        invs_sb_free(&gen);
    }
    if ((rc = pg_sb_ok(c, &def)) == INVS_OK && (rc = pg_sb_ok(c, &name)) == INVS_OK)
        rc = pg_remember_fk(c, qt, name.p, def.p);
    invs_sb_free(&def);
    invs_sb_free(&name);
    return rc;
}

int pg_table_create(invs_drv_conn *conn, const invs_table *t, uint32_t hints)
{
    pg_conn *c = conn;
    int native = (hints & INVS_HINT_NATIVE) != 0;
    invs_strbuf sb, qt;
    unsigned char *dn;
    size_t i;
    int rc;

    if ((rc = pg_check_text(c, t, native)) != INVS_OK)
        return rc;
    if (!(dn = pg_host->alloc(t->ncols + 1)))
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    pg_sb_init(&sb);
    pg_sb_init(&qt);
    pg_qualified(&qt, c, t);
    if ((rc = pg_sb_ok(c, &qt)) != INVS_OK || (rc = pg_decl_native(c, t, native, dn)) != INVS_OK)
        goto out;
    invs_sb_puts(&sb, "CREATE TABLE ");
    invs_sb_add(&sb, qt.p, qt.len);
    if (native && pg_is_child(t)) { /* another engine's push folds them (staging/fold.c) */
        if ((rc = pg_child_body(c, t, dn, &sb)) != INVS_OK)
            goto out;
    } else {
        invs_sb_puts(&sb, " (");
        for (i = 0; i < t->ncols; i++) {
            invs_sb_puts(&sb, i ? ", " : "");
            pg_column_def(&sb, t, i, native, dn[i]);
        }
        invs_sb_puts(&sb, ")");
    }
    if (native && (rc = pg_partition_by(c, t, &sb)) != INVS_OK)
        goto out;
    if ((rc = native ? pg_serials(c, t, qt.p, 1) : INVS_OK) == INVS_OK &&
        (rc = pg_exec_sb(c, &sb)) == INVS_OK && native)
        rc = pg_serials(c, t, qt.p, 0);
    if (rc == INVS_OK && native && pg_is_child(t))
        rc = pg_child_align(c, t, qt.p);
    if (rc == INVS_OK)
        rc = pg_table_extras(c, t, qt.p, native, dn);
    /* keys join at the end of the load, when every row is in: an index
     * built once from sorted rows costs far less than one kept up to date
     * row by row, and foreign keys are checked in one pass */
    for (i = 0; i < t->nkeys && rc == INVS_OK; i++)
        if (t->keys[i].kind != INVS_KEY_INDEX)
            rc = pg_key_later(c, t, qt.p, &t->keys[i], native);
out:
    invs_sb_free(&sb);
    invs_sb_free(&qt);
    pg_host->free(dn);
    return rc;
}

int pg_indexes_create(invs_drv_conn *conn, const invs_table *t)
{
    pg_conn *c = conn;
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < t->nkeys && rc == INVS_OK; i++) {
        const invs_key *k = &t->keys[i];
        invs_strbuf sb;
        if (k->kind != INVS_KEY_INDEX)
            continue;
        pg_sb_init(&sb);
        invs_sb_puts(&sb, (k->flags & INVS_KEYF_UNIQUE) ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
        if (k->name)
            invs_sb_ident(&sb, k->name, '"');
        invs_sb_puts(&sb, " ON ");
        pg_qualified(&sb, c, t);
        invs_sb_puts(&sb, " ");
        invs_sb_ident_list(&sb, k->cols, k->ncols, '"');
        rc = pg_exec_sb(c, &sb);
    }
    return rc == INVS_OK ? pg_xindexes_create(c, t) : rc;
}

static const char sql_fks[] =
    "SELECT quote_ident(cn.nspname) || '.' || quote_ident(cc.relname), quote_ident(c.conname),"
    " pg_get_constraintdef(c.oid), cn.nspname, cc.relname, fn.nspname, fc.relname, c.conname"
    " FROM pg_constraint c JOIN pg_class cc ON cc.oid = c.conrelid"
    " JOIN pg_namespace cn ON cn.oid = cc.relnamespace"
    " JOIN pg_class fc ON fc.oid = c.confrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace"
    " WHERE c.contype = 'f' AND c.conparentid = 0 ORDER BY c.oid";

static int pg_in_load(const pg_conn *c, const invs_table *const *ts, size_t n, const char *schema,
                      const char *name)
{
    size_t i;
    if (strcmp(schema, c->schemas[0]) != 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!strcmp(ts[i]->name, name))
            return 1;
    return 0;
}

/* Take off every foreign key of or into the load's tables; remember the
 * ones from tables outside the load, which make clearing refuse. */
int pg_load_begin(invs_drv_conn *conn, const invs_table *const *ts, size_t n)
{
    pg_conn *c = conn;
    PGresult *r = pg_query(c, sql_fks, 0, NULL);
    int i, rc = INVS_OK;
    if (!r)
        return c->failed;
    for (i = 0; i < PQntuples(r) && rc == INVS_OK; i++) {
        int child = pg_in_load(c, ts, n, PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
        int parent = pg_in_load(c, ts, n, PQgetvalue(r, i, 5), PQgetvalue(r, i, 6));
        invs_strbuf drop;
        if (!child && parent) {
            pg_outside_ref *v = pg_host->realloc(c->outside, (c->noutside + 1) * sizeof(*v));
            if (!v) {
                rc = pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
                break;
            }
            c->outside = v;
            v[c->noutside].parent = pg_strdup(PQgetvalue(r, i, 6));
            v[c->noutside].child = pg_strdup(PQgetvalue(r, i, 0));
            v[c->noutside].name = pg_strdup(PQgetvalue(r, i, 7));
            c->noutside++;
            continue;
        }
        if (!child)
            continue;
        if ((rc = pg_remember_fk(c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                                 PQgetvalue(r, i, 2))) != INVS_OK)
            break;
        pg_sb_init(&drop);
        invs_sb_printf(&drop, "ALTER TABLE %s DROP CONSTRAINT %s", PQgetvalue(r, i, 0),
                       PQgetvalue(r, i, 1));
        rc = pg_exec_sb(c, &drop);
    }
    PQclear(r);
    return rc;
}

int pg_table_clear(invs_drv_conn *conn, const invs_table *t)
{
    pg_conn *c = conn;
    invs_strbuf sb;
    size_t i;
    int rc;
    for (i = 0; i < c->noutside; i++)
        if (c->outside[i].parent && !strcmp(c->outside[i].parent, t->name))
            return pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                  "cannot clear table %s: table %s, which is not in the stage, "
                                  "references it (constraint %s); nothing was changed",
                                  t->name, c->outside[i].child, c->outside[i].name);
    if ((rc = pg_lock(c, t, "ACCESS EXCLUSIVE")) != INVS_OK)
        return rc;
    if (INVS_HAS(t, invs_table, inherits) && t->partition_by)
        return INVS_OK; /* a partitioned table holds no rows of its own */
    pg_sb_init(&sb);
    invs_sb_puts(&sb, "TRUNCATE ONLY ");
    pg_qualified(&sb, c, t);
    return pg_exec_sb(c, &sb);
}

/* Add every key: primary and unique keys first (foreign keys need them),
 * then the foreign keys, which PostgreSQL validates as they are added. */
int pg_load_end(invs_drv_conn *conn, const invs_table *const *ts, size_t n)
{
    pg_conn *c = conn;
    size_t i, pass;
    int rc = INVS_OK;
    (void)ts, (void)n;
    for (pass = 0; pass < 2; pass++)
    for (i = 0; i < c->nfks && rc == INVS_OK; i++) {
        invs_strbuf sb;
        if ((strncmp(c->fks[i].def, "FOREIGN KEY", 11) == 0) != (pass == 1))
            continue;
        pg_sb_init(&sb);
        invs_sb_printf(&sb, "ALTER TABLE %s ADD CONSTRAINT %s %s", c->fks[i].table,
                       c->fks[i].name, c->fks[i].def);
        rc = pg_exec_sb(c, &sb);
    }
    return rc;
}

/* Does the stage record a position for this column? */
static int pg_has_position(const invs_table *t, const char *col)
{
    size_t i;
    for (i = 0; i < t->nseqs; i++)
        if (t->seqs[i].column && !strcmp(t->seqs[i].column, col))
            return 1;
    return 0;
}

/* Every other column of the table fed by a sequence (serial, identity)
 * continues after its largest value, as Django's sqlsequencereset does:
 * rows came with their ids, the sequence did not hand them out. */
static int pg_sequences_follow_rows(pg_conn *c, const invs_table *t, const char *qt)
{
    const char *params[1] = {qt};
    PGresult *r;
    int i, n, rc = INVS_OK;

    r = pg_query(c,
                 "SELECT a.attname, s FROM pg_attribute a,"
                 " pg_get_serial_sequence($1, a.attname) AS s"
                 " WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                 " AND s IS NOT NULL ORDER BY a.attnum",
                 1, params);
    if (!r)
        return c->failed;
    n = PQntuples(r);
    for (i = 0; i < n && rc == INVS_OK; i++) {
        const char *col = PQgetvalue(r, i, 0), *seq[1] = {PQgetvalue(r, i, 1)};
        invs_strbuf q;
        PGresult *x;
        if (pg_has_position(t, col))
            continue;
        pg_sb_init(&q);
        invs_sb_puts(&q, "SELECT setval($1::regclass, coalesce(max(");
        invs_sb_ident(&q, col, '"');
        invs_sb_puts(&q, "), 1), max(");
        invs_sb_ident(&q, col, '"');
        invs_sb_printf(&q, ") IS NOT NULL) FROM %s", qt);
        if ((rc = pg_sb_ok(c, &q)) == INVS_OK) {
            if (!(x = pg_query(c, q.p, 1, seq)))
                rc = c->failed;
            PQclear(x);
        }
        invs_sb_free(&q);
    }
    PQclear(r);
    return rc;
}

/* The source's position for each recorded sequence; every other sequence
 * of the table continues after the rows loaded. */
int pg_sequences_set(invs_drv_conn *conn, const invs_table *t)
{
    pg_conn *c = conn;
    invs_strbuf qt;
    size_t i;
    int rc;

    pg_sb_init(&qt);
    pg_qualified(&qt, c, t);
    if ((rc = pg_sb_ok(c, &qt)) != INVS_OK)
        return rc;
    for (i = 0; i < t->nseqs && rc == INVS_OK; i++) {
        char value[24];
        const char *params[5] = {qt.p, t->seqs[i].column, value,
                                 t->seqs[i].is_called ? "t" : "f", t->seqs[i].name};
        PGresult *r;
        snprintf(value, sizeof(value), "%lld", (long long)t->seqs[i].value);
        /* the column's own sequence, else the same-named one; a position
         * below its minimum (SQLite's 0 for "none handed out yet") means
         * the next value is the one after it */
        r = pg_query(c,
                     "SELECT setval(s, CASE WHEN $3::bigint < m.seqmin THEN $3::bigint + 1"
                     " ELSE $3::bigint END, $4::boolean AND $3::bigint >= m.seqmin) FROM coalesce("
                     "pg_get_serial_sequence($1, $2)::regclass, to_regclass($5)) AS s"
                     " JOIN pg_sequence m ON m.seqrelid = s",
                     5, params);
        if (!r)
            rc = c->failed;
        else if (PQntuples(r) == 0)
            pg_host->log(c->s, INVS_LOG_WARN,
                         "table %s: column %s has no sequence in the target, so its position "
                         "(%lld) is not kept",
                         t->name, t->seqs[i].column, (long long)t->seqs[i].value);
        PQclear(r);
    }
    if (rc == INVS_OK)
        rc = pg_sequences_follow_rows(c, t, qt.p);
    invs_sb_free(&qt);
    return rc;
}

/*
 * Reading an SQLite schema into the model: tables (with WITHOUT ROWID and
 * STRICT), columns (declared type, NOT NULL, default, collation,
 * AUTOINCREMENT), primary key, UNIQUE constraints, secondary indexes,
 * foreign keys, sqlite_sequence positions and row counts.
 *
 * Strings SQLite hands back live only until the next step, and the host
 * copies the table during emit(), so each table is built in a pool that is
 * freed as soon as it has been emitted.
 */
#include <string.h>

#include "invstage/pool.h"
#include "sqlite_driver.h"

static const char *pool_str(invs_pool *pl, const unsigned char *s)
{
    return invs_pool_str(pl, (const char *)s);
}

typedef struct schema_reader {
    sqlite_conn *c;
    invs_pool pl;
    sqlite3_stmt *cols, *idx, *idxcols, *fks, *pkcols, *seq, *uncopied, *idxsql;
    size_t xcap; /* of the table's xindexes */
} schema_reader;

static int sr_prepare(schema_reader *r, sqlite3_stmt **s, const char *sql)
{
    if (sqlite3_prepare_v2(r->c->db, sql, -1, s, NULL) != SQLITE_OK)
        return sqlite_err(r->c, INVS_ESQL, "reading the schema");
    return INVS_OK;
}

/* Each column's default, as a value another engine can write. */
static int sr_defaults(schema_reader *r, invs_table *t)
{
    invs_colx *x;
    size_t i;
    if (!t->ncols)
        return INVS_OK;
    if (!(x = invs_pool_alloc(&r->pl, t->ncols * sizeof(*x))))
        return INVS_ENOMEM;
    memset(x, 0, t->ncols * sizeof(*x));
    for (i = 0; i < t->ncols; i++) {
        x[i].struct_size = sizeof(*x);
        sqlite_default_classify(&r->pl, &x[i], t->cols[i].default_expr);
    }
    t->colx = x;
    return r->pl.failed ? INVS_ENOMEM : INVS_OK;
}

static int sr_columns(schema_reader *r, invs_table *t)
{
    sqlite3_stmt *s = r->cols;
    invs_column *cols = NULL;
    size_t n = 0, cap = 0;
    const char **pk = NULL;
    int pkn = 0, step, rc;

    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        const char *coll = NULL;
        int notnull = 0, ispk = 0, autoinc = 0, hidden = sqlite3_column_int(s, 6);
        invs_column *c;
        if (hidden) {
            sqlite_host->log(r->c->s, INVS_LOG_WARN,
                             "table %s: generated column %s is not copied", t->name, name);
            continue;
        }
        if (!(cols = invs_pool_grow(&r->pl, cols, n, &cap, sizeof(*cols))))
            return INVS_ENOMEM;
        c = &cols[n++];
        c->name = pool_str(&r->pl, (const unsigned char *)name);
        sqlite_type_from_decl(c, (const char *)sqlite3_column_text(s, 2));
        c->decl = pool_str(&r->pl, sqlite3_column_text(s, 2));
        c->default_expr = pool_str(&r->pl, sqlite3_column_text(s, 4));
        if (sqlite3_column_int(s, 3))
            c->flags |= INVS_COL_NOT_NULL;
        if (sqlite3_table_column_metadata(r->c->db, "main", t->name, name, NULL, &coll, &notnull,
                                          &ispk, &autoinc) == SQLITE_OK) {
            if (coll && sqlite3_stricmp(coll, "BINARY") != 0)
                c->collation = pool_str(&r->pl, (const unsigned char *)coll);
            if (autoinc)
                c->flags |= INVS_COL_AUTOINCREMENT;
        }
        if (sqlite3_column_int(s, 5) > pkn)
            pkn = sqlite3_column_int(s, 5);
    }
    if (step != SQLITE_DONE)
        return sqlite_err(r->c, INVS_ESQL, "reading columns");
    t->cols = cols;
    t->ncols = n;
    if ((rc = sr_defaults(r, t)) != INVS_OK)
        return rc;
    if (pkn > 0) { /* primary key columns, in key order */
        invs_key *k;
        int i;
        if (!(pk = invs_pool_alloc(&r->pl, (size_t)pkn * sizeof(*pk))) ||
            !(k = invs_pool_alloc(&r->pl, sizeof(*k))))
            return INVS_ENOMEM;
        sqlite3_reset(s);
        while (sqlite3_step(s) == SQLITE_ROW)
            if ((i = sqlite3_column_int(s, 5)) > 0)
                pk[i - 1] = pool_str(&r->pl, sqlite3_column_text(s, 1));
        k->kind = INVS_KEY_PRIMARY;
        k->ncols = (size_t)pkn;
        k->cols = pk;
        t->keys = k;
        t->nkeys = 1;
        /* an INTEGER PRIMARY KEY of a rowid table is the rowid: SQLite hands
         * out max+1 itself, a fact other engines learn from the flag */
        for (i = 0; pkn == 1 && pk[0] && !(t->flags & INVS_TBL_WITHOUT_ROWID) && i < (int)n; i++)
            if (!strcmp(cols[i].name, pk[0]) && !sqlite3_stricmp(cols[i].decl, "INTEGER"))
                cols[i].flags |= INVS_COL_AUTO_KEY;
    }
    return r->pl.failed ? INVS_ENOMEM : INVS_OK;
}

static int sr_add_key(schema_reader *r, invs_table *t, size_t *cap, const invs_key *k)
{
    invs_key *keys = invs_pool_grow(&r->pl, (void *)t->keys, t->nkeys, cap, sizeof(*keys));
    if (!keys)
        return INVS_ENOMEM;
    keys[t->nkeys++] = *k;
    t->keys = keys;
    return INVS_OK;
}

/* An index on expressions, partial or descending: what its CREATE INDEX
 * statement says. */
static int sr_xindex(schema_reader *r, invs_table *t, const char *iname, int unique)
{
    invs_xindex *xs, *x;
    int rc;
    sqlite3_reset(r->idxsql);
    sqlite3_bind_text(r->idxsql, 1, iname, -1, SQLITE_STATIC);
    if (sqlite3_step(r->idxsql) != SQLITE_ROW || sqlite3_column_type(r->idxsql, 0) == SQLITE_NULL)
        return sqlite_err(r->c, INVS_ESQL, "reading an index's statement");
    if (!(xs = invs_pool_grow(&r->pl, (void *)t->xindexes, t->nxindexes, &r->xcap, sizeof(*xs))))
        return INVS_ENOMEM;
    x = &xs[t->nxindexes];
    memset(x, 0, sizeof(*x));
    x->struct_size = sizeof(*x);
    x->name = pool_str(&r->pl, (const unsigned char *)iname);
    x->flags = unique ? INVS_KEYF_UNIQUE : 0;
    rc = sqlite_ddl_index(&r->pl, (const char *)sqlite3_column_text(r->idxsql, 0), x);
    if (rc == INVS_EINVAL)
        return sqlite_host->error(r->c->s, INVS_ECORRUPT, NULL, 0,
                                  "table %s: index %s: its statement cannot be read", t->name,
                                  iname);
    t->xindexes = xs;
    t->nxindexes++;
    return rc;
}

/* UNIQUE constraints and CREATE INDEX indexes; those on expressions,
 * partial or descending go to the table's xindexes. */
static int sr_indexes(schema_reader *r, invs_table *t, size_t *cap)
{
    sqlite3_stmt *s = r->idx, *ic = r->idxcols;
    int step, rc;

    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *origin = (const char *)sqlite3_column_text(s, 2);
        const char *iname = (const char *)sqlite3_column_text(s, 0);
        invs_key k;
        const char **cols = NULL;
        size_t ccap = 0;
        int skip = 0;
        if (strcmp(origin, "pk") == 0)
            continue;
        memset(&k, 0, sizeof(k));
        sqlite3_reset(ic);
        sqlite3_bind_text(ic, 1, iname, -1, SQLITE_STATIC);
        while (sqlite3_step(ic) == SQLITE_ROW) {
            if (sqlite3_column_int(ic, 1) < 0 || sqlite3_column_int(ic, 2)) {
                skip = 1; /* expression, rowid or DESC column */
                continue;
            }
            if (!(cols = invs_pool_grow(&r->pl, cols, k.ncols, &ccap, sizeof(*cols))))
                return INVS_ENOMEM;
            cols[k.ncols++] = pool_str(&r->pl, sqlite3_column_text(ic, 0));
        }
        if (skip || sqlite3_column_int(s, 3)) {
            if ((rc = sr_xindex(r, t, iname, sqlite3_column_int(s, 1))) != INVS_OK)
                return rc;
            continue;
        }
        k.cols = cols;
        if (strcmp(origin, "u") == 0) {
            k.kind = INVS_KEY_UNIQUE;
        } else {
            k.kind = INVS_KEY_INDEX;
            k.name = pool_str(&r->pl, (const unsigned char *)iname);
            if (sqlite3_column_int(s, 1))
                k.flags |= INVS_KEYF_UNIQUE;
        }
        if ((rc = sr_add_key(r, t, cap, &k)) != INVS_OK)
            return rc;
    }
    return step == SQLITE_DONE ? INVS_OK : sqlite_err(r->c, INVS_ESQL, "reading indexes");
}

/* Primary key columns of `table`, for a foreign key that names no columns. */
static const char **sr_parent_pk(schema_reader *r, const char *table, size_t n)
{
    const char **cols = invs_pool_alloc(&r->pl, n * sizeof(*cols));
    size_t i = 0;
    if (!cols)
        return NULL;
    sqlite3_reset(r->pkcols);
    sqlite3_bind_text(r->pkcols, 1, table, -1, SQLITE_STATIC);
    while (i < n && sqlite3_step(r->pkcols) == SQLITE_ROW)
        cols[i++] = pool_str(&r->pl, sqlite3_column_text(r->pkcols, 0));
    return cols;
}

/* Foreign keys, in declaration order (SQLite numbers them backwards). */
static int sr_foreign_keys(schema_reader *r, invs_table *t, size_t *cap)
{
    sqlite3_stmt *s = r->fks;
    int step, rc, id = -1, has_to = 1;
    invs_key k;
    const char **cols = NULL, **refs = NULL;
    size_t ccap = 0, rcap = 0;

    memset(&k, 0, sizeof(k));
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
    for (;;) {
        step = sqlite3_step(s);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return sqlite_err(r->c, INVS_ESQL, "reading foreign keys");
        if (id >= 0 && (step == SQLITE_DONE || sqlite3_column_int(s, 0) != id)) {
            k.cols = cols;
            k.ref_cols = has_to ? refs : sr_parent_pk(r, k.ref_table, k.ncols);
            if ((rc = sr_add_key(r, t, cap, &k)) != INVS_OK)
                return rc;
            memset(&k, 0, sizeof(k));
            cols = refs = NULL;
            ccap = rcap = 0;
            has_to = 1;
        }
        if (step == SQLITE_DONE)
            break;
        id = sqlite3_column_int(s, 0);
        k.kind = INVS_KEY_FOREIGN;
        k.ref_table = pool_str(&r->pl, sqlite3_column_text(s, 2));
        k.on_update = pool_str(&r->pl, sqlite3_column_text(s, 5));
        k.on_delete = pool_str(&r->pl, sqlite3_column_text(s, 6));
        if (!(cols = invs_pool_grow(&r->pl, cols, k.ncols, &ccap, sizeof(*cols))) ||
            !(refs = invs_pool_grow(&r->pl, refs, k.ncols, &rcap, sizeof(*refs))))
            return INVS_ENOMEM;
        cols[k.ncols] = pool_str(&r->pl, sqlite3_column_text(s, 3));
        refs[k.ncols] = pool_str(&r->pl, sqlite3_column_text(s, 4));
        if (sqlite3_column_type(s, 4) == SQLITE_NULL)
            has_to = 0;
        k.ncols++;
    }
    return r->pl.failed ? INVS_ENOMEM : INVS_OK;
}

static int sr_sequence(schema_reader *r, invs_table *t)
{
    size_t i;
    invs_sequence *q;
    for (i = 0; i < t->ncols && !(t->cols[i].flags & INVS_COL_AUTOINCREMENT); i++)
        ;
    if (i == t->ncols || !r->seq)
        return INVS_OK;
    sqlite3_reset(r->seq);
    sqlite3_bind_text(r->seq, 1, t->name, -1, SQLITE_STATIC);
    if (sqlite3_step(r->seq) != SQLITE_ROW)
        return INVS_OK; /* never handed out a value */
    if (!(q = invs_pool_alloc(&r->pl, sizeof(*q))))
        return INVS_ENOMEM;
    q->column = t->cols[i].name;
    q->value = sqlite3_column_int64(r->seq, 0);
    q->is_called = 1;
    t->seqs = q;
    t->nseqs = 1;
    return INVS_OK;
}

static int sr_count(schema_reader *r, invs_table *t)
{
    invs_strbuf sb;
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK;
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "SELECT count(*) FROM ");
    invs_sb_ident(&sb, t->name, '"');
    if ((rc = sqlite_sb_ok(r->c, &sb)) != INVS_OK)
        return rc;
    if (sqlite3_prepare_v2(r->c->db, sb.p, -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW)
        rc = sqlite_err(r->c, INVS_ESQL, "counting rows");
    else
        t->row_count = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    invs_sb_free(&sb);
    return rc;
}

/* Same names, same order. */
static int sr_same_cols(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    size_t i;
    if (na != nb)
        return 0;
    for (i = 0; i < na; i++)
        if (!a[i] || !b[i] || sqlite3_stricmp(a[i], b[i]) != 0)
            return 0;
    return 1;
}

typedef struct sr_ddl {
    schema_reader *r;
    invs_table *t;
    size_t ccap;
} sr_ddl;

/* A named key gets its name; a CHECK joins the table's. */
static int sr_ddl_constraint(const sqlite_ddl_constraint *dc, void *payload)
{
    sr_ddl *d = payload;
    invs_table *t = d->t;
    const char *const *cols = dc->column ? &dc->column : (const char *const *)dc->cols;
    size_t i, ncols = dc->column ? 1 : dc->ncols;
    if (dc->kind == 'c') {
        invs_check *cs = invs_pool_grow(&d->r->pl, (void *)t->checks, t->nchecks, &d->ccap,
                                        sizeof(*cs));
        if (!cs)
            return INVS_ENOMEM;
        memset(&cs[t->nchecks], 0, sizeof(*cs));
        cs[t->nchecks].struct_size = sizeof(*cs);
        cs[t->nchecks].name = dc->name;
        cs[t->nchecks].expr = dc->expr;
        t->checks = cs;
        t->nchecks++;
        return INVS_OK;
    }
    if (!dc->name)
        return INVS_OK;
    for (i = 0; i < t->nkeys; i++) {
        invs_key *k = (invs_key *)&t->keys[i];
        int kind = dc->kind == 'p' ? INVS_KEY_PRIMARY
                   : dc->kind == 'u' ? INVS_KEY_UNIQUE : INVS_KEY_FOREIGN;
        if (k->kind != kind || k->name || !sr_same_cols(k->cols, k->ncols, cols, ncols))
            continue;
        if (kind == INVS_KEY_FOREIGN &&
            (!dc->ref_table || sqlite3_stricmp(dc->ref_table, k->ref_table) != 0))
            continue;
        k->name = dc->name;
        break;
    }
    return INVS_OK;
}

static int sr_table(schema_reader *r, invs_table *t)
{
    sr_ddl d = {r, t, 0};
    size_t kcap;
    int rc;
    r->xcap = 0;
    if ((rc = sr_columns(r, t)) != INVS_OK)
        return rc;
    kcap = t->nkeys; /* the primary key's array is exactly full */
    if ((rc = sr_indexes(r, t, &kcap)) != INVS_OK ||
        (rc = sr_foreign_keys(r, t, &kcap)) != INVS_OK || (rc = sr_sequence(r, t)) != INVS_OK)
        return rc;
    if (t->source_ddl && (rc = sqlite_ddl_table(&r->pl, t->source_ddl, sr_ddl_constraint, &d)) ==
                             INVS_EINVAL)
        return sqlite_host->error(r->c->s, INVS_ECORRUPT, NULL, 0,
                                  "table %s: its CREATE TABLE statement cannot be read",
                                  t->name);
    if (rc != INVS_OK)
        return rc;
    return sr_count(r, t);
}

/* What the model has no place for yet is named, never dropped silently. */
static void sr_warn_uncopied(schema_reader *r)
{
    while (r->uncopied && sqlite3_step(r->uncopied) == SQLITE_ROW)
        sqlite_host->log(r->c->s, INVS_LOG_WARN, "%s %s is not copied",
                         (const char *)sqlite3_column_text(r->uncopied, 0),
                         (const char *)sqlite3_column_text(r->uncopied, 1));
}

int sqlite_schema_read(invs_drv_conn *conn, invs_emit_table_fn emit, void *payload)
{
    schema_reader r;
    sqlite3_stmt *tabs = NULL;
    int rc, step;

    memset(&r, 0, sizeof(r));
    r.c = conn;
    invs_pool_init(&r.pl, sqlite_host->realloc, sqlite_host->free);
    if ((rc = sr_prepare(&r, &tabs,
                         "SELECT s.name, s.sql, l.wr, l.strict FROM sqlite_schema s"
                         " JOIN pragma_table_list l ON l.name = s.name AND l.schema = 'main'"
                         " WHERE s.type = 'table' AND l.type = 'table'"
                         " AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY s.rowid")) ||
        (rc = sr_prepare(&r, &r.cols,
                         "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden"
                         " FROM pragma_table_xinfo(?1) ORDER BY cid")) ||
        (rc = sr_prepare(&r, &r.idx,
                         "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)"
                         " ORDER BY seq DESC")) ||
        (rc = sr_prepare(&r, &r.idxcols,
                         "SELECT name, cid, \"desc\" FROM pragma_index_xinfo(?1)"
                         " WHERE key ORDER BY seqno")) ||
        (rc = sr_prepare(&r, &r.fks,
                         "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete"
                         " FROM pragma_foreign_key_list(?1) ORDER BY id DESC, seq")) ||
        (rc = sr_prepare(&r, &r.pkcols,
                         "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")) ||
        (rc = sr_prepare(&r, &r.idxsql,
                         "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1")) ||
        (rc = sr_prepare(&r, &r.uncopied,
                         "SELECT 'virtual table', name FROM pragma_table_list"
                         " WHERE schema = 'main' AND type = 'virtual'"))) /* views, triggers:
                                                                            sqlite_objects.c */
        goto out;
    /* sqlite_sequence exists only once an AUTOINCREMENT table does */
    if (sqlite3_prepare_v2(r.c->db, "SELECT seq FROM sqlite_sequence WHERE name = ?1", -1,
                           &r.seq, NULL) != SQLITE_OK)
        r.seq = NULL;
    sr_warn_uncopied(&r);
    while ((step = sqlite3_step(tabs)) == SQLITE_ROW) {
        invs_table t;
        memset(&t, 0, sizeof(t));
        t.struct_size = sizeof(t);
        t.name = pool_str(&r.pl, sqlite3_column_text(tabs, 0));
        t.source_ddl = pool_str(&r.pl, sqlite3_column_text(tabs, 1));
        t.engine = "sqlite";
        t.row_count = -1;
        if (sqlite3_column_int(tabs, 2))
            t.flags |= INVS_TBL_WITHOUT_ROWID;
        if (sqlite3_column_int(tabs, 3))
            t.flags |= INVS_TBL_STRICT;
        rc = t.name ? sr_table(&r, &t) : INVS_ENOMEM;
        if (rc == INVS_OK && r.pl.failed)
            rc = INVS_ENOMEM;
        if (rc == INVS_ENOMEM)
            sqlite_host->error(r.c->s, rc, NULL, 0, "out of memory");
        if (rc == INVS_OK)
            rc = emit(&t, payload);
        invs_pool_free(&r.pl);
        if (rc != INVS_OK)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = sqlite_err(r.c, INVS_ESQL, "listing tables");
out:
    invs_pool_free(&r.pl);
    sqlite3_finalize(tabs);
    sqlite3_finalize(r.cols);
    sqlite3_finalize(r.idx);
    sqlite3_finalize(r.idxcols);
    sqlite3_finalize(r.fks);
    sqlite3_finalize(r.pkcols);
    sqlite3_finalize(r.seq);
    sqlite3_finalize(r.uncopied);
    sqlite3_finalize(r.idxsql);
    return rc;
}

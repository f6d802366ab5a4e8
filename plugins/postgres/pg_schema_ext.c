/*
 * What a PostgreSQL table has beyond columns and keys (ABI 1.2's
 * invs_colx, invs_check, invs_xindex): each column's default classified,
 * its enum or domain type and an enum's labels, its identity options
 * (pg_sequence); the table's CHECK constraints with their names; and the
 * indexes a list of columns cannot describe (on expressions, partial,
 * descending, or of another method than b-tree); partitioning and
 * inheritance (parent, strategy and key, bounds). Read
 * from the catalogs in the pull's snapshot, into the reader's pool.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_driver.h"

static const char sql_colx[] =
    "SELECT a.attname, CASE WHEN t.typtype IN ('e', 'd') THEN format_type(t.oid, NULL) END,"
    " s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle"
    " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
    " LEFT JOIN pg_depend d ON a.attidentity <> '' AND d.classid = 'pg_class'::regclass"
    " AND d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid"
    " AND d.refobjsubid = a.attnum AND d.deptype = 'i'"
    " LEFT JOIN pg_sequence s ON s.seqrelid = d.objid"
    " WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped";

static const char sql_labels[] =
    "SELECT a.attname, e.enumlabel FROM pg_attribute a JOIN pg_enum e ON e.enumtypid = a.atttypid"
    " WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped"
    " ORDER BY a.attnum, e.enumsortorder";

static const char sql_checks[] =
    "SELECT conname, pg_get_expr(conbin, conrelid) FROM pg_constraint"
    " WHERE conrelid = $1 AND contype = 'c' AND conislocal ORDER BY conname";

/* one row per key part of each index that invs_key cannot describe */
static const char sql_xindexes[] =
    "SELECT i.indexrelid, ic.relname, i.indisunique, am.amname,"
    " pg_get_expr(i.indpred, i.indrelid), k.attnum, a.attname,"
    " pg_get_indexdef(i.indexrelid, k.o::int, true), (i.indoption[k.o - 1] & 1) = 1"
    " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
    " JOIN pg_am am ON am.oid = ic.relam"
    " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, o)"
    " LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
    " WHERE i.indrelid = $1 AND k.o <= i.indnkeyatts"
    " AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL OR am.amname <> 'btree'"
    " OR NOT 0 = ALL(i.indoption::int2[]))"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid"
    " AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))"
    " AND NOT EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = i.indexrelid)"
    " ORDER BY i.indexrelid, k.o";

static const char sql_inherits[] =
    "SELECT p.relname, c.relispartition, pg_get_expr(c.relpartbound, c.oid),"
    " CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END"
    " FROM pg_class c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid"
    " LEFT JOIN pg_class p ON p.oid = i.inhparent WHERE c.oid = $1 ORDER BY i.inhseqno";

static const char *xval(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int col_index(const invs_table *t, const char *name)
{
    size_t i;
    for (i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return (int)i;
    return -1;
}

static void colx_identity(invs_colx *x, PGresult *r, int row)
{
    if (!xval(r, row, 2))
        return;
    x->ident_flags = INVS_IDENT_OPTIONS | (xval(r, row, 6)[0] == 't' ? INVS_IDENT_CYCLE : 0);
    x->ident_start = strtoll(xval(r, row, 2), NULL, 10);
    x->ident_increment = strtoll(xval(r, row, 3), NULL, 10);
    x->ident_min = strtoll(xval(r, row, 4), NULL, 10);
    x->ident_max = strtoll(xval(r, row, 5), NULL, 10);
}

/* Each enum column's labels, in order. */
static int colx_labels(pg_conn *c, invs_pool *pl, const char *oid, invs_table *t, invs_colx *xs)
{
    const char *params[1] = {oid};
    PGresult *r = pg_query(c, sql_labels, 1, params);
    int i, j, n, k;
    if (!r)
        return c->failed;
    n = PQntuples(r);
    for (i = 0; i < n; i = j) {
        const char **labels;
        for (j = i; j < n && !strcmp(xval(r, j, 0), xval(r, i, 0)); j++)
            ;
        if ((k = col_index(t, xval(r, i, 0))) < 0)
            continue;
        if (!(labels = invs_pool_alloc(pl, (size_t)(j - i) * sizeof(*labels))))
            break;
        for (int m = i; m < j; m++)
            labels[m - i] = invs_pool_str(pl, xval(r, m, 1));
        xs[k].labels = labels;
        xs[k].nlabels = (size_t)(j - i);
    }
    PQclear(r);
    return INVS_OK;
}

static int pg_read_colx(pg_conn *c, invs_pool *pl, const char *oid, invs_table *t)
{
    const char *params[1] = {oid};
    PGresult *r;
    invs_colx *xs;
    size_t i;
    int row, k;
    if (!(xs = invs_pool_alloc(pl, (t->ncols ? t->ncols : 1) * sizeof(*xs))))
        return INVS_ENOMEM;
    for (i = 0; i < t->ncols; i++) {
        xs[i].struct_size = sizeof(*xs);
        xs[i].default_kind = pg_default_classify(pl, t->cols[i].default_expr, &xs[i].default_value);
    }
    if (!(r = pg_query(c, sql_colx, 1, params)))
        return c->failed;
    for (row = 0; row < PQntuples(r); row++) {
        if ((k = col_index(t, xval(r, row, 0))) < 0)
            continue;
        xs[k].type_name = invs_pool_str(pl, xval(r, row, 1));
        colx_identity(&xs[k], r, row);
    }
    PQclear(r);
    t->colx = xs;
    return colx_labels(c, pl, oid, t, xs);
}

static int pg_read_checks(pg_conn *c, invs_pool *pl, const char *oid, invs_table *t)
{
    const char *params[1] = {oid};
    PGresult *r = pg_query(c, sql_checks, 1, params);
    invs_check *cs;
    int i, n;
    if (!r)
        return c->failed;
    n = PQntuples(r);
    if (n && (cs = invs_pool_alloc(pl, (size_t)n * sizeof(*cs)))) {
        for (i = 0; i < n; i++) {
            cs[i].struct_size = sizeof(*cs);
            cs[i].name = invs_pool_str(pl, xval(r, i, 0));
            cs[i].expr = invs_pool_str(pl, xval(r, i, 1));
        }
        t->checks = cs;
        t->nchecks = (size_t)n;
    }
    PQclear(r);
    return INVS_OK;
}

/* Rows i..j-1 of r: the parts of one index. */
static void xindex_fill(invs_pool *pl, invs_xindex *x, PGresult *r, int i, int j)
{
    const char **parts = invs_pool_alloc(pl, (size_t)(j - i) * sizeof(*parts));
    uint8_t *exprs = invs_pool_alloc(pl, (size_t)(j - i));
    uint8_t *desc = invs_pool_alloc(pl, (size_t)(j - i));
    int k;
    x->struct_size = sizeof(*x);
    x->name = invs_pool_str(pl, xval(r, i, 1));
    x->flags = xval(r, i, 2)[0] == 't' ? INVS_KEYF_UNIQUE : 0;
    if (strcmp(xval(r, i, 3), "btree") != 0)
        x->method = invs_pool_str(pl, xval(r, i, 3));
    x->where = invs_pool_str(pl, xval(r, i, 4));
    if (!parts || !exprs || !desc)
        return;
    for (k = i; k < j; k++) {
        exprs[k - i] = atoi(xval(r, k, 5)) == 0;
        parts[k - i] = invs_pool_str(pl, exprs[k - i] ? xval(r, k, 7) : xval(r, k, 6));
        desc[k - i] = xval(r, k, 8)[0] == 't';
    }
    x->parts = parts;
    x->exprs = exprs;
    x->desc = desc;
    x->nparts = (size_t)(j - i);
}

static int pg_read_xindexes(pg_conn *c, invs_pool *pl, const char *oid, invs_table *t)
{
    const char *params[1] = {oid};
    PGresult *r = pg_query(c, sql_xindexes, 1, params);
    invs_xindex *xs = NULL;
    size_t cap = 0;
    int i, j, n;
    if (!r)
        return c->failed;
    n = PQntuples(r);
    for (i = 0; i < n; i = j) {
        for (j = i; j < n && !strcmp(xval(r, j, 0), xval(r, i, 0)); j++)
            ;
        if (!(xs = invs_pool_grow(pl, xs, t->nxindexes, &cap, sizeof(*xs))))
            break;
        memset(&xs[t->nxindexes], 0, sizeof(*xs));
        xindex_fill(pl, &xs[t->nxindexes++], r, i, j);
    }
    t->xindexes = xs;
    PQclear(r);
    return INVS_OK;
}

/* Partitioning and inheritance, into the model: the same engine makes
 * them again, another one folds them into one table (the host says so at
 * push). Each table keeps its own rows (read FROM ONLY), so no row is
 * read twice. */
static int pg_read_inherits(pg_conn *c, invs_pool *pl, const char *oid, invs_table *t)
{
    const char *params[1] = {oid};
    PGresult *r = pg_query(c, sql_inherits, 1, params);
    const char **parents;
    int i, n;
    if (!r)
        return c->failed;
    n = PQntuples(r);
    if (n)
        t->partition_by = invs_pool_str(pl, xval(r, 0, 3));
    if (n && xval(r, 0, 0) && xval(r, 0, 1)[0] == 't') {
        t->partition_of = invs_pool_str(pl, xval(r, 0, 0));
        t->partition_bound = invs_pool_str(pl, xval(r, 0, 2));
    } else if (n && xval(r, 0, 0) &&
               (parents = invs_pool_alloc(pl, (size_t)n * sizeof(*parents)))) {
        for (i = 0; i < n; i++)
            parents[i] = invs_pool_str(pl, xval(r, i, 0));
        t->inherits = parents;
        t->ninherits = (size_t)n;
    }
    PQclear(r);
    return INVS_OK;
}

int pg_schema_ext_read(pg_conn *c, invs_pool *pl, const char *oid, invs_table *t)
{
    int rc;
    if ((rc = pg_read_colx(c, pl, oid, t)) != INVS_OK ||
        (rc = pg_read_checks(c, pl, oid, t)) != INVS_OK ||
        (rc = pg_read_xindexes(c, pl, oid, t)) != INVS_OK ||
        (rc = pg_read_inherits(c, pl, oid, t)) != INVS_OK)
        return rc;
    return invs_pool_failed(pl) ? INVS_ENOMEM : INVS_OK;
}

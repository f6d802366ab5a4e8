/*
 * Reading a PostgreSQL schema from the catalogs: tables of the chosen
 * schemas (in creation order), columns with format_type() and the base type
 * of domains, NOT NULL, defaults, identity, primary/unique/foreign keys with
 * their actions and deferrability, plain secondary indexes (the rest, with
 * CHECKs and classified defaults, in pg_schema_ext.c), the current
 * position of each column's sequence, and row counts, all in the pull's
 * snapshot.
 */
#include <stdlib.h>
#include <string.h>

#include "invstage/pool.h"
#include "pg_driver.h"

static const char sql_tables[] =
    "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND n.nspname = $1 ORDER BY c.oid";

static const char sql_columns[] =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
    " pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,"
    " coalesce(bt.typname, t.typname), coalesce(bt.typtype, t.typtype),"
    " CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,"
    " CASE WHEN a.attcollation <> t.typcollation THEN co.collname END"
    " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
    " LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
    " WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/* one row per key column; primary key first, foreign keys last; not the
 * keys a partition has from its partitioned table (conparentid), which
 * that table's own key makes again */
static const char sql_keys[] =
    "SELECT c.oid, c.conname, c.contype, c.condeferrable, c.condeferred, c.confupdtype,"
    " c.confdeltype, fc.relname, a.attname, fa.attname"
    " FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, o)"
    " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
    " LEFT JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[k.o]"
    " LEFT JOIN pg_class fc ON fc.oid = c.confrelid"
    " WHERE c.conrelid = $1 AND c.contype IN ('p', 'u', 'f') AND c.conparentid = 0"
    " ORDER BY c.contype <> 'p', c.contype = 'f', c.oid, k.o";

/* plain ascending b-tree indexes that back no constraint; the others are
 * the table's xindexes (pg_schema_ext.c); not a partition's index that is
 * a partition of its table's (pg_inherits), made with that one */
static const char sql_indexes[] =
    "SELECT i.indexrelid, ic.relname, i.indisunique, a.attname"
    " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
    " JOIN pg_am am ON am.oid = ic.relam"
    " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, o)"
    " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
    " WHERE i.indrelid = $1 AND i.indexprs IS NULL AND i.indpred IS NULL"
    " AND am.amname = 'btree' AND k.o <= i.indnkeyatts AND 0 = ALL(i.indoption::int2[])"
    " AND NOT EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = i.indexrelid)"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid"
    " AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u'))"
    " ORDER BY i.indexrelid, k.o";

typedef struct pg_reader {
    pg_conn *c;
    invs_pool pl;
    const char *schema;
    char oid[24];
} pg_reader;

static const char *action_name(char a)
{
    switch (a) {
    case 'r': return "RESTRICT";
    case 'c': return "CASCADE";
    case 'n': return "SET NULL";
    case 'd': return "SET DEFAULT";
    }
    return "NO ACTION";
}

static const char *val(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int pr_columns(pg_reader *rd, invs_table *t)
{
    const char *params[1] = {rd->oid};
    PGresult *r = pg_query(rd->c, sql_columns, 1, params);
    invs_column *cols;
    int i, n;
    if (!r)
        return rd->c->failed;
    n = PQntuples(r);
    cols = invs_pool_alloc(&rd->pl, (size_t)(n ? n : 1) * sizeof(*cols));
    t->cols = cols;
    t->ncols = 0;
    for (i = 0; cols && i < n; i++) {
        invs_column *c = &cols[t->ncols];
        const char *ident = val(r, i, 4), *gen = val(r, i, 5);
        if (gen && *gen) {
            pg_host->log(rd->c->s, INVS_LOG_WARN,
                         "table %s: generated column %s is not copied", t->name, val(r, i, 0));
            continue;
        }
        c->name = invs_pool_str(&rd->pl, val(r, i, 0));
        c->decl = invs_pool_str(&rd->pl, val(r, i, 1));
        pg_type_to_canon(c, val(r, i, 6), val(r, i, 7)[0], atoi(val(r, i, 8)));
        if (val(r, i, 2)[0] == 't')
            c->flags |= INVS_COL_NOT_NULL;
        if (ident && *ident)
            c->flags |= INVS_COL_IDENTITY | (ident[0] == 'a' ? INVS_COL_IDENTITY_ALWAYS : 0);
        c->default_expr = invs_pool_str(&rd->pl, val(r, i, 3));
        c->collation = invs_pool_str(&rd->pl, val(r, i, 9));
        t->ncols++;
    }
    PQclear(r);
    return invs_pool_failed(&rd->pl) ? INVS_ENOMEM : INVS_OK;
}

/* A key named as PostgreSQL names it by default (t_pkey) has no name of
 * its own in the model: PostgreSQL gives it that name again, and another
 * engine keeps its own way of naming it, which comes back so too. */
static void pr_key_name(invs_key *key, const char *table)
{
    invs_strbuf gen;
    pg_sb_init(&gen);
    pg_key_default_name(&gen, table, key);
    if (!invs_sb_failed(&gen) && key->name && !strcmp(gen.p, key->name) && gen.len < 64)
        key->name = NULL;
    invs_sb_free(&gen);
}

/* Rows of (oid, ...) grouped into keys: consecutive rows with one oid. */
static int pr_keys(pg_reader *rd, invs_table *t, size_t *cap)
{
    const char *params[1] = {rd->oid};
    PGresult *r = pg_query(rd->c, sql_keys, 1, params);
    invs_key *keys = NULL;
    int i, n;
    if (!r)
        return rd->c->failed;
    n = PQntuples(r);
    *cap = 0;
    for (i = 0; i < n;) {
        int j = i, k;
        invs_key *key;
        const char **cols, **refs;
        char type = val(r, i, 2)[0];
        while (j < n && !strcmp(val(r, j, 0), val(r, i, 0)))
            j++;
        if (!(keys = invs_pool_grow(&rd->pl, keys, t->nkeys, cap, sizeof(*keys))))
            break;
        key = &keys[t->nkeys++];
        memset(key, 0, sizeof(*key));
        key->kind = type == 'p' ? INVS_KEY_PRIMARY : type == 'u' ? INVS_KEY_UNIQUE : INVS_KEY_FOREIGN;
        key->name = invs_pool_str(&rd->pl, val(r, i, 1));
        key->ncols = (size_t)(j - i);
        cols = invs_pool_alloc(&rd->pl, key->ncols * sizeof(*cols));
        refs = invs_pool_alloc(&rd->pl, key->ncols * sizeof(*refs));
        if (!cols || !refs)
            break;
        for (k = i; k < j; k++) {
            cols[k - i] = invs_pool_str(&rd->pl, val(r, k, 8));
            refs[k - i] = invs_pool_str(&rd->pl, val(r, k, 9));
        }
        key->cols = cols;
        if (type == 'f') {
            key->ref_cols = refs;
            key->ref_table = invs_pool_str(&rd->pl, val(r, i, 7));
        }
        pr_key_name(key, t->name);
        if (type == 'f') {
            key->ref_cols = refs;
            key->ref_table = invs_pool_str(&rd->pl, val(r, i, 7));
            key->on_update = action_name(val(r, i, 5)[0]);
            key->on_delete = action_name(val(r, i, 6)[0]);
            if (val(r, i, 3)[0] == 't')
                key->flags |= INVS_KEYF_DEFERRABLE;
            if (val(r, i, 4)[0] == 't')
                key->flags |= INVS_KEYF_DEFERRED;
        }
        i = j;
    }
    t->keys = keys;
    PQclear(r);
    return invs_pool_failed(&rd->pl) ? INVS_ENOMEM : INVS_OK;
}

static int pr_indexes(pg_reader *rd, invs_table *t, size_t *cap)
{
    const char *params[1] = {rd->oid};
    PGresult *r = pg_query(rd->c, sql_indexes, 1, params);
    invs_key *keys = (invs_key *)t->keys;
    int i, n;
    if (!r)
        return rd->c->failed;
    n = PQntuples(r);
    for (i = 0; i < n;) {
        int j = i, k;
        invs_key *key;
        const char **cols;
        while (j < n && !strcmp(val(r, j, 0), val(r, i, 0)))
            j++;
        if (!(keys = invs_pool_grow(&rd->pl, keys, t->nkeys, cap, sizeof(*keys))))
            break;
        key = &keys[t->nkeys++];
        memset(key, 0, sizeof(*key));
        key->kind = INVS_KEY_INDEX;
        key->name = invs_pool_str(&rd->pl, val(r, i, 1));
        if (val(r, i, 2)[0] == 't')
            key->flags |= INVS_KEYF_UNIQUE;
        key->ncols = (size_t)(j - i);
        if (!(cols = invs_pool_alloc(&rd->pl, key->ncols * sizeof(*cols))))
            break;
        for (k = i; k < j; k++)
            cols[k - i] = invs_pool_str(&rd->pl, val(r, k, 3));
        key->cols = cols;
        i = j;
    }
    t->keys = keys;
    PQclear(r);
    return invs_pool_failed(&rd->pl) ? INVS_ENOMEM : INVS_OK;
}

/* The sequence behind each identity or serial column, and where it stands. */
static int pr_sequences(pg_reader *rd, invs_table *t)
{
    invs_sequence *seqs = NULL;
    size_t i, cap = 0;
    invs_strbuf qt;
    int rc = INVS_OK;

    pg_sb_init(&qt);
    pg_qualified(&qt, rd->c, t);
    if ((rc = pg_sb_ok(rd->c, &qt)) != INVS_OK)
        return rc;
    for (i = 0; i < t->ncols && rc == INVS_OK; i++) {
        const char *params[2] = {qt.p, t->cols[i].name};
        PGresult *r, *pos;
        invs_strbuf q;
        const char *seq;
        if (!(t->cols[i].flags & INVS_COL_IDENTITY) &&
            !(t->cols[i].default_expr && strstr(t->cols[i].default_expr, "nextval(")))
            continue;
        if (!(r = pg_query(rd->c, "SELECT pg_get_serial_sequence($1, $2)", 2, params))) {
            rc = rd->c->failed;
            break;
        }
        pg_sb_init(&q);
        invs_sb_puts(&q, "SELECT last_value, is_called FROM ");
        /* the column's own sequence, else the one its default names */
        if ((seq = val(r, 0, 0)))
            invs_sb_puts(&q, seq);
        else if (pg_nextval_sequence(&q, t->cols[i].default_expr) && !invs_sb_failed(&q))
            seq = q.p + strlen("SELECT last_value, is_called FROM ");
        if (!seq) {
            invs_sb_free(&q);
            PQclear(r);
            continue;
        }
        if ((rc = pg_sb_ok(rd->c, &q)) == INVS_OK && (pos = pg_query(rd->c, q.p, 0, NULL))) {
            invs_sequence *s;
            if ((seqs = invs_pool_grow(&rd->pl, seqs, t->nseqs, &cap, sizeof(*seqs)))) {
                s = &seqs[t->nseqs++];
                memset(s, 0, sizeof(*s));
                s->column = t->cols[i].name;
                s->name = invs_pool_str(&rd->pl, seq);
                s->value = strtoll(val(pos, 0, 0), NULL, 10);
                s->is_called = val(pos, 0, 1)[0] == 't';
                if (!val(r, 0, 0))
                    s->flags = INVS_SEQ_NOT_OWNED;
            }
            PQclear(pos);
        } else if (rc == INVS_OK) {
            rc = rd->c->failed;
        }
        invs_sb_free(&q);
        PQclear(r);
    }
    invs_sb_free(&qt);
    t->seqs = seqs;
    if (rc == INVS_OK && invs_pool_failed(&rd->pl))
        rc = INVS_ENOMEM;
    return rc;
}

static int pr_count(pg_reader *rd, invs_table *t)
{
    invs_strbuf q;
    PGresult *r;
    int rc;
    pg_sb_init(&q);
    invs_sb_puts(&q, "SELECT count(*) FROM ONLY ");
    pg_qualified(&q, rd->c, t);
    if ((rc = pg_sb_ok(rd->c, &q)) == INVS_OK) {
        if ((r = pg_query(rd->c, q.p, 0, NULL))) {
            t->row_count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            PQclear(r);
        } else {
            rc = rd->c->failed;
        }
    }
    invs_sb_free(&q);
    return rc;
}

static int pr_table(pg_reader *rd, invs_table *t)
{
    size_t cap = 0;
    int rc;
    if ((rc = pr_columns(rd, t)) != INVS_OK || (rc = pr_keys(rd, t, &cap)) != INVS_OK ||
        (rc = pr_indexes(rd, t, &cap)) != INVS_OK || (rc = pr_sequences(rd, t)) != INVS_OK ||
        (rc = pg_schema_ext_read(rd->c, &rd->pl, rd->oid, t)) != INVS_OK)
        return rc;
    /* the count is for a pull's progress and row-count check; a push
     * (and its proof) has no use for a scan of every table */
    t->row_count = -1;
    return rd->c->reading ? pr_count(rd, t) : INVS_OK;
}

int pg_schema_read(invs_drv_conn *conn, invs_emit_table_fn emit, void *payload)
{
    pg_reader rd;
    size_t si;
    int rc = INVS_OK;

    memset(&rd, 0, sizeof(rd));
    rd.c = conn;
    invs_pool_init(&rd.pl, pg_host->realloc, pg_host->free);
    for (si = 0; si < rd.c->nschemas && rc == INVS_OK; si++) {
        const char *params[1] = {rd.c->schemas[si]};
        PGresult *tabs = pg_query(rd.c, sql_tables, 1, params);
        int i;
        if (!tabs)
            return rd.c->failed;
        if (PQntuples(tabs) == 0 && rd.c->reading)
            pg_host->log(rd.c->s, INVS_LOG_WARN, "schema %s has no tables", rd.c->schemas[si]);
        for (i = 0; i < PQntuples(tabs) && rc == INVS_OK; i++) {
            invs_table t;
            memset(&t, 0, sizeof(t));
            t.struct_size = sizeof(t);
            t.schema = rd.c->schemas[si];
            t.name = invs_pool_str(&rd.pl, val(tabs, i, 1));
            t.engine = "postgres";
            t.row_count = -1;
            snprintf(rd.oid, sizeof(rd.oid), "%s", val(tabs, i, 0));
            rc = pr_table(&rd, &t);
            if (rc == INVS_ENOMEM)
                pg_host->error(rd.c->s, rc, NULL, 0, "out of memory");
            if (rc == INVS_OK)
                rc = emit(&t, payload);
            invs_pool_free(&rd.pl);
        }
        PQclear(tabs);
    }
    return rc;
}

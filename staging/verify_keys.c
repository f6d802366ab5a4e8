/*
 * verify, the integrity pass: questions asked of a table's data in SQL,
 * each finding with its count and first keys. Nothing is changed.
 *
 *   pk-null, pk-duplicate, unique-duplicate, fk-orphan, fk-table-missing
 *   (a foreign key to a table pull left out), not-null,
 *   not-a-number (text or blobs in numeric columns), not-an-integer (a
 *   real with a fraction in an integer column), not-a-boolean (what
 *   core/convert.c cannot make one of), not-json, out-of-range (int16,
 *   int32), too-long (text(n) in characters), impossible-date,
 *   decimal-overflow, decimal-rounded (against the column's decimal(p,s),
 *   or the one a target without unconstrained decimals stores it as),
 *   decimal-precision (a decimal(p,s) beyond the target's decimal_max or
 *   decimal_scale_max), time-range (a time that is no time of day, for a
 *   target whose time is one), row-count (stage vs source), and
 *   what the target's driver says it cannot store (invs_limits):
 *   identifier-too-long (PostgreSQL's 63 bytes, MySQL's 64 characters),
 *   case-collision and space-collision (unique text that is one key under
 *   the target's collations: MySQL's default ones ignore case and accents,
 *   nearly all ignore trailing spaces) and utf8mb3-4byte
 *   (characters beyond the BMP in a column of a charset that has none);
 *   zero-date (zero and partial dates a source flagged as its own) and
 *   enum-empty ('' in an enum that has no such label); timestamp-offset (a
 *   date and time with a UTC offset in a column without a time zone, whose
 *   offset a typed target drops); untyped-value (a number or blob in a
 *   column without a type, which a typed target turns into text).
 */
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "profile.h"
#include "verify.h"

#define FIRST_KEYS 5

/* SQL for a row's key as messages name it: invs_row_key(rowid, pk...). */
static void keys_expr(invs_strbuf *sb, const invs_table *t, const char *alias)
{
    const invs_key *pk = invs_schema_primary_key(t);
    size_t k;
    invs_sb_printf(sb, "invs_row_key(%s.rowid", alias);
    for (k = 0; pk && k < pk->ncols; k++)
        invs_sb_printf(sb, ", %s.c%ld", alias, invs_schema_column(t, pk->cols[k]));
    invs_sb_puts(sb, ")");
}

/* Run a query returning (key, count) rows; sum the counts, keep the first
 * keys, report when there is anything. */
static int keys_ask(invs_verify_run *v, const invs_table *t, const char *sql, const char *check,
                    int error, const char *column, const char *detail)
{
    sqlite3_stmt *s = NULL;
    invs_strbuf keys;
    int64_t total = 0, n = 0;
    int rc = INVS_OK, step;

    invs_sb_init_std(&keys);
    if (sqlite3_prepare_v2(v->st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(v->st, INVS_ECORRUPT, check);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        total += sqlite3_column_int64(s, 1);
        if (n++ < FIRST_KEYS)
            invs_sb_printf(&keys, "%s%s", keys.len ? ", " : "",
                           (const char *)sqlite3_column_text(s, 0));
    }
    if (step != SQLITE_DONE)
        rc = invs_stage_sqlerr(v->st, INVS_ECORRUPT, check);
    else if (invs_sb_failed(&keys))
        rc = invs_diag_oom(&v->st->diag);
    else if (total)
        rc = invs_verify_report(v, check, error, t->name, column, total, keys.p, detail);
    sqlite3_finalize(s);
    invs_sb_free(&keys);
    return rc;
}

/* Rows of t matching `where` (over columns cN of alias d), after `join`.
 * Inside keys_columns, a question without a join joins the table's batch
 * (verify_batch.c: one scan for all); one with a join first lets the
 * batch answer, so the findings keep their order. */
static int keys_rows_join(invs_verify_run *v, const invs_stage_table *st, const char *join,
                          const char *where, const char *check, int error, const char *column,
                          const char *detail)
{
    invs_strbuf sql;
    int rc;
    if (v->batch && !*join)
        return invs_verify_batch_add(v, where, check, error, column, detail);
    if (v->batch && (rc = invs_verify_batch_flush(v)) != INVS_OK)
        return rc;
    v->rows_read += st->rows;
    invs_sb_init_std(&sql);
    invs_sb_puts(&sql, "SELECT ");
    keys_expr(&sql, &st->schema->t, "d");
    invs_sb_printf(&sql, ", 1 FROM invs_data_%lld AS d %s WHERE %s", (long long)st->tid, join,
                   where);
    rc = invs_sb_failed(&sql) ? invs_diag_oom(&v->st->diag)
                              : keys_ask(v, &st->schema->t, sql.p, check, error, column, detail);
    invs_sb_free(&sql);
    return rc;
}

static int keys_rows(invs_verify_run *v, const invs_stage_table *st, const char *where,
                     const char *check, int error, const char *column, const char *detail)
{
    return keys_rows_join(v, st, "", where, check, error, column, detail);
}

/* What pull saw of column i's values, where it still describes them
 * (profile.h); NULL: the question must be asked of the rows. */
static const invs_col_profile *keys_pf(const invs_stage_table *st, long i)
{
    return st->profile && i >= 0 ? &st->profile[i] : NULL;
}

/* Groups of rows sharing a key's values (NULLs are pk-null's business, and
 * never equal in a unique key). */
static int keys_duplicates(invs_verify_run *v, const invs_stage_table *st, const invs_key *k,
                           int primary)
{
    const invs_table *t = &st->schema->t;
    invs_strbuf sql, cols, label;
    size_t i;
    int rc;

    /* a column that only ever grew, as pulled, repeats no value */
    if (k->ncols == 1 && keys_pf(st, invs_schema_column(t, k->cols[0])) &&
        keys_pf(st, invs_schema_column(t, k->cols[0]))->increasing)
        return INVS_OK;
    v->rows_read += st->rows;
    invs_sb_init_std(&sql);
    invs_sb_init_std(&cols);
    invs_sb_init_std(&label);
    for (i = 0; i < k->ncols; i++) {
        invs_sb_printf(&cols, "%sc%ld", i ? ", " : "", invs_schema_column(t, k->cols[i]));
        invs_sb_printf(&label, "%s%s", i ? ", " : "", k->cols[i]);
    }
    invs_sb_puts(&sql, "SELECT ");
    {
        invs_strbuf lit;
        invs_sb_init_std(&lit);
        invs_sb_printf(&lit, "(%s)=(", label.p ? label.p : "");
        invs_sb_literal(&sql, lit.p ? lit.p : "");
        invs_sb_free(&lit);
    }
    for (i = 0; i < k->ncols; i++)
        invs_sb_printf(&sql, "%s || quote(c%ld)", i ? " || ', '" : "",
                       invs_schema_column(t, k->cols[i]));
    invs_sb_printf(&sql, " || ')', count(*) FROM invs_data_%lld WHERE ", (long long)st->tid);
    for (i = 0; i < k->ncols; i++)
        invs_sb_printf(&sql, "%sc%ld IS NOT NULL", i ? " AND " : "",
                       invs_schema_column(t, k->cols[i]));
    invs_sb_printf(&sql, " GROUP BY %s HAVING count(*) > 1", cols.p ? cols.p : "");
    rc = invs_sb_failed(&sql) ? invs_diag_oom(&v->st->diag)
                              : keys_ask(v, t, sql.p, primary ? "pk-duplicate" : "unique-duplicate",
                                         1, label.p,
                                         primary ? "rows share a primary key value"
                                                 : "rows share the value of a unique key");
    invs_sb_free(&sql);
    invs_sb_free(&cols);
    invs_sb_free(&label);
    return rc;
}

/* A one-column key whose parent values, as pulled, are every integer from
 * their least to their greatest, once each, and whose child values are
 * integers between the two: no child can miss its parent. */
static int keys_no_orphans(const invs_stage_table *st, const invs_stage_table *parent,
                           const invs_key *k)
{
    const invs_col_profile *c, *p;
    if (k->ncols != 1 ||
        !(c = keys_pf(st, invs_schema_column(&st->schema->t, k->cols[0]))) ||
        !(p = keys_pf(parent, invs_schema_column(&parent->schema->t, k->ref_cols[0]))))
        return 0;
    if (!p->increasing || !p->ints || p->ints != parent->rows ||
        (uint64_t)p->imax - (uint64_t)p->imin + 1 != (uint64_t)p->ints)
        return 0;
    return !c->reals && !c->texts && !c->blobs &&
           (!c->ints || (c->imin >= p->imin && c->imax <= p->imax));
}

static const invs_stage_table *keys_table(invs_verify_run *v, const char *name)
{
    size_t i;
    for (i = 0; i < v->st->ntables; i++)
        if (!strcmp(v->st->tables[i].schema->t.name, name))
            return &v->st->tables[i];
    return NULL;
}

/* Child rows whose key has no parent row in the stage: a LEFT JOIN, for
 * which SQLite builds an automatic index on the parent's key (a NOT EXISTS
 * subquery scanned the parent once per child row). */
static int keys_orphans(invs_verify_run *v, const invs_stage_table *st, const invs_key *k)
{
    const invs_table *t = &st->schema->t;
    const invs_stage_table *parent = keys_table(v, k->ref_table);
    invs_strbuf where, join, label, detail;
    size_t i;
    int rc;

    invs_sb_init_std(&where);
    invs_sb_init_std(&join);
    invs_sb_init_std(&label);
    invs_sb_init_std(&detail);
    for (i = 0; i < k->ncols; i++)
        invs_sb_printf(&where, "%sd.c%ld IS NOT NULL", i ? " AND " : "",
                       invs_schema_column(t, k->cols[i]));
    if (!parent) { /* pull --exclude left it out: rows that need it cannot go */
        /* unless the target holds it (an import onto what `migrate` made
         * refers to its content types): push leaves those rows be, and the
         * target checks the keys as it loads */
        int theirs = invs_schema_list_find(&v->target_tables, k->ref_table) != NULL;
        for (i = 0; i < k->ncols; i++)
            invs_sb_printf(&label, "%s%s", i ? ", " : "", k->cols[i]);
        if (theirs)
            invs_sb_printf(&detail,
                           "the foreign key%s%s references %s, which is not in the stage but "
                           "is in the target: these rows need parents among the target's own "
                           "rows of it, which push keeps, and the target checks them as it "
                           "loads",
                           k->name ? " " : "", k->name ? k->name : "", k->ref_table);
        else
            invs_sb_printf(&detail,
                           "the foreign key%s%s references %s, which is not in the stage: push "
                           "refuses these rows unless the target holds their parents; pull %s "
                           "too, or pull with --drop-dangling-fks to leave the key out",
                           k->name ? " " : "", k->name ? k->name : "", k->ref_table,
                           k->ref_table);
        rc = invs_sb_failed(&where) || invs_sb_failed(&label) || invs_sb_failed(&detail)
                 ? invs_diag_oom(&v->st->diag)
                 : keys_rows(v, st, where.p, "fk-table-missing", !theirs, label.p, detail.p);
        goto out;
    }
    if (keys_no_orphans(st, parent, k)) {
        rc = INVS_OK;
        goto out;
    }
    invs_sb_puts(&where, " AND p.rowid IS NULL");
    invs_sb_printf(&join, "LEFT JOIN invs_data_%lld AS p ON ", (long long)parent->tid);
    for (i = 0; i < k->ncols; i++) {
        long pc = invs_schema_column(&parent->schema->t, k->ref_cols[i]);
        if (pc < 0) {
            rc = invs_verify_report(v, "fk-broken", 1, t->name, k->cols[i], 1, NULL,
                                    "the foreign key names a column its parent does not have");
            goto out;
        }
        invs_sb_printf(&join, "%sp.c%ld = d.c%ld", i ? " AND " : "", pc,
                       invs_schema_column(t, k->cols[i]));
        invs_sb_printf(&label, "%s%s", i ? ", " : "", k->cols[i]);
    }
    invs_sb_printf(&detail, "no row in %s has this value", k->ref_table);
    rc = invs_sb_failed(&where) || invs_sb_failed(&join) || invs_sb_failed(&label) ||
                 invs_sb_failed(&detail)
             ? invs_diag_oom(&v->st->diag)
             : keys_rows_join(v, st, join.p, where.p, "fk-orphan", 1, label.p, detail.p);
out:
    invs_sb_free(&join);
    invs_sb_free(&where);
    invs_sb_free(&label);
    invs_sb_free(&detail);
    return rc;
}

static size_t keys_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A table or column name longer than the target takes, or empty where it
 * takes none. */
/* A finding about table (and column) that asks no rows: in the batch's
 * order while keys_columns gathers one. */
static int keys_report(invs_verify_run *v, const char *check, int error, const char *table,
                       const char *column, const char *detail)
{
    return v->batch ? invs_verify_batch_found(v, check, error, column, 1, detail)
                    : invs_verify_report(v, check, error, table, column, 1, NULL, detail);
}

static int keys_name(invs_verify_run *v, const char *table, const char *column)
{
    const invs_limits *l = v->lim;
    const char *name = column ? column : table;
    char detail[160];
    size_t n = l->ident_unit == INVS_UNIT_CHARS ? keys_chars(name) : strlen(name);
    if (!*name && (l->flags & INVS_LIM_NO_EMPTY_NAME)) {
        snprintf(detail, sizeof(detail), "%s takes no empty name", invs_verify_engine(v));
        return keys_report(v, "empty-name", 1, table, column, detail);
    }
    if (!l->ident_max || n <= l->ident_max)
        return INVS_OK;
    snprintf(detail, sizeof(detail), "%s names are at most %u %s", invs_verify_engine(v),
             l->ident_max, l->ident_unit == INVS_UNIT_CHARS ? "characters" : "bytes");
    return keys_report(v, "identifier-too-long", 1, table, column, detail);
}

#define FOLD_PAD 1  /* trailing spaces are padding (MySQL's PAD SPACE) */
#define FOLD_CASE 2 /* case and accents are folded (a _ci collation) */

/* How a target whose unique text keys ignore case (INVS_LIM_CI_UNIQUE:
 * MySQL's) compares column c of table t: by the collation of the target's
 * own column where it has the table, the column's own where the table is
 * the target engine's (no collation: the charset's default, a _ci one),
 * else the binary one push creates it with. A _bin or _cs collation keeps
 * case; all but the nopad ones (and MySQL 8's _0900_ ones) ignore
 * trailing spaces. */
static int keys_fold_mode(const invs_verify_run *v, const invs_table *t, const invs_column *c)
{
    const invs_schema_table *tt = invs_schema_list_find(&v->target_tables, t->name);
    long k = tt ? invs_schema_column(&tt->t, c->name) : -1;
    const invs_column *to = k >= 0 ? &tt->t.cols[k] : c;
    const char *coll = to->collation;
    int mode = FOLD_PAD;
    if (to->canon != INVS_T_TEXT && to->canon != INVS_T_CHAR && to->canon != INVS_T_ANY)
        return 0;
    if (k < 0 && (!t->engine || strcmp(t->engine, v->target) != 0))
        return FOLD_PAD; /* created from another engine: binary */
    if (!coll || (strstr(coll, "_ci") && !strstr(coll, "_bin")))
        mode |= FOLD_CASE;
    if (coll && (strstr(coll, "nopad") || strstr(coll, "_0900_"))) /* MySQL 8's UCA 9 ones */
        mode &= ~FOLD_PAD;
    return mode;
}

/* Unique values that are one key under the target's collations: differing
 * only in case or accents (É, é, e) where a column ignores them, or only
 * in trailing spaces: its key refuses the second. Keys of several
 * columns compare column by column. */
static int keys_case_collisions(invs_verify_run *v, const invs_stage_table *st, const invs_key *k)
{
    const invs_table *t = &st->schema->t;
    invs_strbuf sql, cols, fold, tuple, label;
    char detail[200];
    size_t i;
    int any = 0, cased = 0, rc = INVS_OK;

    invs_sb_init_std(&sql);
    invs_sb_init_std(&cols);
    invs_sb_init_std(&fold);
    invs_sb_init_std(&tuple);
    invs_sb_init_std(&label);
    for (i = 0; i < k->ncols; i++) {
        long c = invs_schema_column(t, k->cols[i]);
        int mode = c >= 0 ? keys_fold_mode(v, t, &t->cols[c]) : 0;
        any |= mode;
        cased |= mode & FOLD_CASE;
        invs_sb_printf(&cols, "%sc%ld", i ? ", " : "", c);
        invs_sb_printf(&fold, "%sinvs_fold(c%ld, %d)", i ? ", " : "", c, mode);
        invs_sb_printf(&tuple, "%squote(c%ld)", i ? " || ', ' || " : "", c);
        invs_sb_printf(&label, "%s%s", i ? ", " : "", k->cols[i]);
    }
    invs_sb_printf(&sql, "SELECT group_concat(%s%s%s, ' = '), count(*) FROM (SELECT DISTINCT %s"
                         " FROM invs_data_%lld WHERE ",
                   k->ncols > 1 ? "'(' || " : "", tuple.p ? tuple.p : "",
                   k->ncols > 1 ? " || ')'" : "", cols.p ? cols.p : "", (long long)st->tid);
    for (i = 0; i < k->ncols; i++)
        invs_sb_printf(&sql, "%sc%ld IS NOT NULL", i ? " AND " : "",
                       invs_schema_column(t, k->cols[i]));
    invs_sb_printf(&sql, ") GROUP BY %s HAVING count(*) > 1", fold.p ? fold.p : "");
    if (cased)
        snprintf(detail, sizeof(detail), "values that differ only in case, accents or trailing "
                                         "spaces: one key under %s's case-insensitive collations",
                 invs_verify_engine(v));
    else
        snprintf(detail, sizeof(detail), "values that differ only in trailing spaces: one key "
                                         "under %s's collations, which pad",
                 invs_verify_engine(v));
    if (invs_sb_failed(&sql) || invs_sb_failed(&cols) || invs_sb_failed(&fold) ||
        invs_sb_failed(&tuple) || invs_sb_failed(&label))
        rc = invs_diag_oom(&v->st->diag);
    else if (any)
        rc = keys_ask(v, t, sql.p, cased ? "case-collision" : "space-collision", 1, label.p,
                      detail);
    invs_sb_free(&sql);
    invs_sb_free(&cols);
    invs_sb_free(&fold);
    invs_sb_free(&tuple);
    invs_sb_free(&label);
    return rc;
}

static int keys_numeric(int canon)
{
    return (canon >= INVS_T_INT16 && canon <= INVS_T_DECIMAL) || canon == INVS_T_NUMERIC;
}

/* One column check: rows of column i matching a condition. */
typedef int (*keys_column_fn)(invs_verify_run *v, const invs_stage_table *st, size_t i);

static int keys_in_pk(const invs_table *t, const char *name)
{
    const invs_key *pk = invs_schema_primary_key(t);
    size_t k;
    for (k = 0; pk && k < pk->ncols; k++)
        if (!strcmp(pk->cols[k], name))
            return 1;
    return 0;
}

static int keys_nulls(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[64];
    if (keys_pf(st, (long)i) && !keys_pf(st, (long)i)->nulls)
        return INVS_OK;
    snprintf(where, sizeof(where), "d.c%zu IS NULL", i);
    if (keys_in_pk(&st->schema->t, c->name))
        return keys_rows(v, st, where, "pk-null", 1, c->name, "a primary key column is NULL");
    if (c->flags & INVS_COL_NOT_NULL)
        return keys_rows(v, st, where, "not-null", 1, c->name, "NULL in a NOT NULL column");
    return INVS_OK;
}

static int keys_numbers(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[256], detail[160];
    const invs_col_profile *pf = keys_pf(st, (long)i);
    if (!keys_numeric(c->canon) || (pf && !pf->blobs && !pf->tnonnum))
        return INVS_OK;
    snprintf(where, sizeof(where),
             "typeof(d.c%zu) = 'blob' OR (typeof(d.c%zu) = 'text' AND NOT invs_is_number(d.c%zu))",
             i, i, i);
    snprintf(detail, sizeof(detail), "not a number, in a column of type %s (%s)",
             invs_canon_name(c->canon), c->decl);
    return keys_rows(v, st, where, "not-a-number", v->typed, c->name, detail);
}

/* Reals with a fraction (or beyond 64 bits) in an integer column: a typed
 * target rounds them (MySQL: 3.5 is 4) or refuses them (PostgreSQL). */
static int keys_integers(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[128], detail[160];
    if (c->canon < INVS_T_INT16 || c->canon > INVS_T_UINT64 ||
        (keys_pf(st, (long)i) && !keys_pf(st, (long)i)->rfrac))
        return INVS_OK;
    snprintf(where, sizeof(where), "typeof(d.c%zu) = 'real' AND d.c%zu <> CAST(d.c%zu AS INTEGER)",
             i, i, i);
    snprintf(detail, sizeof(detail),
             "a real that is no integer, in a column of type %s (%s): a typed target rounds or "
             "refuses it",
             invs_canon_name(c->canon), c->decl);
    return keys_rows(v, st, where, "not-an-integer", v->typed, c->name, detail);
}

static int keys_bools(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    const invs_col_profile *pf;
    char where[64], detail[160];
    if (c->canon != INVS_T_BOOL)
        return INVS_OK;
    if ((pf = keys_pf(st, (long)i)) && !pf->reals && !pf->texts && !pf->blobs &&
        (!pf->ints || (pf->imin >= 0 && pf->imax <= 1)))
        return INVS_OK; /* NULL, 0 and 1 are booleans */
    snprintf(where, sizeof(where), "NOT invs_bool_ok(d.c%zu)", i);
    snprintf(detail, sizeof(detail), "not a boolean (%s): a typed target refuses it", c->decl);
    return keys_rows(v, st, where, "not-a-boolean", v->typed, c->name, detail);
}

static int keys_json(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[256], detail[160];
    if (c->canon != INVS_T_JSON)
        return INVS_OK;
    snprintf(where, sizeof(where),
             "d.c%zu IS NOT NULL AND (typeof(d.c%zu) <> 'text' OR NOT json_valid(d.c%zu))", i, i,
             i);
    snprintf(detail, sizeof(detail), "not JSON (%s): a typed target refuses it", c->decl);
    return keys_rows(v, st, where, "not-json", v->typed, c->name, detail);
}

static int keys_range(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[256], detail[160];
    const invs_col_profile *pf = keys_pf(st, (long)i);
    long long lim = c->canon == INVS_T_INT16 ? 32767LL : 2147483647LL;
    if (c->canon != INVS_T_INT16 && c->canon != INVS_T_INT32)
        return INVS_OK;
    if (pf && (!pf->ints || (pf->imin >= -lim - 1 && pf->imax <= lim)) &&
        (!pf->reals || (pf->rmin >= (double)(-lim - 1) && pf->rmax <= (double)lim)))
        return INVS_OK;
    snprintf(where, sizeof(where),
             "typeof(d.c%zu) IN ('integer', 'real') AND (d.c%zu > %lld OR d.c%zu < %lld)", i, i,
             lim, i, -lim - 1);
    snprintf(detail, sizeof(detail), "does not fit %s (%s)", invs_canon_name(c->canon), c->decl);
    return keys_rows(v, st, where, "out-of-range", v->typed, c->name, detail);
}

static int keys_length(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[128], detail[160];
    if ((c->canon != INVS_T_TEXT && c->canon != INVS_T_CHAR) || c->length <= 0 ||
        (keys_pf(st, (long)i) && keys_pf(st, (long)i)->tchars <= c->length))
        return INVS_OK;
    snprintf(where, sizeof(where), "typeof(d.c%zu) = 'text' AND length(d.c%zu) > %d", i, i,
             c->length);
    snprintf(detail, sizeof(detail), "longer than %d characters (%s)", c->length, c->decl);
    return keys_rows(v, st, where, "too-long", v->typed, c->name, detail);
}

/* Every cell of column i NULL or a plain date (date_only) or date and
 * time without a zone, by pull's record: no impossible date, no offset. */
static int keys_plain_dates(const invs_stage_table *st, size_t i, int date_only)
{
    const invs_col_profile *pf = keys_pf(st, (long)i);
    return pf && pf->tdate >= 0 && !pf->ints && !pf->reals && !pf->blobs &&
           pf->texts == pf->tdate + (date_only ? 0 : pf->tstamp);
}

static int keys_dates(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    const invs_limits *l = v->lim;
    char where[256], detail[256], years[96] = "";
    if (c->canon != INVS_T_DATE && c->canon != INVS_T_TIMESTAMP && c->canon != INVS_T_TIMESTAMPTZ)
        return INVS_OK;
    if (keys_plain_dates(st, i, c->canon == INVS_T_DATE) &&
        (!(l->year_min || l->year_max) || !keys_pf(st, (long)i)->texts ||
         (keys_pf(st, (long)i)->ymin >= l->year_min && keys_pf(st, (long)i)->ymax <= l->year_max)))
        return INVS_OK;
    snprintf(where, sizeof(where),
             "d.c%zu IS NOT NULL AND (typeof(d.c%zu) <> 'text' OR NOT invs_date_ok(d.c%zu, %d, "
             "%d, %d, %u))",
             i, i, i, c->canon != INVS_T_DATE, l->year_min, l->year_max, l->flags);
    if (l->year_min || l->year_max)
        snprintf(years, sizeof(years), ", or a year outside %s's %d-%d", invs_verify_engine(v),
                 l->year_min, l->year_max);
    snprintf(detail, sizeof(detail),
             "not a possible %s (%s): e.g. 0000-00-00, 2026-02-30, a number%s",
             invs_canon_name(c->canon), c->decl, years);
    return keys_rows(v, st, where, "impossible-date", v->typed, c->name, detail);
}

/* The decimal scale the target takes at most; 0: no limit of its own. */
static int keys_scale_max(const invs_limits *l)
{
    return INVS_HAS(l, invs_limits, decimal_scale_max) ? l->decimal_scale_max : 0;
}

/* Will push create table t (the target does not have it)? Only then do
 * the stage's declarations decide the target's types. */
static int keys_created(const invs_verify_run *v, const invs_table *t)
{
    return !invs_schema_list_find(&v->target_tables, t->name);
}

/* A decimal(p,s) the target cannot declare: push could not create it. */
static int keys_decimal_limit(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    int pmax = v->lim->decimal_max, smax = keys_scale_max(v->lim);
    char detail[256], scale[40] = "";
    if (c->canon != INVS_T_DECIMAL || c->precision <= 0 || !keys_created(v, &st->schema->t) ||
        ((!pmax || c->precision <= pmax) && (!smax || c->scale <= smax)))
        return INVS_OK;
    if (smax)
        snprintf(scale, sizeof(scale), ", scale at most %d", smax);
    snprintf(detail, sizeof(detail),
             "%s (decimal(%d,%d)) is beyond %s's decimals (precision at most %d%s): push "
             "cannot create the column",
             c->decl, c->precision, c->scale > 0 ? c->scale : 0, invs_verify_engine(v), pmax,
             scale);
    return keys_report(v, "decimal-precision", v->typed, st->schema->t.name, c->name, detail);
}

/* Values beyond the decimal(p,s) they go into: the column's own, or the
 * one a target without unconstrained decimals stores the column as. */
static int keys_decimals(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    const invs_limits *l = v->lim;
    const invs_col_profile *pf;
    int p = c->precision, sc = c->scale > 0 ? c->scale : 0, rc;
    char where[128], detail[256], as[160] = "";
    if ((c->canon != INVS_T_DECIMAL && c->canon != INVS_T_NUMERIC) ||
        (c->canon == INVS_T_NUMERIC && p <= 0 && !(l->flags & INVS_LIM_DECIMAL_BOUNDED)))
        return INVS_OK;
    if (p <= 0) {
        if (!(l->flags & INVS_LIM_DECIMAL_BOUNDED) || l->decimal_max <= 0 ||
            !keys_created(v, &st->schema->t))
            return INVS_OK;
        p = l->decimal_max;
        sc = keys_scale_max(l);
        snprintf(as, sizeof(as), ": %s has no decimal without a precision, and stores this "
                                 "column as decimal(%d,%d)",
                 invs_verify_engine(v), p, sc);
    }
    if ((pf = keys_pf(st, (long)i)) && pf->dints >= 0 && pf->dints <= p - sc && pf->dfrac <= sc)
        return INVS_OK;
    snprintf(where, sizeof(where), "invs_decimal_fit(d.c%zu, %d, %d) = 1", i, p, sc);
    snprintf(detail, sizeof(detail), "more than %d digits before the point (%s)%s", p - sc,
             c->decl, as);
    if ((rc = keys_rows(v, st, where, "decimal-overflow", v->typed, c->name, detail)) != INVS_OK)
        return rc;
    snprintf(where, sizeof(where), "invs_decimal_fit(d.c%zu, %d, %d) = 2", i, p, sc);
    snprintf(detail, sizeof(detail), "more than %d decimals (%s)%s: a typed target rounds them",
             sc, c->decl, as);
    return keys_rows(v, st, where, "decimal-rounded", v->typed, c->name, detail);
}

/* Column i's canonical type in the target: the target's own column where
 * it has the table, else the stage's (push creates it so). */
static int keys_target_canon(const invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_schema_table *tt = invs_schema_list_find(&v->target_tables, st->schema->t.name);
    long k = tt ? invs_schema_column(&tt->t, st->schema->t.cols[i].name) : -1;
    return k >= 0 ? tt->t.cols[k].canon : st->schema->t.cols[i].canon;
}

/* Times that are no time of day (MySQL's -838:59:59..838:59:59) for a
 * target whose time is one. */
static int keys_times(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[64], detail[256];
    if (c->canon != INVS_T_TIME || !(v->lim->flags & INVS_LIM_TIME_OF_DAY) ||
        (keys_target_canon(v, st, i) != INVS_T_TIME && keys_target_canon(v, st, i) != INVS_T_TIMETZ))
        return INVS_OK;
    snprintf(where, sizeof(where), "invs_time_beyond_day(d.c%zu)", i);
    snprintf(detail, sizeof(detail),
             "not a time of day (%s): %s's time holds 00:00:00 to 24:00:00, no negative or "
             "longer durations",
             c->decl, invs_verify_engine(v));
    return keys_rows(v, st, where, "time-range", v->typed, c->name, detail);
}

static int keys_column_name(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    return keys_name(v, st->schema->t.name, st->schema->t.cols[i].name);
}

/* Characters beyond U+FFFF in a column whose charset has none (utf8mb3). */
static int keys_bmp(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    const char *const *cs;
    char where[512], detail[160];
    for (cs = v->lim->bmp_charsets; c->charset && cs && *cs && strcmp(*cs, c->charset); cs++)
        ;
    if (!c->charset || !cs || !*cs || (keys_pf(st, (long)i) && !keys_pf(st, (long)i)->t4byte))
        return INVS_OK;
    /* a 4-byte UTF-8 sequence starts with 0xF0..0xF4 */
    snprintf(where, sizeof(where),
             "typeof(d.c%zu) = 'text' AND (instr(CAST(d.c%zu AS BLOB), x'F0') OR "
             "instr(CAST(d.c%zu AS BLOB), x'F1') OR instr(CAST(d.c%zu AS BLOB), x'F2') "
             "OR instr(CAST(d.c%zu AS BLOB), x'F3') OR instr(CAST(d.c%zu AS BLOB), x'F4'))",
             i, i, i, i, i, i);
    snprintf(detail, sizeof(detail),
             "a character beyond U+FFFF (emoji...) that a %s column cannot hold", c->charset);
    return keys_rows(v, st, where, "utf8mb3-4byte", 1, c->name, detail);
}

/* Zero and partial dates a source flagged as its own values (MySQL's
 * 0000-00-00): kept beside the data, so asked of invs_specials. An error
 * for a typed target that has no such dates, until --zero-dates says what
 * they become. */
static int keys_zero_dates(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    int keeps = (v->lim->flags & INVS_LIM_ZERO_DATES) != 0;
    char join[160], detail[256];
    if ((c->canon != INVS_T_DATE && c->canon != INVS_T_TIMESTAMP &&
         c->canon != INVS_T_TIMESTAMPTZ) ||
        st->specials <= 0)
        return INVS_OK;
    snprintf(join, sizeof(join),
             "JOIN invs_specials AS sp ON sp.tid = %lld AND sp.rid = d.rowid AND sp.col = %zu",
             (long long)st->tid, i);
    if (keeps)
        snprintf(detail, sizeof(detail), "a zero or partial date (%s), which %s stores as it is",
                 c->decl, invs_verify_engine(v));
    else
        snprintf(detail, sizeof(detail),
                 "a zero or partial date (%s: 0000-00-00, 2026-00-10), which %s has no value "
                 "for: verify --zero-dates null makes them NULL (recorded; --undo restores)",
                 c->decl, invs_verify_engine(v));
    return keys_rows_join(v, st, join, "sp.flags & 1 AND sp.type = 3", "zero-date",
                          v->typed && !keeps, c->name, detail);
}

/* Does the enum column i have '' among its labels? The labels its source
 * driver handed over (ABI 1.2), else, for a stage that has none, what its
 * declaration lists: enum('','a'). */
static int keys_enum_has_empty(const invs_table *t, size_t i)
{
    const char *decl = t->cols[i].decl, *p;
    size_t k;
    if (t->colx) {
        const invs_colx *x = INVS_AT(invs_colx, t->colx, i);
        for (k = 0; k < x->nlabels; k++)
            if (!*x->labels[k])
                return 1;
        if (x->nlabels)
            return 0;
    }
    for (p = decl ? strstr(decl, "''") : NULL; p; p = strstr(p + 1, "''"))
        if ((p[-1] == '(' || p[-1] == ',') && (p[2] == ',' || p[2] == ')'))
            return 1;
    return 0;
}

/* '' in an enum: what MySQL stores for an invalid value outside strict
 * mode, which an enum without such a label refuses. */
static int keys_enum_empty(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[96], detail[256];
    if (c->canon != INVS_T_ENUM || keys_enum_has_empty(&st->schema->t, i) ||
        (keys_pf(st, (long)i) && !keys_pf(st, (long)i)->tempty))
        return INVS_OK;
    snprintf(where, sizeof(where), "typeof(d.c%zu) = 'text' AND d.c%zu = ''", i, i);
    snprintf(detail, sizeof(detail),
             "'' in an enum without such a label (%.120s): what MySQL keeps of an invalid value "
             "outside strict mode; a typed target refuses it",
             c->decl);
    return keys_rows(v, st, where, "enum-empty", v->typed, c->name, detail);
}

/* '2025-12-02T01:00:00+02:00' in a timestamp column without a time zone:
 * SQLite keeps the text, a typed target keeps the wall time and drops the
 * offset, and the proof then refuses the push. */
static int keys_offsets(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[64], detail[320];
    if (c->canon != INVS_T_TIMESTAMP || !v->typed || keys_plain_dates(st, i, 0))
        return INVS_OK;
    snprintf(where, sizeof(where), "invs_ts_offset(d.c%zu)", i);
    snprintf(detail, sizeof(detail),
             "a date and time with a UTC offset, in a column without a time zone (%s): %s keeps "
             "its wall time and drops the offset; verify --offsets-to-utc rewrites them as UTC "
             "(recorded; --undo restores), or create the column with a time zone first",
             c->decl, invs_verify_engine(v));
    return keys_rows(v, st, where, "timestamp-offset", 1, c->name, detail);
}

/* A column without a type holding integers, reals or blobs: a typed
 * target that makes it (PostgreSQL's text, MySQL's longtext) gives them
 * back as text, and the proof refuses the push. */
static int keys_untyped(invs_verify_run *v, const invs_stage_table *st, size_t i)
{
    const invs_column *c = &st->schema->t.cols[i];
    char where[96], detail[256];
    const invs_col_profile *pf = keys_pf(st, (long)i);
    int tc = keys_target_canon(v, st, i);
    /* into a text column the target has or push makes: text comes back */
    if (c->canon != INVS_T_ANY || !v->typed ||
        (!keys_created(v, &st->schema->t) && tc != INVS_T_TEXT && tc != INVS_T_CHAR) ||
        (pf && !pf->ints && !pf->reals && !pf->blobs))
        return INVS_OK;
    snprintf(where, sizeof(where), "typeof(d.c%zu) IN ('integer', 'real', 'blob')", i);
    snprintf(detail, sizeof(detail),
             "a number or blob in a column without a type, bound for a text column (%s's, "
             "or one push makes so): the values come back as text and the proof refuses the "
             "push; declare the column's type, or push --no-check to take them as text",
             invs_verify_engine(v));
    return keys_rows(v, st, where, "untyped-value", 1, c->name, detail);
}

/* Every column's questions, in one scan of the table (verify_batch.c). */
static int keys_columns(invs_verify_run *v, const invs_stage_table *st)
{
    static const keys_column_fn checks[] = {
        keys_nulls, keys_numbers,       keys_integers,    keys_bools,       keys_json,
        keys_range, keys_length,        keys_dates,       keys_decimals,
        keys_decimal_limit, keys_column_name, keys_bmp,   keys_zero_dates,
        keys_enum_empty, keys_times,      keys_offsets,     keys_untyped};
    invs_strbuf key;
    size_t i, k;
    int rc;
    invs_sb_init_std(&key);
    keys_expr(&key, &st->schema->t, "d");
    rc = invs_sb_failed(&key) ? invs_diag_oom(&v->st->diag)
                              : invs_verify_batch_open(v, st, key.p);
    invs_sb_free(&key);
    for (i = 0; i < st->schema->t.ncols && rc == INVS_OK; i++)
        for (k = 0; k < sizeof(checks) / sizeof(checks[0]) && rc == INVS_OK; k++)
            rc = checks[k](v, st, i);
    if (rc == INVS_OK)
        rc = invs_verify_batch_flush(v);
    invs_verify_batch_close(v);
    return rc;
}

int invs_verify_keys(invs_verify_run *v, const invs_stage_table *st)
{
    const invs_table *t = &st->schema->t;
    size_t k;
    int rc = invs_verify_sql_row_key(v->st, t);

    if (rc == INVS_OK)
        rc = keys_columns(v, st);
    for (k = 0; k < t->nkeys && rc == INVS_OK; k++) {
        const invs_key *key = &t->keys[k];
        int unique = key->kind == INVS_KEY_PRIMARY || key->kind == INVS_KEY_UNIQUE ||
                     (key->kind == INVS_KEY_INDEX && (key->flags & INVS_KEYF_UNIQUE));
        if (unique)
            rc = keys_duplicates(v, st, key, key->kind == INVS_KEY_PRIMARY);
        if (rc == INVS_OK && unique && (v->lim->flags & INVS_LIM_CI_UNIQUE))
            rc = keys_case_collisions(v, st, key);
        if (rc == INVS_OK && key->kind == INVS_KEY_FOREIGN)
            rc = keys_orphans(v, st, key);
    }
    if (rc == INVS_OK && t->row_count >= 0 && t->row_count != st->rows) {
        char detail[160];
        snprintf(detail, sizeof(detail), "the source reported %lld rows, the stage holds %lld",
                 (long long)t->row_count, (long long)st->rows);
        rc = invs_verify_report(v, "row-count", 1, t->name, NULL, 1, NULL, detail);
    }
    if (rc == INVS_OK)
        rc = keys_name(v, t->name, NULL);
    return rc;
}

/* a and b one name under Unicode's simple case mapping (MySQL's column
 * names: É is é, e is not é, ß is not ss)? Invalid UTF-8 compares bytes. */
static int keys_same_ci(const char *a, const char *b)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)a, *q = (const utf8proc_uint8_t *)b;
    utf8proc_int32_t x, y;
    utf8proc_ssize_t n, m;
    while (*p && *q) {
        n = utf8proc_iterate(p, -1, &x);
        m = utf8proc_iterate(q, -1, &y);
        if (n < 0 || m < 0)
            return !strcmp((const char *)p, (const char *)q);
        if (utf8proc_tolower(x) != utf8proc_tolower(y))
            return 0;
        p += n;
        q += m;
    }
    return !*p && !*q;
}

static int keys_same_name(const invs_limits *l, const char *a, const char *b, int column)
{
    if (l->flags & INVS_LIM_CI_NAMES)
        return !strcasecmp(a, b);
    return column && (l->flags & INVS_LIM_CI_COLUMNS) && keys_same_ci(a, b);
}

/* Names one after the target's case folding: "Foo" and "foo" are one table
 * in SQLite, and the second CREATE TABLE fails in the middle of the push;
 * "Ab" and "ab" are one column in MySQL. */
int invs_verify_names(invs_verify_run *v)
{
    invs_stage *st = v->st;
    char detail[512];
    size_t i, k, c, d;
    int rc = INVS_OK;
    if (!(v->lim->flags & (INVS_LIM_CI_NAMES | INVS_LIM_CI_COLUMNS)))
        return INVS_OK;
    for (i = 0; i < st->ntables && rc == INVS_OK; i++) {
        const invs_table *t = &st->tables[i].schema->t;
        for (k = i + 1; k < st->ntables && rc == INVS_OK; k++)
            if (keys_same_name(v->lim, t->name, st->tables[k].schema->t.name, 0)) {
                snprintf(detail, sizeof(detail), "tables %.200s and %.200s are one name in %s",
                         t->name, st->tables[k].schema->t.name, invs_verify_engine(v));
                rc = invs_verify_report(v, "name-collision", 1, t->name, NULL, 1, NULL, detail);
            }
        for (c = 0; c < t->ncols && rc == INVS_OK; c++)
            for (d = c + 1; d < t->ncols && rc == INVS_OK; d++)
                if (keys_same_name(v->lim, t->cols[c].name, t->cols[d].name, 1)) {
                    snprintf(detail, sizeof(detail),
                             "columns %.200s and %.200s are one name in %s", t->cols[c].name,
                             t->cols[d].name, invs_verify_engine(v));
                    rc = invs_verify_report(v, "name-collision", 1, t->name, t->cols[c].name, 1,
                                            NULL, detail);
                }
    }
    return rc;
}

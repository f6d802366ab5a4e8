/*
 * Partitioned and inherited tables, made again in PostgreSQL (same engine
 * only: another engine's push folds them into one table, see
 * staging/fold.c). A partitioned table gets its PARTITION BY; a partition
 * is made PARTITION OF its parent FOR VALUES ..., so it takes the parent's
 * columns, defaults, CHECKs and keys as PostgreSQL gives them to a
 * partition; an inheritance child is made with only the columns its
 * parents do not give it, and INHERITS. Inherited columns then get the
 * default and NOT NULL the model says they had, where the parent's differ.
 *
 * The stage is untrusted input: the partition key and bounds reach a
 * statement only in the shapes checked here (a strategy and expressions;
 * FOR VALUES FROM/TO, IN, WITH (MODULUS, REMAINDER), or DEFAULT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invstage/sqltext.h"
#include "pg_driver.h"

static const char *const pg_part_fns[] = {"lower", "upper", "date_trunc", "abs", NULL};

int pg_is_child(const invs_table *t)
{
    return INVS_HAS(t, invs_table, inherits) && (t->partition_of || t->ninherits);
}

/* Past the parenthesised group at *p, if its inside is an expression. */
static int part_group(const char **p)
{
    const char *s = *p, *e;
    char *inner;
    int depth = 0, ok;
    if (*s != '(')
        return 0;
    for (e = s; *e; e++) {
        if (*e == '\'') { /* a string, '' inside */
            for (e++; *e && !(*e == '\'' && e[1] != '\''); e++)
                if (*e == '\'')
                    e++;
            if (!*e)
                return 0;
            continue;
        }
        if (*e == '(')
            depth++;
        else if (*e == ')' && --depth == 0)
            break;
    }
    if (*e != ')' || !(inner = pg_host->alloc((size_t)(e - s))))
        return 0;
    memcpy(inner, s + 1, (size_t)(e - s - 1));
    inner[e - s - 1] = '\0';
    ok = invs_sql_expr_ok(inner, pg_part_fns);
    pg_host->free(inner);
    *p = invs_sql_skip_(e + 1);
    return ok;
}

/* RANGE (...), LIST (...), HASH (...) */
static int part_key_ok(const char *s)
{
    static const char *const ways[] = {"RANGE", "LIST", "HASH", NULL};
    size_t n = invs_sql_kw_in_(s, ways);
    if (!n)
        return 0;
    s = invs_sql_skip_(s + n);
    return part_group(&s) && !*s;
}

/* DEFAULT, or FOR VALUES FROM (...) TO (...) | IN (...) | WITH (MODULUS m, REMAINDER r) */
static int part_bound_ok(const char *s)
{
    size_t n;
    int m, r, used = 0;
    if ((n = invs_sql_kw_(s, "DEFAULT")))
        return !*invs_sql_skip_(s + n);
    if (!(n = invs_sql_kw_(s, "FOR")) || !(s = invs_sql_skip_(s + n), n = invs_sql_kw_(s, "VALUES")))
        return 0;
    s = invs_sql_skip_(s + n);
    if ((n = invs_sql_kw_(s, "FROM"))) {
        s = invs_sql_skip_(s + n);
        if (!part_group(&s) || !(n = invs_sql_kw_(s, "TO")))
            return 0;
        s = invs_sql_skip_(s + n);
        return part_group(&s) && !*s;
    }
    if ((n = invs_sql_kw_(s, "IN"))) {
        s = invs_sql_skip_(s + n);
        return part_group(&s) && !*s;
    }
    return invs_sql_kw_(s, "WITH") &&
           sscanf(s, "WITH (MODULUS %d, REMAINDER %d)%n", &m, &r, &used) == 2 && used > 0 &&
           !s[used];
}

/* The parent `name`, in the schema the table goes into. */
static void part_parent(invs_strbuf *sb, const pg_conn *c, const invs_table *t, const char *name)
{
    invs_sb_ident(sb, pg_table_schema(c, t), '"');
    invs_sb_puts(sb, ".");
    invs_sb_ident(sb, name, '"');
}

int pg_partition_by(pg_conn *c, const invs_table *t, invs_strbuf *sb)
{
    if (!INVS_HAS(t, invs_table, inherits) || !t->partition_by)
        return INVS_OK;
    if (!part_key_ok(t->partition_by))
        return pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                              "table %s: the stage's partition key (%s) is not one PostgreSQL "
                              "reads without side effects; refused",
                              t->name, t->partition_by);
    invs_sb_printf(sb, " PARTITION BY %s", t->partition_by);
    return INVS_OK;
}

/* Whether a parent already made in the target has column `col`. */
static int part_parent_has(pg_conn *c, const invs_table *t, const char *col, int *out)
{
    size_t i;
    int rc = INVS_OK;
    *out = 0;
    for (i = 0; i < t->ninherits && rc == INVS_OK && !*out; i++) {
        invs_strbuf q;
        PGresult *r;
        const char *params[2];
        pg_sb_init(&q);
        part_parent(&q, c, t, t->inherits[i]);
        if ((rc = pg_sb_ok(c, &q)) != INVS_OK)
            break;
        params[0] = q.p;
        params[1] = col;
        if ((r = pg_query(c, "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1)"
                             " AND attname = $2 AND attnum > 0 AND NOT attisdropped",
                          2, params))) {
            *out = PQntuples(r) > 0;
            PQclear(r);
        } else {
            rc = c->failed;
        }
        invs_sb_free(&q);
    }
    return rc;
}

/* " PARTITION OF parent FOR VALUES ..." or " (its own columns) INHERITS (parents)" */
int pg_child_body(pg_conn *c, const invs_table *t, const unsigned char *dn, invs_strbuf *sb)
{
    size_t i, n = 0;
    int rc = INVS_OK, has;
    if (t->partition_of) {
        if (!t->partition_bound || !part_bound_ok(t->partition_bound))
            return pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                  "table %s: the stage's partition bound (%s) is not one "
                                  "PostgreSQL reads without side effects; refused",
                                  t->name, t->partition_bound ? t->partition_bound : "none");
        invs_sb_puts(sb, " PARTITION OF ");
        part_parent(sb, c, t, t->partition_of);
        invs_sb_printf(sb, " %s", t->partition_bound);
        return INVS_OK;
    }
    invs_sb_puts(sb, " (");
    for (i = 0; i < t->ncols && rc == INVS_OK; i++) {
        if ((rc = part_parent_has(c, t, t->cols[i].name, &has)) != INVS_OK || has)
            continue;
        invs_sb_puts(sb, n++ ? ", " : "");
        pg_column_def(sb, t, i, 1, dn[i]);
    }
    invs_sb_puts(sb, ") INHERITS (");
    for (i = 0; i < t->ninherits; i++) {
        invs_sb_puts(sb, i ? ", " : "");
        part_parent(sb, c, t, t->inherits[i]);
    }
    invs_sb_puts(sb, ")");
    return rc;
}

/* Column i as the target made it (inherited): its default and NOT NULL
 * set to the model's where they differ. */
static int part_align_column(pg_conn *c, const invs_table *t, const char *qt, size_t i,
                             PGresult *r, int row)
{
    const invs_column *col = &t->cols[i];
    const char *def = PQgetisnull(r, row, 2) ? NULL : PQgetvalue(r, row, 2);
    int rc = INVS_OK;
    invs_strbuf sb;
    if ((col->flags & INVS_COL_NOT_NULL) && PQgetvalue(r, row, 1)[0] != 't') {
        pg_sb_init(&sb);
        invs_sb_printf(&sb, "ALTER TABLE %s ALTER COLUMN ", qt);
        invs_sb_ident(&sb, col->name, '"');
        invs_sb_puts(&sb, " SET NOT NULL");
        rc = pg_exec_sb(c, &sb);
    }
    if (rc != INVS_OK || (col->flags & INVS_COL_IDENTITY) ||
        (def && col->default_expr ? !strcmp(def, col->default_expr) : def == col->default_expr))
        return rc;
    pg_sb_init(&sb);
    invs_sb_printf(&sb, "ALTER TABLE %s ALTER COLUMN ", qt);
    invs_sb_ident(&sb, col->name, '"');
    if (col->default_expr)
        invs_sb_printf(&sb, " SET DEFAULT %s", col->default_expr);
    else
        invs_sb_puts(&sb, " DROP DEFAULT");
    return pg_exec_sb(c, &sb);
}

int pg_child_align(pg_conn *c, const invs_table *t, const char *qt)
{
    const char *params[1] = {qt};
    PGresult *r = pg_query(c,
                           "SELECT a.attname, a.attnotnull, pg_get_expr(d.adbin, d.adrelid)"
                           " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid ="
                           " a.attrelid AND d.adnum = a.attnum WHERE a.attrelid ="
                           " to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped"
                           " AND a.attinhcount > 0",
                           1, params);
    size_t i;
    int row, rc = INVS_OK;
    if (!r)
        return c->failed;
    for (row = 0; row < PQntuples(r) && rc == INVS_OK; row++)
        for (i = 0; i < t->ncols && rc == INVS_OK; i++)
            if (!strcmp(t->cols[i].name, PQgetvalue(r, row, 0)))
                rc = part_align_column(c, t, qt, i, r, row);
    PQclear(r);
    return rc;
}

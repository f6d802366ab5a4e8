/*
 * Push into PostgreSQL, the schema beyond columns and keys: a table's
 * CHECKs, defaults classified by another engine, enum labels as a CHECK,
 * identity options, the indexes on expressions (xindexes); and the objects
 * beside tables (object_create): enums, domains, views.
 *
 * PostgreSQL's own text (INVS_HINT_NATIVE) is written after the checks of
 * invstage/sqltext.h, and a failure is the push's. Another engine's text
 * is tried: each statement inside a savepoint, so that what PostgreSQL
 * does not take is named in a warning and the push goes on without it.
 */
#include <string.h>

#include "invstage/sqldefault.h"
#include "invstage/sqltext.h"
#include "pg_driver.h"

/* What a CHECK or index expression may call: functions without side
 * effects (never nextval). */
static const char *const pg_check_fns[] = {
    "now", "lower", "upper", "length", "char_length", "octet_length", "abs", "round", "floor",
    "ceil", "btrim", "ltrim", "rtrim", "trim", "left", "right", "concat", "strpos", "substr",
    "date_trunc", "date_part", "to_char", "to_date", "to_timestamp", "make_date", "isfinite",
    "array_length", "cardinality", "num_nulls", "num_nonnulls", "json_typeof", "jsonb_typeof",
    "md5", "coalesce", "timezone", "regexp_replace", "to_tsvector", "setweight", NULL};

static const invs_colx *ext_colx(const invs_table *t, size_t i)
{
    return INVS_HAS(t, invs_table, inherits) && t->colx ? INVS_AT(invs_colx, t->colx, i) : NULL;
}

int pg_try(pg_conn *c, const char *sql, char *why, size_t whyn)
{
    PGresult *r;
    int ok;
    if (pg_exec(c, "SAVEPOINT invs_try") != INVS_OK)
        return c->failed;
    r = pg_run(c, sql, 0, NULL);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        snprintf(why, whyn, "%s", m ? m : PQerrorMessage(c->pg));
    }
    PQclear(r);
    if (!ok && pg_exec(c, "ROLLBACK TO SAVEPOINT invs_try") != INVS_OK)
        return c->failed;
    if (pg_exec(c, "RELEASE SAVEPOINT invs_try") != INVS_OK)
        return c->failed;
    return ok;
}

/* sb's statement, tried; a refusal is a warning naming table and what. */
static int pg_try_sb(pg_conn *c, invs_strbuf *sb, const invs_table *t, const char *what)
{
    char why[256];
    int rc = pg_sb_ok(c, sb);
    if (rc == INVS_OK && (rc = pg_try(c, sb->p, why, sizeof(why))) == 0)
        pg_host->log(c->s, INVS_LOG_WARN, "table %s: %s (from %s) is not carried: %s", t->name,
                     what, t->engine ? t->engine : "?", why);
    invs_sb_free(sb);
    return rc < 0 ? rc : INVS_OK;
}

int pg_decl_native(pg_conn *c, const invs_table *t, int native, unsigned char *out)
{
    size_t i;
    for (i = 0; i < t->ncols; i++) {
        const invs_colx *x = ext_colx(t, i);
        const char *params[1];
        PGresult *r;
        out[i] = (unsigned char)native;
        if (!native || !x || !x->type_name)
            continue;
        params[0] = t->cols[i].decl;
        if (!(r = pg_query(c, "SELECT to_regtype($1) IS NOT NULL", 1, params)))
            return c->failed;
        out[i] = PQgetvalue(r, 0, 0)[0] == 't';
        PQclear(r);
        if (!out[i])
            pg_host->log(c->s, INVS_LOG_WARN,
                         "table %s, column %s: type %s does not exist in the target: the "
                         "column is made of its base type%s",
                         t->name, t->cols[i].name, x->type_name,
                         x->nlabels ? ", with a CHECK of its labels" : "");
    }
    return INVS_OK;
}

void pg_identity_options(invs_strbuf *sb, const invs_table *t, size_t i, int native)
{
    const invs_colx *x = ext_colx(t, i);
    if (!x || !(x->ident_flags & INVS_IDENT_OPTIONS))
        return;
    invs_sb_printf(sb, " (START WITH %lld INCREMENT BY %lld", (long long)x->ident_start,
                   (long long)x->ident_increment);
    /* another engine's bounds are its type's, which may not fit this one */
    if (native)
        invs_sb_printf(sb, " MINVALUE %lld MAXVALUE %lld", (long long)x->ident_min,
                       (long long)x->ident_max);
    invs_sb_puts(sb, (x->ident_flags & INVS_IDENT_CYCLE) ? " CYCLE)" : ")");
}

/* A classified default as PostgreSQL's literal; 0 when there is none. */
static int ext_default(invs_strbuf *sb, const invs_column *col, const invs_colx *x)
{
    const char *v;
    size_t n;
    if (col->canon == INVS_T_BOOL && x->default_kind == INVS_DEF_NUMBER && x->default_value &&
        (!strcmp(x->default_value, "0") || !strcmp(x->default_value, "1"))) {
        invs_sb_puts(sb, x->default_value[0] == '1' ? "true" : "false"); /* SQLite's booleans */
        return 1;
    }
    switch (x->default_kind) {
    case INVS_DEF_NULL: invs_sb_puts(sb, "NULL"); return 1;
    case INVS_DEF_NOW: invs_sb_puts(sb, "CURRENT_TIMESTAMP"); return 1;
    case INVS_DEF_TODAY: invs_sb_puts(sb, "CURRENT_DATE"); return 1;
    case INVS_DEF_TIME_NOW: invs_sb_puts(sb, "CURRENT_TIME"); return 1;
    case INVS_DEF_TEXT: invs_sb_literal(sb, x->default_value ? x->default_value : ""); return 1;
    case INVS_DEF_BOOL:
        invs_sb_puts(sb, x->default_value && *x->default_value == '1' ? "true" : "false");
        return 1;
    case INVS_DEF_NUMBER:
        if (!x->default_value || invs_sqld_classify(x->default_value, &v, &n) != INVS_DEF_NUMBER)
            return 0; /* not a number after all: the stage was edited */
        invs_sb_puts(sb, x->default_value);
        return 1;
    case INVS_DEF_BLOB:
        for (v = x->default_value; v && *v; v++) /* hex digits only */
            if (!((*v >= '0' && *v <= '9') || ((*v | 32) >= 'a' && (*v | 32) <= 'f')))
                return 0;
        invs_sb_printf(sb, "'\\x%s'::bytea", x->default_value ? x->default_value : "");
        return 1;
    }
    return 0;
}

/* Defaults the CREATE TABLE could not write as they were: another
 * engine's, and those of columns whose type the target lacks. */
static int ext_defaults(pg_conn *c, const invs_table *t, const char *qt, const unsigned char *dn)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < t->ncols && rc == INVS_OK; i++) {
        const invs_colx *x = ext_colx(t, i);
        invs_strbuf sb;
        if (dn[i] || !x || x->default_kind == INVS_DEF_NONE ||
            x->default_kind == INVS_DEF_SEQUENCE)
            continue;
        pg_sb_init(&sb);
        invs_sb_printf(&sb, "ALTER TABLE %s ALTER COLUMN ", qt);
        invs_sb_ident(&sb, t->cols[i].name, '"');
        invs_sb_puts(&sb, " SET DEFAULT ");
        if (!ext_default(&sb, &t->cols[i], x)) {
            pg_host->log(c->s, INVS_LOG_WARN,
                         "table %s, column %s: its default (%s) is %s's SQL, which is not "
                         "carried",
                         t->name, t->cols[i].name,
                         t->cols[i].default_expr ? t->cols[i].default_expr : "?",
                         t->engine ? t->engine : "another engine");
            invs_sb_free(&sb);
            continue;
        }
        rc = pg_try_sb(c, &sb, t, "a default");
    }
    return rc;
}

/* One CHECK: PostgreSQL's own (checked, then a failure is the push's),
 * else another engine's, tried. */
static int ext_check(pg_conn *c, const invs_table *t, const char *qt, const invs_check *k,
                     int native)
{
    invs_strbuf sb;
    if (!invs_sql_expr_ok(k->expr, pg_check_fns)) {
        if (native)
            return pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                  "table %s: the stage's CHECK %s is not an expression "
                                  "PostgreSQL evaluates without side effects; refused",
                                  t->name, k->name ? k->name : k->expr);
        pg_host->log(c->s, INVS_LOG_WARN, "table %s: CHECK %s (%s) is not carried", t->name,
                     k->name ? k->name : "", k->expr);
        return INVS_OK;
    }
    pg_sb_init(&sb);
    invs_sb_printf(&sb, "ALTER TABLE %s ADD ", qt);
    if (k->name) {
        invs_sb_puts(&sb, "CONSTRAINT ");
        invs_sb_ident(&sb, k->name, '"');
        invs_sb_puts(&sb, " ");
    }
    invs_sb_printf(&sb, "CHECK (%s)", k->expr);
    return native ? pg_exec_sb(c, &sb) : pg_try_sb(c, &sb, t, "a CHECK");
}

/* An enum's labels, where its type is not the column's: CHECK (c IN ...). */
static int ext_label_check(pg_conn *c, const invs_table *t, const char *qt, size_t i)
{
    const invs_colx *x = ext_colx(t, i);
    invs_strbuf sb;
    pg_sb_init(&sb);
    invs_sb_printf(&sb, "ALTER TABLE %s ADD ", qt);
    invs_sb_labels_check(&sb, t->cols[i].name, x->labels, x->nlabels, '"');
    return pg_exec_sb(c, &sb);
}

int pg_table_extras(pg_conn *c, const invs_table *t, const char *qt, int native,
                    const unsigned char *decl_native)
{
    size_t i;
    int rc = ext_defaults(c, t, qt, decl_native);
    for (i = 0; rc == INVS_OK && INVS_HAS(t, invs_table, inherits) && t->checks && i < t->nchecks;
         i++)
        rc = ext_check(c, t, qt, INVS_AT(invs_check, t->checks, i), native);
    for (i = 0; rc == INVS_OK && i < t->ncols; i++) {
        const invs_colx *x = ext_colx(t, i);
        if (x && x->nlabels && !decl_native[i])
            rc = ext_label_check(c, t, qt, i);
    }
    return rc;
}

/* An index on expressions, partial, descending or of another method:
 * PostgreSQL's own, checked, or another engine's, tried. */
static int ext_xindex(pg_conn *c, const invs_table *t, const invs_xindex *x, int native)
{
    invs_strbuf sb;
    size_t i;
    int ok = invs_sql_expr_ok(x->where, pg_check_fns) &&
             (!x->method || invs_sql_name_ok(x->method));
    for (i = 0; i < x->nparts && ok; i++)
        ok = !(x->exprs && x->exprs[i]) || invs_sql_expr_ok(x->parts[i], pg_check_fns);
    if (!ok && native)
        return pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                              "table %s: the stage's index %s is not made of expressions "
                              "PostgreSQL evaluates without side effects; refused",
                              t->name, x->name ? x->name : "");
    if (!ok) {
        pg_host->log(c->s, INVS_LOG_WARN, "table %s: index %s (from %s) is not carried",
                     t->name, x->name ? x->name : "", t->engine ? t->engine : "?");
        return INVS_OK;
    }
    pg_sb_init(&sb);
    invs_sb_puts(&sb, (x->flags & INVS_KEYF_UNIQUE) ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (x->name)
        invs_sb_ident(&sb, x->name, '"');
    invs_sb_puts(&sb, " ON ");
    pg_qualified(&sb, c, t);
    if (x->method && native)
        invs_sb_printf(&sb, " USING %s", x->method);
    invs_sb_index_parts(&sb, x, '"', 1);
    return native ? pg_exec_sb(c, &sb) : pg_try_sb(c, &sb, t, "an index");
}

int pg_xindexes_create(pg_conn *c, const invs_table *t)
{
    /* native as the host says it at table_create: read by this driver */
    int native = t->engine && !strcmp(t->engine, "postgres");
    size_t i;
    int rc = INVS_OK;
    for (i = 0; INVS_HAS(t, invs_table, inherits) && t->xindexes && i < t->nxindexes &&
                rc == INVS_OK;
         i++)
        rc = ext_xindex(c, t, INVS_AT(invs_xindex, t->xindexes, i), native);
    return rc;
}

/*
 * object_create: the objects beside tables that a PostgreSQL target makes.
 * An enum (its labels are literals, from any source); a domain and a view
 * only from PostgreSQL's own text (INVS_HINT_NATIVE), checked first: a
 * domain's type, default and CHECKs by invstage/sqltext.h, a view's query
 * by the shape of one SELECT, sent through PQexecParams so that a second
 * statement cannot follow it. A materialized view is made WITH NO DATA, as
 * pg_dump makes one: its query is the stage's, and runs only when the user
 * refreshes it. An object the target already has is left as it is.
 */
#include <string.h>

#include "invstage/sqltext.h"
#include "pg_driver.h"

static const char *const pg_domain_fns[] = {
    "now", "lower", "upper", "length", "char_length", "octet_length", "abs", "round", "btrim",
    "trim", "date_trunc", "date_part", "to_char", "isfinite", "array_length", "cardinality",
    "gen_random_uuid", "clock_timestamp", "statement_timestamp", "transaction_timestamp",
    "coalesce", NULL};

static void oc_name(invs_strbuf *sb, const pg_conn *c, const invs_object *o)
{
    invs_sb_ident(sb, c->nschemas ? c->schemas[0] : "public", '"');
    invs_sb_puts(sb, ".");
    invs_sb_ident(sb, o->name ? o->name : "", '"');
}

/* Whether the target has it already (a type, or a relation). */
static int oc_exists(pg_conn *c, const invs_object *o, int *out)
{
    invs_strbuf sb;
    const char *params[1];
    PGresult *r;
    int rc, type = o->kind == INVS_OBJ_ENUM || o->kind == INVS_OBJ_DOMAIN;
    pg_sb_init(&sb);
    oc_name(&sb, c, o);
    if ((rc = pg_sb_ok(c, &sb)) != INVS_OK)
        return rc;
    params[0] = sb.p;
    r = pg_query(c,
                 type ? "SELECT to_regtype($1) IS NOT NULL" : "SELECT to_regclass($1) IS NOT NULL",
                 1, params);
    invs_sb_free(&sb);
    if (!r)
        return c->failed;
    *out = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return INVS_OK;
}

/* One SELECT (or WITH ... SELECT, or VALUES), no comment, no statement
 * separator, no dollar-quoted or escape string. */
static int oc_query_ok(const char *q)
{
    const char *s = q;
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '(')
        s++;
    if (!invs_sql_kw_(s, "SELECT") && !invs_sql_kw_(s, "WITH") && !invs_sql_kw_(s, "VALUES"))
        return 0;
    for (; *s; s++) {
        if (*s == '\'' || *s == '"') {
            char q0 = *s;
            if (*s == '\'' && s > q && (invs_sql_alpha_(s[-1]) || invs_sql_digit_(s[-1]) ||
                                        s[-1] == '&'))
                return 0; /* E'..', U&'..': escapes this scan does not read */
            for (s++; *s && !(*s == q0 && s[1] != q0); s++)
                if (*s == q0)
                    s++;
            if (!*s)
                return 0;
            continue;
        }
        if (*s == ';' || *s == '$' || *s == '\\' || (s[0] == '-' && s[1] == '-') ||
            (s[0] == '/' && s[1] == '*'))
            return 0;
    }
    return 1;
}

static int oc_enum(pg_conn *c, const invs_object *o, invs_strbuf *sb)
{
    size_t i;
    invs_sb_puts(sb, "CREATE TYPE ");
    oc_name(sb, c, o);
    invs_sb_puts(sb, " AS ENUM (");
    for (i = 0; i < o->nlabels; i++) {
        invs_sb_puts(sb, i ? ", " : "");
        invs_sb_literal(sb, o->labels[i]);
    }
    invs_sb_puts(sb, ")");
    return INVS_OK;
}

static int oc_domain(pg_conn *c, const invs_object *o, invs_strbuf *sb)
{
    const invs_column *b = o->base;
    size_t i;
    int ok = b && b->decl && *b->decl && invs_sql_type_ok(b->decl) &&
             invs_sql_expr_ok(b->default_expr, pg_domain_fns);
    for (i = 0; ok && o->checks && i < o->nchecks; i++)
        ok = invs_sql_expr_ok(INVS_AT(invs_check, o->checks, i)->expr, pg_domain_fns);
    if (!ok)
        return pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                              "domain %s: the stage's type, default or CHECK is not what "
                              "PostgreSQL evaluates without side effects; refused",
                              o->name);
    invs_sb_puts(sb, "CREATE DOMAIN ");
    oc_name(sb, c, o);
    invs_sb_printf(sb, " AS %s", b->decl);
    if (b->collation) {
        invs_sb_puts(sb, " COLLATE ");
        invs_sb_ident(sb, b->collation, '"');
    }
    if (b->default_expr)
        invs_sb_printf(sb, " DEFAULT %s", b->default_expr);
    if (b->flags & INVS_COL_NOT_NULL)
        invs_sb_puts(sb, " NOT NULL");
    for (i = 0; o->checks && i < o->nchecks; i++) {
        const invs_check *k = INVS_AT(invs_check, o->checks, i);
        if (k->name) {
            invs_sb_puts(sb, " CONSTRAINT ");
            invs_sb_ident(sb, k->name, '"');
        }
        invs_sb_printf(sb, " CHECK (%s)", k->expr);
    }
    return INVS_OK;
}

static int oc_view(pg_conn *c, const invs_object *o, invs_strbuf *sb)
{
    int mat = o->kind == INVS_OBJ_MATVIEW;
    if (!o->definition || !oc_query_ok(o->definition))
        return pg_host->error(c->s, INVS_EREFUSED, NULL, 0,
                              "view %s: the stage's query is not one SELECT; refused", o->name);
    invs_sb_puts(sb, mat ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ");
    oc_name(sb, c, o);
    invs_sb_printf(sb, " AS %s%s", o->definition, mat ? " WITH NO DATA" : "");
    if (mat)
        pg_host->log(c->s, INVS_LOG_WARN,
                     "materialized view %s is made empty, as pg_dump makes it: REFRESH "
                     "MATERIALIZED VIEW %s fills it",
                     o->name, o->name);
    return INVS_OK;
}

int pg_object_create(invs_drv_conn *conn, const invs_object *o, uint32_t hints)
{
    pg_conn *c = conn;
    int native = (hints & INVS_HINT_NATIVE) != 0, exists = 0, rc;
    invs_strbuf sb;
    char why[256];
    if (o->kind != INVS_OBJ_ENUM && !(native && (o->kind == INVS_OBJ_DOMAIN ||
                                                 o->kind == INVS_OBJ_VIEW ||
                                                 o->kind == INVS_OBJ_MATVIEW)))
        return INVS_EUNSUPPORTED;
    if ((rc = oc_exists(c, o, &exists)) != INVS_OK || exists)
        return rc;
    pg_sb_init(&sb);
    rc = o->kind == INVS_OBJ_ENUM     ? oc_enum(c, o, &sb)
         : o->kind == INVS_OBJ_DOMAIN ? oc_domain(c, o, &sb)
                                      : oc_view(c, o, &sb);
    if (rc == INVS_OK && (rc = pg_sb_ok(c, &sb)) == INVS_OK) {
        /* a view may use what invstage does not copy (a function): the
         * push goes on without it, and says why */
        if (o->kind == INVS_OBJ_VIEW || o->kind == INVS_OBJ_MATVIEW) {
            int done = pg_try(c, sb.p, why, sizeof(why));
            rc = done == 1 ? INVS_OK
                 : done < 0 ? done
                            : pg_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0, "%s", why);
        } else
            rc = pg_exec(c, sb.p);
    }
    invs_sb_free(&sb);
    return rc;
}

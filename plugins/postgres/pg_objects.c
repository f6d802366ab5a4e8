/*
 * The schema objects of a PostgreSQL source that are not tables
 * (objects_read): enums with their labels in order and domains with their
 * base type, NOT NULL, default and CHECKs, which a PostgreSQL target makes
 * before its tables; views and materialized views (pg_get_viewdef), made
 * after the data; and what invstage names but does not copy: functions
 * (aggregates and procedures too), triggers, rules (as "rule NAME", kind
 * other, on their table), and sequences that no column's default or
 * identity uses. Members of extensions are the
 * extension's, and left out.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_driver.h"

#define NOT_EXT(oidcol, cls)                                                                  \
    " AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.objid = " oidcol                      \
    " AND x.classid = '" cls "'::regclass AND x.deptype = 'e')"

static const char sql_enums[] =
    "SELECT t.typname, e.enumlabel FROM pg_type t"
    " JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid"
    " WHERE n.nspname = $1" NOT_EXT("t.oid", "pg_type") " ORDER BY t.oid, e.enumsortorder";

static const char sql_domains[] =
    "SELECT t.oid, t.typname, format_type(t.typbasetype, t.typtypmod), bt.typname, bt.typtype,"
    " t.typtypmod, t.typnotnull, t.typdefault, co.collname FROM pg_type t"
    " JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type bt ON bt.oid = t.typbasetype"
    " LEFT JOIN pg_collation co ON co.oid = t.typcollation AND t.typcollation <> bt.typcollation"
    " WHERE t.typtype = 'd' AND n.nspname = $1" NOT_EXT("t.oid", "pg_type") " ORDER BY t.oid";

static const char sql_domain_checks[] =
    "SELECT conname, pg_get_expr(conbin, 0) FROM pg_constraint"
    " WHERE contypid = $1 AND contype = 'c' ORDER BY conname";

static const char sql_views[] =
    "SELECT c.relname, c.relkind, rtrim(btrim(pg_get_viewdef(c.oid, true)), ';')"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('v', 'm') AND n.nspname = $1" NOT_EXT("c.oid", "pg_class")
    " ORDER BY c.oid";

/* kind (as INVS_OBJ_*), name, table */
static const char sql_named[] =
    "SELECT 5, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', NULL"
    " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1"
    NOT_EXT("p.oid", "pg_proc")
    " UNION ALL SELECT 6, g.tgname, c.relname FROM pg_trigger g"
    " JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE NOT g.tgisinternal AND n.nspname = $1"
    " UNION ALL SELECT 7, c.relname, NULL FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = $1"
    NOT_EXT("c.oid", "pg_class")
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid"
    " AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))"
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refobjid = c.oid"
    " AND d.classid = 'pg_attrdef'::regclass)"
    " UNION ALL SELECT 8, 'rule ' || w.rulename, c.relname FROM pg_rewrite w"
    " JOIN pg_class c ON c.oid = w.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE w.rulename <> '_RETURN' AND n.nspname = $1" NOT_EXT("w.oid", "pg_rewrite")
    " ORDER BY 1, 2";

typedef struct obj_reader {
    pg_conn *c;
    invs_pool pl;
    const char *schema;
    invs_emit_object_fn emit;
    void *payload;
} obj_reader;

static const char *oval(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static void obj_init(obj_reader *rd, invs_object *o, int kind, const char *name)
{
    memset(o, 0, sizeof(*o));
    o->struct_size = sizeof(*o);
    o->kind = kind;
    o->schema = rd->schema;
    o->name = invs_pool_str(&rd->pl, name);
    o->engine = "postgres";
}

static int obj_emit(obj_reader *rd, invs_object *o)
{
    int rc = invs_pool_failed(&rd->pl) ? pg_host->error(rd->c->s, INVS_ENOMEM, NULL, 0,
                                                        "out of memory")
                                       : rd->emit(o, rd->payload);
    invs_pool_free(&rd->pl);
    return rc;
}

static int obj_enums(obj_reader *rd)
{
    const char *params[1] = {rd->schema};
    PGresult *r = pg_query(rd->c, sql_enums, 1, params);
    int i, j, k, n, rc = INVS_OK;
    if (!r)
        return rd->c->failed;
    n = PQntuples(r);
    for (i = 0; i < n && rc == INVS_OK; i = j) {
        invs_object o;
        const char **labels;
        for (j = i; j < n && !strcmp(oval(r, j, 0), oval(r, i, 0)); j++)
            ;
        obj_init(rd, &o, INVS_OBJ_ENUM, oval(r, i, 0));
        if ((labels = invs_pool_alloc(&rd->pl, (size_t)(j - i) * sizeof(*labels)))) {
            for (k = i; k < j; k++)
                labels[k - i] = invs_pool_str(&rd->pl, oval(r, k, 1));
            o.labels = labels;
            o.nlabels = (size_t)(j - i);
        }
        rc = obj_emit(rd, &o);
    }
    PQclear(r);
    return rc;
}

static int obj_domain_checks(obj_reader *rd, invs_object *o, const char *oid)
{
    const char *params[1] = {oid};
    PGresult *r = pg_query(rd->c, sql_domain_checks, 1, params);
    invs_check *cs;
    int i, n;
    if (!r)
        return rd->c->failed;
    n = PQntuples(r);
    if (n && (cs = invs_pool_alloc(&rd->pl, (size_t)n * sizeof(*cs)))) {
        for (i = 0; i < n; i++) {
            cs[i].struct_size = sizeof(*cs);
            cs[i].name = invs_pool_str(&rd->pl, oval(r, i, 0));
            cs[i].expr = invs_pool_str(&rd->pl, oval(r, i, 1));
        }
        o->checks = cs;
        o->nchecks = (size_t)n;
    }
    PQclear(r);
    return INVS_OK;
}

static int obj_domains(obj_reader *rd)
{
    const char *params[1] = {rd->schema};
    PGresult *r = pg_query(rd->c, sql_domains, 1, params);
    int i, rc = INVS_OK;
    if (!r)
        return rd->c->failed;
    for (i = 0; i < PQntuples(r) && rc == INVS_OK; i++) {
        invs_object o;
        invs_column *b = invs_pool_alloc(&rd->pl, sizeof(*b));
        invs_colx *bx = invs_pool_alloc(&rd->pl, sizeof(*bx));
        obj_init(rd, &o, INVS_OBJ_DOMAIN, oval(r, i, 1));
        if (b && bx) {
            b->name = o.name;
            b->decl = invs_pool_str(&rd->pl, oval(r, i, 2));
            pg_type_to_canon(b, oval(r, i, 3), oval(r, i, 4)[0], atoi(oval(r, i, 5)));
            b->flags = oval(r, i, 6)[0] == 't' ? INVS_COL_NOT_NULL : 0;
            b->default_expr = invs_pool_str(&rd->pl, oval(r, i, 7));
            b->collation = invs_pool_str(&rd->pl, oval(r, i, 8));
            bx->struct_size = sizeof(*bx);
            bx->default_kind = pg_default_classify(&rd->pl, b->default_expr, &bx->default_value);
            o.base = b;
            o.basex = bx;
        }
        if ((rc = obj_domain_checks(rd, &o, oval(r, i, 0))) == INVS_OK)
            rc = obj_emit(rd, &o);
        else
            invs_pool_free(&rd->pl);
    }
    PQclear(r);
    return rc;
}

static int obj_views(obj_reader *rd)
{
    const char *params[1] = {rd->schema};
    PGresult *r = pg_query(rd->c, sql_views, 1, params);
    int i, rc = INVS_OK;
    if (!r)
        return rd->c->failed;
    for (i = 0; i < PQntuples(r) && rc == INVS_OK; i++) {
        invs_object o;
        obj_init(rd, &o, oval(r, i, 1)[0] == 'm' ? INVS_OBJ_MATVIEW : INVS_OBJ_VIEW,
                 oval(r, i, 0));
        o.definition = invs_pool_str(&rd->pl, oval(r, i, 2));
        rc = obj_emit(rd, &o);
    }
    PQclear(r);
    return rc;
}

static int obj_named(obj_reader *rd)
{
    const char *params[1] = {rd->schema};
    PGresult *r = pg_query(rd->c, sql_named, 1, params);
    int i, rc = INVS_OK;
    if (!r)
        return rd->c->failed;
    for (i = 0; i < PQntuples(r) && rc == INVS_OK; i++) {
        invs_object o;
        obj_init(rd, &o, atoi(oval(r, i, 0)), oval(r, i, 1));
        o.table = invs_pool_str(&rd->pl, oval(r, i, 2));
        rc = obj_emit(rd, &o);
    }
    PQclear(r);
    return rc;
}

int pg_objects_read(invs_drv_conn *conn, invs_emit_object_fn emit, void *payload)
{
    obj_reader rd;
    size_t si;
    int rc = INVS_OK;
    memset(&rd, 0, sizeof(rd));
    rd.c = conn;
    rd.emit = emit;
    rd.payload = payload;
    invs_pool_init(&rd.pl, pg_host->realloc, pg_host->free);
    for (si = 0; si < conn->nschemas && rc == INVS_OK; si++) {
        rd.schema = conn->schemas[si];
        if ((rc = obj_enums(&rd)) == INVS_OK && (rc = obj_domains(&rd)) == INVS_OK &&
            (rc = obj_views(&rd)) == INVS_OK)
            rc = obj_named(&rd);
    }
    invs_pool_free(&rd.pl);
    return rc;
}

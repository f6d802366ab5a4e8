/*
 * The schema beyond columns and keys in the stage (format 2): column
 * defaults, enum labels and identity options (invs_column_x,
 * invs_column_labels), CHECKs (invs_checks), indexes on expressions
 * (invs_xindexes, invs_xindex_parts), partitioning and inheritance
 * (invs_table_x, invs_inherits), and schema objects (invs_objects,
 * invs_object_labels). A format-1 stage has none of them and reads as a
 * source that had none.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"

static const char *const object_kinds[] = {NULL,       "enum",    "domain",   "view",
                                           "matview",  "function", "trigger", "sequence",
                                           "other"};

const char *invs_object_kind_name(int kind)
{
    return kind >= 1 && kind <= INVS_OBJ_OTHER ? object_kinds[kind] : "object";
}

static int ext_object_kind(const char *s)
{
    int i;
    for (i = 1; s && i < (int)(sizeof(object_kinds) / sizeof(object_kinds[0])); i++)
        if (strcmp(s, object_kinds[i]) == 0)
            return i;
    return -1;
}

/* Run one statement with its parameters bound in order: 'i' an int64_t,
 * 't' a string (NULL binds NULL). */
static int ext_exec(invs_stage *st, const char *sql, const char *types, ...)
{
    sqlite3_stmt *s = NULL;
    va_list ap;
    int i, rc = INVS_OK;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "writing the schema");
    va_start(ap, types);
    for (i = 0; types[i]; i++)
        if (types[i] == 'i')
            sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
        else
            invs_bind_text_or_null(s, i + 1, va_arg(ap, const char *));
    va_end(ap);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_EIO, "writing the schema");
    sqlite3_finalize(s);
    return rc;
}

/* A list of names of one owner (a column: owner and ord; else ord < 0). */
static int ext_labels(invs_stage *st, const char *sql, int64_t owner, int64_t ord,
                      const char *const *labels, size_t n)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < n && rc == INVS_OK; i++)
        rc = ord < 0 ? ext_exec(st, sql, "iit", owner, (int64_t)i, labels[i] ? labels[i] : "")
                     : ext_exec(st, sql, "iiit", owner, ord, (int64_t)i,
                                labels[i] ? labels[i] : "");
    return rc;
}

static int ext_colx_write(invs_stage *st, int64_t tid, int64_t ord, const invs_colx *x)
{
    int rc;
    if (x->default_kind == INVS_DEF_NONE && !x->type_name && !x->nlabels && !x->ident_flags)
        return INVS_OK;
    rc = ext_exec(st,
                  "INSERT INTO invs_column_x VALUES(?,?,?,?,?,?,?,?,?,?)", "iiittiiiii", tid,
                  ord, (int64_t)x->default_kind, x->default_value, x->type_name,
                  (int64_t)x->ident_flags, x->ident_start, x->ident_increment, x->ident_min,
                  x->ident_max);
    if (rc == INVS_OK)
        rc = ext_labels(st, "INSERT INTO invs_column_labels VALUES(?,?,?,?)", tid, ord,
                        x->labels, x->nlabels);
    return rc;
}

static int ext_checks_write(invs_stage *st, int64_t tid, int64_t oid, const invs_check *c,
                            size_t n)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < n && rc == INVS_OK; i++) {
        const invs_check *k = INVS_AT(invs_check, c, i);
        rc = ext_exec(st, "INSERT INTO invs_checks VALUES(?,?,?,?,?,?)", "iiitti",
                      tid, oid, (int64_t)i, k->name, k->expr ? k->expr : "",
                      (int64_t)k->flags);
    }
    return rc;
}

static int ext_xindex_write(invs_stage *st, int64_t tid, int64_t xid, const invs_xindex *x)
{
    size_t i;
    int rc = ext_exec(st, "INSERT INTO invs_xindexes VALUES(?,?,?,?,?,?)", "iititt", tid, xid,
                      x->name, (int64_t)x->flags, x->method, x->where);
    for (i = 0; i < x->nparts && rc == INVS_OK; i++)
        rc = ext_exec(st, "INSERT INTO invs_xindex_parts VALUES(?,?,?,?,?,?)", "iiitii", tid,
                      xid, (int64_t)i, x->parts[i] ? x->parts[i] : "",
                      (int64_t)(x->exprs && x->exprs[i]), (int64_t)(x->desc && x->desc[i]));
    return rc;
}

int invs_stage_add_table_ext(invs_stage *st, const invs_table *t, int64_t tid)
{
    size_t i;
    int rc = INVS_OK;
    if (!INVS_HAS(t, invs_table, inherits))
        return INVS_OK;
    for (i = 0; t->colx && i < t->ncols && rc == INVS_OK; i++)
        rc = ext_colx_write(st, tid, (int64_t)i, INVS_AT(invs_colx, t->colx, i));
    if (rc == INVS_OK && t->checks)
        rc = ext_checks_write(st, tid, 0, t->checks, t->nchecks);
    for (i = 0; t->xindexes && i < t->nxindexes && rc == INVS_OK; i++)
        rc = ext_xindex_write(st, tid, (int64_t)i, INVS_AT(invs_xindex, t->xindexes, i));
    if (rc == INVS_OK && (t->partition_by || t->partition_of || t->partition_bound))
        rc = ext_exec(st, "INSERT INTO invs_table_x VALUES(?,?,?,?)", "ittt", tid,
                      t->partition_by, t->partition_of, t->partition_bound);
    if (rc == INVS_OK && t->inherits)
        rc = ext_labels(st, "INSERT INTO invs_inherits VALUES(?,?,?)", tid, -1, t->inherits,
                        t->ninherits);
    return rc;
}

int invs_stage_add_object(invs_stage *st, const invs_object *o)
{
    const invs_column *b = o->base;
    const invs_colx *bx = o->basex;
    int64_t oid;
    int rc;
    if (o->kind < 1 || o->kind > INVS_OBJ_OTHER)
        return invs_diag(&st->diag, INVS_EINVAL, "object %s has unknown kind %d", o->name,
                         o->kind);
    rc = ext_exec(st,
                  "INSERT INTO invs_objects(kind, schema, name, engine, definition, table_name,"
                  " base_decl, base_canon, base_length, base_precision, base_scale, base_flags,"
                  " base_default_expr, base_collation, base_default_kind, base_default_value)"
                  " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  "ttttttttiiiittit", object_kinds[o->kind], o->schema, o->name ? o->name : "",
                  o->engine ? o->engine : "", o->definition, o->table, b ? b->decl : NULL,
                  b ? invs_canon_name(b->canon) : NULL, (int64_t)(b ? b->length : -1),
                  (int64_t)(b ? b->precision : -1), (int64_t)(b ? b->scale : -1),
                  (int64_t)(b ? b->flags : 0), b ? b->default_expr : NULL,
                  b ? b->collation : NULL, (int64_t)(bx ? bx->default_kind : 0),
                  bx ? bx->default_value : NULL);
    if (rc != INVS_OK)
        return rc;
    oid = sqlite3_last_insert_rowid(st->db);
    if ((rc = ext_labels(st, "INSERT INTO invs_object_labels VALUES(?,?,?)", oid, -1,
                         o->labels, o->nlabels)) == INVS_OK &&
        o->checks)
        rc = ext_checks_write(st, 0, oid, o->checks, o->nchecks);
    return rc;
}

/* ---------------------------------------------------------------- loading */

typedef int (*ext_row_fn)(sqlite3_stmt *s, void *payload);

/* fn for each row of sql, whose parameters are a and b (when it has two). */
static int ext_each(invs_stage *st, const char *sql, int64_t a, int64_t b, ext_row_fn fn,
                    void *payload)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK, step;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_ECORRUPT, "reading the schema");
    sqlite3_bind_int64(s, 1, a);
    if (sqlite3_bind_parameter_count(s) > 1)
        sqlite3_bind_int64(s, 2, b);
    while (rc == INVS_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = fn(s, payload);
    if (rc == INVS_OK && step != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_ECORRUPT, "reading the schema");
    sqlite3_finalize(s);
    return rc;
}

static const char *ext_text(invs_arena *a, sqlite3_stmt *s, int i, int *bad)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    char *d = invs_arena_strdup(a, v);
    if (v && !d)
        *bad = 1;
    return d;
}

/* A growing array of names in an arena (labels, parts, parents). */
typedef struct ext_names {
    invs_stage *st;
    invs_arena *a;
    const char **v;
    uint8_t *flag1, *flag2; /* xindex parts: expression, descending */
    size_t n, cap;
    int bad;
} ext_names;

static int ext_name_row(sqlite3_stmt *s, void *payload)
{
    ext_names *l = payload;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const char **v = invs_arena_alloc(l->a, cap * sizeof(*v));
        uint8_t *f1 = invs_arena_alloc(l->a, cap), *f2 = invs_arena_alloc(l->a, cap);
        if (!v || !f1 || !f2)
            return invs_diag_oom(&l->st->diag);
        if (l->n) {
            memcpy(v, l->v, l->n * sizeof(*v));
            memcpy(f1, l->flag1, l->n);
            memcpy(f2, l->flag2, l->n);
        }
        l->v = v, l->flag1 = f1, l->flag2 = f2, l->cap = cap;
    }
    l->v[l->n] = ext_text(l->a, s, 0, &l->bad);
    l->flag1[l->n] = sqlite3_column_count(s) > 1 && sqlite3_column_int(s, 1);
    l->flag2[l->n] = sqlite3_column_count(s) > 2 && sqlite3_column_int(s, 2);
    l->n++;
    return l->bad ? invs_diag_oom(&l->st->diag) : INVS_OK;
}

static int ext_names_load(invs_stage *st, invs_arena *a, const char *sql, int64_t x, int64_t y,
                          ext_names *out)
{
    memset(out, 0, sizeof(*out));
    out->st = st;
    out->a = a;
    return ext_each(st, sql, x, y, ext_name_row, out);
}

typedef struct ext_table {
    invs_stage *st;
    invs_schema_table *s;
    int64_t tid;
    size_t n, cap;
    void *items; /* invs_check or invs_xindex, being grown */
} ext_table;

static int ext_colx_row(sqlite3_stmt *s, void *payload)
{
    ext_table *e = payload;
    invs_table *t = &e->s->t;
    int64_t ord = sqlite3_column_int64(s, 0);
    invs_colx *x;
    ext_names labels;
    int bad = 0, rc;
    if (ord < 0 || (uint64_t)ord >= t->ncols)
        return invs_diag(&e->st->diag, INVS_ECORRUPT,
                         "stage %s: table %s: invs_column_x names column %lld of %zu",
                         e->st->path, t->name, (long long)ord, t->ncols);
    if (!t->colx) {
        invs_colx *all = invs_arena_alloc(&e->s->arena, t->ncols * sizeof(*all));
        size_t i;
        if (!all)
            return invs_diag_oom(&e->st->diag);
        memset(all, 0, t->ncols * sizeof(*all));
        for (i = 0; i < t->ncols; i++)
            all[i].struct_size = sizeof(*all);
        t->colx = all;
    }
    x = (invs_colx *)&t->colx[ord];
    x->default_kind = sqlite3_column_int(s, 1);
    x->default_value = ext_text(&e->s->arena, s, 2, &bad);
    x->type_name = ext_text(&e->s->arena, s, 3, &bad);
    x->ident_flags = (uint32_t)sqlite3_column_int64(s, 4);
    x->ident_start = sqlite3_column_int64(s, 5);
    x->ident_increment = sqlite3_column_int64(s, 6);
    x->ident_min = sqlite3_column_int64(s, 7);
    x->ident_max = sqlite3_column_int64(s, 8);
    if (bad)
        return invs_diag_oom(&e->st->diag);
    if ((rc = ext_names_load(e->st, &e->s->arena,
                             "SELECT label FROM invs_column_labels WHERE tid = ?1 AND ord = ?2"
                             " ORDER BY n",
                             e->tid, ord, &labels)) != INVS_OK)
        return rc;
    x->labels = labels.v;
    x->nlabels = labels.n;
    return INVS_OK;
}

/* Grow e's array of `size`-byte items by one, zeroed, its size set. */
static void *ext_grow(ext_table *e, size_t size)
{
    char *item;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 4;
        void *nv = invs_arena_alloc(&e->s->arena, cap * size);
        if (!nv)
            return NULL;
        if (e->n)
            memcpy(nv, e->items, e->n * size);
        e->items = nv;
        e->cap = cap;
    }
    item = (char *)e->items + e->n++ * size;
    memset(item, 0, size);
    memcpy(item, &(uint32_t){(uint32_t)size}, sizeof(uint32_t));
    return item;
}

static int ext_check_row(sqlite3_stmt *s, void *payload)
{
    ext_table *e = payload;
    invs_check *c = ext_grow(e, sizeof(*c));
    int bad = 0;
    if (!c)
        return invs_diag_oom(&e->st->diag);
    c->name = ext_text(&e->s->arena, s, 0, &bad);
    c->expr = ext_text(&e->s->arena, s, 1, &bad);
    c->flags = (uint32_t)sqlite3_column_int64(s, 2);
    return bad || !c->expr ? invs_diag_oom(&e->st->diag) : INVS_OK;
}

static int ext_xindex_row(sqlite3_stmt *s, void *payload)
{
    ext_table *e = payload;
    invs_xindex *x = ext_grow(e, sizeof(*x));
    ext_names parts;
    int bad = 0, rc;
    if (!x)
        return invs_diag_oom(&e->st->diag);
    x->name = ext_text(&e->s->arena, s, 1, &bad);
    x->flags = (uint32_t)sqlite3_column_int64(s, 2);
    x->method = ext_text(&e->s->arena, s, 3, &bad);
    x->where = ext_text(&e->s->arena, s, 4, &bad);
    if (bad)
        return invs_diag_oom(&e->st->diag);
    if ((rc = ext_names_load(e->st, &e->s->arena,
                             "SELECT part, is_expr, descending FROM invs_xindex_parts"
                             " WHERE tid = ?1 AND xid = ?2 ORDER BY ord",
                             e->tid, sqlite3_column_int64(s, 0), &parts)) != INVS_OK)
        return rc;
    x->parts = parts.v;
    x->exprs = parts.flag1;
    x->desc = parts.flag2;
    x->nparts = parts.n;
    return INVS_OK;
}

static int ext_partition_row(sqlite3_stmt *s, void *payload)
{
    ext_table *e = payload;
    int bad = 0;
    e->s->t.partition_by = ext_text(&e->s->arena, s, 0, &bad);
    e->s->t.partition_of = ext_text(&e->s->arena, s, 1, &bad);
    e->s->t.partition_bound = ext_text(&e->s->arena, s, 2, &bad);
    return bad ? invs_diag_oom(&e->st->diag) : INVS_OK;
}

int invs_stage_load_table_ext(invs_stage *st, invs_schema_table *s, int64_t tid)
{
    ext_table e = {st, s, tid, 0, 0, NULL};
    ext_names parents;
    int rc;
    if (st->format < 2)
        return INVS_OK;
    if ((rc = ext_each(st,
                       "SELECT ord, default_kind, default_value, type_name, ident_flags,"
                       " ident_start, ident_increment, ident_min, ident_max FROM invs_column_x"
                       " WHERE tid = ?1 ORDER BY ord",
                       tid, 0, ext_colx_row, &e)) != INVS_OK ||
        (rc = ext_each(st,
                       "SELECT name, expr, flags FROM invs_checks WHERE tid = ?1 AND oid = 0"
                       " ORDER BY ord",
                       tid, 0, ext_check_row, &e)) != INVS_OK)
        return rc;
    s->t.checks = e.items;
    s->t.nchecks = e.n;
    e.items = NULL, e.n = e.cap = 0;
    if ((rc = ext_each(st,
                       "SELECT xid, name, flags, method, where_expr FROM invs_xindexes"
                       " WHERE tid = ?1 ORDER BY xid",
                       tid, 0, ext_xindex_row, &e)) != INVS_OK)
        return rc;
    s->t.xindexes = e.items;
    s->t.nxindexes = e.n;
    if ((rc = ext_each(st,
                       "SELECT partition_by, partition_of, partition_bound FROM invs_table_x"
                       " WHERE tid = ?1",
                       tid, 0, ext_partition_row, &e)) != INVS_OK ||
        (rc = ext_names_load(st, &s->arena,
                             "SELECT parent FROM invs_inherits WHERE tid = ?1 ORDER BY n", tid,
                             0, &parents)) != INVS_OK)
        return rc;
    s->t.inherits = parents.n ? parents.v : NULL;
    s->t.ninherits = parents.n;
    return INVS_OK;
}

typedef struct ext_objects {
    invs_stage *st;
    invs_arena tmp; /* one object's labels and checks, until the list copies it */
} ext_objects;

static int ext_domain_base(sqlite3_stmt *s, invs_object *o, invs_column *b, invs_colx *bx)
{
    if (sqlite3_column_type(s, 7) == SQLITE_NULL)
        return INVS_OK;
    memset(b, 0, sizeof(*b));
    memset(bx, 0, sizeof(*bx));
    b->name = o->name;
    b->decl = (const char *)sqlite3_column_text(s, 7);
    b->canon = invs_canon_from_name((const char *)sqlite3_column_text(s, 8));
    b->length = sqlite3_column_int(s, 9);
    b->precision = sqlite3_column_int(s, 10);
    b->scale = sqlite3_column_int(s, 11);
    b->flags = (uint32_t)sqlite3_column_int64(s, 12);
    b->default_expr = (const char *)sqlite3_column_text(s, 13);
    b->collation = (const char *)sqlite3_column_text(s, 14);
    bx->struct_size = sizeof(*bx);
    bx->default_kind = sqlite3_column_int(s, 15);
    bx->default_value = (const char *)sqlite3_column_text(s, 16);
    o->base = b;
    o->basex = bx;
    return b->canon < 0 ? INVS_ECORRUPT : INVS_OK;
}

static int ext_object_row(sqlite3_stmt *s, void *payload)
{
    ext_objects *x = payload;
    invs_stage *st = x->st;
    invs_object o;
    invs_column base;
    invs_colx basex;
    ext_names labels;
    ext_table checks;
    invs_schema_table holder; /* lends its arena to ext_check_row */
    int64_t oid = sqlite3_column_int64(s, 0);
    int rc;

    memset(&o, 0, sizeof(o));
    o.struct_size = sizeof(o);
    o.kind = ext_object_kind((const char *)sqlite3_column_text(s, 1));
    o.schema = (const char *)sqlite3_column_text(s, 2);
    o.name = (const char *)sqlite3_column_text(s, 3);
    o.engine = (const char *)sqlite3_column_text(s, 4);
    o.definition = (const char *)sqlite3_column_text(s, 5);
    o.table = (const char *)sqlite3_column_text(s, 6);
    if (o.kind < 0 || !o.name || ext_domain_base(s, &o, &base, &basex) != INVS_OK)
        return invs_diag(&st->diag, INVS_ECORRUPT, "stage %s: schema object %lld is damaged",
                         st->path, (long long)oid);
    invs_arena_reset(&x->tmp);
    if ((rc = ext_names_load(st, &x->tmp, "SELECT label FROM invs_object_labels WHERE oid = ?1"
                                          " ORDER BY n",
                             oid, 0, &labels)) != INVS_OK)
        return rc;
    o.labels = labels.v;
    o.nlabels = labels.n;
    memset(&holder, 0, sizeof(holder));
    holder.arena = x->tmp;
    memset(&checks, 0, sizeof(checks));
    checks.st = st;
    checks.s = &holder;
    rc = ext_each(st, "SELECT name, expr, flags FROM invs_checks WHERE oid = ?1 ORDER BY ord",
                  oid, 0, ext_check_row, &checks);
    x->tmp = holder.arena;
    if (rc != INVS_OK)
        return rc;
    o.checks = checks.items;
    o.nchecks = checks.n;
    if (invs_object_list_add(&st->objects, &o) != INVS_OK)
        return invs_diag_oom(&st->diag);
    return INVS_OK;
}

int invs_stage_load_objects(invs_stage *st)
{
    ext_objects x;
    int rc;
    if (st->format < 2)
        return INVS_OK;
    x.st = st;
    invs_arena_init(&x.tmp, 1024);
    rc = ext_each(st,
                  "SELECT oid, kind, schema, name, engine, definition, table_name, base_decl,"
                  " base_canon, base_length, base_precision, base_scale, base_flags,"
                  " base_default_expr, base_collation, base_default_kind, base_default_value"
                  " FROM invs_objects ORDER BY oid",
                  0, 0, ext_object_row, &x);
    invs_arena_free(&x.tmp);
    return rc;
}

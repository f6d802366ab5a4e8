/*
 * The structured parts of a file, the same in every format: the header's
 * facts, a table's description, the trailer; written through the codec's
 * emitter, read back from a small tree (fmt_node). formats/FORMAT.md names
 * every member. Readers ignore members they do not know (a later version
 * of the same format may add some); what they must not ignore changes the
 * format's version, which a reader refuses when it is newer than its own.
 */
#include <stdio.h>

#include "fmt_driver.h"
#include "fmt_text.h"

static const char *const key_kinds[] = {NULL, "primary", "unique", "foreign", "index"};

/* ------------------------------------------------------------ writing */

#define E(c) ((c)->codec)

static void emit_kv_str(fmt_conn *c, const char *k, const char *v)
{
    E(c)->e_key(c, k);
    E(c)->e_str(c, v);
}

static void emit_kv_int(fmt_conn *c, const char *k, int64_t v)
{
    E(c)->e_key(c, k);
    E(c)->e_int(c, v);
}

/* names may be NULL: n nulls (a foreign key whose parent columns the
 * source did not say) */
static void emit_names(fmt_conn *c, const char *k, const char *const *names, size_t n)
{
    size_t i;
    E(c)->e_key(c, k);
    E(c)->e_arr(c, n);
    for (i = 0; i < n; i++)
        E(c)->e_str(c, names ? names[i] : NULL);
    E(c)->e_end(c);
}

void fmt_emit_facts(fmt_conn *c)
{
    size_t i;
    E(c)->e_map(c, c->nfacts);
    for (i = 0; i < c->nfacts; i++)
        emit_kv_str(c, c->facts[2 * i], c->facts[2 * i + 1]);
    E(c)->e_end(c);
}

static void emit_column(fmt_conn *c, const invs_column *col)
{
    const char *canon = fmt_host->canon_name(col->canon);
    E(c)->e_map(c, 10);
    emit_kv_str(c, "name", col->name);
    emit_kv_str(c, "decl", col->decl ? col->decl : "");
    emit_kv_str(c, "canon", canon ? canon : "any");
    emit_kv_int(c, "length", col->length);
    emit_kv_int(c, "precision", col->precision);
    emit_kv_int(c, "scale", col->scale);
    emit_kv_int(c, "flags", col->flags);
    emit_kv_str(c, "default", col->default_expr);
    emit_kv_str(c, "collation", col->collation);
    emit_kv_str(c, "charset", col->charset);
    E(c)->e_end(c);
}

static void emit_key(fmt_conn *c, const invs_key *k)
{
    int fk = k->kind == INVS_KEY_FOREIGN;
    E(c)->e_map(c, fk ? 8 : 4);
    emit_kv_str(c, "kind", k->kind >= 1 && k->kind <= 4 ? key_kinds[k->kind] : "index");
    emit_kv_str(c, "name", k->name);
    emit_kv_int(c, "flags", k->flags);
    emit_names(c, "columns", k->cols, k->ncols);
    if (fk) {
        emit_kv_str(c, "ref_table", k->ref_table);
        emit_names(c, "ref_columns", k->ref_cols, k->ncols);
        emit_kv_str(c, "on_delete", k->on_delete);
        emit_kv_str(c, "on_update", k->on_update);
    }
    E(c)->e_end(c);
}

static void emit_sequence(fmt_conn *c, const invs_sequence *q)
{
    E(c)->e_map(c, 4);
    emit_kv_str(c, "column", q->column);
    emit_kv_str(c, "name", q->name);
    emit_kv_int(c, "value", q->value);
    emit_kv_int(c, "is_called", q->is_called);
    E(c)->e_end(c);
}

void fmt_emit_table(fmt_conn *c, const invs_table *t)
{
    size_t i;
    E(c)->e_map(c, 10);
    emit_kv_str(c, "name", t->name);
    emit_kv_str(c, "schema", t->schema);
    emit_kv_str(c, "engine", t->engine ? t->engine : "");
    emit_kv_int(c, "flags", t->flags);
    emit_kv_str(c, "source_ddl", t->source_ddl);
    emit_kv_int(c, "source_rows", t->row_count);
    emit_kv_str(c, "digest", INVS_HAS(t, invs_table, digest) ? t->digest : NULL);
    E(c)->e_key(c, "columns");
    E(c)->e_arr(c, t->ncols);
    for (i = 0; i < t->ncols; i++)
        emit_column(c, &t->cols[i]);
    E(c)->e_end(c);
    E(c)->e_key(c, "keys");
    E(c)->e_arr(c, t->nkeys);
    for (i = 0; i < t->nkeys; i++)
        emit_key(c, &t->keys[i]);
    E(c)->e_end(c);
    E(c)->e_key(c, "sequences");
    E(c)->e_arr(c, t->nseqs);
    for (i = 0; i < t->nseqs; i++)
        emit_sequence(c, &t->seqs[i]);
    E(c)->e_end(c);
    E(c)->e_end(c);
}

void fmt_emit_trailer(fmt_conn *c)
{
    int64_t total = 0;
    size_t i;
    E(c)->e_map(c, 2);
    E(c)->e_key(c, "tables");
    E(c)->e_arr(c, c->nt);
    for (i = 0; i < c->nt; i++) {
        E(c)->e_map(c, 3);
        emit_kv_str(c, "name", c->t[i].name);
        emit_kv_int(c, "rows", c->t[i].rows);
        emit_kv_str(c, "digest", c->t[i].digest);
        E(c)->e_end(c);
        total += c->t[i].rows;
    }
    E(c)->e_end(c);
    emit_kv_int(c, "rows", total);
    E(c)->e_end(c);
}

/* A string both containers can hold as text, or an error naming it. */
static int check_text(fmt_conn *c, const char *s, const invs_table *t, const char *what)
{
    if (!s || fmt_utf8_valid((const unsigned char *)s, strlen(s)))
        return INVS_OK;
    return fmt_write_fail(c, INVS_EUNSUPPORTED,
                          "table %s: its %s is not UTF-8, which a %s file cannot hold as text",
                          fmt_utf8_valid((const unsigned char *)t->name, strlen(t->name))
                              ? t->name
                              : "(not UTF-8)",
                          what, c->codec->label);
}

int fmt_check_table_text(fmt_conn *c, const invs_table *t)
{
    int rc = check_text(c, t->name, t, "name");
    size_t i, k;
    if (rc == INVS_OK)
        rc = check_text(c, t->schema, t, "schema");
    if (rc == INVS_OK)
        rc = check_text(c, t->engine, t, "engine");
    if (rc == INVS_OK)
        rc = check_text(c, t->source_ddl, t, "source DDL");
    for (i = 0; rc == INVS_OK && i < t->ncols; i++) {
        const invs_column *col = &t->cols[i];
        if ((rc = check_text(c, col->name, t, "column name")) == INVS_OK &&
            (rc = check_text(c, col->decl, t, "column declaration")) == INVS_OK &&
            (rc = check_text(c, col->default_expr, t, "column default")) == INVS_OK &&
            (rc = check_text(c, col->collation, t, "column collation")) == INVS_OK)
            rc = check_text(c, col->charset, t, "column charset");
    }
    for (i = 0; rc == INVS_OK && i < t->nkeys; i++) {
        const invs_key *key = &t->keys[i];
        rc = check_text(c, key->name, t, "key name");
        for (k = 0; rc == INVS_OK && k < key->ncols; k++)
            if ((rc = check_text(c, key->cols[k], t, "key column")) == INVS_OK && key->ref_cols)
                rc = check_text(c, key->ref_cols[k], t, "key column");
        if (rc == INVS_OK)
            rc = check_text(c, key->ref_table, t, "referenced table");
    }
    for (i = 0; rc == INVS_OK && i < t->nseqs; i++)
        if ((rc = check_text(c, t->seqs[i].column, t, "sequence column")) == INVS_OK)
            rc = check_text(c, t->seqs[i].name, t, "sequence name");
    return rc;
}

/* ------------------------------------------------------------ reading */

/* Where a member is read, for messages: "table 2 (orders), column 3". */
typedef struct rd_ctx {
    fmt_conn *c;
    invs_pool *pool;
    char where[200];
} rd_ctx;

static int rd_bad(rd_ctx *x, const fmt_node *n, const char *key, const char *what)
{
    return fmt_corrupt(x->c, n->off, "%s: \"%s\" must be %s, not %s", x->where, key, what,
                       fmt_node_what(n->type));
}

static int rd_missing(rd_ctx *x, const fmt_node *map, const char *key)
{
    return fmt_corrupt(x->c, map->off, "%s: \"%s\" is missing", x->where, key);
}

/* A string member: required, or optional (absent or null gives dflt). */
static int rd_str(rd_ctx *x, const fmt_node *map, const char *key, int required,
                  const char *dflt, const char **out)
{
    const fmt_node *n = fmt_node_get(map, key);
    if (!n && required)
        return rd_missing(x, map, key);
    if (!n || (n->type == FN_NULL && !required)) {
        *out = dflt;
        return INVS_OK;
    }
    if (n->type != FN_STR)
        return rd_bad(x, n, key, "a string");
    if (strlen(n->s) != n->len)
        return fmt_corrupt(x->c, n->off, "%s: \"%s\" holds a NUL character", x->where, key);
    *out = n->s;
    return INVS_OK;
}

static int rd_int(rd_ctx *x, const fmt_node *map, const char *key, int64_t lo, int64_t hi,
                  int64_t dflt, int64_t *out)
{
    const fmt_node *n = fmt_node_get(map, key);
    if (!n || n->type == FN_NULL) {
        *out = dflt;
        return INVS_OK;
    }
    if (n->type != FN_INT || n->i < lo || n->i > hi) {
        char what[96];
        snprintf(what, sizeof(what), "an integer from %lld to %lld", (long long)lo,
                 (long long)hi);
        return rd_bad(x, n, key, what);
    }
    *out = n->i;
    return INVS_OK;
}

/* An array member (absent: empty unless required). */
static int rd_arr(rd_ctx *x, const fmt_node *map, const char *key, int required,
                  const fmt_node **out)
{
    static const fmt_node empty = {FN_ARR, 0, 0, 0, 0, NULL, 0, 0, NULL, NULL};
    const fmt_node *n = fmt_node_get(map, key);
    if (!n && required)
        return rd_missing(x, map, key);
    if (!n || n->type == FN_NULL) {
        *out = &empty;
        return INVS_OK;
    }
    if (n->type != FN_ARR)
        return rd_bad(x, n, key, "an array");
    *out = n;
    return INVS_OK;
}

static int rd_is_map(rd_ctx *x, const fmt_node *n, const char *what)
{
    if (n->type == FN_MAP)
        return INVS_OK;
    return fmt_corrupt(x->c, n->off, "%s: %s must be a map, not %s", x->where, what,
                       fmt_node_what(n->type));
}

/* An array of names (nulls too, where nulls is set). */
static int rd_names(rd_ctx *x, const fmt_node *map, const char *key, int nulls, size_t *n,
                    const char *const **out)
{
    const fmt_node *a;
    const char **v;
    size_t i;
    int rc;
    if ((rc = rd_arr(x, map, key, 1, &a)) != INVS_OK)
        return rc;
    if (!(v = invs_pool_alloc(x->pool, (a->n + 1) * sizeof(*v))))
        return fmt_host->error(x->c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    for (i = 0; i < a->n; i++) {
        const fmt_node *e = &a->kids[i];
        if (nulls && e->type == FN_NULL) {
            v[i] = NULL;
            continue;
        }
        if (e->type != FN_STR || strlen(e->s) != e->len)
            return rd_bad(x, e, key, "an array of names");
        v[i] = e->s;
    }
    *n = a->n;
    *out = v;
    return INVS_OK;
}

static int rd_canon(rd_ctx *x, const fmt_node *map, int32_t *out)
{
    const char *name;
    int i, rc = rd_str(x, map, "canon", 0, "any", &name);
    const char *known;
    if (rc != INVS_OK)
        return rc;
    for (i = 0; i < 256; i++)
        if ((known = fmt_host->canon_name(i)) != NULL && strcmp(known, name) == 0) {
            *out = i;
            return INVS_OK;
        }
    return fmt_corrupt(x->c, fmt_node_get(map, "canon")->off,
                       "%s: \"%s\" is no canonical type this invstage knows", x->where, name);
}

static int rd_column(rd_ctx *x, const fmt_node *n, invs_column *col)
{
    int64_t v[4];
    int rc;
    memset(col, 0, sizeof(*col));
    if ((rc = rd_is_map(x, n, "a column")) != INVS_OK ||
        (rc = rd_str(x, n, "name", 1, NULL, &col->name)) != INVS_OK ||
        (rc = rd_str(x, n, "decl", 0, "", &col->decl)) != INVS_OK ||
        (rc = rd_canon(x, n, &col->canon)) != INVS_OK ||
        (rc = rd_int(x, n, "length", -1, INT32_MAX, -1, &v[0])) != INVS_OK ||
        (rc = rd_int(x, n, "precision", -1, INT32_MAX, -1, &v[1])) != INVS_OK ||
        (rc = rd_int(x, n, "scale", -1, INT32_MAX, -1, &v[2])) != INVS_OK ||
        (rc = rd_int(x, n, "flags", 0, UINT32_MAX, 0, &v[3])) != INVS_OK ||
        (rc = rd_str(x, n, "default", 0, NULL, &col->default_expr)) != INVS_OK ||
        (rc = rd_str(x, n, "collation", 0, NULL, &col->collation)) != INVS_OK)
        return rc;
    col->length = (int32_t)v[0];
    col->precision = (int32_t)v[1];
    col->scale = (int32_t)v[2];
    col->flags = (uint32_t)v[3];
    return rd_str(x, n, "charset", 0, NULL, &col->charset);
}

static int rd_key_kind(rd_ctx *x, const fmt_node *n, int32_t *out)
{
    const char *kind;
    int i, rc = rd_str(x, n, "kind", 1, NULL, &kind);
    if (rc != INVS_OK)
        return rc;
    for (i = 1; i <= 4; i++)
        if (strcmp(kind, key_kinds[i]) == 0) {
            *out = i;
            return INVS_OK;
        }
    return fmt_corrupt(x->c, fmt_node_get(n, "kind")->off,
                       "%s: a key's kind is primary, unique, foreign or index, not \"%s\"",
                       x->where, kind);
}

static int rd_key(rd_ctx *x, const fmt_node *n, invs_key *k)
{
    int64_t flags;
    size_t nref = 0;
    int rc;
    memset(k, 0, sizeof(*k));
    if ((rc = rd_is_map(x, n, "a key")) != INVS_OK || (rc = rd_key_kind(x, n, &k->kind)) != INVS_OK ||
        (rc = rd_str(x, n, "name", 0, NULL, &k->name)) != INVS_OK ||
        (rc = rd_int(x, n, "flags", 0, UINT32_MAX, 0, &flags)) != INVS_OK ||
        (rc = rd_names(x, n, "columns", 0, &k->ncols, &k->cols)) != INVS_OK)
        return rc;
    k->flags = (uint32_t)flags;
    if (k->kind != INVS_KEY_FOREIGN)
        return INVS_OK;
    if ((rc = rd_str(x, n, "ref_table", 1, NULL, &k->ref_table)) != INVS_OK ||
        (rc = rd_names(x, n, "ref_columns", 1, &nref, &k->ref_cols)) != INVS_OK ||
        (rc = rd_str(x, n, "on_delete", 0, NULL, &k->on_delete)) != INVS_OK ||
        (rc = rd_str(x, n, "on_update", 0, NULL, &k->on_update)) != INVS_OK)
        return rc;
    if (nref != k->ncols)
        return fmt_corrupt(x->c, n->off, "%s: a foreign key of %zu columns names %zu", x->where,
                           k->ncols, nref);
    return INVS_OK;
}

static int rd_sequence(rd_ctx *x, const fmt_node *n, invs_sequence *q)
{
    int64_t called;
    int rc;
    memset(q, 0, sizeof(*q));
    if ((rc = rd_is_map(x, n, "a sequence")) != INVS_OK ||
        (rc = rd_str(x, n, "column", 1, NULL, &q->column)) != INVS_OK ||
        (rc = rd_str(x, n, "name", 0, NULL, &q->name)) != INVS_OK ||
        (rc = rd_int(x, n, "value", INT64_MIN, INT64_MAX, 0, &q->value)) != INVS_OK ||
        (rc = rd_int(x, n, "is_called", 0, 1, 1, &called)) != INVS_OK)
        return rc;
    if (!fmt_node_get(n, "value"))
        return rd_missing(x, n, "value");
    q->is_called = (int32_t)called;
    return INVS_OK;
}

/* The items of array `a`, each read by fn into an element of `elem` bytes. */
typedef int (*rd_item_fn)(rd_ctx *x, const fmt_node *n, void *out);

static int rd_items(rd_ctx *x, const fmt_node *a, size_t elem, rd_item_fn fn, const char *what,
                    void **out)
{
    size_t i, base = strlen(x->where);
    unsigned char *v = invs_pool_alloc(x->pool, (a->n ? a->n : 1) * elem);
    int rc = INVS_OK;
    if (!v)
        return fmt_host->error(x->c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    for (i = 0; i < a->n && rc == INVS_OK; i++) {
        snprintf(x->where + base, sizeof(x->where) - base, ", %s %zu", what, i + 1);
        rc = fn(x, &a->kids[i], v + i * elem);
    }
    x->where[base] = '\0';
    *out = v;
    return rc;
}

static int rd_column_fn(rd_ctx *x, const fmt_node *n, void *out) { return rd_column(x, n, out); }
static int rd_key_fn(rd_ctx *x, const fmt_node *n, void *out) { return rd_key(x, n, out); }
static int rd_seq_fn(rd_ctx *x, const fmt_node *n, void *out) { return rd_sequence(x, n, out); }

int fmt_table_from_node(fmt_conn *c, const fmt_node *n, invs_pool *pool, invs_table *t)
{
    const fmt_node *cols, *keys, *seqs;
    rd_ctx x = {c, pool, "a table's description"};
    int64_t flags, rows;
    void *v;
    int rc;
    memset(t, 0, sizeof(*t));
    t->struct_size = sizeof(*t);
    if ((rc = rd_is_map(&x, n, "a table's description")) != INVS_OK ||
        (rc = rd_str(&x, n, "name", 1, NULL, &t->name)) != INVS_OK)
        return rc;
    snprintf(x.where, sizeof(x.where), "table %.120s", t->name);
    if ((rc = rd_str(&x, n, "schema", 0, NULL, &t->schema)) != INVS_OK ||
        (rc = rd_str(&x, n, "engine", 0, "", &t->engine)) != INVS_OK ||
        (rc = rd_int(&x, n, "flags", 0, UINT32_MAX, 0, &flags)) != INVS_OK ||
        (rc = rd_str(&x, n, "source_ddl", 0, NULL, &t->source_ddl)) != INVS_OK ||
        (rc = rd_int(&x, n, "source_rows", -1, INT64_MAX, -1, &rows)) != INVS_OK ||
        (rc = rd_str(&x, n, "digest", 0, NULL, &t->digest)) != INVS_OK ||
        (rc = rd_arr(&x, n, "columns", 1, &cols)) != INVS_OK ||
        (rc = rd_arr(&x, n, "keys", 0, &keys)) != INVS_OK ||
        (rc = rd_arr(&x, n, "sequences", 0, &seqs)) != INVS_OK)
        return rc;
    t->flags = (uint32_t)flags & ~INVS_TBL_ANY_ORDER; /* a hint, never a fact */
    t->row_count = rows;
    if (cols->n == 0)
        return fmt_corrupt(c, n->off, "%s has no columns", x.where);
    if ((rc = rd_items(&x, cols, sizeof(invs_column), rd_column_fn, "column", &v)) != INVS_OK)
        return rc;
    t->cols = v, t->ncols = cols->n;
    if ((rc = rd_items(&x, keys, sizeof(invs_key), rd_key_fn, "key", &v)) != INVS_OK)
        return rc;
    t->keys = v, t->nkeys = keys->n;
    if ((rc = rd_items(&x, seqs, sizeof(invs_sequence), rd_seq_fn, "sequence", &v)) != INVS_OK)
        return rc;
    t->seqs = v, t->nseqs = seqs->n;
    return INVS_OK;
}

static int header_facts(fmt_conn *c, fmt_reader *r, const fmt_node *meta)
{
    size_t i;
    if (!meta || meta->type == FN_NULL)
        return INVS_OK;
    if (meta->type != FN_MAP)
        return fmt_corrupt(c, meta->off, "the header's \"meta\" must be a map of strings");
    if (!(r->facts = fmt_host->alloc((2 * meta->n + 1) * sizeof(char *))))
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(r->facts, 0, (2 * meta->n + 1) * sizeof(char *));
    for (i = 0; i < meta->n; i++) {
        const fmt_node *v = &meta->kids[i];
        size_t kl = strlen(meta->keys[i]);
        if (v->type != FN_STR || strlen(v->s) != v->len || !kl)
            return fmt_corrupt(c, v->off, "the header's fact \"%s\" must be a string",
                               meta->keys[i]);
        r->facts[2 * i] = fmt_host->alloc(kl + 1);
        r->facts[2 * i + 1] = fmt_host->alloc(v->len + 1);
        r->nfacts = i + 1;
        if (!r->facts[2 * i] || !r->facts[2 * i + 1])
            return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
        memcpy(r->facts[2 * i], meta->keys[i], kl + 1);
        memcpy(r->facts[2 * i + 1], v->s, v->len + 1);
    }
    return INVS_OK;
}

int fmt_header_from_node(fmt_conn *c, fmt_reader *r, const fmt_node *n)
{
    const fmt_node *f = fmt_node_get(n, "format"), *v = fmt_node_get(n, "version");
    if (!f || f->type != FN_STR || strcmp(f->s, FMT_FORMAT_NAME) != 0)
        return fmt_corrupt(c, f ? f->off : n->off,
                           "not an invstage %s file (its header has no \"format\": \"%s\")",
                           c->codec->label, FMT_FORMAT_NAME);
    if (!v || v->type != FN_INT || v->i < 1)
        return fmt_corrupt(c, v ? v->off : n->off, "the header has no format version");
    if (v->i > FMT_FORMAT_VERSION)
        return fmt_host->error(c->s, INVS_ECORRUPT, NULL, 0,
                               "%s: byte %llu: format version %lld is newer than this "
                               "invstage reads (%d): use a newer invstage",
                               c->shown, (unsigned long long)v->off, (long long)v->i,
                               FMT_FORMAT_VERSION);
    return header_facts(c, r, fmt_node_get(n, "meta"));
}

/* One table's entry in the trailer against what was read. */
static int trailer_table(fmt_conn *c, const fmt_node *e, const fmt_tinfo *ti, int64_t *total)
{
    const fmt_node *name = fmt_node_get(e, "name"), *rows = fmt_node_get(e, "rows"),
                   *dg = fmt_node_get(e, "digest");
    if (e->type != FN_MAP || !name || name->type != FN_STR || strcmp(name->s, ti->name) != 0)
        return fmt_corrupt(c, e->off, "the trailer does not name table %s here", ti->name);
    if (!rows || rows->type != FN_INT || rows->i < 0)
        return fmt_corrupt(c, e->off, "the trailer has no row count for table %s", ti->name);
    if (ti->rows >= 0 && rows->i != ti->rows)
        return fmt_corrupt(c, rows->off, "the trailer says table %s has %lld rows, but %lld "
                                         "were read: rows were lost or added",
                           ti->name, (long long)rows->i, (long long)ti->rows);
    if (dg && dg->type != FN_NULL &&
        (dg->type != FN_STR || !ti->digest || strcmp(dg->s, ti->digest) != 0))
        return fmt_corrupt(c, dg->off, "the trailer's digest of table %s is not its "
                                       "description's",
                           ti->name);
    *total += rows->i;
    return INVS_OK;
}

int fmt_trailer_check(fmt_conn *c, const fmt_node *n)
{
    const fmt_node *tables = fmt_node_get(n, "tables"), *rows = fmt_node_get(n, "rows");
    int64_t total = 0;
    size_t i;
    int rc;
    if (n->type != FN_MAP || !tables || tables->type != FN_ARR)
        return fmt_corrupt(c, n->off, "the trailer has no \"tables\" array");
    if (tables->n != c->nt)
        return fmt_corrupt(c, tables->off, "the trailer names %zu tables, the file has %zu",
                           tables->n, c->nt);
    for (i = 0; i < c->nt; i++)
        if ((rc = trailer_table(c, &tables->kids[i], &c->t[i], &total)) != INVS_OK)
            return rc;
    if (!rows || rows->type != FN_INT || rows->i != total)
        return fmt_corrupt(c, rows ? rows->off : n->off,
                           "the trailer's total of rows is not the sum of its tables'");
    return INVS_OK;
}

/* ------------------------------------------------------------ values */

static const char *const vclass_names[] = {"null", "int", "uint", "real", "text", "bytes", "blob"};

int fmt_vclass(const char *key, size_t n)
{
    int i;
    for (i = 0; i < (int)(sizeof(vclass_names) / sizeof(vclass_names[0])); i++)
        if (strlen(vclass_names[i]) == n && memcmp(vclass_names[i], key, n) == 0)
            return i;
    return VC_NONE;
}

const char *fmt_vclass_name(int vc)
{
    return vc >= 0 && vc < (int)(sizeof(vclass_names) / sizeof(vclass_names[0]))
               ? vclass_names[vc]
               : "?";
}

/* The schema model in the stage: invs_tables, invs_columns, invs_keys,
 * invs_key_columns, invs_sequences. */
#include <stdlib.h>
#include <string.h>

#include "stage.h"

static const char *const key_kinds[] = {NULL, "primary", "unique", "foreign", "index"};

static int schema_key_kind(const char *s)
{
    int i;
    for (i = 1; i < 5; i++)
        if (strcmp(s, key_kinds[i]) == 0)
            return i;
    return -1;
}

/* Prepare, bind with `bind`, step once, finalize. */
typedef void (*bind_fn)(sqlite3_stmt *s, const void *a, const void *b, int64_t tid,
                        int64_t n);

static int schema_insert(invs_stage *st, const char *sql, bind_fn bind, const void *a,
                         const void *b, int64_t tid, int64_t n)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "writing the schema");
    bind(s, a, b, tid, n);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_EIO, "writing the schema");
    sqlite3_finalize(s);
    return rc;
}

static void bind_table(sqlite3_stmt *s, const void *a, const void *b, int64_t tid, int64_t n)
{
    const invs_table *t = a;
    (void)b, (void)tid, (void)n;
    sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
    invs_bind_text_or_null(s, 2, t->schema);
    sqlite3_bind_text(s, 3, t->engine ? t->engine : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, t->flags);
    invs_bind_text_or_null(s, 5, t->source_ddl);
    if (t->row_count >= 0)
        sqlite3_bind_int64(s, 6, t->row_count);
}

static void bind_column(sqlite3_stmt *s, const void *a, const void *b, int64_t tid, int64_t n)
{
    const invs_column *c = a;
    (void)b;
    sqlite3_bind_int64(s, 1, tid);
    sqlite3_bind_int64(s, 2, n);
    sqlite3_bind_text(s, 3, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, c->decl ? c->decl : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, invs_canon_name(c->canon) ? invs_canon_name(c->canon) : "any", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(s, 6, c->length);
    sqlite3_bind_int(s, 7, c->precision);
    sqlite3_bind_int(s, 8, c->scale);
    sqlite3_bind_int64(s, 9, c->flags);
    invs_bind_text_or_null(s, 10, c->default_expr);
    invs_bind_text_or_null(s, 11, c->collation);
    invs_bind_text_or_null(s, 12, c->charset);
}

static void bind_key(sqlite3_stmt *s, const void *a, const void *b, int64_t tid, int64_t n)
{
    const invs_key *k = a;
    (void)b;
    sqlite3_bind_int64(s, 1, tid);
    sqlite3_bind_int64(s, 2, n);
    sqlite3_bind_text(s, 3, key_kinds[k->kind], -1, SQLITE_STATIC);
    invs_bind_text_or_null(s, 4, k->name);
    sqlite3_bind_int64(s, 5, k->flags);
    invs_bind_text_or_null(s, 6, k->ref_table);
    invs_bind_text_or_null(s, 7, k->on_delete);
    invs_bind_text_or_null(s, 8, k->on_update);
}

struct key_col {
    const invs_key *k;
    size_t i;
};

static void bind_key_col(sqlite3_stmt *s, const void *a, const void *b, int64_t tid, int64_t n)
{
    const struct key_col *kc = b;
    (void)a;
    sqlite3_bind_int64(s, 1, tid);
    sqlite3_bind_int64(s, 2, n);
    sqlite3_bind_int64(s, 3, (int64_t)kc->i);
    sqlite3_bind_text(s, 4, kc->k->cols[kc->i], -1, SQLITE_STATIC);
    invs_bind_text_or_null(s, 5, kc->k->ref_cols ? kc->k->ref_cols[kc->i] : NULL);
}

static void bind_seq(sqlite3_stmt *s, const void *a, const void *b, int64_t tid, int64_t n)
{
    const invs_sequence *q = a;
    (void)b;
    sqlite3_bind_int64(s, 1, tid);
    sqlite3_bind_int64(s, 2, n);
    invs_bind_text_or_null(s, 3, q->column);
    invs_bind_text_or_null(s, 4, q->name);
    sqlite3_bind_int64(s, 5, q->value);
    sqlite3_bind_int(s, 6, q->is_called);
    sqlite3_bind_int64(s, 7, q->flags);
}

static int schema_create_data_table(invs_stage *st, int64_t tid, size_t ncols)
{
    invs_strbuf sb;
    size_t i;
    int rc;
    invs_sb_init_std(&sb);
    /* untyped columns: no affinity, so every value is stored as given */
    invs_sb_printf(&sb, "CREATE TABLE invs_data_%lld(", (long long)tid);
    for (i = 0; i < ncols; i++)
        invs_sb_printf(&sb, "%sc%zu", i ? ", " : "", i);
    invs_sb_puts(&sb, ")");
    if (invs_sb_failed(&sb))
        return invs_diag_oom(&st->diag);
    rc = sqlite3_exec(st->db, sb.p, NULL, NULL, NULL) == SQLITE_OK
             ? INVS_OK
             : invs_stage_sqlerr(st, INVS_EIO, "creating a data table");
    invs_sb_free(&sb);
    return rc;
}

int invs_stage_add_table(invs_stage *st, const invs_table *t, int64_t *out_tid)
{
    int64_t tid;
    size_t i, j;
    int rc;

    rc = schema_insert(st,
                       "INSERT INTO invs_tables(name, schema, engine, flags, source_ddl,"
                       " source_rows, rows, specials) VALUES(?,?,?,?,?,?,0,0)",
                       bind_table, t, NULL, 0, 0);
    if (rc != INVS_OK)
        return rc;
    tid = sqlite3_last_insert_rowid(st->db);
    for (i = 0; i < t->ncols && rc == INVS_OK; i++)
        rc = schema_insert(st, "INSERT INTO invs_columns VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                           bind_column, &t->cols[i], NULL, tid, (int64_t)i);
    for (i = 0; i < t->nkeys && rc == INVS_OK; i++) {
        const invs_key *k = &t->keys[i];
        if (k->kind < INVS_KEY_PRIMARY || k->kind > INVS_KEY_INDEX)
            return invs_diag(&st->diag, INVS_EINVAL, "table %s: key %zu has unknown kind %d",
                             t->name, i, k->kind);
        rc = schema_insert(st, "INSERT INTO invs_keys VALUES(?,?,?,?,?,?,?,?)", bind_key, k,
                           NULL, tid, (int64_t)i);
        for (j = 0; j < k->ncols && rc == INVS_OK; j++) {
            struct key_col kc = {k, j};
            rc = schema_insert(st, "INSERT INTO invs_key_columns VALUES(?,?,?,?,?)",
                               bind_key_col, NULL, &kc, tid, (int64_t)i);
        }
    }
    for (i = 0; i < t->nseqs && rc == INVS_OK; i++)
        rc = schema_insert(st, "INSERT INTO invs_sequences VALUES(?,?,?,?,?,?,?)", bind_seq,
                           &t->seqs[i], NULL, tid, (int64_t)i);
    if (rc == INVS_OK)
        rc = invs_stage_add_table_ext(st, t, tid);
    if (rc == INVS_OK)
        rc = schema_create_data_table(st, tid, t->ncols);
    if (rc == INVS_OK)
        *out_tid = tid;
    return rc;
}

int invs_stage_set_rows(invs_stage *st, int64_t tid, int64_t rows, int64_t specials,
                        const char *digest)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE invs_tables SET rows = ?, specials = ?, source_digest = ?4,"
                           " digest = ?4 WHERE tid = ?3",
                           -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "recording row counts");
    sqlite3_bind_int64(s, 1, rows);
    sqlite3_bind_int64(s, 2, specials);
    sqlite3_bind_int64(s, 3, tid);
    sqlite3_bind_text(s, 4, digest, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_EIO, "recording row counts");
    sqlite3_finalize(s);
    return rc;
}

int invs_stage_set_digest(invs_stage *st, int64_t tid, const char *digest)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK;
    if (sqlite3_prepare_v2(st->db, "UPDATE invs_tables SET digest = ? WHERE tid = ?", -1, &s,
                           NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "recording a digest");
    sqlite3_bind_text(s, 1, digest, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, tid);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_EIO, "recording a digest");
    sqlite3_finalize(s);
    return rc;
}

/* ---------------------------------------------------------------- loading */

typedef struct schema_loader {
    invs_stage *st;
    sqlite3_stmt *cols, *keys, *kcols, *seqs;
} schema_loader;

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i); /* NULL for NULL */
}

static int load_columns(schema_loader *L, invs_schema_table *st, int64_t tid)
{
    invs_arena *a = &st->arena;
    size_t n = 0, cap = 0;
    invs_column *cols = NULL;
    int step;

    sqlite3_reset(L->cols);
    sqlite3_bind_int64(L->cols, 1, tid);
    while ((step = sqlite3_step(L->cols)) == SQLITE_ROW) {
        invs_column *c;
        if (n == cap) {
            invs_column *nc = invs_arena_alloc(a, (cap = cap ? cap * 2 : 16) * sizeof(*nc));
            if (!nc)
                return invs_diag_oom(&L->st->diag);
            if (n)
                memcpy(nc, cols, n * sizeof(*nc));
            cols = nc;
        }
        c = &cols[n++];
        memset(c, 0, sizeof(*c));
        c->name = invs_arena_strdup(a, col_text(L->cols, 0));
        c->decl = invs_arena_strdup(a, col_text(L->cols, 1));
        c->canon = invs_canon_from_name(col_text(L->cols, 2) ? col_text(L->cols, 2) : "");
        c->length = sqlite3_column_int(L->cols, 3);
        c->precision = sqlite3_column_int(L->cols, 4);
        c->scale = sqlite3_column_int(L->cols, 5);
        c->flags = (uint32_t)sqlite3_column_int64(L->cols, 6);
        c->default_expr = invs_arena_strdup(a, col_text(L->cols, 7));
        c->collation = invs_arena_strdup(a, col_text(L->cols, 8));
        c->charset = invs_arena_strdup(a, col_text(L->cols, 9));
        if (!c->name || !c->decl)
            return invs_diag_oom(&L->st->diag);
        if (c->canon < 0)
            return invs_diag(&L->st->diag, INVS_ECORRUPT,
                             "stage %s: column %s has unknown type %s", L->st->path, c->name,
                             col_text(L->cols, 2));
    }
    if (step != SQLITE_DONE)
        return invs_stage_sqlerr(L->st, INVS_ECORRUPT, "reading columns");
    st->t.cols = cols;
    st->t.ncols = n;
    return INVS_OK;
}

static const char **load_key_cols(schema_loader *L, invs_arena *a, int64_t tid, int64_t kid,
                                  size_t *n, const char ***refs)
{
    size_t cap = 0;
    const char **cols = NULL, **rcols = NULL;
    *n = 0;
    sqlite3_reset(L->kcols);
    sqlite3_bind_int64(L->kcols, 1, tid);
    sqlite3_bind_int64(L->kcols, 2, kid);
    while (sqlite3_step(L->kcols) == SQLITE_ROW) {
        if (*n == cap) {
            const char **nc, **nr;
            cap = cap ? cap * 2 : 4;
            nc = invs_arena_alloc(a, cap * sizeof(*nc));
            nr = invs_arena_alloc(a, cap * sizeof(*nr));
            if (!nc || !nr)
                return NULL;
            if (*n) {
                memcpy(nc, cols, *n * sizeof(*nc));
                memcpy(nr, rcols, *n * sizeof(*nr));
            }
            cols = nc;
            rcols = nr;
        }
        cols[*n] = invs_arena_strdup(a, col_text(L->kcols, 0));
        rcols[*n] = invs_arena_strdup(a, col_text(L->kcols, 1));
        (*n)++;
    }
    *refs = rcols;
    return cols;
}

static int load_keys(schema_loader *L, invs_schema_table *st, int64_t tid)
{
    invs_arena *a = &st->arena;
    size_t n = 0, cap = 0;
    invs_key *keys = NULL;

    sqlite3_reset(L->keys);
    sqlite3_bind_int64(L->keys, 1, tid);
    while (sqlite3_step(L->keys) == SQLITE_ROW) {
        invs_key *k;
        const char **refs = NULL;
        if (n == cap) {
            invs_key *nk = invs_arena_alloc(a, (cap = cap ? cap * 2 : 8) * sizeof(*nk));
            if (!nk)
                return invs_diag_oom(&L->st->diag);
            if (n)
                memcpy(nk, keys, n * sizeof(*nk));
            keys = nk;
        }
        k = &keys[n++];
        memset(k, 0, sizeof(*k));
        k->kind = schema_key_kind(col_text(L->keys, 1));
        if (k->kind < 0)
            return invs_diag(&L->st->diag, INVS_ECORRUPT, "stage %s: unknown key kind %s",
                             L->st->path, col_text(L->keys, 1));
        k->name = invs_arena_strdup(a, col_text(L->keys, 2));
        k->flags = (uint32_t)sqlite3_column_int64(L->keys, 3);
        k->ref_table = invs_arena_strdup(a, col_text(L->keys, 4));
        k->on_delete = invs_arena_strdup(a, col_text(L->keys, 5));
        k->on_update = invs_arena_strdup(a, col_text(L->keys, 6));
        k->cols = load_key_cols(L, a, tid, sqlite3_column_int64(L->keys, 0), &k->ncols, &refs);
        if (k->kind == INVS_KEY_FOREIGN)
            k->ref_cols = refs;
    }
    st->t.keys = keys;
    st->t.nkeys = n;
    return INVS_OK;
}

static int load_seqs(schema_loader *L, invs_schema_table *st, int64_t tid)
{
    invs_arena *a = &st->arena;
    size_t n = 0, cap = 0;
    invs_sequence *seqs = NULL;

    sqlite3_reset(L->seqs);
    sqlite3_bind_int64(L->seqs, 1, tid);
    while (sqlite3_step(L->seqs) == SQLITE_ROW) {
        invs_sequence *q;
        if (n == cap) {
            invs_sequence *nq = invs_arena_alloc(a, (cap = cap ? cap * 2 : 2) * sizeof(*nq));
            if (!nq)
                return invs_diag_oom(&L->st->diag);
            if (n)
                memcpy(nq, seqs, n * sizeof(*nq));
            seqs = nq;
        }
        q = &seqs[n++];
        memset(q, 0, sizeof(*q));
        q->column = invs_arena_strdup(a, col_text(L->seqs, 0));
        q->name = invs_arena_strdup(a, col_text(L->seqs, 1));
        q->value = sqlite3_column_int64(L->seqs, 2);
        q->is_called = sqlite3_column_int(L->seqs, 3);
        q->flags = (uint32_t)sqlite3_column_int64(L->seqs, 4);
    }
    st->t.seqs = seqs;
    st->t.nseqs = n;
    return INVS_OK;
}

/* A pull records how many tables it staged: a stage that holds another
 * number, or no record of it, was changed outside invstage (rows of
 * invs_tables deleted, and the count with them), and pushing what is left
 * would look like success. Only a stage being pulled has no count yet. */
static int load_count_check(invs_stage *st)
{
    char *n = invs_stage_meta_get(st, "tables");
    char *end;
    long long want;
    int rc = INVS_OK;
    if (!n && !strcmp(st->state, INVS_STATE_PULLING))
        return INVS_OK;
    if (!n)
        return invs_diag(&st->diag, INVS_ECORRUPT,
                         "stage %s records no table count (it holds %zu table(s)): it was "
                         "changed outside invstage; pull again",
                         st->path, st->ntables);
    want = strtoll(n, &end, 10);
    if (*end || want != (long long)st->ntables)
        rc = invs_diag(&st->diag, INVS_ECORRUPT,
                       "stage %s records %s table(s) but holds %zu: it was changed outside "
                       "invstage; pull again",
                       st->path, n, st->ntables);
    free(n);
    return rc;
}

int invs_stage_load_schema(invs_stage *st)
{
    schema_loader L = {st, NULL, NULL, NULL, NULL};
    sqlite3_stmt *tabs = NULL;
    size_t cap = 0;
    int rc = INVS_OK;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT tid, name, schema, engine, flags, source_ddl,"
                           " coalesce(source_rows, -1), rows, specials, coalesce(digest, '')"
                           " FROM invs_tables"
                           " ORDER BY tid",
                           -1, &tabs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "SELECT name, decl, canon, length, precision, scale, flags,"
                           " default_expr, collation, charset FROM invs_columns"
                           " WHERE tid = ? ORDER BY ord",
                           -1, &L.cols, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "SELECT kid, kind, name, flags, ref_table, on_delete, on_update"
                           " FROM invs_keys WHERE tid = ? ORDER BY kid",
                           -1, &L.keys, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "SELECT col, ref_col FROM invs_key_columns"
                           " WHERE tid = ? AND kid = ? ORDER BY ord",
                           -1, &L.kcols, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           st->format >= 2
                               ? "SELECT col, name, value, is_called, flags FROM invs_sequences"
                                 " WHERE tid = ? ORDER BY ord"
                               : "SELECT col, name, value, is_called, 0 FROM invs_sequences"
                                 " WHERE tid = ? ORDER BY ord",
                           -1, &L.seqs, NULL) != SQLITE_OK) {
        rc = invs_stage_sqlerr(st, INVS_ECORRUPT, "reading the schema");
        goto out;
    }
    while (rc == INVS_OK && sqlite3_step(tabs) == SQLITE_ROW) {
        invs_stage_table *t;
        invs_schema_table *s;
        if (st->ntables == cap) {
            invs_stage_table *nt = realloc(st->tables, (cap = cap ? cap * 2 : 16) * sizeof(*nt));
            if (!nt) {
                rc = invs_diag_oom(&st->diag);
                break;
            }
            st->tables = nt;
        }
        if (!(s = calloc(1, sizeof(*s)))) {
            rc = invs_diag_oom(&st->diag);
            break;
        }
        t = &st->tables[st->ntables++];
        memset(t, 0, sizeof(*t));
        t->tid = sqlite3_column_int64(tabs, 0);
        t->schema = s;
        t->rows = sqlite3_column_int64(tabs, 7);
        t->specials = sqlite3_column_int64(tabs, 8);
        snprintf(t->digest, sizeof(t->digest), "%s", col_text(tabs, 9));
        invs_arena_init(&s->arena, 4096);
        s->t.struct_size = sizeof(invs_table);
        s->t.name = invs_arena_strdup(&s->arena, col_text(tabs, 1));
        s->t.schema = invs_arena_strdup(&s->arena, col_text(tabs, 2));
        s->t.engine = invs_arena_strdup(&s->arena, col_text(tabs, 3));
        s->t.flags = (uint32_t)sqlite3_column_int64(tabs, 4);
        s->t.source_ddl = invs_arena_strdup(&s->arena, col_text(tabs, 5));
        s->t.row_count = sqlite3_column_int64(tabs, 6);
        if (!s->t.name || !s->t.engine) {
            rc = invs_diag(&st->diag, INVS_ECORRUPT, "stage %s: table %lld has no name",
                           st->path, (long long)t->tid);
            break;
        }
        if ((rc = load_columns(&L, s, t->tid)) == INVS_OK &&
            (rc = load_keys(&L, s, t->tid)) == INVS_OK &&
            (rc = load_seqs(&L, s, t->tid)) == INVS_OK)
            rc = invs_stage_load_table_ext(st, s, t->tid);
        if (rc == INVS_OK && s->t.ncols == 0)
            rc = invs_diag(&st->diag, INVS_ECORRUPT, "stage %s: table %s has no columns",
                           st->path, s->t.name);
    }
    if (rc == INVS_OK)
        rc = load_count_check(st);
    if (rc == INVS_OK)
        rc = invs_stage_load_objects(st);
out:
    sqlite3_finalize(tabs);
    sqlite3_finalize(L.cols);
    sqlite3_finalize(L.keys);
    sqlite3_finalize(L.kcols);
    sqlite3_finalize(L.seqs);
    return rc;
}

/* The schema model on the host side: a driver's borrowed invs_table deep
 * copied into memory the host owns (one arena per table). */
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

static const char **schema_copy_names(invs_arena *a, const char *const *src, size_t n)
{
    const char **dst;
    size_t i;
    if (!src)
        return NULL;
    if (!(dst = invs_arena_alloc(a, (n ? n : 1) * sizeof(*dst))))
        return NULL;
    for (i = 0; i < n; i++)
        if (!(dst[i] = invs_arena_strdup(a, src[i])))
            return NULL;
    return dst;
}

/* The fields every version of invs_table has; newer fields are copied only
 * when the producer's struct_size covers them. */
int invs_schema_copy(invs_schema_table **out, const invs_table *src)
{
    invs_schema_table *st;
    invs_arena *a;
    invs_column *cols;
    invs_key *keys;
    invs_sequence *seqs;
    size_t i;

    *out = NULL;
    if (!(st = calloc(1, sizeof(*st))))
        return INVS_ENOMEM;
    a = &st->arena;
    invs_arena_init(a, 4096);
    /* a producer's table may be an older, smaller one: read no further */
    memcpy(&st->t, src, src->struct_size < sizeof(invs_table) ? src->struct_size
                                                              : sizeof(invs_table));
    st->t.struct_size = sizeof(invs_table);
    if (!INVS_HAS(src, invs_table, row_count))
        st->t.row_count = -1;
    st->t.digest = INVS_HAS(src, invs_table, digest) ? invs_arena_strdup(a, src->digest) : NULL;
    st->t.schema = invs_arena_strdup(a, src->schema);
    st->t.name = invs_arena_strdup(a, src->name ? src->name : "");
    st->t.engine = invs_arena_strdup(a, src->engine ? src->engine : "");
    st->t.source_ddl = invs_arena_strdup(a, src->source_ddl);

    cols = invs_arena_alloc(a, (src->ncols ? src->ncols : 1) * sizeof(*cols));
    keys = invs_arena_alloc(a, (src->nkeys ? src->nkeys : 1) * sizeof(*keys));
    seqs = invs_arena_alloc(a, (src->nseqs ? src->nseqs : 1) * sizeof(*seqs));
    if (!st->t.name || !st->t.engine || !cols || !keys || !seqs)
        goto nomem;
    for (i = 0; i < src->ncols; i++) {
        const invs_column *c = &src->cols[i];
        cols[i] = *c;
        cols[i].name = invs_arena_strdup(a, c->name ? c->name : "");
        cols[i].decl = invs_arena_strdup(a, c->decl ? c->decl : "");
        cols[i].default_expr = invs_arena_strdup(a, c->default_expr);
        cols[i].collation = invs_arena_strdup(a, c->collation);
        cols[i].charset = invs_arena_strdup(a, c->charset);
        if (!cols[i].name || !cols[i].decl)
            goto nomem;
    }
    for (i = 0; i < src->nkeys; i++) {
        const invs_key *k = &src->keys[i];
        keys[i] = *k;
        keys[i].name = invs_arena_strdup(a, k->name);
        keys[i].cols = schema_copy_names(a, k->cols, k->ncols);
        keys[i].ref_table = invs_arena_strdup(a, k->ref_table);
        keys[i].ref_cols = schema_copy_names(a, k->ref_cols, k->ncols);
        keys[i].on_delete = invs_arena_strdup(a, k->on_delete);
        keys[i].on_update = invs_arena_strdup(a, k->on_update);
        if ((k->cols && !keys[i].cols) || (k->ref_cols && !keys[i].ref_cols))
            goto nomem;
    }
    for (i = 0; i < src->nseqs; i++) {
        seqs[i] = src->seqs[i];
        seqs[i].column = invs_arena_strdup(a, src->seqs[i].column);
        seqs[i].name = invs_arena_strdup(a, src->seqs[i].name);
    }
    st->t.cols = cols;
    st->t.keys = keys;
    st->t.seqs = seqs;
    if (invs_schema_copy_ext(a, &st->t, src) != INVS_OK)
        goto nomem;
    *out = st;
    return INVS_OK;
nomem:
    invs_schema_free(st);
    return INVS_ENOMEM;
}

void invs_schema_free(invs_schema_table *st)
{
    if (!st)
        return;
    invs_arena_free(&st->arena);
    free(st);
}

long invs_schema_column(const invs_table *t, const char *name)
{
    size_t i;
    for (i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

const invs_key *invs_schema_primary_key(const invs_table *t)
{
    size_t i;
    for (i = 0; i < t->nkeys; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY)
            return &t->keys[i];
    return NULL;
}

int invs_schema_list_add(invs_schema_list *l, const invs_table *t)
{
    invs_schema_table *st;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        invs_schema_table **nv = realloc(l->v, cap * sizeof(*nv));
        if (!nv)
            return INVS_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    if (invs_schema_copy(&st, t) != INVS_OK)
        return INVS_ENOMEM;
    l->v[l->n++] = st;
    return INVS_OK;
}

int invs_schema_list_emit(const invs_table *t, void *payload)
{
    return invs_schema_list_add(payload, t);
}

invs_schema_table *invs_schema_list_find(const invs_schema_list *l, const char *name)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->v[i]->t.name, name) == 0)
            return l->v[i];
    return NULL;
}

void invs_schema_list_free(invs_schema_list *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        invs_schema_free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

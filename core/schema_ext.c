/* The schema beyond columns and keys (ABI 1.2: invs_colx, invs_check,
 * invs_xindex, partitioning, invs_object), deep copied into an arena the
 * host owns. A producer's struct may be older and smaller than the host's:
 * each element is read no further than its struct_size, the rest is zero,
 * and the copy carries the host's own size. */
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

/* One producer's struct into dst (host_size bytes): what the producer had,
 * then zeros, and the host's own size. */
static void ext_copy_into(void *dst, const void *src, size_t host_size)
{
    uint32_t n, mine = (uint32_t)host_size;
    memcpy(&n, src, sizeof(n));
    memset(dst, 0, host_size);
    memcpy(dst, src, n < host_size ? n : host_size);
    memcpy(dst, &mine, sizeof(mine));
}

static const char *const *ext_names(invs_arena *a, const char *const *src, size_t n, int *bad)
{
    const char **dst;
    size_t i;
    if (!src || !n)
        return NULL;
    if (!(dst = invs_arena_alloc(a, n * sizeof(*dst)))) {
        *bad = 1;
        return NULL;
    }
    for (i = 0; i < n; i++)
        if (src[i] && !(dst[i] = invs_arena_strdup(a, src[i])))
            *bad = 1;
        else if (!src[i])
            dst[i] = NULL;
    return dst;
}

static const char *ext_str(invs_arena *a, const char *s, int *bad)
{
    char *d = invs_arena_strdup(a, s);
    if (s && !d)
        *bad = 1;
    return d;
}

static int ext_colx(invs_arena *a, invs_colx *d)
{
    int bad = 0;
    d->default_value = ext_str(a, d->default_value, &bad);
    d->type_name = ext_str(a, d->type_name, &bad);
    d->labels = ext_names(a, d->labels, d->nlabels, &bad);
    return bad;
}

static int ext_check(invs_arena *a, invs_check *d)
{
    int bad = 0;
    d->name = ext_str(a, d->name, &bad);
    d->expr = ext_str(a, d->expr, &bad);
    return bad;
}

static int ext_xindex(invs_arena *a, invs_xindex *d)
{
    int bad = 0;
    d->name = ext_str(a, d->name, &bad);
    d->method = ext_str(a, d->method, &bad);
    d->where = ext_str(a, d->where, &bad);
    d->parts = ext_names(a, d->parts, d->nparts, &bad);
    if (d->exprs && !(d->exprs = invs_arena_memdup(a, d->exprs, d->nparts ? d->nparts : 1)))
        bad = 1;
    if (d->desc && !(d->desc = invs_arena_memdup(a, d->desc, d->nparts ? d->nparts : 1)))
        bad = 1;
    return bad;
}

/* n elements of a producer's array (stride: its first element's size)
 * into one contiguous array of host-sized elements, each then deepened. */
static const void *ext_array(invs_arena *a, const void *src, size_t n, size_t host_size,
                             int (*deepen)(invs_arena *, void *), int *bad)
{
    uint32_t stride;
    char *dst;
    size_t i;
    if (!src || !n)
        return NULL;
    memcpy(&stride, src, sizeof(stride));
    if (stride < sizeof(uint32_t) || !(dst = invs_arena_alloc(a, n * host_size))) {
        *bad = 1;
        return NULL;
    }
    for (i = 0; i < n && !*bad; i++) {
        ext_copy_into(dst + i * host_size, (const char *)src + i * stride, host_size);
        if (deepen(a, dst + i * host_size))
            *bad = 1;
    }
    return dst;
}

static int ext_colx_v(invs_arena *a, void *p) { return ext_colx(a, p); }
static int ext_check_v(invs_arena *a, void *p) { return ext_check(a, p); }
static int ext_xindex_v(invs_arena *a, void *p) { return ext_xindex(a, p); }

int invs_schema_copy_ext(invs_arena *a, invs_table *dst, const invs_table *src)
{
    int bad = 0;
    if (!INVS_HAS(src, invs_table, inherits)) {
        /* an older producer: the members past its size are zero already */
        dst->colx = NULL;
        dst->checks = NULL;
        dst->xindexes = NULL;
        dst->nchecks = dst->nxindexes = dst->ninherits = 0;
        dst->partition_by = dst->partition_of = dst->partition_bound = NULL;
        dst->inherits = NULL;
        return INVS_OK;
    }
    dst->colx = ext_array(a, src->colx, src->colx ? src->ncols : 0, sizeof(invs_colx),
                          ext_colx_v, &bad);
    dst->checks = ext_array(a, src->checks, src->nchecks, sizeof(invs_check), ext_check_v, &bad);
    dst->nchecks = dst->checks ? src->nchecks : 0;
    dst->xindexes = ext_array(a, src->xindexes, src->nxindexes, sizeof(invs_xindex),
                              ext_xindex_v, &bad);
    dst->nxindexes = dst->xindexes ? src->nxindexes : 0;
    dst->partition_by = ext_str(a, src->partition_by, &bad);
    dst->partition_of = ext_str(a, src->partition_of, &bad);
    dst->partition_bound = ext_str(a, src->partition_bound, &bad);
    dst->inherits = ext_names(a, src->inherits, src->ninherits, &bad);
    dst->ninherits = dst->inherits ? src->ninherits : 0;
    return bad ? INVS_ENOMEM : INVS_OK;
}

int invs_object_copy(invs_arena *a, invs_object **out, const invs_object *src)
{
    invs_object *d = invs_arena_alloc(a, sizeof(*d));
    int bad = 0;
    *out = d;
    if (!d)
        return INVS_ENOMEM;
    ext_copy_into(d, src, sizeof(*d));
    d->schema = ext_str(a, d->schema, &bad);
    d->name = ext_str(a, d->name ? d->name : "", &bad);
    d->engine = ext_str(a, d->engine ? d->engine : "", &bad);
    d->definition = ext_str(a, d->definition, &bad);
    d->table = ext_str(a, d->table, &bad);
    d->labels = ext_names(a, d->labels, d->nlabels, &bad);
    if (!d->labels)
        d->nlabels = 0;
    if (d->base) {
        invs_column *b = invs_arena_memdup(a, d->base, sizeof(*b));
        if (!b)
            return INVS_ENOMEM;
        b->name = ext_str(a, b->name ? b->name : d->name, &bad);
        b->decl = ext_str(a, b->decl ? b->decl : "", &bad);
        b->default_expr = ext_str(a, b->default_expr, &bad);
        b->collation = ext_str(a, b->collation, &bad);
        b->charset = ext_str(a, b->charset, &bad);
        d->base = b;
    }
    d->basex = ext_array(a, d->basex, d->basex ? 1 : 0, sizeof(invs_colx), ext_colx_v, &bad);
    d->checks = ext_array(a, d->checks, d->nchecks, sizeof(invs_check), ext_check_v, &bad);
    if (!d->checks)
        d->nchecks = 0;
    return bad ? INVS_ENOMEM : INVS_OK;
}

void invs_object_list_init(invs_object_list *l)
{
    memset(l, 0, sizeof(*l));
    invs_arena_init(&l->arena, 4096);
}

int invs_object_list_add(invs_object_list *l, const invs_object *o)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        invs_object **nv = realloc(l->v, cap * sizeof(*nv));
        if (!nv)
            return INVS_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    if (invs_object_copy(&l->arena, &l->v[l->n], o) != INVS_OK)
        return INVS_ENOMEM;
    l->n++;
    return INVS_OK;
}

int invs_object_list_emit(const invs_object *o, void *payload)
{
    return invs_object_list_add(payload, o);
}

void invs_object_list_free(invs_object_list *l)
{
    free(l->v);
    invs_arena_free(&l->arena);
    memset(l, 0, sizeof(*l));
}

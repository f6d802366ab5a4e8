/*
 * invstage/pool.h -- header-only allocation pool for drivers describing a
 * table: emit() copies the table it is given, so everything built for it
 * (names, column and key arrays) can live in one pool freed right after.
 * Errors are sticky: after a failure every call returns NULL and
 * invs_pool_failed() is true, so a table can be built and checked once.
 */
#ifndef INVSTAGE_POOL_H
#define INVSTAGE_POOL_H

#include <stddef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct invs_pool {
    void **p;
    size_t n, cap;
    int failed;
    void *(*realloc_fn)(void *, size_t);
    void (*free_fn)(void *);
} invs_pool;

static inline void invs_pool_init(invs_pool *pl, void *(*realloc_fn)(void *, size_t),
                                  void (*free_fn)(void *))
{
    memset(pl, 0, sizeof(*pl));
    pl->realloc_fn = realloc_fn;
    pl->free_fn = free_fn;
}

static inline int invs_pool_failed(const invs_pool *pl) { return pl->failed; }

/* n zeroed bytes owned by the pool. */
static inline void *invs_pool_alloc(invs_pool *pl, size_t n)
{
    void *m;
    if (pl->failed)
        return NULL;
    if (pl->n == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 64;
        void **np = (void **)pl->realloc_fn(pl->p, cap * sizeof(*np));
        if (!np)
            goto fail;
        pl->p = np;
        pl->cap = cap;
    }
    if (!(m = pl->realloc_fn(NULL, n ? n : 1)))
        goto fail;
    memset(m, 0, n ? n : 1);
    pl->p[pl->n++] = m;
    return m;
fail:
    pl->failed = 1;
    return NULL;
}

/* A copy of s (NULL for NULL). */
static inline const char *invs_pool_str(invs_pool *pl, const char *s)
{
    char *d;
    size_t n;
    if (!s)
        return NULL;
    n = strlen(s) + 1;
    if ((d = (char *)invs_pool_alloc(pl, n)))
        memcpy(d, s, n);
    return d;
}

/* arr (n elements of elem bytes, capacity *cap) with room for one more. */
static inline void *invs_pool_grow(invs_pool *pl, void *arr, size_t n, size_t *cap, size_t elem)
{
    void *na;
    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 8;
    if (!(na = invs_pool_alloc(pl, *cap * elem)))
        return NULL;
    if (n)
        memcpy(na, arr, n * elem);
    return na;
}

/* Free everything; the pool can be used again. */
static inline void invs_pool_free(invs_pool *pl)
{
    size_t i;
    for (i = 0; i < pl->n; i++)
        pl->free_fn(pl->p[i]);
    pl->free_fn(pl->p);
    pl->p = NULL;
    pl->n = pl->cap = 0;
    pl->failed = 0;
}

#ifdef __cplusplus
}
#endif
#endif /* INVSTAGE_POOL_H */

/*
 * Load order: parents before children, so a target that checks foreign keys
 * row by row sees every parent first, and a partitioned or inherited table
 * is made before its partitions and children. Self-references do not constrain the
 * order. Where tables form a cycle no order satisfies every key: the cycle
 * is broken at its first table in stage order, and the driver's
 * load_begin/load_end handle the rest (deferred, disabled or re-created
 * keys). Deterministic: ties go to stage order.
 */
#include <stdlib.h>
#include <string.h>

#include "order.h"

typedef struct order_graph {
    size_t n;
    size_t *start;   /* parents of i: par[start[i] .. start[i+1]) */
    size_t *par;
    unsigned char *placed;
    unsigned char *seen; /* scratch for the cycle search */
} order_graph;

static long order_find(const invs_table *const *ts, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(ts[i]->name, name) == 0)
            return (long)i;
    return -1;
}

/* A partition's parent (k = 0) and the tables a child inherits from
 * (k = 1..): made before it, as its foreign keys' parents are. */
static size_t order_ninherits(const invs_table *t)
{
    return INVS_HAS(t, invs_table, inherits) ? t->ninherits : 0;
}

static const char *order_parent(const invs_table *t, size_t k)
{
    if (!INVS_HAS(t, invs_table, inherits))
        return NULL;
    return k == 0 ? t->partition_of : t->inherits[k - 1];
}

static int order_build(order_graph *g, const invs_table *const *ts, size_t n)
{
    size_t i, k, e = 0, total = 0;
    for (i = 0; i < n; i++)
        total += ts[i]->nkeys + 1 + order_ninherits(ts[i]);
    g->n = n;
    g->start = calloc(n + 1, sizeof(*g->start));
    g->par = calloc(total + 1, sizeof(*g->par));
    g->placed = calloc(n + 1, 1);
    g->seen = calloc(n + 1, 1);
    if (!g->start || !g->par || !g->placed || !g->seen)
        return INVS_ENOMEM;
    for (i = 0; i < n; i++) {
        g->start[i] = e;
        for (k = 0; k < ts[i]->nkeys; k++) {
            long p;
            if (ts[i]->keys[k].kind != INVS_KEY_FOREIGN)
                continue;
            p = order_find(ts, n, ts[i]->keys[k].ref_table);
            if (p >= 0 && (size_t)p != i)
                g->par[e++] = (size_t)p;
        }
        for (k = 0; k <= order_ninherits(ts[i]); k++) {
            const char *parent = order_parent(ts[i], k);
            long p = parent ? order_find(ts, n, parent) : -1;
            if (p >= 0 && (size_t)p != i)
                g->par[e++] = (size_t)p;
        }
    }
    g->start[n] = e;
    return INVS_OK;
}

static void order_free(order_graph *g)
{
    free(g->start);
    free(g->par);
    free(g->placed);
    free(g->seen);
}

static int order_ready(const order_graph *g, size_t i)
{
    size_t e;
    for (e = g->start[i]; e < g->start[i + 1]; e++)
        if (!g->placed[g->par[e]])
            return 0;
    return 1;
}

/* Whether `target` is reachable from i through unplaced parents. */
static int order_reaches(order_graph *g, size_t i, size_t target)
{
    size_t e;
    for (e = g->start[i]; e < g->start[i + 1]; e++) {
        size_t p = g->par[e];
        if (g->placed[p] || g->seen[p])
            continue;
        if (p == target)
            return 1;
        g->seen[p] = 1;
        if (order_reaches(g, p, target))
            return 1;
    }
    return 0;
}

int invs_order_tables(size_t *out, const invs_table *const *ts, size_t n, size_t *out_broken)
{
    order_graph g;
    size_t done = 0, i, broken = 0;
    int rc;

    memset(&g, 0, sizeof(g));
    if ((rc = order_build(&g, ts, n)) != INVS_OK) {
        order_free(&g);
        return rc;
    }
    while (done < n) {
        size_t pick = n;
        for (i = 0; i < n && pick == n; i++)
            if (!g.placed[i] && order_ready(&g, i))
                pick = i;
        for (i = 0; i < n && pick == n; i++) { /* stuck: the first table on a cycle */
            if (g.placed[i])
                continue;
            memset(g.seen, 0, n);
            if (order_reaches(&g, i, i))
                pick = i;
        }
        if (pick == n) /* unreachable: every waiting table leads to a cycle */
            for (pick = 0; g.placed[pick]; pick++)
                ;
        if (!order_ready(&g, pick))
            broken++;
        g.placed[pick] = 1;
        out[done++] = pick;
    }
    order_free(&g);
    if (out_broken)
        *out_broken = broken;
    return INVS_OK;
}

/*
 * Load order: parents before children, so a target that checks foreign keys
 * row by row sees every parent first. Self-references do not constrain the
 * order. Where tables form a cycle no order satisfies every key; the cycle
 * is broken at the first table (in stage order) still waiting and the
 * driver's load_begin/load_end handle the rest (deferred or re-created keys).
 * Deterministic: ties go to stage order.
 */
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "order.h"

static long order_find(const invs_table *const *ts, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(ts[i]->name, name) == 0)
            return (long)i;
    return -1;
}

int invs_order_tables(size_t *out, const invs_table *const *ts, size_t n, size_t *out_broken)
{
    unsigned char *placed = calloc(n ? n : 1, 1);
    size_t done = 0, i, k, broken = 0;

    if (!placed)
        return INVS_ENOMEM;
    while (done < n) {
        long pick = -1;
        for (i = 0; i < n && pick < 0; i++) {
            int ready = !placed[i];
            for (k = 0; ready && k < ts[i]->nkeys; k++) {
                const invs_key *key = &ts[i]->keys[k];
                long p;
                if (key->kind != INVS_KEY_FOREIGN)
                    continue;
                p = order_find(ts, n, key->ref_table);
                if (p >= 0 && (size_t)p != i && !placed[p])
                    ready = 0;
            }
            if (ready)
                pick = (long)i;
        }
        if (pick < 0) { /* a cycle: take the first waiting table */
            for (i = 0; i < n && placed[i]; i++)
                ;
            pick = (long)i;
            broken++;
        }
        placed[pick] = 1;
        out[done++] = (size_t)pick;
    }
    free(placed);
    if (out_broken)
        *out_broken = broken;
    return INVS_OK;
}

/*
 * A partitioned table and its partitions, or an inheritance parent and its
 * children, are one table to their users: a query of the parent sees every
 * row. A target without partitions or inheritance (another engine: the
 * tables' SQL dialect is not the target driver's) gets that one table, the
 * topmost parent, holding the rows of all of them; the others are not made
 * there. Rows are sent to the parent by column name; the proof compares the
 * parent's table with the sum of the digests of everything sent into it
 * (digests are sums over rows, so they add), and does not look for the
 * folded tables. A child's columns its parent lacks cannot be kept there:
 * each is named in a warning. A file format keeps the stage's tables as
 * they are (an export is the stage in another form): nothing is folded.
 */
#include <stdlib.h>
#include <string.h>

#include "fold.h"

static const char *fold_parent(const invs_table *t)
{
    if (!INVS_HAS(t, invs_table, inherits))
        return NULL;
    return t->partition_of ? t->partition_of : t->ninherits ? t->inherits[0] : NULL;
}

static long fold_find(const invs_table *const *ts, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!strcmp(ts[i]->name, name))
            return (long)i;
    return -1;
}

/* The topmost parent of table i in the stage, -1 if none; n steps at
 * most, so a stage that says a table is its own ancestor ends. */
static long fold_root(const invs_table *const *ts, size_t n, size_t i)
{
    long at = (long)i, up;
    size_t steps;
    const char *p;
    for (steps = 0; steps < n && (p = fold_parent(ts[at])) && (up = fold_find(ts, n, p)) >= 0;
         steps++)
        at = up;
    return at == (long)i || fold_parent(ts[at]) ? -1 : at;
}

static void fold_warn(invs_ctx *ctx, const invs_table *t, const invs_table *root,
                      const invs_conn *dst)
{
    size_t k;
    invs_log(ctx, INVS_LOG_WARN,
             "table %s (%s %s, from %s) is not a table of its own in %s: its rows go into "
             "table %s, which holds those of all its partitions and children",
             t->name, t->partition_of ? "a partition of" : "inherits from", fold_parent(t),
             t->engine ? t->engine : "?", dst->redacted, root->name);
    for (k = 0; k < t->ncols; k++)
        if (invs_schema_column(root, t->cols[k].name) < 0)
            invs_log(ctx, INVS_LOG_WARN,
                     "table %s: column %s is not in table %s, into which its rows go: its "
                     "values are not copied",
                     t->name, t->cols[k].name, root->name);
}

int invs_fold_plan(invs_fold *f, invs_ctx *ctx, const invs_table *const *ts, size_t n,
                   const invs_conn *dst, invs_schema_table *const *existing)
{
    size_t i;
    memset(f, 0, sizeof(*f));
    f->root = malloc((n + 1) * sizeof(*f->root));
    f->dg = calloc(n + 1, sizeof(*f->dg));
    if (!f->root || !f->dg)
        return INVS_ENOMEM;
    for (i = 0; i < n; i++) {
        long r = -1;
        if (fold_parent(ts[i]) && !invs_conn_native(dst, ts[i]->engine) && !existing[i] &&
            !(dst->drv->caps & INVS_CAP_FILE) &&
            (r = fold_root(ts, n, i)) >= 0 && existing[r])
            r = -1;
        f->root[i] = r;
        if (r >= 0) {
            f->nfolded++;
            fold_warn(ctx, ts[i], ts[r], dst);
        }
    }
    return INVS_OK;
}

void invs_fold_free(invs_fold *f)
{
    free(f->root);
    free(f->dg);
    memset(f, 0, sizeof(*f));
}

void invs_fold_digest_add(invs_digest *a, const invs_digest *b)
{
    a->rows += b->rows;
    a->a += b->a;
    a->b += b->b;
}

int invs_fold_rows_open(invs_fold_rows *p, const invs_table *from, const invs_table *to)
{
    size_t k;
    p->to = to;
    p->map = calloc(to->ncols + 1, sizeof(*p->map));
    p->row = calloc(to->ncols + 1, sizeof(*p->row));
    if (!p->map || !p->row)
        return INVS_ENOMEM;
    for (k = 0; k < to->ncols; k++)
        p->map[k] = invs_schema_column(from, to->cols[k].name);
    return INVS_OK;
}

const invs_value *invs_fold_row(invs_fold_rows *p, const invs_value *row)
{
    size_t k;
    for (k = 0; k < p->to->ncols; k++) {
        if (p->map[k] >= 0) {
            p->row[k] = row[p->map[k]];
        } else {
            memset(&p->row[k], 0, sizeof(p->row[k]));
            p->row[k].type = INVS_NULL;
        }
    }
    return p->row;
}

void invs_fold_rows_close(invs_fold_rows *p)
{
    free(p->map);
    free(p->row);
    p->map = NULL;
    p->row = NULL;
}

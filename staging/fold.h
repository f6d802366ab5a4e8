/* fold.h -- partitions and inheritance children into one table, for a
 * target that has neither (staging/fold.c). */
#ifndef INVS_FOLD_H
#define INVS_FOLD_H

#include "stage.h"

typedef struct invs_fold {
    long *root;      /* per stage table: the table its rows go into, -1: its own */
    invs_digest *dg; /* per stage table: every row sent into it, where others fold in */
    size_t nfolded;
} invs_fold;

/* Which of the n tables ts go into another one in target dst: a partition
 * or an inheritance child from another engine (not a file format), whose
 * topmost parent is in the stage and neither is in the target yet
 * (existing[i] NULL). Each is
 * named in a warning, with the columns its parent lacks (not copied). */
int invs_fold_plan(invs_fold *f, invs_ctx *ctx, const invs_table *const *ts, size_t n,
                   const invs_conn *dst, invs_schema_table *const *existing);
void invs_fold_free(invs_fold *f);
/* a.rows += b.rows and so on: the digest of both sets of rows */
void invs_fold_digest_add(invs_digest *a, const invs_digest *b);

/* A member's rows as its root's: values by column name, NULL where the
 * member has no such column. */
typedef struct invs_fold_rows {
    const invs_table *to;
    long *map;
    invs_value *row;
} invs_fold_rows;

int invs_fold_rows_open(invs_fold_rows *p, const invs_table *from, const invs_table *to);
const invs_value *invs_fold_row(invs_fold_rows *p, const invs_value *row);
void invs_fold_rows_close(invs_fold_rows *p);

#endif

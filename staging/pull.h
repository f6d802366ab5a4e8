/*
 * pull.h -- pull with a tee: the rows pull stores, handed on as well.
 *
 * migrate (migrate.c) loads the target while the stage is still being
 * written: every table's schema goes into the stage first; the tee's
 * start sees them and says in which order it wants the tables; each
 * batch of rows the stage writer stores is handed to it too, in the stage
 * writer's thread. What the tee does with the rows never fails the pull:
 * a tee that fails stops taking them, and the stage is written whole.
 */
#ifndef INVS_PULL_H
#define INVS_PULL_H

#include "stage.h"

typedef struct invs_pull_tee {
    /* Every table's schema is in st (st->tables loaded, in stage order):
     * fill order[0..st->ntables) with the stage indices in the order to
     * pull them and return INVS_OK to take the rows; anything else: pull
     * goes on alone, in its own order. */
    int (*start)(void *payload, invs_stage *st, size_t *order);
    void (*table_begin)(void *payload, size_t k); /* stage table k's rows come next */
    void (*rows)(void *payload, const invs_value *rows, size_t nrows); /* writer's thread */
    /* digest: of every row handed over for table k (as the stage records
     * it after the pull), NULL when the table's pull failed */
    void (*table_end)(void *payload, size_t k, const char *digest);
    void *payload;
} invs_pull_tee;

/* invs_pull, the rows handed to tee as well (NULL: none). With a tee
 * that started, *kept (when not NULL) gets the finished stage -- closed
 * on disk, its schema still in memory for what the tee holds of it --
 * for the caller to invs_stage_close; else NULL. */
int invs_pull_tee_run(invs_ctx *ctx, const char *source_uri, const char *stage_path,
                      const invs_pull_opts *opts, const invs_pull_tee *tee, invs_stage **kept);

#endif

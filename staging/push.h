/*
 * push.h -- push fed by a tee: the rows of a stage still being pulled,
 * into the target as pull stores them (migrate.c).
 *
 * The same steps as invs_push, the same checks of the target, the same
 * conversions, one transaction; only the rows come from pull's stage
 * writer instead of a reader, and the end (keys, proof, commit) waits
 * for the caller: for verify, on the finished stage.
 */
#ifndef INVS_PUSH_H
#define INVS_PUSH_H

#include "stage.h"

typedef struct invs_push_tee invs_push_tee;

/* Into target_uri, the tables of st (schema loaded, no rows yet; st stays
 * the caller's, alive until invs_push_tee_close): connect, check, begin,
 * make the missing tables. order gets the stage indices in load order.
 * INVS_EUNSUPPORTED where rows cannot go in beside the pull (DDL outside
 * the transaction, a file format, tables folded into others). A failure's
 * reason stays in the tee, for invs_push_tee_close. */
int invs_push_tee_open(invs_push_tee **out, invs_ctx *ctx, invs_stage *st,
                       const char *target_uri, const invs_push_opts *opts, size_t *order);
/* Stage table k's rows, in batches, between its begin and end. After a
 * failure (invs_push_tee_failed) the tee takes no more. */
void invs_push_tee_table_begin(invs_push_tee *t, size_t k);
void invs_push_tee_rows(invs_push_tee *t, const invs_value *rows, size_t nrows);
/* digest: of the rows pull handed over (NULL: its pull failed) */
void invs_push_tee_table_end(invs_push_tee *t, size_t k, const char *digest);
int invs_push_tee_failed(const invs_push_tee *t);
/* Whether a push into a target of driver d can be fed by a tee at all
 * (decided before anything is read or written). */
int invs_push_tee_possible(const invs_driver *d, const invs_push_opts *opts);
/* 1 when every table's rows sent are the rows `verified` records (its
 * digests): verify changed nothing the load has. */
int invs_push_tee_matches(const invs_push_tee *t, const invs_stage *verified);
/* Every row in and invs_push_tee_matches: keys, sequences, views, the
 * proof against `verified` (the finished stage as verify left it, open),
 * and the commit; INVS_EUNSUPPORTED (nothing done) when it does not match. */
int invs_push_tee_commit(invs_push_tee *t, invs_stage *verified);
/* Roll back what is not committed, and free. report: the result rc of
 * the push, reported as invs_push reports; else the tee's failure, if
 * any, only logged. */
int invs_push_tee_close(invs_push_tee *t, int rc, int report);

#endif

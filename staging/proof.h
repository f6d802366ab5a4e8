/* proof.h -- does a target hold exactly the stage's rows? */
#ifndef INVS_PROOF_H
#define INVS_PROOF_H

#include "stage.h"

/* Called for each table whose target copy differs: `key` is the first
 * differing row's key ("(id)=(5)", "row 3"), `why` what differs. */
typedef int (*invs_proof_fn)(const invs_stage_table *t, const char *key, const char *why,
                             void *payload);

/* Read every stage table back from the target through its driver, digest
 * it the stage's way and compare; report each difference. *out_differ =
 * tables that differ. The target connection may be inside the push's
 * transaction (what it reads is what would be committed). */
int invs_proof(invs_ctx *ctx, invs_stage *st, invs_conn *target, invs_proof_fn report,
               void *payload, int64_t *out_differ);

#endif

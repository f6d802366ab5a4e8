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
 * transaction (what it reads is what would be committed).
 *
 * Tables whose values went through core/convert.c into the target's
 * column types (naive timestamps meaning zone tz, NULL: UTC) are compared
 * with the stage's rows converted alike: table i when convert[i] is
 * non-zero, or every table when convert is NULL. Their expected digest is
 * expected[i] where the caller computed it while converting (push, from
 * the rows it sent; "" if not), else computed here from the stage; "-"
 * when the table's rows went into another table (staging/fold.c), whose
 * expected digest counts them: it is not looked for in the target.
 * Failures are j's; a difference is what report says it is. */
int invs_proof(invs_job *j, invs_stage *st, invs_conn *target, const invs_tz *tz,
               const unsigned char *convert, const char (*expected)[INVS_DIGEST_HEX],
               invs_proof_fn report, void *payload, int64_t *out_differ);

#endif

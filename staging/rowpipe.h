/* rowpipe.h -- rows handed from the calling thread to a consumer thread,
 * in batches, so that reading a source and writing the stage overlap. */
#ifndef INVS_ROWPIPE_H
#define INVS_ROWPIPE_H

#include "invs_core.h"

/* Runs in the pipe's thread with a batch of nrows rows of ncols values;
 * non-zero stops the pipe and is what put and close return. */
typedef int (*invs_rowpipe_fn)(void *payload, const invs_value *rows, size_t nrows);

typedef struct invs_rowpipe invs_rowpipe;

/* INVS_OK, INVS_ENOMEM, or INVS_EIO when no thread can be started. */
int invs_rowpipe_open(invs_rowpipe **out, size_t ncols, invs_rowpipe_fn fn, void *payload);
/* Copy one row in (the caller's row may change after). The consumer's
 * error once it has failed, else INVS_OK (or INVS_ENOMEM). */
int invs_rowpipe_put(invs_rowpipe *p, const invs_value *row);
/* Hand over what is left (unless abort), stop the thread, free: INVS_OK or
 * the first error of the consumer. */
int invs_rowpipe_close(invs_rowpipe *p, int abort);

#endif

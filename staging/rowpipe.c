/*
 * Two batches alternate between the producer (the caller: a driver's
 * cursor) and the consumer thread (the stage writer and the digest): while
 * one is consumed the other fills. A batch holds up to ROWPIPE_ROWS rows or
 * ROWPIPE_BYTES of text and blobs, copied into its own arena, so memory
 * stays flat whatever the table's size.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rowpipe.h"

#define ROWPIPE_ROWS 512
#define ROWPIPE_BYTES (1u << 20)

typedef struct rowpipe_batch {
    invs_value *rows;
    size_t n, bytes;
    invs_arena arena;
    int full; /* handed to the consumer, not yet given back */
} rowpipe_batch;

struct invs_rowpipe {
    size_t ncols;
    invs_rowpipe_fn fn;
    void *payload;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rowpipe_batch b[2];
    int fill;    /* the batch the producer fills */
    int closing; /* no more batches will come */
    int rc;      /* the consumer's first error */
};

static void *rowpipe_consume(void *arg)
{
    invs_rowpipe *p = arg;
    int k = 0, rc = INVS_OK;
    for (;;) {
        rowpipe_batch *b = &p->b[k];
        pthread_mutex_lock(&p->mu);
        while (!b->full && !p->closing)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!b->full) { /* closing, and nothing left */
            pthread_mutex_unlock(&p->mu);
            break;
        }
        pthread_mutex_unlock(&p->mu);
        if (rc == INVS_OK && b->n)
            rc = p->fn(p->payload, b->rows, b->n);
        pthread_mutex_lock(&p->mu);
        if (rc != INVS_OK && p->rc == INVS_OK)
            p->rc = rc;
        b->full = 0;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        k ^= 1;
    }
    return NULL;
}

int invs_rowpipe_open(invs_rowpipe **out, size_t ncols, invs_rowpipe_fn fn, void *payload)
{
    invs_rowpipe *p;
    int k;
    *out = NULL;
    if (!(p = calloc(1, sizeof(*p))))
        return INVS_ENOMEM;
    p->ncols = ncols ? ncols : 1;
    p->fn = fn;
    p->payload = payload;
    for (k = 0; k < 2; k++) {
        invs_arena_init(&p->b[k].arena, 256 * 1024);
        if (!(p->b[k].rows = malloc(ROWPIPE_ROWS * p->ncols * sizeof(invs_value)))) {
            free(p->b[0].rows);
            free(p);
            return INVS_ENOMEM;
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, rowpipe_consume, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p->b[0].rows);
        free(p->b[1].rows);
        free(p);
        return INVS_EIO;
    }
    *out = p;
    return INVS_OK;
}

/* Hand the filling batch over and wait for the other to come back. */
static int rowpipe_swap(invs_rowpipe *p)
{
    rowpipe_batch *next;
    int rc;
    pthread_mutex_lock(&p->mu);
    p->b[p->fill].full = 1;
    pthread_cond_broadcast(&p->cv);
    p->fill ^= 1;
    next = &p->b[p->fill];
    while (next->full)
        pthread_cond_wait(&p->cv, &p->mu);
    rc = p->rc;
    pthread_mutex_unlock(&p->mu);
    next->n = next->bytes = 0;
    invs_arena_reset(&next->arena);
    return rc;
}

int invs_rowpipe_put(invs_rowpipe *p, const invs_value *row)
{
    rowpipe_batch *b = &p->b[p->fill];
    if (invs_arena_copy_row(&b->arena, b->rows + b->n * p->ncols, row, p->ncols, &b->bytes) !=
        INVS_OK)
        return INVS_ENOMEM;
    if (++b->n == ROWPIPE_ROWS || b->bytes >= ROWPIPE_BYTES)
        return rowpipe_swap(p);
    return INVS_OK;
}

int invs_rowpipe_close(invs_rowpipe *p, int abort)
{
    int rc, k;
    if (!p)
        return INVS_OK;
    pthread_mutex_lock(&p->mu);
    if (!abort && p->b[p->fill].n && p->rc == INVS_OK)
        p->b[p->fill].full = 1;
    p->closing = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    rc = p->rc;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    for (k = 0; k < 2; k++) {
        invs_arena_free(&p->b[k].arena);
        free(p->b[k].rows);
    }
    free(p);
    return rc;
}

/*
 * pull: a driver's schema and rows into a new stage.
 *
 * The stage is written under a temporary name and moved into place only
 * when every table is complete, so a failed or interrupted pull leaves no
 * stage behind (and a crash leaves one that says "pulling").
 *
 * Each table's rows go from the driver's cursor (this thread) through a
 * row pipe to a second thread that writes them into the stage and digests
 * them: reading the source and writing the stage overlap. Each side fails
 * on its own handle's record (the source's session, the stage), so the two
 * never write one record at once; the job takes the one that failed.
 */
#include <stdlib.h>
#include <string.h>

#include "objects.h"
#include "pull.h"
#include "rowpipe.h"
#include "schema_from.h"
#include "select.h"
#include "stage.h"

#define PULL_PROGRESS_EVERY 65536

typedef struct pull_state {
    invs_job job;
    const invs_pull_opts *opts;
    invs_schema_list tables;
    invs_select sel;
    invs_schema_list given; /* --schema-from's tables, alive until the source closes */
} pull_state;

static int pull_emit(const invs_table *t, void *payload)
{
    pull_state *ps = payload;
    if (!invs_select_has(&ps->sel, t->name))
        return INVS_OK;
    if (t->ncols == 0)
        return invs_diag(&ps->job.diag, INVS_EUNSUPPORTED, "table %s has no columns", t->name);
    if (invs_schema_list_add(&ps->tables, t) != INVS_OK)
        return invs_diag_oom(&ps->job.diag);
    return INVS_OK;
}

/* Warn about foreign keys whose parent table was left out of the stage. */
static int pull_check_refs(pull_state *ps)
{
    invs_table **ts = calloc(ps->tables.n + 1, sizeof(*ts));
    size_t i;
    if (!ts)
        return invs_diag_oom(&ps->job.diag);
    for (i = 0; i < ps->tables.n; i++)
        ts[i] = &ps->tables.v[i]->t;
    invs_select_warn_refs(ps->job.ctx, ts, ps->tables.n, ps->opts->drop_dangling_fks, "stage");
    free(ts);
    return INVS_OK;
}

typedef struct pull_meta_sink {
    invs_job *j;
    invs_stage *stage;
} pull_meta_sink;

static int pull_meta_fact(const char *key, const char *value, void *payload)
{
    pull_meta_sink *m = payload;
    invs_strbuf k;
    int rc;
    invs_sb_init_std(&k);
    invs_sb_printf(&k, "source.%s", key);
    if (invs_sb_failed(&k))
        return invs_diag_oom(&m->j->diag);
    if ((rc = invs_stage_meta_set(m->stage, k.p, value)) != INVS_OK)
        invs_stage_err(m->j, m->stage, rc);
    invs_sb_free(&k);
    return rc;
}

/* The facts a source carries about its data (1.2 drivers that have any),
 * kept in the stage as source.KEY. */
static int pull_meta(pull_state *ps, invs_conn *src, invs_stage *stage)
{
    pull_meta_sink m = {&ps->job, stage};
    const invs_driver *d = src->drv;
    if (!INVS_HAS(d, invs_driver, meta_read) || !d->meta_read)
        return INVS_OK;
    return d->meta_read(src->h, pull_meta_fact, &m);
}

/* The stage's side of a table: runs in the row pipe's thread. */
typedef struct pull_sink {
    invs_stage_writer *w;
    const invs_table *t;
    invs_digest dg;
    invs_strbuf enc;
    const invs_pull_tee *tee; /* NULL: the stage alone */
} pull_sink;

static int pull_sink_rows(void *payload, const invs_value *rows, size_t nrows)
{
    pull_sink *k = payload;
    size_t r;
    int rc;
    for (r = 0; r < nrows; r++) {
        const invs_value *row = rows + r * k->t->ncols;
        if ((rc = invs_stage_writer_put(k->w, row)) != INVS_OK)
            return rc;
        invs_digest_row(&k->dg, &k->enc, k->t, row, NULL, NULL, NULL);
    }
    if (k->tee) /* after the stage has them: the stage's failure stops both */
        k->tee->rows(k->tee->payload, rows, nrows);
    return invs_sb_failed(&k->enc) ? INVS_ENOMEM : INVS_OK;
}

/* Table t into the stage's table tid (its rows also to tee, as stage
 * table k, when not NULL). hints: INVS_HINT_LAST for the last table read
 * from src. */
static int pull_table(pull_state *ps, invs_conn *src, invs_stage *stage, const invs_table *t,
                      int64_t tid, const invs_pull_tee *tee, size_t k, uint32_t hints)
{
    invs_job *j = &ps->job;
    invs_rowpipe *pipe = NULL;
    pull_sink sink;
    invs_drv_cursor *cur = NULL;
    const invs_value *row;
    int64_t n = 0;
    char hex[INVS_DIGEST_HEX] = "";
    int rc, wrc;

    memset(&sink, 0, sizeof(sink));
    sink.t = t;
    sink.tee = tee;
    invs_digest_init(&sink.dg);
    invs_sb_init_std(&sink.enc);
    if (tee)
        tee->table_begin(tee->payload, k);
    if ((rc = invs_stage_writer_open(&sink.w, stage, tid, t)) != INVS_OK) {
        invs_stage_err(j, stage, rc);
        goto out;
    }
    if ((rc = invs_conn_cursor_open(&cur, src, t, hints)) != INVS_OK) {
        cur = NULL;
        invs_conn_err(j, src, rc);
        goto out;
    }
    if ((rc = invs_rowpipe_open(&pipe, t->ncols, pull_sink_rows, &sink)) != INVS_OK) {
        if (rc == INVS_ENOMEM)
            invs_diag_oom(&j->diag);
        else
            invs_diag(&j->diag, rc, "cannot start a thread");
        goto out;
    }
    invs_progress(j->ctx, t->name, 0, t->row_count);
    while ((rc = src->drv->cursor_next(cur, &row)) == INVS_ROW) {
        if ((rc = invs_rowpipe_put(pipe, row)) != INVS_OK)
            break;
        if (++n % PULL_PROGRESS_EVERY == 0) {
            if (invs_ctx_cancelled(j->ctx)) {
                rc = invs_diag(&j->diag, INVS_ECANCELLED, "interrupted");
                break;
            }
            invs_progress(j->ctx, t->name, n, t->row_count);
        }
    }
    wrc = invs_rowpipe_close(pipe, rc != INVS_DONE);
    if (wrc != INVS_OK) { /* the stage's side failed: its reason first */
        rc = invs_stage_err(j, stage, wrc);
        goto out;
    }
    if (rc != INVS_DONE) {
        if (!j->diag.code) /* else the job said why (interrupted) */
            invs_conn_err(j, src, rc);
        goto out;
    }
    invs_progress(j->ctx, t->name, n, n);
    invs_digest_hex(&sink.dg, hex);
    if (t->digest && strcmp(t->digest, hex) != 0) {
        rc = invs_diag(&j->diag, INVS_ECORRUPT,
                       "the source records the rows' content digest %s, but the %lld row(s) "
                       "read digest to %s: it was changed or damaged since it was written",
                       t->digest, (long long)n, hex);
        goto out;
    }
    if ((rc = invs_stage_set_rows(stage, tid, n, invs_stage_writer_specials(sink.w), hex)) !=
            INVS_OK ||
        (rc = invs_stage_writer_save_profile(sink.w)) != INVS_OK)
        invs_stage_err(j, stage, rc);
out:
    if (tee)
        tee->table_end(tee->payload, k, rc == INVS_OK ? hex : NULL);
    invs_sb_free(&sink.enc);
    if (cur)
        src->drv->cursor_close(cur);
    invs_stage_writer_close(sink.w);
    if (rc != INVS_OK)
        invs_diag_prefix(&j->diag, "pull: table %s", t->name);
    return rc;
}

/* Every table into the stage before any row (a tee plans the load from
 * them); tids[i] is table i's. With a tee, *order what it asks for. */
static int pull_tables(pull_state *ps, invs_stage *stage, int64_t *tids, size_t *order,
                       const invs_pull_tee **tee)
{
    size_t i;
    int rc;
    for (i = 0; i < ps->tables.n; i++) {
        order[i] = i;
        if ((rc = invs_stage_add_table(stage, &ps->tables.v[i]->t, &tids[i])) != INVS_OK)
            return invs_stage_err(&ps->job, stage, rc);
    }
    if (!*tee)
        return INVS_OK;
    if ((rc = invs_stage_load_schema(stage)) != INVS_OK)
        return invs_stage_err(&ps->job, stage, rc);
    if (stage->ntables != ps->tables.n || (*tee)->start((*tee)->payload, stage, order) != INVS_OK) {
        for (i = 0; i < ps->tables.n; i++)
            order[i] = i;
        *tee = NULL;
    }
    return INVS_OK;
}

int invs_pull(invs_ctx *ctx, const char *source_uri, const char *stage_path,
              const invs_pull_opts *opts)
{
    return invs_pull_tee_run(ctx, source_uri, stage_path, opts, NULL, NULL);
}

int invs_pull_tee_run(invs_ctx *ctx, const char *source_uri, const char *stage_path,
                      const invs_pull_opts *opts, const invs_pull_tee *tee, invs_stage **kept)
{
    static const invs_pull_opts no_opts;
    pull_state ps;
    invs_conn *src = NULL;
    invs_stage *stage = NULL;
    int64_t *tids = NULL;
    size_t i, *order = NULL;
    int rc;

    if (kept)
        *kept = NULL;

    memset(&ps, 0, sizeof(ps));
    invs_job_init(&ps.job, ctx);
    ps.opts = opts ? opts : &no_opts;
    invs_ctx_set_phase(ctx, "pull");
    if (invs_select_init(&ps.sel, ps.opts->tables, ps.opts->ntables, ps.opts->excludes,
                         ps.opts->nexcludes) != INVS_OK)
        return invs_ctx_report(ctx, &ps.job.diag, invs_diag_oom(&ps.job.diag));
    if ((rc = invs_conn_open(&src, &ps.job, source_uri, "source", INVS_CAP_PULL, INVS_OPEN_READ,
                             ps.opts->driver_options)) != INVS_OK ||
        (rc = invs_stage_create(&stage, ctx, &ps.job.diag, stage_path, ps.opts->overwrite)) !=
            INVS_OK)
        goto out;
    if ((rc = invs_stage_meta_set(stage, "source", src->redacted)) != INVS_OK ||
        (rc = invs_stage_meta_set(stage, "source_driver", src->drv->name)) != INVS_OK ||
        (rc = invs_stage_meta_set(stage, "source_driver_version", src->drv->version)) !=
            INVS_OK) {
        invs_stage_err(&ps.job, stage, rc);
        goto out;
    }
    if (ps.opts->schema_from &&
        (rc = invs_schema_from(&ps.job, src, ps.opts->schema_from, &ps.given)) != INVS_OK)
        goto out;
    if ((rc = src->drv->schema_read(src->h, pull_emit, &ps)) != INVS_OK ||
        (rc = pull_meta(&ps, src, stage)) != INVS_OK ||
        (rc = invs_objects_pull(&ps.job, src, stage)) != INVS_OK) {
        if (!ps.job.diag.code) /* not pull's own refusal: the driver's, or the stage's */
            invs_conn_err(&ps.job, src, rc);
        goto out;
    }
    if ((rc = invs_select_check_used(&ps.sel, &ps.job.diag, "source", src->redacted)) !=
            INVS_OK ||
        (rc = pull_check_refs(&ps)) != INVS_OK)
        goto out;
    tids = calloc(ps.tables.n + 1, sizeof(*tids));
    order = calloc(ps.tables.n + 1, sizeof(*order));
    if (!tids || !order) {
        rc = invs_diag_oom(&ps.job.diag);
        goto out;
    }
    if ((rc = pull_tables(&ps, stage, tids, order, &tee)) != INVS_OK)
        goto out;
    for (i = 0; i < ps.tables.n; i++)
        if ((rc = pull_table(&ps, src, stage, &ps.tables.v[order[i]]->t, tids[order[i]], tee,
                             order[i], i + 1 == ps.tables.n ? INVS_HINT_LAST : 0)) != INVS_OK)
            goto out;
    if ((rc = invs_stage_finish(stage, INVS_STATE_PULLED)) != INVS_OK)
        invs_stage_err(&ps.job, stage, rc);
    if (rc == INVS_OK && tee && kept) { /* what the tee holds points into its schema */
        *kept = stage;
        stage = NULL;
    }
out:
    free(tids);
    free(order);
    invs_stage_close(stage);
    invs_conn_close(src);
    invs_schema_list_free(&ps.given);
    invs_schema_list_free(&ps.tables);
    invs_select_free(&ps.sel);
    return invs_ctx_report(ctx, &ps.job.diag, rc);
}

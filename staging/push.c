/*
 * push: a stage into a target, all or nothing.
 *
 *   1. check everything, write nothing: stage state, target tables' columns,
 *      rows already in the target (refused unless clear);
 *   2. inside one transaction: let the driver relax what stops child-first
 *      rows (load_begin), clear, create missing tables, load in foreign key
 *      order in batches, add secondary indexes, let the driver restore and
 *      check its constraints (load_end), restore sequences, read every table
 *      back and compare its digest with the stage's (the proof), commit.
 * Any failure rolls the transaction back.
 *
 * Rows going into tables the target already had are converted to their
 * column types on the way (core/convert.c), for every target driver alike.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "fold.h"
#include "objects.h"
#include "order.h"
#include "proof.h"
#include "push.h"
#include "rowpipe.h"
#include "schema_from.h"
#include "select.h"
#include "stage.h"
#include "version.h"

#define PUSH_BATCH_ROWS 256
#define PUSH_BATCH_BYTES (1u << 20)
#define PUSH_LIST_MAX 10

typedef struct push_job {
    invs_job job;
    invs_stage *stage;
    invs_conn *dst;
    const invs_push_opts *opts;
    size_t n;
    const invs_table **ts;       /* stage tables, stage order */
    invs_schema_table **existing; /* the target's table of the same name, or NULL */
    size_t *order;
    const invs_table **ordered;  /* ts in load order */
    invs_schema_list target;      /* everything schema_read found in the target */
    invs_tz *tz;                  /* --assume-tz; NULL: UTC */
    unsigned char *into_existing; /* per stage table: loaded into the target's own table */
    char (*expected)[INVS_DIGEST_HEX]; /* per stage table: digest of the converted rows
                                          sent, for the proof ("" if not computed) */
    unsigned char *created;       /* per table in load order: made before the data
                                     transaction (DDL not transactional) */
    int committed;                /* the target committed: nothing is undone */
    int tee;                      /* rows from pull's tee (push.h), not a reader */
    int txn_ddl;                  /* the target's DDL rolls back */
    int begun;                    /* a transaction is open on the target */
    invs_fold fold;               /* tables whose rows go into another (fold.c) */
    const invs_table **made;      /* ordered, less the folded tables: what the target has */
    size_t nmade;
} push_job;

/* Append the column differences of stage table s and target table t. */
static void push_diff_columns(invs_strbuf *sb, const invs_table *s, const invs_table *t)
{
    size_t i;
    int first = 1;
    for (i = 0; i < s->ncols; i++)
        if (invs_schema_column(t, s->cols[i].name) < 0) {
            invs_sb_printf(sb, "%s missing in target: %s", first ? "" : ",", s->cols[i].name);
            first = 0;
        }
    for (i = 0; i < t->ncols; i++)
        if (invs_schema_column(s, t->cols[i].name) < 0) {
            invs_sb_printf(sb, "%s not in stage: %s", first ? "" : ",", t->cols[i].name);
            first = 0;
        }
}

/* Step 1: nothing is written. */
static int push_check_target(push_job *j)
{
    invs_strbuf diffs, full, one;
    size_t i, ndiff = 0, nfull = 0;
    int rc = INVS_OK;

    invs_sb_init_std(&one);
    invs_sb_init_std(&diffs);
    invs_sb_init_std(&full);
    for (i = 0; i < j->n && rc == INVS_OK; i++) {
        const invs_table *s = j->ts[i];
        if (!(j->existing[i] = invs_schema_list_find(&j->target, s->name))) {
            const invs_driver *d = j->dst->drv;
            if (!(d->caps & INVS_CAP_CREATE))
                rc = invs_diag(&j->job.diag, INVS_EUNSUPPORTED,
                               "target has no table %s and driver %s cannot create tables",
                               s->name, d->name);
            else if (!(d->caps & INVS_CAP_TXN_DDL) &&
                     !(INVS_HAS(d, invs_driver, table_drop) && d->table_drop))
                rc = invs_diag(&j->job.diag, INVS_EUNSUPPORTED,
                               "target has no table %s, and driver %s (ABI %u.%u) could not "
                               "remove it again after a failure: its DDL is not "
                               "transactional and it has no table_drop; create the tables "
                               "first",
                               s->name, d->name, d->abi_major, d->abi_minor);
            continue;
        }
        /* rows into a table the target has are converted to its types: the
         * stage's digest is not theirs */
        j->stage->tables[i].schema->t.digest = NULL;
        invs_sb_reset(&one);
        push_diff_columns(&one, s, &j->existing[i]->t);
        if (one.len && ndiff++ < PUSH_LIST_MAX)
            invs_sb_printf(&diffs, "\n  table %s:%s", s->name, one.p);
        if (!j->opts->clear) {
            int has = 0;
            if ((rc = j->dst->drv->has_rows(j->dst->h, &j->existing[i]->t, &has)) != INVS_OK) {
                invs_conn_err(&j->job, j->dst, rc);
                break;
            }
            if (has && nfull++ < PUSH_LIST_MAX)
                invs_sb_printf(&full, "%s%s", nfull > 1 ? ", " : "", s->name);
        }
    }
    /* the application's version before the columns and rows it implies */
    for (i = 0; i < j->n && rc == INVS_OK && !j->opts->ignore_version; i++)
        rc = invs_version_guard(&j->job, j->stage, &j->stage->tables[i], j->dst,
                                j->existing[i] ? &j->existing[i]->t : NULL);
    if (rc == INVS_OK && (invs_sb_failed(&diffs) || invs_sb_failed(&full) || invs_sb_failed(&one)))
        rc = invs_diag_oom(&j->job.diag);
    else if (rc == INVS_OK && ndiff)
        rc = invs_diag(&j->job.diag, INVS_EREFUSED,
                       "target %s: %zu table(s) do not have the stage's columns; nothing "
                       "was written:%s",
                       j->dst->redacted, ndiff, diffs.p);
    else if (rc == INVS_OK && nfull)
        rc = invs_diag(&j->job.diag, INVS_EREFUSED,
                       "target %s is not empty: %zu table(s) already hold rows (%s%s); "
                       "nothing was written. Use -c to clear them first",
                       j->dst->redacted, nfull, full.p, nfull > PUSH_LIST_MAX ? ", ..." : "");
    invs_sb_free(&one);
    invs_sb_free(&diffs);
    invs_sb_free(&full);
    return rc;
}

/* A value convert refused: name table, key, column, value and type. */
static int push_unconvertible(push_job *j, const invs_table *t, const invs_value *row,
                              int64_t rid, size_t col, const invs_column *to, const char *why)
{
    invs_strbuf key, val;
    int rc;
    invs_sb_init_std(&key);
    invs_sb_init_std(&val);
    invs_sb_row_key(&key, t, row, rid);
    if (row[col].type == INVS_REAL && isfinite(row[col].num.d)) { /* as the user wrote it */
        char num[INVS_DOUBLE_TEXT];
        invs_double_text(num, row[col].num.d);
        invs_sb_puts(&val, num);
    } else {
        invs_sb_value(&val, &row[col]);
    }
    rc = invs_diag(&j->job.diag, INVS_ETYPE,
                   "%s, column %s: the value %s %s, so it cannot go into the target's %s "
                   "column; nothing was committed",
                   invs_sb_failed(&key) ? "?" : key.p, t->cols[col].name,
                   invs_sb_failed(&val) ? "?" : val.p, why,
                   to->decl && *to->decl ? to->decl : invs_canon_name(to->canon));
    invs_sb_free(&key);
    invs_sb_free(&val);
    return rc;
}

/* One table's rows on their way: converted into the target's types where
 * it had the table, digested as the proof will compare them, and handed
 * to the writer in batches (rows copied into an arena: memory stays flat). */
typedef struct push_send {
    const invs_table *t;
    invs_drv_writer *w;
    invs_value *rows, *cvrow;
    size_t cap, n, bytes;
    invs_arena arena;
    invs_convert cv;
    invs_convert exact;   /* decimals by their exact value, for the digest: the
                             proof never compares with the conversion's output */
    invs_value *exrow;    /* NULL: no decimal conversion, what is sent is exact */
    const invs_table *dt; /* NULL: the stage's own digest serves the proof */
    invs_digest dg;
    invs_digest read;     /* the stage's rows as read: are they what its digest says? */
    invs_strbuf enc;
} push_send;

static int push_converts_decimals(const invs_convert *cv)
{
    size_t i;
    for (i = 0; i < cv->ncols; i++)
        if (cv->kind[i] == INVS_CONV_DECIMAL)
            return 1;
    return 0;
}

static int push_send_open(push_job *j, push_send *ps, const invs_table *t,
                          const invs_table *existing)
{
    memset(ps, 0, sizeof(*ps));
    ps->t = t;
    ps->cap = j->opts->batch_rows ? j->opts->batch_rows : PUSH_BATCH_ROWS;
    invs_digest_init(&ps->dg);
    invs_digest_init(&ps->read);
    invs_sb_init_std(&ps->enc);
    invs_arena_init(&ps->arena, 256 * 1024);
    const invs_limits *lim = invs_driver_limits(j->dst->drv);
    /* a table push makes in a typed engine of another kind gets the
     * stage's booleans as 0 and 1, not the words a source kept */
    int typed_new = !existing && lim && (lim->flags & INVS_LIM_TYPED) &&
                    !invs_conn_native(j->dst, t->engine);
    if (!(ps->rows = malloc(ps->cap * t->ncols * sizeof(*ps->rows))) ||
        ((existing || typed_new) &&
         ((existing ? invs_convert_plan(&ps->cv, t, existing, j->tz)
                    : invs_convert_plan_created(&ps->cv, t)) != INVS_OK ||
          !(ps->cvrow = calloc(t->ncols + 1, sizeof(*ps->cvrow))))))
        return invs_diag_oom(&j->job.diag);
    if (existing && !j->opts->no_check && (ps->cv.any || ps->cv.retyped))
        ps->dt = invs_convert_digest_table(&ps->cv, t);
    if (ps->dt && push_converts_decimals(&ps->cv)) {
        if (invs_convert_plan(&ps->exact, t, existing, j->tz) != INVS_OK ||
            !(ps->exrow = calloc(t->ncols + 1, sizeof(*ps->exrow))))
            return invs_diag_oom(&j->job.diag);
        ps->exact.exact_decimals = 1;
    }
    return INVS_OK;
}

static void push_send_free(push_job *j, push_send *ps)
{
    if (ps->w)
        j->dst->drv->writer_close(ps->w, 1);
    invs_arena_free(&ps->arena);
    invs_convert_free(&ps->cv);
    invs_convert_free(&ps->exact);
    invs_sb_free(&ps->enc);
    free(ps->cvrow);
    free(ps->exrow);
    free(ps->rows);
}

static int push_send_flush(push_job *j, push_send *ps)
{
    int rc;
    if (!ps->n)
        return INVS_OK;
    if ((rc = j->dst->drv->writer_put(ps->w, ps->rows, ps->n)) != INVS_OK)
        return invs_conn_err(&j->job, j->dst, rc);
    ps->n = ps->bytes = 0;
    invs_arena_reset(&ps->arena);
    return INVS_OK;
}

static size_t push_row_bytes(const invs_value *row, size_t ncols)
{
    size_t i, n = 0;
    for (i = 0; i < ncols; i++)
        if (row[i].type == INVS_TEXT || row[i].type == INVS_BLOB)
            n += row[i].len;
    return n;
}

/* The digest the proof will compare the target with: of the row sent, its
 * decimals by their exact value (a conversion that rounded would agree
 * with its own output). */
static int push_digest_sent(push_job *j, push_send *ps, const invs_value *row,
                            const invs_value *sent)
{
    const char *why;
    size_t bad;
    int rc;
    if (ps->exrow) {
        if ((rc = invs_convert_row(&ps->exact, row, ps->exrow, &bad, &why)) == INVS_ENOMEM)
            return invs_diag_oom(&j->job.diag);
        if (rc != INVS_OK) /* sent as converted, but not a number after all? */
            return invs_diag(&j->job.diag, INVS_ETYPE, "column %s: the value %s",
                             ps->t->cols[bad].name, why);
        sent = ps->exrow;
    }
    invs_digest_row(&ps->dg, &ps->enc, ps->dt, sent, NULL, NULL, NULL);
    return INVS_OK;
}

/* Row number rid of the stage: converted, digested, batched (a full batch
 * goes to the writer: *flushed). */
static int push_send_row(push_job *j, push_send *ps, const invs_value *row, int64_t rid,
                         int *flushed)
{
    const invs_value *sent = row;
    const char *why;
    size_t bad;
    int rc;
    *flushed = 0;
    if (ps->cv.any) {
        if ((rc = invs_convert_row(&ps->cv, row, ps->cvrow, &bad, &why)) == INVS_ETYPE)
            return push_unconvertible(j, ps->t, row, rid, bad, ps->cv.to[bad], why);
        if (rc != INVS_OK)
            return invs_diag_oom(&j->job.diag);
        sent = ps->cvrow;
    }
    if (ps->dt && (rc = push_digest_sent(j, ps, row, sent)) != INVS_OK)
        return rc;
    if (push_row_bytes(sent, ps->t->ncols) >= PUSH_BATCH_BYTES) {
        /* a big row goes alone and uncopied, straight from the stage's
         * buffer: memory stays the value's size plus a bounded buffer */
        *flushed = 1;
        if ((rc = push_send_flush(j, ps)) != INVS_OK)
            return rc;
        if ((rc = j->dst->drv->writer_put(ps->w, sent, 1)) != INVS_OK)
            return invs_conn_err(&j->job, j->dst, rc);
        return INVS_OK;
    }
    if (invs_arena_copy_row(&ps->arena, ps->rows + ps->n * ps->t->ncols, sent, ps->t->ncols,
                            &ps->bytes) != INVS_OK)
        return invs_diag_oom(&j->job.diag);
    if (++ps->n < ps->cap && ps->bytes < PUSH_BATCH_BYTES)
        return INVS_OK;
    *flushed = 1;
    return push_send_flush(j, ps);
}

/* The rows push read from the stage are the rows its digest records (as
 * pulled, plus what verify changed), proof or no proof (--no-check): an
 * edit made outside invstage after verify is never sent. */
static int push_read_as_recorded(push_job *j, const invs_stage_table *st, invs_digest *read)
{
    char hex[INVS_DIGEST_HEX];
    invs_digest_hex(read, hex);
    if (!st->digest[0])
        return invs_diag(&j->job.diag, INVS_EVERIFY,
                         "stage %s records no digest of the table's rows: it was changed "
                         "outside invstage ('invstage verify %s' says so); nothing was committed",
                         j->stage->path, j->stage->path);
    if (strcmp(hex, st->digest) != 0)
        return invs_diag(&j->job.diag, INVS_EVERIFY,
                         "stage %s: the table's rows are not the rows its digest records "
                         "(%.40s, the rows read %.40s): the stage was changed outside invstage "
                         "('invstage verify %s' says where); nothing was committed",
                         j->stage->path, st->digest, hex, j->stage->path);
    return INVS_OK;
}

/* Row of stage table k as sent: its own, or its fold root's projection,
 * digested into what the root's table will hold. */
static const invs_value *push_fold_row(push_job *j, size_t k, invs_fold_rows *fr,
                                       push_send *ps, const invs_value *row)
{
    long root = j->fold.root[k];
    if (root < 0)
        return row;
    row = invs_fold_row(fr, row);
    invs_digest_row(&j->fold.dg[root], &ps->enc, fr->to, row, NULL, NULL, NULL);
    return row;
}

/* Table k of the stage, into its own table or (folded) its root's: the
 * writer open, conversions planned. */
static int push_table_open(push_job *j, push_send *ps, size_t k, invs_fold_rows *fr)
{
    const invs_table *t = j->ts[k], *into = t;
    const invs_table *existing = j->existing[k] ? &j->existing[k]->t : NULL;
    int rc;

    if (j->fold.root[k] >= 0)
        into = j->ts[j->fold.root[k]];
    if ((rc = push_send_open(j, ps, into, existing)) != INVS_OK ||
        (into != t && (rc = invs_fold_rows_open(fr, t, into)) != INVS_OK))
        return rc == INVS_ENOMEM && !j->job.diag.code ? invs_diag_oom(&j->job.diag) : rc;
    j->into_existing[k] = existing != NULL;
    if ((rc = j->dst->drv->writer_open(&ps->w, j->dst->h, into)) != INVS_OK) {
        ps->w = NULL;
        return invs_conn_err(&j->job, j->dst, rc);
    }
    return INVS_OK;
}

/* The last rows of table k out, the writer closed: what the proof will
 * expect of it. */
static int push_table_close(push_job *j, push_send *ps, size_t k)
{
    int rc;
    if ((rc = push_send_flush(j, ps)) != INVS_OK)
        return rc;
    rc = j->dst->drv->writer_close(ps->w, 0);
    ps->w = NULL;
    if (rc != INVS_OK)
        return invs_conn_err(&j->job, j->dst, rc);
    if (ps->dt && invs_sb_failed(&ps->enc))
        return invs_diag_oom(&j->job.diag);
    if (ps->dt)
        invs_digest_hex(&ps->dg, j->expected[k]);
    return INVS_OK;
}

static int push_table(push_job *j, size_t k)
{
    const invs_stage_table *st = &j->stage->tables[k];
    const invs_table *t = j->ts[k];
    invs_stage_reader *r = NULL;
    invs_fold_rows fr = {NULL, NULL, NULL};
    const invs_value *row;
    push_send ps;
    int64_t n = 0;
    int rc, flushed;

    memset(&ps, 0, sizeof(ps));
    if ((rc = push_table_open(j, &ps, k, &fr)) != INVS_OK)
        goto out;
    if ((rc = invs_stage_reader_open(&r, j->stage, st)) != INVS_OK) {
        invs_stage_err(&j->job, j->stage, rc);
        goto out;
    }
    invs_log(j->job.ctx, INVS_LOG_INFO, "loading table %s%s%s (%lld rows)", t->name,
             ps.t != t ? " into " : "", ps.t != t ? ps.t->name : "", (long long)st->rows);
    invs_progress(j->job.ctx, t->name, 0, st->rows);
    while ((rc = invs_stage_reader_next(r, &row)) == INVS_ROW) {
        invs_digest_row(&ps.read, &ps.enc, t, row, NULL, NULL, NULL);
        row = push_fold_row(j, k, &fr, &ps, row);
        if ((rc = push_send_row(j, &ps, row, ++n, &flushed)) != INVS_OK)
            goto out;
        if (flushed && invs_ctx_cancelled(j->job.ctx)) {
            rc = invs_diag(&j->job.diag, INVS_ECANCELLED, "interrupted");
            goto out;
        }
        if (flushed && (uint64_t)n % 65536 < ps.cap)
            invs_progress(j->job.ctx, t->name, n, st->rows);
    }
    if (rc != INVS_DONE) {
        invs_stage_err(&j->job, j->stage, rc);
        goto out;
    }
    if ((rc = push_table_close(j, &ps, k)) != INVS_OK)
        goto out;
    if (n != st->rows)
        rc = invs_diag(&j->job.diag, INVS_ECORRUPT,
                       "stage %s: table %s records %lld rows but holds %lld", j->stage->path,
                       t->name, (long long)st->rows, (long long)n);
    if (rc == INVS_OK)
        rc = push_read_as_recorded(j, st, &ps.read);
    if (rc == INVS_OK && ps.t == t)
        invs_fold_digest_add(&j->fold.dg[k], &ps.read);
    invs_progress(j->job.ctx, t->name, n, st->rows);
out:
    invs_fold_rows_close(&fr);
    push_send_free(j, &ps);
    invs_stage_reader_close(r);
    if (rc != INVS_OK)
        invs_diag_prefix(&j->job.diag, "push: table %s", t->name);
    return rc;
}

/* What verify saw and said is what the stage holds now: its seal. */
static int push_still_verified(push_job *j)
{
    invs_stage *st = j->stage;
    char now[INVS_DIGEST_HEX], *seal = invs_stage_meta_get(st, "verify_seal");
    int rc = INVS_OK;
    if (!seal) /* every verify seals what it saw: this seal was removed */
        return invs_diag(&j->job.diag, INVS_EREFUSED,
                         "stage %s is marked verified but carries no seal of what verify saw: "
                         "it was changed outside invstage; verify it again, or push --force; "
                         "nothing was written",
                         st->path);
    if ((rc = invs_audit_seal(st, now)) != INVS_OK)
        rc = invs_stage_err(&j->job, st, rc);
    else if (strcmp(now, seal) != 0)
        rc = invs_diag(&j->job.diag, INVS_EREFUSED,
                       "stage %s was changed after it was verified (its tables, rows or "
                       "findings are not what verify saw): verify it again, or push --force; "
                       "nothing was written",
                       st->path);
    free(seal);
    return rc;
}

/* A stage goes out only verified and without errors, unless forced. */
static int push_gate(push_job *j)
{
    invs_stage *st = j->stage;
    invs_strbuf first;
    int64_t errors = 0;
    char *checked;
    int rc;

    if (strcmp(st->state, INVS_STATE_VERIFIED) != 0)
        return invs_diag(&j->job.diag, INVS_EREFUSED,
                         "stage %s has not been verified (state '%s'): run 'invstage verify "
                         "--target ENGINE %s' first, or push --force; nothing was written",
                         st->path, st->state, st->path);
    if ((rc = push_still_verified(j)) != INVS_OK)
        return rc;
    invs_sb_init_std(&first);
    if ((rc = invs_audit_errors(st, &errors, &first)) != INVS_OK)
        invs_stage_err(&j->job, st, rc);
    if (rc == INVS_OK && errors)
        rc = invs_diag(&j->job.diag, INVS_EREFUSED,
                       "stage %s has %lld verify error(s), the first %s: fix them (see "
                       "'invstage verify %s'), or push --force; nothing was written",
                       st->path, (long long)errors, first.p ? first.p : "?", st->path);
    invs_sb_free(&first);
    checked = invs_stage_meta_get(st, "verify_target");
    if (rc == INVS_OK && (!checked || !*checked))
        invs_log(j->job.ctx, INVS_LOG_WARN,
                 "stage %s was verified without --target: what only a typed target refuses "
                 "was a warning",
                 st->path);
    free(checked);
    return rc;
}

static int push_differs(const invs_stage_table *t, const char *key, const char *why, void *payload)
{
    push_job *j = payload;
    int at = strcmp(key, "?") != 0;
    return invs_diag(&j->job.diag, INVS_EVERIFY,
                     "push: table %s: the target does not hold what the stage does: %s%s%s; "
                     "nothing was committed",
                     t->schema->t.name, why, at ? ", first at " : "", at ? key : "");
}

/* A driver call returned rc: unless the job said why, the target did. The
 * user's Ctrl-C (or SIGTERM, SIGHUP) stops the push between any two
 * steps, and rolls it back. */
static int push_drv(push_job *j, int rc)
{
    if (rc < 0)
        return !j->job.diag.code ? invs_conn_err(&j->job, j->dst, rc) : rc;
    if (invs_ctx_cancelled(j->job.ctx))
        return invs_diag(&j->job.diag, INVS_ECANCELLED, "interrupted; nothing was committed");
    return rc;
}

/* Where DDL is not transactional, the missing tables are made before the
 * data transaction (with their indexes: an index built later would commit
 * it), each remembered so that a failure can drop it again. */
static int push_create_first(push_job *j)
{
    const invs_driver *d = j->dst->drv;
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < j->n && rc == INVS_OK; i++) {
        if (j->existing[j->order[i]] || j->fold.root[j->order[i]] >= 0)
            continue;
        if ((rc = push_drv(j, invs_conn_table_create(j->dst, j->ordered[i]))) == INVS_OK)
            j->created[i] = 1;
        if (rc == INVS_OK)
            rc = push_drv(j, d->indexes_create(j->dst->h, j->ordered[i]));
    }
    return rc;
}

/* After a failure: the tables push_create_first made go again, children
 * first, so that the target is as it was. */
static void push_drop_created(push_job *j)
{
    invs_diag_rec saved;
    size_t i;
    if (!j->created || !j->ordered) /* the plan failed: nothing was made */
        return;
    invs_diag_save(&saved, &j->job.diag);
    for (i = j->n; i-- > 0;)
        if (j->created[i] && j->dst->drv->table_drop(j->dst->h, j->ordered[i]) != INVS_OK)
            invs_log(j->job.ctx, INVS_LOG_ERROR,
                     "table %s, which this push created in %s, could not be dropped again: %s",
                     j->ordered[i]->name, j->dst->redacted, j->dst->sess.diag.msg);
    invs_diag_restore(&j->job.diag, &saved);
}

/* The end of the transaction. Once the target has committed, the push has
 * succeeded: a signal that came while it committed is too late to undo
 * anything, and the tables made for it stay. */
static int push_commit(push_job *j)
{
    int rc;
    invs_log(j->job.ctx, INVS_LOG_INFO, "committing");
    if ((rc = j->dst->drv->commit(j->dst->h)) < 0)
        return push_drv(j, rc);
    j->committed = 1;
    if (invs_ctx_cancelled(j->job.ctx))
        invs_log(j->job.ctx, INVS_LOG_WARN,
                 "interrupted after the commit had begun: the push is complete, %s holds "
                 "the stage's rows",
                 j->dst->redacted);
    return INVS_OK;
}

typedef struct push_facts {
    char **kv;    /* "KEY=value", NULL-terminated */
    char *theirs; /* per kv entry: from a source.KEY */
    size_t n;
} push_facts;

/* The key under which a stage's fact about its data reaches a driver,
 * NULL for the stage's own bookkeeping (format, state, how many tables,
 * what verify sealed). A stage pulled from a file keeps the file's facts
 * as source.KEY: those say what the data's first staging said, and stand
 * for KEY. */
static const char *push_fact_key(const char *key)
{
    static const char *const facts[] = {"source", "source_driver", "source_driver_version",
                                        "created_at", "invstage_version"};
    size_t i;
    if (!strncmp(key, "source.", 7))
        return key[7] ? key + 7 : NULL;
    for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
        if (!strcmp(key, facts[i]))
            return key;
    return NULL;
}

static int push_fact(const char *key, const char *value, void *payload)
{
    push_facts *f = payload;
    const char *k = push_fact_key(key);
    invs_strbuf sb;
    char **v, *t;
    if (!k)
        return INVS_OK;
    if (!(v = realloc(f->kv, (f->n + 2) * sizeof(*v))))
        return INVS_ENOMEM;
    f->kv = v;
    if (!(t = realloc(f->theirs, f->n + 1)))
        return INVS_ENOMEM;
    f->theirs = t;
    f->theirs[f->n] = k != key;
    invs_sb_init_std(&sb);
    invs_sb_printf(&sb, "%s=%s", k, value);
    if (!(f->kv[f->n] = invs_sb_take(&sb)))
        return INVS_ENOMEM;
    f->kv[++f->n] = NULL;
    return INVS_OK;
}

/* KEY gives way to a source.KEY: the first staging's word. */
static void push_facts_resolve(push_facts *f)
{
    size_t i, k, n = 0;
    for (i = 0; i < f->n; i++) {
        size_t len = strcspn(f->kv[i], "=");
        for (k = 0; !f->theirs[i] && k < f->n; k++)
            if (f->theirs[k] && !strncmp(f->kv[k], f->kv[i], len + 1))
                break;
        if (!f->theirs[i] && k < f->n) {
            free(f->kv[i]);
            continue;
        }
        f->kv[n++] = f->kv[i];
    }
    f->n = n;
    if (f->kv)
        f->kv[n] = NULL;
}

/* The stage's facts for a driver that keeps them (a file format). */
static int push_meta(push_job *j)
{
    const invs_driver *d = j->dst->drv;
    push_facts f = {NULL, NULL, 0};
    size_t i;
    int rc;
    if (!INVS_HAS(d, invs_driver, meta_set) || !d->meta_set)
        return INVS_OK;
    if ((rc = invs_stage_meta_each(j->stage, push_fact, &f)) != INVS_OK) {
        rc = rc == INVS_ENOMEM && !j->stage->diag.code ? invs_diag_oom(&j->job.diag)
                                                       : invs_stage_err(&j->job, j->stage, rc);
    } else {
        push_facts_resolve(&f);
        rc = push_drv(j, d->meta_set(j->dst->h, f.kv ? (const char *const *)f.kv
                                                      : (const char *const[]){NULL}));
    }
    for (i = 0; i < f.n; i++)
        free(f.kv[i]);
    free(f.kv);
    free(f.theirs);
    return rc;
}

/* What the proof expects of a table others were folded into: all the
 * rows sent into it; of a folded table, nothing ("-": proven with it). */
static void push_fold_expected(push_job *j)
{
    size_t i;
    for (i = 0; i < j->n && j->fold.nfolded; i++)
        if (j->fold.root[i] >= 0) {
            invs_digest_hex(&j->fold.dg[j->fold.root[i]], j->expected[j->fold.root[i]]);
            strcpy(j->expected[i], "-");
        }
}

/* The tables folded into others (fold.c), and the list of those the
 * target has, in load order, for the driver's load_begin and load_end. */
static int push_fold_plan(push_job *j)
{
    size_t i;
    if (invs_fold_plan(&j->fold, j->job.ctx, j->ts, j->n, j->dst, j->existing) != INVS_OK ||
        !(j->made = calloc(j->n + 1, sizeof(*j->made))))
        return invs_diag_oom(&j->job.diag);
    for (i = 0; i < j->n; i++)
        if (j->fold.root[j->order[i]] < 0)
            j->made[j->nmade++] = j->ordered[i];
    return INVS_OK;
}

/* Step 2, inside the transaction, up to the rows: what the tables use,
 * the tables cleared or made. */
static int push_load_begin(push_job *j)
{
    const invs_driver *d = j->dst->drv;
    int txn_ddl = (d->caps & INVS_CAP_TXN_DDL) != 0;
    size_t i;
    int rc;

    if ((rc = push_meta(j)) == INVS_OK)
        rc = push_drv(j, d->load_begin(j->dst->h, j->made, j->nmade));
    if (rc == INVS_OK) /* the types the tables use, before them */
        rc = push_drv(j, invs_objects_push(&j->job, j->dst, &j->stage->objects, 0));
    if (j->opts->clear)
        for (i = j->n; i-- > 0 && rc == INVS_OK;)
            if (j->existing[j->order[i]])
                rc = push_drv(j, d->table_clear(j->dst->h, &j->existing[j->order[i]]->t));
    for (i = 0; i < j->n && rc == INVS_OK && txn_ddl; i++)
        if (!j->existing[j->order[i]] && j->fold.root[j->order[i]] < 0)
            rc = push_drv(j, invs_conn_table_create(j->dst, j->ordered[i]));
    return rc;
}

/* After the rows: keys, sequences, views, and the proof, before anything
 * is committed: read back what the target would commit and compare it
 * with the stage. */
static int push_load_end(push_job *j)
{
    const invs_driver *d = j->dst->drv;
    int txn_ddl = (d->caps & INVS_CAP_TXN_DDL) != 0;
    size_t i;
    int rc = INVS_OK;

    invs_log(j->job.ctx, INVS_LOG_INFO, "rows loaded; building keys and indexes");
    for (i = 0; i < j->n && rc == INVS_OK && txn_ddl; i++)
        if (!j->existing[j->order[i]] && j->fold.root[j->order[i]] < 0)
            rc = push_drv(j, d->indexes_create(j->dst->h, j->ordered[i]));
    if (rc == INVS_OK)
        rc = push_drv(j, d->load_end(j->dst->h, j->made, j->nmade));
    if (rc == INVS_OK)
        invs_log(j->job.ctx, INVS_LOG_INFO, "keys in place; setting sequences");
    for (i = 0; i < j->nmade && rc == INVS_OK; i++)
        rc = push_drv(j, d->sequences_set(j->dst->h, j->made[i]));
    if (rc == INVS_OK) /* views, over the data */
        rc = push_drv(j, invs_objects_push(&j->job, j->dst, &j->stage->objects, 1));
    if (rc == INVS_OK && !j->opts->no_check) {
        int64_t differ = 0;
        invs_log(j->job.ctx, INVS_LOG_INFO, "reading the target back to compare it");
        invs_ctx_set_phase(j->job.ctx, "check");
        push_fold_expected(j);
        rc = invs_proof(&j->job, j->stage, j->dst, j->tz, j->into_existing,
                        (const char(*)[INVS_DIGEST_HEX])j->expected, push_differs, j, &differ);
    }
    return rc;
}

/* --table / --exclude: the stage as push sees it holds the tables taken. */
static int push_select(push_job *j)
{
    invs_select sel;
    int rc;
    if (!j->opts->ntables && !j->opts->nexcludes)
        return INVS_OK;
    if (invs_select_init(&sel, j->opts->tables, j->opts->ntables, j->opts->excludes,
                         j->opts->nexcludes) != INVS_OK)
        return invs_diag_oom(&j->job.diag);
    rc = invs_stage_select(j->stage, &sel, &j->job.diag);
    invs_select_free(&sel);
    return rc;
}

static int push_plan(push_job *j)
{
    size_t i, broken = 0;
    int rc;
    if ((rc = invs_stage_keep_held(j->stage, &j->job, j->dst)) != INVS_OK)
        return rc;
    j->n = j->stage->ntables;
    j->ts = calloc(j->n + 1, sizeof(*j->ts));
    j->existing = calloc(j->n + 1, sizeof(*j->existing));
    j->order = calloc(j->n + 1, sizeof(*j->order));
    j->ordered = calloc(j->n + 1, sizeof(*j->ordered));
    j->into_existing = calloc(j->n + 1, 1);
    j->expected = calloc(j->n + 1, sizeof(*j->expected));
    j->created = calloc(j->n + 1, 1);
    if (!j->ts || !j->existing || !j->order || !j->ordered || !j->into_existing || !j->expected ||
        !j->created)
        return invs_diag_oom(&j->job.diag);
    for (i = 0; i < j->n; i++) {
        invs_stage_table *st = &j->stage->tables[i];
        st->schema->t.digest = st->digest[0] ? st->digest : NULL; /* for a file to record */
        j->ts[i] = &st->schema->t;
    }
    if (invs_order_tables(j->order, j->ts, j->n, &broken) != INVS_OK)
        return invs_diag_oom(&j->job.diag);
    for (i = 0; i < j->n; i++)
        j->ordered[i] = j->ts[j->order[i]];
    if (broken)
        invs_log(j->job.ctx, INVS_LOG_INFO,
                 "%zu foreign-key cycle(s) between tables: their keys are checked at "
                 "the end of the load",
                 broken);
    return INVS_OK;
}

/* From the stage (open, its schema loaded) to the open transaction, the
 * tables made: everything before the first row. */
static int push_start(push_job *j, const char *target_uri)
{
    int rc;
    if ((rc = invs_conn_open(&j->dst, &j->job, target_uri, "target", INVS_CAP_PUSH,
                             INVS_OPEN_WRITE | INVS_OPEN_CREATE, j->opts->driver_options)) !=
        INVS_OK)
        return rc;
    if (j->tee && !invs_push_tee_possible(j->dst->drv, j->opts))
        return invs_diag(&j->job.diag, INVS_EUNSUPPORTED,
                         "%s takes rows only after the pull", j->dst->redacted);
    if ((rc = invs_stage_rows_wanted(&j->job, j->stage, j->dst)) != INVS_OK ||
        (rc = push_select(j)) != INVS_OK || (rc = push_plan(j)) != INVS_OK)
        return rc;
    /* where DDL rolls back, everything is one transaction; elsewhere the
     * tables are created first, and dropped again on failure */
    j->txn_ddl = (j->dst->drv->caps & INVS_CAP_TXN_DDL) != 0;
    if (j->txn_ddl && (rc = push_drv(j, j->dst->drv->begin(j->dst->h))) != INVS_OK)
        return rc;
    j->begun = j->txn_ddl;
    if ((rc = push_drv(j, j->dst->drv->schema_read(j->dst->h, invs_schema_list_emit,
                                                   &j->target))) != INVS_OK ||
        (rc = push_check_target(j)) != INVS_OK || (rc = push_fold_plan(j)) != INVS_OK)
        return rc;
    if (j->tee && j->fold.nfolded)
        return invs_diag(&j->job.diag, INVS_EUNSUPPORTED,
                         "tables folded into others go in only after the pull");
    if (!j->txn_ddl && ((rc = push_create_first(j)) != INVS_OK ||
                        (rc = push_drv(j, j->dst->drv->begin(j->dst->h))) != INVS_OK))
        return rc;
    j->begun = 1;
    return push_load_begin(j);
}

/* After the rows: the proof, and the commit. */
static int push_end(push_job *j)
{
    int rc;
    if ((rc = push_load_end(j)) != INVS_OK || (rc = push_drv(j, INVS_OK)) != INVS_OK)
        return rc;
    j->begun = 0;
    return push_commit(j);
}

static void push_job_init(push_job *j, invs_ctx *ctx, const invs_push_opts *opts)
{
    static const invs_push_opts no_opts;
    memset(j, 0, sizeof(*j));
    invs_job_init(&j->job, ctx);
    j->opts = opts ? opts : &no_opts;
    if (j->opts->lock_timeout_ms)
        j->job.lock_ms = j->opts->lock_timeout_ms < 0 ? -1 : j->opts->lock_timeout_ms;
}

/* Whatever happened: an open transaction rolled back (and, where DDL is
 * not transactional, the tables made for it dropped), everything freed. */
static void push_job_free(push_job *j, int rc)
{
    if (j->begun) {
        /* keep the first error; the rollback's own would hide it */
        invs_diag_rec saved;
        invs_diag_save(&saved, &j->job.diag);
        j->dst->drv->rollback(j->dst->h);
        invs_diag_restore(&j->job.diag, &saved);
    }
    if (rc != INVS_OK && j->dst && !j->txn_ddl && !j->committed)
        push_drop_created(j);
    invs_conn_close(j->dst);
    invs_schema_list_free(&j->target);
    free(j->ts);
    free(j->existing);
    free(j->order);
    free(j->ordered);
    free(j->into_existing);
    free(j->expected);
    free(j->created);
    free(j->made);
    invs_fold_free(&j->fold);
    invs_tz_free(j->tz);
}

int invs_push(invs_ctx *ctx, const char *stage_path, const char *target_uri,
              const invs_push_opts *opts)
{
    push_job j;
    size_t i;
    int rc;

    push_job_init(&j, ctx, opts);
    invs_ctx_set_phase(ctx, "push");
    if ((rc = invs_tz_open_option(&j.tz, &j.job.diag, j.opts->assume_tz)) != INVS_OK ||
        (rc = invs_stage_open(&j.stage, ctx, &j.job.diag, stage_path, 0)) != INVS_OK)
        goto out;
    if ((rc = invs_stage_load_schema(j.stage)) != INVS_OK) {
        invs_stage_err(&j.job, j.stage, rc);
        goto out;
    }
    /* the driver sees the rows it asks for (a fixture: the content types)
     * of the whole stage, before --table and --exclude take from it */
    if ((!j.opts->force && (rc = push_gate(&j)) != INVS_OK) ||
        (rc = push_start(&j, target_uri)) != INVS_OK)
        goto out;
    for (i = 0; i < j.n && rc == INVS_OK; i++)
        rc = push_table(&j, j.order[i]);
    if (rc == INVS_OK)
        rc = push_end(&j);
out:
    push_job_free(&j, rc);
    invs_stage_close(j.stage);
    return invs_ctx_report(ctx, &j.job.diag, rc);
}

/* ------------------------------------------------------------ the tee */

struct invs_push_tee {
    push_job j;
    push_send ps;
    invs_fold_rows fr;
    invs_rowpipe *pipe; /* to the thread that converts and sends: the stage
                           writer's thread goes on meanwhile */
    size_t k;      /* the table whose rows come */
    int64_t n;     /* its rows so far */
    int open;      /* ps and fr hold table k */
    int failed;    /* a step failed: its INVS_E code (the reason in j.job.diag, once
                      the sender's thread has ended) */
    int loaded;    /* every table's rows are in */
    size_t done;   /* tables whose rows are all in */
    char (*pulled)[INVS_DIGEST_HEX]; /* per stage table: digest of the rows sent */
};

int invs_push_tee_possible(const invs_driver *d, const invs_push_opts *opts)
{
    /* DDL in the transaction (a failure or a refusal leaves nothing);
     * not a file; nothing that takes tables out of the stage push sees
     * (--table, --exclude, what a driver cannot hold) while pull still
     * writes it */
    return d && (d->caps & INVS_CAP_TXN_DDL) && !(d->caps & INVS_CAP_FILE) &&
           !(INVS_HAS(d, invs_driver, table_held) && d->table_held) &&
           !(INVS_HAS(d, invs_driver, row_given) && (d->given_rows || d->row_given)) &&
           !(opts && (opts->ntables || opts->nexcludes));
}

int invs_push_tee_open(invs_push_tee **out, invs_ctx *ctx, invs_stage *st,
                       const char *target_uri, const invs_push_opts *opts, size_t *order)
{
    invs_push_tee *t = calloc(1, sizeof(*t));
    int rc;
    *out = t;
    if (!t)
        return INVS_ENOMEM;
    push_job_init(&t->j, ctx, opts);
    t->j.tee = 1;
    t->j.stage = st;
    if (!(t->pulled = calloc(st->ntables + 1, sizeof(*t->pulled))))
        rc = invs_diag_oom(&t->j.job.diag);
    else if ((rc = invs_tz_open_option(&t->j.tz, &t->j.job.diag, t->j.opts->assume_tz)) ==
                 INVS_OK &&
             (rc = push_start(&t->j, target_uri)) == INVS_OK) {
        memcpy(order, t->j.order, t->j.n * sizeof(*order));
        invs_log(ctx, INVS_LOG_INFO,
                 "loading %s while the source is read: committed only once verify and the "
                 "proof have passed",
                 t->j.dst->redacted);
    }
    t->failed = rc != INVS_OK;
    return rc;
}

/* In the pipe's thread: rows converted, digested, sent. */
static int tee_send(void *payload, const invs_value *rows, size_t nrows)
{
    invs_push_tee *t = payload;
    size_t r, ncols = t->j.ts[t->k]->ncols;
    int flushed, rc;
    for (r = 0; r < nrows; r++)
        if ((rc = push_send_row(&t->j, &t->ps, rows + r * ncols, ++t->n, &flushed)) != INVS_OK)
            return rc;
    return INVS_OK;
}

void invs_push_tee_table_begin(invs_push_tee *t, size_t k)
{
    int rc;
    if (t->failed)
        return;
    memset(&t->ps, 0, sizeof(t->ps));
    memset(&t->fr, 0, sizeof(t->fr));
    t->k = k;
    t->n = 0;
    t->open = 1;
    if (k != t->j.order[t->done]) {
        t->failed = invs_diag(&t->j.job.diag, INVS_EUNSUPPORTED,
                              "table %s came out of load order", t->j.ts[k]->name);
    } else if (push_table_open(&t->j, &t->ps, k, &t->fr) != INVS_OK) {
        t->failed = INVS_EIO;
    } else if ((rc = invs_rowpipe_open(&t->pipe, t->j.ts[k]->ncols, tee_send, t)) != INVS_OK) {
        t->pipe = NULL;
        t->failed = rc == INVS_ENOMEM ? invs_diag_oom(&t->j.job.diag)
                                      : invs_diag(&t->j.job.diag, rc, "cannot start a thread");
    }
}

void invs_push_tee_rows(invs_push_tee *t, const invs_value *rows, size_t nrows)
{
    size_t r, ncols = t->j.ts[t->k]->ncols;
    int rc;
    for (r = 0; r < nrows && !t->failed; r++)
        if ((rc = invs_rowpipe_put(t->pipe, rows + r * ncols)) != INVS_OK)
            t->failed = rc; /* the sender's reason is in the job once its thread ends */
}

void invs_push_tee_table_end(invs_push_tee *t, size_t k, const char *digest)
{
    int rc, ok = digest != NULL;
    if (!t->open)
        return;
    if (ok)
        snprintf(t->pulled[k], sizeof(t->pulled[k]), "%s", digest);
    rc = invs_rowpipe_close(t->pipe, t->failed || !ok);
    t->pipe = NULL;
    if ((rc == INVS_ENOMEM || t->failed == INVS_ENOMEM) && !t->j.job.diag.code)
        invs_diag_oom(&t->j.job.diag); /* the pipe's own copy */
    if (!t->failed && (rc != INVS_OK || !ok || k != t->k ||
                       push_table_close(&t->j, &t->ps, k) != INVS_OK))
        t->failed = rc != INVS_OK ? rc : INVS_EIO;
    if (t->failed && t->j.job.diag.code)
        invs_diag_prefix(&t->j.job.diag, "push: table %s", t->j.ts[k]->name);
    invs_fold_rows_close(&t->fr);
    push_send_free(&t->j, &t->ps);
    t->open = 0;
    t->loaded = !t->failed && ++t->done == t->j.n;
}

int invs_push_tee_failed(const invs_push_tee *t) { return !t || t->failed || !t->loaded; }

int invs_push_tee_matches(const invs_push_tee *t, const invs_stage *verified)
{
    size_t k;
    if (invs_push_tee_failed(t) || verified->ntables != t->j.n)
        return 0;
    for (k = 0; k < verified->ntables; k++)
        if (strcmp(verified->tables[k].digest, t->pulled[k]) != 0)
            return 0;
    return 1;
}

int invs_push_tee_commit(invs_push_tee *t, invs_stage *verified)
{
    if (!invs_push_tee_matches(t, verified))
        return INVS_EUNSUPPORTED;
    invs_ctx_set_phase(t->j.job.ctx, "push");
    t->j.stage = verified; /* the proof reads the stage as verify left it */
    return push_end(&t->j);
}

int invs_push_tee_close(invs_push_tee *t, int rc, int report)
{
    invs_ctx *ctx;
    if (!t)
        return rc;
    ctx = t->j.job.ctx;
    if (t->open)
        invs_push_tee_table_end(t, t->k, 0);
    push_job_free(&t->j, rc);
    if (report)
        rc = invs_ctx_report(ctx, &t->j.job.diag, rc);
    else if (t->j.job.diag.code)
        invs_log(ctx, INVS_LOG_INFO, "loading beside the pull stopped: %s", t->j.job.diag.msg);
    free(t->pulled);
    free(t);
    return rc;
}

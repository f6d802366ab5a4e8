/*
 * migrate: pull, verify and push in one call, for the user who would type
 * pgloader's one-liner. Nothing the three commands check is skipped:
 * verify runs against the target (its limits, and the conversions into
 * the tables it already has), and an error stops the migration before
 * anything in the target changes. The stage is where the caller says, or
 * a temporary file that is removed after a successful push and kept after
 * a refusal, so that the user can look at it and push it again.
 *
 * The steps overlap where the target allows it: into an existing database
 * whose DDL is transactional, push's transaction is opened once the
 * stage holds the schema, and every batch of rows pull stores goes into
 * the target too (pull.h's tee, push.h), while the source is still being
 * read: the target's server loads while invstage reads. The commit still
 * waits for everything: verify on the finished stage (the rows sent are
 * the stage's only if verify changed nothing), then keys, the proof
 * against the stage, commit. If verify changed a value, refused, or the
 * load beside the pull failed, that transaction is rolled back and the
 * stage is pushed as push does, so the outcome and its messages are the
 * three commands'. The target is read for verify before the load, so
 * that verify never waits for a lock the load holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "invs_core.h"
#include "pull.h"
#include "push.h"
#include "verify.h"

/* Where an unnamed stage goes: $TMPDIR, else /var/tmp (a big database's
 * stage is big; /tmp is often a small tmpfs). */
static char *migrate_temp_stage(void)
{
    const char *dir = getenv("TMPDIR");
    invs_strbuf sb;
    invs_sb_init_std(&sb);
    invs_sb_printf(&sb, "%s/invstage-migrate-%ld.stage", dir && *dir ? dir : "/var/tmp",
                   (long)getpid());
    return invs_sb_take(&sb);
}

/* pull's tee, into push's: the rows on their way to the stage, into the
 * target too. */
typedef struct migrate_tee {
    invs_ctx *ctx;
    const char *target_uri;
    const invs_push_opts *opts;
    invs_push_tee *push; /* opened when the stage has the schema */
} migrate_tee;

static int tee_start(void *payload, invs_stage *st, size_t *order)
{
    migrate_tee *m = payload;
    return invs_push_tee_open(&m->push, m->ctx, st, m->target_uri, m->opts, order);
}

static void tee_table_begin(void *payload, size_t k)
{
    invs_push_tee_table_begin(((migrate_tee *)payload)->push, k);
}

static void tee_rows(void *payload, const invs_value *rows, size_t nrows)
{
    invs_push_tee_rows(((migrate_tee *)payload)->push, rows, nrows);
}

static void tee_table_end(void *payload, size_t k, const char *digest)
{
    invs_push_tee_table_end(((migrate_tee *)payload)->push, k, digest);
}

/* Finish the push the tee began (keys, proof, commit), reported as push
 * reports, if the rows it sent are the verified stage's, table by table
 * (their digests); if not, its transaction rolled back and *other set:
 * the stage is to be pushed. */
static int migrate_commit(invs_ctx *ctx, migrate_tee *m, const char *stage, int *other)
{
    invs_stage *verified = NULL;
    invs_diag_rec err;
    int rc;
    invs_diag_clear(&err);
    if ((rc = invs_stage_open(&verified, ctx, &err, stage, 0)) == INVS_OK &&
        (rc = invs_stage_load_schema(verified)) != INVS_OK)
        invs_diag_take(&err, &verified->diag, rc);
    if (rc != INVS_OK) {
        invs_push_tee_close(m->push, rc, 0);
        rc = invs_ctx_report(ctx, &err, rc);
    } else if (!invs_push_tee_matches(m->push, verified)) {
        invs_log(ctx, INVS_LOG_INFO, "the stage's rows are not those loaded beside the pull");
        invs_push_tee_close(m->push, INVS_EUNSUPPORTED, 0);
        *other = 1;
    } else {
        rc = invs_push_tee_close(m->push, invs_push_tee_commit(m->push, verified), 1);
    }
    m->push = NULL;
    invs_stage_close(verified);
    return rc;
}

int invs_migrate(invs_ctx *ctx, const char *source_uri, const char *target_uri,
                 const invs_migrate_opts *opts, char **out_stage)
{
    static const invs_migrate_opts no_opts;
    const invs_migrate_opts *o = opts ? opts : &no_opts;
    invs_pull_opts po = o->pull;
    invs_verify_opts vo = o->verify;
    invs_push_opts so = o->push;
    invs_verify_summary sum;
    invs_verify_early *ve = NULL;
    invs_stage *pulled = NULL;
    migrate_tee m = {ctx, target_uri, &so, NULL};
    const invs_pull_tee tee = {tee_start, tee_table_begin, tee_rows, tee_table_end, &m};
    char *stage = o->stage ? invs_strdup(o->stage) : migrate_temp_stage();
    int rc;

    *out_stage = NULL;
    if (!stage) {
        invs_diag_rec oom;
        return invs_ctx_report(ctx, &oom, invs_diag_oom(&oom));
    }
    if (!o->stage)
        po.overwrite = 0;
    /* verify for this target: its limits, and the rows bound for the tables
     * it already has converted as push will convert them; what it has is
     * read now, before anything holds a lock there */
    vo.target = target_uri;
    vo.driver_options = so.driver_options;
    if (!vo.assume_tz)
        vo.assume_tz = so.assume_tz;
    if ((rc = invs_verify_early_open(&ve, ctx, &vo)) != INVS_OK) {
        free(stage);
        return rc;
    }
    rc = invs_pull_tee_run(ctx, source_uri, stage, &po,
                           !o->sequential && invs_verify_early_target_exists(ve) &&
                                   invs_push_tee_possible(invs_verify_early_target_driver(ve), &so)
                               ? &tee
                               : NULL,
                           &pulled);
    if (rc != INVS_OK) {
        invs_push_tee_close(m.push, rc, 0);
        invs_stage_close(pulled);
        invs_verify_early_close(ve);
        free(stage); /* a failed pull leaves no stage */
        return rc;
    }
    rc = invs_verify_early_run(&sum, ve, stage);
    if (rc == INVS_OK || (rc == INVS_EVERIFY && so.force)) {
        int other = 1, teed = m.push != NULL; /* push the stage, unless the tee's push ends it */
        if (m.push && !invs_push_tee_failed(m.push) && sum.changes == 0) {
            other = 0;
            rc = migrate_commit(ctx, &m, stage, &other);
        } else if (m.push && sum.changes)
            invs_log(ctx, INVS_LOG_INFO,
                     "verify changed %lld value(s): the rows loaded beside the pull are "
                     "not the stage's",
                     (long long)sum.changes);
        if (other) {
            if (teed)
                invs_log(ctx, INVS_LOG_INFO, "pushing from the stage");
            invs_push_tee_close(m.push, INVS_EUNSUPPORTED, 0);
            m.push = NULL;
            rc = invs_push(ctx, stage, target_uri, &so);
        }
    }
    invs_push_tee_close(m.push, INVS_EVERIFY, 0); /* verify refused: rolled back */
    invs_stage_close(pulled);
    if (rc == INVS_OK && !o->stage) {
        unlink(stage);
        free(stage);
        return INVS_OK;
    }
    *out_stage = stage; /* kept: named, or for the user to look at */
    return rc;
}

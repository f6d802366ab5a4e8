/*
 * migrate: pull, verify and push in one call, for the user who would type
 * pgloader's one-liner. The three steps are the public entry points
 * themselves, so nothing they check is skipped: verify runs against the
 * target (its limits, and the conversions into the tables it already
 * has), and an error stops the migration before the target is touched.
 * The stage is where the caller says, or a temporary file that is removed
 * after a successful push and kept after a refusal, so that the user can
 * look at it and push it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "invs_core.h"

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

int invs_migrate(invs_ctx *ctx, const char *source_uri, const char *target_uri,
                 const invs_migrate_opts *opts, char **out_stage)
{
    static const invs_migrate_opts no_opts;
    const invs_migrate_opts *o = opts ? opts : &no_opts;
    invs_pull_opts po = o->pull;
    invs_verify_opts vo = o->verify;
    invs_push_opts so = o->push;
    invs_verify_summary sum;
    char *stage = o->stage ? invs_strdup(o->stage) : migrate_temp_stage();
    int rc;

    *out_stage = NULL;
    if (!stage) {
        invs_diag_rec oom;
        return invs_ctx_report(ctx, &oom, invs_diag_oom(&oom));
    }
    if (!o->stage)
        po.overwrite = 0;
    if ((rc = invs_pull(ctx, source_uri, stage, &po)) != INVS_OK) {
        free(stage); /* a failed pull leaves no stage */
        return rc;
    }
    /* verify for this target: its limits, and the rows bound for the tables
     * it already has converted as push will convert them */
    vo.target = target_uri;
    vo.driver_options = so.driver_options;
    if (!vo.assume_tz)
        vo.assume_tz = so.assume_tz;
    rc = invs_verify(&sum, ctx, stage, &vo);
    if (rc == INVS_OK || (rc == INVS_EVERIFY && so.force))
        rc = invs_push(ctx, stage, target_uri, &so);
    if (rc == INVS_OK && !o->stage) {
        unlink(stage);
        free(stage);
        return INVS_OK;
    }
    *out_stage = stage; /* kept: named, or for the user to look at */
    return rc;
}

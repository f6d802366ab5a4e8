/*
 * invstage verify: the checks that run in the stage, before any target is
 * touched. One write transaction: an interrupted verify leaves the stage as
 * it was. Findings replace the previous verify's; changes accumulate, each
 * cell keeping the bytes it was pulled with, so --undo restores the stage
 * exactly as pulled.
 *
 * --target names a driver (or a URI whose scheme a driver serves): what that
 * engine cannot store comes from the driver's own description of its limits.
 */
#include <stdlib.h>
#include <string.h>

#include "proof.h"
#include "profile.h"
#include "verify.h"

/* A target that says nothing of its limits: no check is an error for it. */
static const invs_limits verify_no_limits = {.struct_size = sizeof(invs_limits)};

static int verify_differs(const invs_stage_table *t, const char *key, const char *why,
                          void *payload)
{
    return invs_verify_report(payload, "target-differs", 1, t->schema->t.name, NULL, 1, key, why);
}

/* verify --against: the target holds exactly the stage's rows? */
static int verify_against(invs_verify_run *v, invs_job *j, const char *uri)
{
    invs_conn *target = NULL;
    invs_tz *tz = NULL;
    int64_t differ = 0;
    int rc;
    if ((rc = invs_tz_open_option(&tz, &j->diag, v->o->assume_tz)) != INVS_OK)
        return rc;
    if (sqlite3_exec(v->st->db, "DELETE FROM invs_findings WHERE check_name = 'target-differs'",
                     NULL, NULL, NULL) != SQLITE_OK)
        rc = invs_stage_err(j, v->st, invs_stage_sqlerr(v->st, INVS_EIO, "clearing findings"));
    else if ((rc = invs_conn_open(&target, j, uri, "target", INVS_CAP_PULL, INVS_OPEN_READ,
                                  v->o->driver_options)) == INVS_OK)
        rc = invs_proof(j, v->st, target, tz, NULL, NULL, verify_differs, v, &differ);
    if (rc != INVS_OK && !j->diag.code) /* the report's own failure: the stage's */
        invs_stage_err(j, v->st, rc);
    invs_conn_close(target);
    invs_tz_free(tz);
    return rc;
}

/* --target URI: the tables the target already has (none when it does not
 * exist yet), and the zone naive timestamps mean going into them. */
static int verify_target_schema(invs_verify_run *v, invs_job *j, const char *uri)
{
    invs_conn *c = NULL;
    int rc;
    if ((rc = invs_tz_open_option(&v->tz, &j->diag, v->o->assume_tz)) != INVS_OK)
        return rc;
    rc = invs_conn_open(&c, j, uri, "target", INVS_CAP_PULL, INVS_OPEN_READ, v->o->driver_options);
    if (rc == INVS_ENOTFOUND) { /* a new database: push creates every table */
        invs_diag_clear(&j->diag);
        return INVS_OK;
    }
    if (rc == INVS_OK &&
        (rc = c->drv->schema_read(c->h, invs_schema_list_emit, &v->target_tables)) != INVS_OK)
        invs_conn_err(j, c, rc);
    v->target_exists = rc == INVS_OK;
    /* not kept for the preflight: a read session may hold locks on the
     * tables it read until it ends, and migrate's load beside the pull
     * takes stronger ones (verify_preflight connects again) */
    invs_conn_close(c);
    return rc;
}

static int verify_preflight_finding(const char *check, const char *detail, void *payload)
{
    return invs_verify_report(payload, check, 0, "(target)", NULL, 1, NULL, detail);
}

/* The session the preflight asks in, before the passes (a target gone
 * meanwhile costs no pass its work): its own, holding no lock on a table. */
static int verify_preflight_connect(invs_verify_run *v, invs_job *j)
{
    const invs_driver *d = v->tdrv;
    if (!v->target_exists || !d || !INVS_HAS(d, invs_driver, preflight) || !d->preflight)
        return INVS_OK;
    return invs_conn_open(&v->tconn, j, v->o->target, "target", INVS_CAP_PULL, INVS_OPEN_READ,
                          v->o->driver_options);
}

/* What the target's own settings refuse (its driver knows them). */
static int verify_preflight(invs_verify_run *v, invs_job *j)
{
    const invs_driver *d = v->tdrv;
    const invs_table **ts;
    size_t i;
    int rc;
    if (!v->tconn)
        return INVS_OK;
    if (!(ts = calloc(v->st->ntables + 1, sizeof(*ts))))
        return invs_diag_oom(&j->diag);
    for (i = 0; i < v->st->ntables; i++)
        ts[i] = &v->st->tables[i].schema->t;
    rc = d->preflight(v->tconn->h, ts, v->st->ntables, verify_preflight_finding, v);
    free(ts);
    if (rc != INVS_OK && !v->st->diag.code) /* not the finding's record: the driver's */
        return invs_conn_err(j, v->tconn, rc);
    return rc == INVS_OK ? rc : invs_stage_err(j, v->st, rc);
}

/* The driver --target names (a driver's scheme, or a URI), and its limits. */
static int verify_target(invs_verify_run *v, invs_job *j, const char *target)
{
    const invs_driver *d;
    invs_uri *u = NULL;
    int rc;

    v->lim = &verify_no_limits;
    v->target = "";
    if (!target)
        return INVS_OK;
    if (strchr(target, ':') && (rc = invs_uri_parse(&u, target)) != INVS_OK)
        return rc == INVS_ENOMEM ? invs_diag_oom(&j->diag)
                                 : invs_uri_refuse(&j->diag, "--target", target);
    rc = invs_driver_for_uri(&d, j, u ? u->scheme : target);
    if (rc == INVS_OK && u)
        rc = verify_target_schema(v, j, target);
    if (rc == INVS_ENOTFOUND) /* the scheme, never the whole URI: it may hold a password */
        rc = invs_diag(&j->diag, INVS_EINVAL,
                       "unknown target '%s': no driver in the plugin path serves it ('invstage "
                       "plugins' lists them)",
                       u ? u->scheme : target);
    invs_uri_free(u);
    if (rc != INVS_OK)
        return rc;
    v->target = d->name;
    v->tdrv = d;
    if (invs_driver_limits(d))
        v->lim = invs_driver_limits(d);
    else
        invs_log(j->ctx, INVS_LOG_WARN,
                 "driver %s (ABI %u.%u) does not describe its limits: verify --target %s "
                 "checks nothing a typed engine would refuse",
                 d->name, d->abi_major, d->abi_minor, d->name);
    v->typed = (v->lim->flags & INVS_LIM_TYPED) != 0;
    return INVS_OK;
}

/* What pull recorded of each table's values (profile.h), where it still
 * describes them: the file unchanged since invstage last wrote it, and
 * none of the table's values changed by verify since the pull. */
static int verify_profiles(invs_verify_run *v)
{
    invs_stage *st = v->st;
    sqlite3_stmt *s = NULL;
    size_t i;
    if (v->o->reread || !st->untouched)
        return INVS_OK;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM invs_changes WHERE tid = ?", -1, &s,
                           NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "reading the changes");
    for (i = 0; i < st->ntables; i++) {
        invs_stage_table *t = &st->tables[i];
        int changed;
        sqlite3_bind_int64(s, 1, t->tid);
        changed = sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int64(s, 0) != 0;
        sqlite3_reset(s);
        if (changed || !(t->profile = calloc(t->schema->t.ncols + 1, sizeof(*t->profile))))
            continue; /* no memory: read the rows, as for any table */
        if (invs_profile_load(st, t->tid, t->profile, t->schema->t.ncols) != INVS_OK) {
            free(t->profile);
            t->profile = NULL;
        }
    }
    sqlite3_finalize(s);
    return INVS_OK;
}

/* Every pass over every table. */
static int verify_tables(invs_verify_run *v, invs_job *j)
{
    invs_stage *st = v->st;
    char seal[INVS_DIGEST_HEX];
    size_t i;
    int rc;
    if ((rc = invs_verify_sql_register(st)) != INVS_OK ||
        (rc = invs_audit_clear_findings(st)) != INVS_OK || (rc = verify_profiles(v)) != INVS_OK)
        return invs_stage_err(j, st, rc);
    for (i = 0; i < st->ntables && rc == INVS_OK; i++) {
        invs_progress(j->ctx, st->tables[i].schema->t.name, 0, st->tables[i].rows);
        invs_schema_table *tt = invs_schema_list_find(&v->target_tables,
                                                      st->tables[i].schema->t.name);
        if ((rc = invs_verify_text(v, &st->tables[i])) == INVS_OK)
            rc = invs_verify_keys(v, &st->tables[i]);
        if (rc == INVS_OK && tt)
            rc = invs_verify_convert(v, &st->tables[i], &tt->t);
        if (rc != INVS_OK)
            return invs_stage_err(j, st, rc);
        if (invs_ctx_cancelled(j->ctx))
            return invs_diag(&j->diag, INVS_ECANCELLED, "interrupted");
        invs_progress(j->ctx, st->tables[i].schema->t.name, st->tables[i].rows,
                      st->tables[i].rows);
    }
    if ((rc = invs_verify_names(v)) != INVS_OK)
        return invs_stage_err(j, st, rc);
    if ((rc = verify_preflight(v, j)) != INVS_OK)
        return rc;
    if ((rc = invs_audit_seal(st, seal)) != INVS_OK ||
        (rc = invs_stage_meta_set(st, "state", INVS_STATE_VERIFIED)) != INVS_OK ||
        (rc = invs_stage_meta_set(st, "verify_target", v->target)) != INVS_OK ||
        (rc = invs_stage_meta_set(st, "verify_seal", seal)) != INVS_OK)
        return invs_stage_err(j, st, rc);
    return INVS_OK;
}

/* What needs no stage: the options, the target and what it holds. */
static int verify_begin(invs_verify_run *v, invs_job *j, invs_ctx *ctx,
                        const invs_verify_opts *opts)
{
    static const invs_verify_opts no_opts;
    memset(v, 0, sizeof(*v));
    invs_job_init(j, ctx);
    invs_ctx_set_phase(ctx, "verify");
    v->o = opts ? opts : &no_opts;
    v->charset = v->o->charset ? v->o->charset : "CP1252";
    if (v->o->zero_dates && strcmp(v->o->zero_dates, "null") != 0)
        return invs_diag(&j->diag, INVS_EINVAL,
                         "--zero-dates %s: the one choice is null (zero dates become NULL)",
                         v->o->zero_dates);
    return verify_target(v, j, v->o->target);
}

/* The stage's passes, and the report; v freed. */
static int verify_end(invs_verify_summary *out, invs_verify_run *v, invs_job *j,
                      const char *stage_path, int rc)
{
    invs_stage *st = NULL;
    if (rc == INVS_OK && (rc = invs_stage_open(&st, j->ctx, &j->diag, stage_path,
                                               INVS_STAGE_WRITE)) == INVS_OK) {
        if ((rc = invs_stage_load_schema(st)) != INVS_OK ||
            (rc = invs_audit_prepare(st)) != INVS_OK)
            invs_stage_err(j, st, rc);
    }
    v->st = st;
    if (rc == INVS_OK && v->o->undo) {
        if ((rc = invs_audit_undo(st, &out->changes)) != INVS_OK ||
            (rc = invs_stage_meta_set(st, "state", INVS_STATE_PULLED)) != INVS_OK)
            invs_stage_err(j, st, rc);
    } else if (rc == INVS_OK && v->o->against) {
        rc = verify_against(v, j, v->o->against);
        out->errors = v->errors;
    } else if (rc == INVS_OK && (rc = verify_preflight_connect(v, j)) == INVS_OK) {
        rc = verify_tables(v, j);
        out->errors = v->errors;
        out->warnings = v->warnings;
        out->changes = invs_audit_changes(st);
        out->rows_read = v->rows_read;
    }
    if (rc == INVS_OK && (rc = invs_stage_commit(st)) != INVS_OK)
        invs_stage_err(j, st, rc);
    invs_stage_close(st); /* without a commit: everything rolled back */
    invs_schema_list_free(&v->target_tables);
    invs_conn_close(v->tconn);
    invs_tz_free(v->tz);
    if (rc == INVS_OK && out->errors)
        rc = invs_diag(&j->diag, INVS_EVERIFY, "verify: %lld error(s), %lld warning(s) in %s",
                       (long long)out->errors, (long long)out->warnings, stage_path);
    return invs_ctx_report(j->ctx, &j->diag, rc);
}

int invs_verify(invs_verify_summary *out, invs_ctx *ctx, const char *stage_path,
                const invs_verify_opts *opts)
{
    invs_verify_run v;
    invs_job j;
    memset(out, 0, sizeof(*out));
    return verify_end(out, &v, &j, stage_path, verify_begin(&v, &j, ctx, opts));
}

struct invs_verify_early {
    invs_verify_run v;
    invs_job j;
};

int invs_verify_early_open(invs_verify_early **out, invs_ctx *ctx, const invs_verify_opts *opts)
{
    invs_verify_early *e = calloc(1, sizeof(*e));
    invs_verify_summary none;
    int rc;
    *out = NULL;
    if (!e) {
        invs_diag_rec oom;
        return invs_ctx_report(ctx, &oom, invs_diag_oom(&oom));
    }
    if ((rc = verify_begin(&e->v, &e->j, ctx, opts)) != INVS_OK) {
        memset(&none, 0, sizeof(none));
        rc = verify_end(&none, &e->v, &e->j, NULL, rc);
        free(e);
        return rc;
    }
    *out = e;
    return INVS_OK;
}

int invs_verify_early_target_exists(const invs_verify_early *e) { return e->v.target_exists; }

const invs_driver *invs_verify_early_target_driver(const invs_verify_early *e)
{
    return e->v.tdrv;
}

int invs_verify_early_run(invs_verify_summary *out, invs_verify_early *e, const char *stage_path)
{
    int rc;
    memset(out, 0, sizeof(*out));
    invs_ctx_set_phase(e->j.ctx, "verify");
    rc = verify_end(out, &e->v, &e->j, stage_path, INVS_OK);
    free(e);
    return rc;
}

void invs_verify_early_close(invs_verify_early *e)
{
    if (!e)
        return;
    invs_schema_list_free(&e->v.target_tables);
    invs_conn_close(e->v.tconn);
    invs_tz_free(e->v.tz);
    free(e);
}

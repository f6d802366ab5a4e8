/*
 * The proof: a target table is read back through its driver, each row
 * put in the stage's column order and digested the stage's way (core/
 * digest.c, order independent), and the digest compared with the stage's.
 *
 * When they differ, a second pass finds the first differing row: the
 * stage's rows go into a temporary on-disk SQLite table keyed by their
 * canonical key (the primary key's values, or the whole row), the target's
 * rows are looked up in it. Memory stays flat either way.
 */
#include <stdlib.h>
#include <string.h>

#include "proof.h"

typedef struct proof_table {
    invs_job *job;
    invs_stage *st;
    invs_conn *target;
    const invs_stage_table *sst;
    const invs_table *tt; /* the target's description of the table */
    long *map;            /* stage column i = target column map[i] */
    invs_value *row;      /* a target row in stage order */
    invs_strbuf enc, key, shown;
    invs_convert cv;      /* stage rows as push converted them */
    invs_value *cvrow;
    const invs_table *dt; /* how rows are digested: the stage's table, or typed */
    const char *expected; /* push's digest of the converted rows it sent, or NULL */
    const invs_tz *tz;    /* what naive timestamps meant, for the conversion */
} proof_table;

/* Next stage row, converted as push converted it. */
static int proof_stage_next(proof_table *p, invs_stage_reader *r, const invs_value **row)
{
    size_t bad;
    const char *why;
    int rc = invs_stage_reader_next(r, row);
    if (rc < 0)
        return invs_stage_err(p->job, p->st, rc);
    if (rc != INVS_ROW || !p->cv.any)
        return rc;
    if ((rc = invs_convert_row(&p->cv, *row, p->cvrow, &bad, &why)) != INVS_OK)
        return rc == INVS_ENOMEM ? invs_diag_oom(&p->job->diag)
                                 : invs_diag(&p->job->diag, rc, "column %s: a value %s",
                                             p->sst->schema->t.cols[bad].name, why);
    *row = p->cvrow;
    return INVS_ROW;
}

static int proof_reader_open(proof_table *p, invs_stage_reader **r)
{
    int rc = invs_stage_reader_open(r, p->st, p->sst);
    return rc == INVS_OK ? rc : invs_stage_err(p->job, p->st, rc);
}

/* The digest the target should have: the stage's, converted. */
static int proof_expected(proof_table *p, char hex[INVS_DIGEST_HEX])
{
    invs_stage_reader *r = NULL;
    const invs_value *row;
    invs_digest dg;
    int rc;
    if (p->expected || (!p->cv.any && p->dt == &p->sst->schema->t)) {
        memcpy(hex, p->expected ? p->expected : p->sst->digest, INVS_DIGEST_HEX);
        return INVS_OK;
    }
    invs_digest_init(&dg);
    if ((rc = proof_reader_open(p, &r)) != INVS_OK)
        return rc;
    while ((rc = proof_stage_next(p, r, &row)) == INVS_ROW)
        invs_digest_row(&dg, &p->enc, p->dt, row, NULL, NULL, NULL);
    invs_stage_reader_close(r);
    if (rc != INVS_DONE)
        return rc;
    invs_digest_hex(&dg, hex);
    return INVS_OK;
}

/* The canonical key of a row in stage order: primary key columns, or all. */
static void proof_key(invs_strbuf *sb, const invs_table *t, const invs_value *row)
{
    const invs_key *pk = invs_schema_primary_key(t);
    size_t k;
    invs_sb_reset(sb);
    if (!pk) {
        for (k = 0; k < t->ncols; k++)
            invs_digest_value(sb, &t->cols[k], &row[k]);
        return;
    }
    for (k = 0; k < pk->ncols; k++) {
        long c = invs_schema_column(t, pk->cols[k]);
        invs_digest_value(sb, &t->cols[c], &row[c]);
    }
}

static int proof_cursor_open(proof_table *p, invs_drv_cursor **cur, uint32_t hints)
{
    int rc = invs_conn_cursor_open(cur, p->target, p->tt, hints);
    if (rc != INVS_OK) {
        *cur = NULL;
        invs_conn_err(p->job, p->target, rc);
    }
    return rc;
}

/* Next target row, in stage order; INVS_ROW / INVS_DONE / error. */
static int proof_next(proof_table *p, invs_drv_cursor *cur)
{
    const invs_value *trow;
    size_t i;
    int rc = p->target->drv->cursor_next(cur, &trow);
    if (rc != INVS_ROW)
        return rc < 0 ? invs_conn_err(p->job, p->target, rc) : rc;
    for (i = 0; i < p->sst->schema->t.ncols; i++) {
        memset(&p->row[i], 0, sizeof(p->row[i]));
        if (p->map[i] >= 0)
            p->row[i] = trow[p->map[i]];
    }
    return INVS_ROW;
}

static int proof_digest(proof_table *p, char hex[INVS_DIGEST_HEX])
{
    invs_drv_cursor *cur;
    invs_digest dg;
    int rc;
    invs_digest_init(&dg);
    /* the digest does not care about order */
    if ((rc = proof_cursor_open(p, &cur, INVS_HINT_ANY_ORDER)) != INVS_OK)
        return rc;
    while ((rc = proof_next(p, cur)) == INVS_ROW) {
        invs_digest_row(&dg, &p->enc, p->dt, p->row, NULL, NULL, NULL);
        if (dg.rows % 65536 == 0 && invs_ctx_cancelled(p->job->ctx)) {
            rc = invs_diag(&p->job->diag, INVS_ECANCELLED, "interrupted");
            break;
        }
    }
    p->target->drv->cursor_close(cur);
    if (rc != INVS_DONE)
        return rc;
    invs_digest_hex(&dg, hex);
    return INVS_OK;
}

/* ------------------------------------------------------------ locating */

/* The first-difference search: canonical key -> (row hash, how many). */
typedef struct proof_index {
    sqlite3 *db;
    sqlite3_stmt *ins, *get, *del, *left;
} proof_index;

static void proof_index_close(proof_index *x)
{
    sqlite3_finalize(x->ins);
    sqlite3_finalize(x->get);
    sqlite3_finalize(x->del);
    sqlite3_finalize(x->left);
    sqlite3_close(x->db);
}

static int proof_index_open(proof_table *p, proof_index *x)
{
    memset(x, 0, sizeof(*x));
    if (sqlite3_open_v2("", &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(x->db,
                     "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                     "CREATE TABLE m(k BLOB PRIMARY KEY, a INTEGER, n INTEGER, shown TEXT)"
                     " WITHOUT ROWID; BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(x->db,
                           "INSERT INTO m VALUES(?1, ?2, 1, ?3) ON CONFLICT(k) DO UPDATE SET"
                           " n = n + 1",
                           -1, &x->ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(x->db, "SELECT a, n FROM m WHERE k = ?1", -1, &x->get, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(x->db, "UPDATE m SET n = n - 1 WHERE k = ?1", -1, &x->del, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(x->db, "SELECT shown FROM m WHERE n > 0 LIMIT 1", -1, &x->left,
                           NULL) != SQLITE_OK)
        return invs_diag(&p->job->diag, INVS_EIO, "proof: a temporary database: %s",
                         x->db ? sqlite3_errmsg(x->db) : "out of memory");
    return INVS_OK;
}

/* The row's hash, and its canonical key in p->key. */
static uint64_t proof_row_hash(proof_table *p, const invs_value *row)
{
    invs_digest one;
    uint64_t a;
    invs_digest_init(&one);
    invs_digest_row(&one, &p->enc, p->dt, row, NULL, &a, NULL);
    proof_key(&p->key, p->dt, row);
    return a;
}

/* Every stage row into the index: key -> row hash, and how it is named. */
static int proof_index_stage(proof_table *p, proof_index *x)
{
    invs_stage_reader *r = NULL;
    const invs_value *row;
    int64_t rid = 0;
    int rc;
    if ((rc = proof_reader_open(p, &r)) != INVS_OK)
        return rc;
    while ((rc = proof_stage_next(p, r, &row)) == INVS_ROW) {
        uint64_t a = proof_row_hash(p, row);
        invs_sb_reset(&p->shown);
        invs_sb_row_key(&p->shown, p->dt, row, ++rid);
        sqlite3_bind_blob(x->ins, 1, p->key.p ? p->key.p : "", (int)p->key.len, SQLITE_STATIC);
        sqlite3_bind_int64(x->ins, 2, (int64_t)a);
        sqlite3_bind_text(x->ins, 3, p->shown.p ? p->shown.p : "", -1, SQLITE_STATIC);
        if (sqlite3_step(x->ins) != SQLITE_DONE) {
            rc = invs_diag(&p->job->diag, INVS_EIO, "proof: %s", sqlite3_errmsg(x->db));
            break;
        }
        sqlite3_reset(x->ins);
    }
    invs_stage_reader_close(r);
    return rc == INVS_DONE ? INVS_OK : rc;
}

/* The target's rows looked up in the index until one has no match or
 * another hash; *why set and p->shown naming it when found. */
static int proof_scan_target(proof_table *p, proof_index *x, const char **why)
{
    invs_drv_cursor *cur;
    int64_t rid = 0;
    int rc;
    if ((rc = proof_cursor_open(p, &cur, 0)) != INVS_OK)
        return rc;
    while (!*why && (rc = proof_next(p, cur)) == INVS_ROW) {
        uint64_t a = proof_row_hash(p, p->row);
        sqlite3_bind_blob(x->get, 1, p->key.p ? p->key.p : "", (int)p->key.len, SQLITE_STATIC);
        rid++;
        if (sqlite3_step(x->get) != SQLITE_ROW || sqlite3_column_int64(x->get, 1) <= 0)
            *why = "the target has a row the stage does not";
        else if ((uint64_t)sqlite3_column_int64(x->get, 0) != a)
            *why = "the row's values differ";
        sqlite3_reset(x->get);
        if (*why) {
            invs_sb_reset(&p->shown);
            invs_sb_row_key(&p->shown, p->dt, p->row, rid);
            break;
        }
        sqlite3_bind_blob(x->del, 1, p->key.p ? p->key.p : "", (int)p->key.len, SQLITE_STATIC);
        sqlite3_step(x->del);
        sqlite3_reset(x->del);
    }
    p->target->drv->cursor_close(cur);
    return rc == INVS_ROW || rc == INVS_DONE ? INVS_OK : rc;
}

/* Where do they differ? Fills p->shown with the first differing key. */
static int proof_locate(proof_table *p, const char **why)
{
    proof_index x;
    int rc;

    *why = NULL;
    if ((rc = proof_index_open(p, &x)) == INVS_OK && (rc = proof_index_stage(p, &x)) == INVS_OK)
        rc = proof_scan_target(p, &x, why);
    if (rc == INVS_OK && !*why) {
        invs_sb_reset(&p->shown);
        if (sqlite3_step(x.left) == SQLITE_ROW) {
            *why = "the stage has a row the target does not";
            invs_sb_puts(&p->shown, (const char *)sqlite3_column_text(x.left, 0));
        } else {
            /* the target holds the stage's rows as they are: they are not
             * the rows the stage's digest was made of */
            *why = "the stage's rows do not match the digest recorded for them: the stage was "
                   "changed outside invstage after it was pulled (invstage verify says where)";
            invs_sb_puts(&p->shown, "?");
        }
    }
    proof_index_close(&x);
    return rc;
}

/* ------------------------------------------------------------ tables */

static void proof_table_free(proof_table *p)
{
    invs_sb_free(&p->enc);
    invs_sb_free(&p->key);
    invs_sb_free(&p->shown);
    free(p->map);
    free(p->row);
    free(p->cvrow);
    invs_convert_free(&p->cv);
}

/* The stage's table p->sst against the target's p->tt. */
static int proof_one(proof_table *p, int convert, const char *expected, invs_proof_fn report,
                     void *payload, int64_t *differ)
{
    const invs_table *s = &p->sst->schema->t;
    char hex[INVS_DIGEST_HEX], want[INVS_DIGEST_HEX];
    const char *why = NULL;
    size_t k;
    int rc = INVS_OK;

    invs_sb_init_std(&p->enc);
    invs_sb_init_std(&p->key);
    invs_sb_init_std(&p->shown);
    p->map = calloc(s->ncols + 1, sizeof(*p->map));
    p->row = calloc(s->ncols + 1, sizeof(*p->row));
    if (!p->map || !p->row)
        rc = invs_diag_oom(&p->job->diag);
    for (k = 0; rc == INVS_OK && k < s->ncols; k++)
        p->map[k] = invs_schema_column(p->tt, s->cols[k].name);
    p->dt = s;
    p->expected = expected && expected[0] ? expected : NULL;
    if (rc == INVS_OK && convert) {
        if (invs_convert_plan(&p->cv, s, p->tt, p->tz) != INVS_OK ||
            !(p->cvrow = calloc(s->ncols + 1, sizeof(*p->cvrow))))
            rc = invs_diag_oom(&p->job->diag);
        else
            p->dt = invs_convert_digest_table(&p->cv, s);
        /* the stage's values as they are, never fitted to the target's
         * scale: a target that rounded 1.5 to 2 differs */
        p->cv.exact_decimals = 1;
    }
    if (rc == INVS_OK)
        rc = proof_expected(p, want);
    if (rc == INVS_OK)
        rc = proof_digest(p, hex);
    if (rc == INVS_OK && strcmp(hex, want) != 0) {
        ++*differ;
        if ((rc = proof_locate(p, &why)) == INVS_OK)
            rc = report(p->sst, p->shown.p ? p->shown.p : "?", why, payload);
    }
    if (rc == INVS_OK && (invs_sb_failed(&p->enc) || invs_sb_failed(&p->key)))
        rc = invs_diag_oom(&p->job->diag);
    if (rc != INVS_OK && rc != INVS_EVERIFY)
        invs_diag_prefix(&p->job->diag, "checking table %s in the target", s->name);
    proof_table_free(p);
    return rc;
}

int invs_proof(invs_job *j, invs_stage *st, invs_conn *target, const invs_tz *tz,
               const unsigned char *convert, const char (*expected)[INVS_DIGEST_HEX],
               invs_proof_fn report, void *payload, int64_t *out_differ)
{
    invs_schema_list tables = {NULL, 0, 0};
    size_t i;
    int rc;

    *out_differ = 0;
    if ((rc = target->drv->schema_read(target->h, invs_schema_list_emit, &tables)) != INVS_OK) {
        invs_conn_err(j, target, rc);
        goto out;
    }
    for (i = 0; i < st->ntables && rc == INVS_OK; i++) {
        const invs_table *s = &st->tables[i].schema->t;
        invs_schema_table *tt = invs_schema_list_find(&tables, s->name);
        proof_table p;

        memset(&p, 0, sizeof(p));
        p.job = j;
        p.st = st;
        p.target = target;
        p.sst = &st->tables[i];
        p.tz = tz;
        if (expected && expected[i][0] == '-') /* folded into another table: proven there */
            continue;
        if (!p.sst->digest[0]) { /* every pull records one: it was removed */
            rc = report(p.sst, "-",
                        "the stage records no digest of the table's rows: it was changed "
                        "outside invstage",
                        payload);
            ++*out_differ;
            continue;
        }
        if (!tt) {
            rc = report(p.sst, "-", "the target has no such table", payload);
            ++*out_differ;
            continue;
        }
        p.tt = &tt->t;
        rc = proof_one(&p, !convert || convert[i], expected ? expected[i] : NULL, report,
                       payload, out_differ);
    }
out:
    invs_schema_list_free(&tables);
    return rc;
}

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
#include "verify.h"

typedef struct proof_table {
    invs_ctx *ctx;
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
} proof_table;

/* Next stage row, converted as push converted it. */
static int proof_stage_next(proof_table *p, invs_stage_reader *r, const invs_value **row)
{
    size_t bad;
    const char *why;
    int rc = invs_stage_reader_next(r, row);
    if (rc != INVS_ROW || !p->cv.any)
        return rc;
    if ((rc = invs_convert_row(&p->cv, *row, p->cvrow, &bad, &why)) != INVS_OK)
        return rc == INVS_ENOMEM ? invs_diag(p->ctx, rc, "out of memory")
                                 : invs_diag(p->ctx, rc, "column %s: a value %s",
                                             p->sst->schema->t.cols[bad].name, why);
    *row = p->cvrow;
    return INVS_ROW;
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
    if ((rc = invs_stage_reader_open(&r, p->st, p->sst)) != INVS_OK)
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

/* Next target row, in stage order; INVS_ROW / INVS_DONE / error. */
static int proof_next(proof_table *p, void *cur)
{
    const invs_value *trow;
    size_t i;
    int rc = p->target->drv->cursor_next(cur, &trow);
    if (rc != INVS_ROW)
        return rc;
    for (i = 0; i < p->sst->schema->t.ncols; i++) {
        memset(&p->row[i], 0, sizeof(p->row[i]));
        if (p->map[i] >= 0)
            p->row[i] = trow[p->map[i]];
    }
    return INVS_ROW;
}

static int proof_digest(proof_table *p, char hex[INVS_DIGEST_HEX])
{
    void *cur = NULL;
    invs_digest dg;
    int rc;
    invs_table any_order = *p->tt; /* the digest does not care */
    any_order.flags |= INVS_TBL_ANY_ORDER;
    invs_digest_init(&dg);
    if ((rc = p->target->drv->cursor_open(&cur, p->target->h, &any_order)) != INVS_OK)
        return rc;
    while ((rc = proof_next(p, cur)) == INVS_ROW)
        invs_digest_row(&dg, &p->enc, p->dt, p->row, NULL, NULL, NULL);
    p->target->drv->cursor_close(cur);
    if (rc != INVS_DONE)
        return rc;
    invs_digest_hex(&dg, hex);
    return INVS_OK;
}

/* Where do they differ? Fills p->shown with the first differing key. */
static int proof_locate(proof_table *p, const char **why)
{
    const invs_table *t = p->dt;
    sqlite3 *tmp = NULL;
    sqlite3_stmt *ins = NULL, *get = NULL, *del = NULL, *left = NULL;
    invs_stage_reader *r = NULL;
    void *cur = NULL;
    const invs_value *row;
    int64_t rid = 0;
    int rc = INVS_OK, found = 0;

    invs_sb_reset(&p->shown);
    if (sqlite3_open_v2("", &tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
        sqlite3_exec(tmp,
                     "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                     "CREATE TABLE m(k BLOB PRIMARY KEY, a INTEGER, n INTEGER, shown TEXT)"
                     " WITHOUT ROWID; BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(tmp,
                           "INSERT INTO m VALUES(?1, ?2, 1, ?3) ON CONFLICT(k) DO UPDATE SET"
                           " n = n + 1",
                           -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(tmp, "SELECT a, n FROM m WHERE k = ?1", -1, &get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(tmp, "UPDATE m SET n = n - 1 WHERE k = ?1", -1, &del, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(tmp, "SELECT shown FROM m WHERE n > 0 LIMIT 1", -1, &left, NULL) !=
            SQLITE_OK) {
        rc = invs_diag(p->ctx, INVS_EIO, "proof: a temporary database: %s",
                       tmp ? sqlite3_errmsg(tmp) : "out of memory");
        goto out;
    }
    /* the stage's rows: key -> row hash */
    if ((rc = invs_stage_reader_open(&r, p->st, p->sst)) != INVS_OK)
        goto out;
    while ((rc = proof_stage_next(p, r, &row)) == INVS_ROW) {
        invs_digest one;
        uint64_t a;
        invs_digest_init(&one);
        invs_digest_row(&one, &p->enc, t, row, NULL, &a, NULL);
        proof_key(&p->key, t, row);
        invs_sb_reset(&p->shown);
        invs_verify_row_key(&p->shown, t, row, ++rid);
        sqlite3_bind_blob(ins, 1, p->key.p ? p->key.p : "", (int)p->key.len, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, (int64_t)a);
        sqlite3_bind_text(ins, 3, p->shown.p ? p->shown.p : "", -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = invs_diag(p->ctx, INVS_EIO, "proof: %s", sqlite3_errmsg(tmp));
            goto out;
        }
        sqlite3_reset(ins);
    }
    if (rc != INVS_DONE)
        goto out;
    /* the target's rows, looked up */
    if ((rc = p->target->drv->cursor_open(&cur, p->target->h, p->tt)) != INVS_OK) {
        cur = NULL;
        goto out;
    }
    rid = 0;
    while (!found && (rc = proof_next(p, cur)) == INVS_ROW) {
        invs_digest one;
        uint64_t a;
        invs_digest_init(&one);
        invs_digest_row(&one, &p->enc, t, p->row, NULL, &a, NULL);
        proof_key(&p->key, t, p->row);
        sqlite3_bind_blob(get, 1, p->key.p ? p->key.p : "", (int)p->key.len, SQLITE_STATIC);
        rid++;
        if (sqlite3_step(get) != SQLITE_ROW || sqlite3_column_int64(get, 1) <= 0) {
            *why = "the target has a row the stage does not";
            found = 1;
        } else if ((uint64_t)sqlite3_column_int64(get, 0) != a) {
            *why = "the row's values differ";
            found = 1;
        }
        sqlite3_reset(get);
        if (found) {
            invs_sb_reset(&p->shown);
            invs_verify_row_key(&p->shown, t, p->row, rid);
            break;
        }
        sqlite3_bind_blob(del, 1, p->key.p ? p->key.p : "", (int)p->key.len, SQLITE_STATIC);
        sqlite3_step(del);
        sqlite3_reset(del);
    }
    if (rc != INVS_ROW && rc != INVS_DONE)
        goto out;
    rc = INVS_OK;
    if (!found)
        invs_sb_reset(&p->shown);
    if (!found && sqlite3_step(left) == SQLITE_ROW) {
        *why = "the stage has a row the target does not";
        invs_sb_puts(&p->shown, (const char *)sqlite3_column_text(left, 0));
        found = 1;
    }
    if (!found) {
        *why = "the digests differ but no row does (a hash collision?)";
        invs_sb_puts(&p->shown, "?");
    }
out:
    if (cur)
        p->target->drv->cursor_close(cur);
    invs_stage_reader_close(r);
    sqlite3_finalize(ins);
    sqlite3_finalize(get);
    sqlite3_finalize(del);
    sqlite3_finalize(left);
    sqlite3_close(tmp);
    return rc;
}

int invs_proof(invs_ctx *ctx, invs_stage *st, invs_conn *target, const invs_tz *tz,
               const unsigned char *convert, const char (*expected)[INVS_DIGEST_HEX],
               invs_proof_fn report, void *payload, int64_t *out_differ)
{
    invs_schema_list tables = {NULL, 0, 0};
    size_t i, k;
    int rc;

    *out_differ = 0;
    if ((rc = target->drv->schema_read(target->h, invs_schema_list_emit, &tables)) != INVS_OK) {
        if (rc == INVS_ENOMEM)
            invs_diag(ctx, rc, "out of memory");
        goto out;
    }
    for (i = 0; i < st->ntables && rc == INVS_OK; i++) {
        proof_table p;
        const invs_table *s = &st->tables[i].schema->t;
        invs_schema_table *tt;
        char hex[INVS_DIGEST_HEX], want[INVS_DIGEST_HEX];
        const char *why = NULL;

        memset(&p, 0, sizeof(p));
        p.ctx = ctx;
        p.st = st;
        p.target = target;
        p.sst = &st->tables[i];
        if ((tt = invs_schema_list_find(&tables, s->name)))
            p.tt = &tt->t;
        if (!p.sst->digest[0]) {
            invs_log(ctx, INVS_LOG_WARN, "table %s: the stage has no digest to compare", s->name);
            continue;
        }
        if (!p.tt) {
            rc = report(p.sst, "-", "the target has no such table", payload);
            ++*out_differ;
            continue;
        }
        invs_sb_init_std(&p.enc);
        invs_sb_init_std(&p.key);
        invs_sb_init_std(&p.shown);
        p.map = calloc(s->ncols + 1, sizeof(*p.map));
        p.row = calloc(s->ncols + 1, sizeof(*p.row));
        if (!p.map || !p.row)
            rc = invs_diag(ctx, INVS_ENOMEM, "out of memory");
        for (k = 0; rc == INVS_OK && k < s->ncols; k++)
            p.map[k] = invs_schema_column(p.tt, s->cols[k].name);
        p.dt = s;
        if (expected && expected[i][0])
            p.expected = expected[i];
        if (rc == INVS_OK && (!convert || convert[i])) {
            if (invs_convert_plan(&p.cv, s, p.tt, tz) != INVS_OK ||
                !(p.cvrow = calloc(s->ncols + 1, sizeof(*p.cvrow))))
                rc = invs_diag(ctx, INVS_ENOMEM, "out of memory");
            else
                p.dt = invs_convert_digest_table(&p.cv, s);
        }
        if (rc == INVS_OK)
            rc = proof_expected(&p, want);
        if (rc == INVS_OK)
            rc = proof_digest(&p, hex);
        if (rc == INVS_OK && strcmp(hex, want) != 0) {
            ++*out_differ;
            if ((rc = proof_locate(&p, &why)) == INVS_OK)
                rc = report(p.sst, p.shown.p ? p.shown.p : "?", why, payload);
        }
        if (rc == INVS_OK && (invs_sb_failed(&p.enc) || invs_sb_failed(&p.key)))
            rc = invs_diag(ctx, INVS_ENOMEM, "out of memory");
        if (rc != INVS_OK && rc != INVS_EVERIFY)
            invs_diag_prefix(ctx, "checking table %s in the target", s->name);
        invs_sb_free(&p.enc);
        invs_sb_free(&p.key);
        invs_sb_free(&p.shown);
        free(p.map);
        free(p.row);
        free(p.cvrow);
        invs_convert_free(&p.cv);
    }
out:
    invs_schema_list_free(&tables);
    return rc;
}

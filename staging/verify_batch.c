/*
 * verify's per-value questions about one table, answered by one scan.
 *
 * The integrity pass asks a dozen questions of each column (text in a
 * numeric column? a real with a fraction in an integer one? a decimal too
 * wide?), each a WHERE clause over the stage's data table. Asked one by one
 * they read the table once per question; gathered here, they are asked
 * together, in one SELECT whose WHERE is their OR, and each row that
 * matches is tallied against every question it answers. The findings are
 * the same, with the same counts, the same first keys (scan order) and in
 * the same order (a finding that needs no question waits in the batch for
 * its turn); a batch asks at most BATCH_MAX questions, so the statement
 * stays within SQLite's expression depth and column limits.
 */
#include <stdlib.h>
#include <string.h>

#include "verify.h"

#define BATCH_MAX 200
#define FIRST_KEYS 5

typedef struct batch_question {
    char *where; /* NULL: answered already (count, keys) */
    char *check, *column, *detail;
    int error;
    int64_t count;
    invs_strbuf keys;
} batch_question;

struct invs_verify_batch {
    const invs_stage_table *st; /* the table asked about */
    char *key;                  /* SQL naming a row of it in the findings */
    batch_question *q;
    size_t n, cap;
    size_t asked; /* of them with a where */
};

static char *batch_dup(const char *s) { return s ? strdup(s) : NULL; }

static void batch_clear(invs_verify_batch *b)
{
    size_t i;
    for (i = 0; i < b->n; i++) {
        free(b->q[i].where);
        free(b->q[i].check);
        free(b->q[i].column);
        free(b->q[i].detail);
        invs_sb_free(&b->q[i].keys);
    }
    b->n = b->asked = 0;
}

int invs_verify_batch_open(invs_verify_run *v, const invs_stage_table *st, const char *key)
{
    if (!(v->batch = calloc(1, sizeof(*v->batch))) || !(v->batch->key = strdup(key)))
        return invs_diag_oom(&v->st->diag);
    v->batch->st = st;
    return INVS_OK;
}

void invs_verify_batch_close(invs_verify_run *v)
{
    if (v->batch) {
        batch_clear(v->batch);
        free(v->batch->q);
        free(v->batch->key);
    }
    free(v->batch);
    v->batch = NULL;
}

static int batch_sql(invs_strbuf *sql, const invs_verify_batch *b)
{
    size_t i, k = 0;
    invs_sb_printf(sql, "SELECT %s", b->key);
    for (i = 0; i < b->n; i++)
        if (b->q[i].where)
            invs_sb_printf(sql, ", coalesce((%s), 0) <> 0", b->q[i].where);
    invs_sb_printf(sql, " FROM invs_data_%lld AS d WHERE ", (long long)b->st->tid);
    for (i = 0; i < b->n; i++)
        if (b->q[i].where)
            invs_sb_printf(sql, "%s(%s)", k++ ? " OR " : "", b->q[i].where);
    return invs_sb_failed(sql) ? INVS_ENOMEM : INVS_OK;
}

/* The rows answering the questions asked, tallied per question. */
static int batch_ask(invs_verify_run *v)
{
    invs_verify_batch *b = v->batch;
    sqlite3_stmt *s = NULL;
    invs_strbuf sql;
    size_t i;
    int rc = INVS_OK, step = SQLITE_DONE, col;
    v->rows_read += b->st->rows;
    invs_sb_init_std(&sql);
    if (batch_sql(&sql, b) != INVS_OK)
        rc = invs_diag_oom(&v->st->diag);
    else if (sqlite3_prepare_v2(v->st->db, sql.p, -1, &s, NULL) != SQLITE_OK)
        rc = invs_stage_sqlerr(v->st, INVS_ECORRUPT, "verify");
    invs_sb_free(&sql);
    while (rc == INVS_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        for (i = 0, col = 1; i < b->n; i++) {
            batch_question *q = &b->q[i];
            if (!q->where || !sqlite3_column_int(s, col++) || q->count++ >= FIRST_KEYS)
                continue;
            invs_sb_printf(&q->keys, "%s%s", q->keys.len ? ", " : "",
                           (const char *)sqlite3_column_text(s, 0));
        }
    if (rc == INVS_OK && step != SQLITE_DONE)
        rc = invs_stage_sqlerr(v->st, INVS_ECORRUPT, "verify");
    sqlite3_finalize(s);
    return rc;
}

/* Ask every question gathered, report what was found, in order. */
int invs_verify_batch_flush(invs_verify_run *v)
{
    invs_verify_batch *b = v->batch;
    size_t i;
    int rc = INVS_OK;
    if (!b || !b->n)
        return INVS_OK;
    if (b->asked)
        rc = batch_ask(v);
    for (i = 0; i < b->n && rc == INVS_OK; i++) {
        batch_question *q = &b->q[i];
        if (invs_sb_failed(&q->keys))
            rc = invs_diag_oom(&v->st->diag);
        else if (q->count)
            rc = invs_verify_report(v, q->check, q->error, b->st->schema->t.name, q->column,
                                    q->count, q->keys.len ? q->keys.p : NULL, q->detail);
    }
    batch_clear(b);
    return rc;
}

static batch_question *batch_new(invs_verify_run *v)
{
    invs_verify_batch *b = v->batch;
    batch_question *q;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 32;
        batch_question *nq = realloc(b->q, cap * sizeof(*nq));
        if (!nq)
            return NULL;
        b->q = nq;
        b->cap = cap;
    }
    q = &b->q[b->n++];
    memset(q, 0, sizeof(*q));
    invs_sb_init_std(&q->keys);
    return q;
}

static int batch_fill(invs_verify_run *v, batch_question *q, const char *check, int error,
                      const char *column, const char *detail)
{
    q->error = error;
    q->check = batch_dup(check);
    q->column = batch_dup(column);
    q->detail = batch_dup(detail);
    if (!q->check || (column && !q->column) || (detail && !q->detail))
        return invs_diag_oom(&v->st->diag);
    return INVS_OK;
}

int invs_verify_batch_add(invs_verify_run *v, const char *where, const char *check, int error,
                          const char *column, const char *detail)
{
    batch_question *q;
    int rc;
    if (v->batch->asked == BATCH_MAX && (rc = invs_verify_batch_flush(v)) != INVS_OK)
        return rc;
    if (!(q = batch_new(v)))
        return invs_diag_oom(&v->st->diag);
    v->batch->asked++;
    if (!(q->where = batch_dup(where)))
        return invs_diag_oom(&v->st->diag);
    return batch_fill(v, q, check, error, column, detail);
}

int invs_verify_batch_found(invs_verify_run *v, const char *check, int error,
                            const char *column, int64_t count, const char *detail)
{
    batch_question *q = batch_new(v);
    if (!q)
        return invs_diag_oom(&v->st->diag);
    q->count = count;
    return batch_fill(v, q, check, error, column, detail);
}

/*
 * Rows out of the stage, streamed in rowid order (the order they were
 * pulled). When the table has special cells, a second cursor over
 * invs_specials runs alongside in (row, column) order: a merge, not a lookup
 * per row.
 */
#include <stdlib.h>
#include <string.h>

#include "stage.h"

struct invs_stage_reader {
    invs_stage *st;
    size_t ncols;
    sqlite3_stmt *rows;
    sqlite3_stmt *specials; /* NULL when the table has none */
    int special_ready;      /* specials is on a row not yet consumed */
    int special_done;       /* specials ran out (stepping again would
                               start it over) */
    invs_arena bytes;       /* copies of special text/blob: the specials
                               cursor moves on before the row is used */
    invs_value *vals;
};

int invs_stage_reader_open(invs_stage_reader **out, invs_stage *st, const invs_stage_table *t)
{
    invs_stage_reader *r;
    invs_strbuf sb;
    int rc = INVS_OK;

    *out = NULL;
    if (!(r = calloc(1, sizeof(*r))) || !(r->vals = calloc(t->schema->t.ncols, sizeof(invs_value)))) {
        free(r);
        return invs_diag_oom(&st->diag);
    }
    r->st = st;
    r->ncols = t->schema->t.ncols;
    invs_arena_init(&r->bytes, 4096);
    invs_sb_init_std(&sb);
    invs_sb_printf(&sb, "SELECT rowid, * FROM invs_data_%lld ORDER BY rowid", (long long)t->tid);
    if (invs_sb_failed(&sb))
        rc = invs_diag_oom(&st->diag);
    else if (sqlite3_prepare_v2(st->db, sb.p, -1, &r->rows, NULL) != SQLITE_OK)
        rc = invs_stage_sqlerr(st, INVS_ECORRUPT, "reading the rows of a table");
    else if ((size_t)sqlite3_column_count(r->rows) != r->ncols + 1)
        rc = invs_diag(&st->diag, INVS_ECORRUPT,
                       "stage %s: table %s has %d data columns, its schema %zu", st->path,
                       t->schema->t.name, sqlite3_column_count(r->rows) - 1, r->ncols);
    invs_sb_free(&sb);
    if (rc == INVS_OK && t->specials > 0) {
        if (sqlite3_prepare_v2(st->db,
                               "SELECT rid, col, type, flags, bits FROM invs_specials"
                               " WHERE tid = ? ORDER BY rid, col",
                               -1, &r->specials, NULL) != SQLITE_OK)
            rc = invs_stage_sqlerr(st, INVS_ECORRUPT, "reading special values");
        else
            sqlite3_bind_int64(r->specials, 1, t->tid);
    }
    if (rc != INVS_OK) {
        invs_stage_reader_close(r);
        return rc;
    }
    *out = r;
    return INVS_OK;
}

static void reader_cell(invs_value *v, sqlite3_stmt *s, int i)
{
    memset(v, 0, sizeof(*v));
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
        v->type = INVS_INT;
        v->num.i = sqlite3_column_int64(s, i);
        break;
    case SQLITE_FLOAT:
        v->type = INVS_REAL;
        v->num.d = sqlite3_column_double(s, i);
        break;
    case SQLITE_TEXT:
        v->type = INVS_TEXT;
        v->ptr = sqlite3_column_text(s, i);
        v->len = (size_t)sqlite3_column_bytes(s, i);
        break;
    case SQLITE_BLOB:
        v->type = INVS_BLOB;
        v->ptr = sqlite3_column_blob(s, i);
        v->len = (size_t)sqlite3_column_bytes(s, i);
        break;
    default:
        v->type = INVS_NULL;
    }
}

/* Apply the special cells of row `rid`. */
static int reader_specials(invs_stage_reader *r, int64_t rid)
{
    sqlite3_stmt *s = r->specials;
    for (;;) {
        int64_t srid, col;
        if (r->special_done)
            return INVS_OK;
        if (!r->special_ready) {
            int step = sqlite3_step(s);
            if (step == SQLITE_DONE) {
                r->special_done = 1;
                return INVS_OK;
            }
            if (step != SQLITE_ROW)
                return invs_stage_sqlerr(r->st, INVS_ECORRUPT, "reading special values");
            r->special_ready = 1;
        }
        srid = sqlite3_column_int64(s, 0);
        if (srid > rid)
            return INVS_OK;
        col = sqlite3_column_int64(s, 1);
        r->special_ready = 0;
        if (srid < rid || col < 0 || (size_t)col >= r->ncols)
            return invs_diag(&r->st->diag, INVS_ECORRUPT,
                             "stage %s: special value for row %lld column %lld has no cell",
                             r->st->path, (long long)srid, (long long)col);
        {
            invs_value *v = &r->vals[col];
            int type = sqlite3_column_int(s, 2);
            reader_cell(v, s, 4);
            if (type == INVS_REAL || type == INVS_INT || type == INVS_UINT) {
                const unsigned char *b = v->ptr;
                uint64_t u = 0;
                int i;
                if (v->type != INVS_BLOB || v->len != 8)
                    return invs_diag(&r->st->diag, INVS_ECORRUPT,
                                     "stage %s: special number in row %lld is not 8 bytes",
                                     r->st->path, (long long)srid);
                for (i = 0; i < 8; i++)
                    u = (u << 8) | b[i];
                memcpy(&v->num, &u, sizeof(u));
                v->ptr = NULL;
                v->len = 0;
            } else if (v->ptr && !(v->ptr = invs_arena_memdup(&r->bytes, v->ptr, v->len))) {
                return invs_diag_oom(&r->st->diag);
            }
            v->type = (uint8_t)type;
            v->flags = (uint8_t)sqlite3_column_int(s, 3);
        }
    }
}

int invs_stage_reader_next(invs_stage_reader *r, const invs_value **row)
{
    size_t i;
    int step = sqlite3_step(r->rows), rc;

    if (step == SQLITE_DONE)
        return INVS_DONE;
    if (step != SQLITE_ROW)
        return invs_stage_sqlerr(r->st, INVS_ECORRUPT, "reading a row");
    for (i = 0; i < r->ncols; i++)
        reader_cell(&r->vals[i], r->rows, (int)i + 1);
    invs_arena_reset(&r->bytes);
    if (r->specials && (rc = reader_specials(r, sqlite3_column_int64(r->rows, 0))) != INVS_OK)
        return rc;
    *row = r->vals;
    return INVS_ROW;
}

void invs_stage_reader_close(invs_stage_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->rows);
    sqlite3_finalize(r->specials);
    invs_arena_free(&r->bytes);
    free(r->vals);
    free(r);
}

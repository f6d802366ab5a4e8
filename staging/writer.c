/*
 * Rows into the stage: one prepared INSERT per table into a fresh table, so
 * SQLite's automatic rowid is the row number (checked on every row) and the
 * stage keeps the order the source delivered (its key order). Letting SQLite
 * choose the rowid takes its append path; binding it costs a b-tree seek
 * per row.
 *
 * Values SQLite cannot hold as themselves go to invs_specials, keyed by
 * (tid, row, column), with NULL in the cell: NaN (SQLite turns it into
 * NULL), unsigned integers past INT64_MAX, and any value with flags.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "stage.h"

struct invs_stage_writer {
    invs_stage *st;
    int64_t tid;
    size_t ncols;
    sqlite3_stmt *ins;
    sqlite3_stmt *special;
    int64_t rows;
    int64_t specials;
    invs_col_profile *profile; /* per column, as stored */
};

int invs_stage_writer_open(invs_stage_writer **out, invs_stage *st, int64_t tid,
                           const invs_table *t)
{
    size_t ncols = t->ncols;
    invs_stage_writer *w;
    invs_strbuf sb;
    size_t i;
    int rc = INVS_OK;

    *out = NULL;
    if (!(w = calloc(1, sizeof(*w))) || !(w->profile = calloc(ncols + 1, sizeof(*w->profile)))) {
        free(w);
        return invs_diag_oom(&st->diag);
    }
    for (i = 0; i < ncols; i++)
        invs_profile_init(&w->profile[i], t->cols[i].canon);
    w->st = st;
    w->tid = tid;
    w->ncols = ncols;
    invs_sb_init_std(&sb);
    invs_sb_printf(&sb, "INSERT INTO invs_data_%lld VALUES(", (long long)tid);
    for (i = 0; i < ncols; i++)
        invs_sb_puts(&sb, i ? ", ?" : "?");
    invs_sb_puts(&sb, ")");
    if (invs_sb_failed(&sb))
        rc = invs_diag_oom(&st->diag);
    else if (sqlite3_prepare_v3(st->db, sb.p, -1, SQLITE_PREPARE_PERSISTENT, &w->ins, NULL) !=
                 SQLITE_OK ||
             sqlite3_prepare_v3(st->db, "INSERT INTO invs_specials VALUES(?,?,?,?,?,?)", -1,
                                SQLITE_PREPARE_PERSISTENT, &w->special, NULL) != SQLITE_OK)
        rc = invs_stage_sqlerr(st, INVS_EIO, "preparing the row writer");
    invs_sb_free(&sb);
    if (rc != INVS_OK) {
        invs_stage_writer_close(w);
        return rc;
    }
    *out = w;
    return INVS_OK;
}

static int writer_special(invs_stage_writer *w, size_t col, const invs_value *v)
{
    sqlite3_stmt *s = w->special;
    unsigned char bits[8];
    uint64_t u;
    int i;

    sqlite3_bind_int64(s, 1, w->tid);
    sqlite3_bind_int64(s, 2, w->rows + 1);
    sqlite3_bind_int64(s, 3, (int64_t)col);
    sqlite3_bind_int(s, 4, v->type);
    sqlite3_bind_int(s, 5, v->flags);
    switch (v->type) {
    case INVS_REAL:
    case INVS_UINT:
    case INVS_INT:
        /* the 8 bytes, big-endian: exact whatever they hold */
        memcpy(&u, &v->num, sizeof(u));
        for (i = 7; i >= 0; i--, u >>= 8)
            bits[i] = (unsigned char)(u & 0xff);
        sqlite3_bind_blob(s, 6, bits, 8, SQLITE_STATIC);
        break;
    case INVS_TEXT:
        sqlite3_bind_text64(s, 6, v->len ? v->ptr : "", v->len, SQLITE_STATIC, SQLITE_UTF8);
        break;
    case INVS_BLOB:
        if (v->len)
            sqlite3_bind_blob64(s, 6, v->ptr, v->len, SQLITE_STATIC);
        else
            sqlite3_bind_zeroblob(s, 6, 0);
        break;
    default:
        sqlite3_bind_null(s, 6);
    }
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return invs_stage_sqlerr(w->st, INVS_EIO, "writing a special value");
    }
    sqlite3_reset(s);
    w->specials++;
    return INVS_OK;
}

/* Bind v as itself; 1 when it must go to invs_specials instead. */
static int writer_bind(sqlite3_stmt *s, int i, const invs_value *v)
{
    if (v->flags)
        return 1;
    switch (v->type) {
    case INVS_NULL:
        sqlite3_bind_null(s, i);
        return 0;
    case INVS_INT:
        sqlite3_bind_int64(s, i, v->num.i);
        return 0;
    case INVS_UINT:
        if (v->num.u > INT64_MAX)
            return 1;
        sqlite3_bind_int64(s, i, (int64_t)v->num.u);
        return 0;
    case INVS_REAL:
        if (isnan(v->num.d))
            return 1;
        sqlite3_bind_double(s, i, v->num.d);
        return 0;
    case INVS_TEXT:
        /* a NULL pointer would bind SQL NULL: "" keeps empty text text */
        sqlite3_bind_text64(s, i, v->len ? v->ptr : "", v->len, SQLITE_STATIC, SQLITE_UTF8);
        return 0;
    case INVS_BLOB:
        if (v->len)
            sqlite3_bind_blob64(s, i, v->ptr, v->len, SQLITE_STATIC);
        else
            sqlite3_bind_zeroblob(s, i, 0);
        return 0;
    }
    return INVS_EINVAL;
}

int invs_stage_writer_put(invs_stage_writer *w, const invs_value *row)
{
    sqlite3_stmt *s = w->ins;
    size_t i;
    int rc = INVS_OK, r;

    for (i = 0; i < w->ncols && rc == INVS_OK; i++) {
        r = writer_bind(s, (int)i + 1, &row[i]);
        if (r < 0)
            rc = invs_diag(&w->st->diag, INVS_EINVAL, "column %zu: value of unknown type %d", i,
                           row[i].type);
        else if (r > 0) {
            sqlite3_bind_null(s, (int)i + 1);
            rc = writer_special(w, i, &row[i]);
        }
        invs_profile_value(&w->profile[i], &row[i], r > 0);
    }
    if (rc == INVS_OK && sqlite3_step(s) != SQLITE_DONE)
        rc = invs_stage_sqlerr(w->st, INVS_EIO, "writing a row");
    if (rc == INVS_OK && sqlite3_last_insert_rowid(w->st->db) != w->rows + 1)
        rc = invs_diag(&w->st->diag, INVS_ECORRUPT, "stage %s: row %lld was stored as rowid %lld",
                       w->st->path, (long long)w->rows + 1,
                       (long long)sqlite3_last_insert_rowid(w->st->db));
    sqlite3_reset(s);
    if (rc == INVS_OK)
        w->rows++;
    return rc;
}

int64_t invs_stage_writer_rows(const invs_stage_writer *w) { return w->rows; }
int64_t invs_stage_writer_specials(const invs_stage_writer *w) { return w->specials; }

int invs_stage_writer_save_profile(invs_stage_writer *w)
{
    return invs_profile_save(w->st, w->tid, w->profile, w->ncols);
}

void invs_stage_writer_close(invs_stage_writer *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->ins);
    sqlite3_finalize(w->special);
    free(w->profile);
    free(w);
}

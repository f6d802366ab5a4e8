/* Rows out (a forward-only cursor) and rows in (a prepared INSERT). */
#include <math.h>
#include <string.h>

#include "sqlite_driver.h"

/* "a", "b", ... : the table's columns, quoted. */
static void rows_column_list(invs_strbuf *sb, const invs_table *t)
{
    size_t i;
    for (i = 0; i < t->ncols; i++) {
        if (i)
            invs_sb_puts(sb, ", ");
        invs_sb_ident(sb, t->cols[i].name, '"');
    }
}

/* ------------------------------------------------------------ cursor */

struct invs_drv_cursor {
    sqlite_conn *c;
    sqlite3_stmt *s;
    size_t ncols;
    invs_value vals[]; /* the current row */
};

int sqlite_cursor_open(invs_drv_cursor **out, invs_drv_conn *conn, const invs_table *t,
                       uint32_t hints)
{
    sqlite_conn *c = conn;
    sqlite_cursor *cur;
    const invs_key *pk = NULL;
    invs_strbuf sb;
    size_t i;
    int rc;

    *out = NULL;
    for (i = 0; i < t->nkeys && !pk; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY)
            pk = &t->keys[i];
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "SELECT ");
    rows_column_list(&sb, t);
    invs_sb_puts(&sb, " FROM ");
    invs_sb_ident(&sb, t->name, '"');
    if (pk && !(hints & INVS_HINT_ANY_ORDER)) { /* a sort the host may not need */
        invs_sb_puts(&sb, " ORDER BY ");
        for (i = 0; i < pk->ncols; i++) {
            if (i)
                invs_sb_puts(&sb, ", ");
            invs_sb_ident(&sb, pk->cols[i], '"');
        }
    } else if (!pk) {
        invs_sb_puts(&sb, " ORDER BY rowid"); /* no key: the order rows were stored in */
    }
    if ((rc = sqlite_sb_ok(c, &sb)) != INVS_OK)
        goto out;
    if (!(cur = sqlite_host->alloc(sizeof(*cur) + t->ncols * sizeof(invs_value)))) {
        rc = sqlite_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
    memset(cur, 0, sizeof(*cur) + t->ncols * sizeof(invs_value));
    cur->c = c;
    cur->ncols = t->ncols;
    if (sqlite3_prepare_v2(c->db, sb.p, -1, &cur->s, NULL) != SQLITE_OK) {
        rc = sqlite_err(c, INVS_ESQL, "reading rows");
        sqlite_cursor_close(cur);
        goto out;
    }
    *out = cur;
out:
    invs_sb_free(&sb);
    return rc;
}

int sqlite_cursor_next(invs_drv_cursor *cursor, const invs_value **out_row)
{
    sqlite_cursor *cur = cursor;
    sqlite3_stmt *s = cur->s;
    size_t i;
    int step = sqlite3_step(s);

    if (step == SQLITE_DONE)
        return INVS_DONE;
    if (step != SQLITE_ROW)
        return sqlite_err(cur->c, INVS_ESQL, "reading a row");
    for (i = 0; i < cur->ncols; i++) {
        invs_value *v = &cur->vals[i];
        int col = (int)i;
        switch (sqlite3_column_type(s, col)) {
        case SQLITE_INTEGER:
            v->type = INVS_INT;
            v->num.i = sqlite3_column_int64(s, col);
            break;
        case SQLITE_FLOAT:
            v->type = INVS_REAL;
            v->num.d = sqlite3_column_double(s, col);
            break;
        case SQLITE_TEXT: /* the stored bytes, valid UTF-8 or not */
            v->type = INVS_TEXT;
            v->ptr = sqlite3_column_text(s, col);
            v->len = (size_t)sqlite3_column_bytes(s, col);
            break;
        case SQLITE_BLOB:
            v->type = INVS_BLOB;
            v->ptr = sqlite3_column_blob(s, col);
            v->len = (size_t)sqlite3_column_bytes(s, col);
            break;
        default:
            v->type = INVS_NULL;
        }
    }
    *out_row = cur->vals;
    return INVS_ROW;
}

void sqlite_cursor_close(invs_drv_cursor *cursor)
{
    sqlite_cursor *cur = cursor;
    if (!cur)
        return;
    sqlite3_finalize(cur->s);
    sqlite_host->free(cur);
}

/* ------------------------------------------------------------ writer */

struct invs_drv_writer {
    sqlite_conn *c;
    const invs_table *t;
    sqlite3_stmt *s;
    int64_t rows;
};

int sqlite_writer_open(invs_drv_writer **out, invs_drv_conn *conn, const invs_table *t)
{
    sqlite_conn *c = conn;
    sqlite_writer *w = NULL;
    invs_strbuf sb;
    size_t i;
    int rc;

    *out = NULL;
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "INSERT INTO ");
    invs_sb_ident(&sb, t->name, '"');
    invs_sb_puts(&sb, " (");
    rows_column_list(&sb, t);
    invs_sb_puts(&sb, ") VALUES (");
    for (i = 0; i < t->ncols; i++)
        invs_sb_puts(&sb, i ? ", ?" : "?");
    invs_sb_puts(&sb, ")");
    if ((rc = sqlite_sb_ok(c, &sb)) != INVS_OK)
        goto out;
    if (!(w = sqlite_host->alloc(sizeof(*w)))) {
        rc = sqlite_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
    memset(w, 0, sizeof(*w));
    w->c = c;
    w->t = t;
    if (sqlite3_prepare_v3(c->db, sb.p, -1, SQLITE_PREPARE_PERSISTENT, &w->s, NULL) !=
        SQLITE_OK) {
        rc = sqlite_err(c, INVS_ESQL, "preparing the insert");
        sqlite_host->free(w);
        goto out;
    }
    *out = w;
out:
    invs_sb_free(&sb);
    return rc;
}

/* A value SQLite cannot store as itself is refused, never altered. */
static int writer_refuse(sqlite_writer *w, size_t col, const char *what)
{
    return sqlite_host->error(w->c->s, INVS_ETYPE, NULL, 0,
                              "table %s, row %lld, column %s: %s cannot be stored in SQLite",
                              w->t->name, (long long)w->rows + 1, w->t->cols[col].name, what);
}

int sqlite_writer_put(invs_drv_writer *writer, const invs_value *rows, size_t nrows)
{
    sqlite_writer *w = writer;
    sqlite3_stmt *s = w->s;
    size_t r, i, ncols = w->t->ncols;
    int rc;

    if ((rc = sqlite_txn_lost(w->c)) != INVS_OK)
        return rc;
    for (r = 0; r < nrows; r++) {
        const invs_value *row = rows + r * ncols;
        for (i = 0; i < ncols; i++) {
            const invs_value *v = &row[i];
            int col = (int)i + 1;
            switch (v->type) {
            case INVS_INT:
                sqlite3_bind_int64(s, col, v->num.i);
                break;
            case INVS_UINT:
                if (v->num.u > INT64_MAX)
                    return writer_refuse(w, i, "an unsigned integer above 2^63-1");
                sqlite3_bind_int64(s, col, (int64_t)v->num.u);
                break;
            case INVS_REAL:
                if (isnan(v->num.d))
                    return writer_refuse(w, i, "NaN");
                sqlite3_bind_double(s, col, v->num.d);
                break;
            case INVS_TEXT: /* "" for empty: a NULL pointer would bind NULL */
                sqlite3_bind_text64(s, col, v->len ? v->ptr : "", v->len, SQLITE_STATIC,
                                    SQLITE_UTF8);
                break;
            case INVS_BLOB:
                if (v->len)
                    sqlite3_bind_blob64(s, col, v->ptr, v->len, SQLITE_STATIC);
                else
                    sqlite3_bind_zeroblob(s, col, 0);
                break;
            default:
                sqlite3_bind_null(s, col);
            }
        }
        if (sqlite3_step(s) != SQLITE_DONE) {
            rc = sqlite_err(w->c, INVS_ESQL, w->t->name);
            sqlite3_reset(s);
            return rc;
        }
        sqlite3_reset(s);
        w->rows++;
    }
    return INVS_OK;
}

int sqlite_writer_close(invs_drv_writer *writer, int abort)
{
    sqlite_writer *w = writer;
    (void)abort; /* every row is in the transaction already */
    if (!w)
        return INVS_OK;
    sqlite3_finalize(w->s);
    sqlite_host->free(w);
    return INVS_OK;
}

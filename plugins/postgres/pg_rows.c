/*
 * Rows through COPY, in text format: out of a snapshot with COPY (SELECT
 * ... ORDER BY key) TO STDOUT, into a target with COPY ... FROM STDIN.
 *
 * Text format is exact with the session pinned by pg_open: integers and
 * numerics as their digits, floats in shortest-exact form (NaN, Infinity),
 * bytea in hex, timestamptz in UTC. Out, integers, floats and booleans
 * become numbers, bytea becomes bytes, everything else stays text. In,
 * a table whose every column type pg_binary.c encodes goes in binary
 * format (the option copy=text keeps text).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_binary.h"
#include "pg_driver.h"

enum pg_kind { K_TEXT, K_INT, K_REAL, K_BOOL, K_BYTEA };

static enum pg_kind pg_kind_of(const invs_column *c)
{
    switch (c->canon) {
    case INVS_T_INT16:
    case INVS_T_INT32:
    case INVS_T_INT64: return K_INT;
    case INVS_T_FLOAT32:
    case INVS_T_FLOAT64: return K_REAL;
    case INVS_T_BOOL: return K_BOOL;
    case INVS_T_BLOB: return K_BYTEA;
    }
    return K_TEXT;
}

static void pg_column_list(invs_strbuf *sb, const invs_table *t)
{
    size_t i;
    invs_sb_puts(sb, "(");
    for (i = 0; i < t->ncols; i++) {
        if (i)
            invs_sb_puts(sb, ", ");
        invs_sb_ident(sb, t->cols[i].name, '"');
    }
    invs_sb_puts(sb, ")");
}

/* ------------------------------------------------------------ COPY out */

struct invs_drv_cursor {
    pg_conn *c;
    const invs_table *t;
    char *line; /* the current row, from PQgetCopyData; decoded in place */
    unsigned char *kind;
    invs_value *vals;
};

int pg_cursor_open(invs_drv_cursor **out, invs_drv_conn *conn, const invs_table *t,
                   uint32_t hints)
{
    pg_conn *c = conn;
    pg_cursor *cur;
    invs_strbuf q;
    const invs_key *pk = NULL;
    PGresult *r;
    size_t i;
    int rc;

    *out = NULL;
    for (i = 0; i < t->nkeys && !pk; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY)
            pk = &t->keys[i];
    pg_sb_init(&q);
    invs_sb_puts(&q, "COPY (SELECT ");
    for (i = 0; i < t->ncols; i++) {
        if (i)
            invs_sb_puts(&q, ", ");
        invs_sb_ident(&q, t->cols[i].name, '"');
    }
    invs_sb_puts(&q, " FROM ONLY ");
    pg_qualified(&q, c, t);
    if (pk && !(hints & INVS_HINT_ANY_ORDER)) { /* a sort the host may not need */
        invs_sb_puts(&q, " ORDER BY ");
        for (i = 0; i < pk->ncols; i++) {
            if (i)
                invs_sb_puts(&q, ", ");
            invs_sb_ident(&q, pk->cols[i], '"');
        }
    }
    invs_sb_puts(&q, ") TO STDOUT");
    if ((rc = pg_sb_ok(c, &q)) != INVS_OK)
        goto out;
    if (!(cur = pg_host->alloc(sizeof(*cur)))) {
        rc = pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
    memset(cur, 0, sizeof(*cur));
    cur->c = c;
    cur->t = t;
    cur->kind = pg_host->alloc(t->ncols);
    cur->vals = pg_host->alloc(t->ncols * sizeof(*cur->vals));
    if (!cur->kind || !cur->vals) {
        pg_cursor_close(cur);
        rc = pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
    for (i = 0; i < t->ncols; i++)
        cur->kind[i] = (unsigned char)pg_kind_of(&t->cols[i]);
    r = pg_run(c, q.p, 0, NULL); /* one statement */
    if (PQresultStatus(r) != PGRES_COPY_OUT) {
        rc = pg_fail(c, r, t->name);
        pg_cursor_close(cur);
        goto out;
    }
    PQclear(r);
    *out = cur;
out:
    invs_sb_free(&q);
    return rc;
}

/* A hex digit's value; 16 (with 4 bits that stay clear) for anything else. */
static const unsigned char pg_hex[256] = {
#define X16 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16
    X16, X16, X16,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    X16,
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    X16, X16, X16, X16, X16, X16, X16, X16, X16
#undef X16
};

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decode one COPY text field starting at *pp (escapes undone in place);
 * returns its length, or -1 for \N (NULL). *pp moves past the delimiter.
 * The runs between escapes are found by strcspn (vectorised in glibc) and
 * moved down only once an escape has shortened the field: a bytea's long
 * hex run after its one escaped backslash costs a scan and a memmove. */
static long pg_field(char **pp, char **start)
{
    char *p = *pp, *w = p;
    *start = p;
    if (p[0] == '\\' && p[1] == 'N' && (p[2] == '\t' || p[2] == '\n' || p[2] == '\0')) {
        *pp = p + 2 + (p[2] != '\0');
        return -1;
    }
    for (;;) {
        size_t run = strcspn(p, "\t\n\\");
        if (w != p)
            memmove(w, p, run);
        w += run;
        p += run;
        if (*p != '\\')
            break;
        p++;
        switch (*p) {
        case 'b': *w++ = '\b'; p++; break;
        case 'f': *w++ = '\f'; p++; break;
        case 'n': *w++ = '\n'; p++; break;
        case 'r': *w++ = '\r'; p++; break;
        case 't': *w++ = '\t'; p++; break;
        case 'v': *w++ = '\v'; p++; break;
        case 'x': {
            int v = 0, n = 0;
            p++;
            while (n < 2 && hexval((unsigned char)*p) >= 0)
                v = v * 16 + hexval((unsigned char)*p++), n++;
            *w++ = (char)v;
            break;
        }
        default:
            if (*p >= '0' && *p <= '7') {
                int v = 0, n = 0;
                while (n < 3 && *p >= '0' && *p <= '7')
                    v = v * 8 + (*p++ - '0'), n++;
                *w++ = (char)v;
            } else if (*p) {
                *w++ = *p++;
            }
        }
    }
    *pp = p + (*p != '\0');
    return (long)(w - *start);
}

/* s as a decimal integer, the whole of it: what strtoll reads, without
 * its locale and base machinery for the common short case. */
static int pg_int(const char *s, int64_t *out)
{
    const char *p = s + (*s == '-' || *s == '+');
    uint64_t u = 0;
    size_t n;
    for (n = 0; p[n] >= '0' && p[n] <= '9' && n < 18; n++)
        u = u * 10 + (uint64_t)(p[n] - '0');
    if (n == 0 || p[n]) { /* 19 digits or more, or not digits: the long way */
        char *end;
        long long v;
        if (n == 0 && !(*p >= '0' && *p <= '9'))
            return -1;
        v = strtoll(s, &end, 10);
        *out = v;
        return *end || end == s ? -1 : 0;
    }
    *out = *s == '-' ? -(int64_t)u : (int64_t)u;
    return 0;
}

static int pg_convert(pg_cursor *cur, size_t i, char *s, long n)
{
    invs_value *v = &cur->vals[i];
    char *end;
    memset(v, 0, sizeof(*v));
    if (n < 0) {
        v->type = INVS_NULL;
        return INVS_OK;
    }
    s[n] = '\0'; /* the field's delimiter, or a byte it no longer needs */
    switch (cur->kind[i]) {
    case K_INT:
        v->type = INVS_INT;
        if (pg_int(s, &v->num.i) != 0)
            goto bad;
        return INVS_OK;
    case K_REAL:
        v->type = INVS_REAL;
        v->num.d = strtod(s, &end);
        if (*end || end == s)
            goto bad;
        return INVS_OK;
    case K_BOOL:
        v->type = INVS_INT;
        v->num.i = s[0] == 't';
        return INVS_OK;
    case K_BYTEA: {
        long j;
        unsigned char *b = (unsigned char *)s;
        const unsigned char *h = b + 2;
        unsigned bad = 0;
        if (n < 2 || s[0] != '\\' || s[1] != 'x' || n % 2)
            goto bad;
        for (j = 0; j < (n - 2) / 2; j++) { /* no branch per byte: one test at the end */
            unsigned hi = pg_hex[h[2 * j]], lo = pg_hex[h[2 * j + 1]];
            bad |= hi | lo;
            b[j] = (unsigned char)(hi << 4 | (lo & 15));
        }
        if (bad & 16)
            goto bad;
        v->type = INVS_BLOB;
        v->ptr = b;
        v->len = (size_t)(n - 2) / 2;
        return INVS_OK;
    }
    }
    v->type = INVS_TEXT;
    v->ptr = s;
    v->len = (size_t)n;
    return INVS_OK;
bad:
    return pg_host->error(cur->c->s, INVS_ECORRUPT, NULL, 0,
                          "table %s, column %s: the server sent '%.40s', which is not a %s",
                          cur->t->name, cur->t->cols[i].name, s,
                          pg_host->canon_name(cur->t->cols[i].canon));
}

int pg_cursor_next(invs_drv_cursor *cursor, const invs_value **row)
{
    pg_cursor *cur = cursor;
    char *p, *field;
    size_t i;
    int n, rc;

    if (cur->line) {
        PQfreemem(cur->line);
        cur->line = NULL;
    }
    n = PQgetCopyData(cur->c->pg, &cur->line, 0);
    if (n == -1) {
        PGresult *r = PQgetResult(cur->c->pg);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            return pg_fail(cur->c, r, cur->t->name);
        PQclear(r);
        while ((r = PQgetResult(cur->c->pg)))
            PQclear(r);
        return INVS_DONE;
    }
    if (n < 0)
        return pg_fail(cur->c, PQgetResult(cur->c->pg), cur->t->name);
    p = cur->line;
    for (i = 0; i < cur->t->ncols; i++) {
        long len = pg_field(&p, &field);
        if ((rc = pg_convert(cur, i, field, len)) != INVS_OK)
            return rc;
    }
    *row = cur->vals;
    return INVS_ROW;
}

void pg_cursor_close(invs_drv_cursor *cursor)
{
    pg_cursor *cur = cursor;
    PGresult *r;
    if (!cur)
        return;
    if (cur->line)
        PQfreemem(cur->line);
    /* drain an unfinished COPY so the connection can be used again */
    cur->line = NULL;
    while (PQgetCopyData(cur->c->pg, &cur->line, 0) >= 0) {
        PQfreemem(cur->line);
        cur->line = NULL;
    }
    while ((r = PQgetResult(cur->c->pg)))
        PQclear(r);
    pg_host->free(cur->kind);
    pg_host->free(cur->vals);
    pg_host->free(cur);
}

/* ------------------------------------------------------------ COPY in */

#define PG_FLUSH_BYTES (1u << 20)

struct invs_drv_writer {
    pg_conn *c;
    const invs_table *t;
    invs_strbuf buf;
    int64_t rows;
    int copying;
    int binary;           /* COPY in binary format */
    unsigned char *kinds; /* per column, the target type's pg_bin_kinds */
};

int pg_writer_open(invs_drv_writer **out, invs_drv_conn *conn, const invs_table *t)
{
    pg_conn *c = conn;
    pg_writer *w;
    invs_strbuf q;
    PGresult *r;
    int rc;

    *out = NULL;
    if (!(w = pg_host->alloc(sizeof(*w))))
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(w, 0, sizeof(*w));
    w->c = c;
    w->t = t;
    pg_sb_init(&w->buf);
    if (!(w->kinds = pg_host->alloc(t->ncols + 1))) {
        pg_host->free(w);
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    }
    if ((rc = pg_bin_plan(c, t, w->kinds, &w->binary)) != INVS_OK) {
        pg_writer_close(w, 1);
        return rc;
    }
    w->binary &= !c->copy_text;
    pg_sb_init(&q);
    invs_sb_puts(&q, "COPY ");
    pg_qualified(&q, c, t);
    invs_sb_puts(&q, " ");
    pg_column_list(&q, t);
    invs_sb_puts(&q, w->binary ? " FROM STDIN WITH (FORMAT binary)" : " FROM STDIN");
    if ((rc = pg_sb_ok(c, &q)) != INVS_OK) {
        invs_sb_free(&q);
        pg_writer_close(w, 1);
        return rc;
    }
    r = pg_run(c, q.p, 0, NULL); /* one statement */
    invs_sb_free(&q);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        rc = pg_fail(c, r, t->name);
        pg_writer_close(w, 1);
        return rc;
    }
    PQclear(r);
    w->copying = 1;
    if (w->binary)
        pg_bin_header(&w->buf);
    pg_host->log(c->s, INVS_LOG_DEBUG, "table %s: COPY in %s format", t->name,
                 w->binary ? "binary" : "text");
    *out = w;
    return INVS_OK;
}

/* Integers are most of what a load writes: no printf. */
static void pg_put_int(invs_strbuf *sb, int64_t v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    invs_sb_add(sb, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* A double as text. Into a double precision column, any text that reads
 * back to the same bits: float8in parses 17 significant digits exactly,
 * so no shortest form (2 or 3 printf and strtod calls) and, for integers,
 * no printf. Into any other (numeric, text), the shortest text, which is
 * the value the user sees. */
static void pg_put_double(invs_strbuf *sb, double d, int float8)
{
    char tmp[40];
    if (!float8) {
        pg_double_text(tmp, d);
        invs_sb_puts(sb, tmp);
        return;
    }
    if (isnan(d)) {
        invs_sb_puts(sb, "NaN");
        return;
    }
    if (isinf(d)) {
        invs_sb_puts(sb, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(int64_t)d &&
        !(d == 0 && signbit(d))) {
        pg_put_int(sb, (int64_t)d);
        return;
    }
    snprintf(tmp, sizeof(tmp), "%.17g", d);
    invs_sb_puts(sb, tmp);
}

static void pg_put_text(invs_strbuf *sb, const unsigned char *p, size_t n)
{
    size_t i, run = 0;
    for (i = 0; i < n; i++) {
        const char *esc = NULL;
        switch (p[i]) {
        case '\\': esc = "\\\\"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        }
        if (!esc)
            continue;
        invs_sb_add(sb, p + run, i - run);
        invs_sb_puts(sb, esc);
        run = i + 1;
    }
    invs_sb_add(sb, p + run, n - run);
}

static int pg_refuse(pg_writer *w, const invs_value *row, size_t col, const char *why)
{
    invs_strbuf key;
    int rc;
    pg_sb_init(&key);
    invs_sb_row_key(&key, w->t, row, w->rows + 1);
    rc = pg_host->error(w->c->s, INVS_ETYPE, NULL, 0, "table %s, %s%s, column %s: %s",
                        w->t->name, key.p && key.p[0] == '(' ? "key " : "",
                        invs_sb_failed(&key) ? "?" : key.p, w->t->cols[col].name, why);
    invs_sb_free(&key);
    return rc;
}

static int pg_refuse_nul(pg_writer *w, const invs_value *row, size_t col)
{
    return pg_refuse(w, row, col, "the text holds a NUL byte, which PostgreSQL cannot store");
}

static int pg_flush(pg_writer *w)
{
    if (w->buf.len && PQputCopyData(w->c->pg, w->buf.p, (int)w->buf.len) != 1)
        return pg_fail(w->c, NULL, w->t->name);
    invs_sb_reset(&w->buf);
    return INVS_OK;
}

static void pg_put_hex(invs_strbuf *sb, const unsigned char *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t j;
    if (invs_sb_reserve(sb, n * 2) != 0)
        return;
    for (j = 0; j < n; j++) {
        sb->p[sb->len++] = hex[b[j] >> 4];
        sb->p[sb->len++] = hex[b[j] & 15];
    }
    sb->p[sb->len] = '\0';
}

/* A value encoded piece by piece, the COPY stream flushed between pieces
 * (the server joins them): a value of any size needs no buffer bigger
 * than PG_FLUSH_BYTES and a piece. */
static int pg_put_chunked(pg_writer *w, const invs_value *v,
                          void (*put)(invs_strbuf *sb, const unsigned char *p, size_t n))
{
    const unsigned char *p = v->ptr;
    size_t left = v->len;
    int rc;
    do {
        size_t n = left < PG_FLUSH_BYTES / 4 ? left : PG_FLUSH_BYTES / 4;
        put(&w->buf, p, n);
        p += n;
        left -= n;
        if ((rc = pg_sb_ok(w->c, &w->buf)) != INVS_OK)
            return rc;
        if (left && (rc = pg_flush(w)) != INVS_OK)
            return rc;
    } while (left);
    return INVS_OK;
}

static void pg_put_raw(invs_strbuf *sb, const unsigned char *p, size_t n)
{
    invs_sb_add(sb, p, n);
}

/* One value in binary: bytes and text streamed in pieces as in text. */
static int pg_bin_put(pg_writer *w, const invs_value *row, size_t i)
{
    const invs_value *v = &row[i];
    int kind = w->kinds[i], r;
    const char *why = NULL;
    if ((r = pg_bin_value(&w->buf, kind, v, &why)) < 0)
        return pg_refuse(w, row, i, why);
    if (r == 0)
        return INVS_OK;
    if (kind == B_BYTEA && v->type == INVS_TEXT) { /* as the server reads text */
        invs_strbuf bytes;
        pg_sb_init(&bytes);
        r = pg_bin_bytea_text(&bytes, v->ptr, v->len, &why);
        if (r == 0 && (r = pg_sb_ok(w->c, &bytes)) == INVS_OK) {
            invs_value b = {.type = INVS_BLOB, .ptr = bytes.p, .len = bytes.len};
            pg_bin_len(&w->buf, (int32_t)b.len);
            r = pg_put_chunked(w, &b, pg_put_raw);
        } else if (r < 0) {
            r = pg_refuse(w, row, i, why);
        }
        invs_sb_free(&bytes);
        return r;
    }
    if (kind == B_BYTEA) {
        pg_bin_len(&w->buf, (int32_t)v->len);
        return pg_put_chunked(w, v, pg_put_raw);
    }
    if (v->type == INVS_TEXT && v->len && memchr(v->ptr, 0, v->len))
        return pg_refuse_nul(w, row, i);
    if (v->type == INVS_BLOB) { /* as the text path writes it: \x and hex */
        pg_bin_len(&w->buf, (int32_t)(2 + 2 * v->len + (kind == B_JSONB)));
        invs_sb_add(&w->buf, kind == B_JSONB ? "\1\\x" : "\\x", kind == B_JSONB ? 3 : 2);
        return pg_put_chunked(w, v, pg_put_hex);
    }
    pg_bin_len(&w->buf, (int32_t)(v->len + (kind == B_JSONB)));
    if (kind == B_JSONB)
        invs_sb_add(&w->buf, "\1", 1);
    return pg_put_chunked(w, v, pg_put_raw);
}

static int pg_bin_rows(pg_writer *w, const invs_value *rows, size_t nrows)
{
    size_t r, i, ncols = w->t->ncols;
    int rc;
    for (r = 0; r < nrows; r++) {
        const invs_value *row = rows + r * ncols;
        pg_bin_row_start(&w->buf, ncols);
        for (i = 0; i < ncols; i++)
            if ((rc = pg_bin_put(w, row, i)) != INVS_OK)
                return rc;
        w->rows++;
        if ((rc = pg_sb_ok(w->c, &w->buf)) != INVS_OK)
            return rc;
        if (w->buf.len >= PG_FLUSH_BYTES && (rc = pg_flush(w)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

int pg_writer_put(invs_drv_writer *writer, const invs_value *rows, size_t nrows)
{
    pg_writer *w = writer;
    invs_strbuf *sb = &w->buf;
    size_t r, i, ncols = w->t->ncols;
    int rc;

    if (w->binary)
        return pg_bin_rows(w, rows, nrows);
    for (r = 0; r < nrows; r++) {
        const invs_value *row = rows + r * ncols;
        for (i = 0; i < ncols; i++) {
            const invs_value *v = &row[i];
            if (i)
                invs_sb_add(sb, "\t", 1);
            switch (v->type) {
            case INVS_INT: pg_put_int(sb, v->num.i); break;
            case INVS_UINT: invs_sb_printf(sb, "%llu", (unsigned long long)v->num.u); break;
            case INVS_REAL: pg_put_double(sb, v->num.d, w->kinds[i] == B_FLOAT8); break;
            case INVS_TEXT:
                if (v->len && memchr(v->ptr, 0, v->len))
                    return pg_refuse_nul(w, row, i);
                if ((rc = pg_put_chunked(w, v, pg_put_text)) != INVS_OK)
                    return rc;
                break;
            case INVS_BLOB:
                invs_sb_puts(sb, "\\\\x");
                if ((rc = pg_put_chunked(w, v, pg_put_hex)) != INVS_OK)
                    return rc;
                break;
            default: invs_sb_puts(sb, "\\N");
            }
        }
        invs_sb_add(sb, "\n", 1);
        w->rows++;
        if ((rc = pg_sb_ok(w->c, sb)) != INVS_OK)
            return rc;
        if (sb->len >= PG_FLUSH_BYTES && (rc = pg_flush(w)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

int pg_writer_close(invs_drv_writer *writer, int abort)
{
    pg_writer *w = writer;
    PGresult *r;
    int rc = INVS_OK;

    if (!w)
        return INVS_OK;
    if (w->copying) {
        if (!abort && w->binary)
            pg_bin_trailer(&w->buf);
        if (!abort)
            rc = pg_flush(w);
        if (PQputCopyEnd(w->c->pg, abort || rc ? "invstage: load abandoned" : NULL) != 1 &&
            rc == INVS_OK)
            rc = pg_fail(w->c, NULL, w->t->name);
        while ((r = PQgetResult(w->c->pg))) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == INVS_OK && !abort)
                rc = pg_fail(w->c, r, w->t->name);
            else
                PQclear(r);
        }
    }
    invs_sb_free(&w->buf);
    pg_host->free(w->kinds);
    pg_host->free(w);
    return rc;
}

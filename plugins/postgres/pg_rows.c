/*
 * Rows through COPY: out of a snapshot with COPY (SELECT ... ORDER BY key)
 * TO STDOUT, into a target with COPY ... FROM STDIN.
 *
 * Text format is exact with the session pinned by pg_open: integers and
 * numerics as their digits, floats in shortest-exact form (NaN, Infinity),
 * bytea in hex, timestamptz in UTC. Out, integers, floats and booleans
 * become numbers, bytea becomes bytes, everything else stays text. A
 * table whose every column type pg_bin_out.c reads comes out in binary
 * format, each value made the one its text would have given (pg_bin_out.c
 * prints the text the server would have); in, a table whose every column
 * type pg_binary.c encodes goes in binary format. The option copy=text
 * keeps text both ways.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_bin_out.h"
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

/* A field of a binary row: where its bytes are (n < 0: NULL), and where
 * its text went in the cursor's text buffer, if it was printed. */
struct pg_out_field {
    const unsigned char *p;
    long n;
    size_t off, tn; /* tn: its length; off: SIZE_MAX when not printed */
};

struct invs_drv_cursor {
    pg_conn *c;
    const invs_table *t;
    char *line; /* the current row, from PQgetCopyData; decoded in place */
    unsigned char *kind;
    invs_value *vals;
    int binary;                /* COPY out in binary format */
    int header;                /* the binary stream's header is still to come */
    unsigned char *okind;      /* per column, pg_bout_kinds of its server type */
    struct pg_out_field *f;    /* per column, in binary */
    invs_strbuf text;          /* in binary, the row's values printed as text */
};

/* Binary when every column's server type has a reader: a double precision
 * only where it becomes a number (its text is the server's shortest-digits
 * formatter's). Else text, as before binary, for the whole table. */
static int pg_out_plan(pg_cursor *cur)
{
    size_t i;
    int rc;
    cur->binary = 0;
    if (cur->c->copy_text || !cur->t->ncols)
        return INVS_OK;
    if ((rc = pg_col_kinds(cur->c, cur->t, pg_bout_kind, cur->okind)) != INVS_OK)
        return rc;
    cur->binary = 1;
    for (i = 0; i < cur->t->ncols; i++)
        cur->binary &= cur->okind[i] != O_NONE &&
                       (cur->okind[i] != O_FLOAT8 || cur->kind[i] == K_REAL);
    return INVS_OK;
}

/* COPY (SELECT cols FROM ONLY t [ORDER BY pk]) TO STDOUT [binary]. In
 * binary, a real (float4) column is selected as its text: float4out's
 * shortest digits, which strtod then widens as it widens COPY's text (0.1
 * stays 0.1, not the double nearest 0.1f), with no formatter of ours to
 * keep digit for digit equal to the server's. */
static void pg_out_query(invs_strbuf *q, const pg_cursor *cur, uint32_t hints)
{
    const invs_table *t = cur->t;
    const invs_key *pk = NULL;
    size_t i;
    for (i = 0; i < t->nkeys && !pk; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY)
            pk = &t->keys[i];
    invs_sb_puts(q, "COPY (SELECT ");
    for (i = 0; i < t->ncols; i++) {
        if (i)
            invs_sb_puts(q, ", ");
        invs_sb_ident(q, t->cols[i].name, '"');
        if (cur->binary && cur->okind[i] == O_FLOAT4)
            invs_sb_puts(q, "::text");
    }
    invs_sb_puts(q, " FROM ONLY ");
    pg_qualified(q, cur->c, t);
    if (pk && !(hints & INVS_HINT_ANY_ORDER)) { /* a sort the host may not need */
        invs_sb_puts(q, " ORDER BY ");
        for (i = 0; i < pk->ncols; i++) {
            if (i)
                invs_sb_puts(q, ", ");
            invs_sb_ident(q, pk->cols[i], '"');
        }
    }
    invs_sb_puts(q, cur->binary ? ") TO STDOUT (FORMAT binary)" : ") TO STDOUT");
}

int pg_cursor_open(invs_drv_cursor **out, invs_drv_conn *conn, const invs_table *t,
                   uint32_t hints)
{
    pg_conn *c = conn;
    pg_cursor *cur;
    invs_strbuf q;
    PGresult *r;
    size_t i;
    int rc;

    *out = NULL;
    if (!(cur = pg_host->alloc(sizeof(*cur))))
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(cur, 0, sizeof(*cur));
    cur->c = c;
    cur->t = t;
    pg_sb_init(&cur->text);
    cur->kind = pg_host->alloc(t->ncols + 1);
    cur->okind = pg_host->alloc(t->ncols + 1);
    cur->vals = pg_host->alloc((t->ncols + 1) * sizeof(*cur->vals));
    cur->f = pg_host->alloc((t->ncols + 1) * sizeof(*cur->f));
    if (!cur->kind || !cur->okind || !cur->vals || !cur->f) {
        pg_cursor_close(cur);
        return pg_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    }
    for (i = 0; i < t->ncols; i++)
        cur->kind[i] = (unsigned char)pg_kind_of(&t->cols[i]);
    if ((rc = pg_out_plan(cur)) != INVS_OK) {
        pg_cursor_close(cur);
        return rc;
    }
    cur->header = cur->binary;
    pg_sb_init(&q);
    pg_out_query(&q, cur, hints);
    if ((rc = pg_sb_ok(c, &q)) != INVS_OK) {
        pg_cursor_close(cur);
        goto out;
    }
    r = pg_run(c, q.p, 0, NULL); /* one statement */
    if (PQresultStatus(r) != PGRES_COPY_OUT) {
        rc = pg_fail(c, r, t->name);
        pg_cursor_close(cur);
        goto out;
    }
    PQclear(r);
    pg_host->log(c->s, INVS_LOG_DEBUG, "table %s: COPY out in %s format", t->name,
                 cur->binary ? "binary" : "text");
    *out = cur;
out:
    invs_sb_free(&q);
    return rc;
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
            while (n < 2 && pg_hex[(unsigned char)*p] < 16)
                v = v * 16 + pg_hex[(unsigned char)*p++], n++;
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

/* The next COPY message into cur->line: INVS_ROW (*n its length),
 * INVS_DONE at the end of the data, or an error. */
static int pg_copy_line(pg_cursor *cur, int *n)
{
    if (cur->line) {
        PQfreemem(cur->line);
        cur->line = NULL;
    }
    *n = PQgetCopyData(cur->c->pg, &cur->line, 0);
    if (*n == -1) {
        PGresult *r = PQgetResult(cur->c->pg);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            return pg_fail(cur->c, r, cur->t->name);
        PQclear(r);
        while ((r = PQgetResult(cur->c->pg)))
            PQclear(r);
        return INVS_DONE;
    }
    if (*n < 0)
        return pg_fail(cur->c, PQgetResult(cur->c->pg), cur->t->name);
    return INVS_ROW;
}

static int pg_text_row(pg_cursor *cur)
{
    char *p = cur->line, *field;
    size_t i;
    int rc;
    for (i = 0; i < cur->t->ncols; i++) {
        long len = pg_field(&p, &field);
        if ((rc = pg_convert(cur, i, field, len)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

static int pg_bin_corrupt(pg_cursor *cur, const char *col)
{
    return pg_host->error(cur->c->s, INVS_ECORRUPT, NULL, 0,
                          "table %s%s%s: the server sent a binary COPY row this driver cannot "
                          "read (the option copy=text reads the table as text)",
                          cur->t->name, col ? ", column " : "", col ? col : "");
}

/* A row's fields: where each one's bytes are. The row is one message (as
 * the server sends it, and as libpq hands out text rows too). */
static int pg_bin_fields(pg_cursor *cur, const unsigned char *p, const unsigned char *end)
{
    size_t i;
    for (i = 0; i < cur->t->ncols; i++) {
        struct pg_out_field *f = &cur->f[i];
        if (end - p < 4)
            return pg_bin_corrupt(cur, NULL);
        f->n = (long)pg_bout_int(p, 4);
        f->p = p += 4;
        f->off = SIZE_MAX;
        if (f->n < -1 || (f->n > 0 && end - p < f->n))
            return pg_bin_corrupt(cur, NULL);
        if (f->n > 0)
            p += f->n;
    }
    return p == end ? INVS_OK : pg_bin_corrupt(cur, NULL);
}

/* Field i as its text would have been converted. Integers, double
 * precision, booleans and bytea become their number or bytes directly
 * where the column's kind wants that; text-like bytes are converted where
 * they lie (every field's length has been read: the NUL pg_convert
 * writes after one may overwrite the next one's); the others are printed
 * into cur->text, converted once the row is printed (its buffer moves). */
static int pg_bin_field(pg_cursor *cur, size_t i)
{
    struct pg_out_field *f = &cur->f[i];
    invs_value *v = &cur->vals[i];
    int ok = cur->okind[i], kind = cur->kind[i];
    size_t n = (size_t)f->n;
    if (f->n < 0)
        return pg_convert(cur, i, NULL, -1);
    memset(v, 0, sizeof(*v));
    if (kind == K_INT && (ok == O_INT2 || ok == O_INT4 || ok == O_INT8)) {
        if (n != (ok == O_INT2 ? 2u : ok == O_INT4 ? 4u : 8u))
            return pg_bin_corrupt(cur, cur->t->cols[i].name);
        v->type = INVS_INT;
        v->num.i = pg_bout_int(f->p, n);
        return INVS_OK;
    }
    if (ok == O_FLOAT8) { /* only into K_REAL (pg_out_plan) */
        uint64_t bits;
        if (n != 8)
            return pg_bin_corrupt(cur, cur->t->cols[i].name);
        bits = (uint64_t)pg_bout_int(f->p, 8);
        v->type = INVS_REAL;
        memcpy(&v->num.d, &bits, sizeof(bits));
        if (isnan(v->num.d)) /* any NaN prints NaN, which strtod reads as this one */
            v->num.d = NAN;
        return INVS_OK;
    }
    if (kind == K_BOOL && ok == O_BOOL && n == 1) {
        v->type = INVS_INT;
        v->num.i = f->p[0] != 0;
        return INVS_OK;
    }
    if (kind == K_BYTEA && ok == O_BYTEA) {
        v->type = INVS_BLOB;
        v->ptr = f->p;
        v->len = n;
        return INVS_OK;
    }
    if (ok == O_TEXT || ok == O_FLOAT4)
        return pg_convert(cur, i, (char *)f->p, (long)n);
    if (ok == O_JSONB && n >= 1 && f->p[0] == 1)
        return pg_convert(cur, i, (char *)f->p + 1, (long)n - 1);
    f->off = cur->text.len;
    if (pg_bout_text(&cur->text, ok, f->p, n) != 0)
        return pg_bin_corrupt(cur, cur->t->cols[i].name);
    f->tn = cur->text.len - f->off - 1;
    return INVS_OK;
}

static int pg_bin_row(pg_cursor *cur, int n, int *skip)
{
    const unsigned char *p = (const unsigned char *)cur->line, *end = p + n;
    size_t i;
    int rc;
    *skip = 0;
    if (cur->header) {
        if (pg_bout_header((const char **)&p, (const char *)end) != 0)
            return pg_bin_corrupt(cur, NULL);
        cur->header = 0;
    }
    if (p == end || (end - p >= 2 && pg_bout_int(p, 2) == -1)) /* the trailer: the end follows */
        return *skip = 1, INVS_OK;
    if (end - p < 2 || pg_bout_int(p, 2) != (int64_t)cur->t->ncols)
        return pg_bin_corrupt(cur, NULL);
    if ((rc = pg_bin_fields(cur, p + 2, end)) != INVS_OK)
        return rc;
    invs_sb_reset(&cur->text);
    for (i = 0; i < cur->t->ncols; i++)
        if ((rc = pg_bin_field(cur, i)) != INVS_OK)
            return rc;
    if ((rc = pg_sb_ok(cur->c, &cur->text)) != INVS_OK)
        return rc;
    for (i = 0; i < cur->t->ncols; i++)
        if (cur->f[i].off != SIZE_MAX &&
            (rc = pg_convert(cur, i, cur->text.p + cur->f[i].off, (long)cur->f[i].tn)) != INVS_OK)
            return rc;
    return INVS_OK;
}

int pg_cursor_next(invs_drv_cursor *cursor, const invs_value **row)
{
    pg_cursor *cur = cursor;
    int n, rc, skip = 0;

    do {
        if ((rc = pg_copy_line(cur, &n)) != INVS_ROW)
            return rc;
        rc = cur->binary ? pg_bin_row(cur, n, &skip) : pg_text_row(cur);
        if (rc != INVS_OK)
            return rc;
    } while (skip);
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
    invs_sb_free(&cur->text);
    pg_host->free(cur->kind);
    pg_host->free(cur->okind);
    pg_host->free(cur->vals);
    pg_host->free(cur->f);
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

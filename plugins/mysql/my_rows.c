/*
 * Rows out of MySQL and into it.
 *
 * Out: SELECT ... through mysql_use_result, one row at a time from the
 * socket (never the whole table in memory), in primary-key order unless the
 * host says any order will do. The text protocol is exact with the session
 * pinned (my_open): integers and decimals as their digits, doubles in
 * shortest round-trip form. Where it is not, the SELECT asks for what is:
 * a FLOAT as the double it widens to, then staged as the double nearest
 * its shortest float form (as PostgreSQL's float4 text reads); BIT(n) as
 * its n binary digits; text of a non-UTF-8 charset (latin1...) as the bytes
 * the server holds, with the charset in the schema, so that verify
 * transcodes it once (a push's read-back gets it as utf8mb4, as it went in).
 * Zero and partial dates are staged as text flagged INVS_VF_ZERO_DATE.
 *
 * In: LOAD DATA LOCAL INFILE fed from memory by the local-infile handler,
 * in chunks of a few MiB (one statement each, inside the transaction): no
 * temporary file, memory flat. Fields are tab-separated with backslash
 * escapes, NULL as \N, so text '\N', tabs, newlines, NUL bytes, trailing
 * spaces and binary bytes arrive as they were. LOAD DATA LOCAL turns data
 * errors into warnings (the server cannot stop the file midway), so a
 * chunk with any warning is refused, naming table, key and column; so is
 * what MySQL would mangle before it is sent: invalid UTF-8, characters
 * beyond U+FFFF for a utf8mb3 column, text longer than a varchar, NaN,
 * infinities and -0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "invstage/calendar.h"
#include "invstage/values.h"

#include "my_driver.h"

enum my_kind { K_TEXT, K_INT, K_UINT, K_DOUBLE, K_FLOAT, K_BLOB, K_DATE };

static enum my_kind my_kind_of(const invs_column *c)
{
    switch (c->canon) {
    case INVS_T_INT16:
    case INVS_T_INT32:
    case INVS_T_INT64:
    case INVS_T_YEAR:
    case INVS_T_BOOL: return K_INT;
    case INVS_T_UINT64: return K_UINT;
    case INVS_T_FLOAT32: return K_FLOAT;
    case INVS_T_FLOAT64: return K_DOUBLE;
    case INVS_T_BLOB: return K_BLOB;
    case INVS_T_DATE:
    case INVS_T_TIMESTAMP:
    case INVS_T_TIMESTAMPTZ: return K_DATE;
    }
    return K_TEXT;
}

/* A charset whose bytes are UTF-8 (or ASCII, a subset). */
static int my_utf8_charset(const char *cs)
{
    return !cs || !strcmp(cs, "utf8mb4") || !strcmp(cs, "utf8mb3") || !strcmp(cs, "utf8") ||
           !strcmp(cs, "ascii") || !strcmp(cs, "binary");
}

static int my_wide_charset(const char *cs)
{
    return cs && (!strncmp(cs, "utf16", 5) || !strcmp(cs, "utf32") || !strcmp(cs, "ucs2"));
}

/* ------------------------------------------------------------ out */

struct invs_drv_cursor {
    my_conn *c;
    const invs_table *t;
    MYSQL_RES *res;
    unsigned char *kind;
    invs_value *vals;
};

/* The SELECT list item for column col. */
static void my_select_item(invs_strbuf *q, const my_conn *c, const invs_column *col)
{
    const char *cs = col->charset;
    if (col->canon == INVS_T_BIT && col->length > 0) {
        invs_sb_puts(q, "LPAD(BIN(");
        invs_sb_ident(q, col->name, '`');
        invs_sb_printf(q, " + 0), %d, '0')", col->length);
    } else if (col->canon == INVS_T_FLOAT32) {
        invs_sb_puts(q, "(");
        invs_sb_ident(q, col->name, '`');
        invs_sb_puts(q, " + 0e0)");
    } else if (cs && my_wide_charset(cs)) {
        invs_sb_puts(q, "CONVERT(");
        invs_sb_ident(q, col->name, '`');
        invs_sb_puts(q, " USING utf8mb4)");
    } else if (cs && !my_utf8_charset(cs) && c->reading) {
        invs_sb_puts(q, "CAST(");
        invs_sb_ident(q, col->name, '`');
        invs_sb_puts(q, " AS BINARY)");
    } else {
        invs_sb_ident(q, col->name, '`');
    }
}

int my_cursor_open(invs_drv_cursor **out, invs_drv_conn *conn, const invs_table *t,
                   uint32_t hints)
{
    my_conn *c = conn;
    my_cursor *cur = NULL;
    const invs_key *pk = NULL;
    invs_strbuf q;
    size_t i;
    int rc;

    *out = NULL;
    for (i = 0; i < t->nkeys && !pk; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY)
            pk = &t->keys[i];
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT ");
    for (i = 0; i < t->ncols; i++) {
        if (i)
            invs_sb_puts(&q, ", ");
        my_select_item(&q, c, &t->cols[i]);
    }
    if (!t->ncols)
        invs_sb_puts(&q, "1");
    invs_sb_puts(&q, " FROM ");
    invs_sb_ident(&q, t->name, '`');
    if (pk && !(hints & INVS_HINT_ANY_ORDER)) {
        invs_sb_puts(&q, " ORDER BY ");
        for (i = 0; i < pk->ncols; i++) {
            if (i)
                invs_sb_puts(&q, ", ");
            invs_sb_ident(&q, pk->cols[i], '`');
        }
    }
    if ((rc = my_sb_ok(c, &q)) != INVS_OK)
        goto out;
    if (!(cur = my_host->alloc(sizeof(*cur)))) {
        rc = my_oom(c);
        goto out;
    }
    memset(cur, 0, sizeof(*cur));
    cur->c = c;
    cur->t = t;
    cur->kind = my_host->alloc(t->ncols + 1);
    cur->vals = my_host->alloc((t->ncols + 1) * sizeof(*cur->vals));
    if (!cur->kind || !cur->vals) {
        rc = my_oom(c);
        goto out;
    }
    for (i = 0; i < t->ncols; i++)
        cur->kind[i] = (unsigned char)my_kind_of(&t->cols[i]);
    if (mysql_real_query(c->my, q.p, (unsigned long)q.len) != 0 ||
        !(cur->res = mysql_use_result(c->my))) {
        rc = my_fail(c, t->name);
        goto out;
    }
    *out = cur;
    cur = NULL;
out:
    my_cursor_close(cur);
    invs_sb_free(&q);
    return rc;
}

/* The double nearest the shortest decimal that reads back as float f. */
static double my_float_value(double widened)
{
    float f = (float)widened;
    char tmp[32];
    int prec;
    if (!isfinite(f))
        return widened;
    for (prec = 1; prec <= 9; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)f);
        if (strtof(tmp, NULL) == f)
            break;
    }
    return strtod(tmp, NULL);
}

/* "YYYY-MM-DD..." whose year, month or day is zero. */
static int my_zero_date(const char *s, unsigned long n)
{
    if (n < 10 || s[4] != '-' || s[7] != '-')
        return 0;
    return !strncmp(s, "0000", 4) || !strncmp(s + 5, "00", 2) || !strncmp(s + 8, "00", 2);
}

static int my_convert(my_cursor *cur, size_t i, const char *s, unsigned long n)
{
    invs_value *v = &cur->vals[i];
    char *end;
    memset(v, 0, sizeof(*v));
    if (!s)
        return INVS_OK; /* NULL */
    switch (cur->kind[i]) {
    case K_INT:
        v->type = INVS_INT;
        v->num.i = strtoll(s, &end, 10);
        break;
    case K_UINT:
        v->type = INVS_UINT;
        v->num.u = strtoull(s, &end, 10);
        break;
    case K_DOUBLE:
        v->type = INVS_REAL;
        v->num.d = strtod(s, &end);
        break;
    case K_FLOAT:
        v->type = INVS_REAL;
        v->num.d = my_float_value(strtod(s, &end));
        break;
    default:
        v->type = cur->kind[i] == K_BLOB ? INVS_BLOB : INVS_TEXT;
        v->ptr = s;
        v->len = n;
        if (cur->kind[i] == K_DATE && my_zero_date(s, n))
            v->flags = INVS_VF_ZERO_DATE;
        return INVS_OK;
    }
    if (end == s || *end)
        return my_host->error(cur->c->s, INVS_ECORRUPT, NULL, 0,
                              "table %s, column %s: the server sent '%.40s', which is not a %s",
                              cur->t->name, cur->t->cols[i].name, s,
                              my_host->canon_name(cur->t->cols[i].canon));
    return INVS_OK;
}

int my_cursor_next(invs_drv_cursor *cursor, const invs_value **row)
{
    my_cursor *cur = cursor;
    MYSQL_ROW r;
    unsigned long *len;
    size_t i;
    int rc;

    if (!(r = mysql_fetch_row(cur->res))) {
        if (mysql_errno(cur->c->my))
            return my_fail(cur->c, cur->t->name);
        return INVS_DONE;
    }
    len = mysql_fetch_lengths(cur->res);
    for (i = 0; i < cur->t->ncols; i++)
        if ((rc = my_convert(cur, i, r[i], len[i])) != INVS_OK)
            return rc;
    *row = cur->vals;
    return INVS_ROW;
}

void my_cursor_close(invs_drv_cursor *cursor)
{
    my_cursor *cur = cursor;
    if (!cur)
        return;
    if (cur->res)
        mysql_free_result(cur->res); /* reads what is left: the connection is usable again */
    my_host->free(cur->kind);
    my_host->free(cur->vals);
    my_host->free(cur);
}

/* ------------------------------------------------------------ in */

#define MY_CHUNK_BYTES (4u << 20)

/* How a value goes into one target column. */
enum my_wkind { W_PLAIN, W_TEXT, W_BIN, W_BIT, W_FLOAT, W_INT, W_DATETIME, W_YEAR, W_FLOAT32 };

typedef struct my_wcol {
    unsigned char kind;  /* enum my_wkind */
    unsigned char bmp;   /* utf8mb3: nothing beyond U+FFFF */
    long long maxchars;  /* varchar(n)/char(n); -1 */
} my_wcol;

struct invs_drv_writer {
    my_conn *c;
    const invs_table *t;
    my_wcol *cols;
    invs_strbuf load; /* the LOAD DATA statement */
    invs_strbuf buf;  /* rows of the chunk, as the file the server reads */
    size_t pos;       /* how far the server has read buf */
    int64_t rows;     /* rows put so far */
    int64_t chunk_first; /* row number of the chunk's first row */
};

/* ---- the local-infile handler: this buffer, never a file */

static int my_infile_init(void **ptr, const char *filename, void *userdata)
{
    my_conn *c = userdata;
    (void)filename;
    *ptr = c->feeding;
    if (c->feeding)
        c->feeding->pos = 0;
    return c->feeding ? 0 : 1;
}

static int my_infile_read(void *ptr, char *buf, unsigned int len)
{
    my_writer *w = ptr;
    size_t n = w->buf.len - w->pos;
    if (n > len)
        n = len;
    memcpy(buf, w->buf.p + w->pos, n);
    w->pos += n;
    return (int)n;
}

static void my_infile_end(void *ptr) { (void)ptr; }

static int my_infile_error(void *ptr, char *buf, unsigned int len)
{
    snprintf(buf, len, "%s", ptr ? "invstage: load abandoned"
                                 : "invstage serves no file to a LOAD DATA it did not send");
    return ptr ? 2000 : 2000;
}

void my_infile_install(my_conn *c)
{
    mysql_set_local_infile_handler(c->my, my_infile_init, my_infile_read, my_infile_end,
                                   my_infile_error, c);
}

/* ---- the target's columns */

static int my_target_columns(my_writer *w)
{
    my_conn *c = w->c;
    const invs_table *t = w->t;
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    MYSQL_ROW row;
    size_t i;

    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_SET_NAME, CHARACTER_MAXIMUM_LENGTH"
                     " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ");
    my_db_literal(&q, c);
    invs_sb_puts(&q, " AND TABLE_NAME = ");
    my_literal(&q, t->name);
    if (my_sb_ok(c, &q) == INVS_OK)
        r = my_query(c, q.p);
    invs_sb_free(&q);
    if (!r)
        return INVS_ESQL;
    for (i = 0; i < t->ncols; i++)
        w->cols[i].maxchars = -1;
    while ((row = mysql_fetch_row(r))) {
        const char *dt = row[1] ? row[1] : "";
        my_wcol *wc = NULL;
        for (i = 0; i < t->ncols && !wc; i++)
            if (!strcmp(t->cols[i].name, row[0]))
                wc = &w->cols[i];
        if (!wc)
            continue;
        if (!strcmp(dt, "bit"))
            wc->kind = W_BIT;
        else if (!strcmp(dt, "float"))
            wc->kind = W_FLOAT32;
        else if (!strcmp(dt, "double"))
            wc->kind = W_FLOAT;
        else if (strstr(dt, "int") && strcmp(dt, "point"))
            wc->kind = W_INT;
        else if (!strcmp(dt, "year"))
            wc->kind = W_YEAR; /* '0' would read as 2000, '0000' is 0 */
        else if (!strcmp(dt, "datetime") || !strcmp(dt, "timestamp"))
            wc->kind = W_DATETIME;
        else if (row[2] && strcmp(row[2], "binary"))
            wc->kind = W_TEXT;
        else if (strstr(dt, "blob") || strstr(dt, "binary") || !strcmp(dt, "geometry") ||
                 strstr(dt, "point") || strstr(dt, "line") || strstr(dt, "polygon") ||
                 strstr(dt, "collection"))
            wc->kind = W_BIN;
        else
            wc->kind = W_PLAIN;
        wc->bmp = row[2] && (!strcmp(row[2], "utf8mb3") || !strcmp(row[2], "utf8"));
        if (row[3] && (!strcmp(dt, "varchar") || !strcmp(dt, "char")))
            wc->maxchars = strtoll(row[3], NULL, 10);
    }
    mysql_free_result(r);
    return INVS_OK;
}

/* LOAD DATA LOCAL INFILE ... (cols) SET bit = ...: the file is ours. */
static void my_load_statement(my_writer *w)
{
    invs_strbuf *q = &w->load;
    size_t i;
    int sets = 0;
    invs_sb_puts(q, "LOAD DATA LOCAL INFILE 'invstage' INTO TABLE ");
    invs_sb_ident(q, w->t->name, '`');
    /* NO_BACKSLASH_ESCAPES: '\' is one backslash; the tab and the newline
     * are the characters themselves */
    invs_sb_puts(q, " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\t' ESCAPED BY '\\'"
                    " LINES TERMINATED BY '\n' (");
    for (i = 0; i < w->t->ncols; i++) {
        if (i)
            invs_sb_puts(q, ", ");
        if (w->cols[i].kind == W_BIT)
            invs_sb_printf(q, "@b%zu", i);
        else
            invs_sb_ident(q, w->t->cols[i].name, '`');
    }
    invs_sb_puts(q, ")");
    for (i = 0; i < w->t->ncols; i++) {
        if (w->cols[i].kind != W_BIT)
            continue;
        invs_sb_puts(q, sets++ ? ", " : " SET ");
        invs_sb_ident(q, w->t->cols[i].name, '`');
        invs_sb_printf(q, " = CAST(CONV(@b%zu, 2, 10) AS UNSIGNED)", i);
    }
}

int my_writer_open(invs_drv_writer **out, invs_drv_conn *conn, const invs_table *t)
{
    my_conn *c = conn;
    my_writer *w;
    int rc;

    *out = NULL;
    if (!(w = my_host->alloc(sizeof(*w))))
        return my_oom(c);
    memset(w, 0, sizeof(*w));
    w->c = c;
    w->t = t;
    my_sb_init(&w->buf);
    my_sb_init(&w->load);
    if (!(w->cols = my_host->alloc((t->ncols + 1) * sizeof(*w->cols))))
        rc = my_oom(c);
    else if ((rc = my_target_columns(w)) == INVS_OK) {
        my_load_statement(w);
        rc = my_sb_ok(c, &w->load);
    }
    if (rc == INVS_OK && invs_sb_reserve(&w->buf, MY_CHUNK_BYTES + 65536) != 0)
        rc = my_oom(c);
    if (rc != INVS_OK) {
        my_writer_close(w, 1);
        return rc;
    }
    *out = w;
    return INVS_OK;
}

/* ---- refusals, named by table, key and column */

static int my_refuse(my_writer *w, const invs_value *row, int64_t rid, size_t col, int code,
                     const char *why)
{
    invs_strbuf key, val;
    int rc;
    my_sb_init(&key);
    my_sb_init(&val);
    invs_sb_row_key(&key, w->t, row, rid);
    invs_sb_value(&val, &row[col]);
    rc = my_host->error(w->c->s, code, NULL, 0, "table %s, %s%s, column %s: the value %s %s",
                        w->t->name, key.p && key.p[0] == '(' ? "key " : "",
                        invs_sb_failed(&key) ? "?" : key.p, w->t->cols[col].name,
                        invs_sb_failed(&val) ? "?" : val.p, why);
    invs_sb_free(&key);
    invs_sb_free(&val);
    return rc;
}

/* 0: valid UTF-8 (*wide: a character beyond U+FFFF in it; *chars: how many). */
static int my_utf8_check(const unsigned char *p, size_t n, int *wide, long long *chars)
{
    size_t i = 0;
    *wide = 0;
    *chars = 0;
    while (i < n) {
        unsigned char b = p[i];
        size_t k, need;
        uint32_t cp;
        if (b < 0x80) {
            i++, ++*chars;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF)
            need = 1, cp = b & 0x1F;
        else if (b >= 0xE0 && b <= 0xEF)
            need = 2, cp = b & 0x0F;
        else if (b >= 0xF0 && b <= 0xF4)
            need = 3, cp = b & 0x07;
        else
            return -1;
        if (i + need >= n)
            return -1;
        for (k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return -1;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return -1;
        *wide |= need == 3;
        i += need + 1;
        ++*chars;
    }
    return 0;
}

/* ---- encoding */

static void my_put_int(invs_strbuf *sb, int64_t v)
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

static void my_put_uint(invs_strbuf *sb, uint64_t u)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    invs_sb_add(sb, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* The shortest text that reads back as the same double. */
static void my_put_double(invs_strbuf *sb, double d)
{
    char tmp[40];
    invs_double_shortest(tmp, d);
    invs_sb_puts(sb, tmp);
}

/* Bytes as a field: backslash escapes for what the format reads itself. */
static void my_put_bytes(invs_strbuf *sb, const unsigned char *p, size_t n)
{
    size_t i, run = 0;
    if (invs_sb_reserve(sb, n + n / 8 + 8) != 0)
        return;
    for (i = 0; i < n; i++) {
        const char *esc;
        switch (p[i]) {
        case '\\': esc = "\\\\"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\0': esc = "\\0"; break;
        default: continue;
        }
        invs_sb_add(sb, p + run, i - run);
        invs_sb_add(sb, esc, 2);
        run = i + 1;
    }
    invs_sb_add(sb, p + run, n - run);
}


/* A timestamp with an offset ("...+02", "...+05:30", "...Z") as the naive
 * UTC text a DATETIME takes; 0 when it has none (sent as it is). */
static int my_utc_text(invs_strbuf *sb, const char *s, size_t n)
{
    char buf[64], frac[16] = "";
    long y, days;
    int64_t yy;
    int mo, d, h, mi, sec, oh = 0, om = 0, used = 0, k;
    size_t tail;
    long long secs;
    if (n < 19 || n >= sizeof(buf))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (sscanf(buf, "%ld-%d-%d%*1[ T]%d:%d:%d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6)
        return 0;
    tail = (size_t)used;
    if (buf[tail] == '.') {
        k = (int)strspn(buf + tail + 1, "0123456789");
        if (k >= (int)sizeof(frac) - 1)
            return 0;
        memcpy(frac, buf + tail, (size_t)k + 1);
        frac[k + 1] = '\0';
        tail += (size_t)k + 1;
    }
    if (buf[tail] == 'Z' && !buf[tail + 1]) {
        oh = om = 0;
    } else if ((buf[tail] == '+' || buf[tail] == '-') &&
               sscanf(buf + tail + 1, "%2d", &oh) == 1) {
        const char *p = buf + tail + 3;
        if (*p == ':')
            p++;
        if (*p && sscanf(p, "%2d", &om) != 1)
            return 0;
        if (buf[tail] == '-')
            oh = -oh, om = -om;
    } else {
        return 0;
    }
    days = (long)invs_days_from_civil(y, mo, d);
    secs = (long long)days * 86400 + h * 3600 + mi * 60 + sec - (oh * 3600 + om * 60);
    days = (long)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
    secs -= (long long)days * 86400;
    invs_civil_from_days(days, &yy, &mo, &d);
    invs_sb_printf(sb, "%04lld-%02d-%02d %02d:%02d:%02d%s", (long long)yy, mo, d, (int)(secs / 3600),
                   (int)(secs / 60 % 60), (int)(secs % 60), frac);
    return 1;
}

/* One value of column i into the chunk; an error names it. */
static int my_put_value(my_writer *w, const invs_value *row, size_t i)
{
    const invs_value *v = &row[i];
    const my_wcol *wc = &w->cols[i];
    invs_strbuf *sb = &w->buf;
    int64_t rid = w->rows + 1;
    switch (v->type) {
    case INVS_NULL: invs_sb_add(sb, "\\N", 2); return INVS_OK;
    case INVS_INT:
        if (wc->kind == W_BIT) {
            char bits[65];
            int k = 64;
            uint64_t u = (uint64_t)v->num.i;
            bits[k] = '\0';
            do
                bits[--k] = (char)('0' + (u & 1));
            while (u >>= 1);
            invs_sb_puts(sb, bits + k);
        } else if (wc->kind == W_YEAR && v->num.i >= 0 && v->num.i < 1000) {
            invs_sb_printf(sb, "%04d", (int)v->num.i);
        } else {
            my_put_int(sb, v->num.i);
        }
        return INVS_OK;
    case INVS_UINT: my_put_uint(sb, v->num.u); return INVS_OK;
    case INVS_REAL:
        if (!isfinite(v->num.d))
            return my_refuse(w, row, rid, i, INVS_ETYPE, "is not finite, and MySQL has no NaN "
                             "or infinity");
        if (v->num.d == 0 && signbit(v->num.d) && (wc->kind == W_FLOAT || wc->kind == W_FLOAT32))
            return my_refuse(w, row, rid, i, INVS_ETYPE, "is -0, which MySQL stores as 0");
        if (wc->kind == W_FLOAT32) {
            /* the float it rounds to, written exactly: MySQL refuses the
             * shortest text of FLT_MAX (3.4028235e38) as out of range */
            float f = (float)v->num.d;
            if (!isfinite(f))
                return my_refuse(w, row, rid, i, INVS_ETYPE, "does not fit a MySQL float");
            my_put_double(sb, (double)f);
            return INVS_OK;
        }
        my_put_double(sb, v->num.d);
        return INVS_OK;
    case INVS_TEXT:
    case INVS_BLOB: break;
    }
    if (wc->kind == W_TEXT) {
        int wide;
        long long chars;
        if (my_utf8_check(v->ptr, v->len, &wide, &chars) != 0)
            return my_refuse(w, row, rid, i, INVS_ETYPE,
                             "is not UTF-8 (verify transcodes text from its column's charset)");
        if (wide && wc->bmp)
            return my_refuse(w, row, rid, i, INVS_ETYPE,
                             "holds a character beyond U+FFFF, which the column's utf8mb3 "
                             "charset cannot hold");
        if (wc->maxchars >= 0 && chars > wc->maxchars) {
            char why[96];
            snprintf(why, sizeof(why), "is %lld characters long: more than the column's %lld",
                     chars, wc->maxchars);
            return my_refuse(w, row, rid, i, INVS_ETYPE, why);
        }
    } else if (wc->kind == W_BIT) {
        size_t k;
        for (k = 0; k < v->len && (((const char *)v->ptr)[k] | 1) == '1'; k++)
            ;
        if (k < v->len || v->len > 64 || !v->len)
            return my_refuse(w, row, rid, i, INVS_ETYPE, "is not a bit string (0s and 1s, at "
                             "most 64)");
    } else if (wc->kind == W_DATETIME && v->type == INVS_TEXT &&
               my_utc_text(sb, v->ptr, v->len)) {
        return INVS_OK;
    }
    my_put_bytes(sb, v->ptr, v->len);
    return INVS_OK;
}

/* ---- a chunk goes in */

/* The key of row n (from 1) of the chunk, read back from the buffer. */
static void my_chunk_key(my_writer *w, long n, invs_strbuf *out)
{
    const invs_table *t = w->t;
    invs_value *vals = my_host->alloc((t->ncols + 1) * sizeof(*vals));
    invs_strbuf fields;
    const char *p = w->buf.p, *end = w->buf.p + w->buf.len;
    size_t i;
    long line = 1;
    if (!vals)
        return;
    memset(vals, 0, (t->ncols + 1) * sizeof(*vals));
    while (p < end && line < n) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
        line++;
    }
    my_sb_init(&fields);
    for (i = 0; i < t->ncols && p < end; i++) {
        size_t start = fields.len;
        int null = p + 1 < end && p[0] == '\\' && p[1] == 'N' &&
                   (p + 2 == end || p[2] == '\t' || p[2] == '\n');
        while (p < end && *p != '\t' && *p != '\n') {
            if (*p == '\\' && p + 1 < end) {
                char e = p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' : p[1] == '0' ? '\0' : p[1];
                invs_sb_add(&fields, &e, 1);
                p += 2;
            } else {
                invs_sb_add(&fields, p++, 1);
            }
        }
        vals[i].type = null ? INVS_NULL : INVS_TEXT;
        vals[i].len = fields.len - start;
        vals[i].num.i = (int64_t)start; /* offset until fields stops growing */
        if (p < end && *p == '\t')
            p++;
    }
    for (i = 0; i < t->ncols && !invs_sb_failed(&fields); i++) {
        size_t off = (size_t)vals[i].num.i;
        vals[i].ptr = fields.p ? fields.p + off : "";
        if (vals[i].type == INVS_TEXT && my_kind_of(&t->cols[i]) == K_INT) {
            char tmp[32];
            snprintf(tmp, sizeof(tmp), "%.*s", (int)vals[i].len, (const char *)vals[i].ptr);
            vals[i].type = INVS_INT;
            vals[i].num.i = strtoll(tmp, NULL, 10);
        }
    }
    if (!invs_sb_failed(&fields))
        invs_sb_row_key(out, t, vals, w->chunk_first + n);
    invs_sb_free(&fields);
    my_host->free(vals);
}

/* A LOAD DATA LOCAL that warned: its data did not go in as sent. */
static int my_load_warned(my_writer *w)
{
    my_conn *c = w->c;
    MYSQL_RES *r;
    MYSQL_ROW row;
    invs_strbuf msg, key;
    int code = INVS_ETYPE, n = 0, rc;
    long at = 0;

    my_sb_init(&msg);
    my_sb_init(&key);
    if ((r = my_query(c, "SHOW WARNINGS LIMIT 3"))) {
        while ((row = mysql_fetch_row(r))) {
            const char *m = row[2] ? row[2] : "", *p = strstr(m, " at row ");
            if (row[1] && strtol(row[1], NULL, 10) == ER_DUP_ENTRY)
                code = INVS_ECONSTRAINT;
            if (p && !at)
                at = strtol(p + 8, NULL, 10);
            invs_sb_printf(&msg, "%s%s", n++ ? "; " : "", m);
        }
        mysql_free_result(r);
    }
    if (at > 0)
        my_chunk_key(w, at, &key);
    rc = my_host->error(c->s, code, NULL, 0,
                        "table %s%s%s%s: MySQL did not take the rows as they were sent (%s); "
                        "nothing was committed",
                        w->t->name, key.len ? ", " : "",
                        key.len && key.p[0] == '(' ? "key " : "", key.len ? key.p : "",
                        invs_sb_failed(&msg) ? "?" : msg.p);
    invs_sb_free(&msg);
    invs_sb_free(&key);
    return rc;
}

static int my_flush(my_writer *w)
{
    my_conn *c = w->c;
    int rc = INVS_OK;
    if (!w->buf.len)
        return INVS_OK;
    c->feeding = w;
    if (mysql_real_query(c->my, w->load.p, (unsigned long)w->load.len) != 0)
        rc = my_fail(c, w->t->name);
    c->feeding = NULL;
    if (rc == INVS_OK && mysql_warning_count(c->my) > 0)
        rc = my_load_warned(w);
    invs_sb_reset(&w->buf);
    w->chunk_first = w->rows;
    return rc;
}

int my_writer_put(invs_drv_writer *writer, const invs_value *rows, size_t nrows)
{
    my_writer *w = writer;
    size_t r, i, ncols = w->t->ncols;
    int rc;

    for (r = 0; r < nrows; r++) {
        const invs_value *row = rows + r * ncols;
        for (i = 0; i < ncols; i++) {
            if (i)
                invs_sb_add(&w->buf, "\t", 1);
            if ((rc = my_put_value(w, row, i)) != INVS_OK)
                return rc;
        }
        invs_sb_add(&w->buf, "\n", 1);
        w->rows++;
        if ((rc = my_sb_ok(w->c, &w->buf)) != INVS_OK)
            return rc;
        if (w->buf.len >= MY_CHUNK_BYTES && (rc = my_flush(w)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

int my_writer_close(invs_drv_writer *writer, int abort)
{
    my_writer *w = writer;
    int rc = INVS_OK;
    if (!w)
        return INVS_OK;
    if (!abort)
        rc = my_flush(w);
    invs_sb_free(&w->buf);
    invs_sb_free(&w->load);
    my_host->free(w->cols);
    my_host->free(w);
    return rc;
}

/*
 * What SQLite keeps only in the text of CREATE TABLE, CREATE INDEX and
 * CREATE VIEW: constraint names, CHECK constraints, the parts and WHERE
 * clause of an index on expressions, and a view's column list and query. Its pragmas report columns, keys and indexes but
 * none of these, so the statement SQLite stored (sqlite_schema.sql, which
 * SQLite itself parsed once, so it is well formed) is read here.
 *
 * A small tokenizer of SQLite's dialect: words, the four identifier quotes
 * ("x", [x], `x`), 'strings', X'blobs', numbers, comments, punctuation.
 * The statement is split at top-level commas inside its outermost
 * parentheses; each piece is a column definition or a table constraint.
 */
#include <string.h>

#include "invstage/sqldefault.h"
#include "sqlite_driver.h"

enum { T_END, T_WORD, T_IDENT, T_STRING, T_NUMBER, T_PUNCT };

typedef struct ddl_tok {
    int kind;
    const char *p;
    size_t n;
} ddl_tok;

static int ddl_is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static const char *ddl_skip_space(const char *s, const char *end)
{
    while (s < end) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f')
            s++;
        else if (s + 1 < end && s[0] == '-' && s[1] == '-') {
            while (s < end && *s != '\n')
                s++;
        } else if (s + 1 < end && s[0] == '/' && s[1] == '*') {
            const char *e;
            for (e = s + 2; e + 1 < end && !(e[0] == '*' && e[1] == '/'); e++)
                ;
            s = e + 1 < end ? e + 2 : end;
        } else
            break;
    }
    return s;
}

/* The quoted token starting at s (closing quote `close`, doubled inside). */
static const char *ddl_quoted(const char *s, const char *end, char close)
{
    for (s++; s < end; s++)
        if (*s == close) {
            if (close == ']' || s + 1 >= end || s[1] != close)
                return s + 1;
            s++;
        }
    return end;
}

static ddl_tok ddl_next(const char **pos, const char *end)
{
    const char *s = ddl_skip_space(*pos, end);
    ddl_tok t = {T_END, s, 0};
    if (s >= end) {
        *pos = s;
        return t;
    }
    if (*s == '"' || *s == '`' || *s == '[') {
        t.kind = T_IDENT;
        *pos = ddl_quoted(s, end, *s == '[' ? ']' : *s);
    } else if (*s == '\'') {
        t.kind = T_STRING;
        *pos = ddl_quoted(s, end, '\'');
    } else if ((*s == 'x' || *s == 'X') && s + 1 < end && s[1] == '\'') {
        t.kind = T_STRING;
        *pos = ddl_quoted(s + 1, end, '\'');
    } else if (*s >= '0' && *s <= '9') {
        const char *e = s;
        while (e < end && (ddl_is_word_char(*e) || *e == '.'))
            e++;
        t.kind = T_NUMBER;
        *pos = e;
    } else if (ddl_is_word_char(*s)) {
        const char *e = s;
        while (e < end && ddl_is_word_char(*e))
            e++;
        t.kind = T_WORD;
        *pos = e;
    } else {
        t.kind = T_PUNCT;
        *pos = s + 1;
    }
    t.n = (size_t)(*pos - s);
    return t;
}

static int ddl_word(const ddl_tok *t, const char *w)
{
    return t->kind == T_WORD && t->n == strlen(w) && sqlite3_strnicmp(t->p, w, (int)t->n) == 0;
}

static int ddl_punct(const ddl_tok *t, char c) { return t->kind == T_PUNCT && *t->p == c; }

/* Past the balanced "( ... )" that starts with the '(' just read; the text
 * inside into *in. 0 when unbalanced. */
static int ddl_group(const char **pos, const char *end, const char **in, size_t *in_n)
{
    const char *start = *pos;
    int depth = 1;
    ddl_tok t;
    while (depth > 0) {
        t = ddl_next(pos, end);
        if (t.kind == T_END)
            return 0;
        if (ddl_punct(&t, '('))
            depth++;
        else if (ddl_punct(&t, ')') && --depth == 0) {
            *in = start;
            *in_n = (size_t)(t.p - start);
            return 1;
        }
    }
    return 0;
}

/* An identifier token's name, unquoted, into the pool. */
static const char *ddl_name(invs_pool *pl, const ddl_tok *t)
{
    char *d;
    size_t i, n = 0;
    if (t->kind != T_IDENT && t->kind != T_WORD && t->kind != T_STRING)
        return NULL;
    if (!(d = invs_pool_alloc(pl, t->n + 1)))
        return NULL;
    if (t->kind == T_WORD) {
        memcpy(d, t->p, t->n);
        n = t->n;
    } else {
        char close = t->p[0] == '[' ? ']' : t->p[0];
        for (i = 1; i + 1 < t->n; i++) {
            d[n++] = t->p[i];
            if (t->p[i] == close && close != ']' && t->p[i + 1] == close)
                i++;
        }
    }
    d[n] = '\0';
    return d;
}

/* The trimmed text p[0..n) copied into the pool. */
static const char *ddl_text(invs_pool *pl, const char *p, size_t n)
{
    char *d;
    while (n && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    if (!(d = invs_pool_alloc(pl, n + 1)))
        return NULL;
    memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

/* First identifiers of each comma-separated item of a column list. */
static size_t ddl_column_list(invs_pool *pl, const char *in, size_t n, const char ***out)
{
    const char *pos = in, *end = in + n, **cols = NULL;
    size_t count = 0, cap = 0;
    int first = 1, depth = 0;
    ddl_tok t;
    while ((t = ddl_next(&pos, end)).kind != T_END) {
        if (ddl_punct(&t, '('))
            depth++;
        else if (ddl_punct(&t, ')'))
            depth--;
        else if (depth == 0 && ddl_punct(&t, ','))
            first = 1;
        else if (first && depth == 0) {
            if (!(cols = invs_pool_grow(pl, cols, count, &cap, sizeof(*cols))))
                return 0;
            cols[count++] = ddl_name(pl, &t);
            first = 0;
        }
    }
    *out = cols;
    return count;
}

/* One column definition or table constraint: every named or CHECK
 * constraint in it, reported through the callback. */
static int ddl_item(invs_pool *pl, const char *pos, const char *end, sqlite_ddl_fn fn,
                    void *payload)
{
    sqlite_ddl_constraint c;
    const char *column = NULL, *name = NULL;
    ddl_tok t = ddl_next(&pos, end);
    int rc;
    if (!(ddl_word(&t, "CONSTRAINT") || ddl_word(&t, "PRIMARY") || ddl_word(&t, "UNIQUE") ||
          ddl_word(&t, "CHECK") || ddl_word(&t, "FOREIGN"))) {
        if (!(column = ddl_name(pl, &t)))
            return INVS_ENOMEM;
        t = ddl_next(&pos, end);
    }
    for (; t.kind != T_END; t = ddl_next(&pos, end)) {
        const char *in = NULL;
        size_t in_n = 0;
        memset(&c, 0, sizeof(c));
        if (ddl_word(&t, "CONSTRAINT")) {
            t = ddl_next(&pos, end);
            if (!(name = ddl_name(pl, &t)))
                return INVS_ENOMEM;
            continue;
        }
        if (ddl_punct(&t, '(')) { /* a type's (n), a default's (expr), ... */
            if (!ddl_group(&pos, end, &in, &in_n))
                return INVS_EINVAL;
            continue;
        }
        c.kind = ddl_word(&t, "PRIMARY")   ? 'p'
                 : ddl_word(&t, "UNIQUE")  ? 'u'
                 : ddl_word(&t, "CHECK")   ? 'c'
                 : ddl_word(&t, "FOREIGN") ? 'f'
                 : ddl_word(&t, "REFERENCES") ? 'f'
                                              : 0;
        if (!c.kind)
            continue;
        if (ddl_word(&t, "PRIMARY") || ddl_word(&t, "FOREIGN"))
            t = ddl_next(&pos, end); /* KEY */
        c.name = name;
        name = NULL;
        c.column = column;
        if (c.kind == 'f' && ddl_word(&t, "REFERENCES")) {
            t = ddl_next(&pos, end);
            c.ref_table = ddl_name(pl, &t);
        } else if (!column || c.kind == 'c') {
            t = ddl_next(&pos, end);
            if (!ddl_punct(&t, '(') || !ddl_group(&pos, end, &in, &in_n))
                return INVS_EINVAL;
            if (c.kind == 'c')
                c.expr = ddl_text(pl, in, in_n);
            else
                c.ncols = ddl_column_list(pl, in, in_n, &c.cols);
            if (c.kind == 'f') {
                while ((t = ddl_next(&pos, end)).kind != T_END && !ddl_word(&t, "REFERENCES"))
                    ;
                t = ddl_next(&pos, end);
                c.ref_table = ddl_name(pl, &t);
            }
        }
        if (pl->failed)
            return INVS_ENOMEM;
        if ((rc = fn(&c, payload)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

int sqlite_ddl_table(invs_pool *pl, const char *sql, sqlite_ddl_fn fn, void *payload)
{
    const char *pos = sql, *end = sql + strlen(sql), *body, *item;
    size_t body_n;
    int depth = 0, rc;
    ddl_tok t;
    while ((t = ddl_next(&pos, end)).kind != T_END && !ddl_punct(&t, '('))
        ;
    if (t.kind == T_END || !ddl_group(&pos, end, &body, &body_n))
        return INVS_EINVAL;
    end = body + body_n;
    pos = item = body;
    for (;;) {
        t = ddl_next(&pos, end);
        if (ddl_punct(&t, '('))
            depth++;
        else if (ddl_punct(&t, ')'))
            depth--;
        if (t.kind == T_END || (depth == 0 && ddl_punct(&t, ','))) {
            if ((rc = ddl_item(pl, item, t.kind == T_END ? end : t.p, fn, payload)) != INVS_OK)
                return rc;
            if (t.kind == T_END)
                return INVS_OK;
            item = pos;
        }
    }
}

const char *sqlite_ddl_view(const char *sql)
{
    const char *pos = sql, *end = sql + strlen(sql), *cols = NULL, *in;
    size_t in_n;
    ddl_tok t = ddl_next(&pos, end);
    if (!ddl_word(&t, "CREATE"))
        return NULL;
    t = ddl_next(&pos, end);
    if (ddl_word(&t, "TEMP") || ddl_word(&t, "TEMPORARY"))
        t = ddl_next(&pos, end);
    if (!ddl_word(&t, "VIEW"))
        return NULL;
    t = ddl_next(&pos, end);
    if (ddl_word(&t, "IF")) { /* IF NOT EXISTS */
        ddl_next(&pos, end);
        ddl_next(&pos, end);
        t = ddl_next(&pos, end);
    }
    if (t.kind != T_WORD && t.kind != T_IDENT && t.kind != T_STRING)
        return NULL;
    t = ddl_next(&pos, end);
    if (ddl_punct(&t, '.')) { /* schema.name */
        ddl_next(&pos, end);
        t = ddl_next(&pos, end);
    }
    if (ddl_punct(&t, '(')) {
        cols = t.p;
        if (!ddl_group(&pos, end, &in, &in_n))
            return NULL;
        t = ddl_next(&pos, end);
    }
    if (!ddl_word(&t, "AS"))
        return NULL;
    return cols ? cols : ddl_skip_space(pos, end);
}

int sqlite_ddl_end(const char *s)
{
    const char *end = s + strlen(s);
    s = ddl_skip_space(s, end);
    if (s < end && *s == ';')
        s = ddl_skip_space(s + 1, end);
    return s == end;
}

int sqlite_ddl_index(invs_pool *pl, const char *sql, invs_xindex *x)
{
    const char *pos = sql, *end = sql + strlen(sql), *in, **parts = NULL;
    uint8_t *exprs = NULL, *desc = NULL;
    size_t in_n, cap = 0, ecap = 0, dcap = 0;
    ddl_tok t;
    while ((t = ddl_next(&pos, end)).kind != T_END && !ddl_punct(&t, '('))
        ;
    if (t.kind == T_END || !ddl_group(&pos, end, &in, &in_n))
        return INVS_EINVAL;
    /* each part: its text, less a trailing ASC/DESC */
    {
        const char *ip = in, *iend = in + in_n, *start = in, *last_end = in;
        int depth = 0, words = 0, is_desc = 0;
        ddl_tok prev = {T_END, in, 0};
        for (;;) {
            ddl_tok u = ddl_next(&ip, iend);
            if (ddl_punct(&u, '('))
                depth++;
            else if (ddl_punct(&u, ')'))
                depth--;
            if (u.kind == T_END || (depth == 0 && ddl_punct(&u, ','))) {
                size_t n = x->nparts;
                if (!(parts = invs_pool_grow(pl, parts, n, &cap, sizeof(*parts))) ||
                    !(exprs = invs_pool_grow(pl, exprs, n, &ecap, 1)) ||
                    !(desc = invs_pool_grow(pl, desc, n, &dcap, 1)))
                    return INVS_ENOMEM;
                exprs[n] = words != 1;
                desc[n] = (uint8_t)is_desc;
                parts[n] = words == 1 ? ddl_name(pl, &prev) : ddl_text(pl, start, (size_t)(last_end - start));
                x->nparts++;
                if (u.kind == T_END)
                    break;
                start = last_end = ip;
                words = is_desc = 0;
                continue;
            }
            if (depth == 0 && (ddl_word(&u, "ASC") || ddl_word(&u, "DESC"))) {
                is_desc = ddl_word(&u, "DESC");
                continue;
            }
            if (words == 0 || depth > 0 || !ddl_punct(&u, ')'))
                words++;
            prev = u;
            last_end = ip;
        }
    }
    while ((t = ddl_next(&pos, end)).kind != T_END && !ddl_word(&t, "WHERE"))
        ;
    if (t.kind != T_END)
        x->where = ddl_text(pl, pos, (size_t)(end - pos));
    x->parts = parts;
    x->exprs = exprs;
    x->desc = desc;
    return pl->failed ? INVS_ENOMEM : INVS_OK;
}

/* SQLite's own ways of saying "now", beside the standard keywords. */
static int ddl_sqlite_now(const char *expr)
{
    static const struct {
        const char *text;
        int kind;
    } forms[] = {{"datetime('now')", INVS_DEF_NOW},
                 {"(datetime('now'))", INVS_DEF_NOW},
                 {"date('now')", INVS_DEF_TODAY},
                 {"(date('now'))", INVS_DEF_TODAY},
                 {"time('now')", INVS_DEF_TIME_NOW},
                 {"(time('now'))", INVS_DEF_TIME_NOW}};
    size_t i;
    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
        if (sqlite3_stricmp(expr, forms[i].text) == 0)
            return forms[i].kind;
    return INVS_DEF_EXPR;
}

void sqlite_default_classify(invs_pool *pl, invs_colx *x, const char *expr)
{
    const char *v;
    size_t n;
    char *d;
    x->default_kind = invs_sqld_classify(expr, &v, &n);
    if (x->default_kind == INVS_DEF_EXPR)
        x->default_kind = ddl_sqlite_now(expr);
    if (!v)
        return;
    if ((d = invs_pool_alloc(pl, n + 1)))
        x->default_value = invs_sqld_unquote(d, v, n);
}

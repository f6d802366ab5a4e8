/*
 * invstage/strbuf.h -- a growable byte string, header-only, for the host and
 * for drivers (which link against nothing of ours: they pass host->realloc
 * and host->free). Errors are sticky: after an allocation failure every call
 * is a no-op and invs_sb_failed() is true, so SQL can be built without a check
 * per fragment and checked once.
 *
 * invs_sb_ident() is the one identifier quoter of invstage: every identifier
 * that reaches SQL goes through it. invs_sb_row_key() is the one way a row
 * is named in a message, by the host and by drivers alike.
 */
#ifndef INVSTAGE_STRBUF_H
#define INVSTAGE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "invstage/driver.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct invs_strbuf {
    char *p;      /* NUL-terminated once anything was added */
    size_t len;
    size_t cap;
    int failed;
    void *(*realloc_fn)(void *, size_t);
    void (*free_fn)(void *);
} invs_strbuf;

static inline void invs_sb_init(invs_strbuf *sb, void *(*realloc_fn)(void *, size_t),
                                void (*free_fn)(void *))
{
    sb->p = NULL;
    sb->len = sb->cap = 0;
    sb->failed = 0;
    sb->realloc_fn = realloc_fn;
    sb->free_fn = free_fn;
}

static inline int invs_sb_failed(const invs_strbuf *sb) { return sb->failed; }

static inline void invs_sb_reset(invs_strbuf *sb)
{
    sb->len = 0;
    if (sb->p)
        sb->p[0] = '\0';
}

static inline void invs_sb_free(invs_strbuf *sb)
{
    if (sb->p)
        sb->free_fn(sb->p);
    sb->p = NULL;
    sb->len = sb->cap = 0;
}

static inline int invs_sb_reserve(invs_strbuf *sb, size_t extra)
{
    size_t need, cap;
    char *np;
    if (sb->failed)
        return -1;
    if (extra > (size_t)-1 - sb->len - 1)
        goto fail;
    need = sb->len + extra + 1;
    if (need <= sb->cap)
        return 0;
    cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    np = (char *)sb->realloc_fn(sb->p, cap);
    if (!np)
        goto fail;
    sb->p = np;
    sb->cap = cap;
    return 0;
fail:
    sb->failed = 1;
    return -1;
}

static inline void invs_sb_add(invs_strbuf *sb, const void *s, size_t n)
{
    if (invs_sb_reserve(sb, n) != 0)
        return;
    if (n)
        memcpy(sb->p + sb->len, s, n);
    sb->len += n;
    sb->p[sb->len] = '\0';
}

static inline void invs_sb_puts(invs_strbuf *sb, const char *s)
{
    invs_sb_add(sb, s, strlen(s));
}

static inline void invs_sb_vprintf(invs_strbuf *sb, const char *fmt, va_list ap)
{
    va_list aq;
    int n;
    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0 || invs_sb_reserve(sb, (size_t)n) != 0) {
        sb->failed = 1;
        return;
    }
    vsnprintf(sb->p + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline void invs_sb_printf(invs_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    invs_sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

/* Append `ident` quoted with `q` ('"' for SQL, '`' for MySQL), every `q`
 * inside doubled. Any byte is allowed; the identifier is not interpreted. */
static inline void invs_sb_ident(invs_strbuf *sb, const char *ident, char q)
{
    const char *s;
    invs_sb_add(sb, &q, 1);
    for (s = ident; *s; s++) {
        if (*s == q)
            invs_sb_add(sb, &q, 1);
        invs_sb_add(sb, s, 1);
    }
    invs_sb_add(sb, &q, 1);
}

/* Append "(a, b, ...)": the names quoted with `q`, in parentheses. */
static inline void invs_sb_ident_list(invs_strbuf *sb, const char *const *names, size_t n, char q)
{
    size_t i;
    invs_sb_add(sb, "(", 1);
    for (i = 0; i < n; i++) {
        if (i)
            invs_sb_add(sb, ", ", 2);
        invs_sb_ident(sb, names[i], q);
    }
    invs_sb_add(sb, ")", 1);
}

/* Append `s` as an SQL string literal ('...' with quotes doubled). */
static inline void invs_sb_literal(invs_strbuf *sb, const char *s)
{
    invs_sb_ident(sb, s, '\'');
}

/* Append a value as messages show it: NULL, 42, 1.5, 'text' (its first 40
 * bytes), <3 bytes>. */
static inline void invs_sb_value(invs_strbuf *sb, const invs_value *v)
{
    switch (v ? (int)v->type : (int)INVS_NULL) {
    case INVS_INT: invs_sb_printf(sb, "%lld", (long long)v->num.i); break;
    case INVS_UINT: invs_sb_printf(sb, "%llu", (unsigned long long)v->num.u); break;
    case INVS_REAL: invs_sb_printf(sb, "%.17g", v->num.d); break;
    case INVS_TEXT:
        invs_sb_printf(sb, "'%.*s'", (int)(v->len > 40 ? 40 : v->len), (const char *)v->ptr);
        break;
    case INVS_BLOB: invs_sb_printf(sb, "<%zu bytes>", v->len); break;
    default: invs_sb_puts(sb, "NULL");
    }
}

/* Append the key of a row of t (its values in t->cols order) as messages
 * name it: "(id)=(5)", "(a, b)=('x', 2)"; "row N" (rid, counted from 1)
 * where t has no primary key. */
static inline void invs_sb_row_key(invs_strbuf *sb, const invs_table *t, const invs_value *row,
                                   int64_t rid)
{
    const invs_key *pk = NULL;
    size_t k, c;
    for (k = 0; k < t->nkeys && !pk; k++)
        if (t->keys[k].kind == INVS_KEY_PRIMARY)
            pk = &t->keys[k];
    if (!pk) {
        invs_sb_printf(sb, "row %lld", (long long)rid);
        return;
    }
    invs_sb_puts(sb, "(");
    for (k = 0; k < pk->ncols; k++)
        invs_sb_printf(sb, "%s%s", k ? ", " : "", pk->cols[k]);
    invs_sb_puts(sb, ")=(");
    for (k = 0; k < pk->ncols; k++) {
        for (c = 0; c < t->ncols && strcmp(t->cols[c].name, pk->cols[k]) != 0; c++)
            ;
        if (k)
            invs_sb_puts(sb, ", ");
        invs_sb_value(sb, c < t->ncols ? &row[c] : NULL);
    }
    invs_sb_puts(sb, ")");
}

/* Append "CHECK (col IN ('a', 'b'))": an enum's labels where the target
 * keeps the column as text (col quoted with q, the labels as literals). */
static inline void invs_sb_labels_check(invs_strbuf *sb, const char *col,
                                        const char *const *labels, size_t n, char q)
{
    size_t i;
    invs_sb_puts(sb, "CHECK (");
    invs_sb_ident(sb, col, q);
    invs_sb_puts(sb, " IN (");
    for (i = 0; i < n; i++) {
        invs_sb_puts(sb, i ? ", " : "");
        invs_sb_literal(sb, labels[i]);
    }
    invs_sb_puts(sb, "))");
}

/* Append an index's parts and predicate as CREATE INDEX writes them:
 * " (a, (lower(b)) DESC) WHERE c > 0". Columns are quoted with q; the
 * expressions and the predicate are appended as they are, in parentheses
 * where paren_exprs (PostgreSQL needs them, SQLite's own text has them):
 * the caller has checked them (a stage is untrusted input). */
static inline void invs_sb_index_parts(invs_strbuf *sb, const invs_xindex *x, char q,
                                       int paren_exprs)
{
    size_t i;
    invs_sb_puts(sb, " (");
    for (i = 0; i < x->nparts; i++) {
        invs_sb_puts(sb, i ? ", " : "");
        if (x->exprs && x->exprs[i])
            invs_sb_printf(sb, paren_exprs ? "(%s)" : "%s", x->parts[i]);
        else
            invs_sb_ident(sb, x->parts[i], q);
        if (x->desc && x->desc[i])
            invs_sb_puts(sb, " DESC");
    }
    invs_sb_puts(sb, ")");
    if (x->where)
        invs_sb_printf(sb, " WHERE %s", x->where);
}

/* Take the string out of the buffer (caller frees with free_fn). */
static inline char *invs_sb_take(invs_strbuf *sb)
{
    char *p;
    if (sb->failed) {
        invs_sb_free(sb);
        return NULL;
    }
    if (!sb->p)
        invs_sb_add(sb, "", 0);
    p = sb->p;
    sb->p = NULL;
    sb->len = sb->cap = 0;
    return p;
}

#ifdef __cplusplus
}
#endif
#endif /* INVSTAGE_STRBUF_H */

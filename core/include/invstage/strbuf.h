/*
 * invstage/strbuf.h -- a growable byte string, header-only, for the host and
 * for drivers (which link against nothing of ours: they pass host->realloc
 * and host->free). Errors are sticky: after an allocation failure every call
 * is a no-op and invs_sb_failed() is true, so SQL can be built without a check
 * per fragment and checked once.
 *
 * invs_sb_ident() is the one identifier quoter of invstage: every identifier
 * that reaches SQL goes through it.
 */
#ifndef INVSTAGE_STRBUF_H
#define INVSTAGE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

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

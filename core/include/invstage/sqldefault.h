/*
 * invstage/sqldefault.h -- column defaults that every engine writes alike.
 *
 * A source driver classifies its own default_expr into an invs_colx's
 * default_kind and default_value (driver.h), so that a target of another
 * engine can write it in its own syntax. Most defaults are a standard SQL
 * literal or one of the CURRENT_* keywords, written the same way in SQLite,
 * PostgreSQL and MySQL; this header reads those. What is an engine's own
 * (PostgreSQL's 'x'::text and now(), MySQL's current_timestamp()) its
 * driver reads first, and hands the rest here. Header-only; C99.
 */
#ifndef INVSTAGE_SQLDEFAULT_H
#define INVSTAGE_SQLDEFAULT_H

#include <stddef.h>
#include <string.h>

#include "invstage/driver.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline const char *invs_sqld_skip_(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

static inline int invs_sqld_word_(const char *s, size_t n, const char *w)
{
    size_t i;
    if (strlen(w) != n)
        return 0;
    for (i = 0; i < n; i++)
        if ((s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]) != w[i])
            return 0;
    return 1;
}

/* Past a number at s: [+-]digits[.digits][e[+-]digits] or [+-].digits. */
static inline const char *invs_sqld_number_(const char *s)
{
    const char *d;
    if (*s == '-' || *s == '+')
        s++;
    d = s;
    while (*s >= '0' && *s <= '9')
        s++;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            ;
    if (s == d || (s == d + 1 && *d == '.'))
        return NULL;
    if (*s == 'e' || *s == 'E') {
        const char *e = s + 1;
        if (*e == '-' || *e == '+')
            e++;
        if (!(*e >= '0' && *e <= '9'))
            return NULL;
        while (*e >= '0' && *e <= '9')
            e++;
        s = e;
    }
    return s;
}

/* Past a '...' literal at s ('' inside), or NULL. */
static inline const char *invs_sqld_string_(const char *s)
{
    for (s++; *s; s++)
        if (*s == '\'') {
            if (s[1] != '\'')
                return s + 1;
            s++;
        }
    return NULL;
}

/* The kind of a default written as standard SQL (enum invs_default_kind):
 * a number, a 'string', X'hex', NULL, TRUE or FALSE, CURRENT_TIMESTAMP,
 * CURRENT_DATE, CURRENT_TIME, LOCALTIMESTAMP, each possibly in
 * parentheses. *val and *len give the literal inside expr (a string's
 * contents with their quotes still doubled: see invs_sqld_unquote).
 * INVS_DEF_EXPR for anything else; INVS_DEF_NONE for NULL expr. */
static inline int invs_sqld_classify(const char *expr, const char **val, size_t *len)
{
    const char *s, *e, *w;
    size_t open = 0, n;
    int kind;
    *val = NULL;
    *len = 0;
    if (!expr)
        return INVS_DEF_NONE;
    for (s = invs_sqld_skip_(expr); *s == '('; s = invs_sqld_skip_(s + 1))
        open++;
    if (*s == '\'') {
        if (!(e = invs_sqld_string_(s)))
            return INVS_DEF_EXPR;
        *val = s + 1;
        *len = (size_t)(e - s - 2);
        kind = INVS_DEF_TEXT;
    } else if ((*s == 'x' || *s == 'X') && s[1] == '\'') {
        for (e = s + 2; (*e >= '0' && *e <= '9') || ((*e | 32) >= 'a' && (*e | 32) <= 'f'); e++)
            ;
        if (*e != '\'' || (e - s - 2) % 2)
            return INVS_DEF_EXPR;
        *val = s + 2;
        *len = (size_t)(e - s - 2);
        e++;
        kind = INVS_DEF_BLOB;
    } else if ((e = invs_sqld_number_(s))) {
        *val = s;
        *len = (size_t)(e - s);
        kind = INVS_DEF_NUMBER;
    } else {
        for (w = s; (*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') || *w == '_'; w++)
            ;
        n = (size_t)(w - s);
        e = w;
        if (invs_sqld_word_(s, n, "NULL"))
            kind = INVS_DEF_NULL;
        else if (invs_sqld_word_(s, n, "TRUE") || invs_sqld_word_(s, n, "FALSE")) {
            *val = (*s | 32) == 't' ? "1" : "0";
            *len = 1;
            kind = INVS_DEF_BOOL;
        } else if (invs_sqld_word_(s, n, "CURRENT_TIMESTAMP") ||
                   invs_sqld_word_(s, n, "LOCALTIMESTAMP"))
            kind = INVS_DEF_NOW;
        else if (invs_sqld_word_(s, n, "CURRENT_DATE"))
            kind = INVS_DEF_TODAY;
        else if (invs_sqld_word_(s, n, "CURRENT_TIME") || invs_sqld_word_(s, n, "LOCALTIME"))
            kind = INVS_DEF_TIME_NOW;
        else
            return INVS_DEF_EXPR;
    }
    for (e = invs_sqld_skip_(e); open && *e == ')'; e = invs_sqld_skip_(e + 1))
        open--;
    return open || *e ? INVS_DEF_EXPR : kind;
}

/* A string literal's contents (quotes doubled) into dst (n + 1 bytes
 * enough), each '' as one '. Returns dst. */
static inline char *invs_sqld_unquote(char *dst, const char *src, size_t n)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        dst[k++] = src[i];
        if (src[i] == '\'' && i + 1 < n && src[i + 1] == '\'')
            i++;
    }
    dst[k] = '\0';
    return dst;
}

#ifdef __cplusplus
}
#endif
#endif /* INVSTAGE_SQLDEFAULT_H */

/*
 * A PostgreSQL default, classified (invs_colx.default_kind) so that
 * another engine can write it in its own syntax. pg_get_expr() writes
 * PostgreSQL's own forms, which the engine-neutral reader in
 * invstage/sqldefault.h does not know: a literal with its cast
 * ('x'::text, '-1'::integer, 'G'::mpaa_rating), now(), ('now'::text)::date,
 * NULL::text, and nextval('s'::regclass). Those are read here first.
 */
#include <string.h>

#include "invstage/sqldefault.h"
#include "pg_driver.h"

/* Past a chain of casts (::type, each a plain type name with modifiers)
 * at s; NULL when s holds anything else. *last: the last type's start. */
static const char *pgd_casts(const char *s, const char **last)
{
    *last = NULL;
    while (s[0] == ':' && s[1] == ':') {
        s += 2;
        *last = s;
        while (*s && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                      (*s >= '0' && *s <= '9') || strchr(" _\".[]", *s)))
            s++;
        if (*s == '(') { /* a type modifier: (n) or (n,m) */
            for (s++; *s && ((*s >= '0' && *s <= '9') || *s == ',' || *s == ' '); s++)
                ;
            if (*s++ != ')')
                return NULL;
        }
    }
    return s;
}

static int pgd_prefix(const char *s, const char *word)
{
    return strncmp(s, word, strlen(word)) == 0;
}

/* The kind of a literal 'v' (n bytes, quotes doubled) cast to type ty. */
static int pgd_cast_kind(const char *v, size_t n, const char *ty)
{
    static const char *const numbers[] = {"integer", "bigint", "smallint", "numeric", "real",
                                          "double precision", "decimal", NULL};
    const char *const *w;
    const char *e;
    for (w = numbers; *w; w++)
        if (pgd_prefix(ty, *w)) {
            e = invs_sqld_number_(v);
            return e && (size_t)(e - v) == n ? INVS_DEF_NUMBER : INVS_DEF_EXPR;
        }
    if (pgd_prefix(ty, "boolean"))
        return INVS_DEF_BOOL;
    if (pgd_prefix(ty, "bytea")) {
        size_t i;
        if (n < 2 || v[0] != '\\' || v[1] != 'x' || n % 2)
            return INVS_DEF_EXPR;
        for (i = 2; i < n; i++)
            if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
                return INVS_DEF_EXPR;
        return INVS_DEF_BLOB;
    }
    if (pgd_prefix(ty, "date") || pgd_prefix(ty, "time") || pgd_prefix(ty, "interval") ||
        pgd_prefix(ty, "json") || pgd_prefix(ty, "uuid") || pgd_prefix(ty, "bit"))
        return INVS_DEF_EXPR; /* a literal another engine may read otherwise */
    return INVS_DEF_TEXT;
}

static const char *pgd_copy(invs_pool *pl, const char *v, size_t n, int unquote)
{
    char *d = invs_pool_alloc(pl, n + 1);
    if (!d)
        return NULL;
    if (unquote)
        return invs_sqld_unquote(d, v, n);
    memcpy(d, v, n);
    d[n] = '\0';
    return d;
}

/* 'v'::type[::type...] */
static int pgd_literal(invs_pool *pl, const char *e, const char **value)
{
    const char *end = invs_sqld_string_(e), *ty, *rest;
    size_t n;
    int kind;
    if (!end || !(rest = pgd_casts(end, &ty)) || *rest || !ty)
        return INVS_DEF_EXPR;
    n = (size_t)(end - e - 2);
    kind = pgd_cast_kind(e + 1, n, ty);
    if (kind == INVS_DEF_BOOL) {
        char c = e[1] | 32;
        if (n == 0 || !strchr("tfyn10", c) || (n > 1 && !strchr("tf", c)))
            return INVS_DEF_EXPR;
        *value = strchr("ty1", c) ? "1" : "0";
    } else if (kind == INVS_DEF_BLOB) {
        *value = pgd_copy(pl, e + 3, n - 2, 0);
    } else if (kind != INVS_DEF_EXPR) {
        *value = pgd_copy(pl, e + 1, n, kind == INVS_DEF_TEXT);
    }
    return kind;
}

int pg_default_classify(invs_pool *pl, const char *e, const char **value)
{
    static const char *const now[] = {"now()", "statement_timestamp()", "transaction_timestamp()",
                                      "('now'::text)::timestamp without time zone",
                                      "('now'::text)::timestamp with time zone", NULL};
    const char *const *w;
    const char *v, *ty, *rest;
    size_t n;
    int kind;
    invs_strbuf seq;
    *value = NULL;
    if (!e)
        return INVS_DEF_NONE;
    for (w = now; *w; w++)
        if (!strcmp(e, *w))
            return INVS_DEF_NOW;
    if (!strcmp(e, "('now'::text)::date"))
        return INVS_DEF_TODAY;
    if (e[0] == '\'')
        return pgd_literal(pl, e, value);
    if (pgd_prefix(e, "NULL::") && (rest = pgd_casts(e + 4, &ty)) && !*rest)
        return INVS_DEF_NULL;
    pg_sb_init(&seq);
    kind = pg_nextval_sequence(&seq, e) && !invs_sb_failed(&seq) &&
           strlen(e) == strlen("nextval('") + seq.len + strlen("'::regclass)");
    invs_sb_free(&seq);
    if (kind)
        return INVS_DEF_SEQUENCE;
    kind = invs_sqld_classify(e, &v, &n);
    if (kind == INVS_DEF_NUMBER || kind == INVS_DEF_BLOB)
        *value = pgd_copy(pl, v, n, 0);
    else if (kind == INVS_DEF_TEXT)
        *value = pgd_copy(pl, v, n, 1);
    else if (kind == INVS_DEF_BOOL)
        *value = v;
    return kind;
}

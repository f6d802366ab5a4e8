/*
 * invstage/sqltext.h -- schema text from a stage is untrusted input.
 *
 * A stage is a file people send each other. Its schema text (declared
 * types, defaults, CHECK expressions, sequence names) was written by a
 * source database, or by whoever edited the file. Before a driver puts any
 * of it into a statement, it checks it here against the few shapes that
 * text can take without side effects, and refuses the rest, naming table
 * and column. Header-only, for the host and drivers alike; a check that is
 * too strict refuses a schema, one that is too lax runs someone's code, so
 * these err on the strict side.
 *
 *   invs_sql_type_ok    a type name with its real modifiers only: (n) or
 *                       (n, m), double precision, character varying, with
 *                       time zone, interval fields, unsigned/zerofill, []
 *   invs_sql_name_ok    a possibly qualified name: ident(.ident)*
 *   invs_sql_expr_ok    literals, column names, operators, casts, and calls
 *                       of the functions the driver allows
 *   invs_sql_action_ok  a foreign key's ON DELETE / ON UPDATE action
 *
 * The drivers also send DDL one statement per call, through interfaces
 * that refuse a second one (sqlite3_prepare_v2 and its tail, PQexecParams):
 * what slipped past a check still cannot become a second statement.
 */
#ifndef INVSTAGE_SQLTEXT_H
#define INVSTAGE_SQLTEXT_H

#include <stddef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INVS_SQL_MAX_DEPTH 64

static inline int invs_sql_alpha_(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static inline int invs_sql_digit_(char ch) { return ch >= '0' && ch <= '9'; }

static inline int invs_sql_space_(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Case-insensitive: does s[0..n) spell word? */
static inline int invs_sql_is_(const char *s, size_t n, const char *word)
{
    size_t i;
    if (strlen(word) != n)
        return 0;
    for (i = 0; i < n; i++) {
        char a = s[i], b = word[i];
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 32);
        if (b >= 'a' && b <= 'z')
            b = (char)(b - 32);
        if (a != b)
            return 0;
    }
    return 1;
}

/* Past an identifier at *p: a word or a "quoted" one ("" inside). 0 if none. */
static inline int invs_sql_ident_(const char **p)
{
    const char *s = *p;
    if (*s == '"' || *s == '`') { /* "standard", `MySQL's and SQLite's` */
        char q = *s;
        for (s++; *s; s++)
            if (*s == q) {
                if (s[1] != q)
                    break;
                s++;
            }
        if (*s != q || s == *p + 1)
            return 0;
        *p = s + 1;
        return 1;
    }
    if (!invs_sql_alpha_(*s))
        return 0;
    while (invs_sql_alpha_(*s) || invs_sql_digit_(*s) || *s == '$')
        s++;
    *p = s;
    return 1;
}

static inline const char *invs_sql_skip_(const char *s)
{
    while (invs_sql_space_(*s))
        s++;
    return s;
}

/* Past `word` at s (any case, a whole word): its length, else 0. */
static inline size_t invs_sql_kw_(const char *s, const char *word)
{
    size_t n = strlen(word);
    if (!invs_sql_is_(s, n, word) || invs_sql_alpha_(s[n]) || invs_sql_digit_(s[n]) ||
        s[n] == '$')
        return 0;
    return n;
}

/* Past the first word of list at s: its length, else 0. */
static inline size_t invs_sql_kw_in_(const char *s, const char *const *list)
{
    size_t n;
    for (; *list; list++)
        if ((n = invs_sql_kw_(s, *list)))
            return n;
    return 0;
}

/* Past a signed integer at *p: [+-]digits. 0 if it is none. */
static inline int invs_sql_int_(const char **p)
{
    const char *s = *p;
    if (*s == '-' || *s == '+')
        s++;
    if (!invs_sql_digit_(*s))
        return 0;
    while (invs_sql_digit_(*s))
        s++;
    *p = s;
    return 1;
}

/* Past (n) or (n, m) at *p (signed numbers). 0 if it is none. */
static inline int invs_sql_typmod_(const char **p)
{
    const char *s = invs_sql_skip_(*p + 1);
    int n = 0;
    if (**p != '(')
        return 0;
    do {
        if (n && *s == ',')
            s = invs_sql_skip_(s + 1);
        if (!invs_sql_int_(&s))
            return 0;
        s = invs_sql_skip_(s);
        n++;
    } while (*s == ',' && n < 2);
    if (*s != ')')
        return 0;
    *p = invs_sql_skip_(s + 1);
    return 1;
}

/* The words a type name's modifiers are made of, after its base name b
 * (bn bytes): with/without time zone after time and timestamp, an
 * interval's fields (day to second), MySQL's unsigned, signed and
 * zerofill. Past them at *p; 0 at a word that is none of them. */
static inline int invs_sql_type_suffix_(const char **p, const char *b, size_t bn)
{
    static const char *const fields[] = {"year", "month", "day", "hour", "minute", "second", NULL};
    static const char *const mysql[] = {"unsigned", "signed", "zerofill", NULL};
    const char *s = *p;
    size_t n;
    if ((invs_sql_is_(b, bn, "time") || invs_sql_is_(b, bn, "timestamp")) &&
        ((n = invs_sql_kw_(s, "with")) || (n = invs_sql_kw_(s, "without")))) {
        s = invs_sql_skip_(s + n);
        if (!(n = invs_sql_kw_(s, "time")))
            return 0;
        s = invs_sql_skip_(s + n);
        if (!(n = invs_sql_kw_(s, "zone")))
            return 0;
    } else if (invs_sql_is_(b, bn, "interval") && (n = invs_sql_kw_in_(s, fields))) {
        const char *to = invs_sql_skip_(s + n);
        size_t m = invs_sql_kw_(to, "to");
        if (m) {
            s = invs_sql_skip_(to + m);
            if (!(n = invs_sql_kw_in_(s, fields)))
                return 0;
        }
    } else if (!(n = invs_sql_kw_in_(s, mysql))) {
        return 0;
    }
    *p = invs_sql_skip_(s + n);
    return 1;
}

/* Words that begin a column's constraint, never a type's name. */
static inline int invs_sql_constraint_word_(const char *s, size_t n)
{
    static const char *const words[] = {
        "NOT",      "NULL",       "PRIMARY", "UNIQUE",   "CHECK",         "DEFAULT",
        "COLLATE",  "REFERENCES", "CONSTRAINT", "GENERATED", "AS",        "ON",
        "KEY",      "FOREIGN",    "AUTOINCREMENT", "AUTO_INCREMENT", "COMMENT", "WITH",
        "WITHOUT"};
    size_t i;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (invs_sql_is_(s, n, words[i]))
            return 1;
    return 0;
}

/* Past a type at *p, by the grammar of the type names engines write:
 *   [prefix...] name [second word] [(n) | (n, m)] [modifier...] [[] | [n]]...
 * prefixes: unsigned, big, native, national, varying, long (SQLite's
 * UNSIGNED BIG INT, NATIVE CHARACTER(70), NATIONAL CHAR VARYING); name: an
 * identifier, "quoted" or schema.qualified, that no column constraint
 * begins with; second word: precision after double, varying after
 * character, char, nchar and bit; modifiers: see invs_sql_type_suffix_.
 * 0 if it is none: TEXT NOT NULL, TEXT COLLATE RTRIM are a type and more. */
static inline int invs_sql_type_at_(const char **p)
{
    static const char *const prefixes[] = {"unsigned", "big", "native", "national", "varying",
                                           "long", NULL};
    const char *s = invs_sql_skip_(*p), *b;
    size_t n, bn;
    int k, mod = 0;
    for (k = 0; k < 2 && (n = invs_sql_kw_in_(s, prefixes)) &&
                invs_sql_alpha_(*invs_sql_skip_(s + n));
         k++)
        s = invs_sql_skip_(s + n);
    b = s;
    if (!invs_sql_ident_(&s))
        return 0;
    bn = (size_t)(s - b);
    if (*b != '"' && invs_sql_constraint_word_(b, bn))
        return 0;
    while (*invs_sql_skip_(s) == '.') { /* schema.type */
        s = invs_sql_skip_(invs_sql_skip_(s) + 1);
        b = s;
        if (!invs_sql_ident_(&s))
            return 0;
        bn = (size_t)(s - b);
    }
    s = invs_sql_skip_(s);
    if ((invs_sql_is_(b, bn, "double") && (n = invs_sql_kw_(s, "precision"))) ||
        ((invs_sql_is_(b, bn, "character") || invs_sql_is_(b, bn, "char") ||
          invs_sql_is_(b, bn, "nchar") || invs_sql_is_(b, bn, "bit")) &&
         (n = invs_sql_kw_(s, "varying"))))
        s = invs_sql_skip_(s + n);
    if (*s == '(' && !(mod = invs_sql_typmod_(&s)))
        return 0;
    while (invs_sql_alpha_(*s))
        if (!invs_sql_type_suffix_(&s, b, bn))
            break;
    if (*s == '(' && !mod && invs_sql_is_(b, bn, "interval") && !invs_sql_typmod_(&s))
        return 0; /* interval day to second(3) */
    while (*s == '[') {
        s = invs_sql_skip_(s + 1);
        while (invs_sql_digit_(*s))
            s++;
        s = invs_sql_skip_(s);
        if (*s != ']')
            return 0;
        s = invs_sql_skip_(s + 1);
    }
    *p = s;
    return 1;
}

/* 1 when decl is nothing but a type name (an empty one is no type: 1 too,
 * for the callers that then write none). */
static inline int invs_sql_type_ok(const char *decl)
{
    const char *s = decl;
    if (!s || !*invs_sql_skip_(s))
        return 1;
    return invs_sql_type_at_(&s) && *invs_sql_skip_(s) == '\0';
}

/* 1 when s is ident(.ident)*, idents being words or "quoted". */
static inline int invs_sql_name_ok(const char *s)
{
    if (!s || !invs_sql_ident_(&s))
        return 0;
    while (*s == '.') {
        s++;
        if (!invs_sql_ident_(&s))
            return 0;
    }
    return *s == '\0';
}

/* Words no default or CHECK expression needs, and statements are made of. */
static inline int invs_sql_statement_word_(const char *s, size_t n)
{
    static const char *const words[] = {
        "SELECT", "FROM",   "WITH",    "INSERT", "UPDATE", "DELETE",   "DROP",
        "CREATE", "ALTER",  "COPY",    "GRANT",  "REVOKE", "EXECUTE",  "CALL",
        "DO",     "INTO",   "UNION",   "RETURNING", "PRAGMA", "ATTACH", "DETACH",
        "TRUNCATE", "LOAD", "VACUUM", "BEGIN", "COMMIT", "ROLLBACK", "EXISTS",
        "LATERAL", "TABLE", "VALUES", "REINDEX", "ANALYZE", "LISTEN", "NOTIFY",
        "PREPARE", "DEALLOCATE", "DECLARE", "FETCH", "SET", "RESET", "SHOW"};
    size_t i;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (invs_sql_is_(s, n, words[i]))
            return 1;
    return 0;
}

/* A string literal at *p ('...' with '' inside); prefix: the letter before
 * it, if any (X'..' hex, B'..' bits: their contents are checked). */
static inline int invs_sql_string_(const char **p, char prefix)
{
    const char *s = *p + 1;
    for (; *s; s++) {
        if (*s == '\'') {
            if (s[1] != '\'')
                break;
            s++;
            continue;
        }
        if ((prefix == 'X' && !invs_sql_digit_(*s) && !((*s | 32) >= 'a' && (*s | 32) <= 'f')) ||
            (prefix == 'B' && *s != '0' && *s != '1'))
            return 0;
    }
    if (*s != '\'')
        return 0;
    *p = s + 1;
    return 1;
}

static inline int invs_sql_allowed_(const char *s, size_t n, const char *const *fns)
{
    static const char *const keywords[] = {"CAST", "IN", "ANY", "ALL", "ARRAY", "NOT", "AND",
                                           "OR", "VALUE", "COALESCE", "NULLIF", "GREATEST",
                                           "LEAST"};
    size_t i;
    for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
        if (invs_sql_is_(s, n, keywords[i]))
            return 1;
    for (; fns && *fns; fns++)
        if (invs_sql_is_(s, n, *fns))
            return 1;
    return 0;
}

/* 1 when s is an expression made of literals, column names, operators,
 * parentheses, casts (::type, CAST(x AS type)) and calls of the functions
 * named in fns (NULL-terminated, any case): no statement separator, no
 * comment, no dollar quote or escape string, no subquery, no other call. */
static inline int invs_sql_expr_ok(const char *s, const char *const *fns)
{
    int depth = 0, want_type = 0, after_dot = 0, dot;
    if (!s)
        return 1;
    for (s = invs_sql_skip_(s); *s; s = invs_sql_skip_(s), after_dot = dot) {
        const char *w = s;
        dot = 0;
        if (want_type) { /* after :: or AS */
            if (!invs_sql_type_at_(&s))
                return 0;
            want_type = 0;
            continue;
        }
        if (*s == '\'') {
            if (!invs_sql_string_(&s, 0))
                return 0;
            continue;
        }
        if ((*s == 'x' || *s == 'X' || *s == 'b' || *s == 'B') && s[1] == '\'') {
            char prefix = (char)(*s & ~32);
            s++;
            if (!invs_sql_string_(&s, prefix))
                return 0;
            continue;
        }
        if (invs_sql_digit_(*s) || (*s == '.' && invs_sql_digit_(s[1]))) {
            while (invs_sql_digit_(*s) || *s == '.')
                s++;
            if ((*s == 'e' || *s == 'E') && (++s, !invs_sql_int_(&s)))
                return 0;
            if (invs_sql_alpha_(*s) || *s == '\'' || *s == '"' || *s == '`')
                return 0;
            continue;
        }
        if (invs_sql_alpha_(*s) || *s == '"' || *s == '`') {
            int quoted = *s == '"' || *s == '`';
            const char *after;
            if (!invs_sql_ident_(&s))
                return 0;
            if (*s == '\'' || *s == '"' || *s == '`') /* E'...', U&'...': not ours to read */
                return 0;
            if (!quoted && invs_sql_statement_word_(w, (size_t)(s - w)))
                return 0;
            after = invs_sql_skip_(s);
            /* a call: of an allowed function, never a quoted or qualified one */
            if (*after == '(' &&
                (quoted || after_dot || !invs_sql_allowed_(w, (size_t)(s - w), fns)))
                return 0;
            if (!quoted && invs_sql_is_(w, (size_t)(s - w), "AS"))
                want_type = 1;
            continue;
        }
        switch (*s) {
        case '(':
            if (++depth > INVS_SQL_MAX_DEPTH)
                return 0;
            s++;
            continue;
        case ')':
            if (--depth < 0)
                return 0;
            s++;
            continue;
        case ':':
            if (s[1] != ':')
                return 0;
            s += 2;
            want_type = 1;
            continue;
        case '-':
            if (s[1] == '-')
                return 0;
            s++;
            continue;
        case '/':
            if (s[1] == '*')
                return 0;
            s++;
            continue;
        case '.':
            dot = 1;
            s++;
            continue;
        case '+': case '*': case '%': case '<': case '>': case '=': case '!': case '|':
        case '&': case '~': case '^': case ',': case '[': case ']':
            s++;
            continue;
        }
        return 0; /* ; $ ? \ # @ { } ` and anything else */
    }
    return depth == 0 && !want_type;
}

/* 1 for a foreign key action both engines know (NULL: none given). */
static inline int invs_sql_action_ok(const char *a)
{
    static const char *const ok[] = {"NO ACTION", "RESTRICT", "SET NULL", "SET DEFAULT",
                                     "CASCADE"};
    size_t i;
    if (!a)
        return 1;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(a, ok[i]) == 0)
            return 1;
    return 0;
}

#ifdef __cplusplus
}
#endif
#endif /* INVSTAGE_SQLTEXT_H */

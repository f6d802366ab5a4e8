/*
 * MySQL types <-> canonical types.
 *
 * Reading: COLUMN_TYPE is kept verbatim as the declaration (a MySQL target
 * gets it back, checked against the grammar of MySQL's type names first:
 * a stage is untrusted input); DATA_TYPE and the unsigned flag decide the
 * canonical type. tinyint(1) is an integer (int16), not a boolean: MySQL
 * stores 2 in it as readily as 1.
 *
 * Writing another engine's column: the MySQL type that holds every value
 * of its canonical type, as the README's table lists it. Text is utf8mb4
 * with the binary collation; a fixed-length char(n) becomes varchar(n),
 * since MySQL's CHAR drops trailing spaces on the way out.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "invstage/sqltext.h"
#include "my_driver.h"

static int is(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

void my_type_to_canon(invs_column *c, const char *dt, const char *ct, long long char_len,
                      long long num_prec, long long num_scale)
{
    int uns = ct && strstr(ct, "unsigned") != NULL;
    c->length = c->precision = c->scale = -1;
    if (uns)
        c->flags |= INVS_COL_UNSIGNED;
    if (is(dt, "tinyint"))
        c->canon = INVS_T_INT16;
    else if (is(dt, "smallint"))
        c->canon = uns ? INVS_T_INT32 : INVS_T_INT16;
    else if (is(dt, "mediumint"))
        c->canon = INVS_T_INT32;
    else if (is(dt, "int") || is(dt, "integer"))
        c->canon = uns ? INVS_T_INT64 : INVS_T_INT32;
    else if (is(dt, "bigint"))
        c->canon = uns ? INVS_T_UINT64 : INVS_T_INT64;
    else if (is(dt, "decimal") || is(dt, "numeric")) {
        c->canon = INVS_T_DECIMAL;
        c->precision = (int32_t)num_prec;
        c->scale = (int32_t)num_scale;
    } else if (is(dt, "float"))
        c->canon = INVS_T_FLOAT32;
    else if (is(dt, "double") || is(dt, "real"))
        c->canon = INVS_T_FLOAT64;
    else if (is(dt, "bit")) {
        c->canon = INVS_T_BIT;
        c->length = (int32_t)num_prec;
    } else if (is(dt, "char")) {
        c->canon = INVS_T_CHAR;
        c->length = (int32_t)char_len;
    } else if (is(dt, "varchar")) {
        c->canon = INVS_T_TEXT;
        c->length = (int32_t)char_len;
    } else if (is(dt, "tinytext") || is(dt, "text") || is(dt, "mediumtext") ||
               is(dt, "longtext") || is(dt, "inet4") || is(dt, "inet6"))
        c->canon = INVS_T_TEXT;
    else if (is(dt, "json"))
        c->canon = INVS_T_JSON;
    else if (is(dt, "uuid"))
        c->canon = INVS_T_UUID;
    else if (is(dt, "date"))
        c->canon = INVS_T_DATE;
    else if (is(dt, "time"))
        c->canon = INVS_T_TIME;
    else if (is(dt, "datetime"))
        c->canon = INVS_T_TIMESTAMP;
    else if (is(dt, "timestamp"))
        c->canon = INVS_T_TIMESTAMPTZ; /* an instant, shown in the session's zone (UTC) */
    else if (is(dt, "year"))
        c->canon = INVS_T_YEAR;
    else if (is(dt, "enum"))
        c->canon = INVS_T_ENUM;
    else if (is(dt, "set"))
        c->canon = INVS_T_SET;
    else
        c->canon = INVS_T_BLOB; /* binary, varbinary, blobs, geometry: bytes */
}

/* ------------------------------------------------------------ native */

/* Past one quoted label at *p: '...' with '' inside. */
static int my_label(const char **p)
{
    const char *s = *p;
    if (*s != '\'')
        return 0;
    for (s++; *s; s++)
        if (*s == '\'') {
            if (s[1] != '\'')
                break;
            s++;
        }
    if (*s != '\'')
        return 0;
    *p = s + 1;
    return 1;
}

/* enum('a','b') / set('x') */
static int my_enum_ok(const char *s)
{
    size_t n = strcspn(s, "(");
    if (!(n == 4 && !strncasecmp(s, "enum", 4)) && !(n == 3 && !strncasecmp(s, "set", 3)))
        return 0;
    s += n;
    if (*s++ != '(')
        return 0;
    do {
        if (!my_label(&s))
            return 0;
    } while (*s == ',' && s++);
    return s[0] == ')' && s[1] == '\0';
}

static int my_word_in(const char *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && !strncasecmp(w, *list, n))
            return 1;
    return 0;
}

/* A MySQL type name, its (n) or (p,s), and its modifiers: nothing else. */
static int my_native_ok(const char *decl)
{
    static const char *const types[] = {
        "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric",
        "dec", "fixed", "float", "double", "real", "bit", "bool", "boolean", "char", "varchar",
        "binary", "varbinary", "tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob",
        "mediumblob", "longblob", "date", "time", "datetime", "timestamp", "year", "json",
        "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
        "multipolygon", "geometrycollection", "uuid", "inet4", "inet6", NULL};
    static const char *const mods[] = {"unsigned", "signed", "zerofill", "precision", NULL};
    const char *s = decl;
    size_t n;
    if (!decl || !*decl)
        return 0;
    if (my_enum_ok(decl))
        return 1;
    if (!invs_sql_type_ok(decl) || strchr(decl, '"') || strchr(decl, '[') || strchr(decl, '.'))
        return 0;
    n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (!my_word_in(s, n, types))
        return 0;
    for (s += n; *s;) {
        if (*s == ' ') {
            s++;
            continue;
        }
        if (*s == '(') {
            s += strcspn(s, ")");
            s += *s == ')';
            continue;
        }
        n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
        if (!n || !my_word_in(s, n, mods))
            return 0;
        s += n;
    }
    return 1;
}

int my_name_ok(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

/* A double quote outside the '...' literals: MySQL reads "..." as a
 * string where the checker sees a name; neither is a default of ours. */
static int my_dquote(const char *s)
{
    int in = 0;
    for (; *s; s++)
        if (*s == '\'')
            in = !in; /* '' inside a literal: out and in again */
        else if (*s == '"' && !in)
            return 1;
    return 0;
}

int my_default_ok(const char *expr)
{
    /* what a MySQL DEFAULT may call: no function with side effects */
    static const char *const fns[] = {"current_timestamp", "now", "localtime", "localtimestamp",
                                      "curdate", "current_date", "curtime", "current_time",
                                      "utc_timestamp", "utc_date", "utc_time", "uuid",
                                      "sysdate", "unix_timestamp", NULL};
    return expr && invs_sql_expr_ok(expr, fns) && !my_dquote(expr);
}

/* ------------------------------------------------------------ other engines */

static void my_text(invs_strbuf *sb, int length)
{
    if (length > 0 && length <= 1024)
        invs_sb_printf(sb, "varchar(%d)", length);
    else
        invs_sb_puts(sb, "longtext");
}

void my_decl_for(invs_strbuf *sb, const invs_column *c, int native, int *ok)
{
    *ok = 1;
    if (native) {
        if (!my_native_ok(c->decl)) {
            *ok = 0;
            return;
        }
        invs_sb_puts(sb, c->decl);
        return;
    }
    switch (c->canon) {
    case INVS_T_BOOL: invs_sb_puts(sb, "tinyint(1)"); break;
    case INVS_T_INT16: invs_sb_puts(sb, "smallint"); break;
    case INVS_T_INT32: invs_sb_puts(sb, "int"); break;
    case INVS_T_INT64: invs_sb_puts(sb, "bigint"); break;
    case INVS_T_UINT64: invs_sb_puts(sb, "bigint unsigned"); break;
    case INVS_T_YEAR: invs_sb_puts(sb, "smallint"); break;
    case INVS_T_FLOAT32: invs_sb_puts(sb, "float"); break;
    case INVS_T_FLOAT64: invs_sb_puts(sb, "double"); break;
    case INVS_T_DECIMAL:
        if (c->precision > 0 && c->precision <= 65 && c->scale <= 30 && c->scale <= c->precision)
            invs_sb_printf(sb, "decimal(%d,%d)", c->precision, c->scale > 0 ? c->scale : 0);
        else if (c->precision > 65 || c->scale > 30)
            *ok = 0; /* no MySQL decimal holds it */
        else
            invs_sb_puts(sb, "decimal(65,30)");
        break;
    case INVS_T_NUMERIC: invs_sb_puts(sb, "decimal(65,30)"); break;
    case INVS_T_TEXT:
    case INVS_T_CHAR: my_text(sb, c->length); break;
    case INVS_T_BLOB: invs_sb_puts(sb, "longblob"); break;
    case INVS_T_BIT:
        if (c->length >= 1 && c->length <= 64)
            invs_sb_printf(sb, "bit(%d)", c->length);
        else
            invs_sb_puts(sb, "longtext");
        break;
    case INVS_T_DATE: invs_sb_puts(sb, "date"); break;
    case INVS_T_TIME: invs_sb_puts(sb, "time(6)"); break;
    case INVS_T_TIMESTAMP:
    case INVS_T_TIMESTAMPTZ: invs_sb_puts(sb, "datetime(6)"); break; /* in UTC */
    case INVS_T_JSON: invs_sb_puts(sb, "json"); break;
    case INVS_T_UUID: invs_sb_puts(sb, "char(36)"); break;
    case INVS_T_ENUM:
    case INVS_T_SET: invs_sb_puts(sb, "varchar(255)"); break;
    default: invs_sb_puts(sb, "longtext"); break; /* any, timetz, interval, array */
    }
}

/*
 * SQLite declared types <-> canonical types.
 *
 * Reading: the declared type is kept verbatim (an SQLite target gets it back
 * unchanged, so affinity and everything an application reads from the
 * declaration survive); the canonical type records what it means for other
 * engines. Names with a precise meaning (DATE, BOOLEAN, DECIMAL(p,s), ...)
 * are recognised first, then SQLite's own affinity rules (section 3.1 of
 * "Datatypes In SQLite") decide.
 *
 * Writing: a column that came from SQLite gets its declaration back; one
 * from another engine keeps its own declaration where SQLite stores its
 * values as they are and reads it back as the same type (timestamptz,
 * uuid, smallint), else gets a name that does both (INT4 for a 32-bit
 * integer, BPCHAR(n) for a blank-padded char(n)), else the name whose
 * affinity holds its values.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "invstage/sqltext.h"
#include "sqlite_driver.h"

/* Upper-cased copy of decl without its "(...)" part, and the numbers in it. */
static void types_split(const char *decl, char *base, size_t cap, int *a, int *b)
{
    size_t n = 0;
    const char *p = decl;
    *a = *b = -1;
    for (; *p && *p != '(' && n + 1 < cap; p++)
        base[n++] = (char)toupper((unsigned char)*p);
    while (n && base[n - 1] == ' ')
        n--;
    base[n] = '\0';
    if ((p = strchr(decl, '('))) {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (end != p + 1)
            *a = (int)v;
        while (*end == ' ')
            end++;
        if (*end == ',') {
            v = strtol(end + 1, &end, 10);
            *b = (int)v;
        }
    }
}

static int types_is(const char *base, const char *name) { return strcmp(base, name) == 0; }

void sqlite_type_from_decl(invs_column *c, const char *decl)
{
    char base[64];
    int a, b;

    c->length = c->precision = c->scale = -1;
    if (!decl || !*decl) {
        c->canon = INVS_T_ANY;
        return;
    }
    types_split(decl, base, sizeof(base), &a, &b);
    if (strlen(base) > 2 && !strcmp(base + strlen(base) - 2, "[]")) {
        c->canon = INVS_T_ARRAY; /* another engine's array, declared as itself */
        return;
    }
    if (types_is(base, "ANY")) /* STRICT's any; elsewhere meant the same */
        c->canon = INVS_T_ANY;
    else if (types_is(base, "BOOL") || types_is(base, "BOOLEAN"))
        c->canon = INVS_T_BOOL;
    else if (types_is(base, "DATE"))
        c->canon = INVS_T_DATE;
    else if (types_is(base, "TIME") || types_is(base, "TIME WITHOUT TIME ZONE"))
        c->canon = INVS_T_TIME;
    else if (types_is(base, "TIMETZ") || types_is(base, "TIME WITH TIME ZONE"))
        c->canon = INVS_T_TIMETZ;
    else if (types_is(base, "DATETIME") || types_is(base, "TIMESTAMP") ||
             types_is(base, "TIMESTAMP WITHOUT TIME ZONE"))
        c->canon = INVS_T_TIMESTAMP;
    else if (types_is(base, "TIMESTAMPTZ") || types_is(base, "TIMESTAMP WITH TIME ZONE"))
        c->canon = INVS_T_TIMESTAMPTZ;
    else if (types_is(base, "INTERVAL"))
        c->canon = INVS_T_INTERVAL;
    else if (types_is(base, "YEAR"))
        c->canon = INVS_T_YEAR;
    else if (types_is(base, "FLOAT4"))
        c->canon = INVS_T_FLOAT32;
    else if (types_is(base, "BPCHAR") && a > 0) { /* blank-padded, as PostgreSQL's char(n) */
        c->canon = INVS_T_CHAR;
        c->length = a;
    }
    else if (types_is(base, "JSON") || types_is(base, "JSONB"))
        c->canon = INVS_T_JSON;
    else if (types_is(base, "UUID"))
        c->canon = INVS_T_UUID;
    else if (types_is(base, "DECIMAL") || types_is(base, "NUMERIC")) {
        c->canon = INVS_T_DECIMAL;
        c->precision = a;
        c->scale = a >= 0 ? (b >= 0 ? b : 0) : -1;
    } else if (strstr(base, "INT")) { /* affinity rule 1 */
        if (strstr(base, "UNSIGNED BIG") || types_is(base, "UNSIGNED BIGINT"))
            c->canon = INVS_T_UINT64;
        else if (types_is(base, "SMALLINT") || types_is(base, "INT2") ||
                 types_is(base, "TINYINT"))
            c->canon = INVS_T_INT16;
        else if (types_is(base, "MEDIUMINT") || types_is(base, "INT4"))
            c->canon = INVS_T_INT32;
        else
            c->canon = INVS_T_INT64; /* SQLite integers are 64-bit */
    } else if (strstr(base, "CHAR") || strstr(base, "CLOB") || strstr(base, "TEXT")) {
        /* SQLite never pads: CHAR(10) holds 'paid' as 'paid', a bounded
         * text like VARCHAR(10), not a blank-padded one (BPCHAR above) */
        c->canon = INVS_T_TEXT;
        c->length = a > 0 ? a : -1;
    } else if (strstr(base, "BLOB")) {
        c->canon = INVS_T_BLOB;
    } else if (strstr(base, "REAL") || strstr(base, "FLOA") || strstr(base, "DOUB")) {
        c->canon = INVS_T_FLOAT64; /* SQLite reals are 8-byte doubles */
    } else {
        c->canon = INVS_T_NUMERIC;
    }
}

/* SQLite's affinity for a declared type (section 3.1 of "Datatypes In
 * SQLite"): 'I'nteger, 'T'ext, 'B'lob, 'R'eal or 'N'umeric. */
static char types_affinity(const char *decl)
{
    char up[128];
    size_t i;
    for (i = 0; decl[i] && i + 1 < sizeof(up); i++)
        up[i] = (char)toupper((unsigned char)decl[i]);
    up[i] = '\0';
    if (strstr(up, "INT"))
        return 'I';
    if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
        return 'T';
    if (strstr(up, "BLOB") || !*up)
        return 'B';
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
        return 'R';
    return 'N';
}

/* The affinities under which SQLite stores a canonical type's values as
 * the stage holds them (a text that looks like a number must not become
 * one, but a date, a UUID or an interval never does). */
static const char *types_affinities(int canon)
{
    switch (canon) {
    case INVS_T_INT16:
    case INVS_T_INT32:
    case INVS_T_INT64:
    case INVS_T_UINT64: return "I";
    case INVS_T_FLOAT32:
    case INVS_T_FLOAT64: return "R";
    case INVS_T_BOOL:
    case INVS_T_DECIMAL:
    case INVS_T_NUMERIC:
    case INVS_T_DATE:
    case INVS_T_TIME:
    case INVS_T_TIMETZ:
    case INVS_T_TIMESTAMP:
    case INVS_T_TIMESTAMPTZ:
    case INVS_T_YEAR: return "N";
    case INVS_T_TEXT:
    case INVS_T_CHAR: return "T";
    case INVS_T_JSON: return "NT";
    case INVS_T_UUID:
    case INVS_T_INTERVAL:
    case INVS_T_ARRAY: return "NTI";
    }
    return ""; /* blobs, bits, enums, sets, any: never as declared elsewhere */
}

/* SQLite's own type-name grammar: names, then at most one parenthesised
 * pair of numbers at the very end ("int(10) unsigned" and "timestamp(6)
 * with time zone" are syntax errors in a CREATE TABLE). */
static int types_sqlite_grammar(const char *d)
{
    const char *p = d;
    while (isalnum((unsigned char)*p) || *p == '_' || *p == ' ')
        p++;
    if (!*p)
        return 1;
    if (*p++ != '(')
        return 0;
    while (isdigit((unsigned char)*p) || *p == ',' || *p == ' ' || *p == '-' || *p == '+')
        p++;
    return *p == ')' && p[1] == '\0';
}

/* Another engine's declaration, kept as it is when SQLite stores the
 * values under it as they are and reads it back as the same type: the way
 * back then gives the source's own type (timestamptz, uuid, smallint). */
static int types_verbatim_ok(const invs_column *c)
{
    invs_column back;
    if (!c->decl || !*c->decl || !invs_sql_type_ok(c->decl) ||
        !types_sqlite_grammar(c->decl) ||
        !strchr(types_affinities(c->canon), types_affinity(c->decl)))
        return 0;
    memset(&back, 0, sizeof(back));
    sqlite_type_from_decl(&back, c->decl);
    return back.canon == c->canon && back.length == c->length &&
           back.precision == c->precision && back.scale == c->scale;
}

void sqlite_decl_for(invs_strbuf *sb, const invs_column *c, int native)
{
    if (native || types_verbatim_ok(c)) {
        invs_sb_puts(sb, c->decl ? c->decl : "");
        return;
    }
    /* names SQLite reads back as the same canonical type, where one exists */
    switch (c->canon) {
    case INVS_T_ANY: break;
    case INVS_T_BOOL: invs_sb_puts(sb, "BOOLEAN"); break;
    case INVS_T_INT16: invs_sb_puts(sb, "SMALLINT"); break;
    case INVS_T_INT32: invs_sb_puts(sb, "INT4"); break;
    case INVS_T_UINT64: invs_sb_puts(sb, "UNSIGNED BIG INT"); break;
    case INVS_T_INT64: invs_sb_puts(sb, "INTEGER"); break;
    case INVS_T_YEAR: invs_sb_puts(sb, "YEAR"); break;
    case INVS_T_FLOAT32: invs_sb_puts(sb, "FLOAT4"); break;
    case INVS_T_FLOAT64: invs_sb_puts(sb, "REAL"); break;
    case INVS_T_DECIMAL:
        if (c->precision > 0)
            invs_sb_printf(sb, "DECIMAL(%d,%d)", c->precision, c->scale > 0 ? c->scale : 0);
        else
            invs_sb_puts(sb, "DECIMAL");
        break;
    case INVS_T_CHAR:
        if (c->length > 0)
            invs_sb_printf(sb, "BPCHAR(%d)", c->length);
        else
            invs_sb_puts(sb, "TEXT");
        break;
    case INVS_T_TEXT:
        if (c->length > 0)
            invs_sb_printf(sb, "VARCHAR(%d)", c->length);
        else
            invs_sb_puts(sb, "TEXT");
        break;
    case INVS_T_BLOB:
    case INVS_T_BIT: invs_sb_puts(sb, "BLOB"); break;
    case INVS_T_DATE: invs_sb_puts(sb, "DATE"); break;
    case INVS_T_TIME: invs_sb_puts(sb, "TIME"); break;
    case INVS_T_TIMETZ: invs_sb_puts(sb, "TIMETZ"); break;
    case INVS_T_TIMESTAMP: invs_sb_puts(sb, "DATETIME"); break;
    case INVS_T_TIMESTAMPTZ: invs_sb_puts(sb, "TIMESTAMPTZ"); break;
    case INVS_T_INTERVAL: invs_sb_puts(sb, "INTERVAL"); break;
    case INVS_T_JSON: invs_sb_puts(sb, "JSON"); break;
    case INVS_T_UUID: invs_sb_puts(sb, "UUID"); break;
    case INVS_T_NUMERIC: invs_sb_puts(sb, "NUMERIC"); break;
    default: invs_sb_puts(sb, "TEXT"); break; /* enum, set, array */
    }
}

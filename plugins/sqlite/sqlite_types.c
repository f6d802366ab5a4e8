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
 * from another engine gets the SQLite name whose affinity holds its values.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
    if (types_is(base, "ANY")) /* STRICT's any; elsewhere meant the same */
        c->canon = INVS_T_ANY;
    else if (types_is(base, "BOOL") || types_is(base, "BOOLEAN"))
        c->canon = INVS_T_BOOL;
    else if (types_is(base, "DATE"))
        c->canon = INVS_T_DATE;
    else if (types_is(base, "TIME"))
        c->canon = INVS_T_TIME;
    else if (types_is(base, "DATETIME") || types_is(base, "TIMESTAMP"))
        c->canon = INVS_T_TIMESTAMP;
    else if (types_is(base, "TIMESTAMPTZ") || types_is(base, "TIMESTAMP WITH TIME ZONE"))
        c->canon = INVS_T_TIMESTAMPTZ;
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
        int fixed = strstr(base, "VAR") == NULL && strstr(base, "VARYING") == NULL &&
                    strstr(base, "CHAR") != NULL && a > 0;
        c->canon = fixed ? INVS_T_CHAR : INVS_T_TEXT;
        c->length = a > 0 ? a : -1;
    } else if (strstr(base, "BLOB")) {
        c->canon = INVS_T_BLOB;
    } else if (strstr(base, "REAL") || strstr(base, "FLOA") || strstr(base, "DOUB")) {
        c->canon = INVS_T_FLOAT64; /* SQLite reals are 8-byte doubles */
    } else {
        c->canon = INVS_T_NUMERIC;
    }
}

void sqlite_decl_for(invs_strbuf *sb, const invs_column *c, int native)
{
    if (native) {
        invs_sb_puts(sb, c->decl ? c->decl : "");
        return;
    }
    switch (c->canon) {
    case INVS_T_ANY: break;
    case INVS_T_BOOL: invs_sb_puts(sb, "BOOLEAN"); break;
    case INVS_T_INT16:
    case INVS_T_INT32:
    case INVS_T_INT64:
    case INVS_T_UINT64:
    case INVS_T_YEAR: invs_sb_puts(sb, "INTEGER"); break;
    case INVS_T_FLOAT32:
    case INVS_T_FLOAT64: invs_sb_puts(sb, "REAL"); break;
    case INVS_T_DECIMAL:
        if (c->precision > 0)
            invs_sb_printf(sb, "DECIMAL(%d,%d)", c->precision, c->scale > 0 ? c->scale : 0);
        else
            invs_sb_puts(sb, "DECIMAL");
        break;
    case INVS_T_CHAR:
        if (c->length > 0)
            invs_sb_printf(sb, "CHARACTER(%d)", c->length);
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
    case INVS_T_TIME:
    case INVS_T_TIMETZ: invs_sb_puts(sb, "TIME"); break;
    case INVS_T_TIMESTAMP:
    case INVS_T_TIMESTAMPTZ: invs_sb_puts(sb, "DATETIME"); break;
    case INVS_T_NUMERIC: invs_sb_puts(sb, "NUMERIC"); break;
    default: invs_sb_puts(sb, "TEXT"); break; /* json, uuid, enum, interval, array */
    }
}

/*
 * PostgreSQL types <-> canonical types.
 *
 * Reading: format_type() is kept verbatim as the declaration (a PostgreSQL
 * target gets it back), the base type of a domain decides the canonical
 * type. Writing for another engine's schema: the PostgreSQL type that holds
 * every value of the canonical type (a SQLite REAL is double precision,
 * never real; text lengths are kept).
 */
#include <string.h>

#include "pg_driver.h"

void pg_type_to_canon(invs_column *c, const char *t, char typtype, int typmod)
{
    c->length = c->precision = c->scale = -1;
    if (typtype == 'e') {
        c->canon = INVS_T_ENUM;
    } else if (t[0] == '_') {
        c->canon = INVS_T_ARRAY;
    } else if (!strcmp(t, "int2")) {
        c->canon = INVS_T_INT16;
    } else if (!strcmp(t, "int4")) {
        c->canon = INVS_T_INT32;
    } else if (!strcmp(t, "int8")) {
        c->canon = INVS_T_INT64;
    } else if (!strcmp(t, "float4")) {
        c->canon = INVS_T_FLOAT32;
    } else if (!strcmp(t, "float8")) {
        c->canon = INVS_T_FLOAT64;
    } else if (!strcmp(t, "numeric")) {
        c->canon = INVS_T_DECIMAL;
        if (typmod >= 4) {
            c->precision = ((typmod - 4) >> 16) & 0xffff;
            c->scale = (typmod - 4) & 0xffff;
        }
    } else if (!strcmp(t, "bool")) {
        c->canon = INVS_T_BOOL;
    } else if (!strcmp(t, "varchar") || !strcmp(t, "text") || !strcmp(t, "name") ||
               !strcmp(t, "citext")) {
        c->canon = INVS_T_TEXT;
        if (typmod >= 4)
            c->length = typmod - 4;
    } else if (!strcmp(t, "bpchar")) {
        c->canon = INVS_T_CHAR;
        if (typmod >= 4)
            c->length = typmod - 4;
    } else if (!strcmp(t, "bytea")) {
        c->canon = INVS_T_BLOB;
    } else if (!strcmp(t, "date")) {
        c->canon = INVS_T_DATE;
    } else if (!strcmp(t, "time")) {
        c->canon = INVS_T_TIME;
    } else if (!strcmp(t, "timetz")) {
        c->canon = INVS_T_TIMETZ;
    } else if (!strcmp(t, "timestamp")) {
        c->canon = INVS_T_TIMESTAMP;
    } else if (!strcmp(t, "timestamptz")) {
        c->canon = INVS_T_TIMESTAMPTZ;
    } else if (!strcmp(t, "interval")) {
        c->canon = INVS_T_INTERVAL;
    } else if (!strcmp(t, "json") || !strcmp(t, "jsonb")) {
        c->canon = INVS_T_JSON;
    } else if (!strcmp(t, "uuid")) {
        c->canon = INVS_T_UUID;
    } else if (!strcmp(t, "bit") || !strcmp(t, "varbit")) {
        c->canon = INVS_T_BIT;
        if (typmod > 0)
            c->length = typmod;
    } else {
        c->canon = INVS_T_TEXT; /* money, inet, tsvector, ...: their text form */
    }
}

void pg_decl_for(invs_strbuf *sb, const invs_column *c, int native)
{
    if (native && c->decl && *c->decl) {
        invs_sb_puts(sb, c->decl);
        return;
    }
    switch (c->canon) {
    case INVS_T_BOOL: invs_sb_puts(sb, "boolean"); break;
    case INVS_T_INT16: invs_sb_puts(sb, "smallint"); break;
    case INVS_T_INT32: invs_sb_puts(sb, "integer"); break;
    case INVS_T_INT64:
    case INVS_T_YEAR: invs_sb_puts(sb, "bigint"); break;
    case INVS_T_UINT64: invs_sb_puts(sb, "numeric(20,0)"); break;
    case INVS_T_FLOAT32: invs_sb_puts(sb, "real"); break;
    case INVS_T_FLOAT64: invs_sb_puts(sb, "double precision"); break;
    case INVS_T_DECIMAL:
        if (c->precision > 0)
            invs_sb_printf(sb, "numeric(%d,%d)", c->precision, c->scale > 0 ? c->scale : 0);
        else
            invs_sb_puts(sb, "numeric");
        break;
    case INVS_T_NUMERIC: invs_sb_puts(sb, "numeric"); break;
    case INVS_T_TEXT:
    case INVS_T_CHAR: /* never char(n): it pads what it was given ('ab' is 'ab   ') */
        if (c->length > 0)
            invs_sb_printf(sb, "varchar(%d)", c->length);
        else
            invs_sb_puts(sb, "text");
        break;
    case INVS_T_BLOB: invs_sb_puts(sb, "bytea"); break;
    case INVS_T_DATE: invs_sb_puts(sb, "date"); break;
    case INVS_T_TIME: invs_sb_puts(sb, "time"); break;
    case INVS_T_TIMETZ: invs_sb_puts(sb, "timetz"); break;
    case INVS_T_TIMESTAMP: invs_sb_puts(sb, "timestamp"); break;
    case INVS_T_TIMESTAMPTZ: invs_sb_puts(sb, "timestamptz"); break;
    case INVS_T_INTERVAL: invs_sb_puts(sb, "interval"); break;
    case INVS_T_JSON: invs_sb_puts(sb, "json"); break; /* json keeps the text as written */
    case INVS_T_UUID: invs_sb_puts(sb, "uuid"); break;
    case INVS_T_BIT: /* n binary digits, as MySQL's bit(n) is staged */
        if (c->length > 0 && c->length <= 83886080)
            invs_sb_printf(sb, "bit(%d)", c->length);
        else
            invs_sb_puts(sb, "text");
        break;
    default: invs_sb_puts(sb, "text"); break; /* any, enum, set, array */
    }
}

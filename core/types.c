/* Canonical type names: how the stage (and people reading it) name them. */
#include <string.h>

#include "invs_core.h"

static const char *const canon_names[] = {
    [INVS_T_ANY] = "any",
    [INVS_T_BOOL] = "boolean",
    [INVS_T_INT16] = "int16",
    [INVS_T_INT32] = "int32",
    [INVS_T_INT64] = "int64",
    [INVS_T_UINT64] = "uint64",
    [INVS_T_FLOAT32] = "float32",
    [INVS_T_FLOAT64] = "float64",
    [INVS_T_DECIMAL] = "decimal",
    [INVS_T_TEXT] = "text",
    [INVS_T_CHAR] = "char",
    [INVS_T_BLOB] = "blob",
    [INVS_T_DATE] = "date",
    [INVS_T_TIME] = "time",
    [INVS_T_TIMETZ] = "timetz",
    [INVS_T_TIMESTAMP] = "timestamp",
    [INVS_T_TIMESTAMPTZ] = "timestamptz",
    [INVS_T_INTERVAL] = "interval",
    [INVS_T_JSON] = "json",
    [INVS_T_UUID] = "uuid",
    [INVS_T_ENUM] = "enum",
    [INVS_T_SET] = "set",
    [INVS_T_ARRAY] = "array",
    [INVS_T_YEAR] = "year",
    [INVS_T_BIT] = "bit",
    [INVS_T_NUMERIC] = "numeric",
};

#define NCANON (sizeof(canon_names) / sizeof(canon_names[0]))

const char *invs_canon_name(int canon)
{
    if (canon < 0 || (size_t)canon >= NCANON || !canon_names[canon])
        return NULL;
    return canon_names[canon];
}

int invs_canon_from_name(const char *name)
{
    size_t i;
    for (i = 0; i < NCANON; i++)
        if (canon_names[i] && strcmp(canon_names[i], name) == 0)
            return (int)i;
    return -1;
}

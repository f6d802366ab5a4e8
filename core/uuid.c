/*
 * UUIDs as text. Engines write one UUID several ways: PostgreSQL's uuid
 * prints 8-4-4-4-12 lowercase, Django keeps a UUIDField as 32 hex digits
 * in char(32) on SQLite and MySQL, hand-made data uses capitals or braces.
 * One reader for all of them, so that the digest compares UUIDs as values
 * and conversion can write the form a target column was made for.
 */
#include <ctype.h>

#include "invs_core.h"

int invs_uuid_hex(const char *s, size_t n, char out[32])
{
    static const char groups[] = {8, 4, 4, 4, 12};
    size_t i = 0, o = 0, g;
    int dashed;
    if (n >= 2 && s[0] == '{' && s[n - 1] == '}')
        s++, n -= 2;
    if (n != 32 && n != 36)
        return INVS_EINVAL;
    dashed = n == 36;
    for (g = 0; g < sizeof(groups); g++) {
        int k;
        if (dashed && g && s[i++] != '-')
            return INVS_EINVAL;
        for (k = 0; k < groups[g]; k++, i++) {
            if (!isxdigit((unsigned char)s[i]))
                return INVS_EINVAL;
            out[o++] = (char)tolower((unsigned char)s[i]);
        }
    }
    return INVS_OK;
}

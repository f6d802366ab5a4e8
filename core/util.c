/* Small string helpers shared by every part of the host. */
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

char *invs_strdup(const char *s)
{
    size_t n;
    char *p;
    if (!s)
        return NULL;
    n = strlen(s) + 1;
    if ((p = malloc(n)))
        memcpy(p, s, n);
    return p;
}

char *invs_quote_ident(const char *ident, char q)
{
    invs_strbuf sb;
    invs_sb_init_std(&sb);
    invs_sb_ident(&sb, ident, q);
    return invs_sb_take(&sb);
}

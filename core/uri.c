/*
 * URIs: parsing and password redaction.
 *
 *   scheme:PATH                         path taken verbatim (sqlite:data/x.db)
 *   scheme://[user[:pass]@]host[:port][/path][?query][#fragment]
 *                                       RFC 3986 shape, percent-decoded
 *
 * Redaction works on the original text so that what the user typed is what
 * they see, minus secrets: the password of the authority and the value of any
 * password= parameter become "***". A password must be percent-encoded
 * where it holds '@', '/', '?' or '#': an authority with two unencoded '@'
 * is refused as malformed, and redaction still hides all of such a
 * password (up to the last '@').
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "invs_core.h"

static char *uri_dup_range(const char *s, size_t n, int decode)
{
    char *out = malloc(n + 1), *o = out;
    size_t i;
    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        if (decode && s[i] == '%' && i + 2 < n &&
            isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

void invs_uri_free(invs_uri *u)
{
    if (!u)
        return;
    free(u->scheme);
    free(u->user);
    free(u->password);
    free(u->host);
    free(u->port);
    free(u->path);
    free(u->query);
    free(u->fragment);
    free(u);
}

/* Length of a valid scheme at the start of s (followed by ':'), or 0. */
static size_t uri_scheme_len(const char *s)
{
    size_t n = 0;
    if (!isalpha((unsigned char)s[0]))
        return 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
        n++;
    return s[n] == ':' ? n : 0;
}

#define URI_SET(field, start, n, decode)                          \
    do {                                                          \
        if (!((field) = uri_dup_range((start), (n), (decode)))) \
            goto nomem;                                           \
    } while (0)

static int uri_parse_authority(invs_uri *u, const char *a, size_t n)
{
    const char *at = memchr(a, '@', n), *hp, *end = a + n, *colon;
    /* A second unencoded '@' makes the end of the user information a
     * guess, and libpq guesses otherwise (the first '@', printing the
     * rest of the password as a host name): malformed. */
    if (at && memchr(at + 1, '@', (size_t)(end - at - 1)))
        return INVS_EINVAL;
    hp = a;
    if (at) {
        const char *c = memchr(a, ':', (size_t)(at - a));
        if (c) {
            URI_SET(u->user, a, (size_t)(c - a), 1);
            URI_SET(u->password, c + 1, (size_t)(at - c - 1), 1);
        } else {
            URI_SET(u->user, a, (size_t)(at - a), 1);
        }
        hp = at + 1;
    }
    if (hp < end && *hp == '[') { /* [ipv6]:port */
        const char *rb = memchr(hp, ']', (size_t)(end - hp));
        if (!rb)
            return INVS_EINVAL;
        URI_SET(u->host, hp + 1, (size_t)(rb - hp - 1), 0);
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
        if (!colon && rb + 1 != end)
            return INVS_EINVAL;
    } else {
        colon = memchr(hp, ':', (size_t)(end - hp));
        URI_SET(u->host, hp, (size_t)((colon ? colon : end) - hp), 1);
    }
    if (colon) {
        const char *p;
        for (p = colon + 1; p < end; p++)
            if (!isdigit((unsigned char)*p))
                return INVS_EINVAL;
        URI_SET(u->port, colon + 1, (size_t)(end - colon - 1), 0);
    }
    return INVS_OK;
nomem:
    return INVS_ENOMEM;
}

int invs_uri_parse(invs_uri **out, const char *s)
{
    invs_uri *u;
    size_t sl;
    int rc = INVS_EINVAL;
    *out = NULL;
    if (!s || !(sl = uri_scheme_len(s)))
        return INVS_EINVAL;
    if (!(u = calloc(1, sizeof(*u))))
        return INVS_ENOMEM;
    URI_SET(u->scheme, s, sl, 0);
    for (char *c = u->scheme; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    s += sl + 1;
    if (s[0] == '/' && s[1] == '/') {
        const char *a = s + 2, *p = a + strcspn(a, "/?#"), *q, *f;
        u->has_authority = 1;
        if ((rc = uri_parse_authority(u, a, (size_t)(p - a))) != INVS_OK)
            goto fail;
        q = p + strcspn(p, "?#");
        URI_SET(u->path, p, (size_t)(q - p), 1);
        f = q + strcspn(q, "#");
        if (*q == '?')
            URI_SET(u->query, q + 1, (size_t)(f - q - 1), 0);
        if (*f == '#')
            URI_SET(u->fragment, f + 1, strlen(f + 1), 0);
    } else {
        URI_SET(u->path, s, strlen(s), 0);
    }
    *out = u;
    return INVS_OK;
nomem:
    rc = INVS_ENOMEM;
fail:
    invs_uri_free(u);
    return rc;
}

/* Mask the value of every "password=" (any case) up to '&', ' ' or end. */
static void uri_mask_params(invs_strbuf *sb, const char *s)
{
    static const char key[] = "password=";
    const size_t kl = sizeof(key) - 1;
    while (*s) {
        if (strncasecmp(s, key, kl) == 0) {
            invs_sb_add(sb, s, kl);
            invs_sb_puts(sb, "***");
            s += kl;
            s += strcspn(s, "& \t");
        } else {
            invs_sb_add(sb, s, 1);
            s++;
        }
    }
}

char *invs_uri_redact(const char *s)
{
    invs_strbuf sb;
    size_t sl;
    if (!s)
        return NULL;
    invs_sb_init_std(&sb);
    sl = uri_scheme_len(s);
    if (sl && s[sl + 1] == '/' && s[sl + 2] == '/') {
        /* The password runs from the user's ':' to the last '@': one
         * written with an unencoded '@', '/', '?' or '#' (a malformed URI)
         * is hidden whole, at the price of hiding more than the password
         * where a path or query holds an '@' too. */
        const char *a = s + sl + 3, *at = NULL, *c;
        size_t an = strlen(a), un = strcspn(a, "/?#");
        for (size_t i = 0; i < an; i++)
            if (a[i] == '@')
                at = a + i;
        c = at ? memchr(a, ':', (size_t)(at - a) < un ? (size_t)(at - a) : un) : NULL;
        if (c) {
            invs_sb_add(&sb, s, (size_t)(c + 1 - s));
            invs_sb_puts(&sb, "***");
            s = at;
        }
    }
    uri_mask_params(&sb, s);
    return invs_sb_take(&sb);
}

int invs_uri_refuse(invs_diag_rec *d, const char *role, const char *uri)
{
    char *shown = invs_uri_redact(uri);
    int rc;
    if (!shown)
        return invs_diag_oom(d);
    if (strstr(uri, "://"))
        rc = invs_diag(d, INVS_EINVAL,
                       "%s '%s' is a malformed URI: a user name or password holding @ / ? # "
                       "or : must be percent-encoded (%%40 %%2F %%3F %%23 %%3A)",
                       role, shown);
    else
        rc = invs_diag(d, INVS_EINVAL,
                       "%s '%s' is not a URI: expected SCHEME:..., e.g. sqlite:%s or "
                       "postgresql://host/db",
                       role, shown, shown);
    free(shown);
    return rc;
}

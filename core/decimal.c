/*
 * Decimal numbers as text: one grammar ([sign] digits [. digits]
 * [e [sign] digits], spaces around) read by the digest, the conversion into
 * decimal columns, JSON's canonical form and verify's number test alike;
 * its normalised text; and the shortest text of a double.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "invs_core.h"
#include "invstage/values.h"

int invs_decimal_parse(const char *s, size_t n, invs_decimal *d)
{
    invs_decimal grammar_only;
    size_t i = 0, nd = 0;
    long frac = 0, exp10 = 0;
    int any = 0, point = 0, neg = 0;

    while (i < n && s[i] == ' ')
        i++;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            any = 1;
            if (point)
                frac++;
            if (nd == 0 && s[i] == '0')
                continue;
            if (d && nd >= INVS_DECIMAL_DIGITS)
                return INVS_EINVAL; /* a number, but more digits than d holds */
            if (d)
                d->digits[nd] = s[i];
            nd++;
        } else if (s[i] == '.' && !point) {
            point = 1;
        } else {
            break;
        }
    }
    if (!any)
        return INVS_EINVAL;
    if (!d)
        d = &grammar_only;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        char tmp[32], *end;
        size_t m = n - i - 1;
        if (m == 0 || m >= sizeof(tmp))
            return INVS_EINVAL;
        memcpy(tmp, s + i + 1, m);
        tmp[m] = '\0';
        exp10 = strtol(tmp, &end, 10);
        while (*end == ' ')
            end++;
        if (end == tmp || *end || labs(exp10) > 100000)
            return INVS_EINVAL;
        i = n;
    }
    while (i < n && s[i] == ' ')
        i++;
    if (i != n)
        return INVS_EINVAL;
    d->nd = nd;
    d->neg = neg;
    d->exp10 = exp10 - frac;
    return INVS_OK;
}

int invs_decimal_normalize(invs_strbuf *sb, const char *s, size_t n)
{
    invs_decimal d;
    char *digits = d.digits;
    size_t nd;
    long exp10;

    /* value = digits * 10^exp10, digits without leading or trailing zeros */
    if (invs_decimal_parse(s, n, &d) != INVS_OK)
        return INVS_EINVAL;
    nd = d.nd;
    exp10 = d.exp10;
    while (nd && digits[nd - 1] == '0') {
        nd--;
        exp10++;
    }
    if (nd == 0) {
        invs_sb_add(sb, "0", 1);
        return INVS_OK;
    }
    if (d.neg)
        invs_sb_add(sb, "-", 1);
    if (exp10 >= 0 && exp10 + (long)nd <= 400) {
        invs_sb_add(sb, digits, nd);
        for (; exp10 > 0; exp10--)
            invs_sb_add(sb, "0", 1);
    } else if (exp10 < 0 && -exp10 <= 400) {
        long intlen = (long)nd + exp10;
        if (intlen > 0) {
            invs_sb_add(sb, digits, (size_t)intlen);
            invs_sb_add(sb, ".", 1);
            invs_sb_add(sb, digits + intlen, nd - (size_t)intlen);
        } else {
            invs_sb_add(sb, "0.", 2);
            for (; intlen < 0; intlen++)
                invs_sb_add(sb, "0", 1);
            invs_sb_add(sb, digits, nd);
        }
    } else {
        invs_sb_add(sb, digits, nd);
        invs_sb_printf(sb, "E%+ld", exp10);
    }
    return INVS_OK;
}

int invs_decimal_shape(const char *s, size_t n, long *ints, long *frac)
{
    invs_decimal d;
    size_t nd;
    long exp10;

    if (invs_decimal_parse(s, n, &d) != INVS_OK)
        return INVS_EINVAL;
    for (nd = d.nd, exp10 = d.exp10; nd && d.digits[nd - 1] == '0'; nd--)
        exp10++;
    *ints = 0;
    *frac = 0;
    if (nd == 0)
        return INVS_OK;
    /* as invs_decimal_normalize writes it: beyond 400 digits, an exponent */
    if ((exp10 >= 0 && exp10 + (long)nd > 400) || (exp10 < 0 && -exp10 > 400))
        *ints = LONG_MAX;
    else if (exp10 >= 0)
        *ints = (long)nd + exp10;
    else {
        *ints = (long)nd + exp10 > 0 ? (long)nd + exp10 : 0;
        *frac = -exp10;
    }
    return INVS_OK;
}

int invs_decimal_is_number(const char *s, size_t n)
{
    static const char *const special[] = {"nan", "inf", "infinity", "+inf", "+infinity",
                                          "-inf", "-infinity"};
    size_t i, a = 0, b;
    if (invs_decimal_parse(s, n, NULL) == INVS_OK)
        return 1;
    while (a < n && s[a] == ' ')
        a++;
    for (b = n; b > a && s[b - 1] == ' '; b--)
        ;
    for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (strlen(special[i]) == b - a && strncasecmp(s + a, special[i], b - a) == 0)
            return 1;
    return 0;
}

int invs_int_digits(int64_t x)
{
    int k = 0;
    for (; x; x /= 10)
        k++;
    return k;
}

size_t invs_int_text(char *out, int64_t v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    size_t n;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    n = (size_t)(tmp + sizeof(tmp) - p);
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

void invs_double_text(char buf[INVS_DOUBLE_TEXT], double d)
{
    if (!invs_double_fixed(buf, d))
        invs_double_shortest(buf, d);
}


/*
 * How values read and write as text, one rule for the core and every
 * driver (a driver cannot call the core): the boolean words, and the
 * shortest text of a double. Header only.
 */
#ifndef INVSTAGE_VALUES_H
#define INVSTAGE_VALUES_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s[0..n) as a boolean word, any case: 1 for t, true, y, yes, on, 1; 0
 * for f, false, n, no, off, 0; -1 for anything else. */
static inline int invs_bool_word(const char *s, size_t n)
{
    static const char *const words[] = {"f", "false", "n", "no", "off", "0",
                                        "t", "true", "y", "yes", "on", "1"};
    char low[6];
    size_t k, j;
    if (n > 5)
        return -1;
    for (k = 0; k < n; k++)
        low[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
    low[n] = '\0';
    for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        for (j = 0; words[k][j] && words[k][j] == low[j]; j++)
            ;
        if (!words[k][j] && !low[j])
            return k >= 6;
    }
    return -1;
}

/* The shortest text with at most 17 significant digits that reads back
 * as the finite double d ("9.99", not "9.9900000000000002"). */
static inline void invs_double_shortest(char buf[40], double d)
{
    int prec;
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* The shortest decimal of d when it is n / 10^k with |n| < 2^53 and
 * k <= 9 (money, measures: most doubles a database holds): IEEE division
 * of two exact integers is correctly rounded, so if n / 10^k gives back d,
 * the text "n with k decimals" reads back as d, and the smallest such k is
 * the shortest. Written into out (at least 40 bytes) without printf; its
 * length, or 0 when d is not of that shape (out is then untouched). */
static inline size_t invs_double_fixed(char *out, double d)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    int k;
    if (!(fabs(d) < 9007199254740992.0))
        return 0;
    for (k = 0; k <= 9; k++) {
        double x = rint(d * p10[k]);
        if (fabs(x) < 9007199254740992.0 && x / p10[k] == d) {
            char digits[24], *q = digits + sizeof(digits);
            uint64_t u = (uint64_t)fabs(x);
            size_t nd, len = 0, kk = (size_t)k;
            if (u == 0) /* -0.0 too: a number, and zero */
                return (size_t)(out[0] = '0', out[1] = '\0', 1);
            do
                *--q = (char)('0' + u % 10);
            while (u /= 10);
            nd = (size_t)(digits + sizeof(digits) - q);
            if (x < 0)
                out[len++] = '-';
            if (kk >= nd) { /* 0.00ddd */
                out[len++] = '0';
                out[len++] = '.';
                memset(out + len, '0', kk - nd);
                len += kk - nd;
                memcpy(out + len, q, nd);
                len += nd;
            } else {
                memcpy(out + len, q, nd - kk);
                len += nd - kk;
                if (kk) {
                    out[len++] = '.';
                    memcpy(out + len, q + nd - kk, kk);
                    len += kk;
                }
            }
            out[len] = '\0';
            return len;
        }
    }
    return 0;
}

#endif

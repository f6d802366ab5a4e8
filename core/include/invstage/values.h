/*
 * How values read and write as text, one rule for the core and every
 * driver (a driver cannot call the core): the boolean words, and the
 * shortest text of a double. Header only.
 */
#ifndef INVSTAGE_VALUES_H
#define INVSTAGE_VALUES_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif

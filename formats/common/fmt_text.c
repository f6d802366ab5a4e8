/*
 * Value encodings shared by the file formats (see fmt_text.h): exact, and
 * fast on the common cases, because every value of an export goes through
 * here twice (written, then read back by the proof).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_text.h"
#include "invstage/values.h"

/* ------------------------------------------------------------ UTF-8 */

int fmt_utf8_valid(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len, k;
        uint32_t cp;
        if (c < 0x80) { /* ASCII runs, 8 bytes at a time */
            while (i + 8 <= n) {
                uint64_t w;
                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ULL)
                    break;
                i += 8;
            }
            while (i < n && p[i] < 0x80)
                i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return 0;
        if (n - i < len)
            return 0;
        for (k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += len;
    }
    return 1;
}

/* ------------------------------------------------------------ base64 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t fmt_b64_encode(char *out, const unsigned char *in, size_t n)
{
    char *o = out;
    size_t i;
    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = b64_alphabet[(v >> 6) & 63];
        o[3] = b64_alphabet[v & 63];
        o += 4;
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = o[3] = '=';
        o += 4;
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = b64_alphabet[(v >> 6) & 63];
        o[3] = '=';
        o += 4;
    }
    return (size_t)(o - out);
}

/* The value of each base64 character, 64 for the rest. */
static const unsigned char b64_dec[256] = {
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 62, 64, 64, 64, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 64, 64, 64, 64, 64, 64,
    64,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 64, 64, 64, 64, 64,
    64, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
};

/* The last quad: "xxxx", "xxx=" or "xx==", unused bits zero. */
static int b64_last(unsigned char *out, size_t *o, const unsigned char *s, size_t *bad)
{
    unsigned a = b64_dec[s[0]], b = b64_dec[s[1]], c, d;
    if (a > 63 || b > 63) {
        *bad = a > 63 ? 0 : 1;
        return -1;
    }
    out[(*o)++] = (unsigned char)(a << 2 | b >> 4);
    if (s[2] == '=' && s[3] == '=') {
        if (b & 15)
            return *bad = 1, -1;
        return 0;
    }
    if ((c = b64_dec[s[2]]) > 63)
        return *bad = 2, -1;
    out[(*o)++] = (unsigned char)((b & 15) << 4 | c >> 2);
    if (s[3] == '=') {
        if (c & 3)
            return *bad = 2, -1;
        return 0;
    }
    if ((d = b64_dec[s[3]]) > 63)
        return *bad = 3, -1;
    out[(*o)++] = (unsigned char)((c & 3) << 6 | d);
    return 0;
}

int fmt_b64_decode(unsigned char *out, size_t *out_len, const char *in, size_t n, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i, o = 0;
    *bad = 0;
    if (n % 4) {
        *bad = n;
        return -1;
    }
    for (i = 0; i + 4 < n; i += 4) {
        unsigned a = b64_dec[s[i]], b = b64_dec[s[i + 1]], c = b64_dec[s[i + 2]],
                 d = b64_dec[s[i + 3]];
        if ((a | b | c | d) > 63) {
            *bad = i + (a > 63 ? 0 : b > 63 ? 1 : c > 63 ? 2 : 3);
            return -1;
        }
        out[o++] = (unsigned char)(a << 2 | b >> 4);
        out[o++] = (unsigned char)((b & 15) << 4 | c >> 2);
        out[o++] = (unsigned char)((c & 3) << 6 | d);
    }
    if (n && b64_last(out, &o, s + i, bad) != 0) {
        *bad += i;
        return -1;
    }
    *out_len = o;
    return 0;
}

/* ------------------------------------------------------------ integers */

size_t fmt_u64_text(char *out, uint64_t v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    size_t n;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    n = (size_t)(tmp + sizeof(tmp) - p);
    memcpy(out, p, n);
    return n;
}

size_t fmt_i64_text(char *out, int64_t v)
{
    if (v >= 0)
        return fmt_u64_text(out, (uint64_t)v);
    out[0] = '-';
    return 1 + fmt_u64_text(out + 1, (uint64_t)0 - (uint64_t)v); /* INT64_MIN too */
}

/* ------------------------------------------------------------ doubles */

static const double fmt_p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

size_t fmt_double_text(char *out, double d, locale_t loc)
{
    char buf[FMT_DOUBLE_TEXT + 8];
    locale_t old = (locale_t)0;
    size_t n;
    int prec;
    if (d == 0) { /* -0.0 keeps its sign */
        if (signbit(d)) {
            out[0] = '-';
            out[1] = '0';
            return 2;
        }
        out[0] = '0';
        return 1;
    }
    if ((n = invs_double_fixed(out, d)) != 0) /* SDK values.h; its NUL is within the room */
        return n;
    if (loc)
        old = uselocale(loc);
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (loc)
        uselocale(old);
    n = strlen(buf);
    memcpy(out, buf, n);
    return n;
}

int fmt_parse_double(const char *s, size_t n, double *out, locale_t loc)
{
    char buf[FMT_NUMBER_MAX + 1];
    const char *p = s, *end = s + n;
    uint64_t m = 0;
    int nd = 0, neg = 0, slow = 0;
    long e10 = 0;
    locale_t old = (locale_t)0;

    if (n > FMT_NUMBER_MAX)
        return -1;
    if (p < end && *p == '-')
        neg = 1, p++;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (m == 0 && *p == '0')
            continue;
        if (nd < 19)
            m = m * 10 + (uint64_t)(*p - '0'), nd++;
        else
            slow = 1;
    }
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            e10--;
            if (m == 0 && *p == '0')
                continue;
            if (nd < 19)
                m = m * 10 + (uint64_t)(*p - '0'), nd++;
            else
                slow = 1;
        }
    if (p < end && (*p == 'e' || *p == 'E')) {
        long x = 0;
        int eneg = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (x < 100000)
                x = x * 10 + (*p - '0');
        e10 += eneg ? -x : x;
    }
    if (!slow && m == 0) {
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    /* Clinger's fast path: both operands exact, one IEEE operation */
    if (!slow && m <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)m;
        v = e10 >= 0 ? v * fmt_p10[e10] : v / fmt_p10[-e10];
        *out = neg ? -v : v;
        return 0;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (loc)
        old = uselocale(loc);
    *out = strtod(buf, NULL);
    if (loc)
        uselocale(old);
    return 0;
}

void fmt_bits_hex(char out[16], double d)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t u;
    int i;
    memcpy(&u, &d, 8);
    for (i = 15; i >= 0; i--, u >>= 4)
        out[i] = hex[u & 15];
}

int fmt_hex_bits(const char *s, size_t n, double *out)
{
    uint64_t u = 0;
    size_t i;
    if (n != 16)
        return -1;
    for (i = 0; i < 16; i++) {
        char c = s[i];
        unsigned v;
        if (c >= '0' && c <= '9')
            v = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (unsigned)(c - 'a' + 10);
        else
            return -1;
        u = u << 4 | v;
    }
    memcpy(out, &u, 8);
    return 0;
}

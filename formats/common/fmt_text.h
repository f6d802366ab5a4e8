/*
 * fmt_text.h -- the value encodings the file formats share: UTF-8
 * validation, base64, integers and doubles as exact decimal text. No
 * allocation, no locale: a C library whose LC_NUMERIC writes "1,5" must not
 * change a byte of a file (the slow paths run under a "C" locale object
 * the caller owns).
 *
 * Source-shared: every module under formats/ compiles this file itself.
 */
#ifndef FMT_TEXT_H
#define FMT_TEXT_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>

/* Whether p[0..n) is UTF-8 as RFC 3629 has it: no overlong forms, no
 * surrogates, nothing past U+10FFFF. */
int fmt_utf8_valid(const unsigned char *p, size_t n);

/* Base64 (RFC 4648, with padding, no line breaks). */
static inline size_t fmt_b64_len(size_t n) { return (n + 2) / 3 * 4; }
/* out must hold fmt_b64_len(n) bytes; returns that many. */
size_t fmt_b64_encode(char *out, const unsigned char *in, size_t n);
/* Strict decoding: the canonical encoding only (padding, unused bits zero,
 * no whitespace), so that one value has one text. out may be `in` itself
 * (decoding in place never overtakes). 0 with *out_len, or -1 with *bad
 * the offset of the first wrong character. */
int fmt_b64_decode(unsigned char *out, size_t *out_len, const char *in, size_t n, size_t *bad);

/* Decimal text of an integer; out holds at least 21 bytes; no NUL. */
size_t fmt_i64_text(char *out, int64_t v);
size_t fmt_u64_text(char *out, uint64_t v);

/* The shortest decimal text that reads back as the finite double d
 * ("0.1", "-0", "1e+300"), at most FMT_DOUBLE_TEXT-1 bytes; no NUL. It may
 * look like an integer ("3"): a format that must tell them apart adds
 * ".0" itself. loc: a "C" LC_NUMERIC locale for the slow path. */
#define FMT_DOUBLE_TEXT 40
size_t fmt_double_text(char *out, double d, locale_t loc);

/* A JSON number s[0..n) ([-] digits [. digits] [e [+-] digits], checked by
 * the caller) as the nearest double, correctly rounded. 0, or -1 when the
 * text is longer than FMT_NUMBER_MAX. */
#define FMT_NUMBER_MAX 1024
int fmt_parse_double(const char *s, size_t n, double *out, locale_t loc);

/* The 8 bytes of a double as 16 lowercase hex digits, big-endian (the
 * stage's own order for special values); and back (0, or -1). */
void fmt_bits_hex(char out[16], double d);
int fmt_hex_bits(const char *s, size_t n, double *out);

#endif

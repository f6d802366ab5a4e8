/*
 * A streaming JSON tokenizer (see json_tok.h). The input is read through
 * fmt_in one buffer at a time; nothing here needs more than one token's
 * bytes at once, except a string, whose unescaped bytes go to the caller's
 * buffer as they are read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "fmt_text.h"
#include "json_tok.h"

void json_tok_init(json_tok *t, fmt_in *in, locale_t loc)
{
    memset(t, 0, sizeof(*t));
    t->in = in;
    t->loc = loc;
}

int json_fail(json_tok *t, uint64_t off, const char *fmt, ...)
{
    va_list ap;
    if (t->type == JT_ERROR) /* keep the first reason */
        return JT_ERROR;
    va_start(ap, fmt);
    vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
    va_end(ap);
    t->err = JE_SYNTAX;
    t->err_off = off;
    t->type = JT_ERROR;
    return JT_ERROR;
}

/* The input failed (I/O or memory) rather than its text. */
static int tok_input_failed(json_tok *t)
{
    t->sys_errno = t->in->err;
    t->err = t->in->err == ENOMEM ? JE_NOMEM : JE_IO;
    t->err_off = fmt_in_off(t->in);
    snprintf(t->msg, sizeof(t->msg), "%s", t->in->err == ENOMEM ? "out of memory"
                                                                 : strerror(t->in->err));
    return t->type = JT_ERROR;
}

static int tok_nomem(json_tok *t)
{
    t->err = JE_NOMEM;
    t->err_off = fmt_in_off(t->in);
    snprintf(t->msg, sizeof(t->msg), "out of memory");
    return t->type = JT_ERROR;
}

/* Make n bytes available: 1, 0 at the end of the input, -1 failed. */
static int tok_need(json_tok *t, size_t n)
{
    int r;
    if (fmt_in_avail(t->in) >= n)
        return 1;
    if ((r = fmt_in_need(t->in, n)) < 0)
        tok_input_failed(t);
    return r;
}

const char *json_tok_what(int type)
{
    switch (type) {
    case JT_EOF: return "the end of the file";
    case JT_LBRACE: return "'{'";
    case JT_RBRACE: return "'}'";
    case JT_LBRACKET: return "'['";
    case JT_RBRACKET: return "']'";
    case JT_COLON: return "':'";
    case JT_COMMA: return "','";
    case JT_STRING: return "a string";
    case JT_INT:
    case JT_UINT: return "an integer";
    case JT_REAL: return "a number";
    case JT_TRUE:
    case JT_FALSE: return "a boolean";
    case JT_NULL: return "null";
    }
    return "an error";
}

/* ------------------------------------------------------------ strings */

/* 1 for the bytes a string holds as they are: printable ASCII but '"'
 * and '\\'. */
static const unsigned char json_plain[256] = {
    ['\x20'] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
    ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, [':'] = 1, [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1,
    ['@'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1,
    ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,
    ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1, ['\x7f'] = 1};

static int hex4(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

static void put_utf8(invs_strbuf *sb, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    invs_sb_add(sb, b, n);
}

/* \uXXXX (and its low surrogate): the bytes from in->pos, which is at the
 * backslash. */
static int tok_unicode(json_tok *t, invs_strbuf *sb)
{
    fmt_in *in = t->in;
    uint64_t at = fmt_in_off(in);
    uint32_t cp, lo;
    int r;
    if ((r = tok_need(t, 6)) <= 0)
        return r < 0 ? JT_ERROR : json_fail(t, at, "the file ends inside a \\u escape");
    if (hex4(in->buf + in->pos + 2, &cp) != 0)
        return json_fail(t, at, "\\u is not followed by 4 hex digits");
    in->pos += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return json_fail(t, at, "a lone low surrogate \\u%04X", (unsigned)cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if ((r = tok_need(t, 6)) < 0)
            return JT_ERROR;
        if (r == 0 || in->buf[in->pos] != '\\' || in->buf[in->pos + 1] != 'u' ||
            hex4(in->buf + in->pos + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
            return json_fail(t, at, "a high surrogate \\u%04X without its low half",
                             (unsigned)cp);
        in->pos += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    put_utf8(sb, cp);
    return 0;
}

static int tok_escape(json_tok *t, invs_strbuf *sb)
{
    fmt_in *in = t->in;
    uint64_t at = fmt_in_off(in);
    char c;
    int r;
    if ((r = tok_need(t, 2)) <= 0)
        return r < 0 ? JT_ERROR : json_fail(t, at, "the file ends inside a string");
    switch (in->buf[in->pos + 1]) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': return tok_unicode(t, sb);
    default: return json_fail(t, at, "an unknown escape \\%c", in->buf[in->pos + 1]);
    }
    in->pos += 2;
    invs_sb_add(sb, &c, 1);
    return 0;
}

/* One UTF-8 character from in->pos (a byte >= 0x80), validated. */
static int tok_utf8(json_tok *t, invs_strbuf *sb)
{
    fmt_in *in = t->in;
    unsigned c = in->buf[in->pos];
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    int r = tok_need(t, len);
    if (r < 0)
        return JT_ERROR;
    if (r == 0 || !fmt_utf8_valid(in->buf + in->pos, len))
        return json_fail(t, fmt_in_off(in), "a string holds bytes that are not UTF-8");
    invs_sb_add(sb, in->buf + in->pos, len);
    in->pos += len;
    return 0;
}

static int tok_string(json_tok *t, invs_strbuf *sb)
{
    fmt_in *in = t->in;
    t->str_off = sb->len;
    in->pos++; /* the quote */
    for (;;) {
        const unsigned char *p, *q, *e;
        int r;
        if ((r = tok_need(t, 1)) <= 0)
            return r < 0 ? JT_ERROR : json_fail(t, t->off, "the file ends inside a string");
        p = q = in->buf + in->pos;
        e = in->buf + in->end;
        while (q < e && json_plain[*q])
            q++;
        invs_sb_add(sb, p, (size_t)(q - p));
        in->pos += (size_t)(q - p);
        if (q == e)
            continue;
        if (*q == '"') {
            in->pos++;
            break;
        }
        if (*q == '\\')
            r = tok_escape(t, sb);
        else if (*q >= 0x80)
            r = tok_utf8(t, sb);
        else
            r = json_fail(t, fmt_in_off(in), "a control character (0x%02x) in a string", *q);
        if (r != 0)
            return JT_ERROR;
    }
    if (invs_sb_failed(sb))
        return tok_nomem(t);
    t->str_len = sb->len - t->str_off;
    return t->type = JT_STRING;
}

/* ------------------------------------------------------------ numbers */

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* The next byte of a number, or -1; appended to buf (n < cap checked). */
static int num_peek(json_tok *t)
{
    int r = tok_need(t, 1);
    return r <= 0 ? -1 : t->in->buf[t->in->pos];
}

static int tok_integer(json_tok *t, const char *s, size_t n)
{
    uint64_t u = 0;
    size_t i = s[0] == '-';
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (u > (UINT64_MAX - d) / 10)
            return json_fail(t, t->off, "an integer past 64 bits (%.40s%s)", s,
                             n > 40 ? "..." : "");
        u = u * 10 + d;
    }
    if (s[0] == '-') {
        if (u > (uint64_t)INT64_MAX + 1)
            return json_fail(t, t->off, "an integer below -2^63 (%.40s%s)", s,
                             n > 40 ? "..." : "");
        t->i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
        return t->type = JT_INT;
    }
    if (u > (uint64_t)INT64_MAX) {
        t->u = u;
        return t->type = JT_UINT;
    }
    t->i = (int64_t)u;
    return t->type = JT_INT;
}

/* Take digits while they come; how many. */
static size_t num_digits(json_tok *t, char *buf, size_t *n, int *too_long)
{
    size_t k = 0;
    int c;
    while (is_digit(c = num_peek(t))) {
        if (*n < FMT_NUMBER_MAX)
            buf[(*n)++] = (char)c;
        else
            *too_long = 1;
        t->in->pos++;
        k++;
    }
    return k;
}

static int tok_number(json_tok *t)
{
    char buf[FMT_NUMBER_MAX + 1];
    size_t n = 0;
    int c = num_peek(t), real = 0, too_long = 0;
    if (c == '-') {
        buf[n++] = '-';
        t->in->pos++;
        c = num_peek(t);
    }
    if (c == '0') {
        buf[n++] = '0';
        t->in->pos++;
        if (is_digit(num_peek(t)))
            return json_fail(t, t->off, "a number with a leading zero");
    } else if (num_digits(t, buf, &n, &too_long) == 0) {
        return t->type == JT_ERROR ? JT_ERROR : json_fail(t, t->off, "'-' without digits");
    }
    if (num_peek(t) == '.') {
        real = 1;
        buf[n++] = '.';
        t->in->pos++;
        if (num_digits(t, buf, &n, &too_long) == 0)
            return t->type == JT_ERROR ? JT_ERROR
                                       : json_fail(t, t->off, "a '.' without digits after it");
    }
    if ((c = num_peek(t)) == 'e' || c == 'E') {
        real = 1;
        if (n < FMT_NUMBER_MAX)
            buf[n++] = 'e';
        t->in->pos++;
        if ((c = num_peek(t)) == '+' || c == '-') {
            if (n < FMT_NUMBER_MAX)
                buf[n++] = (char)c;
            t->in->pos++;
        }
        if (num_digits(t, buf, &n, &too_long) == 0)
            return t->type == JT_ERROR ? JT_ERROR
                                       : json_fail(t, t->off, "an exponent without digits");
    }
    if (t->type == JT_ERROR)
        return JT_ERROR;
    if (too_long)
        return json_fail(t, t->off, "a number longer than %d characters", FMT_NUMBER_MAX);
    buf[n] = '\0';
    if (!real)
        return tok_integer(t, buf, n);
    if (fmt_parse_double(buf, n, &t->d, t->loc) != 0)
        return json_fail(t, t->off, "a number longer than %d characters", FMT_NUMBER_MAX);
    return t->type = JT_REAL;
}

/* ------------------------------------------------------------ tokens */

static int tok_literal(json_tok *t, const char *word, int type)
{
    size_t n = strlen(word);
    int r = tok_need(t, n);
    if (r < 0)
        return JT_ERROR;
    if (r == 0 || memcmp(t->in->buf + t->in->pos, word, n) != 0)
        return json_fail(t, t->off, "not JSON here (expected a value)");
    t->in->pos += n;
    return t->type = type;
}

int json_next(json_tok *t, invs_strbuf *sb)
{
    fmt_in *in = t->in;
    int c, r;
    if (t->type == JT_ERROR)
        return JT_ERROR;
    for (;;) { /* whitespace */
        if (in->pos == in->end && (r = tok_need(t, 1)) <= 0) {
            t->off = fmt_in_off(in);
            return r < 0 ? JT_ERROR : (t->type = JT_EOF);
        }
        c = in->buf[in->pos];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            break;
        in->pos++;
    }
    t->off = fmt_in_off(in);
    switch (c) {
    case '{': in->pos++; return t->type = JT_LBRACE;
    case '}': in->pos++; return t->type = JT_RBRACE;
    case '[': in->pos++; return t->type = JT_LBRACKET;
    case ']': in->pos++; return t->type = JT_RBRACKET;
    case ':': in->pos++; return t->type = JT_COLON;
    case ',': in->pos++; return t->type = JT_COMMA;
    case '"': return tok_string(t, sb);
    case 't': return tok_literal(t, "true", JT_TRUE);
    case 'f': return tok_literal(t, "false", JT_FALSE);
    case 'n': return tok_literal(t, "null", JT_NULL);
    }
    if (c == '-' || is_digit(c))
        return tok_number(t);
    if (c >= 0x20 && c < 0x7f)
        return json_fail(t, t->off, "not JSON here ('%c')", c);
    return json_fail(t, t->off, "not JSON here (byte 0x%02x)", c);
}

/* ------------------------------------------------------------ trees */

static int node_spend(json_tok *t, fmt_node_budget *b, size_t bytes)
{
    if (b->nodes == 0 || b->bytes < bytes)
        return json_fail(t, t->off, "an object larger than invstage reads whole (%u values, "
                                    "%u MiB)",
                         FMT_NODE_MAX, FMT_NODE_BYTES >> 20);
    b->nodes--;
    b->bytes -= bytes;
    return 0;
}

static int node_value(json_tok *t, invs_strbuf *sb, invs_pool *pool, fmt_node_budget *b,
                      fmt_node *out, int depth);

/* The members or items after '{' or '[', up to the closing token. */
static int node_container(json_tok *t, invs_strbuf *sb, invs_pool *pool, fmt_node_budget *b,
                          fmt_node *out, int depth)
{
    int map = t->type == JT_LBRACE, close = map ? JT_RBRACE : JT_RBRACKET;
    size_t cap = 0, kcap = 0;
    out->type = map ? FN_MAP : FN_ARR;
    if (depth >= FMT_NODE_DEPTH)
        return json_fail(t, t->off, "nested deeper than %d levels", FMT_NODE_DEPTH);
    for (;;) {
        fmt_node *kid;
        if (json_next(t, sb) == close && out->n == 0)
            return 0;
        if (out->n && t->type != JT_COMMA) {
            if (t->type == close)
                return 0;
            return t->type == JT_ERROR ? JT_ERROR
                                       : json_fail(t, t->off, "expected ',' or %s, not %s",
                                                   json_tok_what(close), json_tok_what(t->type));
        }
        if (out->n)
            json_next(t, sb);
        if (!(out->kids = invs_pool_grow(pool, out->kids, out->n, &cap, sizeof(fmt_node))))
            return tok_nomem(t);
        kid = &out->kids[out->n];
        memset(kid, 0, sizeof(*kid));
        if (map) {
            const char *key;
            if (t->type != JT_STRING)
                return t->type == JT_ERROR ? JT_ERROR
                                           : json_fail(t, t->off, "expected a member name, not %s",
                                                       json_tok_what(t->type));
            invs_sb_add(sb, "", 1);
            if (invs_sb_failed(sb) || !(key = invs_pool_str(pool, sb->p + t->str_off)))
                return tok_nomem(t);
            sb->len = t->str_off;
            if (!(out->keys = invs_pool_grow(pool, out->keys, out->n, &kcap, sizeof(char *))))
                return tok_nomem(t);
            out->keys[out->n] = key;
            if (json_next(t, sb) != JT_COLON)
                return t->type == JT_ERROR ? JT_ERROR
                                           : json_fail(t, t->off, "expected ':' after a member name");
            json_next(t, sb);
        }
        if (node_value(t, sb, pool, b, kid, depth + 1) != 0)
            return JT_ERROR;
        out->n++;
    }
}

static int node_value(json_tok *t, invs_strbuf *sb, invs_pool *pool, fmt_node_budget *b,
                      fmt_node *out, int depth)
{
    memset(out, 0, sizeof(*out));
    out->off = t->off;
    if (node_spend(t, b, t->type == JT_STRING ? t->str_len : 0) != 0)
        return JT_ERROR;
    switch (t->type) {
    case JT_NULL: out->type = FN_NULL; return 0;
    case JT_TRUE:
    case JT_FALSE: out->type = FN_BOOL, out->i = t->type == JT_TRUE; return 0;
    case JT_INT: out->type = FN_INT, out->i = t->i; return 0;
    case JT_UINT: out->type = FN_UINT, out->u = t->u; return 0;
    case JT_REAL: out->type = FN_REAL, out->d = t->d; return 0;
    case JT_STRING: {
        char *s = invs_pool_alloc(pool, t->str_len + 1);
        if (!s)
            return tok_nomem(t);
        memcpy(s, sb->p + t->str_off, t->str_len);
        sb->len = t->str_off;
        out->type = FN_STR, out->s = s, out->len = t->str_len;
        return 0;
    }
    case JT_LBRACE:
    case JT_LBRACKET: return node_container(t, sb, pool, b, out, depth);
    case JT_ERROR: return JT_ERROR;
    }
    return json_fail(t, t->off, "expected a value, not %s", json_tok_what(t->type));
}

int json_node(json_tok *t, invs_strbuf *sb, invs_pool *pool, fmt_node_budget *budget,
              fmt_node *out)
{
    size_t mark = sb->len;
    int rc = node_value(t, sb, pool, budget, out, 0);
    sb->len = mark;
    return rc == 0 ? 0 : JT_ERROR;
}

/*
 * JSON in one canonical text, so that engines that store the same document
 * differently (PostgreSQL's jsonb reorders keys and unescapes strings,
 * MySQL's JSON drops trailing zeros, SQLite keeps the text as written)
 * digest alike: no whitespace, object keys sorted bytewise with the last of
 * duplicate keys kept (as jsonb and MySQL do), strings unescaped to UTF-8
 * and re-escaped minimally, numbers as normalised decimals.
 */
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

#define JSON_MAX_DEPTH 128

typedef struct json_in {
    const char *s;
    size_t n, i;
} json_in;

typedef struct json_member {
    size_t key, klen, val, vlen, seq;
} json_member;

static int json_value(invs_strbuf *sb, json_in *in, int depth);

static void json_ws(json_in *in)
{
    while (in->i < in->n && (in->s[in->i] == ' ' || in->s[in->i] == '\t' ||
                             in->s[in->i] == '\n' || in->s[in->i] == '\r'))
        in->i++;
}

static int json_hex4(json_in *in, unsigned *out)
{
    unsigned v = 0;
    int k;
    if (in->i + 4 > in->n)
        return INVS_EINVAL;
    for (k = 0; k < 4; k++) {
        char c = in->s[in->i++];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return INVS_EINVAL;
    }
    *out = v;
    return 0;
}

static void json_utf8(invs_strbuf *sb, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80)
        b[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    else if (cp < 0x10000)
        b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | (cp >> 6 & 0x3f)),
        b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    else
        b[0] = (char)(0xf0 | cp >> 18), b[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
        b[2] = (char)(0x80 | (cp >> 6 & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    invs_sb_add(sb, b, n);
}

/* The string at in (after its opening quote), unescaped, into sb. */
static int json_unescape(invs_strbuf *sb, json_in *in)
{
    while (in->i < in->n) {
        char c = in->s[in->i++];
        unsigned cp, lo;
        if (c == '"')
            return 0;
        if ((unsigned char)c < 0x20)
            return INVS_EINVAL;
        if (c != '\\') {
            invs_sb_add(sb, &c, 1);
            continue;
        }
        if (in->i >= in->n)
            return INVS_EINVAL;
        switch (c = in->s[in->i++]) {
        case '"': case '\\': case '/': invs_sb_add(sb, &c, 1); break;
        case 'b': invs_sb_add(sb, "\b", 1); break;
        case 'f': invs_sb_add(sb, "\f", 1); break;
        case 'n': invs_sb_add(sb, "\n", 1); break;
        case 'r': invs_sb_add(sb, "\r", 1); break;
        case 't': invs_sb_add(sb, "\t", 1); break;
        case 'u':
            if (json_hex4(in, &cp))
                return INVS_EINVAL;
            if (cp >= 0xd800 && cp < 0xdc00 && in->i + 6 <= in->n && in->s[in->i] == '\\' &&
                in->s[in->i + 1] == 'u') {
                size_t back = in->i;
                in->i += 2;
                if (json_hex4(in, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000)
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                else
                    in->i = back;
            }
            json_utf8(sb, cp);
            break;
        default: return INVS_EINVAL;
        }
    }
    return INVS_EINVAL;
}

/* Raw bytes p[0..n) as a JSON string: only '"', '\' and controls escaped. */
static void json_quote(invs_strbuf *sb, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t k, run = 0;
    invs_sb_add(sb, "\"", 1);
    for (k = 0; k < n; k++) {
        unsigned char c = (unsigned char)p[k];
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        invs_sb_add(sb, p + run, k - run);
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            invs_sb_add(sb, esc, 2);
        } else {
            invs_sb_add(sb, esc, 6);
        }
        run = k + 1;
    }
    invs_sb_add(sb, p + run, n - run);
    invs_sb_add(sb, "\"", 1);
}

static _Thread_local const char *json_sort_base; /* for qsort's comparator */

static int json_member_cmp(const void *a, const void *b)
{
    const json_member *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(json_sort_base + x->key, json_sort_base + y->key, n);
    if (c)
        return c;
    if (x->klen != y->klen)
        return x->klen < y->klen ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int json_object(invs_strbuf *sb, json_in *in, int depth)
{
    invs_strbuf tmp;
    json_member *m = NULL;
    size_t nm = 0, cap = 0, k;
    int rc = 0, first = 1;

    invs_sb_init_std(&tmp);
    json_ws(in);
    if (in->i < in->n && in->s[in->i] == '}') {
        in->i++;
        invs_sb_add(sb, "{}", 2);
        return 0;
    }
    for (;;) {
        json_member e;
        json_ws(in);
        if (in->i >= in->n || in->s[in->i++] != '"') {
            rc = -1;
            break;
        }
        e.seq = nm;
        e.key = tmp.len;
        if ((rc = json_unescape(&tmp, in)) != 0)
            break;
        e.klen = tmp.len - e.key;
        json_ws(in);
        if (in->i >= in->n || in->s[in->i++] != ':') {
            rc = -1;
            break;
        }
        e.val = tmp.len;
        if ((rc = json_value(&tmp, in, depth + 1)) != 0)
            break;
        e.vlen = tmp.len - e.val;
        if (nm == cap) {
            json_member *g = realloc(m, (cap = cap ? cap * 2 : 8) * sizeof(*m));
            if (!g) {
                rc = -1;
                break;
            }
            m = g;
        }
        m[nm++] = e;
        json_ws(in);
        if (in->i < in->n && in->s[in->i] == ',') {
            in->i++;
            continue;
        }
        if (in->i < in->n && in->s[in->i] == '}') {
            in->i++;
            break;
        }
        rc = -1;
        break;
    }
    if (rc == 0 && !invs_sb_failed(&tmp)) {
        json_sort_base = tmp.p;
        qsort(m, nm, sizeof(*m), json_member_cmp);
        invs_sb_add(sb, "{", 1);
        for (k = 0; k < nm; k++) {
            /* of duplicate keys the last written wins */
            if (k + 1 < nm && m[k].klen == m[k + 1].klen &&
                !memcmp(tmp.p + m[k].key, tmp.p + m[k + 1].key, m[k].klen))
                continue;
            if (!first)
                invs_sb_add(sb, ",", 1);
            first = 0;
            json_quote(sb, tmp.p + m[k].key, m[k].klen);
            invs_sb_add(sb, ":", 1);
            invs_sb_add(sb, tmp.p + m[k].val, m[k].vlen);
        }
        invs_sb_add(sb, "}", 1);
    } else if (rc == 0) {
        rc = -1;
    }
    free(m);
    invs_sb_free(&tmp);
    return rc;
}

static int json_value(invs_strbuf *sb, json_in *in, int depth)
{
    size_t start;
    char c;
    if (depth > JSON_MAX_DEPTH)
        return INVS_EINVAL;
    json_ws(in);
    if (in->i >= in->n)
        return INVS_EINVAL;
    c = in->s[in->i];
    if (c == '{') {
        in->i++;
        return json_object(sb, in, depth);
    }
    if (c == '[') {
        int first = 1;
        in->i++;
        invs_sb_add(sb, "[", 1);
        json_ws(in);
        if (in->i < in->n && in->s[in->i] == ']') {
            in->i++;
            invs_sb_add(sb, "]", 1);
            return 0;
        }
        for (;;) {
            if (!first)
                invs_sb_add(sb, ",", 1);
            first = 0;
            if (json_value(sb, in, depth + 1))
                return INVS_EINVAL;
            json_ws(in);
            if (in->i < in->n && in->s[in->i] == ',') {
                in->i++;
                continue;
            }
            if (in->i < in->n && in->s[in->i++] == ']') {
                invs_sb_add(sb, "]", 1);
                return 0;
            }
            return INVS_EINVAL;
        }
    }
    if (c == '"') {
        invs_strbuf raw;
        int rc;
        in->i++;
        invs_sb_init_std(&raw);
        rc = json_unescape(&raw, in);
        if (rc == 0 && !invs_sb_failed(&raw))
            json_quote(sb, raw.p ? raw.p : "", raw.len);
        invs_sb_free(&raw);
        return rc;
    }
    start = in->i;
    while (in->i < in->n && strchr("+-0123456789.eE", in->s[in->i]) && in->s[in->i])
        in->i++;
    if (in->i > start)
        return invs_decimal_normalize(sb, in->s + start, in->i - start);
    while (in->i < in->n && in->s[in->i] >= 'a' && in->s[in->i] <= 'z')
        in->i++;
    if ((in->i - start == 4 && !memcmp(in->s + start, "true", 4)) ||
        (in->i - start == 4 && !memcmp(in->s + start, "null", 4)) ||
        (in->i - start == 5 && !memcmp(in->s + start, "false", 5))) {
        invs_sb_add(sb, in->s + start, in->i - start);
        return 0;
    }
    return INVS_EINVAL;
}

int invs_json_canon(invs_strbuf *sb, const char *s, size_t n)
{
    json_in in = {s, n, 0};
    size_t mark = sb->len;
    if (json_value(sb, &in, 0) == 0) {
        json_ws(&in);
        if (in.i == n && !invs_sb_failed(sb))
            return INVS_OK;
    }
    sb->len = mark;
    if (sb->p)
        sb->p[mark] = '\0';
    return INVS_EINVAL;
}

/*
 * Values between a fixture and a stage, by the column's canonical type:
 * what Django's serializer writes for each field (decimals as strings,
 * datetimes in ISO 8601, booleans, JSON fields as nested JSON, binary as
 * base64) and back. Reading a value is the same for a table inferred from
 * the values and for one given, so the proof's read-back gives the stage
 * the values it sent whenever the file holds them.
 */
#include <math.h>
#include <stdio.h>

#include "dj.h"
#include "fmt_text.h"

/* s[0..n) as a JSON string into sb (UTF-8 as itself). */
void dj_sb_string(invs_strbuf *sb, const char *s, size_t n)
{
    size_t i;
    char esc[8];
    invs_sb_add(sb, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            invs_sb_add(sb, esc, 2);
        } else if (ch < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", ch);
            invs_sb_add(sb, esc, 6);
        } else {
            invs_sb_add(sb, s + i, 1);
        }
    }
    invs_sb_add(sb, "\"", 1);
}

static void dj_sb_real(invs_drv_conn *c, invs_strbuf *sb, double d)
{
    char buf[FMT_DOUBLE_TEXT + 2];
    size_t n = fmt_double_text(buf, d, c->loc);
    if (!memchr(buf, '.', n) && !memchr(buf, 'e', n) && !memchr(buf, 'n', n))
        buf[n++] = '.', buf[n++] = '0'; /* a float stays one (Python: 1.0) */
    invs_sb_add(sb, buf, n);
}

/* s[0..n) as Python's json.dumps writes a string (ensure_ascii: every
 * character past '~' as \\uXXXX, surrogate pairs past U+FFFF). */
static void dj_sb_pystring(invs_strbuf *sb, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    char esc[16];
    size_t i = 0;
    invs_sb_add(sb, "\"", 1);
    while (i < n) {
        unsigned ch = p[i], len = 1, cp;
        const char *e = strchr("\"\\\b\f\n\r\t", (int)ch);
        if (ch && e) {
            esc[0] = '\\';
            esc[1] = "\"\\bfnrt"[e - "\"\\\b\f\n\r\t"];
            invs_sb_add(sb, esc, 2);
            i++;
            continue;
        }
        if (ch >= 0x20 && ch < 0x7f) {
            invs_sb_add(sb, s + i++, 1);
            continue;
        }
        if (ch >= 0xf0)
            len = 4, cp = ch & 0x07;
        else if (ch >= 0xe0)
            len = 3, cp = ch & 0x0f;
        else if (ch >= 0xc0)
            len = 2, cp = ch & 0x1f;
        else
            cp = ch;
        for (ch = 1; ch < len && i + ch < n; ch++)
            cp = (cp << 6) | (p[i + ch] & 0x3f);
        i += len;
        if (cp >= 0x10000)
            snprintf(esc, sizeof(esc), "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
                     0xdc00 + ((cp - 0x10000) & 0x3ff));
        else
            snprintf(esc, sizeof(esc), "\\u%04x", cp);
        invs_sb_puts(sb, esc);
    }
    invs_sb_add(sb, "\"", 1);
}

/* n as Python's json.dumps writes it by default (", " and ": ", ASCII
 * only): the text Django's JSONField keeps where the database has no JSON
 * type (SQLite), so a read-back gives the stage its very bytes. */
static void dj_node_pyjson(invs_drv_conn *c, const fmt_node *n, invs_strbuf *sb)
{
    size_t i;
    if (n->type == FN_STR || n->type == FN_BIN) {
        dj_sb_pystring(sb, n->s, n->len);
        return;
    }
    if (n->type != FN_ARR && n->type != FN_MAP) {
        dj_node_json(c, n, sb);
        return;
    }
    invs_sb_add(sb, n->type == FN_ARR ? "[" : "{", 1);
    for (i = 0; i < n->n; i++) {
        if (i)
            invs_sb_add(sb, ", ", 2);
        if (n->type == FN_MAP) {
            dj_sb_pystring(sb, n->keys[i], strlen(n->keys[i]));
            invs_sb_add(sb, ": ", 2);
        }
        dj_node_pyjson(c, &n->kids[i], sb);
    }
    invs_sb_add(sb, n->type == FN_ARR ? "]" : "}", 1);
}

void dj_node_json(invs_drv_conn *c, const fmt_node *n, invs_strbuf *sb)
{
    char buf[24];
    size_t i;
    switch (n->type) {
    case FN_NULL: invs_sb_puts(sb, "null"); break;
    case FN_BOOL: invs_sb_puts(sb, n->i ? "true" : "false"); break;
    case FN_INT: invs_sb_add(sb, buf, fmt_i64_text(buf, n->i)); break;
    case FN_UINT: invs_sb_add(sb, buf, fmt_u64_text(buf, n->u)); break;
    case FN_REAL: dj_sb_real(c, sb, n->d); break;
    case FN_STR:
    case FN_BIN: dj_sb_string(sb, n->s, n->len); break;
    case FN_ARR:
    case FN_MAP:
        invs_sb_add(sb, n->type == FN_ARR ? "[" : "{", 1);
        for (i = 0; i < n->n; i++) {
            if (i)
                invs_sb_add(sb, ",", 1);
            if (n->type == FN_MAP) {
                dj_sb_string(sb, n->keys[i], strlen(n->keys[i]));
                invs_sb_add(sb, ":", 1);
            }
            dj_node_json(c, &n->kids[i], sb);
        }
        invs_sb_add(sb, n->type == FN_ARR ? "]" : "}", 1);
        break;
    }
}

/* v's bytes are s[0..n) appended to sb; ptr is their offset until fixed. */
static void dj_put_bytes(invs_strbuf *sb, invs_value *v, int type, const void *s, size_t n)
{
    v->type = (uint8_t)type;
    v->ptr = (const void *)(uintptr_t)sb->len;
    v->len = n;
    invs_sb_add(sb, s, n);
}

int dj_value_in(invs_drv_conn *c, int32_t canon, const fmt_node *n, invs_strbuf *sb,
                invs_value *v, const char **why)
{
    memset(v, 0, sizeof(*v));
    if (n->type == FN_NULL)
        return 0; /* INVS_NULL */
    if (canon == INVS_T_JSON || canon == DJ_T_PYJSON) { /* a JSON field: the document */
        size_t at = sb->len;
        if (canon == DJ_T_PYJSON)
            dj_node_pyjson(c, n, sb);
        else
            dj_node_json(c, n, sb);
        v->type = INVS_TEXT;
        v->ptr = (const void *)(uintptr_t)at;
        v->len = sb->len - at;
        return 0;
    }
    switch (n->type) {
    case FN_BOOL: v->type = INVS_INT; v->num.i = n->i; return 0;
    case FN_INT: v->type = INVS_INT; v->num.i = n->i; return 0;
    case FN_UINT: v->type = INVS_UINT; v->num.u = n->u; return 0;
    case FN_REAL: v->type = INVS_REAL; v->num.d = n->d; return 0;
    case FN_STR:
        if (canon == INVS_T_BLOB) { /* base64, decoded in place in sb */
            size_t at = sb->len, len, bad;
            invs_sb_add(sb, n->s, n->len);
            if (invs_sb_failed(sb))
                return 0;
            if (fmt_b64_decode((unsigned char *)sb->p + at, &len, sb->p + at, n->len, &bad) != 0)
                return *why = "is not base64 (a binary field's value)", -1;
            sb->len = at + len;
            v->type = INVS_BLOB;
            v->ptr = (const void *)(uintptr_t)at;
            v->len = len;
            return 0;
        }
        dj_put_bytes(sb, v, INVS_TEXT, n->s, n->len);
        return 0;
    default:
        *why = n->type == FN_ARR ? "is a list (a natural key or many-to-many values?), where "
                                   "the column holds one value"
                                 : "is an object, where the column holds one value";
        return -1;
    }
}

void dj_values_fix(invs_value *vals, size_t n, const invs_strbuf *sb)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (vals[i].type == INVS_TEXT || vals[i].type == INVS_BLOB)
            vals[i].ptr = sb->p ? sb->p + (uintptr_t)vals[i].ptr : "";
}

/* ------------------------------------------------------------ out */

static void dj_out_sb(invs_drv_conn *c, const invs_strbuf *sb)
{
    if (sb->len)
        fmt_out_put(&c->out, sb->p, sb->len);
}

/* A JSON field's document (text in the stage) as nested JSON, checked:
 * read whole through the tokenizer over the bytes themselves. */
static int dj_out_json(invs_drv_conn *c, const char *s, size_t n, const char **why)
{
    fmt_in in;
    json_tok tok;
    invs_strbuf sb;
    invs_pool pool;
    fmt_node_budget budget;
    fmt_node node;
    int rc = -1;
    memset(&in, 0, sizeof(in));
    in.fd = -1;
    in.buf = (unsigned char *)(uintptr_t)s;
    in.end = in.cap = n;
    in.eof = 1;
    json_tok_init(&tok, &in, c->loc);
    invs_sb_init(&sb, dj_host->realloc, dj_host->free);
    invs_pool_init(&pool, dj_host->realloc, dj_host->free);
    fmt_node_budget_init(&budget);
    if (json_next(&tok, &sb) > JT_EOF && json_node(&tok, &sb, &pool, &budget, &node) == 0 &&
        json_next(&tok, &sb) == JT_EOF) {
        sb.len = 0;
        dj_node_json(c, &node, &sb);
        if (invs_sb_failed(&sb))
            *why = "out of memory";
        else
            dj_out_sb(c, &sb), rc = 0;
    } else {
        *why = "is not a JSON document (a JSON field's value)";
    }
    invs_pool_free(&pool);
    invs_sb_free(&sb);
    return rc;
}

/* A timestamp as Django writes one: "YYYY-MM-DDTHH:MM:SS[.ffffff]" and
 * "Z" for UTC (a naive one is UTC in a stage), microseconds kept. */
static void dj_out_timestamp(invs_drv_conn *c, const char *s, size_t n)
{
    char buf[64];
    size_t k = n, i;
    if (n < 19 || n > 48) {
        json_put_string(&c->out, (const unsigned char *)s, n);
        return;
    }
    memcpy(buf, s, n);
    if (buf[10] == ' ')
        buf[10] = 'T';
    for (i = 19; i < k && buf[i] != 'Z' && buf[i] != '+' && buf[i] != '-' && buf[i] != ' '; i++)
        ;
    if (i < k && buf[i] == ' ') /* "... 12:00:00 +02" */
        memmove(buf + i, buf + i + 1, --k - i);
    if (i == k || !strncmp(buf + i, "+00", k - i) || !strncmp(buf + i, "+00:00", k - i) ||
        !strncmp(buf + i, "+0000", k - i))
        k = i, buf[k++] = 'Z';
    json_put_string(&c->out, (const unsigned char *)buf, k);
}

static int dj_out_number_text(invs_drv_conn *c, const invs_value *v, int quoted,
                              const char **why)
{
    char buf[FMT_DOUBLE_TEXT + 4];
    size_t n;
    if (v->type == INVS_INT)
        n = fmt_i64_text(buf, v->num.i);
    else if (v->type == INVS_UINT)
        n = fmt_u64_text(buf, v->num.u);
    else if (!isfinite(v->num.d))
        return *why = "is NaN or infinite: JSON has no such number", -1;
    else if ((n = fmt_double_text(buf, v->num.d, c->loc)), !quoted &&
             !memchr(buf, '.', n) && !memchr(buf, 'e', n))
        buf[n++] = '.', buf[n++] = '0';
    if (quoted)
        json_put_string(&c->out, (const unsigned char *)buf, n);
    else
        fmt_out_put(&c->out, buf, n);
    return 0;
}

static int dj_out_bool(invs_drv_conn *c, const invs_value *v, const char **why)
{
    int b;
    if (v->type == INVS_INT || v->type == INVS_UINT)
        b = v->num.i != 0;
    else if (v->type == INVS_TEXT && v->len >= 1 && strchr("tT1yY", *(const char *)v->ptr))
        b = 1;
    else if (v->type == INVS_TEXT && v->len >= 1 && strchr("fF0nN", *(const char *)v->ptr))
        b = 0;
    else
        return *why = "is no boolean", -1;
    fmt_out_str(&c->out, b ? "true" : "false");
    return 0;
}

int dj_value_out(invs_drv_conn *c, int32_t canon, const invs_value *v, const char **why)
{
    int num = v->type == INVS_INT || v->type == INVS_UINT || v->type == INVS_REAL;
    if (v->type == INVS_NULL) {
        fmt_out_str(&c->out, "null");
        return 0;
    }
    if (canon == INVS_T_BOOL)
        return dj_out_bool(c, v, why);
    if (v->type == INVS_BLOB) {
        json_put_b64(&c->out, v->ptr, v->len);
        return 0;
    }
    if (num)
        return dj_out_number_text(c, v, canon == INVS_T_DECIMAL || canon == INVS_T_NUMERIC, why);
    if (!fmt_utf8_valid(v->ptr, v->len))
        return *why = "is text that is not UTF-8 (verify repairs it)", -1;
    if (canon == INVS_T_JSON || canon == DJ_T_PYJSON)
        return dj_out_json(c, v->ptr, v->len, why);
    if (canon == INVS_T_TIMESTAMP || canon == INVS_T_TIMESTAMPTZ)
        dj_out_timestamp(c, v->ptr, v->len);
    else
        json_put_string(&c->out, v->ptr, v->len);
    return 0;
}

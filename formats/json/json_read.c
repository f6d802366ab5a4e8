/*
 * The invstage format as JSON, read (formats/FORMAT.md, "JSON"): the
 * framing token by token, the small parts (header members, descriptions,
 * the trailer) as trees, and rows value by value into the cursor's row.
 * The document's members come in the order the format gives: "format"
 * first, the header's members, "tables", "data", "trailer".
 */
#include "fmt_text.h"
#include "json_codec.h"

enum {
    JS_HEADER,
    JS_TABLES_OPEN,  /* "tables": read, '[' next */
    JS_TABLES_FIRST, /* '[' read */
    JS_TABLES_MORE,  /* a description read */
    JS_DATA_OPEN,    /* the descriptions' ']' read */
    JS_ROWS_FIRST,   /* a section's "rows":[ read */
    JS_ROWS_MORE,    /* a row read */
    JS_DATA_MORE,    /* a section's '}' read */
    JS_END
};

typedef struct jr_state {
    json_tok tok;
    invs_strbuf sb; /* the framing's strings */
    int state;
    char *name;     /* the current section's table */
} jr_state;

#define JR(c) ((jr_state *)(c)->rd->cs)

int jr_open(fmt_conn *c, fmt_reader *r)
{
    jr_state *s = fmt_host->alloc(sizeof(*s));
    if (!s)
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(s, 0, sizeof(*s));
    json_tok_init(&s->tok, &r->in, c->loc);
    fmt_sb_init(&s->sb);
    r->cs = s;
    return INVS_OK;
}

void jr_close(fmt_reader *r)
{
    jr_state *s = r->cs;
    invs_sb_free(&s->sb);
    fmt_host->free(s->name);
    fmt_host->free(s);
    r->cs = NULL;
}

/* The tokenizer failed: its reason, as the driver reports it. */
static int jr_fail(fmt_conn *c)
{
    json_tok *t = &JR(c)->tok;
    if (t->err == JE_NOMEM)
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    if (t->err == JE_IO)
        return fmt_host->error(c->s, INVS_EIO, NULL, t->sys_errno, "%s: reading at byte %llu: %s",
                               c->shown, (unsigned long long)t->err_off, t->msg);
    return fmt_corrupt(c, t->err_off, "%s", t->msg);
}

static int jr_next(fmt_conn *c, invs_strbuf *sb)
{
    return json_next(&JR(c)->tok, sb);
}

/* The token just read is not what the format has here. */
static int jr_unexpected(fmt_conn *c, const char *want)
{
    json_tok *t = &JR(c)->tok;
    if (t->type == JT_ERROR)
        return jr_fail(c);
    if (t->type == JT_EOF)
        return fmt_corrupt(c, t->off, "the file ends where %s belongs: it was cut short", want);
    return fmt_corrupt(c, t->off, "expected %s, not %s", want, json_tok_what(t->type));
}

static int jr_expect(fmt_conn *c, int type)
{
    if (jr_next(c, &JR(c)->sb) == type)
        return INVS_OK;
    return jr_unexpected(c, json_tok_what(type));
}

/* "key": */
static int jr_expect_key(fmt_conn *c, const char *key)
{
    jr_state *s = JR(c);
    char want[40];
    snprintf(want, sizeof(want), "\"%s\"", key);
    invs_sb_reset(&s->sb);
    if (jr_next(c, &s->sb) != JT_STRING || s->tok.str_len != strlen(key) ||
        memcmp(s->sb.p + s->tok.str_off, key, s->tok.str_len) != 0)
        return s->tok.type == JT_STRING
                   ? fmt_corrupt(c, s->tok.off, "expected the member %s here", want)
                   : jr_unexpected(c, want);
    return jr_expect(c, JT_COLON);
}

/* The value whose first token was just read, as a tree. */
static int jr_node(fmt_conn *c, invs_pool *pool, fmt_node *out)
{
    fmt_node_budget b;
    fmt_node_budget_init(&b);
    invs_sb_reset(&JR(c)->sb);
    if (json_node(&JR(c)->tok, &JR(c)->sb, pool, &b, out) != 0)
        return jr_fail(c);
    return INVS_OK;
}

/* ------------------------------------------------------------ header */

/* A file that starts like msgpack is named as such. */
static int jr_not_json(fmt_conn *c, unsigned first)
{
    uint64_t at = JR(c)->tok.type == JT_ERROR ? JR(c)->tok.err_off : JR(c)->tok.off;
    if ((first >= 0x80 && first <= 0x8f) || first == 0xde || first == 0xdf)
        return fmt_corrupt(c, 0, "not JSON: this looks like msgpack (use msgpack:FILE, or "
                                 "import -f msgpack)");
    return fmt_corrupt(c, at, "not an invstage JSON file: it does not begin with '{'");
}

static int jr_add_member(fmt_conn *c, invs_pool *pool, fmt_node *map, size_t *cap,
                         size_t *kcap, const char *key)
{
    if (!(map->kids = invs_pool_grow(pool, map->kids, map->n, cap, sizeof(fmt_node))) ||
        !(map->keys = invs_pool_grow(pool, map->keys, map->n, kcap, sizeof(char *))) ||
        !(map->keys[map->n] = invs_pool_str(pool, key)))
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    if (jr_next(c, &JR(c)->sb) == JT_ERROR)
        return jr_fail(c);
    if (jr_node(c, pool, &map->kids[map->n]) != INVS_OK)
        return INVS_ECORRUPT;
    map->n++;
    return INVS_OK;
}

/* The document's members before "tables", as one map. */
int jr_header(fmt_conn *c, invs_pool *pool, fmt_node *out)
{
    jr_state *s = JR(c);
    size_t cap = 0, kcap = 0;
    unsigned first;
    int rc;
    memset(out, 0, sizeof(*out));
    out->type = FN_MAP;
    if (fmt_in_need(&c->rd->in, 1) < 0)
        return fmt_read_failed(c, &c->rd->in);
    first = fmt_in_avail(&c->rd->in) ? c->rd->in.buf[c->rd->in.pos] : 0;
    if (jr_next(c, &s->sb) != JT_LBRACE)
        return s->tok.type == JT_ERROR && s->tok.err != JE_SYNTAX ? jr_fail(c)
                                                                   : jr_not_json(c, first);
    for (;;) {
        char key[32];
        invs_sb_reset(&s->sb);
        if (jr_next(c, &s->sb) != JT_STRING)
            return jr_unexpected(c, out->n ? "the member \"tables\"" : "the member \"format\"");
        snprintf(key, sizeof(key), "%.*s", (int)s->tok.str_len, s->sb.p + s->tok.str_off);
        if (out->n == 0 && strcmp(key, "format") != 0)
            return fmt_corrupt(c, s->tok.off, "not an invstage JSON file: its first member is "
                                              "not \"format\"");
        if ((rc = jr_expect(c, JT_COLON)) != INVS_OK)
            return rc;
        if (!strcmp(key, "tables"))
            break;
        if ((rc = jr_add_member(c, pool, out, &cap, &kcap, key)) != INVS_OK)
            return rc;
        if ((rc = jr_expect(c, JT_COMMA)) != INVS_OK)
            return rc;
    }
    s->state = JS_TABLES_OPEN;
    return INVS_OK;
}

int jr_table(fmt_conn *c, invs_pool *pool, fmt_node *out)
{
    jr_state *s = JR(c);
    int rc;
    if (s->state == JS_TABLES_OPEN) {
        if ((rc = jr_expect(c, JT_LBRACKET)) != INVS_OK)
            return rc;
        s->state = JS_TABLES_FIRST;
    }
    if (s->state != JS_TABLES_FIRST && s->state != JS_TABLES_MORE)
        return fmt_corrupt(c, fmt_in_off(&c->rd->in), "descriptions read out of place");
    jr_next(c, &s->sb);
    if (s->tok.type == JT_RBRACKET) {
        s->state = JS_DATA_OPEN;
        return INVS_DONE;
    }
    if (s->state == JS_TABLES_MORE) {
        if (s->tok.type != JT_COMMA)
            return jr_unexpected(c, "',' or ']' after a table's description");
        jr_next(c, &s->sb);
    }
    if (s->tok.type != JT_LBRACE)
        return jr_unexpected(c, "a table's description ('{')");
    if ((rc = jr_node(c, pool, out)) != INVS_OK)
        return rc;
    s->state = JS_TABLES_MORE;
    return INVS_ROW;
}

/* ------------------------------------------------------------ sections */

/* After '{': "table": NAME, "rows": [ */
static int jr_entry(fmt_conn *c, fmt_section *sec)
{
    jr_state *s = JR(c);
    int rc;
    sec->off = s->tok.off;
    if ((rc = jr_expect_key(c, "table")) != INVS_OK)
        return rc;
    invs_sb_reset(&s->sb);
    if (jr_next(c, &s->sb) != JT_STRING)
        return jr_unexpected(c, "a table name");
    fmt_host->free(s->name);
    if (!(s->name = fmt_host->alloc(s->tok.str_len + 1)))
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    memcpy(s->name, s->sb.p + s->tok.str_off, s->tok.str_len);
    s->name[s->tok.str_len] = '\0';
    if ((rc = jr_expect(c, JT_COMMA)) != INVS_OK || (rc = jr_expect_key(c, "rows")) != INVS_OK ||
        (rc = jr_expect(c, JT_LBRACKET)) != INVS_OK)
        return rc;
    sec->kind = FMT_SEC_TABLE;
    sec->name = s->name;
    s->state = JS_ROWS_FIRST;
    return INVS_OK;
}

/* After the data's ']': "trailer": {...} } and the end of the file. */
static int jr_trailer(fmt_conn *c, invs_pool *pool, fmt_section *sec)
{
    jr_state *s = JR(c);
    int rc;
    if ((rc = jr_expect(c, JT_COMMA)) != INVS_OK)
        return rc;
    sec->off = fmt_in_off(&c->rd->in);
    if ((rc = jr_expect_key(c, "trailer")) != INVS_OK)
        return rc;
    if (jr_next(c, &s->sb) != JT_LBRACE)
        return jr_unexpected(c, "the trailer ('{')");
    if ((rc = jr_node(c, pool, &sec->trailer)) != INVS_OK || (rc = jr_expect(c, JT_RBRACE)) != INVS_OK)
        return rc;
    if (jr_next(c, &s->sb) != JT_EOF)
        return s->tok.type == JT_ERROR
                   ? jr_fail(c)
                   : fmt_corrupt(c, s->tok.off, "something follows the end of the document");
    sec->kind = FMT_SEC_TRAILER;
    s->state = JS_END;
    return INVS_OK;
}

int jr_section(fmt_conn *c, int at_offset, invs_pool *pool, fmt_section *sec)
{
    jr_state *s = JR(c);
    int rc;
    if (at_offset) {
        s->tok.type = JT_EOF; /* the tokenizer starts afresh where the reader was moved */
        if (jr_next(c, &s->sb) != JT_LBRACE)
            return jr_unexpected(c, "a table's rows ('{')");
        return jr_entry(c, sec);
    }
    if (s->state == JS_DATA_OPEN) {
        if ((rc = jr_expect(c, JT_COMMA)) != INVS_OK || (rc = jr_expect_key(c, "data")) != INVS_OK ||
            (rc = jr_expect(c, JT_LBRACKET)) != INVS_OK)
            return rc;
        jr_next(c, &s->sb);
    } else if (s->state == JS_DATA_MORE) {
        if (jr_next(c, &s->sb) == JT_COMMA) {
            if (jr_next(c, &s->sb) != JT_LBRACE)
                return jr_unexpected(c, "a table's rows ('{')");
        } else if (s->tok.type != JT_RBRACKET) {
            return jr_unexpected(c, "',' or ']' after a table's rows");
        }
    } else {
        return fmt_corrupt(c, fmt_in_off(&c->rd->in), "a section read out of place");
    }
    if (s->tok.type == JT_LBRACE)
        return jr_entry(c, sec);
    if (s->tok.type == JT_RBRACKET)
        return jr_trailer(c, pool, sec);
    return jr_unexpected(c, "a table's rows ('{') or the end of the data (']')");
}

/* ------------------------------------------------------------ rows */

/* The payload of {"CLASS": ...}, the token just read. */
static int jr_payload(fmt_conn *c, fmt_rowbuf *rb, invs_value *v, int vc)
{
    json_tok *t = &JR(c)->tok;
    size_t bad, n;
    switch (vc) {
    case VC_NULL:
        if (t->type == JT_NULL)
            return v->type = INVS_NULL, INVS_OK;
        break;
    case VC_INT:
        if (t->type == JT_INT)
            return v->type = INVS_INT, v->num.i = t->i, INVS_OK;
        break;
    case VC_UINT:
        if (t->type == JT_UINT || (t->type == JT_INT && t->i >= 0))
            return v->type = INVS_UINT, v->num.u = t->type == JT_UINT ? t->u : (uint64_t)t->i,
                   INVS_OK;
        break;
    case VC_REAL:
        v->type = INVS_REAL;
        if (t->type == JT_REAL)
            return v->num.d = t->d, INVS_OK;
        if (t->type == JT_STRING &&
            fmt_hex_bits(rb->sb.p + t->str_off, t->str_len, &v->num.d) == 0) {
            rb->sb.len = t->str_off;
            return INVS_OK;
        }
        return fmt_corrupt(c, t->off, "a real is a number or its 16 hex digits");
    case VC_TEXT:
        if (t->type == JT_STRING)
            return v->type = INVS_TEXT, v->num.u = t->str_off, v->len = t->str_len, INVS_OK;
        break;
    default: /* bytes, blob: base64, decoded where it was read */
        if (t->type != JT_STRING)
            break;
        if (fmt_b64_decode((unsigned char *)rb->sb.p + t->str_off, &n, rb->sb.p + t->str_off,
                           t->str_len, &bad) != 0)
            return fmt_corrupt(c, t->off + 1 + bad, "invalid base64");
        rb->sb.len = t->str_off + n;
        v->type = vc == VC_BLOB ? INVS_BLOB : INVS_TEXT;
        v->num.u = t->str_off;
        v->len = n;
        return INVS_OK;
    }
    return fmt_corrupt(c, t->off, "a value of class %s cannot be %s", fmt_vclass_name(vc),
                       json_tok_what(t->type));
}

/* One member of a value object: class or flags. */
static int jr_member(fmt_conn *c, fmt_rowbuf *rb, invs_value *v, int *vc, int *flags)
{
    json_tok *t = &JR(c)->tok;
    uint64_t at = t->off;
    int kc, is_flags, rc;
    kc = fmt_vclass(rb->sb.p + t->str_off, t->str_len);
    is_flags = t->str_len == 5 && !memcmp(rb->sb.p + t->str_off, "flags", 5);
    if (kc == VC_NONE && !is_flags)
        return fmt_corrupt(c, at, "a value has an unknown member \"%.*s\"",
                           (int)(t->str_len > 40 ? 40 : t->str_len), rb->sb.p + t->str_off);
    rb->sb.len = t->str_off; /* the key is not kept */
    if (jr_next(c, &rb->sb) != JT_COLON)
        return jr_unexpected(c, "':'");
    if (jr_next(c, &rb->sb) == JT_ERROR)
        return jr_fail(c);
    if (is_flags) {
        if (t->type != JT_INT || t->i < 0 || t->i > 255 || *flags >= 0)
            return fmt_corrupt(c, t->off, "a value's flags are one integer 0-255");
        *flags = (int)t->i;
        return INVS_OK;
    }
    if (*vc != VC_NONE)
        return fmt_corrupt(c, at, "a value has two classes");
    *vc = kc;
    rc = jr_payload(c, rb, v, kc);
    return rc;
}

/* {"CLASS": payload[, "flags": N]}, its '{' just read. */
static int jr_tagged(fmt_conn *c, fmt_rowbuf *rb, invs_value *v)
{
    json_tok *t = &JR(c)->tok;
    uint64_t at = t->off;
    int vc = VC_NONE, flags = -1, rc;
    for (;;) {
        if (jr_next(c, &rb->sb) != JT_STRING)
            return jr_unexpected(c, "a value's class (\"int\", \"real\", \"text\", \"bytes\", "
                                    "\"blob\", ...)");
        if ((rc = jr_member(c, rb, v, &vc, &flags)) != INVS_OK)
            return rc;
        if (jr_next(c, &rb->sb) == JT_RBRACE)
            break;
        if (t->type != JT_COMMA)
            return jr_unexpected(c, "',' or '}' in a value");
    }
    if (vc == VC_NONE)
        return fmt_corrupt(c, at, "a value without a class");
    v->flags = (uint8_t)(flags < 0 ? 0 : flags);
    return INVS_OK;
}

/* The value whose first token was just read. */
static int jr_value(fmt_conn *c, fmt_rowbuf *rb, invs_value *v)
{
    json_tok *t = &JR(c)->tok;
    memset(v, 0, sizeof(*v));
    switch (t->type) {
    case JT_NULL: return INVS_OK;
    case JT_INT: v->type = INVS_INT, v->num.i = t->i; return INVS_OK;
    case JT_UINT: v->type = INVS_UINT, v->num.u = t->u; return INVS_OK;
    case JT_REAL: v->type = INVS_REAL, v->num.d = t->d; return INVS_OK;
    case JT_STRING:
        v->type = INVS_TEXT, v->num.u = t->str_off, v->len = t->str_len;
        return INVS_OK;
    case JT_LBRACE: return jr_tagged(c, rb, v);
    }
    return jr_unexpected(c, "a value");
}

/* The values of a row, its '[' just read; text and blob bytes in rb->sb,
 * their offsets turned into pointers once the row is whole. */
static int jr_values(fmt_conn *c, fmt_rowbuf *rb, uint64_t at)
{
    json_tok *t = &JR(c)->tok;
    size_t n = 0, i;
    int rc;
    if (jr_next(c, &rb->sb) != JT_RBRACKET)
        for (;;) {
            if (n == rb->ncols)
                return fmt_corrupt(c, t->off, "a row with more values than the table's %zu "
                                              "columns",
                                   rb->ncols);
            if ((rc = jr_value(c, rb, &rb->vals[n++])) != INVS_OK)
                return rc;
            if (jr_next(c, &rb->sb) == JT_RBRACKET)
                break;
            if (t->type != JT_COMMA)
                return jr_unexpected(c, "',' or ']' in a row");
            jr_next(c, &rb->sb);
        }
    if (n < rb->ncols)
        return fmt_corrupt(c, at, "a row of %zu values, the table has %zu columns", n, rb->ncols);
    if (invs_sb_failed(&rb->sb))
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    for (i = 0; i < n; i++) {
        invs_value *v = &rb->vals[i];
        if (v->type == INVS_TEXT || v->type == INVS_BLOB) {
            v->ptr = rb->sb.p ? rb->sb.p + v->num.u : "";
            v->num.u = 0;
        }
    }
    return INVS_OK;
}

int jr_row(fmt_conn *c, fmt_rowbuf *rb)
{
    jr_state *s = JR(c);
    int rc;
    invs_sb_reset(&rb->sb);
    jr_next(c, &rb->sb);
    if (s->state == JS_ROWS_MORE && s->tok.type == JT_COMMA) {
        if (jr_next(c, &rb->sb) != JT_LBRACKET)
            return jr_unexpected(c, "a row ('[')");
    } else if (s->state == JS_ROWS_MORE && s->tok.type != JT_RBRACKET) {
        return jr_unexpected(c, "',' or ']' after a row");
    } else if (s->state != JS_ROWS_FIRST && s->state != JS_ROWS_MORE) {
        return fmt_corrupt(c, fmt_in_off(&c->rd->in), "rows read out of place");
    }
    if (s->tok.type == JT_RBRACKET) { /* the table's rows end: '}' closes its section */
        if ((rc = jr_expect(c, JT_RBRACE)) != INVS_OK)
            return rc;
        s->state = JS_DATA_MORE;
        return INVS_DONE;
    }
    if (s->tok.type != JT_LBRACKET)
        return jr_unexpected(c, "a row ('[') or the end of the rows (']')");
    if ((rc = jr_values(c, rb, s->tok.off)) != INVS_OK)
        return rc;
    s->state = JS_ROWS_MORE;
    return INVS_ROW;
}

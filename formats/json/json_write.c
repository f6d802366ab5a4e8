/*
 * The invstage format as JSON, written (formats/FORMAT.md, "JSON"): one
 * document, its framing written here by hand, one row per line, each value
 * encoded as it comes: nothing is ever held as a tree.
 *
 *   {"format":"invstage","version":1,"meta":{...},
 *   "tables":[
 *   {description}, ...
 *   ],
 *   "data":[
 *   {"table":"t","rows":[
 *   [1,"a",null], ...
 *   ]}, ...
 *   ],
 *   "trailer":{"tables":[{"name":"t","rows":2,"digest":"..."}],"rows":2}}
 */
#include <math.h>

#include "fmt_text.h"
#include "json_codec.h"

typedef struct jw_state {
    json_emit e;
    int first_row;
} jw_state;

#define JW(c) ((jw_state *)(c)->ws)

int jw_open(fmt_conn *c)
{
    if (!(c->ws = fmt_host->alloc(sizeof(jw_state))))
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    json_emit_init(&JW(c)->e, &c->out);
    JW(c)->first_row = 1;
    return INVS_OK;
}

void jw_close(fmt_conn *c)
{
    fmt_host->free(c->ws);
    c->ws = NULL;
}

/* ------------------------------------------------------------ emitter */

void jw_map(fmt_conn *c, size_t n)
{
    (void)n;
    json_emit_open(&JW(c)->e, '{');
}

void jw_arr(fmt_conn *c, size_t n)
{
    (void)n;
    json_emit_open(&JW(c)->e, '[');
}

void jw_end(fmt_conn *c) { json_emit_close(&JW(c)->e); }
void jw_key(fmt_conn *c, const char *k) { json_emit_key(&JW(c)->e, k); }

void jw_str(fmt_conn *c, const char *s)
{
    json_emit_value(&JW(c)->e);
    if (s)
        json_put_string(&c->out, (const unsigned char *)s, strlen(s));
    else
        fmt_out_put(&c->out, "null", 4);
}

void jw_int(fmt_conn *c, int64_t v)
{
    unsigned char *p;
    json_emit_value(&JW(c)->e);
    if ((p = fmt_out_room(&c->out, 21)))
        c->out.len += fmt_i64_text((char *)p, v);
}

/* ------------------------------------------------------------ framing */

void jw_header(fmt_conn *c, size_t ntables)
{
    (void)ntables;
    fmt_out_str(&c->out, "{\"format\":\"" FMT_FORMAT_NAME "\",\"version\":1,\"meta\":");
    fmt_emit_facts(c);
    fmt_out_str(&c->out, ",\n\"tables\":[");
}

void jw_table(fmt_conn *c, const invs_table *t, size_t i)
{
    fmt_out_str(&c->out, i ? ",\n" : "\n");
    fmt_emit_table(c, t);
}

void jw_data_begin(fmt_conn *c, size_t i)
{
    const char *name = c->t[i].name;
    if (i == 0)
        fmt_out_str(&c->out, "\n],\n\"data\":[");
    fmt_out_str(&c->out, i ? ",\n" : "\n");
    c->t[i].off = fmt_out_pos(&c->out);
    fmt_out_str(&c->out, "{\"table\":");
    json_put_string(&c->out, (const unsigned char *)name, strlen(name));
    fmt_out_str(&c->out, ",\"rows\":[");
    JW(c)->first_row = 1;
}

void jw_data_end(fmt_conn *c, size_t i)
{
    (void)i;
    fmt_out_str(&c->out, "\n]}");
}

void jw_trailer(fmt_conn *c)
{
    if (c->nt == 0)
        fmt_out_str(&c->out, "\n],\n\"data\":[");
    fmt_out_str(&c->out, "\n],\n\"trailer\":");
    fmt_emit_trailer(c);
    fmt_out_str(&c->out, "}\n");
}

/* ------------------------------------------------------------ values */

static void jw_digits(fmt_out *o, int64_t i, uint64_t u, int is_u)
{
    unsigned char *p = fmt_out_room(o, 21);
    if (p)
        o->len += is_u ? fmt_u64_text((char *)p, u) : fmt_i64_text((char *)p, i);
}

/* A finite double as a JSON number that reads back as a double: with a
 * '.' or an exponent ("3.0", "-0.0", "1e+300"). */
static void jw_real(fmt_conn *c, double d)
{
    unsigned char *p = fmt_out_room(&c->out, FMT_DOUBLE_TEXT + 2);
    size_t n, k;
    if (!p)
        return;
    n = fmt_double_text((char *)p, d, c->loc);
    for (k = 0; k < n && p[k] != '.' && p[k] != 'e'; k++)
        ;
    if (k == n)
        p[n++] = '.', p[n++] = '0';
    c->out.len += n;
}

/* {"CLASS":payload[,"flags":N]}: what a plain JSON value cannot say. */
static void jw_tagged(fmt_conn *c, const invs_value *v)
{
    fmt_out *o = &c->out;
    char hex[18];
    int text_ok = v->type == INVS_TEXT && fmt_utf8_valid(v->ptr, v->len);
    int vc = v->type == INVS_INT    ? VC_INT
             : v->type == INVS_UINT ? VC_UINT
             : v->type == INVS_REAL ? VC_REAL
             : v->type == INVS_TEXT ? (text_ok ? VC_TEXT : VC_BYTES)
             : v->type == INVS_BLOB ? VC_BLOB
                                    : VC_NULL;
    fmt_out_str(o, "{\"");
    fmt_out_str(o, fmt_vclass_name(vc));
    fmt_out_str(o, "\":");
    switch (vc) {
    case VC_INT: jw_digits(o, v->num.i, 0, 0); break;
    case VC_UINT: jw_digits(o, 0, v->num.u, 1); break;
    case VC_REAL:
        if (isfinite(v->num.d)) {
            jw_real(c, v->num.d);
        } else { /* the 8 bytes, big-endian: NaN payloads, infinities */
            hex[0] = hex[17] = '"';
            fmt_bits_hex(hex + 1, v->num.d);
            fmt_out_put(o, hex, 18);
        }
        break;
    case VC_TEXT: json_put_string(o, v->ptr, v->len); break;
    case VC_BYTES:
    case VC_BLOB: json_put_b64(o, v->ptr, v->len); break;
    default: fmt_out_put(o, "null", 4);
    }
    if (v->flags) {
        fmt_out_str(o, ",\"flags\":");
        jw_digits(o, v->flags, 0, 0);
    }
    fmt_out_byte(o, '}');
}

static void jw_value(fmt_conn *c, const invs_value *v)
{
    fmt_out *o = &c->out;
    if (v->flags) {
        jw_tagged(c, v);
        return;
    }
    switch (v->type) {
    case INVS_NULL: fmt_out_put(o, "null", 4); return;
    case INVS_INT: jw_digits(o, v->num.i, 0, 0); return;
    case INVS_UINT: jw_digits(o, 0, v->num.u, 1); return;
    case INVS_REAL:
        if (isfinite(v->num.d))
            jw_real(c, v->num.d);
        else
            jw_tagged(c, v);
        return;
    case INVS_TEXT:
        if (fmt_utf8_valid(v->ptr, v->len))
            json_put_string(o, v->ptr, v->len);
        else
            jw_tagged(c, v);
        return;
    default: jw_tagged(c, v);
    }
}

int jw_rows(fmt_writer *w, const invs_value *rows, size_t nrows)
{
    fmt_conn *c = w->c;
    fmt_out *o = &c->out;
    size_t r, i;
    for (r = 0; r < nrows && !o->err; r++) {
        const invs_value *row = rows + r * w->ncols;
        fmt_out_put(o, JW(c)->first_row ? "\n[" : ",\n[", JW(c)->first_row ? 2 : 3);
        JW(c)->first_row = 0;
        for (i = 0; i < w->ncols; i++) {
            if (row[i].type > INVS_UINT)
                return fmt_write_fail(c, INVS_EINVAL, "table %s, column %zu: a value of unknown "
                                                      "type %d",
                                      c->t[w->table].name, i + 1, row[i].type);
            if (i)
                fmt_out_byte(o, ',');
            jw_value(c, &row[i]);
        }
        fmt_out_byte(o, ']');
        w->rows++;
    }
    return INVS_OK;
}

/*
 * The invstage format as msgpack, written (formats/FORMAT.md, "msgpack"):
 * a stream of msgpack objects packed by msgpack-c, one row per object:
 *
 *   {"format": "invstage", "version": 1, "meta": {...}, "tables": N}
 *   N descriptions (maps)
 *   per table: {"table": NAME}, then its rows (arrays)
 *   {"trailer": {"tables": [...], "rows": TOTAL}}
 */
#include <msgpack.h>

#include "fmt_text.h"
#include "mp_codec.h"

#define MW(c) ((msgpack_packer *)(c)->ws)

/* msgpack-c hands every packed piece here: into the file's buffer. */
static int mw_put(void *data, const char *buf, size_t len)
{
    fmt_out_put(data, buf, len);
    return 0;
}

int mw_open(fmt_conn *c)
{
    if (!(c->ws = fmt_host->alloc(sizeof(msgpack_packer))))
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    msgpack_packer_init(MW(c), &c->out, mw_put);
    return INVS_OK;
}

void mw_close(fmt_conn *c)
{
    fmt_host->free(c->ws);
    c->ws = NULL;
}

/* ------------------------------------------------------------ emitter */

void mw_map(fmt_conn *c, size_t n) { msgpack_pack_map(MW(c), n); }
void mw_arr(fmt_conn *c, size_t n) { msgpack_pack_array(MW(c), n); }
void mw_end(fmt_conn *c) { (void)c; } /* msgpack containers carry their counts */

static void mw_cstr(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

void mw_key(fmt_conn *c, const char *k) { mw_cstr(MW(c), k); }

void mw_str(fmt_conn *c, const char *s)
{
    if (s)
        mw_cstr(MW(c), s);
    else
        msgpack_pack_nil(MW(c));
}

void mw_int(fmt_conn *c, int64_t v) { msgpack_pack_int64(MW(c), v); }

/* ------------------------------------------------------------ framing */

void mw_header(fmt_conn *c, size_t ntables)
{
    msgpack_packer *pk = MW(c);
    msgpack_pack_map(pk, 4);
    mw_cstr(pk, "format");
    mw_cstr(pk, FMT_FORMAT_NAME);
    mw_cstr(pk, "version");
    msgpack_pack_int(pk, FMT_FORMAT_VERSION);
    mw_cstr(pk, "meta");
    fmt_emit_facts(c);
    mw_cstr(pk, "tables");
    msgpack_pack_uint64(pk, ntables);
}

void mw_table(fmt_conn *c, const invs_table *t, size_t i)
{
    (void)i;
    fmt_emit_table(c, t);
}

void mw_data_begin(fmt_conn *c, size_t i)
{
    c->t[i].off = fmt_out_pos(&c->out);
    msgpack_pack_map(MW(c), 1);
    mw_cstr(MW(c), "table");
    mw_cstr(MW(c), c->t[i].name);
}

void mw_data_end(fmt_conn *c, size_t i) { (void)c, (void)i; }

void mw_trailer(fmt_conn *c)
{
    msgpack_pack_map(MW(c), 1);
    mw_cstr(MW(c), "trailer");
    fmt_emit_trailer(c);
}

/* ------------------------------------------------------------ values */

/* {"CLASS": payload[, "flags": N]}: text that is not UTF-8, a value with
 * flags. */
static void mw_tagged(msgpack_packer *pk, const invs_value *v, int text_ok)
{
    int vc = v->type == INVS_INT    ? VC_INT
             : v->type == INVS_UINT ? VC_UINT
             : v->type == INVS_REAL ? VC_REAL
             : v->type == INVS_TEXT ? (text_ok ? VC_TEXT : VC_BYTES)
             : v->type == INVS_BLOB ? VC_BLOB
                                    : VC_NULL;
    msgpack_pack_map(pk, v->flags ? 2 : 1);
    mw_cstr(pk, fmt_vclass_name(vc));
    switch (vc) {
    case VC_INT: msgpack_pack_int64(pk, v->num.i); break;
    case VC_UINT: msgpack_pack_uint64(pk, v->num.u); break;
    case VC_REAL: msgpack_pack_double(pk, v->num.d); break;
    case VC_TEXT:
        msgpack_pack_str(pk, v->len);
        msgpack_pack_str_body(pk, v->ptr, v->len);
        break;
    case VC_BYTES:
    case VC_BLOB:
        msgpack_pack_bin(pk, v->len);
        msgpack_pack_bin_body(pk, v->ptr, v->len);
        break;
    default: msgpack_pack_nil(pk);
    }
    if (v->flags) {
        mw_cstr(pk, "flags");
        msgpack_pack_uint8(pk, v->flags);
    }
}

static void mw_value(msgpack_packer *pk, const invs_value *v)
{
    int text_ok = v->type == INVS_TEXT && fmt_utf8_valid(v->ptr, v->len);
    if (v->flags || (v->type == INVS_TEXT && !text_ok)) {
        mw_tagged(pk, v, text_ok);
        return;
    }
    switch (v->type) {
    case INVS_INT: msgpack_pack_int64(pk, v->num.i); return;
    case INVS_UINT: msgpack_pack_uint64(pk, v->num.u); return;
    case INVS_REAL: msgpack_pack_double(pk, v->num.d); return; /* the 8 bytes: NaN too */
    case INVS_TEXT:
        msgpack_pack_str(pk, v->len);
        msgpack_pack_str_body(pk, v->ptr, v->len);
        return;
    case INVS_BLOB:
        msgpack_pack_bin(pk, v->len);
        msgpack_pack_bin_body(pk, v->ptr, v->len);
        return;
    default: msgpack_pack_nil(pk);
    }
}

int mw_rows(fmt_writer *w, const invs_value *rows, size_t nrows)
{
    fmt_conn *c = w->c;
    size_t r, i;
    for (r = 0; r < nrows && !c->out.err; r++) {
        const invs_value *row = rows + r * w->ncols;
        msgpack_pack_array(MW(c), w->ncols);
        for (i = 0; i < w->ncols; i++) {
            if (row[i].type > INVS_UINT)
                return fmt_write_fail(c, INVS_EINVAL, "table %s, column %zu: a value of unknown "
                                                      "type %d",
                                      c->t[w->table].name, i + 1, row[i].type);
            mw_value(MW(c), &row[i]);
        }
        w->rows++;
    }
    return INVS_OK;
}

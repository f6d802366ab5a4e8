/*
 * The invstage format as msgpack, read (formats/FORMAT.md, "msgpack").
 *
 * msgpack-c's unpacker allocates an array's or map's elements as soon as
 * it reads the count, before the elements arrive: five bytes claiming four
 * billion elements would have it ask for 96 GB. So each top-level object
 * is first walked here (mp_extent): its structure checked, its nesting
 * and element count bounded, its bytes made available in the input buffer
 * as they arrive (never because a header claims them). Only then is it
 * handed to msgpack_unpack_next, whose allocations are now bounded by the
 * object's own size; strings and binaries stay in the input buffer, so a
 * row's text and blobs are read without a copy.
 */
#include <msgpack.h>

#include "fmt_text.h"
#include "mp_codec.h"

typedef struct mr_state {
    msgpack_unpacked up;
    uint64_t tables_left; /* descriptions still to come */
    char *name;           /* the current section's table */
} mr_state;

#define MR(c) ((mr_state *)(c)->rd->cs)

int mr_open(fmt_conn *c, fmt_reader *r)
{
    mr_state *s = fmt_host->alloc(sizeof(*s));
    if (!s)
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(s, 0, sizeof(*s));
    msgpack_unpacked_init(&s->up);
    r->cs = s;
    return INVS_OK;
}

void mr_close(fmt_reader *r)
{
    mr_state *s = r->cs;
    msgpack_unpacked_destroy(&s->up);
    fmt_host->free(s->name);
    fmt_host->free(s);
    r->cs = NULL;
}

/* ------------------------------------------------------------ extents */

#define MP_DEPTH 16

static uint64_t mp_be(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    size_t i;
    for (i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* What one element's first byte says: header bytes h (with the length
 * bytes, whose count is *lenbytes), fixed body bytes, a container's count
 * (maps: keys and values), or -1 for a byte msgpack never uses. */
static int mp_classify(unsigned b, size_t *h, size_t *lenbytes, uint64_t *body, uint64_t *count,
                       int *container)
{
    *h = 1, *lenbytes = 0, *body = 0, *count = 0, *container = 0;
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return 0;
    if (b <= 0x8f)
        return *container = 1, *count = 2 * (b & 15), 0;
    if (b <= 0x9f)
        return *container = 1, *count = b & 15, 0;
    if (b <= 0xbf)
        return *body = b & 31, 0;
    switch (b) {
    case 0xc4: case 0xd9: *lenbytes = 1; return 0;   /* bin8, str8 */
    case 0xc5: case 0xda: *lenbytes = 2; return 0;   /* bin16, str16 */
    case 0xc6: case 0xdb: *lenbytes = 4; return 0;   /* bin32, str32 */
    case 0xc7: *lenbytes = 1, *body = 1; return 0;   /* ext8: + type */
    case 0xc8: *lenbytes = 2, *body = 1; return 0;
    case 0xc9: *lenbytes = 4, *body = 1; return 0;
    case 0xca: *body = 4; return 0;                  /* float32 */
    case 0xcb: *body = 8; return 0;                  /* float64 */
    case 0xcc: case 0xd0: *body = 1; return 0;
    case 0xcd: case 0xd1: *body = 2; return 0;
    case 0xce: case 0xd2: *body = 4; return 0;
    case 0xcf: case 0xd3: *body = 8; return 0;
    case 0xd4: *body = 2; return 0;                  /* fixext: type + data */
    case 0xd5: *body = 3; return 0;
    case 0xd6: *body = 5; return 0;
    case 0xd7: *body = 9; return 0;
    case 0xd8: *body = 17; return 0;
    case 0xdc: *lenbytes = 2, *container = 1; return 0;
    case 0xdd: *lenbytes = 4, *container = 1; return 0;
    case 0xde: *lenbytes = 2, *container = 2; return 0; /* 2: a map: twice the count */
    case 0xdf: *lenbytes = 4, *container = 2; return 0;
    }
    return -1; /* 0xc1 */
}

/* Make p bytes from the object's start available: 0, or an error. */
static int mp_need(fmt_conn *c, uint64_t start, size_t p)
{
    fmt_in *in = &c->rd->in;
    int r = fmt_in_need(in, p);
    if (r < 0)
        return fmt_read_failed(c, in);
    if (r == 0)
        return fmt_corrupt(c, start, "the file ends inside an object: it was cut short");
    return INVS_OK;
}

/* The length of the complete object at the reader's position, with at
 * most `budget` elements below it and `maxbytes` bytes; all of it is then
 * in the input buffer from in->pos. */
static int mp_extent(fmt_conn *c, size_t budget, uint64_t maxbytes, size_t *out_len)
{
    fmt_in *in = &c->rd->in;
    uint64_t start = fmt_in_off(in), remain[MP_DEPTH];
    size_t p = 0;
    int depth = 0, rc;
    for (;;) {
        size_t h, lb;
        uint64_t body, count;
        int container;
        if ((rc = mp_need(c, start, p + 1)) != INVS_OK)
            return rc;
        if (mp_classify(in->buf[in->pos + p], &h, &lb, &body, &count, &container) != 0)
            return fmt_corrupt(c, start + p, "byte 0x%02x is no msgpack", in->buf[in->pos + p]);
        if (lb) {
            uint64_t len;
            if ((rc = mp_need(c, start, p + 1 + lb)) != INVS_OK)
                return rc;
            len = mp_be(in->buf + in->pos + p + 1, lb);
            h += lb;
            if (container)
                count = container == 2 ? 2 * len : len;
            else
                body += len;
        }
        if (container && count > 0) {
            if (depth == MP_DEPTH)
                return fmt_corrupt(c, start + p, "nested deeper than %d levels", MP_DEPTH);
            if (count > budget)
                return fmt_corrupt(c, start + p, "a container of %llu elements, more than "
                                                 "this part of the file can hold",
                                   (unsigned long long)count);
            budget -= (size_t)count;
            remain[depth++] = count;
            p += h;
            continue;
        }
        if (body > maxbytes || p + h + body > maxbytes)
            return fmt_corrupt(c, start + p, "an object larger than this part of the file can "
                                             "hold (%llu bytes)",
                               (unsigned long long)maxbytes);
        if ((rc = mp_need(c, start, p + h + (size_t)body)) != INVS_OK)
            return rc;
        p += h + (size_t)body;
        while (depth > 0 && --remain[depth - 1] == 0)
            depth--;
        if (depth == 0) {
            *out_len = p;
            return INVS_OK;
        }
    }
}

/* The object at the reader's position, unpacked (valid until the next). */
static int mp_object(fmt_conn *c, size_t budget, uint64_t maxbytes, const msgpack_object **out)
{
    fmt_in *in = &c->rd->in;
    mr_state *s = MR(c);
    size_t len = 0, off = 0;
    int rc;
    if ((rc = mp_extent(c, budget, maxbytes, &len)) != INVS_OK)
        return rc;
    switch (msgpack_unpack_next(&s->up, (const char *)in->buf + in->pos, len, &off)) {
    case MSGPACK_UNPACK_SUCCESS: break;
    case MSGPACK_UNPACK_NOMEM_ERROR:
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    default: return fmt_corrupt(c, fmt_in_off(in), "msgpack-c cannot read this object");
    }
    if (off != len)
        return fmt_corrupt(c, fmt_in_off(in), "msgpack-c reads this object differently");
    in->pos += len;
    *out = &s->up.data;
    return INVS_OK;
}

/* ------------------------------------------------------------ trees */

static int mp_node(fmt_conn *c, invs_pool *pool, const msgpack_object *o, uint64_t off,
                   fmt_node *out);

static int mp_node_str(fmt_conn *c, invs_pool *pool, const char *p, size_t n, uint64_t off,
                       int check, fmt_node *out)
{
    char *s;
    if (check && !fmt_utf8_valid((const unsigned char *)p, n))
        return fmt_corrupt(c, off, "a string that is not UTF-8");
    if (!(s = invs_pool_alloc(pool, n + 1)))
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    if (n)
        memcpy(s, p, n);
    out->s = s;
    out->len = n;
    return INVS_OK;
}

static int mp_node_kids(fmt_conn *c, invs_pool *pool, const msgpack_object *o, uint64_t off,
                        fmt_node *out)
{
    size_t i, n = o->type == MSGPACK_OBJECT_MAP ? o->via.map.size : o->via.array.size;
    int rc;
    out->n = n;
    if (!(out->kids = invs_pool_alloc(pool, (n ? n : 1) * sizeof(fmt_node))) ||
        (o->type == MSGPACK_OBJECT_MAP &&
         !(out->keys = invs_pool_alloc(pool, (n ? n : 1) * sizeof(char *)))))
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    for (i = 0; i < n; i++) {
        const msgpack_object *v = o->type == MSGPACK_OBJECT_MAP ? &o->via.map.ptr[i].val
                                                                : &o->via.array.ptr[i];
        if (o->type == MSGPACK_OBJECT_MAP) {
            const msgpack_object *k = &o->via.map.ptr[i].key;
            fmt_node key;
            if (k->type != MSGPACK_OBJECT_STR)
                return fmt_corrupt(c, off, "a map whose keys are not strings");
            if ((rc = mp_node_str(c, pool, k->via.str.ptr, k->via.str.size, off, 1, &key)) !=
                INVS_OK)
                return rc;
            out->keys[i] = key.s;
        }
        if ((rc = mp_node(c, pool, v, off, &out->kids[i])) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

/* An object as a tree; every node at the object's offset. */
static int mp_node(fmt_conn *c, invs_pool *pool, const msgpack_object *o, uint64_t off,
                   fmt_node *out)
{
    memset(out, 0, sizeof(*out));
    out->off = off;
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: out->type = FN_NULL; return INVS_OK;
    case MSGPACK_OBJECT_BOOLEAN: out->type = FN_BOOL, out->i = o->via.boolean; return INVS_OK;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX)
            out->type = FN_UINT, out->u = o->via.u64;
        else
            out->type = FN_INT, out->i = (int64_t)o->via.u64;
        return INVS_OK;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: out->type = FN_INT, out->i = o->via.i64; return INVS_OK;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: out->type = FN_REAL, out->d = o->via.f64; return INVS_OK;
    case MSGPACK_OBJECT_STR:
        out->type = FN_STR;
        return mp_node_str(c, pool, o->via.str.ptr, o->via.str.size, off, 1, out);
    case MSGPACK_OBJECT_BIN:
        out->type = FN_BIN;
        return mp_node_str(c, pool, o->via.bin.ptr, o->via.bin.size, off, 0, out);
    case MSGPACK_OBJECT_ARRAY: out->type = FN_ARR; return mp_node_kids(c, pool, o, off, out);
    case MSGPACK_OBJECT_MAP: out->type = FN_MAP; return mp_node_kids(c, pool, o, off, out);
    default: return fmt_corrupt(c, off, "an ext object, which the format never uses");
    }
}

/* The next object, which must be a map, as a tree. */
static int mp_map_node(fmt_conn *c, invs_pool *pool, const char *what, fmt_node *out)
{
    fmt_in *in = &c->rd->in;
    uint64_t off = fmt_in_off(in);
    const msgpack_object *o;
    unsigned b;
    int rc;
    if ((rc = mp_need(c, off, 1)) != INVS_OK)
        return rc;
    b = in->buf[in->pos];
    if (!((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf))
        return fmt_corrupt(c, off, "expected %s (a map), not a byte 0x%02x", what, b);
    if ((rc = mp_object(c, FMT_NODE_MAX, FMT_NODE_BYTES, &o)) != INVS_OK)
        return rc;
    return mp_node(c, pool, o, off, out);
}

/* ------------------------------------------------------------ framing */

int mr_header(fmt_conn *c, invs_pool *pool, fmt_node *out)
{
    fmt_in *in = &c->rd->in;
    const fmt_node *tables, *format;
    int r = fmt_in_need(in, 1), rc;
    unsigned b = r > 0 ? in->buf[in->pos] : 0;
    if (r < 0)
        return fmt_read_failed(c, in);
    if (r > 0 && (b == '{' || b == ' ' || b == '\n' || b == '\r' || b == '\t'))
        return fmt_corrupt(c, 0, "not msgpack: this looks like JSON (use json:FILE, or "
                                 "import -f json)");
    if (r == 0 || !((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf))
        return fmt_corrupt(c, 0, "not an invstage msgpack file: it does not begin with a map");
    if ((rc = mp_map_node(c, pool, "the header", out)) != INVS_OK)
        return rc;
    tables = fmt_node_get(out, "tables");
    format = fmt_node_get(out, "format");
    if (!format || format->type != FN_STR || strcmp(format->s, FMT_FORMAT_NAME) != 0)
        return INVS_OK; /* refused, with its reason, by the header's reader */
    if (!tables || tables->type != FN_INT || tables->i < 0)
        return fmt_corrupt(c, out->off, "the header has no \"tables\" count");
    MR(c)->tables_left = (uint64_t)tables->i;
    return INVS_OK;
}

int mr_table(fmt_conn *c, invs_pool *pool, fmt_node *out)
{
    int rc;
    if (MR(c)->tables_left == 0)
        return INVS_DONE;
    if ((rc = mp_map_node(c, pool, "a table's description", out)) != INVS_OK)
        return rc;
    MR(c)->tables_left--;
    return INVS_ROW;
}

int mr_section(fmt_conn *c, int at_offset, invs_pool *pool, fmt_section *sec)
{
    fmt_in *in = &c->rd->in;
    const fmt_node *name, *trailer;
    fmt_node n;
    int r, rc;
    (void)at_offset; /* sections follow one another without separators */
    sec->off = fmt_in_off(in);
    if ((r = fmt_in_need(in, 1)) <= 0)
        return r < 0 ? fmt_read_failed(c, in)
                     : fmt_corrupt(c, sec->off, "the file ends before its trailer: it was cut "
                                                "short");
    if ((rc = mp_map_node(c, pool, "a table's rows or the trailer", &n)) != INVS_OK)
        return rc;
    name = fmt_node_get(&n, "table");
    trailer = fmt_node_get(&n, "trailer");
    if (name && name->type == FN_STR && strlen(name->s) == name->len && n.n == 1) {
        fmt_host->free(MR(c)->name);
        if (!(MR(c)->name = fmt_host->alloc(name->len + 1)))
            return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
        memcpy(MR(c)->name, name->s, name->len + 1);
        sec->kind = FMT_SEC_TABLE;
        sec->name = MR(c)->name;
        return INVS_OK;
    }
    if (!trailer || n.n != 1)
        return fmt_corrupt(c, sec->off, "expected {\"table\": NAME} or {\"trailer\": ...}");
    if ((r = fmt_in_need(in, 1)) != 0)
        return r < 0 ? fmt_read_failed(c, in)
                     : fmt_corrupt(c, fmt_in_off(in), "something follows the trailer");
    sec->kind = FMT_SEC_TRAILER;
    sec->trailer = *trailer;
    return INVS_OK;
}

/* ------------------------------------------------------------ rows */

/* The host names the table. */
static int mr_bad(fmt_conn *c, uint64_t off, size_t col, const char *what)
{
    return fmt_corrupt(c, off, "a row's value %zu: %s", col + 1, what);
}

/* The payload of {"CLASS": ...}. */
static int mr_payload(fmt_conn *c, const msgpack_object *o, int vc, invs_value *v, uint64_t off,
                      size_t col)
{
    int t = o->type;
    switch (vc) {
    case VC_NULL:
        if (t == MSGPACK_OBJECT_NIL)
            return v->type = INVS_NULL, INVS_OK;
        break;
    case VC_INT:
        if (t == MSGPACK_OBJECT_NEGATIVE_INTEGER ||
            (t == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= (uint64_t)INT64_MAX))
            return v->type = INVS_INT, v->num.i = o->via.i64, INVS_OK;
        break;
    case VC_UINT:
        if (t == MSGPACK_OBJECT_POSITIVE_INTEGER)
            return v->type = INVS_UINT, v->num.u = o->via.u64, INVS_OK;
        break;
    case VC_REAL:
        if (t == MSGPACK_OBJECT_FLOAT64 || t == MSGPACK_OBJECT_FLOAT32)
            return v->type = INVS_REAL, v->num.d = o->via.f64, INVS_OK;
        break;
    case VC_TEXT:
        if (t != MSGPACK_OBJECT_STR)
            break;
        if (!fmt_utf8_valid((const unsigned char *)o->via.str.ptr, o->via.str.size))
            return mr_bad(c, off, col, "a str that is not UTF-8");
        v->type = INVS_TEXT, v->ptr = o->via.str.size ? o->via.str.ptr : "";
        v->len = o->via.str.size;
        return INVS_OK;
    default: /* bytes, blob */
        if (t != MSGPACK_OBJECT_BIN)
            break;
        v->type = vc == VC_BLOB ? INVS_BLOB : INVS_TEXT;
        v->ptr = o->via.bin.size ? o->via.bin.ptr : "";
        v->len = o->via.bin.size;
        return INVS_OK;
    }
    return mr_bad(c, off, col, "a value of a class its payload does not have");
}

/* {"CLASS": payload[, "flags": N]} */
static int mr_tagged(fmt_conn *c, const msgpack_object *o, invs_value *v, uint64_t off,
                     size_t col)
{
    int vc = VC_NONE, flags = -1, rc;
    size_t i;
    for (i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key, *x = &o->via.map.ptr[i].val;
        int kc;
        if (k->type != MSGPACK_OBJECT_STR)
            return mr_bad(c, off, col, "a value's class is a string");
        kc = fmt_vclass(k->via.str.ptr, k->via.str.size);
        if (k->via.str.size == 5 && !memcmp(k->via.str.ptr, "flags", 5) && flags < 0) {
            if (x->type != MSGPACK_OBJECT_POSITIVE_INTEGER || x->via.u64 > 255)
                return mr_bad(c, off, col, "a value's flags are one integer 0-255");
            flags = (int)x->via.u64;
            continue;
        }
        if (kc == VC_NONE || vc != VC_NONE)
            return mr_bad(c, off, col, kc == VC_NONE ? "a value with an unknown member"
                                                     : "a value with two classes");
        vc = kc;
        if ((rc = mr_payload(c, x, vc, v, off, col)) != INVS_OK)
            return rc;
    }
    if (vc == VC_NONE)
        return mr_bad(c, off, col, "a value without a class");
    v->flags = (uint8_t)(flags < 0 ? 0 : flags);
    return INVS_OK;
}

static int mr_value(fmt_conn *c, const msgpack_object *o, invs_value *v, uint64_t off,
                    size_t col)
{
    memset(v, 0, sizeof(*v));
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: return INVS_OK;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX)
            v->type = INVS_UINT, v->num.u = o->via.u64;
        else
            v->type = INVS_INT, v->num.i = (int64_t)o->via.u64;
        return INVS_OK;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: v->type = INVS_INT, v->num.i = o->via.i64; return INVS_OK;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: v->type = INVS_REAL, v->num.d = o->via.f64; return INVS_OK;
    case MSGPACK_OBJECT_STR: return mr_payload(c, o, VC_TEXT, v, off, col);
    case MSGPACK_OBJECT_BIN: return mr_payload(c, o, VC_BLOB, v, off, col);
    case MSGPACK_OBJECT_MAP: return mr_tagged(c, o, v, off, col);
    case MSGPACK_OBJECT_BOOLEAN: return mr_bad(c, off, col, "a boolean (a stage holds 0 or 1)");
    default: return mr_bad(c, off, col, "an array or ext object is no value");
    }
}

/* The count of the array whose header starts at in->pos, or -1. */
static int64_t mr_array_count(const fmt_in *in)
{
    const unsigned char *p = in->buf + in->pos;
    size_t avail = fmt_in_avail(in);
    if (*p >= 0x90 && *p <= 0x9f)
        return *p & 15;
    if (*p == 0xdc && avail >= 3)
        return (int64_t)mp_be(p + 1, 2);
    if (*p == 0xdd && avail >= 5)
        return (int64_t)mp_be(p + 1, 4);
    return -1;
}

int mr_row(fmt_conn *c, fmt_rowbuf *rb)
{
    fmt_in *in = &c->rd->in;
    uint64_t off = fmt_in_off(in);
    const msgpack_object *o;
    int64_t n;
    size_t i;
    int r = fmt_in_need(in, 5), rc;
    unsigned b;
    if (r < 0)
        return fmt_read_failed(c, in);
    if (fmt_in_avail(in) == 0)
        return fmt_corrupt(c, off, "the file ends inside a table's rows: it was cut short");
    b = in->buf[in->pos];
    if ((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf)
        return INVS_DONE; /* the next section: left for mr_section */
    if ((n = mr_array_count(in)) < 0)
        return fmt_corrupt(c, off, "expected a row (an array), not a byte 0x%02x", b);
    if ((size_t)n != rb->ncols)
        return fmt_corrupt(c, off, "a row of %lld values, the table has %zu columns", (long long)n,
                           rb->ncols);
    /* a row: its values, each perhaps a map of two members of two */
    if ((rc = mp_object(c, 5 * rb->ncols + 1, UINT64_MAX, &o)) != INVS_OK)
        return rc;
    for (i = 0; i < rb->ncols; i++)
        if ((rc = mr_value(c, &o->via.array.ptr[i], &rb->vals[i], off, i)) != INVS_OK)
            return rc;
    return INVS_ROW;
}

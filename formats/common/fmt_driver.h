/*
 * fmt_driver.h -- one driver for every file format, over a table of the
 * format's own functions (its codec), in the shape of pg_dump's archive
 * formats: fmt_driver.c does what a file endpoint does whatever its
 * encoding (the temporary file and its rename, the order of tables, seeking
 * a table's rows, the trailer's checks, the facts of the header), and a
 * codec (formats/json/, formats/msgpack/) writes and reads the bytes.
 *
 * The file a codec writes (formats/FORMAT.md): a header (format, version,
 * facts), one description per table, each table's rows in sections, in
 * the order of the descriptions, then a trailer (row counts, digests).
 * Writing goes forward only; reading may seek back to a section whose
 * offset it has seen (or, for the proof's read-back, that it wrote).
 *
 * Source-shared: each module under formats/ compiles these files itself
 * and adds its codec and its entry point.
 */
#ifndef FMT_DRIVER_H
#define FMT_DRIVER_H

#include <locale.h>

#include "fmt_io.h"
#include "fmt_node.h"
#include "invstage/driver.h"
#include "invstage/pool.h"
#include "invstage/strbuf.h"

#define FMT_FORMAT_NAME "invstage"
#define FMT_FORMAT_VERSION 1

extern const invs_host *fmt_host;

typedef struct invs_drv_conn fmt_conn;
typedef struct invs_drv_cursor fmt_cursor;
typedef struct invs_drv_writer fmt_writer;
typedef struct fmt_codec fmt_codec;

/* One table of the file as the driver keeps it between calls. */
typedef struct fmt_tinfo {
    char *name;
    size_t ncols;
    char *digest;  /* as the description carries it; NULL for none */
    uint64_t off;  /* where its rows' section starts; 0 while unknown */
    int64_t rows;  /* rows written, or read to the end; -1 while unknown */
} fmt_tinfo;

/* Where a reader is. */
enum fmt_rd_state {
    RD_SCHEMA,  /* after the header: descriptions next */
    RD_SECTION, /* between sections: table next_section's rows, or the trailer */
    RD_ROWS,    /* inside table cur's rows, cur_rows read */
    RD_END      /* after the trailer */
};

typedef struct fmt_reader {
    fmt_in in;
    int fd;
    int seekable;
    int state;
    size_t next_section, cur;
    int64_t cur_rows;
    int cursor_open;
    void *cs;      /* the codec's reading state */
    char **facts;  /* the header's facts: key, value, key, value ... */
    size_t nfacts; /* pairs */
} fmt_reader;

/* One row's values and the bytes behind them (valid until the next row). */
typedef struct fmt_rowbuf {
    size_t ncols;
    invs_value *vals;
    invs_strbuf sb;
} fmt_rowbuf;

struct invs_drv_conn {
    invs_session *s;
    const fmt_codec *codec;
    char *path;  /* the file; "-" for standard input or output */
    char *shown; /* "json:PATH", for messages */
    int std;
    unsigned flags;
    int replace;
    locale_t loc; /* "C" numbers, whatever the process's locale */
    fmt_tinfo *t; /* the file's tables, in file order */
    size_t nt, capt;

    /* writing */
    int fd;
    char *tmp; /* the temporary file, renamed to path on commit */
    fmt_out out;
    void *ws;  /* the codec's writing state */
    int wstate; /* 0 nothing yet, 1 header and descriptions, 2 rows, 3 trailer */
    size_t nload, next_write;
    int in_txn, written, committed;
    char **facts; /* the header's facts, from meta_set: key, value, key, ... */
    size_t nfacts; /* pairs */
    int werr;  /* a write failed: its error was reported */

    /* reading (a source, or what was written, read back) */
    fmt_reader *rd;
};

struct invs_drv_cursor {
    fmt_conn *c;
    size_t table;
    int done;
    int last; /* INVS_HINT_LAST: read on to the trailer after these rows */
    fmt_rowbuf rb;
};

struct invs_drv_writer {
    fmt_conn *c;
    size_t table;
    size_t ncols;
    int64_t rows;
};

/* A reader's next section. */
enum { FMT_SEC_TABLE = 1, FMT_SEC_TRAILER = 2 };
typedef struct fmt_section {
    int kind;
    uint64_t off;     /* where it starts */
    const char *name; /* FMT_SEC_TABLE: in the codec's buffers, until the next call */
    fmt_node trailer; /* FMT_SEC_TRAILER: in the pool given */
} fmt_section;

struct fmt_codec {
    const char *scheme; /* "json": the URI scheme, in messages */
    const char *label;  /* "JSON" */

    /* -- writing: the framing. Failures are sticky in c->out (or through
     * fmt_write_fail); the driver checks after each call. */
    int (*w_open)(fmt_conn *c);
    void (*w_close)(fmt_conn *c);
    /* the header: format, version, c->facts */
    void (*w_header)(fmt_conn *c, size_t ntables);
    /* table i's description (through the emitter, fmt_emit_table) */
    void (*w_table)(fmt_conn *c, const invs_table *t, size_t i);
    /* the start of table i's rows; sets c->t[i].off */
    void (*w_data_begin)(fmt_conn *c, size_t i);
    int (*w_rows)(fmt_writer *w, const invs_value *rows, size_t nrows);
    void (*w_data_end)(fmt_conn *c, size_t i);
    /* the trailer (through the emitter, fmt_emit_trailer) */
    void (*w_trailer)(fmt_conn *c);
    /* the emitter for the small structured parts */
    void (*e_map)(fmt_conn *c, size_t n);
    void (*e_arr)(fmt_conn *c, size_t n);
    void (*e_end)(fmt_conn *c);
    void (*e_key)(fmt_conn *c, const char *k);
    void (*e_str)(fmt_conn *c, const char *s); /* NULL: null; valid UTF-8 */
    void (*e_int)(fmt_conn *c, int64_t v);

    /* -- reading. Each returns INVS_OK / INVS_ROW / INVS_DONE or an error
     * reported on c->s (fmt_corrupt names the offset). */
    int (*r_open)(fmt_conn *c, fmt_reader *r);
    void (*r_close)(fmt_reader *r);
    /* the header as a map (format, version, meta, ...) */
    int (*r_header)(fmt_conn *c, invs_pool *pool, fmt_node *out);
    /* the next description (INVS_ROW), or INVS_DONE after the last */
    int (*r_table)(fmt_conn *c, invs_pool *pool, fmt_node *out);
    /* the next section: a table's rows or the trailer (then the end of the
     * file is checked). at_offset: the reader was just moved to a section
     * start (no separator before it). */
    int (*r_section)(fmt_conn *c, int at_offset, invs_pool *pool, fmt_section *sec);
    /* the next row of the section (INVS_ROW into rb), or INVS_DONE at its
     * end; what follows the section is left for r_section */
    int (*r_row)(fmt_conn *c, fmt_rowbuf *rb);
};

/* The driver functions every format shares (fmt_driver.c); a module's
 * table is FMT_DRIVER_TABLE below, with its own open. */
int fmt_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
             const char *const *options, const fmt_codec *codec);
void fmt_close(invs_drv_conn *c);
int fmt_schema_read(invs_drv_conn *c, invs_emit_table_fn emit, void *payload);
int fmt_meta_read(invs_drv_conn *c, invs_emit_meta_fn emit, void *payload);
int fmt_cursor_open(invs_drv_cursor **out, invs_drv_conn *c, const invs_table *t,
                    uint32_t hints);
int fmt_cursor_next(invs_drv_cursor *cur, const invs_value **out_row);
void fmt_cursor_close(invs_drv_cursor *cur);
int fmt_begin(invs_drv_conn *c);
int fmt_commit(invs_drv_conn *c);
int fmt_rollback(invs_drv_conn *c);
int fmt_has_rows(invs_drv_conn *c, const invs_table *t, int *out);
int fmt_table_clear(invs_drv_conn *c, const invs_table *t);
int fmt_load_begin(invs_drv_conn *c, const invs_table *const *ts, size_t n);
int fmt_load_end(invs_drv_conn *c, const invs_table *const *ts, size_t n);
int fmt_table_noop(invs_drv_conn *c, const invs_table *t);
int fmt_table_create(invs_drv_conn *c, const invs_table *t, uint32_t hints);
int fmt_writer_open(invs_drv_writer **out, invs_drv_conn *c, const invs_table *t);
int fmt_writer_put(invs_drv_writer *w, const invs_value *rows, size_t nrows);
int fmt_writer_close(invs_drv_writer *w, int abort);
int fmt_meta_set(invs_drv_conn *c, const char *const *kv);
/* The module's entry point: checks the host, keeps it. */
const invs_driver *fmt_driver_init(const invs_host *host, const invs_driver *d);

/* A file stores any value: nothing to refuse. */
extern const invs_limits fmt_limits;
/* A codec's sniff, once the first bytes fit its format: how sure it is
 * (certain when mark[0..len), the format's name as the codec writes it,
 * is in view too). */
int fmt_sniff_sure(const unsigned char *head, size_t n, const char *mark, size_t len);

#define FMT_DRIVER_TABLE(open_fn, name_, version_, description_, schemes_, suffixes_, sniff_) \
    {                                                                                        \
        .abi_major = INVS_ABI_MAJOR, .abi_minor = INVS_ABI_MINOR,                            \
        .struct_size = sizeof(invs_driver), .name = name_, .version = version_,              \
        .description = description_, .schemes = schemes_,                                    \
        .caps = INVS_CAP_PULL | INVS_CAP_PUSH | INVS_CAP_CREATE | INVS_CAP_TXN_DDL |         \
                INVS_CAP_FILE,                                                               \
        .open = open_fn, .close = fmt_close, .schema_read = fmt_schema_read,                 \
        .cursor_next = fmt_cursor_next, .cursor_close = fmt_cursor_close,                    \
        .begin = fmt_begin, .commit = fmt_commit, .rollback = fmt_rollback,                  \
        .has_rows = fmt_has_rows, .table_clear = fmt_table_clear,                            \
        .load_begin = fmt_load_begin, .writer_open = fmt_writer_open,                        \
        .writer_put = fmt_writer_put, .writer_close = fmt_writer_close,                      \
        .load_end = fmt_load_end, .sequences_set = fmt_table_noop,                           \
        .indexes_create = fmt_table_noop, .limits = &fmt_limits,                             \
        .cursor_open_v2 = fmt_cursor_open, .table_create_v2 = fmt_table_create,              \
        .meta_set = fmt_meta_set, .meta_read = fmt_meta_read, .suffixes = suffixes_,         \
        .sniff = sniff_,                                                                     \
    }

/* ---------------------------------------------------- between the parts */

/* Table t joins c->t: its name, columns and digest, kept between calls. */
int fmt_add_table(fmt_conn *c, const invs_table *t);
/* fmt_read.c: a reader on path (c->rd), its header read; and its end. */
int fmt_reader_open(fmt_conn *c, const char *path);
void fmt_reader_close(fmt_conn *c);

/* ---------------------------------------------------- for the codecs */

/* Report what is wrong with the file at byte off (INVS_ECORRUPT). */
int fmt_corrupt(fmt_conn *c, uint64_t off, const char *fmt, ...) INVS_PRINTF(3, 4);
/* Report a failed read (I/O or memory, from in->err). */
int fmt_read_failed(fmt_conn *c, const fmt_in *in);
/* Record that writing failed (the first reason wins); returns the code. */
int fmt_write_fail(fmt_conn *c, int code, const char *fmt, ...) INVS_PRINTF(3, 4);
static inline void fmt_sb_init(invs_strbuf *sb)
{
    invs_sb_init(sb, fmt_host->realloc, fmt_host->free);
}
static inline void fmt_pool_init(invs_pool *p)
{
    invs_pool_init(p, fmt_host->realloc, fmt_host->free);
}
static inline fmt_alloc fmt_allocator(void)
{
    fmt_alloc a = {fmt_host->realloc, fmt_host->free};
    return a;
}

/* fmt_schema.c: the structured parts, the same in every format. */
/* Every name and declaration of t is UTF-8 (what both containers hold as
 * text); otherwise an error naming it. */
int fmt_check_table_text(fmt_conn *c, const invs_table *t);
/* c->facts as a map */
void fmt_emit_facts(fmt_conn *c);
void fmt_emit_table(fmt_conn *c, const invs_table *t);
void fmt_emit_trailer(fmt_conn *c);
/* A description read back into t (in pool); errors name the offset. */
int fmt_table_from_node(fmt_conn *c, const fmt_node *n, invs_pool *pool, invs_table *t);
/* The header checked (format, version) and its facts kept in r. */
int fmt_header_from_node(fmt_conn *c, fmt_reader *r, const fmt_node *n);
/* The trailer checked against what was read. */
int fmt_trailer_check(fmt_conn *c, const fmt_node *n);

/* fmt_values: the special forms of a value both formats share: a map
 * {"CLASS": v[, "flags": n]} where CLASS is null, int, uint, real, text,
 * bytes (text that is not UTF-8), blob. */
enum fmt_vclass { VC_NONE = -1, VC_NULL, VC_INT, VC_UINT, VC_REAL, VC_TEXT, VC_BYTES, VC_BLOB };
int fmt_vclass(const char *key, size_t n);
const char *fmt_vclass_name(int vc);

#endif

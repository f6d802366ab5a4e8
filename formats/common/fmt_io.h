/*
 * fmt_io.h -- bytes in and out of a file format's file, buffered, with the
 * byte offset every message names.
 *
 * fmt_out writes through one buffer (flushed when full) to a file
 * descriptor; fmt_in reads through one buffer that grows only as far as
 * one object the caller needs whole (a row), never with the file. Both
 * allocate with the host's functions given at init. Source-shared by the
 * modules under formats/.
 */
#ifndef FMT_IO_H
#define FMT_IO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct fmt_alloc {
    void *(*realloc_fn)(void *, size_t);
    void (*free_fn)(void *);
} fmt_alloc;

/* ------------------------------------------------------------ out */

#define FMT_OUT_BUF (256u * 1024u)

typedef struct fmt_out {
    int fd;
    unsigned char *buf;
    size_t len, cap;
    uint64_t flushed; /* bytes written to fd before buf[0] */
    int err;          /* errno of the first failure; sticky */
    fmt_alloc a;
} fmt_out;

int fmt_out_init(fmt_out *o, int fd, fmt_alloc a);
void fmt_out_free(fmt_out *o);
/* Write what is buffered; 0 or -1 (o->err set). */
int fmt_out_flush(fmt_out *o);
/* Room for n more bytes at o->buf + o->len (flushing first if needed);
 * NULL after a failure. The caller adds what it wrote to o->len. */
unsigned char *fmt_out_room(fmt_out *o, size_t n);
void fmt_out_put(fmt_out *o, const void *p, size_t n);
static inline void fmt_out_byte(fmt_out *o, unsigned char c)
{
    if (o->len < o->cap)
        o->buf[o->len++] = c;
    else
        fmt_out_put(o, &c, 1);
}
static inline void fmt_out_str(fmt_out *o, const char *s) { fmt_out_put(o, s, strlen(s)); }
/* The offset of the next byte written. */
static inline uint64_t fmt_out_pos(const fmt_out *o) { return o->flushed + o->len; }

/* ------------------------------------------------------------ in */

#ifndef FMT_IN_BUF /* the fuzzers use a tiny one: every token crosses a refill */
#define FMT_IN_BUF (256u * 1024u)
#endif

typedef struct fmt_in {
    int fd;
    unsigned char *buf;
    size_t pos, end, cap;
    uint64_t base; /* file offset of buf[0] */
    int eof;
    int err;       /* errno of a failed read; sticky */
    fmt_alloc a;
} fmt_in;

int fmt_in_init(fmt_in *in, int fd, fmt_alloc a);
void fmt_in_free(fmt_in *in);
/* Make at least n bytes available from in->pos (keeping every byte from
 * in->pos on, growing the buffer only as data arrives). 1 when they are,
 * 0 at the end of the file with fewer, -1 on an I/O error or out of
 * memory (in->err: ENOMEM or the read's errno). */
int fmt_in_need(fmt_in *in, size_t n);
/* Continue reading at file offset off (a seekable file); 0 or -1. */
int fmt_in_seek(fmt_in *in, uint64_t off);
static inline uint64_t fmt_in_off(const fmt_in *in) { return in->base + in->pos; }
static inline size_t fmt_in_avail(const fmt_in *in) { return in->end - in->pos; }

/* ------------------------------------------------------------ files */

/* A new file beside `path` that no one else has: "PATH.invs-tmp-PID-N".
 * *out_tmp allocated with a.realloc_fn. The fd, or -1 with errno. */
int fmt_file_temp(char **out_tmp, const char *path, fmt_alloc a);
/* fsync the file, rename it over `path`, fsync the folder; 0 or -1. */
int fmt_file_commit(int fd, const char *tmp, const char *path, fmt_alloc a);

#endif

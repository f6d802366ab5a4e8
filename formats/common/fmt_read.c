/*
 * Reading a file (see fmt_driver.h): a pull from it, `verify --against`
 * it, or the proof reading back what a push wrote. The reader goes
 * forward through the header, the descriptions, each table's rows and the
 * trailer; a cursor on a table further on skips (and checks) the rows
 * between, and one on a table already passed seeks back to the offset its
 * section was seen at (or written at), where the file can seek. After the
 * last table's rows comes the trailer: its counts and digests must be
 * what was read, and nothing may follow it, so a file cut anywhere, even
 * between two rows, is refused. A pull of some tables only reads on past
 * the last one it takes (the host says which: INVS_HINT_LAST) to the
 * trailer, for the same reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt_driver.h"

static int rd_nomem(fmt_conn *c) { return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory"); }

void fmt_reader_close(fmt_conn *c)
{
    fmt_reader *r = c->rd;
    size_t i;
    if (!r)
        return;
    if (r->cs)
        c->codec->r_close(r);
    fmt_in_free(&r->in);
    if (r->fd > 0)
        close(r->fd);
    for (i = 0; i < 2 * r->nfacts; i++)
        fmt_host->free(r->facts[i]);
    fmt_host->free(r->facts);
    fmt_host->free(r);
    c->rd = NULL;
}

static int rd_header(fmt_conn *c)
{
    invs_pool pool;
    fmt_node n;
    int rc;
    fmt_pool_init(&pool);
    if ((rc = c->codec->r_header(c, &pool, &n)) == INVS_OK)
        rc = fmt_header_from_node(c, c->rd, &n);
    invs_pool_free(&pool);
    return rc;
}

int fmt_reader_open(fmt_conn *c, const char *path)
{
    fmt_reader *r;
    struct stat st;
    int fd = 0;
    if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return fmt_host->error(c->s, errno == ENOENT ? INVS_ENOTFOUND : INVS_EIO, NULL, errno,
                               "%s: %s", c->shown, strerror(errno));
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        if (fd > 0)
            close(fd);
        return fmt_host->error(c->s, INVS_EIO, NULL, 0, "%s is not a file", c->shown);
    }
    if (!(r = fmt_host->alloc(sizeof(*r)))) {
        if (fd > 0)
            close(fd);
        return rd_nomem(c);
    }
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->seekable = S_ISREG(st.st_mode);
    r->state = RD_SCHEMA;
    c->rd = r;
    if (fmt_in_init(&r->in, fd, fmt_allocator()) != 0)
        return rd_nomem(c);
    if (c->codec->r_open(c, r) != INVS_OK)
        return INVS_ENOMEM;
    return rd_header(c);
}

/* ------------------------------------------------------------ sections */

/* Description i read: the first time it joins c->t; read again (a second
 * schema_read, the proof's read-back) it must be the table known. */
static int rd_note_table(fmt_conn *c, size_t i, const invs_table *t, uint64_t off)
{
    size_t k;
    if (i < c->nt) {
        if (strcmp(c->t[i].name, t->name) != 0 || c->t[i].ncols != t->ncols)
            return fmt_corrupt(c, off, "table %zu is %s, but %s was %s", i + 1, t->name,
                               c->t[i].name, (c->flags & INVS_OPEN_WRITE) ? "written" : "read");
        return INVS_OK;
    }
    for (k = 0; k < c->nt; k++)
        if (strcmp(c->t[k].name, t->name) == 0)
            return fmt_corrupt(c, off, "table %s is described twice", t->name);
    return fmt_add_table(c, t);
}

/* Table k's rows were read to their end. */
static int rd_table_done(fmt_conn *c, size_t k, int64_t rows);

/* The next section, where the reader is (at_offset: just moved there,
 * expecting table `want`). */
static int rd_section(fmt_conn *c, int at_offset, size_t want)
{
    fmt_reader *r = c->rd;
    fmt_section sec;
    invs_pool pool;
    int rc;
    fmt_pool_init(&pool);
    memset(&sec, 0, sizeof(sec));
    if ((rc = c->codec->r_section(c, at_offset, &pool, &sec)) != INVS_OK)
        goto out;
    if (sec.kind == FMT_SEC_TRAILER) {
        if (r->next_section < c->nt) {
            rc = fmt_corrupt(c, sec.off, "the trailer comes where the rows of table %s belong",
                             c->t[r->next_section].name);
        } else if ((rc = fmt_trailer_check(c, &sec.trailer)) == INVS_OK) {
            r->state = RD_END;
        }
        goto out;
    }
    if (at_offset)
        r->next_section = want;
    if (r->next_section >= c->nt) {
        rc = fmt_corrupt(c, sec.off, "rows of a table %s where the trailer belongs", sec.name);
        goto out;
    }
    if (strcmp(sec.name, c->t[r->next_section].name) != 0) {
        rc = fmt_corrupt(c, sec.off, "the rows of table %s come where those of %s belong",
                         sec.name, c->t[r->next_section].name);
        goto out;
    }
    if (!c->t[r->next_section].off)
        c->t[r->next_section].off = sec.off;
    r->state = RD_ROWS;
    r->cur = r->next_section;
    r->cur_rows = 0;
out:
    invs_pool_free(&pool);
    return rc;
}

static int rd_table_done(fmt_conn *c, size_t k, int64_t rows)
{
    fmt_reader *r = c->rd;
    fmt_tinfo *ti = &c->t[k];
    if (ti->rows >= 0 && ti->rows != rows && !(c->flags & INVS_OPEN_WRITE))
        return fmt_corrupt(c, fmt_in_off(&r->in), "table %s held %lld rows, now %lld", ti->name,
                           (long long)ti->rows, (long long)rows);
    if (ti->rows >= 0 && ti->rows != rows)
        return fmt_corrupt(c, fmt_in_off(&r->in),
                           "table %s: %lld rows were written, %lld read back", ti->name,
                           (long long)ti->rows, (long long)rows);
    ti->rows = rows;
    r->state = RD_SECTION;
    r->next_section = k + 1;
    /* after the last table, the trailer: a file cut between two rows,
     * or after the last, ends before it */
    return k + 1 == c->nt ? rd_section(c, 0, 0) : INVS_OK;
}

static int rd_rowbuf_init(fmt_rowbuf *rb, size_t ncols)
{
    memset(rb, 0, sizeof(*rb));
    rb->ncols = ncols;
    fmt_sb_init(&rb->sb);
    if (!(rb->vals = fmt_host->alloc((ncols ? ncols : 1) * sizeof(invs_value))))
        return -1;
    memset(rb->vals, 0, (ncols ? ncols : 1) * sizeof(invs_value));
    return 0;
}

static void rd_rowbuf_free(fmt_rowbuf *rb)
{
    fmt_host->free(rb->vals);
    invs_sb_free(&rb->sb);
}

/* The rest of table r->cur's rows, read (so checked) and dropped. */
static int rd_skip_rows(fmt_conn *c)
{
    fmt_reader *r = c->rd;
    fmt_rowbuf rb;
    int rc;
    if (rd_rowbuf_init(&rb, c->t[r->cur].ncols) != 0) {
        rd_rowbuf_free(&rb);
        return rd_nomem(c);
    }
    while ((rc = c->codec->r_row(c, &rb)) == INVS_ROW)
        r->cur_rows++;
    rd_rowbuf_free(&rb);
    return rc == INVS_DONE ? rd_table_done(c, r->cur, r->cur_rows) : rc;
}

/* After the last table the host reads (INVS_HINT_LAST): the rest of the
 * file, each table's rows counted and dropped, to the trailer and the
 * end, so that a file cut after the tables taken is refused as well. */
static int rd_read_to_end(fmt_conn *c)
{
    fmt_reader *r = c->rd;
    int rc = INVS_OK;
    while (rc == INVS_OK && r->state != RD_END)
        rc = r->state == RD_ROWS ? rd_skip_rows(c) : rd_section(c, 0, 0);
    return rc;
}

/* Put the reader at the first row of table k. */
static int rd_goto_table(fmt_conn *c, size_t k)
{
    fmt_reader *r = c->rd;
    int rc = INVS_OK;
    if (r->state == RD_ROWS && r->cur == k && r->cur_rows == 0)
        return INVS_OK;
    if (c->t[k].off && r->seekable) {
        if (fmt_in_seek(&r->in, c->t[k].off) != 0)
            return fmt_read_failed(c, &r->in);
        return rd_section(c, 1, k);
    }
    while (rc == INVS_OK) {
        if (r->state == RD_ROWS && r->cur == k && r->cur_rows == 0)
            return INVS_OK;
        if (r->state == RD_ROWS)
            rc = rd_skip_rows(c);
        else if (r->state == RD_SECTION && r->next_section <= k)
            rc = rd_section(c, 0, 0);
        else
            return fmt_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                                   "%s: the rows of table %s were passed already, and %s "
                                   "cannot seek back",
                                   c->shown, c->t[k].name,
                                   r->seekable ? "this file" : "standard input");
    }
    return rc;
}

/* ------------------------------------------------------------ the driver */

/* The descriptions, each emitted as it is read. */
static int rd_tables(fmt_conn *c, invs_emit_table_fn emit, void *payload)
{
    fmt_reader *r = c->rd;
    size_t i;
    int rc = INVS_OK;
    for (i = 0; rc == INVS_OK; i++) {
        invs_pool pool;
        fmt_node n;
        invs_table t;
        fmt_pool_init(&pool);
        rc = c->codec->r_table(c, &pool, &n);
        if (rc == INVS_ROW && (rc = fmt_table_from_node(c, &n, &pool, &t)) == INVS_OK &&
            (rc = rd_note_table(c, i, &t, n.off)) == INVS_OK)
            rc = emit(&t, payload);
        invs_pool_free(&pool);
    }
    if (rc != INVS_DONE)
        return rc;
    if (i - 1 != c->nt)
        return fmt_corrupt(c, fmt_in_off(&r->in), "%zu tables were written, %zu read back",
                           c->nt, i - 1);
    r->state = RD_SECTION;
    r->next_section = 0;
    return c->nt == 0 ? rd_section(c, 0, 0) : INVS_OK;
}

int fmt_schema_read(invs_drv_conn *c, invs_emit_table_fn emit, void *payload)
{
    int rc;
    if (c->flags & INVS_OPEN_WRITE) {
        if (!c->written) /* a new file: nothing in it before the load */
            return INVS_OK;
        if (c->std)
            return fmt_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                                   "%s: what went to standard output cannot be read back "
                                   "(push with --no-check)",
                                   c->shown);
        fmt_reader_close(c);
        if ((rc = fmt_reader_open(c, c->tmp)) != INVS_OK)
            return rc;
    } else if (c->rd->state != RD_SCHEMA) { /* read again from the start */
        if (!c->rd->seekable)
            return fmt_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                                   "%s: standard input can be read only once", c->shown);
        fmt_reader_close(c);
        if ((rc = fmt_reader_open(c, c->path)) != INVS_OK)
            return rc;
    }
    return rd_tables(c, emit, payload);
}

int fmt_meta_read(invs_drv_conn *c, invs_emit_meta_fn emit, void *payload)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; c->rd && i < c->rd->nfacts && rc == INVS_OK; i++)
        rc = emit(c->rd->facts[2 * i], c->rd->facts[2 * i + 1], payload);
    return rc;
}

int fmt_cursor_open(invs_drv_cursor **out, invs_drv_conn *c, const invs_table *t,
                    uint32_t hints)
{
    fmt_cursor *cur;
    size_t k;
    int rc;
    /* rows come in the file's order, which is the source's: ANY_ORDER
     * changes nothing */
    *out = NULL;
    for (k = 0; k < c->nt && strcmp(c->t[k].name, t->name) != 0; k++)
        ;
    if (k == c->nt || !c->rd || c->rd->state == RD_SCHEMA)
        return fmt_host->error(c->s, INVS_ENOTFOUND, NULL, 0, "%s has no table %s", c->shown,
                               t->name);
    if (c->rd->cursor_open)
        return fmt_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                               "%s: one table is read at a time", c->shown);
    if ((rc = rd_goto_table(c, k)) != INVS_OK)
        return rc;
    if (!(cur = fmt_host->alloc(sizeof(*cur))))
        return rd_nomem(c);
    memset(cur, 0, sizeof(*cur));
    cur->c = c;
    cur->table = k;
    cur->last = (hints & INVS_HINT_LAST) != 0;
    if (rd_rowbuf_init(&cur->rb, c->t[k].ncols) != 0) {
        fmt_cursor_close(cur);
        return rd_nomem(c);
    }
    c->rd->cursor_open = 1;
    *out = cur;
    return INVS_OK;
}

int fmt_cursor_next(invs_drv_cursor *cur, const invs_value **out_row)
{
    fmt_conn *c = cur->c;
    fmt_reader *r = c->rd;
    int rc;
    if (cur->done)
        return INVS_DONE;
    if (r->state != RD_ROWS || r->cur != cur->table)
        return fmt_host->error(c->s, INVS_EINVAL, NULL, 0, "%s: the reader moved", c->shown);
    rc = c->codec->r_row(c, &cur->rb);
    if (rc == INVS_ROW) {
        r->cur_rows++;
        *out_row = cur->rb.vals;
        return INVS_ROW;
    }
    if (rc != INVS_DONE)
        return rc;
    cur->done = 1;
    if ((rc = rd_table_done(c, cur->table, r->cur_rows)) == INVS_OK && cur->last)
        rc = rd_read_to_end(c);
    return rc == INVS_OK ? INVS_DONE : rc;
}

void fmt_cursor_close(invs_drv_cursor *cur)
{
    if (!cur)
        return;
    if (cur->c->rd)
        cur->c->rd->cursor_open = 0;
    rd_rowbuf_free(&cur->rb);
    fmt_host->free(cur);
}

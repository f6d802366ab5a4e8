/*
 * The file endpoint every format shares (see fmt_driver.h): opening a
 * file URI, and the push side. A push writes a new file under a
 * temporary name beside FILE, forward only and in the order push hands
 * tables (its load order: parents first), which is the order the file
 * keeps; the proof reads that file back through fmt_read.c before commit
 * renames it into place, and rollback (or a close without commit) removes
 * it. "-" is standard input or output, the one file without a read-back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt_driver.h"

const invs_host *fmt_host;

/* A file holds any value of any class in any column, names of any length. */
const invs_limits fmt_limits = {
    .struct_size = sizeof(invs_limits),
    .flags = 0,
    .engine = "a file",
};

int fmt_sniff_sure(const unsigned char *head, size_t n, const char *mark, size_t len)
{
    size_t i;
    for (i = 0; len && i + len <= n; i++)
        if (head[i] == (unsigned char)mark[0] && !memcmp(head + i, mark, len))
            return 100;
    return 50;
}

int fmt_corrupt(fmt_conn *c, uint64_t off, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return fmt_host->error(c->s, INVS_ECORRUPT, NULL, 0, "%s: byte %llu: %s", c->shown,
                           (unsigned long long)off, msg);
}

int fmt_read_failed(fmt_conn *c, const fmt_in *in)
{
    if (in->err == ENOMEM)
        return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    return fmt_host->error(c->s, INVS_EIO, NULL, in->err, "%s: reading at byte %llu: %s",
                           c->shown, (unsigned long long)fmt_in_off(in), strerror(in->err));
}

int fmt_write_fail(fmt_conn *c, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (c->werr)
        return c->werr;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->werr = code;
    return fmt_host->error(c->s, code, NULL, 0, "%s: %s", c->shown, msg);
}

/* After a codec call that wrote: the first failure, reported once. */
static int fmt_wcheck(fmt_conn *c)
{
    if (c->werr)
        return c->werr;
    if (c->out.err == ENOMEM)
        return fmt_write_fail(c, INVS_ENOMEM, "out of memory");
    if (c->out.err)
        return fmt_write_fail(c, INVS_EIO, "writing: %s", strerror(c->out.err));
    return INVS_OK;
}

static char *fmt_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = fmt_host->alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int fmt_nomem(fmt_conn *c) { return fmt_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory"); }

/* ------------------------------------------------------------ open */

static int fmt_yes(const char *v, int *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        return *out = 1, 0;
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        return *out = 0, 0;
    return -1;
}

static int fmt_options(fmt_conn *c, const char *const *options)
{
    size_t i;
    for (i = 0; options && options[i]; i++) {
        const char *o = options[i], *eq = strchr(o, '=');
        size_t klen = eq ? (size_t)(eq - o) : strlen(o);
        if (klen == 7 && !strncmp(o, "replace", 7) && eq && fmt_yes(eq + 1, &c->replace) == 0)
            continue;
        return fmt_host->error(c->s, INVS_EINVAL, NULL, 0,
                               "the %s driver has no option '%s' (it knows replace=yes|no)",
                               c->codec->scheme, o);
    }
    return INVS_OK;
}

/* The path a URI names: SCHEME:PATH verbatim, SCHEME:///ABSOLUTE/PATH
 * percent-decoded, SCHEME:- for standard input or output. */
static int fmt_uri_path(fmt_conn *c, const char *uri)
{
    invs_uri *u = NULL;
    int rc = fmt_host->uri_parse(&u, uri);
    if (rc == INVS_OK && u->has_authority && u->host && *u->host && strcmp(u->host, "localhost"))
        rc = INVS_EINVAL;
    if (rc == INVS_OK && (!u->path || !*u->path || u->query || u->fragment))
        rc = INVS_EINVAL;
    if (rc == INVS_OK && !(c->path = fmt_strdup(u->path)))
        rc = INVS_ENOMEM;
    fmt_host->uri_free(u);
    if (rc == INVS_ENOMEM)
        return fmt_nomem(c);
    if (rc != INVS_OK) {
        char *red = fmt_host->uri_redact(uri);
        rc = fmt_host->error(c->s, INVS_EINVAL, NULL, 0,
                             "%s is not a %s file URI: use %s:FILE, %s:///ABSOLUTE/PATH or %s:-",
                             red ? red : "URI", c->codec->label, c->codec->scheme,
                             c->codec->scheme, c->codec->scheme);
        fmt_host->free(red);
        return rc;
    }
    c->std = !strcmp(c->path, "-");
    if (!(c->shown = fmt_host->alloc(strlen(c->codec->scheme) + strlen(c->path) + 2)))
        return fmt_nomem(c);
    sprintf(c->shown, "%s:%s", c->codec->scheme, c->path);
    return INVS_OK;
}

/* A new file beside c->path, written until commit renames it. */
static int fmt_open_write(fmt_conn *c)
{
    struct stat st;
    if (c->std) {
        c->fd = 1;
    } else if (stat(c->path, &st) == 0 && !c->replace) {
        return fmt_host->error(c->s, INVS_EINVAL, NULL, 0,
                               "%s exists: a file is written whole, never over another "
                               "(remove it, or replace it: export --force, -O replace=yes)",
                               c->shown);
    } else if (stat(c->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        return fmt_host->error(c->s, INVS_EIO, NULL, 0, "%s is not a regular file", c->shown);
    } else if ((c->fd = fmt_file_temp(&c->tmp, c->path, fmt_allocator())) < 0) {
        return fmt_host->error(c->s, errno == ENOMEM ? INVS_ENOMEM : INVS_EIO, NULL, errno,
                               "%s: cannot create a file beside it: %s", c->shown,
                               strerror(errno));
    }
    if (fmt_out_init(&c->out, c->fd, fmt_allocator()) != 0)
        return fmt_nomem(c);
    return c->codec->w_open(c);
}

int fmt_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
             const char *const *options, const fmt_codec *codec)
{
    fmt_conn *c;
    int rc;
    *out = NULL;
    if (!(c = fmt_host->alloc(sizeof(*c))))
        return fmt_host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(c, 0, sizeof(*c));
    c->s = s;
    c->codec = codec;
    c->flags = flags;
    c->fd = -1;
    if ((rc = fmt_uri_path(c, uri)) == INVS_OK && (rc = fmt_options(c, options)) == INVS_OK &&
        !(c->loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)))
        rc = fmt_nomem(c);
    if (rc == INVS_OK)
        rc = (flags & INVS_OPEN_WRITE) ? fmt_open_write(c) : fmt_reader_open(c, c->path);
    if (rc != INVS_OK) {
        fmt_close(c);
        return rc;
    }
    *out = c;
    return INVS_OK;
}

static void fmt_free_pairs(char **v, size_t npairs)
{
    size_t i;
    for (i = 0; i < 2 * npairs; i++)
        fmt_host->free(v[i]);
    fmt_host->free(v);
}

void fmt_close(invs_drv_conn *c)
{
    size_t i;
    if (!c)
        return;
    fmt_reader_close(c);
    if (c->ws)
        c->codec->w_close(c);
    fmt_out_free(&c->out);
    if (c->fd > 1)
        close(c->fd);
    if (c->tmp && !c->committed) /* a file that was not committed: leave nothing */
        unlink(c->tmp);
    for (i = 0; i < c->nt; i++) {
        fmt_host->free(c->t[i].name);
        fmt_host->free(c->t[i].digest);
    }
    fmt_host->free(c->t);
    if (c->facts)
        fmt_free_pairs(c->facts, c->nfacts);
    if (c->loc)
        freelocale(c->loc);
    fmt_host->free(c->tmp);
    fmt_host->free(c->path);
    fmt_host->free(c->shown);
    fmt_host->free(c);
}

/* ------------------------------------------------------------ transaction */

int fmt_begin(invs_drv_conn *c)
{
    c->in_txn = 1;
    return INVS_OK;
}

int fmt_commit(invs_drv_conn *c)
{
    int rc;
    if (!(c->flags & INVS_OPEN_WRITE))
        return INVS_OK;
    if (c->wstate != 3)
        return fmt_host->error(c->s, INVS_EINVAL, NULL, 0, "%s: commit before the load ended",
                               c->shown);
    if ((rc = fmt_wcheck(c)) != INVS_OK)
        return rc;
    if (!c->std && fmt_file_commit(c->fd, c->tmp, c->path, fmt_allocator()) != 0)
        return fmt_host->error(c->s, INVS_EIO, NULL, errno, "%s: %s", c->shown, strerror(errno));
    c->committed = 1;
    c->in_txn = 0;
    return INVS_OK;
}

int fmt_rollback(invs_drv_conn *c)
{
    if (c->tmp && !c->committed)
        unlink(c->tmp); /* close frees the name */
    c->in_txn = 0;
    return INVS_OK;
}

/* ------------------------------------------------------------ push */

/* A new file has no tables before the load, so nothing to clear. */
int fmt_has_rows(invs_drv_conn *c, const invs_table *t, int *out)
{
    (void)c, (void)t;
    *out = 0;
    return INVS_OK;
}

int fmt_table_clear(invs_drv_conn *c, const invs_table *t)
{
    (void)c, (void)t;
    return INVS_OK;
}

/* Keys, indexes and sequence positions are in a table's description. */
int fmt_table_noop(invs_drv_conn *c, const invs_table *t)
{
    (void)c, (void)t;
    return INVS_OK;
}

static int fmt_fact_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The header's facts: what push hands over (the facts about the data, as
 * the host chose them), kept in the order of their keys. */
int fmt_meta_set(invs_drv_conn *c, const char *const *kv)
{
    size_t i, n = 0, total = 0;
    char **pairs;
    for (total = 0; kv[total]; total++)
        ;
    if (!(pairs = fmt_host->alloc((2 * total + 1) * sizeof(*pairs))))
        return fmt_nomem(c);
    for (i = 0; i < total; i++) {
        const char *eq = strchr(kv[i], '=');
        size_t klen = eq ? (size_t)(eq - kv[i]) : 0;
        if (!eq)
            continue;
        pairs[2 * n] = fmt_host->alloc(klen + 1);
        pairs[2 * n + 1] = fmt_strdup(eq + 1);
        if (pairs[2 * n]) {
            memcpy(pairs[2 * n], kv[i], klen);
            pairs[2 * n][klen] = '\0';
        }
        n++;
        if (!pairs[2 * n - 2] || !pairs[2 * n - 1]) {
            fmt_free_pairs(pairs, n);
            return fmt_nomem(c);
        }
    }
    qsort(pairs, n, 2 * sizeof(char *), fmt_fact_cmp); /* by key: pairs move as one */
    if (c->facts)
        fmt_free_pairs(c->facts, c->nfacts);
    c->facts = pairs;
    c->nfacts = n;
    return INVS_OK;
}

/* The header, once: push creates every table of a new file after
 * load_begin and before any rows. */
int fmt_load_begin(invs_drv_conn *c, const invs_table *const *ts, size_t n)
{
    (void)ts;
    if (!(c->flags & INVS_OPEN_WRITE) || c->wstate != 0)
        return fmt_host->error(c->s, INVS_EINVAL, NULL, 0, "%s: a load began twice", c->shown);
    c->nload = n;
    c->codec->w_header(c, n);
    c->wstate = 1;
    return fmt_wcheck(c);
}

static int fmt_grow_tables(fmt_conn *c)
{
    fmt_tinfo *nt;
    size_t cap;
    if (c->nt < c->capt)
        return INVS_OK;
    cap = c->capt ? c->capt * 2 : 16;
    if (!(nt = fmt_host->realloc(c->t, cap * sizeof(*nt))))
        return fmt_nomem(c);
    c->t = nt;
    c->capt = cap;
    return INVS_OK;
}

int fmt_add_table(fmt_conn *c, const invs_table *t)
{
    fmt_tinfo *ti;
    int rc;
    if ((rc = fmt_grow_tables(c)) != INVS_OK)
        return rc;
    ti = &c->t[c->nt];
    memset(ti, 0, sizeof(*ti));
    ti->ncols = t->ncols;
    ti->rows = -1;
    ti->name = fmt_strdup(t->name);
    ti->digest = INVS_HAS(t, invs_table, digest) && t->digest ? fmt_strdup(t->digest) : NULL;
    if (!ti->name || (INVS_HAS(t, invs_table, digest) && t->digest && !ti->digest)) {
        fmt_host->free(ti->name);
        return fmt_nomem(c);
    }
    c->nt++;
    return INVS_OK;
}

int fmt_table_create(invs_drv_conn *c, const invs_table *t, uint32_t hints)
{
    int rc;
    (void)hints;
    if (c->wstate != 1 || c->nt >= c->nload)
        return fmt_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                               "%s: table %s must be created with the others, before any rows",
                               c->shown, t->name);
    if ((rc = fmt_check_table_text(c, t)) != INVS_OK || (rc = fmt_add_table(c, t)) != INVS_OK)
        return rc;
    c->codec->w_table(c, t, c->nt - 1);
    return fmt_wcheck(c);
}

int fmt_writer_open(invs_drv_writer **out, invs_drv_conn *c, const invs_table *t)
{
    fmt_writer *w;
    size_t k = c->next_write;
    int rc;
    *out = NULL;
    if (c->wstate < 1 || c->wstate > 2 || k >= c->nt || strcmp(c->t[k].name, t->name) != 0)
        return fmt_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                               "%s: rows of table %s come out of order (a file holds the "
                               "tables in the order they were created)",
                               c->shown, t->name);
    if (t->ncols != c->t[k].ncols)
        return fmt_host->error(c->s, INVS_EINVAL, NULL, 0, "%s: table %s: %zu columns, not %zu",
                               c->shown, t->name, t->ncols, c->t[k].ncols);
    c->wstate = 2;
    c->codec->w_data_begin(c, k);
    if ((rc = fmt_wcheck(c)) != INVS_OK)
        return rc;
    if (!(w = fmt_host->alloc(sizeof(*w))))
        return fmt_nomem(c);
    memset(w, 0, sizeof(*w));
    w->c = c;
    w->table = k;
    w->ncols = t->ncols;
    *out = w;
    return INVS_OK;
}

int fmt_writer_put(invs_drv_writer *w, const invs_value *rows, size_t nrows)
{
    int rc = w->c->codec->w_rows(w, rows, nrows);
    if (rc == INVS_OK)
        rc = fmt_wcheck(w->c);
    return rc;
}

int fmt_writer_close(invs_drv_writer *w, int abort)
{
    fmt_conn *c;
    int rc = INVS_OK;
    if (!w)
        return INVS_OK;
    c = w->c;
    if (!abort) {
        c->codec->w_data_end(c, w->table);
        c->t[w->table].rows = w->rows;
        c->next_write++;
        rc = fmt_wcheck(c);
    }
    fmt_host->free(w);
    return rc;
}

/* Every table's rows are in: the trailer, and the bytes out, so that the
 * proof can read the file back. */
int fmt_load_end(invs_drv_conn *c, const invs_table *const *ts, size_t n)
{
    int rc;
    (void)ts, (void)n;
    if (c->wstate < 1 || c->nt != c->nload || c->next_write != c->nt)
        return fmt_host->error(c->s, INVS_EINVAL, NULL, 0,
                               "%s: the load ended with %zu of %zu tables written", c->shown,
                               c->next_write, c->nload);
    c->codec->w_trailer(c);
    c->wstate = 3;
    if ((rc = fmt_wcheck(c)) != INVS_OK)
        return rc;
    if (fmt_out_flush(&c->out) != 0)
        return fmt_wcheck(c);
    c->written = 1;
    return INVS_OK;
}

const invs_driver *fmt_driver_init(const invs_host *host, const invs_driver *d)
{
    if (!host || host->abi_major != INVS_ABI_MAJOR)
        return NULL;
    if (!INVS_HAS(host, invs_host, canon_name)) {
        host->log(NULL, INVS_LOG_ERROR, "the %s driver needs host ABI %d.0's services", d->name,
                  INVS_ABI_MAJOR);
        return NULL;
    }
    fmt_host = host;
    return d;
}

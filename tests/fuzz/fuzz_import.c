/*
 * A libFuzzer target for an importer: the driver of one format (json or
 * msgpack, chosen at build time by which sources are compiled in) reads
 * an arbitrary file the way a pull does: open, schema_read, meta_read,
 * every table's rows, close. Any crash, leak, sanitizer report or
 * unbounded allocation is a failure; refusing the file is not.
 *
 * The host is a small one of our own (the driver links nothing else of
 * invstage's): allocation with malloc, diagnostics into a buffer, URIs as
 * SCHEME:PATH. The input goes to a memfd the driver opens by path.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "invstage/driver.h"

#ifndef FUZZ_SCHEME
#error "build with -DFUZZ_SCHEME=\"json\" or \"msgpack\""
#endif

const char *invs_canon_name(int canon); /* core/types.c, compiled in */

static char fz_msg[4096];

static int fz_error(invs_session *s, int code, const char *sqlstate, long native,
                    const char *fmt, ...)
{
    va_list ap;
    (void)s, (void)sqlstate, (void)native;
    va_start(ap, fmt);
    vsnprintf(fz_msg, sizeof(fz_msg), fmt, ap);
    va_end(ap);
    return code;
}

static void fz_log(invs_session *s, int level, const char *fmt, ...)
{
    (void)s, (void)level, (void)fmt;
}

static void fz_progress(invs_session *s, const char *t, int64_t done, int64_t total)
{
    (void)s, (void)t, (void)done, (void)total;
}

static int fz_cancelled(invs_session *s)
{
    (void)s;
    return 0;
}

static char *fz_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void fz_uri_free(invs_uri *u)
{
    if (!u)
        return;
    free(u->scheme);
    free(u->path);
    free(u);
}

static int fz_uri_parse(invs_uri **out, const char *uri)
{
    const char *colon = strchr(uri, ':');
    invs_uri *u;
    *out = NULL;
    if (!colon || !(u = calloc(1, sizeof(*u))))
        return INVS_EINVAL;
    u->scheme = strndup(uri, (size_t)(colon - uri));
    u->path = strdup(colon + 1);
    *out = u;
    return INVS_OK;
}

static const invs_host fz_host = {
    .abi_major = INVS_ABI_MAJOR,
    .abi_minor = INVS_ABI_MINOR,
    .struct_size = sizeof(invs_host),
    .alloc = malloc,
    .realloc = realloc,
    .free = free,
    .error = fz_error,
    .log = fz_log,
    .progress = fz_progress,
    .cancelled = fz_cancelled,
    .uri_parse = fz_uri_parse,
    .uri_free = fz_uri_free,
    .uri_redact = fz_strdup,
    .canon_name = invs_canon_name,
};

/* The tables schema_read emitted: their names, kept for the cursors. */
#define FZ_TABLES 64
typedef struct fz_tables {
    char *name[FZ_TABLES];
    size_t ncols[FZ_TABLES];
    size_t n;
} fz_tables;

static int fz_emit(const invs_table *t, void *payload)
{
    fz_tables *ts = payload;
    if (ts->n == FZ_TABLES)
        return INVS_OK;
    ts->ncols[ts->n] = t->ncols;
    ts->name[ts->n++] = strdup(t->name);
    return INVS_OK;
}

static int fz_fact(const char *key, const char *value, void *payload)
{
    (void)payload;
    return key && value ? INVS_OK : INVS_EINVAL;
}

static void fz_read(const invs_driver *d, const char *uri)
{
    invs_drv_conn *c = NULL;
    fz_tables ts;
    size_t i;
    memset(&ts, 0, sizeof(ts));
    if (d->open(&c, NULL, uri, INVS_OPEN_READ, NULL) != INVS_OK)
        return;
    if (d->schema_read(c, fz_emit, &ts) == INVS_OK && d->meta_read(c, fz_fact, NULL) == INVS_OK)
        for (i = 0; i < ts.n; i++) {
            invs_table t;
            invs_drv_cursor *cur = NULL;
            const invs_value *row;
            long rows = 0;
            memset(&t, 0, sizeof(t));
            t.struct_size = sizeof(t);
            t.name = ts.name[i];
            t.ncols = ts.ncols[i];
            if (d->cursor_open_v2(&cur, c, &t, INVS_HINT_ANY_ORDER) != INVS_OK)
                break;
            while (d->cursor_next(cur, &row) == INVS_ROW && ++rows < 100000)
                for (size_t k = 0; k < t.ncols; k++) /* touch every value's bytes */
                    if ((row[k].type == INVS_TEXT || row[k].type == INVS_BLOB) && row[k].len)
                        fz_msg[0] ^= ((const char *)row[k].ptr)[row[k].len - 1];
            d->cursor_close(cur);
        }
    d->close(c);
    for (i = 0; i < ts.n; i++)
        free(ts.name[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const invs_driver *d;
    static int fd = -1;
    static char uri[64];
    if (!d) {
        if (!(d = invs_driver_init(&fz_host)) || (fd = memfd_create("fuzz", 0)) < 0)
            abort();
        snprintf(uri, sizeof(uri), "%s:/proc/self/fd/%d", FUZZ_SCHEME, fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    fz_read(d, uri);
    return 0;
}

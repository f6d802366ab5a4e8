/*
 * A mock driver for the loader's edge cases and for failure injection.
 * Built several times with different definitions:
 *   MOCK_MAJOR / MOCK_MINOR  the ABI it claims
 *   MOCK_GROWN               a driver table with members this host lacks
 *   MOCK_DROP_CURSOR_NEXT    claims PULL without cursor_next
 *   MOCK_NO_ENTRY            exports no entry point
 *   MOCK_INIT_NULL           its entry point refuses the host
 *   MOCK_INIT_SAYS_WHY       ... after saying why through host->log(NULL, ...)
 *   MOCK_NAME                the name it gives itself
 *   MOCK_SCHEMES             its scheme list (default "mock")
 *   MOCK_PUSH_ONLY           claims PUSH and CREATE, with no cursor to read
 *                            back what it wrote
 *   MOCK_SIZE_1_1            a driver table as ABI 1.1 drivers have it: it
 *                            ends before the 1.2 members
 *   MOCK_FILE                a file format (INVS_CAP_FILE) of its own: files
 *                            named *.mockf or beginning "MOCKF ROWS", whose
 *                            ROWS say how many rows its table has
 *
 * As a source ("mock:ROWS" or "mock:ROWS:FAILAT") it serves one table
 * "t"(id INTEGER PRIMARY KEY, v TEXT) with ROWS rows, failing with
 * INVS_ESQL when asked for row FAILAT.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invstage/driver.h"

#ifndef MOCK_MAJOR
#define MOCK_MAJOR INVS_ABI_MAJOR
#endif
#ifndef MOCK_MINOR
#define MOCK_MINOR INVS_ABI_MINOR
#endif
#ifndef MOCK_NAME
#define MOCK_NAME "mock"
#endif

static const invs_host *host;

typedef struct invs_drv_conn mock_conn;
typedef struct invs_drv_cursor mock_cursor;

struct invs_drv_conn {
    invs_session *s;
    long rows, fail_at;
};

struct invs_drv_cursor {
    mock_conn *c;
    long next;
    char text[32];
    invs_value vals[2];
};

#ifdef MOCK_FILE
/* The rows a MOCKF file says its table has. */
static int mock_file_rows(const char *path, long *rows)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    int ok = f && fscanf(f, "MOCKF %ld", rows) == 1;
    if (f && f != stdin)
        fclose(f);
    return ok ? 0 : -1;
}

static int mock_sniff(const unsigned char *head, size_t n)
{
    return n >= 5 && !memcmp(head, "MOCKF", 5) ? 100 : 0;
}

static const char *const mock_suffixes[] = {".mockf", NULL};
#define MOCK_CAP_FILE INVS_CAP_FILE
#else
#define MOCK_CAP_FILE 0
#endif

static int mock_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                     const char *const *options)
{
    mock_conn *c;
    const char *p = strchr(uri, ':');
    char *end;
    (void)flags;
    if (options && options[0])
        return host->error(s, INVS_EINVAL, NULL, 0, "the mock driver has no option '%s'",
                           options[0]);
    if (!(c = host->alloc(sizeof(*c))))
        return host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
    c->s = s;
    c->rows = p ? strtol(p + 1, &end, 10) : 0;
    c->fail_at = (p && *end == ':') ? strtol(end + 1, NULL, 10) : -1;
#ifdef MOCK_FILE
    if (p && mock_file_rows(p + 1, &c->rows) != 0) {
        host->free(c);
        return host->error(s, INVS_ECORRUPT, NULL, 0, "%s is not a MOCKF file", p + 1);
    }
#endif
    *out = c;
    return INVS_OK;
}

static void mock_close(invs_drv_conn *conn) { host->free(conn); }

static int mock_schema_read(invs_drv_conn *conn, invs_emit_table_fn emit, void *payload)
{
    static const char *const pk[] = {"id"};
    invs_column cols[2];
    invs_key key;
    invs_table t;
    mock_conn *c = conn;
    memset(cols, 0, sizeof(cols));
    memset(&key, 0, sizeof(key));
    memset(&t, 0, sizeof(t));
    cols[0].name = "id";
    cols[0].decl = "INTEGER";
    cols[0].canon = INVS_T_INT64;
    cols[1].name = "v";
    cols[1].decl = "TEXT";
    cols[1].canon = INVS_T_TEXT;
    cols[0].length = cols[1].length = -1;
    key.kind = INVS_KEY_PRIMARY;
    key.ncols = 1;
    key.cols = pk;
    t.struct_size = sizeof(t);
    t.name = "t";
    t.engine = "sqlite";
    t.ncols = 2;
    t.cols = cols;
    t.nkeys = 1;
    t.keys = &key;
    t.row_count = c->rows;
    return emit(&t, payload);
}

static int mock_cursor_open(invs_drv_cursor **out, invs_drv_conn *conn, const invs_table *t)
{
    mock_cursor *cur = host->alloc(sizeof(*cur));
    (void)t;
    if (!cur)
        return INVS_ENOMEM;
    memset(cur, 0, sizeof(*cur));
    cur->c = conn;
    *out = cur;
    return INVS_OK;
}

static int mock_cursor_next(invs_drv_cursor *cur, const invs_value **row)
{
    if (cur->next == cur->c->fail_at)
        return host->error(cur->c->s, INVS_ESQL, "XX000", 42, "mock failure at row %ld",
                           cur->next);
    if (cur->next >= cur->c->rows)
        return INVS_DONE;
    cur->vals[0].type = INVS_INT;
    cur->vals[0].num.i = cur->next;
    cur->vals[1].type = INVS_TEXT;
    cur->vals[1].len = (size_t)snprintf(cur->text, sizeof(cur->text), "row %ld", cur->next);
    cur->vals[1].ptr = cur->text;
    cur->next++;
    *row = cur->vals;
    return INVS_ROW;
}

static void mock_cursor_close(invs_drv_cursor *cur) { host->free(cur); }

#ifdef MOCK_PUSH_ONLY
/* Enough of a target to pass a loader that forgot the read-back. */
static int mock_ok(invs_drv_conn *conn) { (void)conn; return INVS_OK; }
static int mock_has_rows(invs_drv_conn *conn, const invs_table *t, int *out)
{
    (void)conn, (void)t;
    *out = 0;
    return INVS_OK;
}
static int mock_table_op(invs_drv_conn *conn, const invs_table *t)
{
    (void)conn, (void)t;
    return INVS_OK;
}
static int mock_tables_op(invs_drv_conn *conn, const invs_table *const *ts, size_t n)
{
    (void)conn, (void)ts, (void)n;
    return INVS_OK;
}
static int mock_writer_open(invs_drv_writer **out, invs_drv_conn *conn, const invs_table *t)
{
    (void)conn, (void)t;
    *out = NULL;
    return INVS_OK;
}
static int mock_writer_put(invs_drv_writer *w, const invs_value *rows, size_t n)
{
    (void)w, (void)rows, (void)n;
    return INVS_OK;
}
static int mock_writer_close(invs_drv_writer *w, int abort)
{
    (void)w, (void)abort;
    return INVS_OK;
}
#endif

typedef struct mock_driver {
    invs_driver d;
#ifdef MOCK_GROWN
    int (*from_the_future)(void *conn); /* a member a newer ABI minor added */
#endif
} mock_driver;

#ifndef MOCK_SCHEMES
#define MOCK_SCHEMES "mock"
#endif
static const char *const mock_schemes[] = {MOCK_SCHEMES, NULL};

static const mock_driver driver = {
    .d = {
        .abi_major = MOCK_MAJOR,
        .abi_minor = MOCK_MINOR,
#ifdef MOCK_SIZE_1_1
        .struct_size = offsetof(invs_driver, limits),
#else
        .struct_size = sizeof(mock_driver),
#endif
        .name = MOCK_NAME,
        .version = "0",
        .description = "test double",
        .schemes = mock_schemes,
        .open = mock_open,
        .close = mock_close,
#ifdef MOCK_PUSH_ONLY
        .caps = INVS_CAP_PUSH | INVS_CAP_CREATE | INVS_CAP_TXN_DDL,
        .schema_read = mock_schema_read,
        .begin = mock_ok,
        .commit = mock_ok,
        .rollback = mock_ok,
        .has_rows = mock_has_rows,
        .table_clear = mock_table_op,
        .load_begin = mock_tables_op,
        .writer_open = mock_writer_open,
        .writer_put = mock_writer_put,
        .writer_close = mock_writer_close,
        .load_end = mock_tables_op,
        .sequences_set = mock_table_op,
        .table_create = mock_table_op,
        .indexes_create = mock_table_op,
#else
        .caps = INVS_CAP_PULL | MOCK_CAP_FILE,
        .schema_read = mock_schema_read,
        .cursor_open = mock_cursor_open,
#ifndef MOCK_DROP_CURSOR_NEXT
        .cursor_next = mock_cursor_next,
#endif
        .cursor_close = mock_cursor_close,
#endif
#ifdef MOCK_FILE
        .suffixes = mock_suffixes,
        .sniff = mock_sniff,
#endif
    },
};

#ifdef MOCK_NO_ENTRY
INVS_EXPORT const invs_driver *not_the_entry(const invs_host *h);
INVS_EXPORT const invs_driver *not_the_entry(const invs_host *h)
#else
INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *h)
#endif
{
    host = h;
    (void)mock_cursor_next;
    (void)mock_cursor_open;
    (void)mock_cursor_close;
#if defined(MOCK_INIT_SAYS_WHY)
    h->log(NULL, INVS_LOG_ERROR, "this mock needs a host service from ABI %d.99", INVS_ABI_MAJOR);
    return h ? NULL : &driver.d;
#elif defined(MOCK_INIT_NULL)
    return h ? NULL : &driver.d;
#else
    return &driver.d;
#endif
}

/*
 * A mock target whose DDL is not transactional, as MySQL's is not: each
 * table is a file DIR/NAME.tbl, created and dropped at once, while rows go
 * to DIR/NAME.tbl.pending until commit renames them into place. Push must
 * create the missing tables before its transaction and drop them again on
 * failure, leaving DIR exactly as it was. It describes limits of its own
 * (names of at most 8 characters, no NUL in text), which `verify --target
 * mockt` must apply without a line of staging/ knowing of it.
 *
 *   mockt:DIR            a directory that exists
 *   mockt:DIR?fail=N     writer_put fails at the N-th row of a table
 *   mockt:DIR?signal=commit
 *                        commit raises SIGINT in its own process, then
 *                        commits: the user's Ctrl-C while a commit runs
 *
 * A table file: a header "#" then name=canon pairs, then one line per row,
 * values separated by tabs, NULL as \N. Integers and text without tabs or
 * newlines only: enough for the tests that use it.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "invstage/driver.h"
#include "invstage/strbuf.h"

static const invs_host *host;

typedef struct invs_drv_conn mt_conn;
typedef struct invs_drv_cursor mt_cursor;
typedef struct invs_drv_writer mt_writer;

struct invs_drv_conn {
    invs_session *s;
    char dir[1024];
    long fail_at;
    int signal_commit;
    char touched[64][128]; /* tables with a .pending file */
    int ntouched;
};

struct invs_drv_cursor {
    mt_conn *c;
    FILE *f;
    size_t ncols;
    char line[4096];
    invs_value vals[32];
};

struct invs_drv_writer {
    mt_conn *c;
    FILE *f;
    size_t ncols;
    long rows;
};

static void mt_path(char *out, size_t cap, const mt_conn *c, const char *t, int pending)
{
    snprintf(out, cap, "%s/%s.tbl%s", c->dir, t, pending ? ".pending" : "");
}

static int mt_fail(mt_conn *c, const char *what, const char *t)
{
    return host->error(c->s, INVS_EIO, NULL, errno, "mockt: %s %s: %s", what, t,
                       strerror(errno));
}

static int mt_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                   const char *const *options)
{
    const char *p = strchr(uri, ':'), *q;
    struct stat sb;
    mt_conn *c;
    (void)flags;
    *out = NULL;
    if (options && options[0])
        return host->error(s, INVS_EINVAL, NULL, 0, "mockt has no option '%s'", options[0]);
    if (!(c = host->alloc(sizeof(*c))))
        return host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(c, 0, sizeof(*c));
    c->s = s;
    c->fail_at = -1;
    p = p ? p + 1 : "";
    q = strchr(p, '?');
    snprintf(c->dir, sizeof(c->dir), "%.*s", (int)(q ? (size_t)(q - p) : strlen(p)), p);
    if (q && !strncmp(q, "?fail=", 6))
        c->fail_at = strtol(q + 6, NULL, 10);
    c->signal_commit = q && !strcmp(q, "?signal=commit");
    if (stat(c->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        host->free(c);
        return host->error(s, INVS_ENOTFOUND, NULL, 0, "mockt: %s is not a directory", p);
    }
    *out = c;
    return INVS_OK;
}

static void mt_discard(mt_conn *c)
{
    char path[1400];
    int i;
    for (i = 0; i < c->ntouched; i++) {
        mt_path(path, sizeof(path), c, c->touched[i], 1);
        unlink(path);
    }
    c->ntouched = 0;
}

static void mt_close(invs_drv_conn *c)
{
    mt_discard(c);
    host->free(c);
}

static int mt_canon(const char *name)
{
    return !strcmp(name, "int64") ? INVS_T_INT64 : INVS_T_TEXT;
}

/* Read a table file's header into t (names point into buf). */
static int mt_header(FILE *f, char *buf, size_t cap, invs_column *cols, size_t *ncols)
{
    char *tok, *save = NULL;
    *ncols = 0;
    if (!fgets(buf, (int)cap, f) || buf[0] != '#')
        return INVS_ECORRUPT;
    buf[strcspn(buf, "\n")] = '\0';
    for (tok = strtok_r(buf + 1, " ", &save); tok && *ncols < 32; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        invs_column *col = &cols[(*ncols)++];
        memset(col, 0, sizeof(*col));
        if (!eq)
            return INVS_ECORRUPT;
        *eq = '\0';
        col->name = tok;
        col->decl = eq + 1;
        col->canon = mt_canon(eq + 1);
        col->length = col->precision = col->scale = -1;
    }
    return INVS_OK;
}

static int mt_schema_read(invs_drv_conn *c, invs_emit_table_fn emit, void *payload)
{
    DIR *d = opendir(c->dir);
    struct dirent *e;
    int rc = INVS_OK;
    if (!d)
        return mt_fail(c, "listing", c->dir);
    while (rc == INVS_OK && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        char name[256], path[1400], buf[4096];
        invs_column cols[32];
        invs_table t;
        FILE *f;
        if (n < 5 || strcmp(e->d_name + n - 4, ".tbl"))
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)(n - 4), e->d_name);
        mt_path(path, sizeof(path), c, name, 0);
        if (!(f = fopen(path, "r")))
            continue;
        memset(&t, 0, sizeof(t));
        t.struct_size = sizeof(t);
        t.name = name;
        t.engine = "mockt";
        t.cols = cols;
        t.row_count = -1;
        rc = mt_header(f, buf, sizeof(buf), cols, &t.ncols);
        fclose(f);
        if (rc == INVS_OK)
            rc = emit(&t, payload);
        else
            rc = host->error(c->s, rc, NULL, 0, "mockt: %s has no header", path);
    }
    closedir(d);
    return rc;
}

static int mt_cursor_open(invs_drv_cursor **out, invs_drv_conn *c, const invs_table *t,
                          uint32_t hints)
{
    char path[1400], buf[4096];
    invs_column cols[32];
    mt_cursor *cur;
    (void)hints;
    *out = NULL;
    if (!(cur = host->alloc(sizeof(*cur))))
        return host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(cur, 0, sizeof(*cur));
    cur->c = c;
    mt_path(path, sizeof(path), c, t->name, 1);
    if (!(cur->f = fopen(path, "r"))) {
        mt_path(path, sizeof(path), c, t->name, 0);
        cur->f = fopen(path, "r");
    }
    if (!cur->f || mt_header(cur->f, buf, sizeof(buf), cols, &cur->ncols) != INVS_OK) {
        if (cur->f)
            fclose(cur->f);
        host->free(cur);
        return mt_fail(c, "reading", t->name);
    }
    *out = cur;
    return INVS_OK;
}

static int mt_cursor_next(invs_drv_cursor *cur, const invs_value **row)
{
    char *p, *save = NULL;
    size_t i;
    if (!fgets(cur->line, sizeof(cur->line), cur->f))
        return INVS_DONE;
    cur->line[strcspn(cur->line, "\n")] = '\0';
    for (i = 0, p = strtok_r(cur->line, "\t", &save); i < cur->ncols;
         i++, p = strtok_r(NULL, "\t", &save)) {
        invs_value *v = &cur->vals[i];
        char *end;
        memset(v, 0, sizeof(*v));
        if (!p || !strcmp(p, "\\N"))
            continue;
        v->num.i = strtoll(p, &end, 10);
        if (*p && !*end && (*p == '-' || (*p >= '0' && *p <= '9'))) {
            v->type = INVS_INT;
        } else {
            v->type = INVS_TEXT;
            v->ptr = p;
            v->len = strlen(p);
        }
    }
    *row = cur->vals;
    return INVS_ROW;
}

static void mt_cursor_close(invs_drv_cursor *cur)
{
    fclose(cur->f);
    host->free(cur);
}

static int mt_ok(invs_drv_conn *c)
{
    (void)c;
    return INVS_OK;
}

static int mt_commit(invs_drv_conn *c)
{
    char from[1400], to[1400];
    int i;
    if (c->signal_commit)
        raise(SIGINT);
    for (i = 0; i < c->ntouched; i++) {
        mt_path(from, sizeof(from), c, c->touched[i], 1);
        mt_path(to, sizeof(to), c, c->touched[i], 0);
        if (rename(from, to) != 0)
            return mt_fail(c, "committing", c->touched[i]);
    }
    c->ntouched = 0;
    return INVS_OK;
}

static int mt_rollback(invs_drv_conn *c)
{
    mt_discard(c);
    return INVS_OK;
}

static int mt_has_rows(invs_drv_conn *c, const invs_table *t, int *out)
{
    char path[1400], buf[4096];
    FILE *f;
    mt_path(path, sizeof(path), c, t->name, 0);
    if (!(f = fopen(path, "r")))
        return mt_fail(c, "reading", t->name);
    *out = fgets(buf, sizeof(buf), f) && fgets(buf, sizeof(buf), f);
    fclose(f);
    return INVS_OK;
}

/* Start the table's pending file: its rows so far (none when cleared). */
static int mt_pending(mt_conn *c, const invs_table *t, int keep_rows)
{
    char from[1400], to[1400], buf[4096];
    FILE *in, *out;
    int i, first = 1;
    for (i = 0; i < c->ntouched; i++)
        if (!strcmp(c->touched[i], t->name))
            return INVS_OK;
    mt_path(from, sizeof(from), c, t->name, 0);
    mt_path(to, sizeof(to), c, t->name, 1);
    if (!(in = fopen(from, "r")))
        return mt_fail(c, "reading", t->name);
    if (!(out = fopen(to, "w"))) {
        fclose(in);
        return mt_fail(c, "writing", t->name);
    }
    while (fgets(buf, sizeof(buf), in) && (first || keep_rows)) {
        fputs(buf, out);
        first = 0;
    }
    fclose(in);
    fclose(out);
    snprintf(c->touched[c->ntouched++], sizeof(c->touched[0]), "%s", t->name);
    return INVS_OK;
}

static int mt_table_clear(invs_drv_conn *c, const invs_table *t) { return mt_pending(c, t, 0); }

static int mt_tables(invs_drv_conn *c, const invs_table *const *ts, size_t n)
{
    (void)c, (void)ts, (void)n;
    return INVS_OK;
}

static int mt_table(invs_drv_conn *c, const invs_table *t)
{
    (void)c, (void)t;
    return INVS_OK;
}

static int mt_writer_open(invs_drv_writer **out, invs_drv_conn *c, const invs_table *t)
{
    char path[1400];
    mt_writer *w;
    int rc;
    *out = NULL;
    if ((rc = mt_pending(c, t, 1)) != INVS_OK)
        return rc;
    if (!(w = host->alloc(sizeof(*w))))
        return host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(w, 0, sizeof(*w));
    w->c = c;
    mt_path(path, sizeof(path), c, t->name, 1);
    if (!(w->f = fopen(path, "a"))) {
        host->free(w);
        return mt_fail(c, "writing", t->name);
    }
    w->ncols = t->ncols;
    *out = w;
    return INVS_OK;
}

static int mt_writer_put(invs_drv_writer *w, const invs_value *rows, size_t nrows)
{
    size_t ncols = w->ncols, r, i;
    for (r = 0; r < nrows; r++) {
        long n = ++w->rows;
        if (w->c->fail_at > 0 && n == w->c->fail_at)
            return host->error(w->c->s, INVS_EIO, NULL, 0, "mockt: failure injected at row %ld",
                               n);
        for (i = 0; i < ncols; i++) {
            const invs_value *v = &rows[r * ncols + i];
            if (i)
                fputc('\t', w->f);
            if (v->type == INVS_NULL)
                fputs("\\N", w->f);
            else if (v->type == INVS_INT)
                fprintf(w->f, "%lld", (long long)v->num.i);
            else
                fprintf(w->f, "%.*s", (int)v->len, (const char *)v->ptr);
        }
        fputc('\n', w->f);
    }
    return INVS_OK;
}

static int mt_writer_close(invs_drv_writer *w, int abort)
{
    (void)abort;
    fclose(w->f);
    host->free(w);
    return INVS_OK;
}

static int mt_table_create(invs_drv_conn *c, const invs_table *t, uint32_t hints)
{
    char path[1400];
    size_t i;
    FILE *f;
    (void)hints;
    if (strchr(t->name, '/') || t->ncols > 32)
        return host->error(c->s, INVS_EUNSUPPORTED, NULL, 0, "mockt cannot hold table %s",
                           t->name);
    mt_path(path, sizeof(path), c, t->name, 0);
    if (!(f = fopen(path, "wx")))
        return mt_fail(c, "creating", t->name);
    fputc('#', f);
    for (i = 0; i < t->ncols; i++)
        fprintf(f, "%s%s=%s", i ? " " : "", t->cols[i].name,
                t->cols[i].canon >= INVS_T_INT16 && t->cols[i].canon <= INVS_T_INT64 ? "int64"
                                                                                    : "text");
    fputc('\n', f);
    fclose(f);
    return INVS_OK;
}

static int mt_table_drop(invs_drv_conn *c, const invs_table *t)
{
    char path[1400];
    mt_path(path, sizeof(path), c, t->name, 0);
    if (unlink(path) != 0)
        return mt_fail(c, "dropping", t->name);
    return INVS_OK;
}

static const char *const mt_schemes[] = {"mockt", NULL};

static const invs_limits mt_limits = {
    .struct_size = sizeof(invs_limits),
    .flags = INVS_LIM_TYPED | INVS_LIM_NO_NUL,
    .engine = "MockDB",
    .ident_max = 8,
    .ident_unit = INVS_UNIT_CHARS,
};

static const invs_driver mt_driver = {
    .abi_major = INVS_ABI_MAJOR,
    .abi_minor = INVS_ABI_MINOR,
    .struct_size = sizeof(invs_driver),
    .name = "mockt",
    .version = "0",
    .description = "test double: a target without transactional DDL",
    .schemes = mt_schemes,
    .caps = INVS_CAP_PULL | INVS_CAP_PUSH | INVS_CAP_CREATE,
    .open = mt_open,
    .close = mt_close,
    .schema_read = mt_schema_read,
    .cursor_next = mt_cursor_next,
    .cursor_close = mt_cursor_close,
    .begin = mt_ok,
    .commit = mt_commit,
    .rollback = mt_rollback,
    .has_rows = mt_has_rows,
    .table_clear = mt_table_clear,
    .load_begin = mt_tables,
    .writer_open = mt_writer_open,
    .writer_put = mt_writer_put,
    .writer_close = mt_writer_close,
    .load_end = mt_tables,
    .sequences_set = mt_table,
    .indexes_create = mt_table,
    .limits = &mt_limits,
    .cursor_open_v2 = mt_cursor_open,
    .table_create_v2 = mt_table_create,
    .table_drop = mt_table_drop,
};

INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *h)
{
    host = h;
    return &mt_driver;
}

/*
 * The push side: a fixture that `manage.py loaddata` accepts. Each table
 * of the load is a model (dj_names.c), each row a record
 * {"model": ..., "pk": ..., "fields": {...}}, one per line, in the load's
 * order (parents first). The file is written under a temporary name
 * beside FILE; the proof reads it back through dj_read.c onto the tables
 * this push created, and commit renames it into place.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dj.h"
#include "fmt_text.h"

int dj_wcheck(invs_drv_conn *c)
{
    if (c->werr)
        return c->werr;
    if (c->out.err == ENOMEM)
        return c->werr = dj_nomem(c);
    if (c->out.err)
        return c->werr = dj_host->error(c->s, INVS_EIO, NULL, c->out.err, "%s: writing: %s",
                                        c->shown, strerror(c->out.err));
    return INVS_OK;
}

int dj_open_write(invs_drv_conn *c)
{
    struct stat st;
    fmt_alloc a = {dj_host->realloc, dj_host->free};
    if (!strcmp(c->path, "-")) {
        c->fd = 1;
    } else if (stat(c->path, &st) == 0 && !c->replace) {
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "%s exists: a file is written whole, never over another (remove "
                              "it, or replace it: export --force, -O replace=yes)",
                              c->shown);
    } else if (stat(c->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        return dj_host->error(c->s, INVS_EIO, NULL, 0, "%s is not a regular file", c->shown);
    } else if ((c->fd = fmt_file_temp(&c->tmp, c->path, a)) < 0) {
        return dj_host->error(c->s, errno == ENOMEM ? INVS_ENOMEM : INVS_EIO, NULL, errno,
                              "%s: cannot create a file beside it: %s", c->shown,
                              strerror(errno));
    }
    if (fmt_out_init(&c->out, c->fd, a) != 0)
        return dj_nomem(c);
    return INVS_OK;
}

int dj_begin(invs_drv_conn *c)
{
    (void)c;
    return INVS_OK;
}

int dj_commit(invs_drv_conn *c)
{
    fmt_alloc a = {dj_host->realloc, dj_host->free};
    if (!(c->flags & INVS_OPEN_WRITE))
        return INVS_OK;
    if (c->wstate != 2)
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0, "%s: commit before the load ended",
                              c->shown);
    if (c->tmp && fmt_file_commit(c->fd, c->tmp, c->path, a) != 0)
        return dj_host->error(c->s, INVS_EIO, NULL, errno, "%s: %s", c->shown, strerror(errno));
    c->committed = 1;
    return INVS_OK;
}

int dj_rollback(invs_drv_conn *c)
{
    if (c->tmp && !c->committed)
        unlink(c->tmp);
    return INVS_OK;
}

int dj_has_rows(invs_drv_conn *c, const invs_table *t, int *out)
{
    (void)c, (void)t;
    *out = 0;
    return INVS_OK;
}

int dj_table_noop(invs_drv_conn *c, const invs_table *t)
{
    (void)c, (void)t;
    return INVS_OK;
}

/* A fixture holds Django models only: push leaves the other tables out,
 * naming them (table_held). */
int dj_table_held(invs_drv_conn *c, const invs_table *t)
{
    char *m = dj_stage_model(c, t);
    dj_host->free(m);
    return m != NULL;
}

/* Every table of the load must be a model (table_held left the others
 * out): a fixture has nowhere else to put rows, and dropping them would
 * leave the proof's read-back short. */
int dj_load_begin(invs_drv_conn *c, const invs_table *const *ts, size_t n)
{
    invs_strbuf sb;
    size_t i, bad = 0;
    int rc = INVS_OK;
    if (!(c->flags & INVS_OPEN_WRITE) || c->wstate != 0)
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0, "%s: a load began twice", c->shown);
    invs_sb_init(&sb, dj_host->realloc, dj_host->free);
    for (i = 0; i < n; i++) {
        char *m = dj_stage_model(c, ts[i]);
        if (!m)
            invs_sb_printf(&sb, "%s%s", bad++ ? ", " : "", ts[i]->name);
        dj_host->free(m);
    }
    if (invs_sb_failed(&sb))
        rc = dj_nomem(c);
    else if (bad)
        rc = dj_host->error(c->s, INVS_EREFUSED, NULL, 0,
                            "%s: %zu table(s) are not Django models (no one-column primary "
                            "key, or Django's own bookkeeping) and a fixture cannot hold "
                            "them: %s; leave them out (export -x TABLE)",
                            c->shown, bad, sb.p);
    invs_sb_free(&sb);
    if (rc != INVS_OK)
        return rc;
    fmt_out_str(&c->out, "[");
    c->wstate = 1;
    return dj_wcheck(c);
}

int dj_table_create(invs_drv_conn *c, const invs_table *t, uint32_t hints)
{
    dj_table *dt;
    size_t i;
    int rc;
    (void)hints;
    if (c->wstate != 1 || dj_table_find(c, t->name))
        return dj_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                              "%s: table %s must be created once, before any rows", c->shown,
                              t->name);
    if ((rc = dj_table_add(c, &dt, t->name)) != INVS_OK)
        return rc;
    c->given = 1;
    dt->cols = dj_host->alloc((t->ncols + 1) * sizeof(char *));
    dt->fields = dj_host->alloc((t->ncols + 1) * sizeof(char *));
    dt->canon = dj_host->alloc((t->ncols + 1) * sizeof(int32_t));
    dt->ref = dj_host->alloc((t->ncols + 1) * sizeof(char *));
    if (!dt->cols || !dt->fields || !dt->canon || !dt->ref || !(dt->model = dj_stage_model(c, t)))
        return dj_nomem(c);
    memset(dt->ref, 0, (t->ncols + 1) * sizeof(char *));
    for (i = 0; i < t->ncols; i++) {
        dt->cols[i] = dj_strdup(t->cols[i].name);
        dt->fields[i] = dj_column_field(t, i);
        dt->canon[i] = t->cols[i].canon;
        if (dt->canon[i] != INVS_T_JSON && dj_column_is_json(t, i))
            dt->canon[i] = DJ_T_PYJSON;
        dt->ncols = i + 1;
        if (!dt->cols[i] || !dt->fields[i])
            return dj_nomem(c);
        if (!strcmp(dt->fields[i], "pk"))
            dt->pk = (long)i;
        if ((rc = dj_note_ref(c, dt, t, i)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

int dj_writer_open(invs_drv_writer **out, invs_drv_conn *c, const invs_table *t)
{
    invs_drv_writer *w;
    dj_table *dt = dj_table_find(c, t->name);
    int rc;
    *out = NULL;
    if (c->wstate != 1 || !dt || dt->ncols != t->ncols)
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0, "%s: table %s was not created",
                              c->shown, t->name);
    if (!c->fold_planned && (rc = dj_fold_plan(c)) != INVS_OK)
        return rc;
    if (!(w = dj_host->alloc(sizeof(*w))))
        return dj_nomem(c);
    memset(w, 0, sizeof(*w));
    w->c = c;
    w->t = dt;
    if ((rc = dj_fold_writer_open(w)) != INVS_OK) {
        dj_host->free(w);
        return rc;
    }
    *out = w;
    return INVS_OK;
}

/* Value v of column i of t; with natural_foreign, a reference to a row
 * whose natural key was written (a user, group, content type or
 * permission the file holds) as that key. */
int dj_put_field(invs_drv_conn *c, const dj_table *t, size_t i, const invs_value *v,
                 const char **why)
{
    const dj_table *r;
    const char *key;
    if (c->natural && t->ref && t->ref[i] && (r = dj_table_find(c, t->ref[i])) && r->model &&
        (key = dj_nk_key(c, r->model, v, 0))) {
        fmt_out_str(&c->out, key);
        return 0;
    }
    return dj_value_out(c, t->canon[i], v, why);
}

/* One row as a record. */
static int dj_put_record(invs_drv_writer *w, const invs_value *row)
{
    invs_drv_conn *c = w->c;
    dj_table *t = w->t;
    const char *why = NULL;
    size_t i;
    int first = 1;
    if (t->spool) { /* an owner of folded tables: "pk\t{record" lines, lists at the end */
        char pk[32];
        snprintf(pk, sizeof(pk), "%lld\t{\"model\": ", (long long)row[t->pk].num.i);
        fmt_out_str(&c->out, pk);
    } else {
        fmt_out_str(&c->out, c->written ? ",\n{\"model\": " : "\n{\"model\": ");
    }
    json_put_string(&c->out, (const unsigned char *)t->model, strlen(t->model));
    fmt_out_str(&c->out, ", \"pk\": ");
    if (dj_value_out(c, t->canon[t->pk], &row[t->pk], &why) != 0)
        i = (size_t)t->pk;
    else
        for (fmt_out_str(&c->out, ", \"fields\": {"), i = 0; i < t->ncols; i++) {
            if ((long)i == t->pk)
                continue;
            fmt_out_str(&c->out, first ? "\"" : ", \"");
            first = 0;
            fmt_out_put(&c->out, t->fields[i], strlen(t->fields[i]));
            fmt_out_str(&c->out, "\": ");
            if (dj_put_field(c, t, i, &row[i], &why) != 0)
                break;
        }
    if (why) {
        invs_strbuf key;
        int rc;
        invs_sb_init(&key, dj_host->realloc, dj_host->free);
        invs_sb_value(&key, &row[t->pk]);
        rc = dj_host->error(c->s, INVS_ETYPE, NULL, 0, "%s: table %s, key %s, column %s: %s",
                            c->shown, t->name, key.p ? key.p : "?", t->cols[i], why);
        invs_sb_free(&key);
        return rc;
    }
    fmt_out_str(&c->out, t->spool ? "\n" : "}}");
    c->written += !t->spool;
    return c->natural ? dj_nk_note_row(c, t, row, 0) : INVS_OK;
}

int dj_writer_put(invs_drv_writer *w, const invs_value *rows, size_t nrows)
{
    size_t r;
    int rc;
    if (w->t->folded)
        return dj_fold_put(w, rows, nrows);
    for (r = 0; r < nrows; r++)
        if ((rc = dj_put_record(w, rows + r * w->t->ncols)) != INVS_OK ||
            (rc = dj_wcheck(w->c)) != INVS_OK)
            return rc;
    w->t->nrec += (int64_t)nrows;
    return INVS_OK;
}

int dj_writer_close(invs_drv_writer *w, int abort)
{
    (void)abort;
    dj_fold_writer_close(w);
    dj_host->free(w);
    return INVS_OK;
}

int dj_load_end(invs_drv_conn *c, const invs_table *const *ts, size_t n)
{
    int rc;
    (void)ts, (void)n;
    if (c->wstate != 1)
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0, "%s: the load ended before it began",
                              c->shown);
    if ((rc = dj_fold_write(c)) != INVS_OK)
        return rc;
    fmt_out_str(&c->out, "\n]\n");
    if (fmt_out_flush(&c->out) != 0)
        return dj_wcheck(c);
    c->wstate = 2;
    return dj_wcheck(c);
}

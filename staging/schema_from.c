/*
 * import --schema-from: a source that carries no types (a Django fixture)
 * reads its records onto the tables of another database, the target as
 * the application's `migrate` made it. The host reads that schema, through
 * the URI's own driver or from a stage, and hands it over (schema_given);
 * what it means for the records is the source driver's business. The few
 * tables whose rows the driver asks for as well (given_rows: what the
 * records refer to but leave out) are read from the same place and handed
 * over row by row (row_given), so nothing of them is held here; push
 * hands a target's driver the stage's rows of them the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "schema_from.h"

/* Where the schema was read, kept open until its rows are handed over. */
typedef struct schema_source {
    invs_conn *c;
    invs_stage *st;
} schema_source;

/* A URI names its scheme before any '/': "sqlite:t.db", "postgresql://..."
 * ; anything else is a stage file's path. */
static int schema_from_is_uri(const char *from)
{
    const char *colon = strchr(from, ':'), *slash = strchr(from, '/');
    return colon && colon != from && (!slash || colon < slash);
}

static int schema_from_uri(invs_job *j, schema_source *s, const char *from,
                           invs_schema_list *given)
{
    int rc = invs_conn_open(&s->c, j, from, "schema source", INVS_CAP_PULL, INVS_OPEN_READ, NULL);
    if (rc == INVS_OK && (rc = s->c->drv->schema_read(s->c->h, invs_schema_list_emit, given)) !=
                             INVS_OK)
        invs_conn_err(j, s->c, rc);
    return rc;
}

static int schema_from_stage(invs_job *j, schema_source *s, const char *from,
                             invs_schema_list *given)
{
    size_t i;
    int rc = invs_stage_open(&s->st, j->ctx, &j->diag, from, 0);
    if (rc == INVS_OK && (rc = invs_stage_load_schema(s->st)) != INVS_OK)
        invs_stage_err(j, s->st, rc);
    for (i = 0; rc == INVS_OK && i < s->st->ntables; i++)
        if (invs_schema_list_add(given, &s->st->tables[i].schema->t) != INVS_OK)
            rc = invs_diag_oom(&j->diag);
    return rc;
}

/* The rows of given table t, read through the schema's own driver. */
static int schema_rows_conn(invs_job *j, invs_conn *from, invs_conn *src, const invs_table *t)
{
    invs_drv_cursor *cur = NULL;
    const invs_value *row;
    int rc = invs_conn_cursor_open(&cur, from, t, INVS_HINT_ANY_ORDER);
    if (rc != INVS_OK)
        return invs_conn_err(j, from, rc);
    while ((rc = from->drv->cursor_next(cur, &row)) == INVS_ROW)
        if ((rc = src->drv->row_given(src->h, t, row)) != INVS_OK) {
            from->drv->cursor_close(cur);
            return invs_conn_err(j, src, rc);
        }
    if (rc < 0)
        invs_conn_err(j, from, rc);
    from->drv->cursor_close(cur);
    return rc == INVS_DONE ? INVS_OK : rc;
}

int invs_stage_rows_give(invs_job *j, invs_stage *st, const char *name, invs_conn *to,
                         const invs_table *as)
{
    invs_stage_reader *r = NULL;
    const invs_value *row;
    size_t i;
    int rc;
    for (i = 0; i < st->ntables && strcmp(st->tables[i].schema->t.name, name); i++)
        ;
    if (i == st->ntables)
        return INVS_OK;
    if ((rc = invs_stage_reader_open(&r, st, &st->tables[i])) != INVS_OK)
        return invs_stage_err(j, st, rc);
    while ((rc = invs_stage_reader_next(r, &row)) == INVS_ROW)
        if ((rc = to->drv->row_given(to->h, as ? as : &st->tables[i].schema->t, row)) !=
            INVS_OK) {
            invs_stage_reader_close(r);
            return invs_conn_err(j, to, rc);
        }
    if (rc < 0)
        invs_stage_err(j, st, rc);
    invs_stage_reader_close(r);
    return rc == INVS_DONE ? INVS_OK : rc;
}

int invs_stage_rows_wanted(invs_job *j, invs_stage *st, invs_conn *to)
{
    const invs_driver *d = to->drv;
    const char *const *name;
    int rc = INVS_OK;
    if (!INVS_HAS(d, invs_driver, row_given) || !d->given_rows || !d->row_given)
        return INVS_OK;
    for (name = d->given_rows; *name && rc == INVS_OK; name++)
        rc = invs_stage_rows_give(j, st, *name, to, NULL);
    return rc;
}

/* given_rows: each table the driver names that the given schema has. */
static int schema_from_rows(invs_job *j, schema_source *s, invs_conn *src,
                            const invs_schema_list *given)
{
    const invs_driver *d = src->drv;
    const char *const *name;
    int rc = INVS_OK;
    if (!INVS_HAS(d, invs_driver, row_given) || !d->given_rows || !d->row_given)
        return INVS_OK;
    for (name = d->given_rows; *name && rc == INVS_OK; name++) {
        invs_schema_table *t = invs_schema_list_find(given, *name);
        if (t)
            rc = s->c ? schema_rows_conn(j, s->c, src, &t->t)
                      : invs_stage_rows_give(j, s->st, *name, src, &t->t);
        if (rc != INVS_OK)
            invs_diag_prefix(&j->diag, "the rows of %s", *name);
    }
    return rc;
}

static int schema_from_give(invs_job *j, invs_conn *src, invs_schema_list *given)
{
    const invs_table **ts;
    size_t i;
    int rc;
    if (!(ts = calloc(given->n + 1, sizeof(*ts))))
        return invs_diag_oom(&j->diag);
    for (i = 0; i < given->n; i++)
        ts[i] = &given->v[i]->t;
    if ((rc = src->drv->schema_given(src->h, ts, given->n)) != INVS_OK)
        invs_conn_err(j, src, rc);
    free(ts);
    return rc;
}

int invs_schema_from(invs_job *j, invs_conn *src, const char *from, invs_schema_list *given)
{
    const invs_driver *d = src->drv;
    schema_source s = {NULL, NULL};
    int rc;
    if (!INVS_HAS(d, invs_driver, schema_given) || !d->schema_given)
        return invs_diag(&j->diag, INVS_EUNSUPPORTED,
                         "--schema-from: the %s driver reads its own schema and takes none",
                         d->name);
    rc = schema_from_is_uri(from) ? schema_from_uri(j, &s, from, given)
                                  : schema_from_stage(j, &s, from, given);
    if (rc != INVS_OK)
        invs_diag_prefix(&j->diag, "--schema-from");
    else if ((rc = schema_from_give(j, src, given)) == INVS_OK &&
             (rc = schema_from_rows(j, &s, src, given)) != INVS_OK)
        invs_diag_prefix(&j->diag, "--schema-from");
    invs_conn_close(s.c);
    invs_stage_close(s.st);
    return rc;
}

/*
 * import --schema-from: a source that carries no types (a Django fixture)
 * reads its records onto the tables of another database, the target as
 * the application's `migrate` made it. The host reads that schema, through
 * the URI's own driver or from a stage, and hands it over (schema_given);
 * what it means for the records is the source driver's business.
 */
#include <stdlib.h>
#include <string.h>

#include "schema_from.h"

/* A URI names its scheme before any '/': "sqlite:t.db", "postgresql://..."
 * ; anything else is a stage file's path. */
static int schema_from_is_uri(const char *from)
{
    const char *colon = strchr(from, ':'), *slash = strchr(from, '/');
    return colon && colon != from && (!slash || colon < slash);
}

static int schema_from_uri(invs_job *j, const char *from, invs_schema_list *given)
{
    invs_conn *c = NULL;
    int rc = invs_conn_open(&c, j, from, "schema source", INVS_CAP_PULL, INVS_OPEN_READ, NULL);
    if (rc == INVS_OK && (rc = c->drv->schema_read(c->h, invs_schema_list_emit, given)) != INVS_OK)
        invs_conn_err(j, c, rc);
    invs_conn_close(c);
    return rc;
}

static int schema_from_stage(invs_job *j, const char *from, invs_schema_list *given)
{
    invs_stage *st = NULL;
    size_t i;
    int rc = invs_stage_open(&st, j->ctx, &j->diag, from, 0);
    if (rc == INVS_OK && (rc = invs_stage_load_schema(st)) != INVS_OK)
        invs_stage_err(j, st, rc);
    for (i = 0; rc == INVS_OK && st && i < st->ntables; i++)
        if (invs_schema_list_add(given, &st->tables[i].schema->t) != INVS_OK)
            rc = invs_diag_oom(&j->diag);
    invs_stage_close(st);
    return rc;
}

int invs_schema_from(invs_job *j, invs_conn *src, const char *from, invs_schema_list *given)
{
    const invs_driver *d = src->drv;
    const invs_table **ts;
    size_t i;
    int rc;
    if (!INVS_HAS(d, invs_driver, schema_given) || !d->schema_given)
        return invs_diag(&j->diag, INVS_EUNSUPPORTED,
                         "--schema-from: the %s driver reads its own schema and takes none",
                         d->name);
    rc = schema_from_is_uri(from) ? schema_from_uri(j, from, given)
                                  : schema_from_stage(j, from, given);
    if (rc != INVS_OK) {
        invs_diag_prefix(&j->diag, "--schema-from");
        return rc;
    }
    if (!(ts = calloc(given->n + 1, sizeof(*ts))))
        return invs_diag_oom(&j->diag);
    for (i = 0; i < given->n; i++)
        ts[i] = &given->v[i]->t;
    if ((rc = d->schema_given(src->h, ts, given->n)) != INVS_OK)
        invs_conn_err(j, src, rc);
    free(ts);
    return rc;
}

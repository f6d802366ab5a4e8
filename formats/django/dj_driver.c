/*
 * invs_django: Django fixtures as a driver over a file URI (django:FILE,
 * django:///ABSOLUTE/PATH). A pull reads a fixture (invstage import -f
 * django), a push writes one that `manage.py loaddata` accepts (invstage
 * export -f django), read back before it is renamed into place. The parts
 * are described in dj.h; this file opens and closes, keeps the tables and
 * the metadata record, and says what the driver is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dj.h"
#include "invstage/version.h"

const invs_host *dj_host;

int dj_nomem(invs_drv_conn *c) { return dj_host->error(c->s, INVS_ENOMEM, NULL, 0, "out of memory"); }

char *dj_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = dj_host->alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void dj_table_free(dj_table *t)
{
    size_t i;
    for (i = 0; i < t->ncols; i++) {
        dj_host->free(t->cols[i]);
        dj_host->free(t->fields[i]);
    }
    for (i = 0; t->ref && i < t->ncols; i++)
        dj_host->free(t->ref[i]);
    dj_host->free(t->ref);
    dj_host->free(t->m2m_field);
    dj_fold_free(t);
    dj_host->free(t->cols);
    dj_host->free(t->fields);
    dj_host->free(t->canon);
    dj_host->free(t->kinds);
    dj_host->free(t->tcols);
    dj_host->free(t->name);
    dj_host->free(t->model);
}

int dj_table_add(invs_drv_conn *c, dj_table **out, const char *name)
{
    dj_table *t;
    if (c->nt == c->capt) {
        size_t cap = c->capt ? 2 * c->capt : 16;
        dj_table *nt = dj_host->realloc(c->t, cap * sizeof(*nt));
        if (!nt)
            return dj_nomem(c);
        c->t = nt;
        c->capt = cap;
    }
    t = &c->t[c->nt];
    memset(t, 0, sizeof(*t));
    t->pk = -1;
    t->owner = t->m2m_src = t->m2m_dst = t->m2m_id = -1;
    t->all_pk = 1;
    if (!(t->name = dj_strdup(name)))
        return dj_nomem(c);
    c->nt++;
    *out = t;
    return INVS_OK;
}

dj_table *dj_table_find(invs_drv_conn *c, const char *name)
{
    size_t i;
    for (i = 0; i < c->nt; i++)
        if (!strcmp(c->t[i].name, name))
            return &c->t[i];
    return NULL;
}

static int dj_options(invs_drv_conn *c, const char *const *options)
{
    size_t i;
    for (i = 0; options && options[i]; i++) {
        int rc;
        if (!strcmp(options[i], "replace=yes") || !strcmp(options[i], "replace=true")) {
            c->replace = 1;
            continue;
        }
        if ((rc = dj_option(c, options[i])) < 0)
            return rc;
        if (rc == 0)
            continue;
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "the django driver has no option '%s' (it knows replace=yes, "
                              "map=app.model=TABLE, ignore_field=app.model.field)",
                              options[i]);
    }
    return INVS_OK;
}

/* The path a URI names: django:PATH verbatim, django:///ABSOLUTE/PATH. */
static int dj_uri_path(invs_drv_conn *c, const char *uri)
{
    invs_uri *u = NULL;
    int rc = dj_host->uri_parse(&u, uri);
    if (rc == INVS_OK && u->has_authority && u->host && *u->host && strcmp(u->host, "localhost"))
        rc = INVS_EINVAL;
    if (rc == INVS_OK && (!u->path || !*u->path || u->query || u->fragment))
        rc = INVS_EINVAL;
    if (rc == INVS_OK && !(c->path = dj_strdup(u->path)))
        rc = INVS_ENOMEM;
    dj_host->uri_free(u);
    if (rc == INVS_ENOMEM)
        return dj_nomem(c);
    if (rc != INVS_OK)
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "not a Django fixture URI: use django:FILE or "
                              "django:///ABSOLUTE/PATH");
    if (!(c->shown = dj_host->alloc(strlen(c->path) + 8)))
        return dj_nomem(c);
    strcpy(c->shown, "django:");
    strcat(c->shown, c->path);
    return INVS_OK;
}

static void dj_close(invs_drv_conn *c);

static int dj_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                   const char *const *options)
{
    invs_drv_conn *c;
    int rc;
    *out = NULL;
    if (!(c = dj_host->alloc(sizeof(*c))))
        return dj_host->error(s, INVS_ENOMEM, NULL, 0, "out of memory");
    memset(c, 0, sizeof(*c));
    c->s = s;
    c->flags = flags;
    c->fd = -1;
    if ((rc = dj_uri_path(c, uri)) == INVS_OK && (rc = dj_options(c, options)) == INVS_OK &&
        !(c->loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)))
        rc = dj_nomem(c);
    if (rc == INVS_OK)
        rc = (flags & INVS_OPEN_WRITE) ? dj_open_write(c) : dj_reader_open(c);
    if (rc != INVS_OK) {
        dj_close(c);
        return rc;
    }
    *out = c;
    return INVS_OK;
}

static void dj_close(invs_drv_conn *c)
{
    size_t i;
    if (!c)
        return;
    dj_reader_close(c);
    dj_given_free(c);
    fmt_out_free(&c->out);
    if (c->fd > 1)
        close(c->fd);
    if (c->tmp && !c->committed)
        unlink(c->tmp);
    for (i = 0; i < c->nt; i++)
        dj_table_free(&c->t[i]);
    dj_host->free(c->t);
    for (i = 0; i < 2 * c->nfacts; i++)
        dj_host->free(c->facts[i]);
    dj_host->free(c->facts);
    if (c->loc)
        freelocale(c->loc);
    dj_host->free(c->tmp);
    dj_host->free(c->path);
    dj_host->free(c->shown);
    dj_host->free(c);
}

/* The metadata record's members (InvenTree: source_version,
 * installed_apps, ...), kept by the stage as source.KEY. */
static int dj_meta_read(invs_drv_conn *c, invs_emit_meta_fn emit, void *payload)
{
    size_t i;
    int rc;
    for (i = 0; i < c->nfacts; i++)
        if ((rc = emit(c->facts[2 * i], c->facts[2 * i + 1], payload)) != INVS_OK)
            return rc;
    for (i = 0; i < c->nignores; i++) { /* left out on purpose: the stage says so */
        char key[48];
        snprintf(key, sizeof(key), "ignored_field.%zu", i + 1);
        if ((rc = emit(key, c->ignores[i], payload)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

/* A JSON array whose first element is a record, sure when "model" or
 * "metadata" is in view. */
static int dj_sniff(const unsigned char *head, size_t n)
{
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (i == n || head[i] != '[')
        return 0;
    for (i++; i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n');
         i++)
        ;
    if (i < n && head[i] == ']')
        return 30; /* an empty fixture */
    if (i == n || head[i] != '{')
        return 0;
    for (; i + 8 <= n; i++)
        if (!memcmp(head + i, "\"model\"", 7) || !memcmp(head + i, "\"metadata\"", 10))
            return 90;
    return 30;
}

static const char *const dj_schemes[] = {"django", NULL};

static const invs_driver dj_driver = {
    .abi_major = INVS_ABI_MAJOR,
    .abi_minor = INVS_ABI_MINOR,
    .struct_size = sizeof(invs_driver),
    .name = "django",
    .version = INVS_VERSION,
    .description = "Django fixtures (manage.py dumpdata/loaddata JSON: export and import)",
    .schemes = dj_schemes,
    .caps = INVS_CAP_PULL | INVS_CAP_PUSH | INVS_CAP_CREATE | INVS_CAP_TXN_DDL | INVS_CAP_FILE,
    .open = dj_open,
    .close = dj_close,
    .schema_read = dj_schema_read,
    .cursor_next = dj_cursor_next,
    .cursor_close = dj_cursor_close,
    .begin = dj_begin,
    .commit = dj_commit,
    .rollback = dj_rollback,
    .has_rows = dj_has_rows,
    .table_clear = dj_table_noop,
    .load_begin = dj_load_begin,
    .writer_open = dj_writer_open,
    .writer_put = dj_writer_put,
    .writer_close = dj_writer_close,
    .load_end = dj_load_end,
    .sequences_set = dj_table_noop,
    .indexes_create = dj_table_noop,
    .limits = NULL,
    .cursor_open_v2 = dj_cursor_open,
    .table_create_v2 = dj_table_create,
    .meta_read = dj_meta_read,
    .schema_given = dj_schema_given,
    .suffixes = NULL, /* ".json" is the invstage format's: -f django says this one */
    .sniff = dj_sniff,
    .given_rows = dj_given_rows,
    .row_given = dj_row_given,
    .table_held = dj_table_held,
};

INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host)
{
    if (!host || host->abi_major != INVS_ABI_MAJOR)
        return NULL;
    if (!INVS_HAS(host, invs_host, canon_name)) {
        host->log(NULL, INVS_LOG_ERROR, "the django driver needs host ABI %d.0's services",
                  INVS_ABI_MAJOR);
        return NULL;
    }
    dj_host = host;
    return &dj_driver;
}

/* From a URI to an open driver connection. */
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

static const char *conn_cap_name(uint64_t cap)
{
    switch (cap) {
    case INVS_CAP_PULL: return "read from (pull)";
    case INVS_CAP_PUSH: return "write to (push)";
    case INVS_CAP_CREATE: return "create tables in";
    }
    return "use";
}

int invs_conn_open(invs_conn **out, invs_job *j, const char *uri, const char *role,
                   uint64_t need, unsigned flags, const char *const *options)
{
    invs_conn *c = NULL;
    invs_uri *u = NULL;
    int rc;
    uint64_t bit;

    *out = NULL;
    if (!(c = calloc(1, sizeof(*c))) || !(c->redacted = invs_uri_redact(uri))) {
        rc = invs_diag_oom(&j->diag);
        goto fail;
    }
    c->sess.ctx = j->ctx;
    c->sess.role = role;
    c->sess.lock_ms = j->lock_ms;
    rc = invs_uri_parse(&u, uri);
    if (rc == INVS_ENOMEM) {
        invs_diag_oom(&j->diag);
        goto fail;
    }
    if (rc != INVS_OK) {
        rc = invs_uri_refuse(&j->diag, role, uri);
        goto fail;
    }
    if ((rc = invs_driver_for_uri(&c->drv, j, u->scheme)) != INVS_OK) {
        invs_diag_prefix(&j->diag, "%s %s", role, c->redacted);
        goto fail;
    }
    for (bit = 1; bit <= INVS_CAP_CREATE; bit <<= 1)
        if ((need & bit) && !(c->drv->caps & bit)) {
            rc = invs_diag(&j->diag, INVS_EUNSUPPORTED, "driver %s cannot %s a database",
                           c->drv->name, conn_cap_name(bit));
            goto fail;
        }
    if ((rc = c->drv->open(&c->h, &c->sess, uri, flags, options)) != INVS_OK) {
        c->h = NULL;
        invs_conn_err(j, c, rc);
        goto fail;
    }
    invs_uri_free(u);
    *out = c;
    return INVS_OK;
fail:
    invs_uri_free(u);
    invs_conn_close(c);
    return rc;
}

int invs_conn_cursor_open(invs_drv_cursor **out, invs_conn *c, const invs_table *t,
                          uint32_t hints)
{
    const invs_driver *d = c->drv;
    invs_table legacy;
    *out = NULL;
    if (INVS_HAS(d, invs_driver, cursor_open_v2) && d->cursor_open_v2)
        return d->cursor_open_v2(out, c->h, t, hints);
    /* ABI 1.1: the hint travels as a table flag */
    legacy = *t;
    if (hints & INVS_HINT_ANY_ORDER)
        legacy.flags |= INVS_TBL_ANY_ORDER;
    return d->cursor_open(out, c->h, &legacy);
}

uint32_t invs_conn_native(const invs_conn *c, const char *engine)
{
    return engine && !strcmp(engine, c->drv->name) ? INVS_HINT_NATIVE : 0;
}

int invs_conn_table_create(invs_conn *c, const invs_table *t)
{
    const invs_driver *d = c->drv;
    uint32_t hints = invs_conn_native(c, t->engine);
    if (INVS_HAS(d, invs_driver, table_create_v2) && d->table_create_v2)
        return d->table_create_v2(c->h, t, hints);
    return d->table_create(c->h, t);
}

const invs_limits *invs_driver_limits(const invs_driver *d)
{
    return INVS_HAS(d, invs_driver, limits) ? d->limits : NULL;
}

void invs_conn_close(invs_conn *c)
{
    if (!c)
        return;
    if (c->h)
        c->drv->close(c->h);
    free(c->redacted);
    free(c);
}

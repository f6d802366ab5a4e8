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

int invs_conn_open(invs_conn **out, invs_ctx *ctx, const char *uri, const char *role,
                   uint64_t need, unsigned flags, const char *const *options)
{
    invs_conn *c = NULL;
    invs_uri *u = NULL;
    const char *dname;
    int rc;
    uint64_t bit;

    *out = NULL;
    if (!(c = calloc(1, sizeof(*c))) || !(c->redacted = invs_uri_redact(uri))) {
        rc = invs_diag(ctx, INVS_ENOMEM, "out of memory");
        goto fail;
    }
    c->sess.ctx = ctx;
    c->sess.role = role;
    rc = invs_uri_parse(&u, uri);
    if (rc == INVS_ENOMEM) {
        invs_diag(ctx, rc, "out of memory");
        goto fail;
    }
    if (rc != INVS_OK) {
        invs_diag(ctx, INVS_EINVAL,
                  "%s '%s' is not a URI: expected SCHEME:..., e.g. sqlite:%s or "
                  "postgresql://host/db",
                  role, c->redacted, c->redacted);
        goto fail;
    }
    dname = invs_driver_for_scheme(u->scheme);
    if ((rc = invs_driver_load(&c->drv, ctx, dname)) != INVS_OK) {
        invs_diag_prefix(ctx, "%s %s", role, c->redacted);
        goto fail;
    }
    for (bit = 1; bit <= INVS_CAP_CREATE; bit <<= 1)
        if ((need & bit) && !(c->drv->caps & bit)) {
            rc = invs_diag(ctx, INVS_EUNSUPPORTED, "driver %s cannot %s a database",
                           c->drv->name, conn_cap_name(bit));
            goto fail;
        }
    if ((rc = c->drv->open(&c->h, &c->sess, uri, flags, options)) != INVS_OK) {
        c->h = NULL;
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

void invs_conn_close(invs_conn *c)
{
    if (!c)
        return;
    if (c->h)
        c->drv->close(c->h);
    free(c->redacted);
    free(c);
}

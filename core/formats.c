/*
 * Choosing a file format (a driver with INVS_CAP_FILE) for a file, from
 * what the drivers say of themselves: the endings of a file's name they
 * claim (`suffixes`) and how sure they are of a file's first bytes
 * (`sniff`). The candidates are the drivers the plugin path's manifests
 * list, so that a new format is a new module and a line in a manifest,
 * and `invstage export` / `import` know no format by name.
 */
#include <string.h>
#include <strings.h>

#include "invs_core.h"

typedef struct format_walk {
    invs_ctx *ctx;
    int (*fn)(const invs_driver *d, void *payload);
    void *payload;
} format_walk;

/* One listed driver: a file format is handed on; one that does not load
 * is no candidate (`invstage plugins` says why). */
static int format_listed(const char *name, void *payload)
{
    format_walk *w = payload;
    const invs_driver *d;
    invs_job j;
    invs_job_init(&j, w->ctx);
    if (invs_driver_find(&d, &j, name) != INVS_OK) {
        invs_log(w->ctx, INVS_LOG_DEBUG, "%s", j.diag.msg);
        return INVS_OK;
    }
    if (!(d->caps & INVS_CAP_FILE) || !INVS_HAS(d, invs_driver, sniff))
        return INVS_OK;
    return w->fn(d, w->payload);
}

int invs_format_each(invs_ctx *ctx, int (*fn)(const invs_driver *d, void *payload),
                     void *payload)
{
    format_walk w = {ctx, fn, payload};
    return invs_driver_list(ctx, format_listed, &w);
}

typedef struct format_pick {
    const char *file;         /* by name */
    const unsigned char *head; /* by content */
    size_t n;
    const invs_driver *best;
    size_t score;
} format_pick;

/* The longest of d's suffixes that ends p->file, case aside. */
static int format_by_name(const invs_driver *d, void *payload)
{
    format_pick *p = payload;
    size_t len = strlen(p->file), k;
    const char *const *s;
    for (s = d->suffixes; s && *s; s++) {
        k = strlen(*s);
        if (k && k <= len && k > p->score && !strcasecmp(p->file + len - k, *s)) {
            p->best = d;
            p->score = k;
        }
    }
    return INVS_OK;
}

static int format_by_bytes(const invs_driver *d, void *payload)
{
    format_pick *p = payload;
    int sure;
    if (!d->sniff)
        return INVS_OK;
    sure = d->sniff(p->head, p->n);
    if (sure > 0 && (size_t)sure > p->score) {
        p->best = d;
        p->score = (size_t)sure;
    }
    return INVS_OK;
}

static int format_choose(const invs_driver **out, invs_ctx *ctx, format_pick *p,
                         int (*fn)(const invs_driver *d, void *payload))
{
    int rc = invs_format_each(ctx, fn, p);
    *out = p->best;
    if (rc < 0)
        return rc;
    return p->best ? INVS_OK : INVS_ENOTFOUND;
}

int invs_format_for_name(const invs_driver **out, invs_ctx *ctx, const char *file)
{
    format_pick p = {file, NULL, 0, NULL, 0};
    return format_choose(out, ctx, &p, format_by_name);
}

int invs_format_for_bytes(const invs_driver **out, invs_ctx *ctx, const void *head, size_t n)
{
    format_pick p = {NULL, head, n < INVS_SNIFF_MAX ? n : INVS_SNIFF_MAX, NULL, 0};
    return format_choose(out, ctx, &p, format_by_bytes);
}

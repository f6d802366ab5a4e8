/*
 * The context: plugin search path, the embedder's callbacks, cancellation,
 * and the last diagnostic a public entry point reported. Its members are
 * private to this file; the rest of invstage uses the functions below.
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

struct invs_ctx {
    char **plugin_dirs;
    size_t nplugin_dirs;
    invs_log_fn log_fn;
    void *log_payload;
    invs_progress_fn progress_fn;
    void *progress_payload;
    const char *phase; /* "pull", "push": passed to the progress callback */
    volatile sig_atomic_t cancel;
    invs_diag_rec diag; /* what the last entry point reported */
    pthread_mutex_t callbacks; /* the log and progress callbacks run one at a
                                  time: migrate's sender thread logs too */
};

int invs_ctx_new(invs_ctx **out)
{
    invs_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx && pthread_mutex_init(&ctx->callbacks, NULL) != 0) {
        free(ctx);
        ctx = NULL;
    }
    *out = ctx;
    return ctx ? INVS_OK : INVS_ENOMEM;
}

void invs_ctx_free(invs_ctx *ctx)
{
    size_t i;
    if (!ctx)
        return;
    for (i = 0; i < ctx->nplugin_dirs; i++)
        free(ctx->plugin_dirs[i]);
    free(ctx->plugin_dirs);
    pthread_mutex_destroy(&ctx->callbacks);
    free(ctx);
}

int invs_ctx_add_plugin_dir(invs_ctx *ctx, const char *dir)
{
    char **dirs;
    char *copy;
    if (!dir || !*dir)
        return invs_diag(&ctx->diag, INVS_EINVAL, "empty plugin directory");
    copy = invs_strdup(dir);
    dirs = copy ? realloc(ctx->plugin_dirs, (ctx->nplugin_dirs + 1) * sizeof(*dirs)) : NULL;
    if (!dirs) {
        free(copy);
        return invs_diag_oom(&ctx->diag);
    }
    dirs[ctx->nplugin_dirs++] = copy;
    ctx->plugin_dirs = dirs;
    return INVS_OK;
}

int invs_ctx_add_plugin_path(invs_ctx *ctx, const char *list)
{
    const char *p = list;
    while (p && *p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n) {
            char *dir = malloc(n + 1);
            int rc;
            if (!dir)
                return invs_diag_oom(&ctx->diag);
            memcpy(dir, p, n);
            dir[n] = '\0';
            rc = invs_ctx_add_plugin_dir(ctx, dir);
            free(dir);
            if (rc)
                return rc;
        }
        p = end ? end + 1 : NULL;
    }
    return INVS_OK;
}

size_t invs_ctx_plugin_dirs(const invs_ctx *ctx, const char *const **out)
{
    *out = (const char *const *)ctx->plugin_dirs;
    return ctx->nplugin_dirs;
}

void invs_ctx_set_log(invs_ctx *ctx, invs_log_fn fn, void *payload)
{
    ctx->log_fn = fn;
    ctx->log_payload = payload;
}

void invs_ctx_set_progress(invs_ctx *ctx, invs_progress_fn fn, void *payload)
{
    ctx->progress_fn = fn;
    ctx->progress_payload = payload;
}

void invs_ctx_cancel(invs_ctx *ctx) { ctx->cancel = 1; }

int invs_ctx_cancelled(const invs_ctx *ctx) { return ctx->cancel != 0; }

void invs_ctx_set_phase(invs_ctx *ctx, const char *phase) { ctx->phase = phase; }

int invs_ctx_report(invs_ctx *ctx, const invs_diag_rec *d, int rc)
{
    if (rc >= 0)
        invs_diag_clear(&ctx->diag);
    else if (d->code == rc)
        ctx->diag = *d;
    else if (rc == INVS_ENOMEM)
        invs_diag_oom(&ctx->diag);
    else
        invs_diag(&ctx->diag, rc, "failed (%s)", invs_rc_name(rc));
    return rc;
}

int invs_errcode(const invs_ctx *ctx) { return ctx->diag.code; }
const char *invs_errmsg(const invs_ctx *ctx) { return ctx->diag.msg; }
const char *invs_errsqlstate(const invs_ctx *ctx) { return ctx->diag.sqlstate; }

void invs_log(invs_ctx *ctx, int level, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    if (!ctx->log_fn)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&ctx->callbacks);
    ctx->log_fn(level, msg, ctx->log_payload);
    pthread_mutex_unlock(&ctx->callbacks);
}

void invs_progress(invs_ctx *ctx, const char *table, int64_t done, int64_t total)
{
    if (!ctx->progress_fn)
        return;
    pthread_mutex_lock(&ctx->callbacks);
    ctx->progress_fn(ctx->phase ? ctx->phase : "", table, done, total, ctx->progress_payload);
    pthread_mutex_unlock(&ctx->callbacks);
}

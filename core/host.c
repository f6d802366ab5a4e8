/*
 * The host service table: everything a driver may ask of invstage.
 *
 * A driver reports on the session it was given. Inside its entry point
 * there is no session yet: there, a NULL session is legal and what the
 * driver says lands in the loader's record of why it refused (the loader
 * holds its lock around the call, and the record is per thread).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

static _Thread_local invs_ctx *loading_ctx;
static _Thread_local invs_diag_rec *loading_why;

void invs_host_loading(invs_ctx *ctx, invs_diag_rec *why)
{
    loading_ctx = ctx;
    loading_why = why;
    if (why)
        invs_diag_clear(why);
}

/* What a driver says while it loads: appended to the reason. */
static void host_loading_say(int code, const char *msg)
{
    size_t n;
    if (!loading_why)
        return;
    n = strlen(loading_why->msg);
    if (code)
        loading_why->code = code;
    snprintf(loading_why->msg + n, sizeof(loading_why->msg) - n, "%s%s", n ? "; " : "", msg);
}

static int host_error(invs_session *s, int code, const char *sqlstate, long native,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (s) {
        invs_diag_v(&s->diag, code, sqlstate, native, fmt, ap);
    } else {
        char msg[1024];
        vsnprintf(msg, sizeof(msg), fmt, ap);
        host_loading_say(code, msg);
    }
    va_end(ap);
    return code;
}

static void host_log(invs_session *s, int level, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (s) {
        invs_log(s->ctx, level, "%s: %s", s->role, msg);
        return;
    }
    if (level <= INVS_LOG_WARN)
        host_loading_say(0, msg);
    if (loading_ctx)
        invs_log(loading_ctx, level, "loading a driver: %s", msg);
}

static void host_progress(invs_session *s, const char *table, int64_t done, int64_t total)
{
    if (s)
        invs_progress(s->ctx, table, done, total);
}

static int host_cancelled(invs_session *s) { return s && invs_ctx_cancelled(s->ctx); }

static long host_lock_timeout_ms(invs_session *s) { return s ? s->lock_ms : -1; }

static char *host_temp_name(invs_session *s, const char *path)
{
    (void)s;
    return invs_file_temp_name(path);
}

static int host_publish(invs_session *s, const char *tmp, const char *path, int replace)
{
    invs_diag_rec spare, *err = s ? &s->diag : &spare;
    return invs_file_publish(err, tmp, path, replace);
}

static const invs_host host_table = {
    .abi_major = INVS_ABI_MAJOR,
    .abi_minor = INVS_ABI_MINOR,
    .struct_size = sizeof(invs_host),
    .alloc = malloc,
    .realloc = realloc,
    .free = free,
    .error = host_error,
    .log = host_log,
    .progress = host_progress,
    .cancelled = host_cancelled,
    .quote_ident = invs_quote_ident,
    .uri_parse = invs_uri_parse,
    .uri_free = invs_uri_free,
    .uri_redact = invs_uri_redact,
    .canon_name = invs_canon_name,
    .lock_timeout_ms = host_lock_timeout_ms,
    .temp_name = host_temp_name,
    .publish = host_publish,
};

const invs_host *invs_host_table(void) { return &host_table; }

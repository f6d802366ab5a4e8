/* The host service table: everything a driver may ask of invstage. */
#include <stdarg.h>
#include <stdlib.h>

#include "invs_core.h"

static int host_error(invs_session *s, int code, const char *sqlstate, long native,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    invs_diag_full(s->ctx, code, sqlstate, native, fmt, ap);
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
    invs_log(s->ctx, level, "%s: %s", s->role, msg);
}

static void host_progress(invs_session *s, const char *table, int64_t done, int64_t total)
{
    invs_progress(s->ctx, table, done, total);
}

static int host_cancelled(invs_session *s) { return s->ctx->cancel != 0; }

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
};

const invs_host *invs_host_table(void) { return &host_table; }

/*
 * Diagnostics records. Each handle that can fail owns one, so that work on
 * different handles (tables streaming in parallel, a writer thread beside a
 * reader) never writes one record at once; a job takes the record of the
 * handle that failed; the public entry point copies the job's into the
 * context once, on return.
 *
 * The out-of-memory diagnostic is one static record copied into place, as
 * libgit2's is: reporting it needs no memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "invs_core.h"

static const invs_diag_rec diag_oom = {INVS_ENOMEM, "", 0, "out of memory"};

int invs_diag_v(invs_diag_rec *d, int code, const char *sqlstate, long native, const char *fmt,
                va_list ap)
{
    d->code = code;
    d->native = native;
    snprintf(d->sqlstate, sizeof(d->sqlstate), "%s", sqlstate ? sqlstate : "");
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    return code;
}

int invs_diag(invs_diag_rec *d, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    invs_diag_v(d, code, NULL, 0, fmt, ap);
    va_end(ap);
    return code;
}

int invs_diag_oom(invs_diag_rec *d)
{
    *d = diag_oom;
    return INVS_ENOMEM;
}

void invs_diag_prefix(invs_diag_rec *d, const char *fmt, ...)
{
    char *msg = d->msg;
    const size_t cap = sizeof(d->msg);
    char prefix[512];
    size_t pl, ml;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
    va_end(ap);
    strcat(prefix, ": ");
    pl = strlen(prefix);
    ml = strlen(msg);
    if (ml > cap - 1 - pl)
        ml = cap - 1 - pl; /* the message's tail gives way to its context */
    memmove(msg + pl, msg, ml);
    memcpy(msg, prefix, pl);
    msg[pl + ml] = '\0';
}

/* The codes by name, for a message about a code nobody explained. */
const char *invs_rc_name(int rc)
{
    switch (rc) {
    case INVS_OK: return "OK";
    case INVS_ROW: return "ROW";
    case INVS_DONE: return "DONE";
    case INVS_ENOMEM: return "NOMEM";
    case INVS_EINVAL: return "INVAL";
    case INVS_EABI: return "ABI";
    case INVS_EUNSUPPORTED: return "UNSUPPORTED";
    case INVS_ECONNECT: return "CONNECT";
    case INVS_EAUTH: return "AUTH";
    case INVS_ESQL: return "SQL";
    case INVS_ECONSTRAINT: return "CONSTRAINT";
    case INVS_ETYPE: return "TYPE";
    case INVS_EIO: return "IO";
    case INVS_ECANCELLED: return "CANCELLED";
    case INVS_EVERIFY: return "VERIFY";
    case INVS_ENOTFOUND: return "NOTFOUND";
    case INVS_EREFUSED: return "REFUSED";
    case INVS_ECORRUPT: return "CORRUPT";
    }
    return "UNKNOWN";
}

void invs_diag_clear(invs_diag_rec *d)
{
    d->code = 0;
    d->native = 0;
    d->sqlstate[0] = '\0';
    d->msg[0] = '\0';
}

int invs_diag_take(invs_diag_rec *d, invs_diag_rec *from, int rc)
{
    if (rc >= 0 || d == from)
        return rc;
    if (from->code == rc && from->msg[0])
        *d = *from;
    else if (from->code < 0 && from->msg[0] && rc != INVS_ENOMEM) {
        /* the callee recorded why but returned another code (a cancelled
         * statement passed on as a mere SQL error): the record is the
         * better account of what happened */
        *d = *from;
        rc = from->code;
    } else if (rc == INVS_ENOMEM)
        invs_diag_oom(d);
    else /* the callee returned a code without saying why */
        invs_diag(d, rc, "failed (%s)", invs_rc_name(rc));
    invs_diag_clear(from);
    return rc;
}

void invs_diag_save(invs_diag_rec *saved, const invs_diag_rec *d) { *saved = *d; }

void invs_diag_restore(invs_diag_rec *d, const invs_diag_rec *saved) { *d = *saved; }

/* The findings recorder: what every verify pass reports goes through here,
 * counted by severity and kept in the stage's audit (audit.c). */
#include "verify.h"

int invs_verify_report(invs_verify_run *v, const char *check, int error, const char *table,
                       const char *column, int64_t count, const char *keys, const char *detail)
{
    invs_finding f = {check, error ? INVS_SEV_ERROR : INVS_SEV_WARNING, table, column, count,
                      keys, detail};
    if (count <= 0)
        return INVS_OK;
    if (error)
        v->errors++;
    else
        v->warnings++;
    return invs_audit_finding(v->st, &f);
}

const char *invs_verify_engine(const invs_verify_run *v)
{
    return v->lim->engine ? v->lim->engine : v->target[0] ? v->target : "the target";
}

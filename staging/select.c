/*
 * Which tables a pull or an export takes (select.h). A table is taken
 * when no --table is given or its name matches one (exactly, or as a
 * glob), and no --exclude matches it. A --table that matches nothing is
 * a mistake worth stopping for: a typo would otherwise move nothing.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

static int select_match(const char *name, const char *pattern)
{
    return strcmp(name, pattern) == 0 || fnmatch(pattern, name, 0) == 0;
}

int invs_select_init(invs_select *s, const char *const *tables, size_t ntables,
                     const char *const *excludes, size_t nexcludes)
{
    s->tables = tables;
    s->ntables = tables ? ntables : 0;
    s->excludes = excludes;
    s->nexcludes = excludes ? nexcludes : 0;
    s->used = calloc(s->ntables + 1, 1);
    return s->used ? INVS_OK : INVS_ENOMEM;
}

void invs_select_free(invs_select *s)
{
    free(s->used);
    s->used = NULL;
}

int invs_select_has(invs_select *s, const char *name)
{
    size_t i;
    int in = s->ntables == 0;
    for (i = 0; i < s->ntables; i++)
        if (select_match(name, s->tables[i])) {
            s->used[i] = 1;
            in = 1;
        }
    for (i = 0; in && i < s->nexcludes; i++)
        if (select_match(name, s->excludes[i]))
            in = 0;
    return in;
}

int invs_select_check_used(const invs_select *s, invs_diag_rec *diag, const char *what,
                           const char *name)
{
    size_t i;
    for (i = 0; i < s->ntables; i++)
        if (!s->used[i])
            return invs_diag(diag, INVS_EINVAL, "%s %s has no table matching '%s'", what, name,
                             s->tables[i]);
    return INVS_OK;
}

static int select_named(const invs_table *const *ts, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!strcmp(ts[i]->name, name))
            return 1;
    return 0;
}

void invs_select_warn_refs(invs_ctx *ctx, invs_table *const *ts, size_t n, int drop,
                           const char *where)
{
    size_t i, k, kept;
    for (i = 0; i < n; i++) {
        invs_key *keys = (invs_key *)(void *)ts[i]->keys; /* the host's copy */
        for (k = kept = 0; k < ts[i]->nkeys; k++) {
            if (keys[k].kind != INVS_KEY_FOREIGN ||
                select_named((const invs_table *const *)ts, n, keys[k].ref_table)) {
                keys[kept++] = keys[k];
                continue;
            }
            invs_log(ctx, INVS_LOG_WARN, "table %s references %s, which is not in the %s%s",
                     ts[i]->name, keys[k].ref_table, where,
                     drop ? ": that foreign key is left out (--drop-dangling-fks)" : "");
            if (!drop)
                keys[kept++] = keys[k];
        }
        ts[i]->nkeys = kept;
    }
}

int invs_stage_select(invs_stage *st, invs_select *s, invs_diag_rec *diag)
{
    invs_table **kept;
    size_t i, n = 0;
    int rc;
    for (i = 0; i < st->ntables; i++) {
        if (invs_select_has(s, st->tables[i].schema->t.name))
            st->tables[n++] = st->tables[i];
        else
            invs_schema_free(st->tables[i].schema);
    }
    st->ntables = n;
    if ((rc = invs_select_check_used(s, diag, "stage", st->path)) != INVS_OK)
        return rc;
    if (!(kept = calloc(n + 1, sizeof(*kept))))
        return invs_diag_oom(diag);
    for (i = 0; i < n; i++)
        kept[i] = &st->tables[i].schema->t;
    invs_select_warn_refs(st->ctx, kept, n, 0, "export");
    free(kept);
    return INVS_OK;
}

int invs_stage_keep_held(invs_stage *st, invs_job *j, invs_conn *target)
{
    const invs_driver *d = target->drv;
    invs_strbuf gone;
    size_t i, n = 0, k = 0;
    int rc = INVS_OK;
    if (!INVS_HAS(d, invs_driver, table_held) || !d->table_held)
        return INVS_OK;
    invs_sb_init_std(&gone);
    for (i = 0; i < st->ntables; i++) {
        int held = rc < 0 ? 1 : d->table_held(target->h, &st->tables[i].schema->t);
        if (held < 0)
            rc = invs_conn_err(j, target, held), held = 1;
        if (held) {
            st->tables[n++] = st->tables[i];
            continue;
        }
        invs_sb_printf(&gone, "%s%s", k++ ? ", " : "", st->tables[i].schema->t.name);
        invs_schema_free(st->tables[i].schema);
    }
    st->ntables = n;
    if (rc == INVS_OK && invs_sb_failed(&gone))
        rc = invs_diag_oom(&j->diag);
    if (rc == INVS_OK && k)
        invs_log(j->ctx, INVS_LOG_WARN, "%s cannot hold %zu table(s), left out: %s",
                 target->redacted, k, gone.p);
    invs_sb_free(&gone);
    return rc;
}

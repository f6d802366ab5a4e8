/*
 * The version guard: both installations must run exactly the same version
 * of the application (the InvenTree guide's rule, enforced). Where the stage
 * holds an application's migration table, push compares it with the
 * target's before anything is cleared, on the columns that name a
 * migration (when it was applied differs between installations, rightly).
 * A target without the table, or with it empty, has nothing to compare.
 */
#include <stdlib.h>
#include <string.h>

#include "version.h"

static const struct {
    const char *table;
    const char *cols[4];
} known[] = {
    {"django_migrations", {"app", "name", NULL}},
    {"schema_migrations", {"version", NULL}},                  /* Rails */
    {"alembic_version", {"version_num", NULL}},                /* Alembic */
    {"flyway_schema_history", {"version", "script", "checksum", NULL}}, /* Flyway */
};

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static int names_add(names *s, const invs_value *row, const long *idx, size_t ncols)
{
    invs_strbuf sb;
    size_t i;
    invs_sb_init_std(&sb);
    for (i = 0; i < ncols; i++) {
        const invs_value *v = &row[idx[i]];
        if (i)
            invs_sb_puts(&sb, ".");
        if (v->type == INVS_TEXT || v->type == INVS_BLOB)
            invs_sb_add(&sb, v->ptr, v->len);
        else if (v->type == INVS_INT)
            invs_sb_printf(&sb, "%lld", (long long)v->num.i);
        else if (v->type != INVS_NULL)
            invs_sb_puts(&sb, "?");
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **nv = realloc(s->v, cap * sizeof(*nv));
        if (!nv) {
            invs_sb_free(&sb);
            return INVS_ENOMEM;
        }
        s->v = nv;
        s->cap = cap;
    }
    if (!(s->v[s->n] = invs_sb_take(&sb)))
        return INVS_ENOMEM;
    s->n++;
    return INVS_OK;
}

static void names_free(names *s)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static int names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Column indexes of the identifying columns in t, or -1 if one is missing. */
static int version_columns(const invs_table *t, const char *const *cols, long *idx, size_t *n)
{
    for (*n = 0; cols[*n]; (*n)++)
        if ((idx[*n] = invs_schema_column(t, cols[*n])) < 0)
            return INVS_EINVAL;
    return 0;
}

static int version_compare(invs_job *job, const char *table, names *st, names *tg,
                           const char *target)
{
    invs_strbuf only_s, only_t;
    size_t i = 0, j = 0, ns = 0, nt = 0;
    int rc = INVS_OK;

    qsort(st->v, st->n, sizeof(char *), names_cmp);
    qsort(tg->v, tg->n, sizeof(char *), names_cmp);
    invs_sb_init_std(&only_s);
    invs_sb_init_std(&only_t);
    while (i < st->n || j < tg->n) {
        int c = i == st->n ? 1 : j == tg->n ? -1 : strcmp(st->v[i], tg->v[j]);
        if (c < 0 && ns++ < 5)
            invs_sb_printf(&only_s, "%s%s", only_s.len ? ", " : "", st->v[i]);
        if (c > 0 && nt++ < 5)
            invs_sb_printf(&only_t, "%s%s", only_t.len ? ", " : "", tg->v[j]);
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    if (ns || nt)
        rc = invs_diag(&job->diag, INVS_EREFUSED,
                       "target %s runs another version of the application: %s differs (only in "
                       "the stage: %s%s; only in the target: %s%s); nothing was written. Use "
                       "--ignore-version to push anyway",
                       target, table, ns ? only_s.p : "none", ns > 5 ? ", ..." : "",
                       nt ? only_t.p : "none", nt > 5 ? ", ..." : "");
    invs_sb_free(&only_s);
    invs_sb_free(&only_t);
    return rc;
}

int invs_version_guard(invs_job *j, invs_stage *stage, const invs_stage_table *st,
                       invs_conn *target, const invs_table *target_table)
{
    names s = {NULL, 0, 0}, t = {NULL, 0, 0};
    long sidx[4], tidx[4];
    size_t k, n, m;
    invs_stage_reader *r = NULL;
    invs_drv_cursor *cur = NULL;
    const invs_value *row;
    int rc = INVS_OK;

    for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
        if (!strcmp(st->schema->t.name, known[k].table))
            break;
    if (k == sizeof(known) / sizeof(known[0]) || !target_table)
        return INVS_OK;
    if (version_columns(&st->schema->t, known[k].cols, sidx, &n) != 0 ||
        version_columns(target_table, known[k].cols, tidx, &m) != 0)
        return invs_diag(&j->diag, INVS_EREFUSED,
                         "%s in the stage or the target lacks the columns that name a "
                         "migration; nothing was written. Use --ignore-version to push anyway",
                         known[k].table);
    if ((rc = invs_conn_cursor_open(&cur, target, target_table, INVS_HINT_ANY_ORDER)) !=
        INVS_OK) {
        cur = NULL;
        invs_conn_err(j, target, rc);
        goto out;
    }
    while ((rc = target->drv->cursor_next(cur, &row)) == INVS_ROW)
        if ((rc = names_add(&t, row, tidx, m)) != INVS_OK)
            goto nomem;
    if (rc != INVS_DONE) {
        invs_conn_err(j, target, rc);
        goto out;
    }
    rc = INVS_OK;
    if (t.n == 0) /* nothing applied in the target: nothing to compare */
        goto out;
    if ((rc = invs_stage_reader_open(&r, stage, st)) != INVS_OK) {
        invs_stage_err(j, stage, rc);
        goto out;
    }
    while ((rc = invs_stage_reader_next(r, &row)) == INVS_ROW)
        if ((rc = names_add(&s, row, sidx, n)) != INVS_OK)
            goto nomem;
    if (rc != INVS_DONE) {
        invs_stage_err(j, stage, rc);
        goto out;
    }
    rc = version_compare(j, known[k].table, &s, &t, target->redacted);
    goto out;
nomem:
    rc = invs_diag_oom(&j->diag);
out:
    if (cur)
        target->drv->cursor_close(cur);
    invs_stage_reader_close(r);
    names_free(&s);
    names_free(&t);
    return rc;
}

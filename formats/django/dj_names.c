/*
 * Tables and models, by Django's rules: a model app_label.modelname is
 * table app_label_modelname unless its Meta says otherwise (Django's own
 * contrib apps do: their tables are listed here); a foreign key field
 * `owner` is column owner_id. A table that is no model (django_migrations,
 * one without a one-column primary key) is never written as records.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dj.h"

/* Django's contrib models whose tables are not named by the default rule. */
static const char *const dj_contrib[][2] = {
    {"django_content_type", "contenttypes.contenttype"},
    {"django_admin_log", "admin.logentry"},
    {"django_session", "sessions.session"},
    {"django_site", "sites.site"},
    {"django_flatpage", "flatpages.flatpage"},
    {"django_redirect", "redirects.redirect"},
};

char *dj_model_table(const char *model)
{
    size_t i;
    char *t;
    for (i = 0; i < sizeof(dj_contrib) / sizeof(dj_contrib[0]); i++)
        if (!strcmp(model, dj_contrib[i][1]))
            return dj_strdup(dj_contrib[i][0]);
    if ((t = dj_strdup(model)))
        *strchr(t, '.') = '_';
    return t;
}

/* The one column of t's primary key, or -1. */
static long dj_pk_column(const invs_table *t)
{
    size_t i, k;
    for (i = 0; i < t->nkeys; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY && t->keys[i].ncols == 1)
            for (k = 0; k < t->ncols; k++)
                if (!strcmp(t->cols[k].name, t->keys[i].cols[0]))
                    return (long)k;
    for (k = 0; k < t->ncols; k++) /* a table an import inferred, without a key */
        if (!strcmp(t->cols[k].name, "pk"))
            return (long)k;
    return -1;
}

char *dj_table_model(const invs_table *t)
{
    size_t i;
    const char *us = strchr(t->name, '_');
    char *m;
    if (!strcmp(t->name, "django_migrations") || dj_pk_column(t) < 0 || !us || us == t->name ||
        !us[1])
        return NULL;
    for (i = 0; i < sizeof(dj_contrib) / sizeof(dj_contrib[0]); i++)
        if (!strcmp(t->name, dj_contrib[i][0]))
            return dj_strdup(dj_contrib[i][1]);
    /* app_label_modelname: the app label before the first '_' (a model's
     * name has none; an auto-created many-to-many table's model is
     * owner_field, loaddata takes it as such) */
    if ((m = dj_strdup(t->name)))
        m[us - t->name] = '.';
    return m;
}

/* Whether t looks like an auto-created many-to-many table: three
 * columns, two of them one-column foreign keys. */
static int dj_m2m_shaped(const invs_table *t)
{
    size_t i, fks = 0;
    for (i = 0; i < t->nkeys; i++)
        fks += t->keys[i].kind == INVS_KEY_FOREIGN && t->keys[i].ncols == 1;
    return t->ncols == 3 && fks == 2;
}

char *dj_stage_model(invs_drv_conn *c, const invs_table *t)
{
    char *m = dj_table_model(t), *f;
    size_t i, n, best = 0, at = 0;
    if (!m || !c->ncts)
        return m;
    for (i = 0; i < sizeof(dj_contrib) / sizeof(dj_contrib[0]); i++)
        if (!strcmp(t->name, dj_contrib[i][0]))
            return m;
    dj_host->free(m);
    for (i = 0; i + 1 < c->ncts; i += 2)
        if (!strcmp(c->cts[i], t->name))
            return dj_strdup(c->cts[i + 1]);
    for (i = 0; i + 1 < c->ncts && dj_m2m_shaped(t); i += 2) /* the longest owner */
        if ((n = strlen(c->cts[i])) > best && !strncmp(t->name, c->cts[i], n) &&
            t->name[n] == '_' && t->name[n + 1])
            best = n, at = i;
    if (!best || !(f = dj_host->alloc(strlen(c->cts[at + 1]) + strlen(t->name) + 1)))
        return NULL;
    sprintf(f, "%s%s", c->cts[at + 1], t->name + best); /* app.owner_field */
    return f;
}

char *dj_column_field(const invs_table *t, size_t col)
{
    const char *name = t->cols[col].name;
    size_t i, n = strlen(name);
    char *f;
    if ((long)col == dj_pk_column(t))
        return dj_strdup("pk");
    for (i = 0; i < t->nkeys; i++) {
        const invs_key *k = &t->keys[i];
        if (k->kind == INVS_KEY_FOREIGN && k->ncols == 1 && !strcmp(k->cols[0], name) &&
            n > 3 && !strcmp(name + n - 3, "_id")) {
            if ((f = dj_strdup(name)))
                f[n - 3] = '\0';
            return f;
        }
    }
    return dj_strdup(name);
}

/* Whether column col holds JSON documents: its type says so, or (Django
 * on SQLite, whose JSONField is text) a CHECK of the table asks
 * JSON_VALID("col"). */
int dj_column_is_json(const invs_table *t, size_t col)
{
    char want[300];
    size_t i, k;
    if (t->cols[col].canon == INVS_T_JSON)
        return 1;
    if (!INVS_HAS(t, invs_table, checks) || !t->checks ||
        snprintf(want, sizeof(want), "json_valid(\"%s\")", t->cols[col].name) >=
            (int)sizeof(want))
        return 0;
    for (i = 0; i < t->nchecks; i++) {
        const char *e = INVS_AT(invs_check, t->checks, i)->expr;
        size_t n = e ? strlen(e) : 0, w = strlen(want);
        for (k = 0; k + w <= n; k++)
            if (!strncasecmp(e + k, want, w))
                return 1;
    }
    return 0;
}

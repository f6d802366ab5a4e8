/*
 * Rows the host hands over (row_given) of the tables named here. On
 * import --schema-from, what the target's `migrate` made, read from
 * where the host read the schema. Content types and permissions give the
 * natural keys a file leaves out (InvenTree's exports exclude them), so a
 * reference resolves to the target's own ids; django_migrations says
 * which apps the target has, against the metadata record's installed_apps
 * (InvenTree warns the same way, INVE-W13). On export, the stage's
 * content types say which tables are models, and of which name.
 */
#include "dj.h"

/* Content types before permissions: a permission's key holds its
 * content type's. */
const char *const dj_given_rows[] = {"django_content_type", "auth_permission",
                                     "django_migrations", NULL};

/* An app's label: "django.contrib.auth" is "auth". */
static const char *dj_app_label(const char *s, size_t *n)
{
    const char *dot = memchr(s, '.', *n), *last = NULL;
    for (; dot; dot = memchr(dot + 1, '.', *n - (size_t)(dot + 1 - s)))
        last = dot;
    if (last) {
        *n -= (size_t)(last + 1 - s);
        s = last + 1;
    }
    return s;
}

static int dj_apps_has(char *const *v, size_t n, const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strlen(v[i]) == len && !memcmp(v[i], s, len))
            return 1;
    return 0;
}

int dj_app_add(invs_drv_conn *c, char ***v, size_t *n, const char *s, size_t len)
{
    s = dj_app_label(s, &len);
    return dj_apps_has(*v, *n, s, len) ? INVS_OK : dj_push_str(c, v, n, s, len);
}

/* Push: a content type of the stage, as the table and model it names. */
static int dj_ct_given(invs_drv_conn *c, const invs_table *t, const invs_value *row)
{
    const invs_value *app = NULL, *model = NULL;
    invs_strbuf sb;
    size_t k;
    int rc = INVS_OK;
    for (k = 0; k < t->ncols; k++)
        if (row[k].type == INVS_TEXT && !strcmp(t->cols[k].name, "app_label"))
            app = &row[k];
        else if (row[k].type == INVS_TEXT && !strcmp(t->cols[k].name, "model"))
            model = &row[k];
    if (!app || !model)
        return INVS_OK;
    invs_sb_init(&sb, dj_host->realloc, dj_host->free);
    invs_sb_printf(&sb, "%.*s_%.*s", (int)app->len, (const char *)app->ptr, (int)model->len,
                   (const char *)model->ptr);
    if (invs_sb_failed(&sb) ||
        (rc = dj_push_str(c, &c->cts, &c->ncts, sb.p, sb.len)) != INVS_OK ||
        (rc = dj_push_str(c, &c->cts, &c->ncts, sb.p, sb.len)) != INVS_OK) {
        invs_sb_free(&sb);
        return rc != INVS_OK ? rc : dj_nomem(c);
    }
    c->cts[c->ncts - 1][app->len] = '.';
    invs_sb_free(&sb);
    return INVS_OK;
}

int dj_row_given(invs_drv_conn *c, const invs_table *t, const invs_value *row)
{
    dj_table *dt;
    size_t k;
    if (c->flags & INVS_OPEN_WRITE)
        return strcmp(t->name, "django_content_type") ? INVS_OK : dj_ct_given(c, t, row);
    dt = dj_table_find(c, t->name);
    if (!dt || dt->given != t || dt->ncols != t->ncols)
        return INVS_OK; /* not a table the driver asked for */
    if (dt->model)
        return dj_nk_note_row(c, dt, row, 1);
    for (k = 0; k < dt->ncols; k++) /* django_migrations */
        if (!strcmp(dt->cols[k], "app") && row[k].type == INVS_TEXT)
            return dj_app_add(c, &c->mig_apps, &c->nmig_apps, row[k].ptr, row[k].len);
    return INVS_OK;
}

/* The names of v not in w, ", "-separated, into sb; how many. */
static size_t dj_apps_missing(invs_strbuf *sb, char *const *v, size_t n, char *const *w,
                              size_t m)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++)
        if (!dj_apps_has(w, m, v[i], strlen(v[i])))
            invs_sb_printf(sb, "%s%s", k++ ? ", " : "", v[i]);
    if (!k)
        invs_sb_puts(sb, "none");
    return k;
}

static void dj_apps_list(invs_strbuf *sb, char *const *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        invs_sb_printf(sb, "%s%s", i ? ", " : "", v[i]);
}

static const char *dj_fact(invs_drv_conn *c, const char *key)
{
    size_t i;
    for (i = 0; i < c->nfacts; i++)
        if (!strcmp(c->facts[2 * i], key))
            return c->facts[2 * i + 1];
    return NULL;
}

int dj_meta_compare(invs_drv_conn *c)
{
    invs_strbuf sb;
    size_t only_file, only_target;
    const char *version = dj_fact(c, "source_version");
    if (!c->nmig_apps || !dj_fact(c, "installed_apps"))
        return INVS_OK; /* nothing to compare with */
    invs_sb_init(&sb, dj_host->realloc, dj_host->free);
    invs_sb_puts(&sb, "; only in the file: ");
    only_file = dj_apps_missing(&sb, c->src_apps, c->nsrc_apps, c->mig_apps, c->nmig_apps);
    invs_sb_puts(&sb, "; only in the target: ");
    only_target = dj_apps_missing(&sb, c->mig_apps, c->nmig_apps, c->src_apps, c->nsrc_apps);
    invs_sb_puts(&sb, " (the file's installed_apps: ");
    dj_apps_list(&sb, c->src_apps, c->nsrc_apps);
    invs_sb_puts(&sb, "; the target's django_migrations: ");
    dj_apps_list(&sb, c->mig_apps, c->nmig_apps);
    invs_sb_puts(&sb, ")");
    if (invs_sb_failed(&sb)) {
        invs_sb_free(&sb);
        return dj_nomem(c);
    }
    if (only_file || only_target)
        dj_host->log(c->s, INVS_LOG_WARN,
                     "%s: the metadata record's source_version %s and installed_apps are "
                     "not what the target's django_migrations shows%s",
                     c->shown, version ? version : "(none)", sb.p);
    invs_sb_free(&sb);
    return INVS_OK;
}

/*
 * Reading a fixture onto given tables (import --schema-from: the target's
 * schema after its `migrate`): model -> table by Django's default name or
 * map=app.model=TABLE; pk -> the primary key's column; a field -> its
 * column or <field>_id; a many-to-many list -> rows of the auto-created
 * table <table>_<field>; a natural key (auth.user by username, auth.group
 * by name, contenttypes by [app_label, model], auth.permission by
 * [codename, app_label, model]) -> the pk of the record of the file that
 * has it. A field nothing holds is an error unless ignore_field names it.
 */
#include <stdio.h>

#include "dj.h"

static const char M_USER[] = "auth.user", M_GROUP[] = "auth.group",
                  M_CT[] = "contenttypes.contenttype", M_PERM[] = "auth.permission";

int dj_push_str(invs_drv_conn *c, char ***v, size_t *n, const char *s, size_t len)
{
    char **nv = dj_host->realloc(*v, (*n + 1) * sizeof(char *));
    if (!nv)
        return dj_nomem(c);
    *v = nv;
    if (!(nv[*n] = dj_host->alloc(len + 1)))
        return dj_nomem(c);
    memcpy(nv[*n], s, len);
    nv[*n][len] = '\0';
    ++*n;
    return INVS_OK;
}

int dj_option(invs_drv_conn *c, const char *opt)
{
    const char *v, *eq;
    if (!strncmp(opt, "ignore_field=", 13)) {
        v = opt + 13;
        if (!strchr(v, '.') || strchr(v, '.') == strrchr(v, '.'))
            return dj_host->error(c->s, INVS_EINVAL, NULL, 0,
                                  "ignore_field takes app_label.model.field, not '%s'", v);
        return dj_push_str(c, &c->ignores, &c->nignores, v, strlen(v));
    }
    if (!strcmp(opt, "natural_foreign=yes")) {
        c->natural = 1;
        return 0;
    }
    if (strncmp(opt, "map=", 4))
        return 1;
    v = opt + 4;
    if (!(eq = strchr(v, '=')) || !memchr(v, '.', (size_t)(eq - v)) || !eq[1])
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "map takes app_label.model=TABLE, not '%s'", v);
    if (dj_push_str(c, &c->maps, &c->nmaps, v, (size_t)(eq - v)) != INVS_OK)
        return INVS_ENOMEM;
    return dj_push_str(c, &c->maps, &c->nmaps, eq + 1, strlen(eq + 1));
}

void dj_given_free(invs_drv_conn *c)
{
    size_t i;
    for (i = 0; i < c->nmaps; i++)
        dj_host->free(c->maps[i]);
    for (i = 0; i < c->nignores; i++)
        dj_host->free(c->ignores[i]);
    for (i = 0; i < c->nnk; i++) {
        dj_host->free(c->nk[i].key);
        dj_host->free(c->nk[i].pk);
    }
    for (i = 0; i < c->nsrc_apps; i++)
        dj_host->free(c->src_apps[i]);
    for (i = 0; i < c->nmig_apps; i++)
        dj_host->free(c->mig_apps[i]);
    for (i = 0; i < c->ncts; i++)
        dj_host->free(c->cts[i]);
    dj_host->free(c->src_apps);
    dj_host->free(c->mig_apps);
    dj_host->free(c->cts);
    dj_host->free(c->maps);
    dj_host->free(c->ignores);
    dj_host->free(c->nk);
}

int dj_ignored(invs_drv_conn *c, const char *model, const char *field)
{
    size_t i, n = strlen(model);
    for (i = 0; i < c->nignores; i++)
        if (!strncmp(c->ignores[i], model, n) && c->ignores[i][n] == '.' &&
            !strcmp(c->ignores[i] + n + 1, field))
            return 1;
    return 0;
}

/* The model table t holds: a map= option's, else Django's default. */
static char *dj_given_model(invs_drv_conn *c, const invs_table *t)
{
    size_t i;
    for (i = 0; i + 1 < c->nmaps; i += 2)
        if (!strcmp(c->maps[i + 1], t->name))
            return dj_strdup(c->maps[i]);
    return dj_table_model(t);
}

/* ------------------------------------------------------------ tables */

int dj_note_ref(invs_drv_conn *c, dj_table *dt, const invs_table *t, size_t i)
{
    size_t k;
    for (k = 0; k < t->nkeys; k++)
        if (t->keys[k].kind == INVS_KEY_FOREIGN && t->keys[k].ncols == 1 &&
            !strcmp(t->keys[k].cols[0], t->cols[i].name) &&
            !(dt->ref[i] = dj_strdup(t->keys[k].ref_table)))
            return dj_nomem(c);
    return INVS_OK;
}

static int dj_given_table(invs_drv_conn *c, const invs_table *t)
{
    dj_table *dt;
    size_t i;
    int rc;
    if ((rc = dj_table_add(c, &dt, t->name)) != INVS_OK)
        return rc;
    dt->given = t;
    dt->model = dj_given_model(c, t); /* NULL: no model (django_migrations) */
    dt->cols = dj_host->alloc((t->ncols + 1) * sizeof(char *));
    dt->fields = dj_host->alloc((t->ncols + 1) * sizeof(char *));
    dt->ref = dj_host->alloc((t->ncols + 1) * sizeof(char *));
    dt->canon = dj_host->alloc((t->ncols + 1) * sizeof(int32_t));
    if (!dt->cols || !dt->fields || !dt->ref || !dt->canon)
        return dj_nomem(c);
    memset(dt->ref, 0, (t->ncols + 1) * sizeof(char *));
    for (i = 0; i < t->ncols; i++) {
        dt->cols[i] = dj_strdup(t->cols[i].name);
        dt->fields[i] = dj_column_field(t, i);
        dt->ncols = i + 1;
        if (!dt->cols[i] || !dt->fields[i])
            return dj_nomem(c);
        dt->canon[i] = t->cols[i].canon;
        if (dt->canon[i] != INVS_T_JSON && dj_column_is_json(t, i))
            dt->canon[i] = DJ_T_PYJSON;
        if (!strcmp(dt->fields[i], "pk"))
            dt->pk = (long)i;
        if ((rc = dj_note_ref(c, dt, t, i)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

/* Table t (index ti) as the auto-created table of a many-to-many field:
 * an id and two foreign keys, named <owner table>_<field>, the owner's
 * column <model>_id (from_<model>_id where the field refers to its own
 * model), the other the target's. */
int dj_m2m_detect(invs_drv_conn *c, size_t ti)
{
    dj_table *t = &c->t[ti], *o;
    long fk[2] = {-1, -1}, nfk = 0, i;
    size_t n;
    const char *dot;
    if (t->ncols != 3 || t->pk < 0)
        return INVS_OK;
    for (i = 0; i < 3; i++)
        if (i != t->pk && t->ref[i])
            fk[nfk++] = i;
    if (nfk != 2 || !(o = dj_table_find(c, t->ref[fk[0]])) || !o->model)
        return INVS_OK;
    n = strlen(o->name);
    if (strncmp(t->name, o->name, n) || t->name[n] != '_' || !t->name[n + 1])
        return INVS_OK;
    dot = strchr(o->model, '.') + 1;
    t->owner = (long)(o - c->t);
    t->m2m_id = t->pk;
    t->m2m_src = fk[0];
    t->m2m_dst = fk[1];
    if (!strcmp(t->ref[fk[0]], t->ref[fk[1]])) { /* to its own model: from_/to_ */
        if (strncmp(t->cols[fk[0]], "from_", 5))
            t->m2m_src = fk[1], t->m2m_dst = fk[0];
    } else if (strncmp(t->cols[fk[0]], dot, strlen(dot)) ||
               strcmp(t->cols[fk[0]] + strlen(dot), "_id")) {
        if (!(o = dj_table_find(c, t->ref[fk[1]])) || !o->model ||
            strncmp(t->name, o->name, strlen(o->name))) {
            t->owner = -1;
            return INVS_OK;
        }
        t->owner = (long)(o - c->t);
        t->m2m_src = fk[1], t->m2m_dst = fk[0];
    }
    dj_host->free(t->m2m_field);
    if (!(t->m2m_field = dj_strdup(t->name + strlen(c->t[t->owner].name) + 1)))
        return dj_nomem(c);
    return INVS_OK;
}

int dj_schema_given(invs_drv_conn *c, const invs_table *const *ts, size_t n)
{
    size_t i;
    int rc;
    if (c->nt || (c->flags & INVS_OPEN_WRITE))
        return dj_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "%s: a schema is given once, before anything is read", c->shown);
    for (i = 0; i < n; i++)
        if ((rc = dj_given_table(c, ts[i])) != INVS_OK)
            return rc;
    for (i = 0; i < c->nt; i++)
        if ((rc = dj_m2m_detect(c, i)) != INVS_OK)
            return rc;
    c->given = 1;
    return INVS_OK;
}

dj_table *dj_m2m_of(invs_drv_conn *c, const dj_table *owner, const char *field)
{
    size_t i;
    for (i = 0; i < c->nt; i++)
        if (c->t[i].owner == (long)(owner - c->t) && !strcmp(c->t[i].m2m_field, field))
            return &c->t[i];
    return NULL;
}

/* ------------------------------------------------------------ natural keys */

static int dj_nk_add(invs_drv_conn *c, const char *model, invs_strbuf *key, const fmt_node *pk,
                     int target)
{
    invs_strbuf p;
    dj_nk *e;
    if (c->nnk == c->capnk) {
        size_t cap = c->capnk ? 2 * c->capnk : 64;
        dj_nk *nv = dj_host->realloc(c->nk, cap * sizeof(*nv));
        if (!nv)
            return dj_nomem(c);
        c->nk = nv;
        c->capnk = cap;
    }
    invs_sb_init(&p, dj_host->realloc, dj_host->free);
    dj_node_json(c, pk, &p);
    invs_sb_add(&p, "", 1);
    invs_sb_add(key, "", 1);
    if (invs_sb_failed(&p) || invs_sb_failed(key)) {
        invs_sb_free(&p);
        return dj_nomem(c);
    }
    e = &c->nk[c->nnk++];
    e->model = model;
    e->key = invs_sb_take(key);
    e->pk = invs_sb_take(&p);
    e->target = target;
    return INVS_OK;
}

/* A content type's [app_label, model] by its pk (JSON text), or NULL. */
static const char *dj_ct_by_pk(invs_drv_conn *c, const char *pk)
{
    size_t i;
    for (i = 0; i < c->nnk; i++)
        if (c->nk[i].model == M_CT && !c->nk[i].target && !strcmp(c->nk[i].pk, pk))
            return c->nk[i].key;
    return NULL;
}

static void dj_key_str(invs_drv_conn *c, invs_strbuf *sb, const fmt_node *fields,
                       const char *name)
{
    const fmt_node *v = fields ? fmt_node_get(fields, name) : NULL;
    if (v)
        dj_node_json(c, v, sb);
    else
        invs_sb_puts(sb, "null");
}

int dj_nk_note(invs_drv_conn *c, const char *model, const fmt_node *pk, const fmt_node *fields)
{
    invs_strbuf key;
    const fmt_node *ct;
    invs_strbuf ctpk;
    const char *m = !strcmp(model, M_USER) ? M_USER : !strcmp(model, M_GROUP) ? M_GROUP
                  : !strcmp(model, M_CT) ? M_CT : !strcmp(model, M_PERM) ? M_PERM : NULL;
    if (!m || !pk || !fields)
        return INVS_OK;
    invs_sb_init(&key, dj_host->realloc, dj_host->free);
    invs_sb_add(&key, "[", 1);
    if (m == M_USER || m == M_GROUP) {
        dj_key_str(c, &key, fields, m == M_USER ? "username" : "name");
    } else if (m == M_CT) {
        dj_key_str(c, &key, fields, "app_label");
        invs_sb_add(&key, ",", 1);
        dj_key_str(c, &key, fields, "model");
    } else { /* [codename, app_label, model] */
        dj_key_str(c, &key, fields, "codename");
        invs_sb_add(&key, ",", 1);
        ct = fmt_node_get(fields, "content_type");
        invs_sb_init(&ctpk, dj_host->realloc, dj_host->free);
        if (ct && ct->type == FN_ARR) {
            dj_node_json(c, ct, &ctpk);
        } else if (ct) {
            const char *k;
            dj_node_json(c, ct, &ctpk);
            invs_sb_add(&ctpk, "", 1);
            k = invs_sb_failed(&ctpk) ? NULL : dj_ct_by_pk(c, ctpk.p);
            ctpk.len = 0;
            invs_sb_puts(&ctpk, k ? k : "[null]");
        }
        if (ctpk.len > 2)
            invs_sb_add(&key, ctpk.p + 1, ctpk.len - 2); /* the content type's two, inline */
        invs_sb_free(&ctpk);
    }
    invs_sb_add(&key, "]", 1);
    return dj_nk_add(c, m, &key, pk, 0);
}

const char *dj_nk_find(invs_drv_conn *c, const char *model, const fmt_node *key)
{
    invs_strbuf sb;
    const char *pk = NULL, *theirs = NULL;
    int file_has = 0;
    size_t i;
    invs_sb_init(&sb, dj_host->realloc, dj_host->free);
    dj_node_json(c, key, &sb);
    invs_sb_add(&sb, "", 1);
    for (i = 0; !invs_sb_failed(&sb) && i < c->nnk && !pk; i++) {
        if (strcmp(c->nk[i].model, model))
            continue;
        file_has |= !c->nk[i].target;
        if (!strcmp(c->nk[i].key, sb.p))
            *(c->nk[i].target ? &theirs : &pk) = c->nk[i].pk;
    }
    invs_sb_free(&sb);
    /* the target's rows stand where the file has none of the model's (its
     * table then stays the target's); where it has some, they replace them */
    return pk ? pk : file_has ? NULL : theirs;
}

/* ------------------------------------------------------------ writing them */

/* The text of column `field` of row (a string), or NULL. */
static const invs_value *dj_field_value(const dj_table *t, const invs_value *row,
                                        const char *field)
{
    size_t k;
    for (k = 0; k < t->ncols; k++)
        if (!strcmp(t->fields[k], field))
            return row[k].type == INVS_TEXT ? &row[k] : NULL;
    return NULL;
}

static void dj_key_text(invs_strbuf *sb, const invs_value *v)
{
    if (v)
        dj_sb_string(sb, v->ptr, v->len);
    else
        invs_sb_puts(sb, "null");
}

const char *dj_nk_key(invs_drv_conn *c, const char *model, const invs_value *v, int target)
{
    char pk[24];
    size_t i;
    if (v->type != INVS_INT)
        return NULL;
    snprintf(pk, sizeof(pk), "%lld", (long long)v->num.i);
    for (i = 0; i < c->nnk; i++)
        if (c->nk[i].target == target && !strcmp(c->nk[i].model, model) &&
            !strcmp(c->nk[i].pk, pk))
            return c->nk[i].key;
    return NULL;
}

int dj_nk_note_row(invs_drv_conn *c, const dj_table *t, const invs_value *row, int target)
{
    const char *m = !strcmp(t->model, M_USER) ? M_USER : !strcmp(t->model, M_GROUP) ? M_GROUP
                  : !strcmp(t->model, M_CT) ? M_CT : !strcmp(t->model, M_PERM) ? M_PERM : NULL;
    invs_strbuf key;
    fmt_node pk;
    if (!m || t->pk < 0 || row[t->pk].type != INVS_INT)
        return INVS_OK;
    invs_sb_init(&key, dj_host->realloc, dj_host->free);
    invs_sb_add(&key, "[", 1);
    if (m == M_USER || m == M_GROUP) {
        dj_key_text(&key, dj_field_value(t, row, m == M_USER ? "username" : "name"));
    } else if (m == M_CT) {
        dj_key_text(&key, dj_field_value(t, row, "app_label"));
        invs_sb_add(&key, ",", 1);
        dj_key_text(&key, dj_field_value(t, row, "model"));
    } else {
        size_t k;
        const char *ct = NULL;
        dj_key_text(&key, dj_field_value(t, row, "codename"));
        for (k = 0; k < t->ncols; k++)
            if (!strcmp(t->fields[k], "content_type"))
                ct = dj_nk_key(c, M_CT, &row[k], target);
        if (!ct) { /* its content type is not in the file: no key */
            invs_sb_free(&key);
            return INVS_OK;
        }
        invs_sb_add(&key, ",", 1);
        invs_sb_add(&key, ct + 1, strlen(ct) - 2);
    }
    invs_sb_add(&key, "]", 1);
    memset(&pk, 0, sizeof(pk));
    pk.type = FN_INT;
    pk.i = row[t->pk].num.i;
    return dj_nk_add(c, m, &key, &pk, target);
}

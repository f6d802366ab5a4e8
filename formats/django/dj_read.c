/*
 * The pull side: a table per model, and a cursor that seeks to its
 * model's first record and reads on to its last, turning each record into
 * a row (the pk into the key's column, each field into its column).
 * A field the table has no column for, or a value its column cannot hold,
 * is an error naming the model, the pk and the field: nothing is dropped.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dj.h"

/* The type an inferred column gets from the kinds of values it held. */
static int32_t dj_canon_of(unsigned kinds, const char **decl)
{
    unsigned k = kinds & ~(unsigned)DJ_K_NULL;
    if (k == 0 || k == DJ_K_STR)
        return *decl = "text", INVS_T_TEXT;
    if ((k & DJ_K_NEST) || ((k & DJ_K_BOOL) && k != DJ_K_BOOL))
        return *decl = "json", INVS_T_JSON; /* lists (natural keys, many-to-many) too */
    if (k == DJ_K_BOOL)
        return *decl = "boolean", INVS_T_BOOL;
    if (k == DJ_K_INT)
        return *decl = "integer", INVS_T_INT64;
    if (!(k & DJ_K_STR))
        return *decl = "real", INVS_T_FLOAT64;
    return *decl = "", INVS_T_ANY; /* strings and numbers: each value keeps its class */
}

/* t as schema_read emits it. */
int dj_table_build(invs_drv_conn *c, dj_table *t)
{
    size_t i;
    dj_host->free(t->tcols);
    if (!(t->tcols = dj_host->alloc(t->ncols * sizeof(invs_column))))
        return dj_nomem(c);
    if (!t->canon && !(t->canon = dj_host->alloc(t->ncols * sizeof(int32_t))))
        return dj_nomem(c);
    memset(t->tcols, 0, t->ncols * sizeof(invs_column));
    for (i = 0; i < t->ncols; i++) {
        invs_column *col = &t->tcols[i];
        col->name = t->cols[i];
        col->decl = "";
        if (t->inferred)
            t->canon[i] = dj_canon_of(t->kinds[i], &col->decl);
        col->canon = t->canon[i] == DJ_T_PYJSON ? INVS_T_TEXT : t->canon[i];
        col->length = col->precision = col->scale = -1;
    }
    memset(&t->t, 0, sizeof(t->t));
    if (t->given) { /* the target's own description: its keys, its types */
        memcpy(&t->t, t->given,
               t->given->struct_size < sizeof(t->t) ? t->given->struct_size : sizeof(t->t));
        t->t.struct_size = sizeof(invs_table);
        t->t.digest = NULL;
        t->t.row_count = t->owner >= 0 && !t->nrec ? -1 : t->nrec;
        return INVS_OK;
    }
    t->t.struct_size = sizeof(invs_table);
    t->t.name = t->name;
    t->t.engine = "django";
    t->t.ncols = t->ncols;
    t->t.cols = t->tcols;
    t->t.row_count = t->owner >= 0 && !t->nrec ? -1 : t->nrec;
    if (t->pk >= 0 && (!t->inferred || t->all_pk)) {
        t->tcols[t->pk].flags |= INVS_COL_NOT_NULL;
        t->pkcols[0] = t->cols[t->pk];
        memset(&t->pkey, 0, sizeof(t->pkey));
        t->pkey.kind = INVS_KEY_PRIMARY;
        t->pkey.ncols = 1;
        t->pkey.cols = t->pkcols;
        t->t.nkeys = 1;
        t->t.keys = &t->pkey;
    }
    return INVS_OK;
}

int dj_schema_read(invs_drv_conn *c, invs_emit_table_fn emit, void *payload)
{
    size_t i;
    int rc;
    if ((c->flags & INVS_OPEN_WRITE) && c->wstate < 2)
        return INVS_OK; /* a new file holds nothing before the load */
    if (!c->rd) { /* the proof: what was written, read back onto the tables written */
        if ((rc = dj_reader_open(c)) != INVS_OK)
            return rc;
        for (i = 0; i < c->nt; i++)
            c->t[i].nrec = 0, c->t[i].first = c->t[i].last = 0;
    }
    if (!c->scanned && ((rc = dj_scan(c)) != INVS_OK ||
                        (c->given && !(c->flags & INVS_OPEN_WRITE) &&
                         (rc = dj_meta_compare(c)) != INVS_OK)))
        return rc;
    for (i = 0; i < c->nt; i++) {
        dj_table *t = &c->t[i];
        if (t->given && !t->nrec && t->model && (!strcmp(t->model, "contenttypes.contenttype") ||
                                                 !strcmp(t->model, "auth.permission")))
            continue; /* what the target's migrate made, which the file leaves out, stays */
        if (!t->model)
            continue;
        if ((rc = dj_table_build(c, t)) != INVS_OK || (rc = emit(&t->t, payload)) != INVS_OK)
            return rc;
    }
    return INVS_OK;
}

int dj_cursor_open(invs_drv_cursor **out, invs_drv_conn *c, const invs_table *t,
                   uint32_t hints)
{
    invs_drv_cursor *cur;
    dj_table *dt = dj_table_find(c, t->name);
    int rc;
    (void)hints;
    *out = NULL;
    if (!c->scanned || !dt || !dt->model || dt->ncols != t->ncols)
        return dj_host->error(c->s, INVS_ENOTFOUND, NULL, 0, "%s has no table %s", c->shown,
                              t->name);
    if (!(cur = dj_host->alloc(sizeof(*cur))))
        return dj_nomem(c);
    memset(cur, 0, sizeof(*cur));
    cur->c = c;
    cur->t = cur->src = dt;
    invs_sb_init(&cur->vb, dj_host->realloc, dj_host->free);
    if (!(cur->vals = dj_host->alloc((dt->ncols + 1) * sizeof(invs_value)))) {
        dj_cursor_close(cur);
        return dj_nomem(c);
    }
    if (!dt->nrec && dt->owner >= 0) /* a many-to-many table: its owner's lists */
        cur->src = &c->t[dt->owner];
    cur->done = cur->src->nrec == 0;
    if (!cur->done && (rc = dj_seek(c, cur->src->first)) != INVS_OK) {
        dj_cursor_close(cur);
        return rc;
    }
    *out = cur;
    return INVS_OK;
}

/* What a record's pk is, for messages. */
static const char *dj_pk_text(invs_drv_conn *c, const fmt_node *pk, char *buf, size_t n)
{
    invs_strbuf sb;
    invs_sb_init(&sb, dj_host->realloc, dj_host->free);
    if (!pk) {
        snprintf(buf, n, "(none)");
    } else {
        dj_node_json(c, pk, &sb);
        snprintf(buf, n, "%.*s", (int)(sb.len < 60 ? sb.len : 60), sb.p ? sb.p : "");
    }
    invs_sb_free(&sb);
    return buf;
}

static int dj_bad_field(invs_drv_cursor *cur, const fmt_node *pk, const char *field,
                        const char *why)
{
    char buf[64];
    return dj_host->error(cur->c->s, INVS_ETYPE, NULL, 0, "%s: model %s, pk %s, field %s: %s",
                          cur->c->shown, cur->src->model,
                          dj_pk_text(cur->c, pk, buf, sizeof(buf)), field, why);
}

/* Value n of column k of t; a natural key (a list where the column refers
 * to another table) becomes the pk of the record that has it. */
static int dj_put(invs_drv_cursor *cur, dj_table *t, size_t k, const fmt_node *n,
                  const fmt_node *pk, const char *field)
{
    const char *why;
    if (n->type == FN_ARR && t->ref && t->ref[k]) {
        dj_table *r = dj_table_find(cur->c, t->ref[k]);
        const char *to = r && r->model ? dj_nk_find(cur->c, r->model, n) : NULL;
        fmt_node kn;
        memset(&kn, 0, sizeof(kn));
        if (!to)
            return dj_bad_field(cur, pk, field, "a natural key that no record of the file has");
        if (to[0] == '"') { /* a text pk: its JSON string, as a string */
            kn.type = FN_STR;
            kn.s = to + 1;
            kn.len = strlen(to) - 2;
        } else {
            kn.type = FN_INT;
            kn.i = strtoll(to, NULL, 10);
        }
        n = &kn;
        if (dj_value_in(cur->c, t->canon[k], n, &cur->vb, &cur->vals[k], &why) != 0)
            return dj_bad_field(cur, pk, field, why);
        return INVS_OK;
    }
    if (dj_value_in(cur->c, t->canon[k], n, &cur->vb, &cur->vals[k], &why) != 0)
        return dj_bad_field(cur, pk, field, why);
    return INVS_OK;
}

/* One record as a row of the cursor's table. */
static int dj_row(invs_drv_cursor *cur, const fmt_node *pk, const fmt_node *fields)
{
    dj_table *t = cur->t;
    size_t i, k;
    int rc;
    memset(cur->vals, 0, t->ncols * sizeof(invs_value));
    invs_sb_reset(&cur->vb);
    if (pk && t->pk >= 0 && (rc = dj_put(cur, t, (size_t)t->pk, pk, pk, "pk")) != INVS_OK)
        return rc;
    for (i = 0; fields && i < fields->n; i++) {
        const char *f = fields->keys[i];
        for (k = 0; k < t->ncols && ((long)k == t->pk || strcmp(t->fields[k], f)); k++)
            ;
        if (k == t->ncols && (dj_m2m_of(cur->c, t, f) || dj_ignored(cur->c, t->model, f)))
            continue; /* another table's rows, or left out on purpose */
        if (k == t->ncols)
            return dj_bad_field(cur, pk, f, "the table has no column for it");
        if ((rc = dj_put(cur, t, k, &fields->kids[i], pk, f)) != INVS_OK)
            return rc;
    }
    if (invs_sb_failed(&cur->vb))
        return dj_nomem(cur->c);
    dj_values_fix(cur->vals, t->ncols, &cur->vb);
    return INVS_ROW;
}

/* The next row of a many-to-many table from the owner's record in
 * cur->rec: INVS_ROW, or INVS_DONE when its list is used up. */
static int dj_m2m_row(invs_drv_cursor *cur)
{
    dj_table *t = cur->t;
    const fmt_node *pk = fmt_node_get(&cur->rec, "pk");
    const fmt_node *fields = fmt_node_get(&cur->rec, "fields");
    const fmt_node *list = fields ? fmt_node_get(fields, t->m2m_field) : NULL;
    int rc;
    if (!list || list->type == FN_NULL || cur->next >= (list->type == FN_ARR ? list->n : 1))
        return INVS_DONE;
    if (list->type != FN_ARR || !pk)
        return dj_bad_field(cur, pk, t->m2m_field, "a many-to-many field that is not a list");
    memset(cur->vals, 0, t->ncols * sizeof(invs_value));
    invs_sb_reset(&cur->vb);
    cur->vals[t->m2m_id].type = INVS_INT;
    cur->vals[t->m2m_id].num.i = ++cur->m2m_next;
    if ((rc = dj_put(cur, t, (size_t)t->m2m_src, pk, pk, t->m2m_field)) != INVS_OK ||
        (rc = dj_put(cur, t, (size_t)t->m2m_dst, &list->kids[cur->next++], pk,
                     t->m2m_field)) != INVS_OK)
        return rc;
    if (t->folded) { /* read back after an export: the id the link had */
        const invs_value *s = &cur->vals[t->m2m_src], *d = &cur->vals[t->m2m_dst];
        int64_t id = s->type == INVS_INT && d->type == INVS_INT
                         ? dj_fold_id(t, s->num.i, d->num.i) : -1;
        if (id < 0)
            return dj_bad_field(cur, pk, t->m2m_field, "a link the export did not write");
        cur->vals[t->m2m_id].num.i = id;
    }
    if (invs_sb_failed(&cur->vb))
        return dj_nomem(cur->c);
    dj_values_fix(cur->vals, t->ncols, &cur->vb);
    return INVS_ROW;
}

int dj_cursor_next(invs_drv_cursor *cur, const invs_value **out_row)
{
    invs_drv_conn *c = cur->c;
    const char *model;
    const fmt_node *pk, *fields;
    int rc;
    for (;;) {
        if (cur->in_rec && (rc = dj_m2m_row(cur)) != INVS_DONE) {
            *out_row = cur->vals;
            return rc;
        }
        cur->in_rec = 0;
        if (cur->done)
            return INVS_DONE;
        if ((rc = dj_next_record(c, &cur->rec)) != INVS_ROW)
            return rc == INVS_DONE ? dj_corrupt(c, c->rd->tok.off, "the records of model %s "
                                                "end early", cur->src->model)
                                   : rc;
        if (c->rd->roff >= cur->src->last)
            cur->done = 1;
        if (fmt_node_get(&cur->rec, "metadata"))
            continue;
        if ((rc = dj_record_parts(c, &cur->rec, &model, &pk, &fields)) != INVS_OK)
            return rc;
        if (strcmp(model, cur->src->model) != 0)
            continue; /* another model's record, between two of this one's */
        if (cur->src != cur->t) { /* the owner's list */
            cur->in_rec = 1;
            cur->next = 0;
            continue;
        }
        if ((rc = dj_row(cur, pk, fields)) != INVS_ROW)
            return rc;
        *out_row = cur->vals;
        return INVS_ROW;
    }
}

void dj_cursor_close(invs_drv_cursor *cur)
{
    if (!cur)
        return;
    invs_sb_free(&cur->vb);
    dj_host->free(cur->vals);
    dj_host->free(cur);
}

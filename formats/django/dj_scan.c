/*
 * Reading a fixture: the array of records one record at a time, each a
 * small tree (bounded like every tree a format reads, fmt_node.h), and the
 * first pass over the whole file that learns its models: for each, where
 * its records lie, how many there are and, for a table inferred from the
 * values, its fields and the kinds of values they held. That pass also
 * checks the file to its end (the closing ']' and nothing after it), so a
 * fixture cut short is refused before anything is imported.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dj.h"

int dj_corrupt(invs_drv_conn *c, uint64_t off, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return dj_host->error(c->s, INVS_ECORRUPT, NULL, 0, "%s: byte %llu: %s", c->shown,
                          (unsigned long long)off, msg);
}

/* The tokenizer's failure as the session's error. */
static int dj_tok_failed(invs_drv_conn *c)
{
    json_tok *t = &c->rd->tok;
    if (t->err == JE_NOMEM)
        return dj_nomem(c);
    if (t->err == JE_IO)
        return dj_host->error(c->s, INVS_EIO, NULL, t->sys_errno, "%s: reading: %s", c->shown,
                              strerror(t->sys_errno));
    return dj_corrupt(c, t->err_off, "%s", t->msg);
}

int dj_reader_open(invs_drv_conn *c)
{
    struct stat st;
    dj_reader *r;
    fmt_alloc a = {dj_host->realloc, dj_host->free};
    const char *path = c->tmp ? c->tmp : c->path; /* the proof reads what it wrote */
    int fd;
    if (!strcmp(path, "-"))
        return dj_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                              "django:- : a fixture is read twice (its models first, then "
                              "their records), so it must be a file, not standard input");
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return dj_host->error(c->s, errno == ENOENT ? INVS_ENOTFOUND : INVS_EIO, NULL, errno,
                              "%s: %s", c->shown, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return dj_host->error(c->s, INVS_EIO, NULL, 0, "%s is not a regular file", c->shown);
    }
    if (!(r = dj_host->alloc(sizeof(*r)))) {
        close(fd);
        return dj_nomem(c);
    }
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    c->rd = r;
    invs_sb_init(&r->sb, dj_host->realloc, dj_host->free);
    invs_pool_init(&r->pool, dj_host->realloc, dj_host->free);
    if (fmt_in_init(&r->in, fd, a) != 0)
        return dj_nomem(c);
    json_tok_init(&r->tok, &r->in, c->loc);
    return INVS_OK;
}

void dj_reader_close(invs_drv_conn *c)
{
    dj_reader *r = c->rd;
    if (!r)
        return;
    fmt_in_free(&r->in);
    invs_sb_free(&r->sb);
    invs_pool_free(&r->pool);
    close(r->fd);
    dj_host->free(r);
    c->rd = NULL;
}

int dj_seek(invs_drv_conn *c, uint64_t off)
{
    dj_reader *r = c->rd;
    if (fmt_in_seek(&r->in, off) != 0)
        return dj_host->error(c->s, INVS_EIO, NULL, r->in.err, "%s: seeking to byte %llu: %s",
                              c->shown, (unsigned long long)off, strerror(r->in.err));
    r->state = off ? 1 : 0;
    return INVS_OK;
}

/* After the closing ']': nothing but whitespace. */
static int dj_at_end(invs_drv_conn *c)
{
    dj_reader *r = c->rd;
    int tt = json_next(&r->tok, &r->sb);
    if (tt == JT_ERROR)
        return dj_tok_failed(c);
    if (tt != JT_EOF)
        return dj_corrupt(c, r->tok.off, "%s after the end of the fixture",
                          json_tok_what(tt));
    r->state = 3;
    return INVS_DONE;
}

int dj_next_record(invs_drv_conn *c, fmt_node *rec)
{
    dj_reader *r = c->rd;
    fmt_node_budget budget;
    int tt;
    if (r->state == 3)
        return INVS_DONE;
    invs_pool_free(&r->pool);
    invs_pool_init(&r->pool, dj_host->realloc, dj_host->free);
    r->sb.len = 0;
    tt = json_next(&r->tok, &r->sb);
    if (r->state == 0) { /* the array's start */
        if (tt == JT_ERROR)
            return dj_tok_failed(c);
        if (tt != JT_LBRACKET)
            return dj_corrupt(c, r->tok.off, "%s where a fixture's '[' belongs",
                              tt == JT_EOF ? "the end of the file" : json_tok_what(tt));
        r->state = 1;
        tt = json_next(&r->tok, &r->sb);
        if (tt == JT_RBRACKET)
            return dj_at_end(c);
    } else if (r->state == 2) {
        if (tt == JT_RBRACKET)
            return dj_at_end(c);
        if (tt != JT_COMMA && tt != JT_ERROR)
            return dj_corrupt(c, r->tok.off, "%s where ',' or ']' belongs",
                              tt == JT_EOF ? "the end of the file (cut short?)"
                                           : json_tok_what(tt));
        if (tt == JT_COMMA)
            tt = json_next(&r->tok, &r->sb);
    }
    if (tt == JT_ERROR)
        return dj_tok_failed(c);
    if (tt != JT_LBRACE)
        return dj_corrupt(c, r->tok.off, "%s where a record (an object) belongs",
                          tt == JT_EOF ? "the end of the file (cut short?)" : json_tok_what(tt));
    r->roff = r->tok.off;
    fmt_node_budget_init(&budget);
    if (json_node(&r->tok, &r->sb, &r->pool, &budget, rec) != 0)
        return dj_tok_failed(c);
    r->state = 2;
    return INVS_ROW;
}

int dj_record_parts(invs_drv_conn *c, const fmt_node *rec, const char **model,
                    const fmt_node **pk, const fmt_node **fields)
{
    const fmt_node *m = fmt_node_get(rec, "model");
    size_t i;
    if (!m || m->type != FN_STR || !strchr(m->s, '.') || strlen(m->s) != m->len)
        return dj_corrupt(c, rec->off, "a record without a model (\"app_label.model\")");
    *model = m->s;
    *pk = fmt_node_get(rec, "pk");
    *fields = fmt_node_get(rec, "fields");
    if (*fields && (*fields)->type != FN_MAP)
        return dj_corrupt(c, (*fields)->off, "model %s: \"fields\" is %s, not an object",
                          m->s, fmt_node_what((*fields)->type));
    for (i = 0; i < rec->n; i++)
        if (strcmp(rec->keys[i], "model") && strcmp(rec->keys[i], "pk") &&
            strcmp(rec->keys[i], "fields"))
            return dj_corrupt(c, rec->kids[i].off, "model %s: a record has a member \"%s\"",
                              m->s, rec->keys[i]);
    return INVS_OK;
}

/* ------------------------------------------------------------ the first pass */

/* installed_apps' names, to compare with a target's (dj_target.c). */
static int dj_metadata_apps(invs_drv_conn *c, const fmt_node *v)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; v->type == FN_ARR && i < v->n && rc == INVS_OK; i++)
        if (v->kids[i].type == FN_STR)
            rc = dj_app_add(c, &c->src_apps, &c->nsrc_apps, v->kids[i].s, v->kids[i].len);
    return rc;
}

/* InvenTree's leading record {"metadata": true, ...}: its members as facts
 * (strings as they are, anything else as JSON). */
static int dj_metadata(invs_drv_conn *c, const fmt_node *rec)
{
    invs_strbuf sb;
    size_t i, k = 0;
    if (c->facts)
        return dj_corrupt(c, rec->off, "a second metadata record");
    if (!(c->facts = dj_host->alloc((2 * rec->n + 1) * sizeof(char *))))
        return dj_nomem(c);
    invs_sb_init(&sb, dj_host->realloc, dj_host->free);
    for (i = 0; i < rec->n; i++) {
        const fmt_node *v = &rec->kids[i];
        if (!strcmp(rec->keys[i], "metadata"))
            continue;
        if (!strcmp(rec->keys[i], "installed_apps") && dj_metadata_apps(c, v) != INVS_OK) {
            invs_sb_free(&sb);
            return INVS_ENOMEM;
        }
        sb.len = 0;
        if (v->type == FN_STR)
            invs_sb_add(&sb, v->s, v->len);
        else
            dj_node_json(c, v, &sb);
        invs_sb_add(&sb, "", 1);
        c->facts[2 * k] = dj_strdup(rec->keys[i]);
        c->facts[2 * k + 1] = invs_sb_failed(&sb) ? NULL : dj_strdup(sb.p);
        c->nfacts = ++k;
        if (!c->facts[2 * k - 2] || !c->facts[2 * k - 1]) {
            invs_sb_free(&sb);
            return dj_nomem(c);
        }
    }
    invs_sb_free(&sb);
    return INVS_OK;
}

static unsigned dj_kind(const fmt_node *n)
{
    switch (n->type) {
    case FN_NULL: return DJ_K_NULL;
    case FN_BOOL: return DJ_K_BOOL;
    case FN_INT:
    case FN_UINT: return DJ_K_INT;
    case FN_REAL: return DJ_K_REAL;
    case FN_STR: return DJ_K_STR;
    default: return DJ_K_NEST;
    }
}

/* Column name joins inferred table t, its kinds none yet. */
static int dj_add_column(invs_drv_conn *c, dj_table *t, const char *name)
{
    size_t n = t->ncols + 1;
    char **cols = dj_host->realloc(t->cols, n * sizeof(char *));
    char **fields = cols ? dj_host->realloc(t->fields, n * sizeof(char *)) : NULL;
    unsigned *kinds;
    if (cols)
        t->cols = cols;
    if (fields)
        t->fields = fields;
    if (!cols || !fields || !(kinds = dj_host->realloc(t->kinds, n * sizeof(unsigned))))
        return dj_nomem(c);
    t->kinds = kinds;
    t->kinds[t->ncols] = 0;
    t->cols[t->ncols] = dj_strdup(name);
    t->fields[t->ncols] = dj_strdup(name);
    t->ncols++;
    if (!t->cols[t->ncols - 1] || !t->fields[t->ncols - 1])
        return dj_nomem(c);
    return INVS_OK;
}

/* The model's table, inferred: made at its first record. */
static int dj_model_of(invs_drv_conn *c, const char *model, uint64_t off, dj_table **out)
{
    char *name = dj_model_table(model);
    dj_table *t = NULL;
    int rc = INVS_OK;
    if (!name)
        return dj_nomem(c);
    t = dj_table_find(c, name);
    if (t && strcmp(t->model, model) != 0) {
        rc = dj_corrupt(c, off, "models %s and %s would both be table %s", t->model, model,
                        name);
        dj_host->free(name);
        return rc;
    }
    if (!t && (rc = dj_table_add(c, &t, name)) == INVS_OK) {
        t->inferred = 1;
        if (!(t->model = dj_strdup(model)))
            rc = dj_nomem(c);
        else
            rc = dj_add_column(c, t, "pk");
        t->pk = 0;
    }
    dj_host->free(name);
    *out = t;
    return t ? rc : INVS_ENOMEM;
}

static int dj_scan_record(invs_drv_conn *c, const fmt_node *rec, uint64_t off)
{
    const char *model;
    const fmt_node *pk, *fields;
    dj_table *t = NULL;
    size_t i, k;
    int rc;
    if ((rc = dj_record_parts(c, rec, &model, &pk, &fields)) != INVS_OK)
        return rc;
    if (c->given) { /* the tables are known: where this model's records lie */
        for (i = 0; i < c->nt && (!c->t[i].model || strcmp(c->t[i].model, model)); i++)
            ;
        if (i == c->nt)
            return dj_host->error(c->s, INVS_ETYPE, NULL, 0,
                                  "%s: byte %llu: model %s: no table holds it (pk %lld)",
                                  c->shown, (unsigned long long)off, model,
                                  pk && pk->type == FN_INT ? (long long)pk->i : -1LL);
        t = &c->t[i];
        if (!t->first)
            t->first = off;
        t->last = off;
        t->nrec++;
        return dj_nk_note(c, model, pk, fields);
    }
    if ((rc = dj_model_of(c, model, off, &t)) != INVS_OK)
        return rc;
    if (!t->first)
        t->first = off;
    t->last = off;
    t->nrec++;
    if (!pk || pk->type == FN_NULL)
        t->all_pk = 0;
    t->kinds[0] |= pk ? dj_kind(pk) : DJ_K_NULL;
    for (i = 0; fields && i < fields->n; i++) {
        for (k = 1; k < t->ncols && strcmp(t->cols[k], fields->keys[i]); k++)
            ;
        if (!strcmp(fields->keys[i], "pk"))
            return dj_corrupt(c, fields->kids[i].off, "model %s: a field named pk", model);
        if (k == t->ncols && (rc = dj_add_column(c, t, fields->keys[i])) != INVS_OK)
            return rc;
        t->kinds[k] |= dj_kind(&fields->kids[i]);
    }
    return INVS_OK;
}

/* The whole file once: its models, or (tables given) where their records
 * lie. Records of a model it was not given are an error naming it. */
int dj_scan(invs_drv_conn *c)
{
    fmt_node rec;
    int rc, first = 1;
    if ((rc = dj_seek(c, 0)) != INVS_OK)
        return rc;
    while ((rc = dj_next_record(c, &rec)) == INVS_ROW) {
        uint64_t off = c->rd->roff;
        const fmt_node *meta = fmt_node_get(&rec, "metadata");
        if (meta && first) {
            if ((rc = dj_metadata(c, &rec)) != INVS_OK)
                return rc;
        } else if ((rc = dj_scan_record(c, &rec, off)) != INVS_OK) {
            return rc;
        }
        first = 0;
        if (dj_host->cancelled(c->s))
            return dj_host->error(c->s, INVS_ECANCELLED, NULL, 0, "interrupted");
    }
    if (rc != INVS_DONE)
        return rc;
    c->scanned = 1;
    return INVS_OK;
}

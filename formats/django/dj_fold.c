/*
 * Export: an auto-created many-to-many table (inventory_part_tags) is no
 * model of its own in a fixture but the owner's list field ("tags": [3,
 * 5]), as dumpdata writes it. Its rows arrive after the owner's (they
 * refer to it), so the owner's records go to a spool file first, one line
 * each ("pk\t{record without its closing"), and the many-to-many rows are
 * kept as (owner, target, id) triples, 24 bytes a link; at load_end each
 * spooled record is written with its lists. The triples also give the
 * proof's read-back the ids of the rows it rebuilds from the lists.
 * Folded only where the three columns and the owner's key are integers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "dj.h"

static int dj_fold_int(int32_t canon)
{
    return canon == INVS_T_INT16 || canon == INVS_T_INT32 || canon == INVS_T_INT64;
}

int dj_fold_plan(invs_drv_conn *c)
{
    size_t i;
    int rc;
    c->fold_planned = 1;
    for (i = 0; i < c->nt; i++) {
        dj_table *t = &c->t[i];
        if ((rc = dj_m2m_detect(c, i)) != INVS_OK)
            return rc;
        if (t->owner < 0)
            continue;
        if (!dj_fold_int(t->canon[t->m2m_src]) || !dj_fold_int(t->canon[t->m2m_dst]) ||
            !dj_fold_int(t->canon[t->m2m_id]) || c->t[t->owner].pk < 0 ||
            !dj_fold_int(c->t[t->owner].canon[c->t[t->owner].pk])) {
            t->owner = -1; /* written as records of its own through model */
            continue;
        }
        t->folded = 1;
    }
    return INVS_OK;
}

int dj_fold_writer_open(invs_drv_writer *w)
{
    invs_drv_conn *c = w->c;
    fmt_alloc a = {dj_host->realloc, dj_host->free};
    size_t i;
    for (i = 0; i < c->nt && !(c->t[i].folded && c->t[i].owner == (long)(w->t - c->t)); i++)
        ;
    if (i == c->nt || w->t->spool)
        return INVS_OK;
    if (!(w->t->spool = tmpfile()))
        return dj_host->error(c->s, INVS_EIO, NULL, errno, "%s: a spool file for table %s: %s",
                              c->shown, w->t->name, strerror(errno));
    if (fmt_out_init(&w->t->sout, fileno(w->t->spool), a) != 0)
        return dj_nomem(c);
    w->saved = c->out;
    c->out = w->t->sout;
    w->spooling = 1;
    return INVS_OK;
}

void dj_fold_writer_close(invs_drv_writer *w)
{
    if (!w->spooling)
        return;
    w->t->sout = w->c->out;
    w->c->out = w->saved;
    w->spooling = 0;
}

int dj_fold_put(invs_drv_writer *w, const invs_value *rows, size_t nrows)
{
    dj_table *t = w->t;
    size_t r, k;
    for (r = 0; r < nrows; r++) {
        const invs_value *row = rows + r * t->ncols;
        long col[3] = {t->m2m_src, t->m2m_dst, t->m2m_id};
        if (t->npairs + 3 > t->cappairs) {
            size_t cap = t->cappairs ? 2 * t->cappairs : 3 * 1024;
            int64_t *nv = dj_host->realloc(t->pairs, cap * sizeof(*nv));
            if (!nv)
                return dj_nomem(w->c);
            t->pairs = nv;
            t->cappairs = cap;
        }
        for (k = 0; k < 3; k++) {
            if (row[col[k]].type != INVS_INT)
                return dj_host->error(w->c->s, INVS_ETYPE, NULL, 0,
                                      "%s: table %s, column %s: a many-to-many link without "
                                      "its integer",
                                      w->c->shown, t->name, t->cols[col[k]]);
            t->pairs[t->npairs++] = row[col[k]].num.i;
        }
    }
    t->nrec += (int64_t)nrows;
    return INVS_OK;
}

static int dj_pair_cmp(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] != y[1] ? (x[1] < y[1] ? -1 : 1) : 0;
}

/* The first triple of t whose owner is >= owner (and target >= target). */
static size_t dj_pair_lower(const dj_table *t, int64_t owner, int64_t target)
{
    size_t lo = 0, hi = t->npairs / 3;
    int64_t key[2] = {owner, target};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dj_pair_cmp(t->pairs + 3 * mid, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t dj_fold_id(const dj_table *t, int64_t owner, int64_t target)
{
    size_t i = dj_pair_lower(t, owner, target);
    return i < t->npairs / 3 && t->pairs[3 * i] == owner && t->pairs[3 * i + 1] == target
               ? t->pairs[3 * i + 2]
               : -1;
}

/* Folded table f's list for owner pk, as `, "field": [...]`. */
static int dj_fold_list(invs_drv_conn *c, const dj_table *f, int64_t pk, int comma)
{
    size_t i = dj_pair_lower(f, pk, INT64_MIN), n = 0;
    const char *why = NULL;
    fmt_out_str(&c->out, comma ? ", \"" : "\"");
    fmt_out_put(&c->out, f->m2m_field, strlen(f->m2m_field));
    fmt_out_str(&c->out, "\": [");
    for (; i < f->npairs / 3 && f->pairs[3 * i] == pk; i++) {
        invs_value v;
        memset(&v, 0, sizeof(v));
        v.type = INVS_INT;
        v.num.i = f->pairs[3 * i + 1];
        fmt_out_str(&c->out, n++ ? ", " : "");
        if (dj_put_field(c, f, (size_t)f->m2m_dst, &v, &why) != 0)
            return dj_host->error(c->s, INVS_ETYPE, NULL, 0, "%s: table %s: %s", c->shown,
                                  f->name, why ? why : "a link");
    }
    fmt_out_str(&c->out, "]");
    return INVS_OK;
}

/* One spooled line of owner o: its record, its lists, closed. */
static int dj_fold_record(invs_drv_conn *c, const dj_table *o, char *line, size_t len)
{
    char *tab = memchr(line, '\t', len), *end;
    long long pk = strtoll(line, &end, 10);
    size_t i, n;
    int rc;
    if (!tab || end != tab)
        return dj_host->error(c->s, INVS_EIO, NULL, 0, "%s: the spool of table %s is damaged",
                              c->shown, o->name);
    n = len - (size_t)(tab + 1 - line) - (line[len - 1] == '\n');
    fmt_out_str(&c->out, c->written++ ? ",\n" : "\n");
    fmt_out_put(&c->out, tab + 1, n);
    for (i = 0; i < c->nt; i++)
        if (c->t[i].folded && c->t[i].owner == (long)(o - c->t) &&
            (rc = dj_fold_list(c, &c->t[i], pk, tab[n] != '{')) != INVS_OK)
            return rc;
    fmt_out_str(&c->out, "}}");
    return dj_wcheck(c);
}

int dj_fold_write(invs_drv_conn *c)
{
    char *line = NULL;
    size_t i, cap = 0;
    ssize_t len;
    int rc = INVS_OK;
    for (i = 0; i < c->nt; i++)
        if (c->t[i].folded && c->t[i].npairs)
            qsort(c->t[i].pairs, c->t[i].npairs / 3, 3 * sizeof(int64_t), dj_pair_cmp);
    for (i = 0; i < c->nt && rc == INVS_OK; i++) {
        dj_table *o = &c->t[i];
        if (!o->spool)
            continue;
        if (fmt_out_flush(&o->sout) != 0 || fseek(o->spool, 0, SEEK_SET) != 0)
            return dj_host->error(c->s, INVS_EIO, NULL, errno, "%s: the spool of table %s: %s",
                                  c->shown, o->name, strerror(errno));
        while (rc == INVS_OK && (len = getline(&line, &cap, o->spool)) > 0)
            rc = dj_fold_record(c, o, line, (size_t)len);
    }
    free(line); /* getline's */
    return rc;
}

void dj_fold_free(dj_table *t)
{
    dj_host->free(t->pairs);
    if (t->spool) {
        fmt_out_free(&t->sout);
        fclose(t->spool);
    }
}

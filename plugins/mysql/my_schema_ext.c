/*
 * The schema beyond columns and keys, MySQL's side of it (ABI 1.2):
 *
 * pull: each column's default classified (invstage/sqldefault.h, after
 * MySQL's own spellings: current_timestamp(), curdate(), curtime()), an
 * enum's labels from its COLUMN_TYPE, and MariaDB's CHECK constraints;
 *
 * push: another engine's defaults written as MySQL literals, the stage's
 * own CHECKs where the stage is MySQL's (checked first: a stage is
 * untrusted input), and another engine's enum labels as a CHECK. What
 * MySQL cannot say is named in a warning, never dropped silently.
 */
#include <stdio.h>
#include <string.h>

#include "invstage/sqldefault.h"
#include "invstage/sqltext.h"
#include "my_driver.h"

/* ------------------------------------------------------------ pull */

int my_checks_add(my_checks *l, const char *table, const char *name, const char *expr)
{
    my_check_src *v = my_host->realloc(l->v, (l->n + 1) * sizeof(*v));
    if (!v)
        return INVS_ENOMEM;
    l->v = v;
    v[l->n].table = my_strdup(table);
    v[l->n].name = my_strdup(name ? name : "");
    v[l->n].expr = my_strdup(expr ? expr : "");
    l->n++;
    return v[l->n - 1].table && v[l->n - 1].name && v[l->n - 1].expr ? INVS_OK : INVS_ENOMEM;
}

void my_checks_free(my_checks *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        my_host->free(l->v[i].table);
        my_host->free(l->v[i].name);
        my_host->free(l->v[i].expr);
    }
    my_host->free(l->v);
    memset(l, 0, sizeof(*l));
}

static int my_now_kind(const char *e)
{
    static const struct {
        const char *text;
        int kind;
    } forms[] = {{"current_timestamp()", INVS_DEF_NOW}, {"now()", INVS_DEF_NOW},
                 {"curdate()", INVS_DEF_TODAY},         {"current_date()", INVS_DEF_TODAY},
                 {"curtime()", INVS_DEF_TIME_NOW},      {"current_time()", INVS_DEF_TIME_NOW}};
    size_t i;
    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
        if (!strcasecmp(e, forms[i].text))
            return forms[i].kind;
    return INVS_DEF_EXPR;
}

static void my_classify(invs_pool *pl, invs_colx *x, const invs_column *col)
{
    const char *v;
    size_t n;
    char *d;
    x->default_kind = invs_sqld_classify(col->default_expr, &v, &n);
    if (x->default_kind == INVS_DEF_EXPR)
        x->default_kind = my_now_kind(col->default_expr);
    if (col->flags & INVS_COL_AUTOINCREMENT)
        x->default_kind = INVS_DEF_SEQUENCE;
    if (v && x->default_kind != INVS_DEF_SEQUENCE && (d = invs_pool_alloc(pl, n + 1)))
        x->default_value = invs_sqld_unquote(d, v, n);
}

/* enum('a','it''s') -> its labels, in order. */
static void my_labels(invs_pool *pl, invs_colx *x, const char *decl)
{
    const char *p = decl ? strchr(decl, '(') : NULL, **labels = NULL;
    size_t cap = 0;
    while (p && *p && *p != ')') {
        const char *s;
        size_t len = 0;
        char *d;
        p++;
        if (*p != '\'')
            return; /* not the shape MySQL writes: no labels */
        for (s = ++p; *p && !(p[0] == '\'' && p[1] != '\''); p += p[0] == '\'' ? 2 : 1)
            len++;
        if (*p != '\'' || !(labels = invs_pool_grow(pl, labels, x->nlabels, &cap, sizeof(*labels))) ||
            !(d = invs_pool_alloc(pl, len + 1)))
            return;
        labels[x->nlabels++] = invs_sqld_unquote(d, s, (size_t)(p - s));
        x->labels = labels;
        p++;
    }
}

int my_table_ext(invs_pool *pl, const my_checks *checks, invs_table *t)
{
    invs_colx *x = invs_pool_alloc(pl, (t->ncols ? t->ncols : 1) * sizeof(*x));
    invs_check *k = NULL;
    size_t i, cap = 0;
    if (!x)
        return INVS_ENOMEM;
    memset(x, 0, (t->ncols ? t->ncols : 1) * sizeof(*x));
    for (i = 0; i < t->ncols; i++) {
        x[i].struct_size = sizeof(invs_colx);
        my_classify(pl, &x[i], &t->cols[i]);
        if (t->cols[i].canon == INVS_T_ENUM)
            my_labels(pl, &x[i], t->cols[i].decl);
    }
    t->colx = x;
    for (i = 0; i < checks->n; i++) {
        if (strcmp(checks->v[i].table, t->name) != 0)
            continue;
        if (!(k = invs_pool_grow(pl, k, t->nchecks, &cap, sizeof(*k))))
            return INVS_ENOMEM;
        memset(&k[t->nchecks], 0, sizeof(*k));
        k[t->nchecks].struct_size = sizeof(invs_check);
        k[t->nchecks].name = invs_pool_str(pl, checks->v[i].name);
        k[t->nchecks].expr = invs_pool_str(pl, checks->v[i].expr);
        t->checks = k;
        t->nchecks++;
    }
    return invs_pool_failed(pl) ? INVS_ENOMEM : INVS_OK;
}

/* ------------------------------------------------------------ push */

static const invs_colx *my_colx(const invs_table *t, size_t i)
{
    return INVS_HAS(t, invs_table, inherits) && t->colx ? INVS_AT(invs_colx, t->colx, i) : NULL;
}

/* Another engine's default of column i as MySQL SQL: 1 written, 0 none
 * (or none MySQL can say: warned). */
int my_foreign_default(my_conn *c, invs_strbuf *sb, const invs_table *t, size_t i)
{
    const invs_colx *x = my_colx(t, i);
    const invs_column *col = &t->cols[i];
    const char *v;
    size_t n;
    if (!x)
        return 0;
    switch (x->default_kind) {
    case INVS_DEF_NONE:
    case INVS_DEF_SEQUENCE: return 0;
    case INVS_DEF_NULL: invs_sb_puts(sb, " DEFAULT NULL"); return 1;
    case INVS_DEF_NOW: invs_sb_puts(sb, " DEFAULT current_timestamp()"); return 1;
    case INVS_DEF_TODAY: invs_sb_puts(sb, " DEFAULT curdate()"); return 1;
    case INVS_DEF_TIME_NOW: invs_sb_puts(sb, " DEFAULT curtime()"); return 1;
    case INVS_DEF_BOOL:
        invs_sb_puts(sb, x->default_value && *x->default_value == '1' ? " DEFAULT 1" : " DEFAULT 0");
        return 1;
    case INVS_DEF_TEXT:
        invs_sb_puts(sb, " DEFAULT ");
        my_literal(sb, x->default_value ? x->default_value : "");
        return 1;
    case INVS_DEF_NUMBER:
        if (x->default_value &&
            invs_sqld_classify(x->default_value, &v, &n) == INVS_DEF_NUMBER) {
            invs_sb_printf(sb, " DEFAULT %s", x->default_value);
            return 1;
        }
        break;
    }
    my_host->log(c->s, INVS_LOG_WARN,
                 "table %s, column %s: its default (%s) is %s's SQL, which MySQL does not "
                 "speak: not carried",
                 t->name, col->name, col->default_expr ? col->default_expr : "?",
                 t->engine ? t->engine : "another engine");
    return 0;
}

/* The table's CHECKs: the stage's own where it is MySQL's (refused when
 * it is not an expression MySQL evaluates without side effects), and
 * another engine's enum labels; another engine's CHECK text is named in a
 * warning (its dialect is not MySQL's). */
int my_checks_def(my_conn *c, invs_strbuf *sb, const invs_table *t, int native)
{
    static const char *const fns[] = {"json_valid", "char_length", "length", "lower", "upper",
                                      "trim", "abs", "regexp_like", "coalesce", NULL};
    size_t i;
    for (i = 0; INVS_HAS(t, invs_table, inherits) && t->checks && i < t->nchecks; i++) {
        const invs_check *k = INVS_AT(invs_check, t->checks, i);
        if (!native) {
            my_host->log(c->s, INVS_LOG_WARN, "table %s: CHECK %s (%s) is %s's SQL: not carried",
                         t->name, k->name ? k->name : "", k->expr, t->engine);
            continue;
        }
        if (!invs_sql_expr_ok(k->expr, fns))
            return my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                  "table %s: the stage's CHECK %s is not an expression MySQL "
                                  "evaluates without side effects; nothing was created",
                                  t->name, k->name ? k->name : k->expr);
        invs_sb_puts(sb, ", ");
        if (k->name && *k->name) {
            invs_sb_puts(sb, "CONSTRAINT ");
            invs_sb_ident(sb, k->name, '`');
            invs_sb_puts(sb, " ");
        }
        invs_sb_printf(sb, "CHECK (%s)", k->expr);
    }
    for (i = 0; !native && i < t->ncols; i++) {
        const invs_colx *x = my_colx(t, i);
        if (!x || !x->nlabels)
            continue;
        invs_sb_puts(sb, ", ");
        invs_sb_labels_check(sb, t->cols[i].name, x->labels, x->nlabels, '`');
    }
    return INVS_OK;
}

/* ------------------------------------------------------------ identity */

static const invs_colx *my_ident_colx(const invs_table *t, const invs_column *col)
{
    const invs_colx *x = my_colx(t, (size_t)(col - t->cols));
    return x && (x->ident_flags & INVS_IDENT_OPTIONS) ? x : NULL;
}

int64_t my_ident_increment(const invs_table *t, const char *col)
{
    long i = -1;
    size_t k;
    const invs_colx *x;
    for (k = 0; k < t->ncols && i < 0; k++)
        if (!strcmp(t->cols[k].name, col))
            i = (long)k;
    x = i >= 0 ? my_ident_colx(t, &t->cols[i]) : NULL;
    return x && x->ident_increment > 0 ? x->ident_increment : 1;
}

static int64_t my_canon_max(int canon)
{
    switch (canon) {
    case INVS_T_INT16: return 32767;
    case INVS_T_INT32: return 2147483647;
    }
    return INT64_MAX;
}

/* AUTO_INCREMENT steps by one between 1 and its type's largest value, and
 * never wraps: the source's other identity options are named. */
void my_ident_warn(my_conn *c, const invs_table *t, const invs_column *col)
{
    const invs_colx *x = my_ident_colx(t, col);
    char lost[160] = "";
    int n = 0, len = 0;
    if (!x)
        return;
    if (x->ident_increment != 1)
        len += snprintf(lost + len, sizeof(lost) - (size_t)len, "%sINCREMENT BY %lld",
                        n++ ? ", " : "", (long long)x->ident_increment);
    if (x->ident_min != 1 && len < (int)sizeof(lost))
        len += snprintf(lost + len, sizeof(lost) - (size_t)len, "%sMINVALUE %lld",
                        n++ ? ", " : "", (long long)x->ident_min);
    if (x->ident_max != my_canon_max(col->canon) && len < (int)sizeof(lost))
        len += snprintf(lost + len, sizeof(lost) - (size_t)len, "%sMAXVALUE %lld",
                        n++ ? ", " : "", (long long)x->ident_max);
    if ((x->ident_flags & INVS_IDENT_CYCLE) && len < (int)sizeof(lost))
        snprintf(lost + len, sizeof(lost) - (size_t)len, "%sCYCLE", n++ ? ", " : "");
    if (n)
        my_host->log(c->s, INVS_LOG_WARN,
                     "table %s, column %s: AUTO_INCREMENT has no identity options: %s %s not "
                     "kept (the next id is)",
                     t->name, col->name, lost, n > 1 ? "are" : "is");
}

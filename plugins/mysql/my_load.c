/*
 * Push into MySQL: tables from the model (with every key: an index added
 * after the load would be DDL, which commits), DELETE for -c (TRUNCATE
 * would commit too), foreign keys unchecked for the session while rows
 * arrive child-first, and those the stage does not declare itself checked
 * by a query at load_end, the
 * AUTO_INCREMENT position (in CREATE TABLE for a table made here; for one
 * the target had, an ALTER TABLE right after COMMIT, since it is DDL), and
 * table_drop for the host to remove what it created when a push fails.
 *
 * Nothing from the stage reaches SQL unchecked: names are quoted with
 * backticks, declared types must be MySQL type names (my_types.c),
 * charsets and collations plain names, defaults literals or calls of a
 * few side-effect-free functions, foreign key actions from a closed list.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "invstage/sqltext.h"
#include "my_driver.h"

static int my_one_row(my_conn *c, invs_strbuf *q, int *found)
{
    MYSQL_RES *r;
    int rc = my_sb_ok(c, q);
    *found = 0;
    if (rc == INVS_OK) {
        if ((r = my_query(c, q->p))) {
            *found = mysql_fetch_row(r) != NULL;
            mysql_free_result(r);
        } else {
            rc = INVS_ESQL;
        }
    }
    invs_sb_free(q);
    return rc;
}

/* Locked first (my_lock.c): a second push waits, then sees the rows. */
int my_has_rows(invs_drv_conn *conn, const invs_table *t, int *out)
{
    invs_strbuf q;
    int rc;
    *out = 0;
    if ((rc = my_lock_table_name(conn, t)) != INVS_OK)
        return rc;
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT 1 FROM ");
    invs_sb_ident(&q, t->name, '`');
    invs_sb_puts(&q, " LIMIT 1");
    if ((rc = my_one_row(conn, &q, out)) == INVS_OK && !*out)
        rc = my_lock_remember_empty(conn, t);
    return rc;
}

/* ------------------------------------------------------------ CREATE */

static const invs_key *my_primary(const invs_table *t)
{
    size_t i;
    for (i = 0; i < t->nkeys; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY)
            return &t->keys[i];
    return NULL;
}

static int my_in_key(const invs_key *k, const char *col)
{
    size_t i;
    for (i = 0; i < k->ncols; i++)
        if (!strcmp(k->cols[i], col))
            return 1;
    return 0;
}

/* An unbounded text or blob column in a key (a foreign key's too: InnoDB
 * indexes those) needs a length: an InnoDB key
 * holds 3072 bytes, shared by its columns (the unbounded ones get what
 * the others leave). The bytes each may take; 0: in no key. */
static int my_unbounded(const invs_column *c)
{
    return (c->canon == INVS_T_TEXT || c->canon == INVS_T_CHAR || c->canon == INVS_T_BLOB ||
            c->canon == INVS_T_ANY) &&
           (c->length <= 0 || c->length > 1024);
}

static int my_key_room(const invs_table *t, const invs_column *col)
{
    size_t k, i;
    int room = 0;
    for (k = 0; k < t->nkeys; k++) {
        const invs_key *key = &t->keys[k];
        int wide = 0, fixed = 0, r;
        if (!my_in_key(key, col->name)) /* foreign keys too: MySQL indexes them */
            continue;
        for (i = 0; i < t->ncols; i++) {
            const invs_column *c = &t->cols[i];
            if (!my_in_key(key, c->name))
                continue;
            if (my_unbounded(c))
                wide++;
            else
                fixed += c->length > 0 ? 4 * c->length : 16;
        }
        r = (3072 - (fixed < 2048 ? fixed : 2048)) / (wide ? wide : 1);
        if (!room || r < room)
            room = r;
    }
    return room;
}

/* The column AUTO_INCREMENT goes on: the source handed out its values, it
 * is an integer and the first column of a key (MySQL's rules). */
static const invs_column *my_autoinc_col(const invs_table *t, int native)
{
    size_t i, k;
    for (i = 0; i < t->ncols; i++) {
        const invs_column *c = &t->cols[i];
        uint32_t fed = INVS_COL_AUTOINCREMENT | (native ? 0 : INVS_COL_IDENTITY | INVS_COL_AUTO_KEY);
        int seq = 0;
        for (k = 0; k < t->nseqs && !native; k++)
            seq |= t->seqs[k].column && !strcmp(t->seqs[k].column, c->name);
        if (!(c->flags & fed) && !seq)
            continue;
        if (c->canon < INVS_T_INT16 || c->canon > INVS_T_UINT64)
            continue;
        for (k = 0; k < t->nkeys; k++)
            if (t->keys[k].kind != INVS_KEY_FOREIGN && t->keys[k].ncols &&
                !strcmp(t->keys[k].cols[0], c->name))
                return c;
    }
    return NULL;
}

static int my_bad(my_conn *c, const invs_table *t, const invs_column *col, const char *what,
                  const char *text)
{
    return my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                          "table %s, column %s: the stage's %s (%.60s) is not one MySQL takes; "
                          "nothing was created",
                          t->name, col->name, what, text ? text : "");
}

static int my_column_def(my_conn *c, invs_strbuf *sb, const invs_table *t, size_t i,
                         int native, const invs_column *autoinc)
{
    const invs_column *col = &t->cols[i];
    int ok, room;
    size_t mark;
    invs_sb_ident(sb, col->name, '`');
    invs_sb_puts(sb, " ");
    mark = sb->len;
    my_decl_for(sb, col, native, &ok);
    if (!ok)
        return native ? my_bad(c, t, col, "declared type", col->decl)
                      : my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                       "table %s, column %s: %s(%d,%d) does not fit MySQL's "
                                       "decimal(65,30); nothing was created",
                                       t->name, col->name, my_host->canon_name(col->canon),
                                       col->precision, col->scale);
    if (!native && (room = my_key_room(t, col)) > 0 && sb->p &&
        (!strcmp(sb->p + mark, "longtext") || !strcmp(sb->p + mark, "longblob"))) {
        int blob = !strcmp(sb->p + mark, "longblob");
        sb->len = mark;
        invs_sb_printf(sb, blob ? "varbinary(%d)" : "varchar(%d)", blob ? room : room / 4);
    }
    if (native && col->charset && col->canon != INVS_T_JSON) {
        if (!my_name_ok(col->charset) || (col->collation && !my_name_ok(col->collation)))
            return my_bad(c, t, col, "charset or collation", col->collation ? col->collation
                                                                             : col->charset);
        invs_sb_printf(sb, " CHARACTER SET %s", col->charset);
        if (col->collation)
            invs_sb_printf(sb, " COLLATE %s", col->collation);
    }
    if (col->flags & INVS_COL_NOT_NULL)
        invs_sb_puts(sb, " NOT NULL");
    if (col == autoinc)
        invs_sb_puts(sb, " AUTO_INCREMENT");
    /* defaults are SQL of the source's dialect: only MySQL's is ours, and
     * a stage is untrusted input: one that is not a literal or a call of a
     * side-effect-free function is refused, not dropped */
    if (native && col->default_expr && col != autoinc) {
        if (!my_default_ok(col->default_expr))
            return my_bad(c, t, col, "default", col->default_expr);
        invs_sb_printf(sb, " DEFAULT %s", col->default_expr);
    } else if (!native && col != autoinc) {
        my_foreign_default(c, sb, t, i);
    }
    return INVS_OK;
}

/* A foreign key's action as MySQL takes it (*out NULL: none to write);
 * one outside the closed list is refused, naming the constraint. */
static int my_action(my_conn *c, const invs_table *t, const invs_key *k, const char *a,
                     const char **out)
{
    *out = NULL;
    if (!a || !strcmp(a, "NO ACTION"))
        return INVS_OK;
    if (!invs_sql_action_ok(a))
        return my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                              "table %s, foreign key %s to %s: the stage's action (%.60s) is not "
                              "one MySQL takes; nothing was created",
                              t->name, k->name ? k->name : "(unnamed)", k->ref_table, a);
    if (!strcmp(a, "SET DEFAULT")) { /* parsed by MySQL, refused by InnoDB */
        my_host->log(c->s, INVS_LOG_WARN, "table %s: foreign key %s's SET DEFAULT becomes NO "
                     "ACTION (InnoDB has no SET DEFAULT)", t->name, k->name ? k->name : "");
        return INVS_OK;
    }
    *out = a;
    return INVS_OK;
}

static int my_key_def(my_conn *c, invs_strbuf *sb, const invs_table *t, const invs_key *k,
                      int native)
{
    const char *del, *upd;
    int rc;
    /* names of other engines are kept where MySQL can (an index's name is
     * its table's; a foreign key's, the database's: MySQL names those) */
    int named = k->name && strlen(k->name) <= 64 && (native || k->kind != INVS_KEY_FOREIGN);
    switch (k->kind) {
    case INVS_KEY_PRIMARY: invs_sb_puts(sb, ", PRIMARY KEY "); break;
    case INVS_KEY_UNIQUE: invs_sb_puts(sb, ", UNIQUE KEY "); break;
    case INVS_KEY_INDEX:
        invs_sb_puts(sb, (k->flags & INVS_KEYF_UNIQUE) ? ", UNIQUE KEY " : ", KEY ");
        break;
    default:
        invs_sb_puts(sb, ", ");
        if (named) {
            invs_sb_puts(sb, "CONSTRAINT ");
            invs_sb_ident(sb, k->name, '`');
            invs_sb_puts(sb, " ");
        }
        invs_sb_puts(sb, "FOREIGN KEY ");
    }
    if (named && k->kind != INVS_KEY_PRIMARY && k->kind != INVS_KEY_FOREIGN) {
        invs_sb_ident(sb, k->name, '`');
        invs_sb_puts(sb, " ");
    }
    invs_sb_ident_list(sb, k->cols, k->ncols, '`');
    if (k->kind != INVS_KEY_FOREIGN)
        return INVS_OK;
    if ((rc = my_action(c, t, k, k->on_delete, &del)) != INVS_OK ||
        (rc = my_action(c, t, k, k->on_update, &upd)) != INVS_OK)
        return rc;
    invs_sb_puts(sb, " REFERENCES ");
    invs_sb_ident(sb, k->ref_table, '`');
    invs_sb_puts(sb, " ");
    invs_sb_ident_list(sb, k->ref_cols, k->ncols, '`');
    if (del)
        invs_sb_printf(sb, " ON DELETE %s", del);
    if (upd)
        invs_sb_printf(sb, " ON UPDATE %s", upd);
    return INVS_OK;
}

/* The next value AUTO_INCREMENT hands out, from the stage's position: the
 * one after it by the source's increment. */
static unsigned long long my_next_value(const invs_table *t, const char *col)
{
    size_t i;
    for (i = 0; i < t->nseqs; i++)
        if (t->seqs[i].column && !strcmp(t->seqs[i].column, col)) {
            int64_t step = my_ident_increment(t, col);
            int64_t next = !t->seqs[i].is_called        ? t->seqs[i].value
                           : t->seqs[i].value > INT64_MAX - step ? INT64_MAX
                                                                  : t->seqs[i].value + step;
            return next < 1 ? 1 : (unsigned long long)next;
        }
    return 0;
}

int my_table_create(invs_drv_conn *conn, const invs_table *t, uint32_t hints)
{
    my_conn *c = conn;
    int native = (hints & INVS_HINT_NATIVE) != 0;
    const invs_column *autoinc = my_autoinc_col(t, native);
    unsigned long long next;
    invs_strbuf sb;
    size_t i;
    int rc = INVS_OK;

    my_sb_init(&sb);
    invs_sb_puts(&sb, "CREATE TABLE ");
    invs_sb_ident(&sb, t->name, '`');
    invs_sb_puts(&sb, " (");
    for (i = 0; i < t->ncols && rc == INVS_OK; i++) {
        invs_sb_puts(&sb, i ? ", " : "");
        rc = my_column_def(c, &sb, t, i, native, autoinc);
    }
    for (i = 0; i < t->nkeys && rc == INVS_OK; i++)
        if (t->keys[i].ncols)
            rc = my_key_def(c, &sb, t, &t->keys[i], native);
    if (rc == INVS_OK)
        rc = my_checks_def(c, &sb, t, native);
    invs_sb_puts(&sb, native ? ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
                             : ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    if (autoinc && (next = my_next_value(t, autoinc->name)) > 0)
        invs_sb_printf(&sb, " AUTO_INCREMENT=%llu", next);
    if (autoinc && !native)
        my_ident_warn(c, t, autoinc);
    if (rc != INVS_OK) {
        invs_sb_free(&sb);
        return rc;
    }
    if (!my_primary(t) && native)
        my_host->log(c->s, INVS_LOG_INFO, "table %s has no primary key", t->name);
    return my_exec_sb(c, &sb);
}

int my_indexes_create(invs_drv_conn *conn, const invs_table *t)
{
    (void)conn, (void)t; /* made with the table: one statement, one DDL */
    return INVS_OK;
}

/* ------------------------------------------------------------ DROP */

static double my_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The server went away: wait (a while) for it to come back. */
static int my_reconnect(my_conn *c)
{
    double until = my_now() + c->reconnect_wait;
    int rc;
    do {
        if ((rc = my_connect(c, INVS_OPEN_WRITE)) == INVS_OK)
            return INVS_OK;
        if (my_host->cancelled(c->s))
            break;
        nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
    } while (my_now() < until);
    return rc;
}

int my_table_drop(invs_drv_conn *conn, const invs_table *t)
{
    my_conn *c = conn;
    invs_strbuf q;
    int rc, found;
    if (c->lost && (rc = my_reconnect(c)) != INVS_OK)
        return rc;
    /* a table this push made holds nothing once its rows were rolled
     * back; rows in it mean a COMMIT went through after all, or another
     * session wrote there: not ours to drop */
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT 1 FROM ");
    invs_sb_ident(&q, t->name, '`');
    invs_sb_puts(&q, " LIMIT 1");
    if ((rc = my_one_row(c, &q, &found)) != INVS_OK)
        return rc;
    if (found)
        return my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                              "table %s holds rows: it is not dropped", t->name);
    my_sb_init(&q);
    invs_sb_puts(&q, "DROP TABLE ");
    invs_sb_ident(&q, t->name, '`');
    return my_exec_sb(c, &q);
}

/* ------------------------------------------------------------ the load */

static int my_in_load(const invs_table *const *ts, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!strcmp(ts[i]->name, name))
            return 1;
    return 0;
}

/* Tables that cannot roll back (MyISAM, Aria...) would keep half a load. */
static int my_check_engines(my_conn *c, const invs_table *const *ts, size_t n)
{
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    MYSQL_ROW row;
    int rc = INVS_OK;
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE"
                     " TABLE_SCHEMA = ");
    my_db_literal(&q, c);
    invs_sb_puts(&q, " AND TABLE_TYPE = 'BASE TABLE'");
    if (my_sb_ok(c, &q) == INVS_OK)
        r = my_query(c, q.p);
    invs_sb_free(&q);
    if (!r)
        return INVS_ESQL;
    while (rc == INVS_OK && (row = mysql_fetch_row(r)))
        if (my_in_load(ts, n, row[0]) && row[1] && strcasecmp(row[1], "InnoDB") &&
            strcasecmp(row[1], "ROCKSDB"))
            rc = my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                "table %s is a %s table, which cannot roll back a failed load; "
                                "nothing was written (ALTER TABLE ... ENGINE=InnoDB first)",
                                row[0], row[1]);
    mysql_free_result(r);
    return rc;
}

/* Foreign keys from tables outside the load into it: -c refuses those. */
static int my_outside(my_conn *c, const invs_table *const *ts, size_t n)
{
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    MYSQL_ROW row;
    int rc = INVS_OK;
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT TABLE_NAME, REFERENCED_TABLE_NAME, CONSTRAINT_NAME FROM"
                     " information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ");
    my_db_literal(&q, c);
    invs_sb_puts(&q, " AND UNIQUE_CONSTRAINT_SCHEMA = ");
    my_db_literal(&q, c);
    if (my_sb_ok(c, &q) == INVS_OK)
        r = my_query(c, q.p);
    invs_sb_free(&q);
    if (!r)
        return INVS_ESQL;
    while (rc == INVS_OK && (row = mysql_fetch_row(r))) {
        my_outside_ref *v;
        if (my_in_load(ts, n, row[0]) || !my_in_load(ts, n, row[1]))
            continue;
        if (!(v = my_host->realloc(c->outside, (c->noutside + 1) * sizeof(*v)))) {
            rc = my_oom(c);
            break;
        }
        c->outside = v;
        v += c->noutside++;
        v->child = my_strdup(row[0]);
        v->parent = my_strdup(row[1]);
        v->name = my_strdup(row[2]);
        if (!v->child || !v->parent || !v->name)
            rc = my_oom(c);
    }
    mysql_free_result(r);
    return rc;
}

int my_load_begin(invs_drv_conn *conn, const invs_table *const *ts, size_t n)
{
    my_conn *c = conn;
    int rc = my_check_engines(c, ts, n);
    /* what has_rows found empty stays so until commit */
    if (rc == INVS_OK)
        rc = my_lock_empty_tables(c);
    /* rows may come child-first (self-references, cycles): this session
     * checks no foreign key until load_end asks */
    if (rc == INVS_OK)
        rc = my_exec(c, "SET SESSION foreign_key_checks = 0");
    return rc == INVS_OK ? my_outside(c, ts, n) : rc;
}

int my_table_clear(invs_drv_conn *conn, const invs_table *t)
{
    my_conn *c = conn;
    invs_strbuf sb;
    size_t i;
    int rc;
    for (i = 0; i < c->noutside; i++)
        if (!strcmp(c->outside[i].parent, t->name))
            return my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                  "cannot clear table %s: table %s, which is not in the stage, "
                                  "references it (constraint %s); nothing was changed",
                                  t->name, c->outside[i].child, c->outside[i].name);
    if ((rc = my_lock_table_name(c, t)) != INVS_OK)
        return rc;
    /* DELETE, not TRUNCATE: TRUNCATE is DDL and would commit */
    my_sb_init(&sb);
    invs_sb_puts(&sb, "DELETE FROM ");
    invs_sb_ident(&sb, t->name, '`');
    return my_exec_sb(c, &sb);
}

/* One foreign key of a loaded table, checked: a row without its parent? */
static int my_check_fk(my_conn *c, const char *child, const char *name, char **cols,
                       char **refs, size_t n, const char *parent)
{
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    MYSQL_ROW row;
    size_t i;
    int rc = INVS_OK;
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT ");
    for (i = 0; i < n; i++) {
        invs_sb_puts(&q, i ? ", " : "");
        invs_sb_puts(&q, "c.");
        invs_sb_ident(&q, cols[i], '`');
    }
    invs_sb_puts(&q, " FROM ");
    invs_sb_ident(&q, child, '`');
    /* an anti-join on the parent's key (MariaDB plans NOT EXISTS as a
     * materialised scan of another index) */
    invs_sb_puts(&q, " AS c LEFT JOIN ");
    invs_sb_ident(&q, parent, '`');
    invs_sb_puts(&q, " AS p ON ");
    for (i = 0; i < n; i++) {
        invs_sb_puts(&q, i ? " AND p." : "p.");
        invs_sb_ident(&q, refs[i], '`');
        invs_sb_puts(&q, " = c.");
        invs_sb_ident(&q, cols[i], '`');
    }
    invs_sb_puts(&q, " WHERE ");
    for (i = 0; i < n; i++) {
        invs_sb_puts(&q, "c.");
        invs_sb_ident(&q, cols[i], '`');
        invs_sb_puts(&q, " IS NOT NULL AND ");
    }
    invs_sb_puts(&q, "p.");
    invs_sb_ident(&q, refs[0], '`');
    invs_sb_puts(&q, " IS NULL LIMIT 1");
    if (my_sb_ok(c, &q) == INVS_OK)
        r = my_query(c, q.p);
    invs_sb_free(&q);
    if (!r)
        return INVS_ESQL;
    if ((row = mysql_fetch_row(r))) {
        invs_strbuf v;
        my_sb_init(&v);
        for (i = 0; i < n; i++)
            invs_sb_printf(&v, "%s%s", i ? ", " : "", row[i] ? row[i] : "NULL");
        rc = my_host->error(c->s, INVS_ECONSTRAINT, "23000", 0,
                            "table %s: foreign key %s: (%s) has no row in %s; nothing was "
                            "committed",
                            child, name, invs_sb_failed(&v) ? "?" : v.p, parent);
        invs_sb_free(&v);
    }
    mysql_free_result(r);
    return rc;
}

/* Is this foreign key the stage's own, between two tables of the load?
 * Then verify's fk-orphan check has asked the stage already. */
static int my_stage_checked(const invs_table *const *ts, size_t n, const char *child,
                            char **cols, size_t k, const char *parent)
{
    size_t i, j, c;
    if (!my_in_load(ts, n, parent))
        return 0;
    for (i = 0; i < n; i++) {
        if (strcmp(ts[i]->name, child) != 0)
            continue;
        for (j = 0; j < ts[i]->nkeys; j++) {
            const invs_key *key = &ts[i]->keys[j];
            if (key->kind != INVS_KEY_FOREIGN || key->ncols != k || strcmp(key->ref_table, parent))
                continue;
            for (c = 0; c < k && !strcmp(key->cols[c], cols[c]); c++)
                ;
            if (c == k)
                return 1;
        }
    }
    return 0;
}

static void my_free_list(char **v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        my_host->free(v[i]);
}

/* MySQL does not check foreign keys again when checks come back on: every
 * key of a loaded table that the stage does not declare itself (a key of
 * the application's schema, one into a table outside the load) is asked
 * about here, before the commit; the stage's own keys are verify's
 * fk-orphan check's, and push refuses a stage that failed it. */
int my_load_end(invs_drv_conn *conn, const invs_table *const *ts, size_t n)
{
    my_conn *c = conn;
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    MYSQL_ROW row;
    char *cols[64], *refs[64], *cur = NULL, *child = NULL, *parent = NULL;
    size_t k = 0;
    int rc = INVS_OK;

    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT CONSTRAINT_NAME, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME,"
                     " REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
                     " WHERE TABLE_SCHEMA = ");
    my_db_literal(&q, c);
    invs_sb_puts(&q, " AND REFERENCED_TABLE_SCHEMA = ");
    my_db_literal(&q, c);
    invs_sb_puts(&q, " ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION");
    if (my_sb_ok(c, &q) == INVS_OK)
        r = my_query(c, q.p);
    invs_sb_free(&q);
    if (!r)
        return INVS_ESQL;
    for (;;) {
        row = mysql_fetch_row(r);
        if (cur && (!row || strcmp(row[0], cur) || strcmp(row[1], child))) {
            if (rc == INVS_OK && my_in_load(ts, n, child) &&
                !my_stage_checked(ts, n, child, cols, k, parent))
                rc = my_check_fk(c, child, cur, cols, refs, k, parent);
            my_free_list(cols, k);
            my_free_list(refs, k);
            my_host->free(cur);
            my_host->free(child);
            my_host->free(parent);
            cur = child = parent = NULL;
            k = 0;
        }
        if (!row || rc != INVS_OK)
            break;
        if (!cur) {
            cur = my_strdup(row[0]);
            child = my_strdup(row[1]);
            parent = my_strdup(row[3]);
        }
        if (k < 64) {
            cols[k] = my_strdup(row[2]);
            refs[k++] = my_strdup(row[4]);
        }
        if (!cur || !child || !parent || !cols[k - 1] || !refs[k - 1])
            rc = my_oom(c);
    }
    my_free_list(cols, k);
    my_free_list(refs, k);
    my_host->free(cur);
    my_host->free(child);
    my_host->free(parent);
    mysql_free_result(r);
    return rc;
}

/* ------------------------------------------------------------ positions */

/* The target table's AUTO_INCREMENT column, and whether the table was
 * made with the position already (CREATE TABLE ... AUTO_INCREMENT=). */
int my_sequences_set(invs_drv_conn *conn, const invs_table *t)
{
    my_conn *c = conn;
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    MYSQL_ROW row;
    unsigned long long next = 0;
    int rc = INVS_OK;

    if (!t->nseqs)
        return INVS_OK; /* the counter follows the rows by itself */
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT c.COLUMN_NAME, t.AUTO_INCREMENT FROM information_schema.COLUMNS c"
                     " JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA"
                     " AND t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = ");
    my_db_literal(&q, c);
    invs_sb_puts(&q, " AND c.TABLE_NAME = ");
    my_literal(&q, t->name);
    invs_sb_puts(&q, " AND c.EXTRA LIKE '%auto_increment%'");
    if (my_sb_ok(c, &q) == INVS_OK)
        r = my_query(c, q.p);
    invs_sb_free(&q);
    if (!r)
        return INVS_ESQL;
    if ((row = mysql_fetch_row(r)))
        next = my_next_value(t, row[0]);
    if (next && (!row[1] || strtoull(row[1], NULL, 10) != next)) {
        my_autoinc *v = my_host->realloc(c->autoinc, (c->nautoinc + 1) * sizeof(*v));
        if (!v) {
            rc = my_oom(c);
        } else {
            c->autoinc = v;
            v[c->nautoinc].next = next;
            if (!(v[c->nautoinc++].table = my_strdup(t->name)))
                rc = my_oom(c);
        }
    } else if (!row) {
        my_host->log(c->s, INVS_LOG_WARN,
                     "table %s has no AUTO_INCREMENT column in the target, so the source's "
                     "position (%lld) is not kept",
                     t->name, (long long)t->seqs[0].value);
    }
    mysql_free_result(r);
    return rc;
}

/* After COMMIT: the positions of the tables the target already had (an
 * ALTER TABLE is DDL: inside the transaction it would have committed it). */
int my_autoinc_apply(my_conn *c)
{
    size_t i;
    for (i = 0; i < c->nautoinc; i++) {
        invs_strbuf sb;
        my_sb_init(&sb);
        invs_sb_puts(&sb, "ALTER TABLE ");
        invs_sb_ident(&sb, c->autoinc[i].table, '`');
        invs_sb_printf(&sb, " AUTO_INCREMENT = %llu", c->autoinc[i].next);
        if (my_exec_sb(c, &sb) != INVS_OK)
            my_host->log(c->s, INVS_LOG_WARN,
                         "table %s: the rows are committed, but its AUTO_INCREMENT could not "
                         "be set to %llu (run ALTER TABLE ... AUTO_INCREMENT = %llu)",
                         c->autoinc[i].table, c->autoinc[i].next, c->autoinc[i].next);
    }
    return INVS_OK;
}

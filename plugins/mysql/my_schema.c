/*
 * Reading a MySQL schema from information_schema, in the pull's snapshot:
 * base tables (views and sequences are named in a warning), columns with
 * their COLUMN_TYPE, NOT NULL, defaults, charset and collation (the
 * collation only where it is not its charset's default), primary and
 * unique keys and plain secondary indexes, foreign keys with their actions,
 * the AUTO_INCREMENT position (the table's next value, not max(id)+1), and
 * row counts. MariaDB's JSON is longtext with a json_valid() check: a
 * column with that check is json.
 */
#include <stdlib.h>
#include <string.h>

#include "invstage/pool.h"
#include "my_driver.h"

typedef struct my_reader {
    my_conn *c;
    invs_pool pl;
    char **json_cols; /* "table\ncolumn" of MariaDB's json columns */
    size_t njson;
    char **coll_default; /* "charset\ncollation" pairs: each charset's default */
    size_t ndefault;
    my_checks checks; /* MariaDB's CHECK constraints, of every table */
} my_reader;

static const char *pstr(my_reader *rd, const char *s) { return invs_pool_str(&rd->pl, s); }

/* "SELECT ... WHERE TABLE_SCHEMA = <db> [AND TABLE_NAME = <t>] ..." */
static MYSQL_RES *my_ask(my_reader *rd, const char *head, const char *table, const char *tail)
{
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    my_sb_init(&q);
    invs_sb_puts(&q, head);
    my_db_literal(&q, rd->c);
    if (table) {
        invs_sb_puts(&q, " AND TABLE_NAME = ");
        my_literal(&q, table);
    }
    invs_sb_puts(&q, tail);
    if (my_sb_ok(rd->c, &q) == INVS_OK)
        r = my_query(rd->c, q.p);
    invs_sb_free(&q);
    return r;
}

static void my_strings_free(char **v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        my_host->free(v[i]);
    my_host->free(v);
}

static int my_strings_add(char ***v, size_t *n, const char *a, const char *b)
{
    invs_strbuf sb;
    char **nv = my_host->realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv)
        return INVS_ENOMEM;
    *v = nv;
    my_sb_init(&sb);
    invs_sb_printf(&sb, "%s\n%s", a, b);
    if (!(nv[*n] = invs_sb_take(&sb)))
        return INVS_ENOMEM;
    (*n)++;
    return INVS_OK;
}

static int my_strings_has(char **v, size_t n, const char *a, const char *b)
{
    size_t i, la = strlen(a);
    for (i = 0; i < n; i++)
        if (!strncmp(v[i], a, la) && v[i][la] == '\n' && !strcmp(v[i] + la + 1, b))
            return 1;
    return 0;
}

/* Once per read: MariaDB's json columns (and other checks, named as not
 * copied), and each charset's default collation. */
static int my_prepare(my_reader *rd)
{
    MYSQL_RES *r;
    MYSQL_ROW row;
    int rc = INVS_OK;
    if (!(r = my_query(rd->c, "SELECT CHARACTER_SET_NAME, COLLATION_NAME FROM "
                              "information_schema.COLLATIONS WHERE IS_DEFAULT = 'Yes'")))
        return INVS_ESQL;
    while (rc == INVS_OK && (row = mysql_fetch_row(r)))
        if (row[0] && row[1])
            rc = my_strings_add(&rd->coll_default, &rd->ndefault, row[0], row[1]);
    mysql_free_result(r);
    if (rc != INVS_OK || !rd->c->mariadb)
        return rc == INVS_OK ? rc : my_oom(rd->c);
    if (!(r = my_ask(rd, "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
                         "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ",
                     NULL, ""))) /* unordered: the server lists them as defined */
        return INVS_ESQL;
    while (rc == INVS_OK && (row = mysql_fetch_row(r))) {
        invs_strbuf want;
        my_sb_init(&want);
        invs_sb_puts(&want, "json_valid(");
        invs_sb_ident(&want, row[1], '`');
        invs_sb_puts(&want, ")");
        if (invs_sb_failed(&want))
            rc = INVS_ENOMEM;
        else if (row[2] && !strcmp(row[2], want.p))
            rc = my_strings_add(&rd->json_cols, &rd->njson, row[0], row[1]);
        else if (row[0] && row[2])
            rc = my_checks_add(&rd->checks, row[0], row[1], row[2]);
        invs_sb_free(&want);
    }
    mysql_free_result(r);
    return rc == INVS_OK ? rc : my_oom(rd->c);
}

static long long num(const char *s) { return s ? strtoll(s, NULL, 10) : -1; }

/* A column's default as MariaDB reports it (literals quoted, NULL for none,
 * 'NULL' for DEFAULT NULL) or MySQL does (literals bare; expressions marked
 * DEFAULT_GENERATED), as MySQL SQL. */
static const char *my_default(my_reader *rd, const invs_table *t, const invs_column *col,
                              const char *def, const char *extra)
{
    invs_strbuf sb;
    const char *out;
    if (!def)
        return NULL;
    if (rd->c->mariadb || (extra && strstr(extra, "DEFAULT_GENERATED")) || !strcmp(def, "NULL"))
        return pstr(rd, def);
    my_sb_init(&sb);
    if (col->canon == INVS_T_BIT || col->canon == INVS_T_BLOB)
        invs_sb_puts(&sb, def); /* b'..' / 0x.. as MySQL shows them */
    else
        my_literal(&sb, def);
    out = invs_sb_failed(&sb) ? NULL : pstr(rd, sb.p);
    invs_sb_free(&sb);
    (void)t;
    return out;
}

static int my_columns(my_reader *rd, invs_table *t, const char **autoinc)
{
    static const char head[] =
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,"
        " CHARACTER_SET_NAME, COLLATION_NAME, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION,"
        " NUMERIC_SCALE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ";
    MYSQL_RES *r = my_ask(rd, head, t->name, " ORDER BY ORDINAL_POSITION");
    MYSQL_ROW row;
    invs_column *cols;
    size_t n;
    if (!r)
        return INVS_ESQL;
    n = (size_t)mysql_num_rows(r);
    cols = invs_pool_alloc(&rd->pl, (n ? n : 1) * sizeof(*cols));
    t->cols = cols;
    t->ncols = 0;
    while (cols && (row = mysql_fetch_row(r))) {
        invs_column *c = &cols[t->ncols];
        const char *extra = row[5] ? row[5] : "";
        if (strstr(extra, "GENERATED") && !strstr(extra, "DEFAULT_GENERATED")) {
            my_host->log(rd->c->s, INVS_LOG_WARN, "table %s: generated column %s is not copied",
                         t->name, row[0]);
            continue;
        }
        if (!strcmp(extra, "VIRTUAL") || !strcmp(extra, "STORED") ||
            !strcmp(extra, "PERSISTENT")) {
            my_host->log(rd->c->s, INVS_LOG_WARN, "table %s: generated column %s is not copied",
                         t->name, row[0]);
            continue;
        }
        c->name = pstr(rd, row[0]);
        c->decl = pstr(rd, row[2]);
        my_type_to_canon(c, row[1], row[2], num(row[8]), num(row[9]), num(row[10]));
        if (my_strings_has(rd->json_cols, rd->njson, t->name, row[0]))
            c->canon = INVS_T_JSON, c->decl = "json";
        if (c->canon == INVS_T_JSON)
            row[7] = NULL; /* json is utf8mb4_bin by definition */
        if (row[3] && !strcmp(row[3], "NO"))
            c->flags |= INVS_COL_NOT_NULL;
        if (strstr(extra, "auto_increment")) {
            c->flags |= INVS_COL_AUTOINCREMENT;
            *autoinc = c->name;
        }
        if (strstr(extra, "on update") && rd->c->reading)
            my_host->log(rd->c->s, INVS_LOG_WARN, "table %s: column %s's ON UPDATE (%s) is not "
                         "copied", t->name, row[0], extra);
        c->default_expr = my_default(rd, t, c, row[4], extra);
        if (row[6]) {
            c->charset = pstr(rd, row[6]);
            if (row[7] && !my_strings_has(rd->coll_default, rd->ndefault, row[6], row[7]))
                c->collation = pstr(rd, row[7]);
        }
        t->ncols++;
    }
    mysql_free_result(r);
    return invs_pool_failed(&rd->pl) ? INVS_ENOMEM : INVS_OK;
}

static invs_key *my_new_key(my_reader *rd, invs_table *t, size_t *cap)
{
    invs_key *keys = invs_pool_grow(&rd->pl, (void *)t->keys, t->nkeys, cap, sizeof(*keys));
    if (!keys)
        return NULL;
    t->keys = keys;
    memset(&keys[t->nkeys], 0, sizeof(keys[0]));
    return &keys[t->nkeys++];
}

/* Primary, unique and secondary indexes; prefix, full-text, spatial and
 * expression indexes have no place in the model: named, not copied. */
static int my_indexes(my_reader *rd, invs_table *t, size_t *cap)
{
    static const char head[] =
        "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE"
        " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ";
    MYSQL_RES *r = my_ask(rd, head, t->name,
                          " ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX");
    MYSQL_ROW row;
    char *cur = NULL;
    invs_key *k = NULL;
    const char **cols = NULL;
    size_t ccap = 0;
    int skip = 0, rc = INVS_OK;
    if (!r)
        return INVS_ESQL;
    while (rc == INVS_OK && (row = mysql_fetch_row(r))) {
        if (!cur || strcmp(cur, row[0]) != 0) {
            my_host->free(cur);
            if (!(cur = my_strdup(row[0]))) {
                rc = INVS_ENOMEM;
                break;
            }
            skip = !row[2] || row[3] || (row[4] && strcmp(row[4], "BTREE") && strcmp(row[4], "HASH"));
            k = NULL;
            if (skip) {
                if (rd->c->reading)
                    my_host->log(rd->c->s, INVS_LOG_WARN,
                                 "table %s: index %s (%s%s) is not copied", t->name, row[0],
                                 row[3] ? "on a prefix" : row[2] ? row[4] : "on an expression",
                                 "");
                continue;
            }
            if (!(k = my_new_key(rd, t, cap))) {
                rc = INVS_ENOMEM;
                break;
            }
            cols = NULL;
            ccap = 0;
            if (!strcmp(row[0], "PRIMARY")) {
                k->kind = INVS_KEY_PRIMARY;
            } else {
                k->kind = row[1] && !strcmp(row[1], "0") ? INVS_KEY_UNIQUE : INVS_KEY_INDEX;
                k->name = pstr(rd, row[0]);
            }
        }
        if (skip || !k)
            continue;
        if (!row[2] || row[3]) { /* a later column of it is a prefix: drop the key */
            if (rd->c->reading)
                my_host->log(rd->c->s, INVS_LOG_WARN, "table %s: index %s (on a prefix) is not "
                             "copied", t->name, row[0]);
            t->nkeys--;
            k = NULL;
            skip = 1;
            continue;
        }
        if (!(cols = invs_pool_grow(&rd->pl, cols, k->ncols, &ccap, sizeof(*cols)))) {
            rc = INVS_ENOMEM;
            break;
        }
        cols[k->ncols++] = pstr(rd, row[2]);
        k->cols = cols;
    }
    my_host->free(cur);
    mysql_free_result(r);
    return rc == INVS_OK && invs_pool_failed(&rd->pl) ? INVS_ENOMEM : rc;
}

static int my_foreign_keys(my_reader *rd, invs_table *t, size_t *cap)
{
    static const char head[] =
        "SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,"
        " k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE"
        " FROM information_schema.KEY_COLUMN_USAGE k"
        " JOIN information_schema.REFERENTIAL_CONSTRAINTS r"
        " ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME"
        " AND r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = ";
    invs_strbuf q;
    MYSQL_RES *r;
    MYSQL_ROW row;
    char *cur = NULL;
    invs_key *k = NULL;
    const char **cols = NULL, **refs = NULL;
    size_t ccap = 0, rcap = 0;
    int rc = INVS_OK;

    my_sb_init(&q);
    invs_sb_puts(&q, head);
    my_db_literal(&q, rd->c);
    invs_sb_puts(&q, " AND k.TABLE_NAME = ");
    my_literal(&q, t->name);
    invs_sb_puts(&q, " AND k.REFERENCED_TABLE_NAME IS NOT NULL"
                     " ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION");
    r = my_sb_ok(rd->c, &q) == INVS_OK ? my_query(rd->c, q.p) : NULL;
    invs_sb_free(&q);
    if (!r)
        return INVS_ESQL;
    while (rc == INVS_OK && (row = mysql_fetch_row(r))) {
        if (!cur || strcmp(cur, row[0]) != 0) {
            my_host->free(cur);
            if (!(cur = my_strdup(row[0]))) {
                rc = INVS_ENOMEM;
                break;
            }
            k = NULL;
            if (row[2] && strcmp(row[2], rd->c->to.db) != 0) {
                my_host->log(rd->c->s, INVS_LOG_WARN,
                             "table %s: foreign key %s references %s.%s, in another database: "
                             "not copied",
                             t->name, row[0], row[2], row[3]);
                continue;
            }
            if (!(k = my_new_key(rd, t, cap))) {
                rc = INVS_ENOMEM;
                break;
            }
            k->kind = INVS_KEY_FOREIGN;
            k->name = pstr(rd, row[0]);
            k->ref_table = pstr(rd, row[3]);
            k->on_update = pstr(rd, row[5]);
            k->on_delete = pstr(rd, row[6]);
            cols = refs = NULL;
            ccap = rcap = 0;
        }
        if (!k)
            continue;
        if (!(cols = invs_pool_grow(&rd->pl, cols, k->ncols, &ccap, sizeof(*cols))) ||
            !(refs = invs_pool_grow(&rd->pl, refs, k->ncols, &rcap, sizeof(*refs)))) {
            rc = INVS_ENOMEM;
            break;
        }
        cols[k->ncols] = pstr(rd, row[1]);
        refs[k->ncols++] = pstr(rd, row[4]);
        k->cols = cols;
        k->ref_cols = refs;
    }
    my_host->free(cur);
    mysql_free_result(r);
    return rc == INVS_OK && invs_pool_failed(&rd->pl) ? INVS_ENOMEM : rc;
}

/* AUTO_INCREMENT is the next value the table hands out. */
static int my_sequence(my_reader *rd, invs_table *t, const char *col, const char *next)
{
    invs_sequence *s;
    unsigned long long n;
    if (!col || !next)
        return INVS_OK;
    n = strtoull(next, NULL, 10);
    if (!(s = invs_pool_alloc(&rd->pl, sizeof(*s))))
        return INVS_ENOMEM;
    s->column = col;
    s->value = n > 1 ? (int64_t)(n - 1) : 1;
    s->is_called = n > 1;
    t->seqs = s;
    t->nseqs = 1;
    return INVS_OK;
}

static int my_count(my_reader *rd, invs_table *t)
{
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    MYSQL_ROW row;
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT COUNT(*) FROM ");
    invs_sb_ident(&q, t->name, '`');
    if (my_sb_ok(rd->c, &q) == INVS_OK)
        r = my_query(rd->c, q.p);
    invs_sb_free(&q);
    if (!r)
        return INVS_ESQL;
    if ((row = mysql_fetch_row(r)) && row[0])
        t->row_count = strtoll(row[0], NULL, 10);
    mysql_free_result(r);
    return INVS_OK;
}

static int my_table(my_reader *rd, invs_table *t, const char *next_autoinc)
{
    const char *autoinc = NULL;
    size_t cap = 0;
    int rc;
    if ((rc = my_columns(rd, t, &autoinc)) != INVS_OK || (rc = my_indexes(rd, t, &cap)) != INVS_OK ||
        (rc = my_foreign_keys(rd, t, &cap)) != INVS_OK ||
        (rc = my_sequence(rd, t, autoinc, next_autoinc)) != INVS_OK ||
        (rc = my_table_ext(&rd->pl, &rd->checks, t)) != INVS_OK)
        return rc;
    /* a count is for a pull's progress and row-count check only */
    return rd->c->reading ? my_count(rd, t) : INVS_OK;
}

int my_schema_read(invs_drv_conn *conn, invs_emit_table_fn emit, void *payload)
{
    my_reader rd;
    MYSQL_RES *tabs;
    MYSQL_ROW row;
    int rc = INVS_OK, n = 0;

    memset(&rd, 0, sizeof(rd));
    rd.c = conn;
    invs_pool_init(&rd.pl, my_host->realloc, my_host->free);
    if ((rc = my_prepare(&rd)) != INVS_OK)
        goto out;
    if (!(tabs = my_ask(&rd, "SELECT TABLE_NAME, TABLE_TYPE, AUTO_INCREMENT, ENGINE FROM "
                             "information_schema.TABLES WHERE TABLE_SCHEMA = ",
                        NULL, " ORDER BY BINARY TABLE_NAME"))) {
        rc = INVS_ESQL;
        goto out;
    }
    while (rc == INVS_OK && (row = mysql_fetch_row(tabs))) {
        invs_table t;
        if (!row[1] || (strcmp(row[1], "BASE TABLE") && strcmp(row[1], "SYSTEM VERSIONED"))) {
            if (rd.c->reading)
                my_host->log(rd.c->s, INVS_LOG_WARN, "%s %s is not a table: not copied",
                             row[1] && !strcmp(row[1], "VIEW") ? "view" : "object", row[0]);
            continue;
        }
        memset(&t, 0, sizeof(t));
        t.struct_size = sizeof(t);
        t.name = pstr(&rd, row[0]);
        t.engine = "mysql";
        t.row_count = -1;
        n++;
        rc = my_table(&rd, &t, row[2]);
        if (rc == INVS_ENOMEM)
            my_oom(rd.c);
        if (rc == INVS_OK)
            rc = emit(&t, payload);
        invs_pool_free(&rd.pl);
    }
    mysql_free_result(tabs);
    if (rc == INVS_OK && n == 0 && rd.c->reading)
        my_host->log(rd.c->s, INVS_LOG_WARN, "database %s has no tables", rd.c->to.db);
out:
    if (rc == INVS_ENOMEM)
        my_oom(rd.c);
    invs_pool_free(&rd.pl);
    my_strings_free(rd.json_cols, rd.njson);
    my_strings_free(rd.coll_default, rd.ndefault);
    my_checks_free(&rd.checks);
    return rc;
}

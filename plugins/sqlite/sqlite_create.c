/*
 * Push into SQLite: the tables and indexes the target lacks, from the
 * model. A table read by this driver (INVS_HINT_NATIVE) gets its own SQL
 * back: declarations, defaults, CHECKs, collations, index expressions,
 * each checked first (a stage is untrusted input). Another engine's table
 * gets what SQLite can say of it: its declared types where they survive
 * (sqlite_types.c), its defaults written as SQLite's literals, its enum
 * labels as a CHECK, and those of its CHECKs and indexes that SQLite
 * compiles; each one it cannot say is named in a warning.
 *
 * SQLite accepts CHECK constraints only in CREATE TABLE, so the test of
 * another engine's CHECK is a compile of the expression against the
 * table's column names, before the table exists.
 */
#include <string.h>

#include "invstage/sqldefault.h"
#include "invstage/sqltext.h"
#include "sqlite_driver.h"

/* What a DEFAULT, CHECK or index expression may call: SQLite's own
 * functions without side effects. */
static const char *const sqlite_fns[] = {
    "datetime", "date", "time", "julianday", "strftime", "unixepoch", "random", "randomblob",
    "hex", "lower", "upper", "abs", "length", "ifnull", "round", "trim", "ltrim", "rtrim",
    "substr", "replace", "printf", "format", "char", "zeroblob", "json", "json_valid",
    "typeof", "instr", "like", "glob", "nullif", "coalesce", "min", "max", "unicode",
    "quote", "iif", "octet_length", NULL};

static const invs_colx *create_colx(const invs_table *t, size_t i)
{
    return INVS_HAS(t, invs_table, inherits) && t->colx ? INVS_AT(invs_colx, t->colx, i) : NULL;
}

/* The column that becomes the table's INTEGER PRIMARY KEY (SQLite hands
 * out its values), and whether it needs AUTOINCREMENT: a SQLite source's
 * AUTOINCREMENT, or a sequence whose position the rows alone do not give
 * (only sqlite_sequence keeps one). A key fed by a sequence that follows
 * its rows needs none: SQLite's largest-plus-one gives the same next id. */
static const invs_column *create_rowid_key(const invs_table *t, const invs_key **pk,
                                           int *autoinc)
{
    const invs_column *col = NULL;
    size_t i;
    int fed = 0;
    *pk = NULL;
    *autoinc = 0;
    for (i = 0; i < t->nkeys && !*pk; i++)
        if (t->keys[i].kind == INVS_KEY_PRIMARY)
            *pk = &t->keys[i];
    if (!*pk || (*pk)->ncols != 1 || (t->flags & INVS_TBL_WITHOUT_ROWID))
        return NULL;
    for (i = 0; i < t->ncols && !col; i++)
        if (strcmp(t->cols[i].name, (*pk)->cols[0]) == 0)
            col = &t->cols[i];
    if (!col || col->canon < INVS_T_INT16 || col->canon > INVS_T_INT64)
        return NULL;
    for (i = 0; i < t->nseqs; i++)
        if (t->seqs[i].column && !strcmp(t->seqs[i].column, col->name)) {
            fed = 1;
            if (!(t->seqs[i].flags & INVS_SEQ_FOLLOWS_ROWS))
                *autoinc = 1;
        }
    if (col->flags & INVS_COL_AUTOINCREMENT)
        *autoinc = 1;
    if (*autoinc || fed || (col->flags & (INVS_COL_IDENTITY | INVS_COL_AUTO_KEY)))
        return col;
    return NULL;
}

/* Another engine's default, as an SQLite literal; 0 when it has none. */
static int create_default_value(invs_strbuf *sb, const invs_colx *x)
{
    const char *v;
    size_t n;
    switch (x->default_kind) {
    case INVS_DEF_NULL: invs_sb_puts(sb, " DEFAULT NULL"); return 1;
    case INVS_DEF_NOW: invs_sb_puts(sb, " DEFAULT CURRENT_TIMESTAMP"); return 1;
    case INVS_DEF_TODAY: invs_sb_puts(sb, " DEFAULT CURRENT_DATE"); return 1;
    case INVS_DEF_TIME_NOW: invs_sb_puts(sb, " DEFAULT CURRENT_TIME"); return 1;
    case INVS_DEF_TEXT:
        invs_sb_puts(sb, " DEFAULT ");
        invs_sb_literal(sb, x->default_value ? x->default_value : "");
        return 1;
    case INVS_DEF_NUMBER:
        if (!x->default_value || invs_sqld_classify(x->default_value, &v, &n) != INVS_DEF_NUMBER)
            return 0; /* not a number after all: the stage was edited */
        invs_sb_printf(sb, " DEFAULT %s", x->default_value);
        return 1;
    case INVS_DEF_BOOL:
        invs_sb_puts(sb, x->default_value && *x->default_value == '1' ? " DEFAULT 1"
                                                                       : " DEFAULT 0");
        return 1;
    case INVS_DEF_BLOB: {
        char lit[4096];
        if (!x->default_value || strlen(x->default_value) + 4 > sizeof(lit))
            return 0;
        snprintf(lit, sizeof(lit), "X'%s'", x->default_value);
        if (invs_sqld_classify(lit, &v, &n) != INVS_DEF_BLOB)
            return 0;
        invs_sb_printf(sb, " DEFAULT %s", lit);
        return 1;
    }
    }
    return 0;
}

/* The rowid's key: in its column with AUTOINCREMENT (the only place
 * SQLite accepts it), else with the table's other keys. */
typedef struct create_rowid {
    const invs_column *col;
    const invs_key *pk;
    int autoinc;
} create_rowid;

static void create_column_def(sqlite_conn *c, invs_strbuf *sb, const invs_table *t, size_t i,
                              const create_rowid *r, int native)
{
    const invs_column *col = &t->cols[i];
    const invs_colx *x = create_colx(t, i);
    invs_sb_ident(sb, col->name, '"');
    if (col == r->col && !native) {
        invs_sb_puts(sb, " INTEGER"); /* only INTEGER makes the rowid's alias */
    } else if (col->decl && (*col->decl || !native)) {
        invs_sb_puts(sb, " ");
        sqlite_decl_for(sb, col, native);
    }
    if (col == r->col && r->autoinc) {
        if (r->pk->name) {
            invs_sb_puts(sb, " CONSTRAINT ");
            invs_sb_ident(sb, r->pk->name, '"');
        }
        invs_sb_puts(sb, " PRIMARY KEY AUTOINCREMENT");
    }
    if (col->flags & INVS_COL_NOT_NULL)
        invs_sb_puts(sb, " NOT NULL");
    /* SQLite reports "DEFAULT (6 * 7)" as "6 * 7": the parentheses are
     * needed again, and harmless around a literal */
    if (col->default_expr && native)
        invs_sb_printf(sb, " DEFAULT (%s)", col->default_expr);
    else if (x && x->default_kind != INVS_DEF_NONE && x->default_kind != INVS_DEF_SEQUENCE &&
             !create_default_value(sb, x))
        sqlite_host->log(c->s, INVS_LOG_WARN,
                         "table %s, column %s: its default (%s) is %s's SQL, which SQLite "
                         "does not speak: not carried",
                         t->name, col->name, col->default_expr ? col->default_expr : "?",
                         t->engine);
    if (col->collation && native) { /* another engine's collation names nothing here */
        invs_sb_puts(sb, " COLLATE ");
        invs_sb_ident(sb, col->collation, '"');
    }
}

static void create_key_def(invs_strbuf *sb, const invs_key *k)
{
    if (k->name) {
        invs_sb_puts(sb, "CONSTRAINT ");
        invs_sb_ident(sb, k->name, '"');
        invs_sb_puts(sb, " ");
    }
    switch (k->kind) {
    case INVS_KEY_PRIMARY: invs_sb_puts(sb, "PRIMARY KEY "); break;
    case INVS_KEY_UNIQUE: invs_sb_puts(sb, "UNIQUE "); break;
    case INVS_KEY_FOREIGN: invs_sb_puts(sb, "FOREIGN KEY "); break;
    }
    invs_sb_ident_list(sb, k->cols, k->ncols, '"');
    if (k->kind != INVS_KEY_FOREIGN)
        return;
    invs_sb_puts(sb, " REFERENCES ");
    invs_sb_ident(sb, k->ref_table, '"');
    invs_sb_puts(sb, " ");
    invs_sb_ident_list(sb, k->ref_cols, k->ncols, '"');
    /* the actions are keywords from a closed list: checked, not quoted */
    if (k->on_delete && strcmp(k->on_delete, "NO ACTION") != 0)
        invs_sb_printf(sb, " ON DELETE %s", k->on_delete);
    if (k->on_update && strcmp(k->on_update, "NO ACTION") != 0)
        invs_sb_printf(sb, " ON UPDATE %s", k->on_update);
    if (k->flags & INVS_KEYF_DEFERRABLE)
        invs_sb_puts(sb, (k->flags & INVS_KEYF_DEFERRED) ? " DEFERRABLE INITIALLY DEFERRED"
                                                           : " DEFERRABLE INITIALLY IMMEDIATE");
}

/* Whether SQLite compiles expr over the table's columns (the table does
 * not exist yet: a subquery names them). */
static int create_compiles(sqlite_conn *c, const invs_table *t, const char *expr)
{
    invs_strbuf sb;
    sqlite3_stmt *s = NULL;
    size_t i;
    int ok;
    if (!invs_sql_expr_ok(expr, sqlite_fns))
        return 0;
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "SELECT (");
    invs_sb_puts(&sb, expr);
    invs_sb_puts(&sb, ") FROM (SELECT ");
    for (i = 0; i < t->ncols; i++) {
        invs_sb_puts(&sb, i ? ", NULL AS " : "NULL AS ");
        invs_sb_ident(&sb, t->cols[i].name, '"');
    }
    invs_sb_puts(&sb, ")");
    ok = !invs_sb_failed(&sb) && sqlite3_prepare_v2(c->db, sb.p, -1, &s, NULL) == SQLITE_OK;
    sqlite3_finalize(s);
    invs_sb_free(&sb);
    return ok;
}

/* The table's CHECKs: its own where native (refused when unsafe), else
 * those SQLite compiles; and another engine's enum labels. */
static int create_checks(sqlite_conn *c, invs_strbuf *sb, const invs_table *t, int native)
{
    size_t i;
    for (i = 0; INVS_HAS(t, invs_table, inherits) && t->checks && i < t->nchecks; i++) {
        const invs_check *k = INVS_AT(invs_check, t->checks, i);
        if (native && !invs_sql_expr_ok(k->expr, sqlite_fns))
            return sqlite_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                      "table %s: the stage's CHECK %s is not an expression "
                                      "SQLite evaluates without side effects; refused",
                                      t->name, k->name ? k->name : k->expr);
        if (!native && !create_compiles(c, t, k->expr)) {
            sqlite_host->log(c->s, INVS_LOG_WARN,
                             "table %s: CHECK %s (%s) is %s's SQL, which SQLite does not "
                             "speak: not carried",
                             t->name, k->name ? k->name : "", k->expr, t->engine);
            continue;
        }
        invs_sb_puts(sb, ", ");
        if (k->name) {
            invs_sb_puts(sb, "CONSTRAINT ");
            invs_sb_ident(sb, k->name, '"');
            invs_sb_puts(sb, " ");
        }
        invs_sb_printf(sb, "CHECK (%s)", k->expr);
    }
    for (i = 0; !native && i < t->ncols; i++) {
        const invs_colx *x = create_colx(t, i);
        if (!x || !x->nlabels)
            continue;
        invs_sb_puts(sb, ", ");
        invs_sb_labels_check(sb, t->cols[i].name, x->labels, x->nlabels, '"');
    }
    return INVS_OK;
}

/* The stage is untrusted input: its text goes into the statement only in
 * the shapes invstage/sqltext.h lets through (names are quoted anyway). */
static int create_check_text(sqlite_conn *c, const invs_table *t, int native)
{
    size_t i;
    for (i = 0; i < t->ncols; i++) {
        const invs_column *col = &t->cols[i];
        if (native && !invs_sql_type_ok(col->decl))
            return sqlite_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                      "table %s, column %s: the stage's declared type is not a "
                                      "type name; refused",
                                      t->name, col->name);
        if (native && !invs_sql_expr_ok(col->default_expr, sqlite_fns))
            return sqlite_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                      "table %s, column %s: the stage's default is not an "
                                      "expression SQLite evaluates without side effects; "
                                      "refused",
                                      t->name, col->name);
    }
    for (i = 0; i < t->nkeys; i++)
        if (t->keys[i].kind == INVS_KEY_FOREIGN && (!invs_sql_action_ok(t->keys[i].on_delete) ||
                                                    !invs_sql_action_ok(t->keys[i].on_update)))
            return sqlite_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                                      "table %s: foreign key to %s has an action SQLite does "
                                      "not know",
                                      t->name, t->keys[i].ref_table);
    return INVS_OK;
}

int sqlite_table_create(invs_drv_conn *conn, const invs_table *t, uint32_t hints)
{
    sqlite_conn *c = conn;
    int native = (hints & INVS_HINT_NATIVE) != 0;
    create_rowid r;
    invs_strbuf sb;
    size_t i;
    const char *sep = "";
    int rc;

    if ((rc = create_check_text(c, t, native)) != INVS_OK)
        return rc;
    r.col = create_rowid_key(t, &r.pk, &r.autoinc);
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "CREATE TABLE ");
    invs_sb_ident(&sb, t->name, '"');
    invs_sb_puts(&sb, " (");
    for (i = 0; i < t->ncols; i++) {
        invs_sb_puts(&sb, i ? ", " : "");
        create_column_def(c, &sb, t, i, &r, native);
    }
    for (i = 0; i < t->nkeys; i++) {
        const invs_key *k = &t->keys[i];
        if (k->kind == INVS_KEY_INDEX || (k == r.pk && r.col && r.autoinc))
            continue;
        invs_sb_puts(&sb, ", ");
        create_key_def(&sb, k);
    }
    if ((rc = create_checks(c, &sb, t, native)) != INVS_OK) {
        invs_sb_free(&sb);
        return rc;
    }
    invs_sb_puts(&sb, ")");
    if (t->flags & INVS_TBL_WITHOUT_ROWID) {
        invs_sb_puts(&sb, " WITHOUT ROWID");
        sep = ",";
    }
    if (t->flags & INVS_TBL_STRICT)
        invs_sb_printf(&sb, "%s STRICT", sep);
    return sqlite_exec_sb(c, &sb);
}

static int create_index(sqlite_conn *c, const invs_table *t, const invs_key *k, size_t i)
{
    invs_strbuf sb;
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, (k->flags & INVS_KEYF_UNIQUE) ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (k->name) {
        invs_sb_ident(&sb, k->name, '"');
    } else {
        invs_strbuf nm;
        sqlite_sb_init(&nm);
        invs_sb_printf(&nm, "%s_idx%zu", t->name, i);
        if (!invs_sb_failed(&nm))
            invs_sb_ident(&sb, nm.p, '"');
        invs_sb_free(&nm);
    }
    invs_sb_puts(&sb, " ON ");
    invs_sb_ident(&sb, t->name, '"');
    invs_sb_puts(&sb, " ");
    invs_sb_ident_list(&sb, k->cols, k->ncols, '"');
    return sqlite_exec_sb(c, &sb);
}

/* An index on expressions, partial or descending: SQLite's own, checked,
 * or another engine's where SQLite compiles it (else a warning). */
static int create_xindex(sqlite_conn *c, const invs_table *t, const invs_xindex *x, int native)
{
    invs_strbuf sb;
    size_t i;
    int ok = invs_sql_expr_ok(x->where, sqlite_fns);
    for (i = 0; i < x->nparts && ok; i++)
        ok = !(x->exprs && x->exprs[i]) || invs_sql_expr_ok(x->parts[i], sqlite_fns);
    if (ok && x->where && !native)
        ok = create_compiles(c, t, x->where);
    for (i = 0; i < x->nparts && ok && !native; i++)
        ok = !(x->exprs && x->exprs[i]) || create_compiles(c, t, x->parts[i]);
    if (!ok && native)
        return sqlite_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                  "table %s: the stage's index %s is not made of expressions "
                                  "SQLite evaluates without side effects; refused",
                                  t->name, x->name ? x->name : "");
    if (!ok) {
        sqlite_host->log(c->s, INVS_LOG_WARN,
                         "table %s: index %s is %s's SQL, which SQLite does not speak: not "
                         "carried",
                         t->name, x->name ? x->name : "", t->engine);
        return INVS_OK;
    }
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, (x->flags & INVS_KEYF_UNIQUE) ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    invs_sb_ident(&sb, x->name ? x->name : "", '"');
    invs_sb_puts(&sb, " ON ");
    invs_sb_ident(&sb, t->name, '"');
    invs_sb_index_parts(&sb, x, '"', 0);
    return sqlite_exec_sb(c, &sb);
}

int sqlite_indexes_create(invs_drv_conn *conn, const invs_table *t)
{
    sqlite_conn *c = conn;
    size_t i;
    int rc = INVS_OK;
    /* "native" as the host says it at table_create: read by this driver */
    int native = t->engine && !strcmp(t->engine, "sqlite");
    for (i = 0; i < t->nkeys && rc == INVS_OK; i++)
        if (t->keys[i].kind == INVS_KEY_INDEX)
            rc = create_index(c, t, &t->keys[i], i);
    for (i = 0; INVS_HAS(t, invs_table, inherits) && t->xindexes && i < t->nxindexes &&
                rc == INVS_OK;
         i++)
        rc = create_xindex(c, t, INVS_AT(invs_xindex, t->xindexes, i), native);
    return rc;
}

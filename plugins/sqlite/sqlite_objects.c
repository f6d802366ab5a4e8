/*
 * Views and triggers (ABI 1.2 schema objects). A pull hands the host each
 * view with its query and each trigger by name (the host warns that
 * triggers are not copied); a push into SQLite makes again the views that
 * SQLite wrote (INVS_HINT_NATIVE), after the data. Another engine's view is
 * SQL SQLite does not speak: refused as unsupported, so the host names it.
 * A view's definition is its query or, where it names its columns, that
 * list and the query: "(x, y) AS SELECT ...", as SQLite wrote them. A
 * stage is untrusted input: the definition goes into one CREATE VIEW that
 * SQLite must read as a single statement, or the push is refused.
 */
#include <ctype.h>
#include <string.h>

#include "sqlite_driver.h"

static const char *ob_ws(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* p after the keyword w (and a non-word character), or NULL. */
static const char *ob_word(const char *p, const char *w)
{
    size_t n = strlen(w);
    p = ob_ws(p);
    if (sqlite3_strnicmp(p, w, (int)n) != 0 || isalnum((unsigned char)p[n]) || p[n] == '_')
        return NULL;
    return p + n;
}

/* p after one name: "quoted", `quoted`, [quoted], 'quoted' or a word. */
static const char *ob_name(const char *p)
{
    char close;
    p = ob_ws(p);
    close = *p == '"' ? '"' : *p == '`' ? '`' : *p == '[' ? ']' : *p == '\'' ? '\'' : 0;
    if (!close) {
        const char *s = p;
        while (isalnum((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80)
            p++;
        return p > s ? p : NULL;
    }
    for (p++; *p; p++) {
        if (*p != close)
            continue;
        if (close != ']' && p[1] == close) { /* a doubled quote */
            p++;
            continue;
        }
        return p + 1;
    }
    return NULL;
}

/* What follows the name in "CREATE [TEMP] VIEW [IF NOT EXISTS]
 * [schema.]name [(cols)] AS query": "(cols) AS query", or the query alone
 * where there is no column list; NULL when it is not that shape. */
static const char *ob_view_query(const char *sql)
{
    const char *p = ob_word(sql, "CREATE"), *q;
    int depth = 0;
    if (!p)
        return NULL;
    if ((q = ob_word(p, "TEMP")) || (q = ob_word(p, "TEMPORARY")))
        p = q;
    if (!(p = ob_word(p, "VIEW")))
        return NULL;
    if ((q = ob_word(p, "IF")) && (q = ob_word(q, "NOT")) && (q = ob_word(q, "EXISTS")))
        p = q;
    if (!(p = ob_name(p)))
        return NULL;
    if (*ob_ws(p) == '.' && !(p = ob_name(ob_ws(p) + 1)))
        return NULL;
    p = q = ob_ws(p);
    if (*p == '(') { /* column names: balanced, quotes skipped */
        for (; *p; p++) {
            if (*p == '"' || *p == '`' || *p == '[' || *p == '\'') {
                if (!(p = ob_name(p)))
                    return NULL;
                p--;
            } else if (*p == '(') {
                depth++;
            } else if (*p == ')' && --depth == 0) {
                p++;
                break;
            }
        }
    }
    if (!(p = ob_word(p, "AS")))
        return NULL;
    return *q == '(' ? q : ob_ws(p);
}

int sqlite_objects_read(invs_drv_conn *conn, invs_emit_object_fn emit, void *payload)
{
    sqlite_conn *c = conn;
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK, step;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT type, name, tbl_name, sql FROM sqlite_schema"
                           " WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
                           -1, &s, NULL) != SQLITE_OK)
        return sqlite_err(c, INVS_EIO, "reading the views and triggers");
    while (rc == INVS_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        invs_object o;
        const char *type = (const char *)sqlite3_column_text(s, 0);
        const char *sql = (const char *)sqlite3_column_text(s, 3);
        memset(&o, 0, sizeof(o));
        o.struct_size = sizeof(o);
        o.name = (const char *)sqlite3_column_text(s, 1);
        o.engine = "sqlite";
        if (!strcmp(type, "view")) {
            o.kind = INVS_OBJ_VIEW;
            o.definition = ob_view_query(sql);
        } else {
            o.kind = INVS_OBJ_TRIGGER;
            o.table = (const char *)sqlite3_column_text(s, 2);
            o.definition = sql;
        }
        if (o.name)
            rc = emit(&o, payload);
    }
    if (rc == INVS_OK && step != SQLITE_DONE)
        rc = sqlite_err(c, INVS_EIO, "reading the views and triggers");
    sqlite3_finalize(s);
    return rc;
}

int sqlite_object_create(invs_drv_conn *conn, const invs_object *o, uint32_t hints)
{
    sqlite_conn *c = conn;
    sqlite3_stmt *s = NULL;
    const char *tail = NULL;
    invs_strbuf sb;
    int rc;
    if (o->kind != INVS_OBJ_VIEW || !(hints & INVS_HINT_NATIVE) || !o->definition)
        return sqlite_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0,
                                  o->kind == INVS_OBJ_VIEW ? "its query is not SQLite's SQL"
                                                           : "SQLite has no such object");
    sqlite_sb_init(&sb);
    invs_sb_puts(&sb, "CREATE VIEW ");
    invs_sb_ident(&sb, o->name, '"');
    invs_sb_puts(&sb, *o->definition == '(' ? " " : " AS ");
    invs_sb_puts(&sb, o->definition);
    if ((rc = sqlite_sb_ok(c, &sb)) != INVS_OK)
        return rc;
    if (sqlite3_prepare_v2(c->db, sb.p, -1, &s, &tail) != SQLITE_OK) {
        rc = sqlite_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0, "%s", sqlite3_errmsg(c->db));
    } else if (*(tail = ob_ws(tail)) && (*tail != ';' || *ob_ws(tail + 1))) {
        rc = sqlite_host->error(c->s, INVS_EREFUSED, NULL, 0,
                                "view %s: the stage's query is more than one statement; refused",
                                o->name);
    } else if (sqlite3_step(s) != SQLITE_DONE) {
        rc = sqlite_err(c, INVS_ESQL, "creating a view");
    }
    sqlite3_finalize(s);
    invs_sb_free(&sb);
    return rc;
}

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
#include <string.h>

#include "sqlite_driver.h"

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
            o.definition = sqlite_ddl_view(sql); /* sqlite_ddl.c */
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
    if ((rc = sqlite_sb_ok(c, &sb)) != INVS_OK || (rc = sqlite_txn_lost(c)) != INVS_OK) {
        invs_sb_free(&sb);
        return rc;
    }
    if (sqlite3_prepare_v2(c->db, sb.p, -1, &s, &tail) != SQLITE_OK) {
        rc = sqlite3_errcode(c->db) == SQLITE_NOMEM /* not the view's fault */
                 ? sqlite_err(c, INVS_ESQL, "creating a view")
                 : sqlite_host->error(c->s, INVS_EUNSUPPORTED, NULL, 0, "%s",
                                      sqlite3_errmsg(c->db));
    } else if (!sqlite_ddl_end(tail)) {
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

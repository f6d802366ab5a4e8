/*
 * A stage readable by name. Its rows live in invs_data_<tid>, columns
 * c0..cN, so that any source name fits; someone who opens the stage with
 * sqlite3 to look at a row, or fix one, would have to join through
 * invs_columns. Each table therefore gets a read-only view named after it,
 * its columns named after the source's: SELECT * FROM "Customer" works.
 * Views read the data tables, so they stay in step with whatever verify
 * changes. A name the stage uses itself (invs_*, sqlite_*) or a name
 * already taken (SQLite compares names without case: "Foo" and "foo")
 * gets no view, and the table is read through invs_data_<tid> as before.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stage.h"

static int views_free_name(sqlite3 *db, const char *name)
{
    sqlite3_stmt *s = NULL;
    int taken = 1;
    if (!strncasecmp(name, "invs_", 5) || !strncasecmp(name, "sqlite_", 7))
        return 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE", -1,
                           &s, NULL) == SQLITE_OK &&
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC) == SQLITE_OK)
        taken = sqlite3_step(s) != SQLITE_DONE;
    sqlite3_finalize(s);
    return !taken;
}

/* CREATE VIEW "name" ("col0", ...) AS SELECT c0, ... FROM invs_data_<tid> */
static int views_sql(sqlite3 *db, invs_strbuf *sb, int64_t tid, const char *name)
{
    sqlite3_stmt *s = NULL;
    int n = 0, i, step;
    invs_sb_puts(sb, "CREATE VIEW ");
    invs_sb_ident(sb, name, '"');
    invs_sb_puts(sb, " (");
    if (sqlite3_prepare_v2(db, "SELECT name FROM invs_columns WHERE tid = ?1 ORDER BY ord", -1,
                           &s, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(s, 1, tid) != SQLITE_OK) {
        sqlite3_finalize(s);
        return INVS_EIO;
    }
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        invs_sb_puts(sb, n++ ? ", " : "");
        invs_sb_ident(sb, (const char *)sqlite3_column_text(s, 0), '"');
    }
    sqlite3_finalize(s);
    if (step != SQLITE_DONE)
        return INVS_EIO;
    invs_sb_puts(sb, ") AS SELECT ");
    for (i = 0; i < n; i++)
        invs_sb_printf(sb, "%sc%d", i ? ", " : "", i);
    invs_sb_printf(sb, "%s FROM invs_data_%lld", n ? "" : "NULL", (long long)tid);
    return n ? INVS_OK : INVS_ENOTFOUND; /* a table without columns: no view */
}

int invs_stage_views(invs_stage *st)
{
    sqlite3_stmt *s = NULL;
    invs_strbuf sb;
    int rc = INVS_OK, step;
    if (sqlite3_prepare_v2(st->db, "SELECT tid, name FROM invs_tables ORDER BY tid", -1, &s,
                           NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "listing the tables for their views");
    invs_sb_init_std(&sb);
    while (rc == INVS_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        int r;
        if (!name || !views_free_name(st->db, name))
            continue;
        invs_sb_reset(&sb);
        r = views_sql(st->db, &sb, sqlite3_column_int64(s, 0), name);
        if (r == INVS_ENOTFOUND)
            continue;
        if (r != INVS_OK || invs_sb_failed(&sb))
            rc = invs_sb_failed(&sb) ? invs_diag_oom(&st->diag)
                                     : invs_stage_sqlerr(st, INVS_EIO, "reading the columns");
        else if (sqlite3_exec(st->db, sb.p, NULL, NULL, NULL) != SQLITE_OK)
            rc = invs_stage_sqlerr(st, INVS_EIO, "creating a table's view");
    }
    if (rc == INVS_OK && step != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_EIO, "listing the tables for their views");
    sqlite3_finalize(s);
    invs_sb_free(&sb);
    return rc;
}

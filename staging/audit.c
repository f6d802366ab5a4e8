/* Findings and the change audit in the stage (see audit.h, FORMAT.md). */
#include <stdlib.h>
#include <string.h>

#include "audit.h"

static const char audit_ddl[] =
    "CREATE TABLE IF NOT EXISTS invs_findings(fid INTEGER PRIMARY KEY, check_name TEXT NOT NULL,"
    " severity TEXT NOT NULL, table_name TEXT NOT NULL, column_name TEXT,"
    " count INTEGER NOT NULL, keys TEXT, detail TEXT);"
    "CREATE TABLE IF NOT EXISTS invs_changes(tid INTEGER NOT NULL, rid INTEGER NOT NULL,"
    " col INTEGER NOT NULL, reason TEXT NOT NULL, old_value, new_value,"
    " pending INTEGER NOT NULL, PRIMARY KEY(tid, rid, col)) WITHOUT ROWID;";

static int audit_exec(invs_stage *st, const char *sql)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "the audit tables");
    return INVS_OK;
}

int invs_audit_prepare(invs_stage *st) { return audit_exec(st, audit_ddl); }

int invs_audit_clear_findings(invs_stage *st)
{
    return audit_exec(st, "DELETE FROM invs_findings");
}

int invs_audit_finding(invs_stage *st, const invs_finding *f)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO invs_findings(check_name, severity, table_name,"
                           " column_name, count, keys, detail) VALUES(?,?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "recording a finding");
    invs_bind_text_or_null(s, 1, f->check);
    invs_bind_text_or_null(s, 2, f->severity);
    invs_bind_text_or_null(s, 3, f->table);
    invs_bind_text_or_null(s, 4, f->column);
    sqlite3_bind_int64(s, 5, f->count);
    invs_bind_text_or_null(s, 6, f->keys);
    invs_bind_text_or_null(s, 7, f->detail);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_EIO, "recording a finding");
    sqlite3_finalize(s);
    return rc;
}

/* What verify changes: text and blobs, numbers (a REAL rounded into a
 * decimal column), NULL (a zero date made NULL). */
static void audit_bind_value(sqlite3_stmt *s, int i, const invs_value *v)
{
    if (v->type == INVS_INT)
        sqlite3_bind_int64(s, i, v->num.i);
    else if (v->type == INVS_REAL)
        sqlite3_bind_double(s, i, v->num.d);
    else if (v->type == INVS_TEXT)
        sqlite3_bind_text64(s, i, v->len ? v->ptr : "", v->len, SQLITE_TRANSIENT, SQLITE_UTF8);
    else if (v->type == INVS_BLOB && v->len)
        sqlite3_bind_blob64(s, i, v->ptr, v->len, SQLITE_TRANSIENT);
    else if (v->type == INVS_BLOB)
        sqlite3_bind_zeroblob(s, i, 0);
    else
        sqlite3_bind_null(s, i);
}

int invs_audit_change(invs_stage *st, int64_t tid, int64_t rid, size_t col,
                      const invs_value *old_value, const invs_value *new_value,
                      const char *reason)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK;
    /* a second verify of a cell keeps the first old value: undo goes back to
     * the bytes as pulled */
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO invs_changes VALUES(?1, ?2, ?3, ?4, ?5, ?6, 1)"
                           " ON CONFLICT(tid, rid, col) DO UPDATE SET new_value = ?6,"
                           " reason = reason || '; ' || ?4, pending = 1",
                           -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "recording a change");
    sqlite3_bind_int64(s, 1, tid);
    sqlite3_bind_int64(s, 2, rid);
    sqlite3_bind_int64(s, 3, (int64_t)col);
    sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
    audit_bind_value(s, 5, old_value);
    audit_bind_value(s, 6, new_value);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_EIO, "recording a change");
    sqlite3_finalize(s);
    return rc;
}

/* UPDATE the cells of table t from invs_changes.<from>, per column. */
static int audit_write_back(invs_stage *st, int64_t tid, size_t ncols, const char *from,
                            const char *only_pending)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < ncols && rc == INVS_OK; i++) {
        invs_strbuf sb;
        invs_sb_init_std(&sb);
        invs_sb_printf(&sb,
                       "UPDATE invs_data_%lld AS d SET c%zu = ch.%s FROM invs_changes AS ch"
                       " WHERE ch.tid = %lld AND ch.col = %zu AND ch.rid = d.rowid%s",
                       (long long)tid, i, from, (long long)tid, i, only_pending);
        if (invs_sb_failed(&sb))
            rc = invs_diag_oom(&st->diag);
        else if (sqlite3_exec(st->db, sb.p, NULL, NULL, NULL) != SQLITE_OK)
            rc = invs_stage_sqlerr(st, INVS_EIO, "writing changes");
        invs_sb_free(&sb);
    }
    return rc;
}

int invs_audit_apply(invs_stage *st, const invs_stage_table *t)
{
    int rc = audit_write_back(st, t->tid, t->schema->t.ncols, "new_value", " AND ch.pending");
    if (rc == INVS_OK)
        rc = audit_exec(st, "UPDATE invs_changes SET pending = 0 WHERE pending");
    return rc;
}

int invs_audit_undo(invs_stage *st, int64_t *restored)
{
    size_t i;
    int rc = INVS_OK;
    *restored = invs_audit_changes(st);
    for (i = 0; i < st->ntables && rc == INVS_OK; i++)
        rc = audit_write_back(st, st->tables[i].tid, st->tables[i].schema->t.ncols, "old_value", "");
    if (rc == INVS_OK)
        rc = audit_exec(st, "DELETE FROM invs_changes; DELETE FROM invs_findings;"
                            "UPDATE invs_tables SET digest = source_digest");
    return rc;
}

static int audit_exists(invs_stage *st)
{
    return sqlite3_table_column_metadata(st->db, "main", "invs_changes", "rid", NULL, NULL, NULL,
                                         NULL, NULL) == SQLITE_OK;
}

int invs_audit_counts(invs_stage *st, int64_t *errors, int64_t *warnings)
{
    sqlite3_stmt *s = NULL;
    *errors = *warnings = 0;
    if (!audit_exists(st))
        return INVS_OK;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT count(*) FILTER (WHERE severity = 'error'),"
                           " count(*) FILTER (WHERE severity = 'warning') FROM invs_findings",
                           -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_ECORRUPT, "reading findings");
    if (sqlite3_step(s) == SQLITE_ROW) {
        *errors = sqlite3_column_int64(s, 0);
        *warnings = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return INVS_OK;
}

int invs_audit_each_change(invs_stage *st, invs_change_fn fn, void *payload)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK, step;
    if (!audit_exists(st))
        return INVS_OK;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT t.name, c.name, ch.rid, ch.reason, ch.old_value, ch.new_value"
                           " FROM invs_changes ch JOIN invs_tables t ON t.tid = ch.tid"
                           " JOIN invs_columns c ON c.tid = ch.tid AND c.ord = ch.col"
                           " ORDER BY ch.tid, ch.rid, ch.col",
                           -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_ECORRUPT, "reading changes");
    while (rc == INVS_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        invs_change c;
        c.table = (const char *)sqlite3_column_text(s, 0);
        c.column = (const char *)sqlite3_column_text(s, 1);
        c.row = sqlite3_column_int64(s, 2);
        c.reason = (const char *)sqlite3_column_text(s, 3);
        c.old_value = sqlite3_column_blob(s, 4);
        c.old_len = (size_t)sqlite3_column_bytes(s, 4);
        c.new_value = sqlite3_column_blob(s, 5);
        c.new_len = (size_t)sqlite3_column_bytes(s, 5);
        rc = fn(&c, payload);
    }
    sqlite3_finalize(s);
    return rc;
}

int64_t invs_audit_changes(invs_stage *st)
{
    sqlite3_stmt *s = NULL;
    int64_t n = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM invs_changes", -1, &s, NULL) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

int invs_audit_errors(invs_stage *st, int64_t *count, invs_strbuf *first)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK;
    *count = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT (SELECT count(*) FROM invs_findings WHERE severity = 'error'),"
                           " check_name || ' in ' || table_name || coalesce('.' || column_name, '')"
                           " || coalesce(' at ' || keys, '') FROM invs_findings"
                           " WHERE severity = 'error' ORDER BY fid LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_ECORRUPT, "reading findings");
    if (sqlite3_step(s) == SQLITE_ROW) {
        *count = sqlite3_column_int64(s, 0);
        invs_sb_puts(first, (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_finalize(s);
    return rc;
}

int invs_audit_findings(invs_stage *st, invs_finding_fn fn, void *payload)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK, step;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT check_name, severity, table_name, column_name, count, keys,"
                           " detail FROM invs_findings ORDER BY severity <> 'error', fid",
                           -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_ECORRUPT, "reading findings");
    while ((step = sqlite3_step(s)) == SQLITE_ROW && rc == INVS_OK) {
        invs_finding f;
        f.check = (const char *)sqlite3_column_text(s, 0);
        f.severity = (const char *)sqlite3_column_text(s, 1);
        f.table = (const char *)sqlite3_column_text(s, 2);
        f.column = (const char *)sqlite3_column_text(s, 3);
        f.count = sqlite3_column_int64(s, 4);
        f.keys = (const char *)sqlite3_column_text(s, 5);
        f.detail = (const char *)sqlite3_column_text(s, 6);
        rc = fn(&f, payload);
    }
    if (rc == INVS_OK && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = invs_stage_sqlerr(st, INVS_ECORRUPT, "reading findings");
    sqlite3_finalize(s);
    return rc;
}

int invs_audit_seal(invs_stage *st, char out[INVS_DIGEST_HEX])
{
    static const char *const sql[] = {
        "SELECT tid, name, rows, digest FROM invs_tables ORDER BY tid",
        "SELECT check_name, severity, table_name, column_name, count, keys FROM invs_findings"
        " WHERE check_name <> 'target-differs' ORDER BY fid"};
    invs_strbuf sb;
    invs_digest dg;
    size_t q;
    int rc = INVS_OK;

    invs_sb_init_std(&sb);
    invs_digest_init(&dg);
    for (q = 0; q < sizeof(sql) / sizeof(sql[0]) && rc == INVS_OK; q++) {
        sqlite3_stmt *s = NULL;
        int i, n, step;
        if (sqlite3_prepare_v2(st->db, sql[q], -1, &s, NULL) != SQLITE_OK) {
            rc = invs_stage_sqlerr(st, INVS_ECORRUPT, "sealing what verify saw");
            break;
        }
        n = sqlite3_column_count(s);
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            invs_sb_reset(&sb);
            for (i = 0; i < n; i++) /* each field with its length: no two rows alike */
                invs_sb_printf(&sb, "%d:%s;", sqlite3_column_bytes(s, i),
                               sqlite3_column_text(s, i) ? (const char *)sqlite3_column_text(s, i)
                                                         : "");
            invs_digest_add(&dg, sb.p ? sb.p : "", sb.len, NULL, NULL);
        }
        if (step != SQLITE_DONE)
            rc = invs_stage_sqlerr(st, INVS_ECORRUPT, "sealing what verify saw");
        sqlite3_finalize(s);
    }
    if (rc == INVS_OK && invs_sb_failed(&sb))
        rc = invs_diag_oom(&st->diag);
    invs_sb_free(&sb);
    invs_digest_hex(&dg, out);
    return rc;
}

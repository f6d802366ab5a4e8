/*
 * The stage file: creation, opening and refusal, meta data, state.
 * See FORMAT.md for the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stage.h"

static const char stage_ddl[] =
    "CREATE TABLE invs_meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE invs_tables(tid INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " schema TEXT, engine TEXT NOT NULL, flags INTEGER NOT NULL,"
    " source_ddl TEXT, source_rows INTEGER, rows INTEGER, specials INTEGER,"
    " source_digest TEXT, digest TEXT);"
    "CREATE TABLE invs_columns(tid INTEGER NOT NULL, ord INTEGER NOT NULL,"
    " name TEXT NOT NULL, decl TEXT NOT NULL, canon TEXT NOT NULL,"
    " length INTEGER, precision INTEGER, scale INTEGER, flags INTEGER NOT NULL,"
    " default_expr TEXT, collation TEXT, charset TEXT,"
    " PRIMARY KEY(tid, ord)) WITHOUT ROWID;"
    "CREATE TABLE invs_keys(tid INTEGER NOT NULL, kid INTEGER NOT NULL,"
    " kind TEXT NOT NULL, name TEXT, flags INTEGER NOT NULL, ref_table TEXT,"
    " on_delete TEXT, on_update TEXT, PRIMARY KEY(tid, kid)) WITHOUT ROWID;"
    "CREATE TABLE invs_key_columns(tid INTEGER NOT NULL, kid INTEGER NOT NULL,"
    " ord INTEGER NOT NULL, col TEXT NOT NULL, ref_col TEXT,"
    " PRIMARY KEY(tid, kid, ord)) WITHOUT ROWID;"
    "CREATE TABLE invs_sequences(tid INTEGER NOT NULL, ord INTEGER NOT NULL,"
    " col TEXT, name TEXT, value INTEGER NOT NULL, is_called INTEGER NOT NULL,"
    " flags INTEGER NOT NULL DEFAULT 0," /* format 2 */
    " PRIMARY KEY(tid, ord)) WITHOUT ROWID;"
    "CREATE TABLE invs_specials(tid INTEGER NOT NULL, rid INTEGER NOT NULL,"
    " col INTEGER NOT NULL, type INTEGER NOT NULL, flags INTEGER NOT NULL, bits,"
    " PRIMARY KEY(tid, rid, col)) WITHOUT ROWID;"
    /* format 2: the schema beyond columns and keys (schema_ext_io.c) */
    "CREATE TABLE invs_column_x(tid INTEGER NOT NULL, ord INTEGER NOT NULL,"
    " default_kind INTEGER NOT NULL, default_value TEXT, type_name TEXT,"
    " ident_flags INTEGER NOT NULL, ident_start INTEGER, ident_increment INTEGER,"
    " ident_min INTEGER, ident_max INTEGER, PRIMARY KEY(tid, ord)) WITHOUT ROWID;"
    "CREATE TABLE invs_column_labels(tid INTEGER NOT NULL, ord INTEGER NOT NULL,"
    " n INTEGER NOT NULL, label TEXT NOT NULL, PRIMARY KEY(tid, ord, n)) WITHOUT ROWID;"
    "CREATE TABLE invs_checks(tid INTEGER NOT NULL, oid INTEGER NOT NULL,"
    " ord INTEGER NOT NULL, name TEXT, expr TEXT NOT NULL, flags INTEGER NOT NULL,"
    " PRIMARY KEY(tid, oid, ord)) WITHOUT ROWID;"
    "CREATE TABLE invs_xindexes(tid INTEGER NOT NULL, xid INTEGER NOT NULL, name TEXT,"
    " flags INTEGER NOT NULL, method TEXT, where_expr TEXT,"
    " PRIMARY KEY(tid, xid)) WITHOUT ROWID;"
    "CREATE TABLE invs_xindex_parts(tid INTEGER NOT NULL, xid INTEGER NOT NULL,"
    " ord INTEGER NOT NULL, part TEXT NOT NULL, is_expr INTEGER NOT NULL,"
    " descending INTEGER NOT NULL, PRIMARY KEY(tid, xid, ord)) WITHOUT ROWID;"
    "CREATE TABLE invs_table_x(tid INTEGER PRIMARY KEY, partition_by TEXT,"
    " partition_of TEXT, partition_bound TEXT);"
    "CREATE TABLE invs_inherits(tid INTEGER NOT NULL, n INTEGER NOT NULL,"
    " parent TEXT NOT NULL, PRIMARY KEY(tid, n)) WITHOUT ROWID;"
    "CREATE TABLE invs_objects(oid INTEGER PRIMARY KEY, kind TEXT NOT NULL, schema TEXT,"
    " name TEXT NOT NULL, engine TEXT NOT NULL, definition TEXT, table_name TEXT,"
    " base_decl TEXT, base_canon TEXT, base_length INTEGER, base_precision INTEGER,"
    " base_scale INTEGER, base_flags INTEGER, base_default_expr TEXT, base_collation TEXT,"
    " base_default_kind INTEGER, base_default_value TEXT);"
    "CREATE TABLE invs_object_labels(oid INTEGER NOT NULL, n INTEGER NOT NULL,"
    " label TEXT NOT NULL, PRIMARY KEY(oid, n)) WITHOUT ROWID;";

int invs_stage_sqlerr(invs_stage *st, int code, const char *what)
{
    int ext = st->db ? sqlite3_extended_errcode(st->db) : 0;
    if (ext == SQLITE_NOTADB)
        return invs_diag(&st->diag, INVS_ECORRUPT,
                         "%s is not a stage file: it is not an SQLite database", st->path);
    if (ext == SQLITE_CORRUPT || (ext & 0xff) == SQLITE_CORRUPT)
        code = INVS_ECORRUPT;
    if ((ext & 0xff) == SQLITE_FULL || (ext & 0xff) == SQLITE_IOERR)
        code = INVS_EIO;
    return invs_diag(&st->diag, code, "stage %s: %s: %s", st->path, what,
                     st->db ? sqlite3_errmsg(st->db) : "cannot open");
}

static int stage_exec(invs_stage *st, const char *sql)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, sql);
    return INVS_OK;
}

static int stage_int_pragma(invs_stage *st, const char *pragma, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    int rc;
    if (sqlite3_prepare_v2(st->db, pragma, -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        rc = invs_stage_sqlerr(st, INVS_ECORRUPT, pragma);
        sqlite3_finalize(s);
        return rc;
    }
    *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return INVS_OK;
}

static int stage_alloc(invs_stage **out, invs_ctx *ctx, invs_diag_rec *err, const char *path)
{
    invs_stage *st = calloc(1, sizeof(*st));
    if (!st || !(st->path = invs_strdup(path))) {
        free(st);
        return invs_diag_oom(err);
    }
    st->ctx = ctx;
    invs_object_list_init(&st->objects);
    *out = st;
    return INVS_OK;
}

/* A stage that could not be created or opened: its reason into err. */
static int stage_fail(invs_stage *st, invs_diag_rec *err, int rc)
{
    invs_diag_take(err, &st->diag, rc);
    invs_stage_close(st);
    return rc;
}

int invs_stage_meta_set(invs_stage *st, const char *key, const char *value)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO invs_meta VALUES(?, ?)", -1, &s,
                           NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "writing meta data");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_EIO, "writing meta data");
    sqlite3_finalize(s);
    return rc;
}

int invs_stage_meta_each(invs_stage *st, invs_emit_meta_fn fn, void *payload)
{
    sqlite3_stmt *s = NULL;
    int rc = INVS_OK, step;
    if (sqlite3_prepare_v2(st->db, "SELECT key, value FROM invs_meta ORDER BY key", -1, &s,
                           NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_ECORRUPT, "reading meta data");
    while (rc == INVS_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = fn((const char *)sqlite3_column_text(s, 0),
                sqlite3_column_type(s, 1) == SQLITE_NULL ? ""
                                                        : (const char *)sqlite3_column_text(s, 1),
                payload);
    if (rc == INVS_OK && step != SQLITE_DONE)
        rc = invs_stage_sqlerr(st, INVS_ECORRUPT, "reading meta data");
    sqlite3_finalize(s);
    return rc;
}

char *invs_stage_meta_get(invs_stage *st, const char *key)
{
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM invs_meta WHERE key = ?", -1, &s,
                           NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = invs_strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

/* May a new stage go to path? Not over a file, unless --force; never over
 * the file this process reads from (pull --force sqlite:X -o X would
 * replace the source). */
static int stage_may_write(invs_diag_rec *err, const char *path, int overwrite)
{
    if (access(path, F_OK) != 0)
        return INVS_OK;
    if (!overwrite)
        return invs_diag(err, INVS_EINVAL,
                         "stage %s already exists; remove it or use --force to replace it",
                         path);
    if (invs_file_open_here(path))
        return invs_diag(err, INVS_EINVAL,
                         "%s is what this pull reads from: a stage never replaces its source",
                         path);
    return INVS_OK;
}

int invs_stage_create(invs_stage **out, invs_ctx *ctx, invs_diag_rec *err, const char *path,
                      int overwrite)
{
    invs_stage *st = NULL;
    char now[32];
    time_t t = time(NULL);
    int rc;

    *out = NULL;
    if ((rc = stage_may_write(err, path, overwrite)) != INVS_OK ||
        (rc = stage_alloc(&st, ctx, err, path)) != INVS_OK)
        return rc;
    st->overwrite = overwrite;
    /* removes what killed pulls to the same path left */
    if (!(st->tmp_path = invs_file_temp_name(path)))
        return stage_fail(st, err, invs_diag_oom(&st->diag));
    unlink(st->tmp_path);
    if (sqlite3_open_v2(st->tmp_path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = invs_diag(&st->diag, INVS_EIO, "cannot create stage %s: %s", st->tmp_path,
                       st->db ? sqlite3_errmsg(st->db) : "out of memory");
        return stage_fail(st, err, rc);
    }
    /* A half-written stage is never used (state pulling, temporary name),
     * so the journal buys nothing while the stage is written. */
    rc = stage_exec(st, "PRAGMA page_size = 65536; PRAGMA journal_mode = OFF;"
                        "PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;"
                        "PRAGMA cache_size = -16384;"
                        "PRAGMA application_id = 1229870675; PRAGMA user_version = 2;"
                        "BEGIN;");
    if (rc == INVS_OK)
        rc = stage_exec(st, stage_ddl);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    if (rc == INVS_OK)
        rc = invs_stage_meta_set(st, "format", "2");
    if (rc == INVS_OK)
        rc = invs_stage_meta_set(st, "state", INVS_STATE_PULLING);
    if (rc == INVS_OK)
        rc = invs_stage_meta_set(st, "created_at", now);
    if (rc == INVS_OK)
        rc = invs_stage_meta_set(st, "invstage_version", INVS_VERSION);
    if (rc != INVS_OK)
        return stage_fail(st, err, rc);
    snprintf(st->state, sizeof(st->state), "%s", INVS_STATE_PULLING);
    st->format = INVS_STAGE_FORMAT;
    *out = st;
    return INVS_OK;
}

static int stage_check(invs_stage *st, unsigned flags)
{
    int64_t appid, format;
    char *state;
    int rc;

    if ((rc = stage_int_pragma(st, "PRAGMA application_id", &appid)) != INVS_OK)
        return rc;
    if (appid != INVS_STAGE_APPLICATION_ID)
        return invs_diag(&st->diag, INVS_ECORRUPT,
                         "%s is an SQLite database but not an invstage stage "
                         "(application_id 0x%08llx, expected 0x%08x)",
                         st->path, (unsigned long long)appid, INVS_STAGE_APPLICATION_ID);
    if ((rc = stage_int_pragma(st, "PRAGMA user_version", &format)) != INVS_OK)
        return rc;
    if (format > INVS_STAGE_FORMAT)
        return invs_diag(&st->diag, INVS_EUNSUPPORTED,
                         "stage %s has format %lld, newer than this invstage (%s) reads "
                         "(format %d); use a newer invstage",
                         st->path, (long long)format, INVS_VERSION, INVS_STAGE_FORMAT);
    if (format < 1)
        return invs_diag(&st->diag, INVS_ECORRUPT, "stage %s has no format version", st->path);
    st->format = (int)format;
    if (!(state = invs_stage_meta_get(st, "state")))
        return invs_diag(&st->diag, INVS_ECORRUPT, "stage %s records no state", st->path);
    snprintf(st->state, sizeof(st->state), "%s", state);
    free(state);
    if (!(flags & INVS_STAGE_INCOMPLETE_OK) && strcmp(st->state, INVS_STATE_PULLING) == 0)
        return invs_diag(&st->diag, INVS_EREFUSED,
                         "stage %s is incomplete: its pull was interrupted (state "
                         "'pulling'); pull again",
                         st->path);
    return INVS_OK;
}

int invs_stage_open(invs_stage **out, invs_ctx *ctx, invs_diag_rec *err, const char *path,
                    unsigned flags)
{
    invs_stage *st = NULL;
    struct stat sbuf;
    int rc;

    *out = NULL;
    if (stat(path, &sbuf) != 0)
        return invs_diag(err, INVS_ENOTFOUND, "stage %s: %s", path, strerror(errno));
    if (!S_ISREG(sbuf.st_mode))
        return invs_diag(err, INVS_ECORRUPT, "stage %s is not a regular file", path);
    if ((rc = stage_alloc(&st, ctx, err, path)) != INVS_OK)
        return rc;
    if (sqlite3_open_v2(path, &st->db,
                        ((flags & INVS_STAGE_WRITE) ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = invs_stage_sqlerr(st, INVS_EIO, "cannot open");
        goto fail;
    }
    if ((rc = stage_check(st, flags)) != INVS_OK)
        goto fail;
    /* One transaction: the stage is read as one snapshot, or changed all at
     * once. Reads are sequential scans: a small page cache is enough. */
    if ((rc = stage_exec(st, (flags & INVS_STAGE_WRITE)
                                 ? "PRAGMA cache_size = -16384; BEGIN IMMEDIATE"
                                 : "PRAGMA cache_size = -4096; BEGIN")) != INVS_OK)
        goto fail;
    invs_stage_check_seal(st);
    *out = st;
    return INVS_OK;
fail:
    return stage_fail(st, err, rc);
}

int invs_stage_commit(invs_stage *st)
{
    int rc = stage_exec(st, "COMMIT");
    if (rc == INVS_OK)
        (void)invs_stage_seal_file(st); /* committed whatever it says */
    return rc;
}

static int stage_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY), rc = 0;
    if (fd < 0)
        return -1;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = -1;
    close(fd);
    return rc;
}

int invs_stage_finish(invs_stage *st, const char *state)
{
    int rc;

    /* how many tables the stage holds: fewer later means rows of
     * invs_tables were deleted (schema_io.c checks it on every load) */
    if ((rc = invs_stage_views(st)) != INVS_OK ||
        (rc = stage_exec(st, "INSERT OR REPLACE INTO invs_meta SELECT 'tables',"
                             " CAST(count(*) AS TEXT) FROM invs_tables")) != INVS_OK ||
        (rc = invs_stage_meta_set(st, "state", state)) != INVS_OK ||
        (rc = stage_exec(st, "COMMIT")) != INVS_OK)
        return rc;
    (void)invs_stage_seal_file(st); /* committed whatever it says */
    if (sqlite3_close(st->db) != SQLITE_OK)
        return invs_diag(&st->diag, INVS_EIO, "stage %s: close failed", st->tmp_path);
    st->db = NULL;
    if (stage_fsync_path(st->tmp_path) != 0)
        return invs_diag(&st->diag, INVS_EIO, "stage %s: fsync: %s", st->tmp_path,
                         strerror(errno));
    /* what appeared meanwhile is checked again: a pull to the same -o,
     * or a file that is not a stage */
    if ((rc = stage_may_write(&st->diag, st->path, st->overwrite)) != INVS_OK ||
        (rc = invs_file_publish(&st->diag, st->tmp_path, st->path, st->overwrite)) != INVS_OK)
        return rc;
    free(st->tmp_path);
    st->tmp_path = NULL;
    snprintf(st->state, sizeof(st->state), "%s", state);
    return INVS_OK;
}

void invs_stage_close(invs_stage *st)
{
    size_t i;
    if (!st)
        return;
    if (st->db)
        sqlite3_close(st->db);
    if (st->tmp_path)
        unlink(st->tmp_path);
    for (i = 0; i < st->ntables; i++) {
        invs_schema_free(st->tables[i].schema);
        free(st->tables[i].profile);
    }
    free(st->tables);
    invs_object_list_free(&st->objects);
    free(st->tmp_path);
    free(st->path);
    free(st);
}

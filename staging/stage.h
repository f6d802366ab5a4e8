/*
 * stage.h -- the stage file (format v1), as the rest of invstage sees it.
 *
 * A stage is an ordinary SQLite database (application_id 'INVS', user_version
 * = format version) holding the schema model, the rows, and a state. The
 * layout is documented in staging/FORMAT.md.
 */
#ifndef INVS_STAGE_H
#define INVS_STAGE_H

#include <sqlite3.h>

#include "invs_core.h"

#define INVS_STAGE_APPLICATION_ID 0x494E5653 /* "INVS" */
#define INVS_STAGE_FORMAT 2 /* 2: the schema beyond columns and keys */

/* States, in the order a stage goes through them. */
#define INVS_STATE_PULLING "pulling"
#define INVS_STATE_PULLED "pulled"
#define INVS_STATE_VERIFIED "verified"

typedef struct invs_stage_table {
    int64_t tid;
    invs_schema_table *schema;
    int64_t rows;     /* rows in the stage */
    int64_t specials; /* cells held in invs_specials */
    char digest[INVS_DIGEST_HEX]; /* of the rows as they are now ("" if none) */
    struct invs_col_profile *profile; /* verify: what pull saw of each column, where
                                         it still describes the rows; else NULL */
} invs_stage_table;

typedef struct invs_stage {
    invs_ctx *ctx;     /* log and progress */
    invs_diag_rec diag; /* why the last call on this stage failed */
    sqlite3 *db;
    char *path;     /* what the user named */
    char *tmp_path; /* while being written: moved to path on finish */
    int overwrite;  /* finish may replace an existing stage at path */
    char state[16];
    int format;     /* PRAGMA user_version: 1 or 2 */
    int untouched;  /* no commit since invstage's last write (seal.c) */
    size_t ntables;
    invs_stage_table *tables; /* loaded by invs_stage_load_schema */
    invs_object_list objects; /* loaded by invs_stage_load_schema (format 2) */
} invs_stage;

/* Create a new stage at a temporary name beside `path`, in state pulling.
 * An existing `path` is refused unless overwrite. On failure (no stage to
 * hold it) the reason is in *err; afterwards, a call on the stage that
 * fails leaves its reason in st->diag. */
int invs_stage_create(invs_stage **out, invs_ctx *ctx, invs_diag_rec *err, const char *path,
                      int overwrite);
/* invs_stage_open flags */
#define INVS_STAGE_INCOMPLETE_OK 0x01 /* open a stage still in state pulling */
#define INVS_STAGE_WRITE 0x02         /* read-write, in one write transaction */

/* Open an existing stage (read-only unless INVS_STAGE_WRITE) in one
 * transaction; refuses what is not a stage, a newer format, or (unless
 * INVS_STAGE_INCOMPLETE_OK) one still in state pulling. */
int invs_stage_open(invs_stage **out, invs_ctx *ctx, invs_diag_rec *err, const char *path,
                    unsigned flags);
/* Commit the write transaction of a stage opened with INVS_STAGE_WRITE. */
int invs_stage_commit(invs_stage *st);
/* Record `state` and how many tables the stage holds, commit, and move
 * the file to its final name. */
int invs_stage_finish(invs_stage *st, const char *state);
/* A read-only view per table, named after it, its columns named after the
 * source's (views.c); invs_stage_finish makes them. */
int invs_stage_views(invs_stage *st);
/* Close; a stage still being created is deleted. */
void invs_stage_close(invs_stage *st);

int invs_stage_meta_set(invs_stage *st, const char *key, const char *value);
/* Value of a meta key as a string owned by the caller, NULL if missing. */
char *invs_stage_meta_get(invs_stage *st, const char *key);
/* fn(key, value) for every meta key, in key order; fn's error stops it. */
int invs_stage_meta_each(invs_stage *st, invs_emit_meta_fn fn, void *payload);

/* Schema: add a table (returns its tid), load all tables. */
int invs_stage_add_table(invs_stage *st, const invs_table *t, int64_t *out_tid);
/* After a pull: rows, special cells, and the digest of the rows pulled. */
int invs_stage_set_rows(invs_stage *st, int64_t tid, int64_t rows, int64_t specials,
                        const char *digest);
/* The digest of the rows as they are now (after verify changed some). */
int invs_stage_set_digest(invs_stage *st, int64_t tid, const char *digest);
int invs_stage_load_schema(invs_stage *st);
/* The schema beyond columns and keys (staging/schema_ext_io.c): written
 * by invs_stage_add_table for table tid, read by invs_stage_load_schema. */
int invs_stage_add_table_ext(invs_stage *st, const invs_table *t, int64_t tid);
int invs_stage_load_table_ext(invs_stage *st, invs_schema_table *s, int64_t tid);
/* A schema object (enum, domain, view, ...), and all of them into
 * st->objects. */
int invs_stage_add_object(invs_stage *st, const invs_object *o);
int invs_stage_load_objects(invs_stage *st);
/* "enum", "view", ... as the stage and messages name a kind. */
const char *invs_object_kind_name(int kind);

/* Rows in. */
typedef struct invs_stage_writer invs_stage_writer;
int invs_stage_writer_open(invs_stage_writer **out, invs_stage *st, int64_t tid,
                           const invs_table *t);
int invs_stage_writer_put(invs_stage_writer *w, const invs_value *row);
/* Rows and special cells written so far. */
int64_t invs_stage_writer_rows(const invs_stage_writer *w);
int64_t invs_stage_writer_specials(const invs_stage_writer *w);
/* seal.c: after a commit, record the file change counter that one more
 * commit makes (failure loses only verify's shortcut); on open, whether
 * the file still has it (st->untouched). */
int invs_stage_seal_file(invs_stage *st);
void invs_stage_check_seal(invs_stage *st);
/* What the writer saw of each column (profile.h), into the stage. */
int invs_stage_writer_save_profile(invs_stage_writer *w);
void invs_stage_writer_close(invs_stage_writer *w);

/* Rows out, in the order they were written (the source's key order). */
typedef struct invs_stage_reader invs_stage_reader;
int invs_stage_reader_open(invs_stage_reader **out, invs_stage *st, const invs_stage_table *t);
/* INVS_ROW (row borrowed until the next call), INVS_DONE, or an error. */
int invs_stage_reader_next(invs_stage_reader *r, const invs_value **row);
void invs_stage_reader_close(invs_stage_reader *r);

/* Bind text, or NULL for a NULL pointer (borrowed for the statement's step). */
static inline void invs_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Report an SQLite error on the stage as a diagnostic; returns the code. */
int invs_stage_sqlerr(invs_stage *st, int code, const char *what);
/* A call on st returned rc < 0: its diagnostic into j's record. */
static inline int invs_stage_err(invs_job *j, invs_stage *st, int rc)
{
    return invs_diag_take(&j->diag, &st->diag, rc);
}

#endif

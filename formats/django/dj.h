/*
 * dj.h -- the Django fixture driver's parts (django:FILE): a fixture is
 * what `manage.py dumpdata` writes, a JSON array of records
 * {"model": "app.model", "pk": ..., "fields": {...}} (InvenTree's
 * exports since 2026 begin with a record {"metadata": true, ...}).
 *
 * Reading (a pull, or the proof reading back what a push wrote) goes over
 * the file twice at most: dj_scan.c reads it once, whole, one record at a
 * time, to learn its models (their fields, the kinds of values, where
 * their records lie); each table's cursor then seeks to its model's first
 * record and reads on to its last (dj_read.c). A record is a small tree
 * (fmt_node), freed before the next: memory stays flat whatever the file.
 *
 * Tables are either inferred (no schema given: <app_label>_<model>, a
 * "pk" column and one per field, typed by the values seen) or given
 * (schema_given, or the tables a push created), whose column types say
 * how a fixture's values become stage values (dj_value.c).
 */
#ifndef DJ_H
#define DJ_H

#include <locale.h>
#include <stdio.h>

#include "fmt_io.h"
#include "fmt_node.h"
#include "json_out.h"
#include "json_tok.h"
#include "invstage/driver.h"
#include "invstage/pool.h"
#include "invstage/strbuf.h"

extern const invs_host *dj_host;

/* The kinds of values a field held (inferred tables). */
enum {
    DJ_K_NULL = 1,
    DJ_K_INT = 2,
    DJ_K_REAL = 4,
    DJ_K_STR = 8,
    DJ_K_BOOL = 16,
    DJ_K_NEST = 32 /* an array or an object */
};

/* A column of a table a push created that holds JSON documents as text
 * (Django's JSONField on SQLite, told by its CHECK): its values are nested
 * JSON in the file, and read back as the text Python's json.dumps wrote. */
#define DJ_T_PYJSON 1000

/* One table as the driver knows it (read, given, or created by a push). */
typedef struct dj_table {
    char *name;
    char *model;       /* "app.model"; NULL: not a Django model (push) */
    size_t ncols;
    char **cols;       /* column names */
    char **fields;     /* the field each column holds ("pk" for the key) */
    int32_t *canon;
    unsigned *kinds;   /* inferred: DJ_K_* seen per column */
    long pk;           /* the primary key's column, -1 none */
    int inferred;
    int64_t nrec;      /* records read */
    int all_pk;        /* inferred: every record had a pk */
    uint64_t first, last; /* offsets of its first and last record; 0: none */
    const invs_table *given; /* schema_given's, valid until close; NULL otherwise */
    char **ref;        /* given: the table each column's foreign key names, or NULL */
    long owner;        /* an auto-created many-to-many table: its owner's index, or -1 */
    long m2m_src, m2m_dst, m2m_id; /* its columns: the owner's pk, the target, its id */
    char *m2m_field;   /* the owner's list field */
    /* export: a many-to-many table folded into its owner's list field
     * keeps its rows here, an owner of one writes its records to a spool
     * first (dj_fold.c) */
    int folded;
    int64_t *pairs;    /* owner pk, target pk, id; sorted by the first two at load_end */
    size_t npairs, cappairs;
    FILE *spool;
    fmt_out sout;
    invs_table t;      /* as schema_read emits it */
    invs_column *tcols;
    invs_key pkey;
    const char *pkcols[1];
} dj_table;

/* Where a reader is in the array of records. */
typedef struct dj_reader {
    fmt_in in;
    int fd;
    json_tok tok;
    invs_strbuf sb;
    invs_pool pool; /* one record's tree */
    int state;      /* 0 before '[', 1 expect a record or ']', 2 expect ',' or ']', 3 at the end */
    uint64_t roff;  /* the offset of the record just read */
} dj_reader;

struct invs_drv_conn {
    invs_session *s;
    char *path;
    char *shown;   /* "django:PATH" */
    unsigned flags;
    int replace;
    int natural;   /* natural_foreign=yes: references to users, groups, ... as keys */
    locale_t loc;
    dj_table *t;
    size_t nt, capt;
    int scanned;   /* the file was read once: t holds its models */
    int given;     /* t was handed over (schema_given) or written */
    char **facts;  /* the metadata record: key, value, ... */
    size_t nfacts;
    dj_reader *rd;
    char **maps;   /* map=app.model=TABLE: model, table, model, table, ... */
    size_t nmaps;
    char **ignores; /* ignore_field=app.model.field */
    size_t nignores;
    struct dj_nk *nk; /* natural keys of the records read: auth users, groups, ... */
    size_t nnk, capnk;
    char **src_apps;  /* the metadata record's installed_apps, as app labels */
    size_t nsrc_apps;
    char **mig_apps;  /* the apps the target's django_migrations names (row_given) */
    size_t nmig_apps;
    char **cts;       /* push: the stage's content types, table "app_model", model "app.model", ... */
    size_t ncts;

    /* writing */
    int fd;
    char *tmp;
    fmt_out out;
    json_emit em;
    int wstate;    /* 0 nothing, 1 load begun, 2 load ended */
    int fold_planned; /* the many-to-many tables to fold were chosen */
    int64_t written; /* records written */
    int werr;
    int committed;
    size_t nskip;
};

/* A natural key (JSON text of its list) of a record of `model`: its pk. */
typedef struct dj_nk {
    const char *model; /* a constant of dj_given.c */
    char *key;
    char *pk;          /* JSON text of the pk */
    int target;        /* a row of the target's (row_given), not a record of the file */
} dj_nk;

struct invs_drv_cursor {
    invs_drv_conn *c;
    dj_table *t;
    dj_table *src;     /* whose records make its rows: t, or a many-to-many t's owner */
    int done;
    fmt_node rec;      /* a many-to-many table: the owner's record being read */
    size_t next;       /* and the next element of its list */
    int in_rec;
    int64_t m2m_next;  /* the next id handed out */
    invs_value *vals;
    invs_strbuf vb; /* the values' bytes */
};

struct invs_drv_writer {
    invs_drv_conn *c;
    dj_table *t;
    invs_strbuf sb;
    fmt_out saved;  /* the file's writer, while c->out is an owner's spool */
    int spooling;
};

/* dj_driver.c */
int dj_nomem(invs_drv_conn *c);
char *dj_strdup(const char *s);
int dj_table_add(invs_drv_conn *c, dj_table **out, const char *name);
void dj_table_free(dj_table *t);
dj_table *dj_table_find(invs_drv_conn *c, const char *name);

/* dj_scan.c: the reader, and the first pass */
int dj_reader_open(invs_drv_conn *c);
void dj_reader_close(invs_drv_conn *c);
/* The next record as a tree in c->rd->pool: INVS_ROW, INVS_DONE after the
 * last (and the end of the file checked), or an error naming the offset. */
int dj_next_record(invs_drv_conn *c, fmt_node *rec);
int dj_seek(invs_drv_conn *c, uint64_t off);
int dj_scan(invs_drv_conn *c);
/* A record's parts, checked: model, pk (NULL: none) and fields. */
int dj_record_parts(invs_drv_conn *c, const fmt_node *rec, const char **model,
                    const fmt_node **pk, const fmt_node **fields);
int dj_corrupt(invs_drv_conn *c, uint64_t off, const char *fmt, ...) INVS_PRINTF(3, 4);

/* dj_names.c: tables and models */
/* The table of a model by Django's default rule: "app.model" -> "app_model". */
char *dj_model_table(const char *model);
/* The model a table holds, or NULL when it is none (push); allocated. */
char *dj_table_model(const invs_table *t);
/* The model a table of the stage holds (push): by the stage's content
 * types where it has some (c->cts), a table none names being no model
 * unless it is an auto-created many-to-many table of one that is
 * (app.owner_field); Django's default rule otherwise. Allocated; NULL:
 * no model. */
char *dj_stage_model(invs_drv_conn *c, const invs_table *t);
/* The field a column holds: its name, without "_id" where it is a
 * foreign key's one column. Allocated. */
char *dj_column_field(const invs_table *t, size_t col);
/* Whether column col holds JSON documents (its type, or a CHECK). */
int dj_column_is_json(const invs_table *t, size_t col);

/* dj_value.c: values between a fixture and a stage */
/* n as the value of a column of type canon, its bytes in sb (v->ptr is an
 * offset into sb until dj_values_fix). 0, or -1 with *why. */
int dj_value_in(invs_drv_conn *c, int32_t canon, const fmt_node *n, invs_strbuf *sb,
                invs_value *v, const char **why);
void dj_values_fix(invs_value *vals, size_t n, const invs_strbuf *sb);
/* s[0..n) (UTF-8) as a JSON string into sb. */
void dj_sb_string(invs_strbuf *sb, const char *s, size_t n);
/* n as compact JSON text into sb. */
void dj_node_json(invs_drv_conn *c, const fmt_node *n, invs_strbuf *sb);
/* A stage value of a column of type canon, written as a fixture's value.
 * 0, or -1 with *why. */
int dj_value_out(invs_drv_conn *c, int32_t canon, const invs_value *v, const char **why);

/* dj_given.c: reading onto given tables */
int dj_option(invs_drv_conn *c, const char *opt);
int dj_schema_given(invs_drv_conn *c, const invs_table *const *ts, size_t n);
/* The pk of model's record whose natural key is key (an array): its JSON
 * text, or NULL. Where the file has no record of model, the target's row
 * (row_given) that has the key. */
const char *dj_nk_find(invs_drv_conn *c, const char *model, const fmt_node *key);
int dj_nk_note(invs_drv_conn *c, const char *model, const fmt_node *pk, const fmt_node *fields);
int dj_ignored(invs_drv_conn *c, const char *model, const char *field);
/* Table i as the auto-created table of a many-to-many field (owner,
 * m2m_* set), if it is one. */
int dj_m2m_detect(invs_drv_conn *c, size_t i);
/* The table whose many-to-many list field of `owner` this is, or NULL. */
dj_table *dj_m2m_of(invs_drv_conn *c, const dj_table *owner, const char *field);
void dj_given_free(invs_drv_conn *c);
/* dt->ref[i]: the table column i of t refers to by a one-column key. */
int dj_note_ref(invs_drv_conn *c, dj_table *dt, const invs_table *t, size_t i);
/* export --natural-foreign: row of table t, written, gives its natural key
 * (users, groups, content types, permissions); and the key (JSON text) of
 * the row of `model` whose pk is v, or NULL. target: a row of the target's
 * (row_given), kept apart from the file's. */
int dj_nk_note_row(invs_drv_conn *c, const dj_table *t, const invs_value *row, int target);
const char *dj_nk_key(invs_drv_conn *c, const char *model, const invs_value *v, int target);
int dj_push_str(invs_drv_conn *c, char ***v, size_t *n, const char *s, size_t len);

/* dj_target.c: what the target's migrate made (import --schema-from) */
extern const char *const dj_given_rows[];
int dj_row_given(invs_drv_conn *c, const invs_table *t, const invs_value *row);
/* An app's label ("django.contrib.auth": "auth") into *v, once. */
int dj_app_add(invs_drv_conn *c, char ***v, size_t *n, const char *s, size_t len);
/* The metadata record's installed_apps against the target's
 * django_migrations: a warning naming both where they differ. */
int dj_meta_compare(invs_drv_conn *c);

/* dj_read.c */
int dj_schema_read(invs_drv_conn *c, invs_emit_table_fn emit, void *payload);
int dj_cursor_open(invs_drv_cursor **out, invs_drv_conn *c, const invs_table *t,
                   uint32_t hints);
int dj_cursor_next(invs_drv_cursor *cur, const invs_value **out_row);
void dj_cursor_close(invs_drv_cursor *cur);
int dj_table_build(invs_drv_conn *c, dj_table *t);

/* dj_fold.c: many-to-many tables folded into their owner's records */
/* Once all tables of a push exist: which are folded. */
int dj_fold_plan(invs_drv_conn *c);
/* A writer of an owner of folded tables writes to its spool. */
int dj_fold_writer_open(invs_drv_writer *w);
void dj_fold_writer_close(invs_drv_writer *w);
/* Rows of a folded table, kept. */
int dj_fold_put(invs_drv_writer *w, const invs_value *rows, size_t nrows);
/* At load_end: the spooled records with their lists, into the file. */
int dj_fold_write(invs_drv_conn *c);
/* The id of folded table t's row (owner, target), or -1. */
int64_t dj_fold_id(const dj_table *t, int64_t owner, int64_t target);
void dj_fold_free(dj_table *t);

/* dj_write.c */
/* Value v of column i of t as the file writes it (a natural key where
 * asked and known). 0, or -1 with *why. */
int dj_put_field(invs_drv_conn *c, const dj_table *t, size_t i, const invs_value *v,
                 const char **why);
int dj_open_write(invs_drv_conn *c);
int dj_begin(invs_drv_conn *c);
int dj_commit(invs_drv_conn *c);
int dj_rollback(invs_drv_conn *c);
int dj_has_rows(invs_drv_conn *c, const invs_table *t, int *out);
int dj_table_noop(invs_drv_conn *c, const invs_table *t);
int dj_table_held(invs_drv_conn *c, const invs_table *t);
int dj_load_begin(invs_drv_conn *c, const invs_table *const *ts, size_t n);
int dj_table_create(invs_drv_conn *c, const invs_table *t, uint32_t hints);
int dj_writer_open(invs_drv_writer **out, invs_drv_conn *c, const invs_table *t);
int dj_writer_put(invs_drv_writer *w, const invs_value *rows, size_t nrows);
int dj_writer_close(invs_drv_writer *w, int abort);
int dj_load_end(invs_drv_conn *c, const invs_table *const *ts, size_t n);
int dj_wcheck(invs_drv_conn *c);

#endif

/*
 * verify.h -- the passes of invstage verify and the state they share.
 *
 *   verify.c       the entry point: target, passes in order, --against, --undo
 *   verify_run.c   the findings recorder the passes report through
 *   verify_text.c  the text pass (encodings, NUL, NFC): changes, audited
 *   verify_keys.c  the integrity pass: questions asked in SQL
 *   verify_convert.c  --target URI: rows into the tables the target has
 *   verify_sql.c   the SQL functions those questions use
 *
 * What a target cannot store comes from its driver (invs_limits), never
 * from its name. A pass that fails leaves its reason on the stage.
 */
#ifndef INVS_VERIFY_H
#define INVS_VERIFY_H

#include "audit.h"

typedef struct invs_verify_run {
    invs_stage *st;
    const invs_verify_opts *o;
    const char *charset;     /* for text that is not UTF-8 */
    const invs_limits *lim;  /* the target driver's limits; none known: all zero */
    const char *target;      /* the target driver's name, "" without --target */
    int typed;               /* the target types strictly: type problems are errors */
    invs_schema_list target_tables; /* --target URI: the tables it already has */
    const invs_driver *tdrv; /* --target: its driver */
    int target_exists;       /* --target URI: it was there to read */
    invs_conn *tconn;        /* --target URI: connected for the driver's preflight */
    invs_tz *tz;             /* --assume-tz, for conversions into them */
    int64_t errors, warnings, changed;
    int64_t rows_read;       /* rows of data tables read (each scan counts) */
    struct invs_verify_batch *batch; /* per-value questions gathered into one scan */
} invs_verify_run;

/* verify in two steps (migrate.c): the target read first, before a
 * load beside the pull holds locks there; then the stage. early_run
 * reports as invs_verify does, and frees e; early_close frees an e that
 * will not run. */
typedef struct invs_verify_early invs_verify_early;
int invs_verify_early_open(invs_verify_early **out, invs_ctx *ctx, const invs_verify_opts *opts);
int invs_verify_early_target_exists(const invs_verify_early *e);
const invs_driver *invs_verify_early_target_driver(const invs_verify_early *e);
int invs_verify_early_run(invs_verify_summary *out, invs_verify_early *e, const char *stage_path);
void invs_verify_early_close(invs_verify_early *e);

/* Record a finding (count > 0), counting it as error or warning. */
int invs_verify_report(invs_verify_run *v, const char *check, int error, const char *table,
                       const char *column, int64_t count, const char *keys, const char *detail);
/* The engine's name for messages: its driver's, or "the target". */
const char *invs_verify_engine(const invs_verify_run *v);

/* Register the SQL functions the integrity pass asks with (verify_sql.c). */
int invs_verify_sql_register(invs_stage *st);
/* invs_row_key(rowid, pk values...): the key of a row of t as every
 * message names one (invs_sb_row_key), for the queries about t; "row N"
 * where t has no primary key or a value of it is NULL. */
int invs_verify_sql_row_key(invs_stage *st, const invs_table *t);

/* verify_batch.c: the integrity pass's per-value questions about table
 * st (WHERE clauses over its data table, alias d), gathered and then asked
 * in one scan; key is the SQL naming a row in the findings. */
typedef struct invs_verify_batch invs_verify_batch;
int invs_verify_batch_open(invs_verify_run *v, const invs_stage_table *st, const char *key);
void invs_verify_batch_close(invs_verify_run *v);
int invs_verify_batch_add(invs_verify_run *v, const char *where, const char *check, int error,
                          const char *column, const char *detail);
int invs_verify_batch_flush(invs_verify_run *v);
/* A finding about the table's column that needs no question of its rows,
 * reported in its turn among the batch's. */
int invs_verify_batch_found(invs_verify_run *v, const char *check, int error,
                            const char *column, int64_t count, const char *detail);

int invs_verify_text(invs_verify_run *v, const invs_stage_table *t);
int invs_verify_keys(invs_verify_run *v, const invs_stage_table *t);
/* Rows of t into the target's own table `target`, as push will convert
 * them (verify_convert.c). */
int invs_verify_convert(invs_verify_run *v, const invs_stage_table *t, const invs_table *target);
/* Names that are one after the target's case folding (verify_keys.c). */
int invs_verify_names(invs_verify_run *v);

#endif

/*
 * invstage/invstage.h -- the embedding API: what the invstage command calls,
 * and what tests and other programs can call too.
 *
 * Every function takes an invs_ctx (no global state), returns 0 or a negative
 * enum invs_rc, and leaves the detail in the context (invs_errmsg). The
 * library never prints: it reports through the callbacks installed here.
 */
#ifndef INVSTAGE_INVSTAGE_H
#define INVSTAGE_INVSTAGE_H

#include "invstage/driver.h"
#include "invstage/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct invs_ctx invs_ctx;

typedef void (*invs_log_fn)(int level, const char *msg, void *payload);
/* phase: "pull", "push", ...; total -1 when unknown. */
typedef void (*invs_progress_fn)(const char *phase, const char *table,
                                 int64_t done, int64_t total, void *payload);

int invs_ctx_new(invs_ctx **out);
void invs_ctx_free(invs_ctx *ctx);
/* Directories searched for driver modules, in the order added. */
int invs_ctx_add_plugin_dir(invs_ctx *ctx, const char *dir);
/* Add each entry of a ':'-separated list (empty entries ignored). */
int invs_ctx_add_plugin_path(invs_ctx *ctx, const char *list);
void invs_ctx_set_log(invs_ctx *ctx, invs_log_fn fn, void *payload);
void invs_ctx_set_progress(invs_ctx *ctx, invs_progress_fn fn, void *payload);
/* Ask running work to stop at the next row boundary (signal-safe). */
void invs_ctx_cancel(invs_ctx *ctx);

/* The last error recorded on ctx. */
int invs_errcode(const invs_ctx *ctx);
const char *invs_errmsg(const invs_ctx *ctx);
const char *invs_errsqlstate(const invs_ctx *ctx); /* "" if none */
const char *invs_rc_name(int rc);

/* -- drivers -- */
/* Load a driver by module name ("sqlite") from the plugin dirs, or by a path
 * containing '/'. Drivers stay resident for the life of the process. */
int invs_driver_load(const invs_driver **out, invs_ctx *ctx, const char *name_or_path);
/* The driver serving a URI scheme ("postgresql" -> postgres): the module of
 * that name, else a driver listed in a plugin directory's invs_drivers.list
 * whose own schemes name it. */
int invs_driver_for_scheme(const invs_driver **out, invs_ctx *ctx, const char *scheme);
/* Every driver module name listed in the plugin directories' manifests
 * (invs_drivers.list), the first time it is listed; fn's non-zero return
 * stops the walk and is returned. */
int invs_driver_list(invs_ctx *ctx, int (*fn)(const char *name, void *payload), void *payload);

/* -- file formats: drivers with INVS_CAP_FILE -- */
/* fn(d) for every file format the manifests list (those that load); fn's
 * non-zero return stops the walk and is returned. */
int invs_format_each(invs_ctx *ctx, int (*fn)(const invs_driver *d, void *payload),
                     void *payload);
/* The format whose suffixes end `file`'s name (the longest ending wins,
 * case aside): INVS_ENOTFOUND, nothing recorded, when none does. */
int invs_format_for_name(const invs_driver **out, invs_ctx *ctx, const char *file);
/* The format whose sniff is surest of a file beginning with head[0..n):
 * INVS_ENOTFOUND, nothing recorded, when none recognises it. */
int invs_format_for_bytes(const invs_driver **out, invs_ctx *ctx, const void *head, size_t n);

/* -- pull / push -- */
typedef struct invs_pull_opts {
    const char *const *tables;   /* only these (exact names or globs); NULL = all */
    size_t ntables;
    const char *const *excludes; /* skip these (exact names or globs) */
    size_t nexcludes;
    int overwrite;               /* replace an existing stage file */
    const char *const *driver_options; /* "key=value", NULL-terminated, or NULL */
    int drop_dangling_fks;       /* leave out the foreign keys of the tables taken
                                    whose parent table is not taken (named in a
                                    warning); otherwise they stay, and verify
                                    finds the rows that need the missing parent */
    /* a URI or a stage file whose tables the source reads onto (a source
     * without types of its own: import --schema-from); NULL: none */
    const char *schema_from;
} invs_pull_opts;

int invs_pull(invs_ctx *ctx, const char *source_uri, const char *stage_path,
              const invs_pull_opts *opts);

typedef struct invs_push_opts {
    int clear;        /* -c: empty the stage's tables in the target first */
    size_t batch_rows; /* rows per writer_put; 0 = default */
    int no_check;      /* skip reading the target back before commit */
    int force;         /* push a stage that is not verified or has errors */
    int ignore_version; /* push even if the migration tables differ */
    const char *const *driver_options; /* "key=value", NULL-terminated, or NULL */
    const char *assume_tz; /* the zone of naive timestamps going into columns
                              with a time zone: "UTC" (NULL), "+02:00",
                              "Europe/Berlin" */
    long lock_timeout_ms;  /* how long to wait for a lock another session holds
                              on a target table: 0 the default (10 s), -1 no limit */
    const char *const *tables;   /* only the stage's tables matching these (exact
                                    names or globs, as pull's); NULL = all */
    size_t ntables;
    const char *const *excludes; /* leave out the tables matching these */
    size_t nexcludes;
} invs_push_opts;

int invs_push(invs_ctx *ctx, const char *stage_path, const char *target_uri,
              const invs_push_opts *opts);

/* -- verify -- */
typedef struct invs_verify_opts {
    const char *charset; /* what text that is not UTF-8 is in; NULL = "CP1252" */
    const char *target;  /* a driver ("postgres", "mysql", "sqlite"), whose limits
                            make the checks of a typed engine errors (NULL:
                            warnings); or a URI: that, and every row going into
                            a table the target already has is converted as push
                            will convert it (findings not-convertible) */
    int accept_edits;    /* rows changed outside invstage after the pull (their
                            digest differs from the one recorded) are accepted,
                            with a warning, instead of an error */
    int round_decimals;  /* with a target URI: a value with more decimals than its
                            decimal(p,s) column is rounded half-even in the stage
                            (recorded, undone by undo) instead of refused */
    int strip_nul;       /* remove NUL bytes from text (recorded) */
    int nfc;             /* normalise text to Unicode NFC (recorded) */
    int undo;            /* put every changed value back as pulled */
    const char *against; /* a target URI: compare it with the stage, nothing
                            else (findings "target-differs") */
    const char *const *driver_options; /* for `against` */
    const char *assume_tz; /* for `against`: as push's */
    const char *zero_dates; /* "null": zero and partial dates (0000-00-00) in date
                               and timestamp columns become NULL (recorded,
                               undone by undo); NULL: they stay, as findings */
    int offsets_to_utc;  /* a date and time with a UTC offset other than zero in a
                            timestamp column without a time zone is rewritten
                            as the same instant in UTC, without an offset
                            (recorded, undone by undo) */
    int reread;          /* read every value again, even where what pull recorded
                            of a column shows nothing to find (the file unchanged
                            since invstage last wrote it) */
} invs_verify_opts;

typedef struct invs_verify_summary {
    int64_t errors;   /* findings of severity error */
    int64_t warnings;
    int64_t changes;  /* cells changed (or, with undo, restored) */
    int64_t rows_read; /* rows of the stage's tables read, summed over every scan */
} invs_verify_summary;

/* INVS_OK, INVS_EVERIFY when there are error findings (still recorded and
 * summarised in *out), or another error. */
int invs_verify(invs_verify_summary *out, invs_ctx *ctx, const char *stage_path,
                const invs_verify_opts *opts);

/* -- migrate: pull, verify, push -- */
typedef struct invs_migrate_opts {
    const char *stage;     /* where the stage goes; NULL: a temporary file,
                              removed after a successful push */
    invs_pull_opts pull;   /* which tables, driver options of the source */
    invs_verify_opts verify; /* charset, strip_nul, nfc, zero_dates,
                                round_decimals...; its target is the target */
    invs_push_opts push;   /* clear, force (push despite verify errors),
                              assume_tz, lock timeout, driver options */
    int sequential;        /* pull, verify, push one after the other: no
                              load beside the pull */
} invs_migrate_opts;

/* Pull source into a stage, verify it against the target (an error stops
 * here, before anything in the target changes, unless push.force), push
 * it. Into an existing database whose DDL is transactional the rows go in
 * while the source is read, in one transaction that commits only after
 * verify found no error and changed nothing, and the proof passed (else
 * it is rolled back and the stage pushed as push does). On
 * anything but success *out_stage is the stage kept for the user (NULL if
 * none was made; the caller frees it). INVS_OK, or the failing step's code
 * (INVS_EVERIFY for verify errors), its reason in the context. */
int invs_migrate(invs_ctx *ctx, const char *source_uri, const char *target_uri,
                 const invs_migrate_opts *opts, char **out_stage);

#ifdef __cplusplus
}
#endif
#endif /* INVSTAGE_INVSTAGE_H */

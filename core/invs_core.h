/*
 * invs_core.h -- core's interface to the other parts of invstage (staging,
 * tools, tests). Not installed: driver authors see invstage/driver.h only.
 */
#ifndef INVS_CORE_H
#define INVS_CORE_H

#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>

#include "invstage/invstage.h"
#include "invstage/strbuf.h"

/* ------------------------------------------------------------ diagnostics */

/* One diagnostic: what failed, the server's SQLSTATE where it gave one, the
 * client library's own code. Every handle that can fail owns one (a driver
 * session, a stage, a job); the public entry points copy the failing one
 * into the context once, when they return (core/diag.c). */
typedef struct invs_diag_rec {
    int code;
    char sqlstate[6];
    long native;
    char msg[2048];
} invs_diag_rec;

/* Record a diagnostic on d and return code. */
int invs_diag(invs_diag_rec *d, int code, const char *fmt, ...) INVS_PRINTF(3, 4);
int invs_diag_v(invs_diag_rec *d, int code, const char *sqlstate, long native, const char *fmt,
                va_list ap);
/* The one out-of-memory diagnostic; returns INVS_ENOMEM. Needs no memory. */
int invs_diag_oom(invs_diag_rec *d);
/* Put "prefix: " in front of the recorded message (keeps code/sqlstate). */
void invs_diag_prefix(invs_diag_rec *d, const char *fmt, ...) INVS_PRINTF(2, 3);
void invs_diag_clear(invs_diag_rec *d);
/* A call on another handle returned rc < 0: its record `from` becomes d's
 * (a generic one naming rc if `from` holds none) and `from` is cleared.
 * Returns the code d now holds: rc, or the one `from` recorded when the
 * callee returned another. */
int invs_diag_take(invs_diag_rec *d, invs_diag_rec *from, int rc);
/* Keep a diagnostic across work that may record its own (a rollback after
 * a failure), and put it back afterwards. */
void invs_diag_save(invs_diag_rec *saved, const invs_diag_rec *d);
void invs_diag_restore(invs_diag_rec *d, const invs_diag_rec *saved);

/* ------------------------------------------------------------ context */

/* The context's members are private to core/ctx.c. */
int invs_ctx_cancelled(const invs_ctx *ctx);
/* "pull", "push", "check", ...: what the progress callback is told. */
void invs_ctx_set_phase(invs_ctx *ctx, const char *phase);
/* The plugin directories, in search order. */
size_t invs_ctx_plugin_dirs(const invs_ctx *ctx, const char *const **out);
/* A public entry point returns rc: the failing handle's record d becomes
 * the context's last diagnostic (cleared on success). Returns rc. */
int invs_ctx_report(invs_ctx *ctx, const invs_diag_rec *d, int rc);

void invs_log(invs_ctx *ctx, int level, const char *fmt, ...) INVS_PRINTF(3, 4);
void invs_progress(invs_ctx *ctx, const char *table, int64_t done, int64_t total);

/* Work done for a public entry point: its context (log, progress,
 * cancellation) and the record its own failures land in. One per stream
 * of work, so that streams never share a record. */
typedef struct invs_job {
    invs_ctx *ctx;
    invs_diag_rec diag;
    long lock_ms; /* how long its sessions may wait for a lock; -1: no limit */
} invs_job;

/* Unless the user says otherwise, a lock held elsewhere is waited for this long. */
#define INVS_LOCK_TIMEOUT_MS 10000L

static inline void invs_job_init(invs_job *j, invs_ctx *ctx)
{
    j->ctx = ctx;
    j->lock_ms = INVS_LOCK_TIMEOUT_MS;
    invs_diag_clear(&j->diag);
}

/* A driver connection's session: where its diagnostics land. `role` names
 * the side ("source", "target") in messages. */
struct invs_session {
    invs_ctx *ctx;
    const char *role;
    invs_diag_rec diag;
    long lock_ms; /* host->lock_timeout_ms */
};

/* The host service table handed to every driver. */
const invs_host *invs_host_table(void);
/* While a driver's entry point runs (the loader, holding its lock): what it
 * logs or records without a session lands in `why` and in ctx's log. NULL,
 * NULL afterwards. */
void invs_host_loading(invs_ctx *ctx, invs_diag_rec *why);

/* ------------------------------------------------------------ strings */

static inline void invs_sb_init_std(invs_strbuf *sb)
{
    invs_sb_init(sb, realloc, free);
}
char *invs_strdup(const char *s); /* NULL for NULL */
char *invs_quote_ident(const char *ident, char q);

/* ------------------------------------------------------------ files */

/* Files written whole under a temporary name and moved into place (core/
 * files.c). A fresh temporary name beside path (PATH.invs-tmp-PID), after
 * removing the temporaries beside it of processes no longer running;
 * malloc'd, NULL on out of memory. */
char *invs_file_temp_name(const char *path);
/* Remove the temporaries beside path left by processes no longer running;
 * how many. */
int invs_file_remove_stale(const char *path);
/* The PID in a temporary's name (PATH.invs-tmp-PID), 0 if it is none. */
long invs_file_temp_pid(const char *path);
/* Move tmp to path: never over an existing file unless replace (then
 * INVS_EREFUSED naming path). INVS_OK or an error recorded on err. */
int invs_file_publish(invs_diag_rec *err, const char *tmp, const char *path, int replace);
/* 1 when this process has the file at path open (a source being read). */
int invs_file_open_here(const char *path);

/* Whether UTF-8 bytes are valid (no overlongs, surrogates, or > U+10FFFF). */
int invs_utf8_valid(const unsigned char *p, size_t n);

/* ------------------------------------------------------------ URIs */

int invs_uri_parse(invs_uri **out, const char *uri);
void invs_uri_free(invs_uri *uri);
char *invs_uri_redact(const char *uri);
/* uri did not parse: say why in d (redacted, as "ROLE 'URI'"), return
 * INVS_EINVAL (INVS_ENOMEM when even that fails). */
int invs_uri_refuse(invs_diag_rec *d, const char *role, const char *uri);

/* ------------------------------------------------------------ arena */

/* Bump allocator: many small allocations, one free. */
typedef struct invs_arena_block invs_arena_block;
typedef struct invs_arena {
    invs_arena_block *head;
    size_t block_size;
} invs_arena;

void invs_arena_init(invs_arena *a, size_t block_size);
void *invs_arena_alloc(invs_arena *a, size_t n);
char *invs_arena_strdup(invs_arena *a, const char *s); /* NULL for NULL */
void *invs_arena_memdup(invs_arena *a, const void *p, size_t n);
/* A borrowed row of ncols values into dst, its text and blob bytes into
 * the arena (their total added to *bytes). INVS_OK or INVS_ENOMEM. */
int invs_arena_copy_row(invs_arena *a, invs_value *dst, const invs_value *src, size_t ncols,
                        size_t *bytes);
/* Forget all allocations but keep the first block for reuse. */
void invs_arena_reset(invs_arena *a);
void invs_arena_free(invs_arena *a);

/* ------------------------------------------------------------ schema */

/* A table schema owned by the host: an invs_table and the memory behind it. */
typedef struct invs_schema_table {
    invs_table t;
    invs_arena arena;
} invs_schema_table;

/* Deep copy of a driver's (borrowed) table. */
int invs_schema_copy(invs_schema_table **out, const invs_table *src);
/* The ABI 1.2 members past digest (colx, checks, xindexes, partitioning),
 * deep copied from src into dst's arena; src may be an older producer's.
 * INVS_OK or INVS_ENOMEM. (core/schema_ext.c) */
int invs_schema_copy_ext(invs_arena *a, invs_table *dst, const invs_table *src);
/* A deep copy of a driver's (borrowed) schema object into the arena. */
int invs_object_copy(invs_arena *a, invs_object **out, const invs_object *src);

/* Schema objects as a driver described them (deep copies), in emit order. */
typedef struct invs_object_list {
    invs_object **v;
    size_t n, cap;
    invs_arena arena;
} invs_object_list;

void invs_object_list_init(invs_object_list *l);
/* Copy o onto the list; INVS_ENOMEM (no diagnostic) on failure. */
int invs_object_list_add(invs_object_list *l, const invs_object *o);
/* An invs_emit_object_fn adding every object to the list given as payload. */
int invs_object_list_emit(const invs_object *o, void *payload);
void invs_object_list_free(invs_object_list *l);
void invs_schema_free(invs_schema_table *st);
/* Index of the column named `name` (exact match), or -1. */
long invs_schema_column(const invs_table *t, const char *name);
const invs_key *invs_schema_primary_key(const invs_table *t);

/* Tables as a driver described them (deep copies), in emit order. */
typedef struct invs_schema_list {
    invs_schema_table **v;
    size_t n, cap;
} invs_schema_list;

/* Copy t onto the list; INVS_ENOMEM (no diagnostic) on failure. */
int invs_schema_list_add(invs_schema_list *l, const invs_table *t);
/* An invs_emit_table_fn adding every table to the list given as payload. */
int invs_schema_list_emit(const invs_table *t, void *payload);
/* The table named exactly `name`, or NULL. */
invs_schema_table *invs_schema_list_find(const invs_schema_list *l, const char *name);
void invs_schema_list_free(invs_schema_list *l);

const char *invs_canon_name(int canon);
int invs_canon_from_name(const char *name); /* -1 if unknown */

/* ------------------------------------------------------------ loader */

/* Check a driver table against this host; 0 or INVS_EABI / INVS_EINVAL with
 * the reason in j's record (`what` names the module in the message). */
int invs_driver_check(invs_job *j, const invs_driver *d, const char *what);
/* invs_driver_load for the library's own callers: the reason in j's record. */
int invs_driver_find(const invs_driver **out, invs_job *j, const char *name_or_path);
/* invs_driver_for_scheme for the library's own callers. */
int invs_driver_for_uri(const invs_driver **out, invs_job *j, const char *scheme);



/* ------------------------------------------------------------ connections */

/* A driver connection and the session its diagnostics land in. */
typedef struct invs_conn {
    const invs_driver *drv;
    invs_drv_conn *h;
    invs_session sess;
    char *redacted; /* the URI as it may be shown */
} invs_conn;

/* Parse the URI, load the driver serving its scheme, check it can do `need`
 * (INVS_CAP_*), open with the driver options (NULL-terminated "key=value",
 * or NULL). role ("source", "target") appears in messages. */
int invs_conn_open(invs_conn **out, invs_job *j, const char *uri, const char *role,
                   uint64_t need, unsigned flags, const char *const *options);
void invs_conn_close(invs_conn *c);
/* The calls whose form depends on the driver's ABI minor: cursor_open(_v2)
 * with hints (INVS_HINT_*; a 1.1 driver gets INVS_TBL_ANY_ORDER instead),
 * table_create(_v2) (INVS_HINT_NATIVE when t->engine is the driver's name). */
int invs_conn_cursor_open(invs_drv_cursor **out, invs_conn *c, const invs_table *t,
                          uint32_t hints);
int invs_conn_table_create(invs_conn *c, const invs_table *t);
/* INVS_HINT_NATIVE when SQL of `engine` (a table's or an object's) is the
 * driver's own dialect: read by a driver of this name. */
uint32_t invs_conn_native(const invs_conn *c, const char *engine);
/* The driver's limits, NULL when it describes none (or is older than 1.2). */
const invs_limits *invs_driver_limits(const invs_driver *d);
/* A call on c returned rc < 0: its session's diagnostic into j's record. */
static inline int invs_conn_err(invs_job *j, invs_conn *c, int rc)
{
    return invs_diag_take(&j->diag, &c->sess.diag, rc);
}

/* ------------------------------------------------------------ digests */

/* A table's content digest: order independent (see core/digest.c). */
typedef struct invs_digest {
    uint64_t rows, a, b;
} invs_digest;

#define INVS_DIGEST_HEX 64

void invs_digest_init(invs_digest *d);
/* Append the canonical encoding of value v of column c. */
void invs_digest_value(invs_strbuf *sb, const invs_column *c, const invs_value *v);
/* Add one row, given its canonical encoding; the row's two hashes out. */
void invs_digest_add(invs_digest *d, const void *encoded, size_t n, uint64_t *out_a,
                     uint64_t *out_b);
/* Add a row of table t: encoded into buf, then added. With a map, column i
 * of t is row[map[i]] (map[i] < 0: NULL). */
void invs_digest_row(invs_digest *d, invs_strbuf *buf, const invs_table *t, const invs_value *row,
                     const long *map, uint64_t *out_a, uint64_t *out_b);
/* ------------------------------------------------------------ decimals */

/* A number written s[0..n) ([sign] digits [. digits] [e [sign] digits],
 * spaces around): value = (neg ? -1 : 1) * digits * 10^exp10, the digits
 * without leading zeros (core/decimal.c). INVS_OK, or INVS_EINVAL when it
 * is not a number, or has more than INVS_DECIMAL_DIGITS digits; with d
 * NULL only the grammar is checked, whatever the number of digits. */
#define INVS_DECIMAL_DIGITS 1100
typedef struct invs_decimal {
    char digits[INVS_DECIMAL_DIGITS + 1]; /* one spare for a carry */
    size_t nd;
    long exp10;
    int neg;
} invs_decimal;
int invs_decimal_parse(const char *s, size_t n, invs_decimal *d);
/* Normalised decimal text of a number written s[0..n): sign, no leading or
 * trailing zeros, no exponent (unless beyond 400 digits). INVS_OK, or
 * INVS_EINVAL when it is not a number. */
int invs_decimal_normalize(invs_strbuf *sb, const char *s, size_t n);
/* Digits before and after the point of the number s[0..n) as
 * invs_decimal_normalize writes it (0.5: 0 and 1; 120: 3 and 0; ints
 * LONG_MAX where it writes an exponent). INVS_EINVAL: not a number. */
int invs_decimal_shape(const char *s, size_t n, long *ints, long *frac);
/* A number (the grammar above), or nan/inf/infinity with an optional sign
 * and spaces around, in any case: what verify takes for a number. */
int invs_decimal_is_number(const char *s, size_t n);
/* Decimal digits of x (0 has none). */
int invs_int_digits(int64_t x);
/* The shortest decimal text that reads back as d (finite): "9.99", not
 * "9.9900000000000002". */
#define INVS_DOUBLE_TEXT 40
void invs_double_text(char buf[INVS_DOUBLE_TEXT], double d);
/* Decimal text of v into out (at least 21 bytes), without printf; its length. */
size_t invs_int_text(char *out, int64_t v);
/* Canonical JSON of s[0..n) appended (core/json_canon.c); INVS_OK, or
 * INVS_EINVAL when it is not JSON. */
int invs_json_canon(invs_strbuf *sb, const char *s, size_t n);
/* "rows:hash" */
void invs_digest_hex(const invs_digest *d, char out[INVS_DIGEST_HEX]);

/* ------------------------------------------------------------ timestamps */

/* "YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|+HH[:MM]|-HH[:MM]]", parsed. */
typedef struct invs_timestamp {
    int64_t secs;       /* the wall clock as seconds since 1970-01-01 00:00 */
    const char *frac;   /* fraction digits (into the text), trailing zeros dropped */
    size_t nfrac;
    int has_offset;     /* an offset or Z was written */
    int32_t offset;     /* seconds east of UTC; the instant is secs - offset */
} invs_timestamp;

/* INVS_OK, or INVS_EINVAL when s is not such a timestamp. */
int invs_timestamp_parse(const char *s, size_t n, invs_timestamp *out);
/* Append "YYYY-MM-DD HH:MM:SS[.f]" of secs; pad6 pads the fraction to
 * microseconds as Python (and so Django) writes it. */
void invs_timestamp_format(invs_strbuf *sb, int64_t secs, const char *frac, size_t nfrac,
                           int pad6);

/* A time zone: UTC, a fixed offset ("+05:30") or an IANA name. */
typedef struct invs_tz invs_tz;
/* INVS_OK, or an error with the reason appended to err. */
int invs_tz_open(invs_tz **out, const char *name, invs_strbuf *err);
/* The zone of --assume-tz NAME (NULL: none, *out NULL): INVS_OK, or an
 * error recorded on err (INVS_EINVAL for a name that is no zone). */
int invs_tz_open_option(invs_tz **out, invs_diag_rec *err, const char *name);
void invs_tz_free(invs_tz *z);
int invs_tz_is_utc(const invs_tz *z); /* NULL is UTC */
/* The instant of a wall-clock time in zone z; INVS_OK, or INVS_EINVAL when
 * the clocks skipped it. */
int invs_tz_local_to_utc(const invs_tz *z, int64_t local, int64_t *utc);

/* ------------------------------------------------------------ UUIDs */

/* The 32 lowercase hex digits of a UUID written as 32 hex digits, as
 * 8-4-4-4-12, either in braces, in any case (core/uuid.c); INVS_EINVAL
 * for anything else. */
int invs_uuid_hex(const char *s, size_t n, char out[32]);

/* ------------------------------------------------------------ conversion */

/* How a staged value becomes a value of an existing target column
 * (core/convert.c): the one place every target engine's values pass. */
enum invs_conv_kind {
    INVS_CONV_NONE = 0,
    INVS_CONV_BOOL,
    INVS_CONV_DECIMAL,
    INVS_CONV_INSTANT, /* naive text in the assumed zone -> UTC */
    INVS_CONV_NAIVE,   /* text with an offset -> naive UTC */
    INVS_CONV_BLOB,
    INVS_CONV_INT,
    INVS_CONV_UUID_HEX /* a UUID into a char(32) column: 32 hex digits, as
                          Django keeps a UUIDField where there is no uuid */
};

typedef struct invs_convert {
    size_t ncols;              /* the stage table's */
    unsigned char *kind;       /* enum invs_conv_kind per stage column */
    const invs_column **to;    /* the target's column, NULL if it has none */
    const invs_tz *tz;         /* what naive timestamps mean; NULL: UTC */
    size_t *off;
    invs_strbuf buf;           /* converted text of the current row */
    int any;                   /* some column converts */
    int retyped;               /* some column compares under another type */
    invs_table typed;          /* the stage table, columns typed as the target's */
    invs_column *tcols;
    int round_decimals;        /* set after the plan: round half-even into decimal(p,s)
                                  instead of refusing a value with more decimals */
    int would_round;           /* the last INVS_ETYPE: rounding alone would have done */
    int exact_decimals;        /* set after the plan: decimals are not fitted to the
                                  column at all, a REAL only read at 15 digits: the
                                  proof's side, which must never round to match */
} invs_convert;

/* Plan stage table s's rows into target table t (borrowed, with tz, for
 * the plan's life). INVS_OK or INVS_ENOMEM. */
int invs_convert_plan(invs_convert *cv, const invs_table *s, const invs_table *t,
                      const invs_tz *tz);
/* For a table push creates from s: only what any engine must be given as
 * the stage means it, whatever it would make of the stage's own text:
 * booleans as 0 and 1 ('t', 'yes' are words a typed engine may refuse). */
int invs_convert_plan_created(invs_convert *cv, const invs_table *s);
void invs_convert_free(invs_convert *cv);
/* The one boolean rule: 0/1, 't'/'f', 'true'/'false', 'yes'/'no', 'on'/'off'
 * (any case) -> an INVS_INT 0 or 1 in out. INVS_OK, or INVS_ETYPE when v
 * is no boolean. */
int invs_convert_bool(invs_value *out, const invs_value *v);
/* How converted rows of s digest (comparable with the target's rows): s
 * itself, or s with the target's column types where they differ. */
const invs_table *invs_convert_digest_table(const invs_convert *cv, const invs_table *s);
/* out = in converted (ncols values; text valid until the next call).
 * INVS_OK; INVS_ETYPE with *bad_col and *why ("is not a boolean"); or
 * INVS_ENOMEM. */
int invs_convert_row(invs_convert *cv, const invs_value *in, invs_value *out, size_t *bad_col,
                     const char **why);
/* One value of stage column col, as invs_convert_row converts it (text
 * valid until the next call). */
int invs_convert_value(invs_convert *cv, size_t col, const invs_value *in, invs_value *out,
                       const char **why);

#endif

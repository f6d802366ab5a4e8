/*
 * invstage/driver.h -- the driver plugin ABI.
 *
 * This is the only header a driver author needs. It is self-contained (C99,
 * <stddef.h>, <stdint.h>, <stdarg.h> only) and a driver links against nothing
 * of invstage's: every host service arrives through the invs_host table.
 *
 * A driver is a loadable module exporting one symbol, INVS_DRIVER_ENTRY:
 *
 *     const invs_driver *invs_driver_init(const invs_host *host);
 *
 * It returns a pointer to a static table describing the driver, or NULL when
 * it cannot work with this host (for example a host service it needs is
 * missing; log why through host->log first).
 *
 * Versioning: invs_host and invs_driver begin with abi_major, abi_minor and
 * struct_size and only ever grow at the end. A different major version is
 * refused by both sides. A member past the other side's struct_size does not
 * exist: use INVS_HAS() before touching a newer member.
 *
 * Ownership: every pointer handed across this interface is borrowed for the
 * duration of the call unless stated otherwise (like SQLITE_TRANSIENT). A row
 * returned by cursor_next stays valid until the next call on that cursor.
 *
 * Return codes: 0 (INVS_OK) for success, the positive INVS_ROW / INVS_DONE
 * for cursor states, a negative enum invs_rc for failure. Detail (message,
 * SQLSTATE, native code) goes through host->error on the session, which
 * returns the code so a driver can write `return host->error(...)`.
 */
#ifndef INVSTAGE_DRIVER_H
#define INVSTAGE_DRIVER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INVS_ABI_MAJOR 1
#define INVS_ABI_MINOR 1

/* Name of the one symbol a driver module exports. */
#define INVS_DRIVER_ENTRY "invs_driver_init"

#if defined(_WIN32)
#define INVS_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define INVS_EXPORT __attribute__((visibility("default")))
#else
#define INVS_EXPORT
#endif

#if defined(__GNUC__)
#define INVS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define INVS_PRINTF(f, a)
#endif

/* True when the struct *p, as its producer compiled it, has member m. */
#define INVS_HAS(p, type, m) \
    ((p)->struct_size >= offsetof(type, m) + sizeof(((type *)0)->m))

/* ------------------------------------------------------------------ codes */

enum invs_rc {
    INVS_OK = 0,
    INVS_ROW = 1,           /* cursor: a row is available */
    INVS_DONE = 2,          /* cursor: no more rows */

    INVS_ENOMEM = -1,
    INVS_EINVAL = -2,       /* bad argument or bad usage (bad URI, ...) */
    INVS_EABI = -3,         /* driver/host ABI mismatch */
    INVS_EUNSUPPORTED = -4, /* the driver cannot do this */
    INVS_ECONNECT = -5,     /* cannot reach the database */
    INVS_EAUTH = -6,        /* authentication refused */
    INVS_ESQL = -7,         /* the engine rejected a statement */
    INVS_ECONSTRAINT = -8,  /* a constraint would be violated */
    INVS_ETYPE = -9,        /* a value does not fit its column */
    INVS_EIO = -10,         /* file or network I/O */
    INVS_ECANCELLED = -11,  /* interrupted by the user */
    INVS_EVERIFY = -12,     /* verification found errors */
    INVS_ENOTFOUND = -13,   /* file, table or driver missing */
    INVS_EREFUSED = -14,    /* the target or data was refused, nothing written */
    INVS_ECORRUPT = -15     /* not a stage, or a damaged one */
};

/* ------------------------------------------------------------------ values */

/* Storage class of one value. Frozen: new classes only at the end. */
enum invs_vtype {
    INVS_NULL = 0,
    INVS_INT = 1,  /* num.i */
    INVS_REAL = 2, /* num.d, bit-exact (NaN payloads, -0.0, subnormals) */
    INVS_TEXT = 3, /* ptr/len, UTF-8 or the column's charset, may hold NUL */
    INVS_BLOB = 4, /* ptr/len */
    INVS_UINT = 5  /* num.u, for unsigned 64-bit columns */
};

/* Value flags: facts about a value that its storage class cannot say. */
#define INVS_VF_ZERO_DATE 0x01u /* text holds a zero date ("0000-00-00") */

/* One value. 32 bytes on LP64; frozen for ABI major 1. */
typedef struct invs_value {
    uint8_t type;   /* enum invs_vtype */
    uint8_t flags;  /* INVS_VF_* */
    uint16_t reserved0;
    uint32_t reserved1;
    union {
        int64_t i;
        uint64_t u;
        double d;
    } num;
    const void *ptr; /* TEXT/BLOB bytes; not NUL-terminated */
    size_t len;
} invs_value;

/* ------------------------------------------------------------------ schema */

/* Canonical column types, engine independent. The stage stores them by name
 * (invs_canon_name in the host API); the numbers are frozen. */
enum invs_canon {
    INVS_T_ANY = 0, /* no declared type: any storage class */
    INVS_T_BOOL = 1,
    INVS_T_INT16 = 2,
    INVS_T_INT32 = 3,
    INVS_T_INT64 = 4,
    INVS_T_UINT64 = 5,
    INVS_T_FLOAT32 = 6,
    INVS_T_FLOAT64 = 7,
    INVS_T_DECIMAL = 8, /* precision/scale, -1 when unconstrained */
    INVS_T_TEXT = 9,    /* length in characters, -1 unbounded */
    INVS_T_CHAR = 10,   /* fixed length */
    INVS_T_BLOB = 11,
    INVS_T_DATE = 12,
    INVS_T_TIME = 13,
    INVS_T_TIMETZ = 14,
    INVS_T_TIMESTAMP = 15,
    INVS_T_TIMESTAMPTZ = 16,
    INVS_T_INTERVAL = 17,
    INVS_T_JSON = 18,
    INVS_T_UUID = 19,
    INVS_T_ENUM = 20,
    INVS_T_SET = 21,
    INVS_T_ARRAY = 22,
    INVS_T_YEAR = 23,
    INVS_T_BIT = 24,
    INVS_T_NUMERIC = 25 /* numeric affinity without a precise type */
};

/* Column flags. */
#define INVS_COL_NOT_NULL 0x01u
#define INVS_COL_AUTOINCREMENT 0x02u /* SQLite AUTOINCREMENT, MySQL AUTO_INCREMENT */
#define INVS_COL_IDENTITY 0x04u      /* SQL identity / serial */
#define INVS_COL_UNSIGNED 0x08u
#define INVS_COL_IDENTITY_ALWAYS 0x10u /* with IDENTITY: GENERATED ALWAYS */

typedef struct invs_column {
    const char *name;
    const char *decl;         /* declared type as the source wrote it, "" if none */
    int32_t canon;            /* enum invs_canon */
    int32_t length;           /* text(n)/char(n)/bit(n); -1 unbounded */
    int32_t precision;        /* decimal(p,s); -1 unconstrained */
    int32_t scale;            /* decimal(p,s); -1 unconstrained */
    uint32_t flags;           /* INVS_COL_* */
    uint32_t reserved;
    const char *default_expr; /* source-dialect SQL expression, NULL if none */
    const char *collation;    /* NULL: engine default */
    const char *charset;      /* NULL: UTF-8 / engine default */
} invs_column;

enum invs_key_kind {
    INVS_KEY_PRIMARY = 1,
    INVS_KEY_UNIQUE = 2,  /* UNIQUE constraint */
    INVS_KEY_FOREIGN = 3,
    INVS_KEY_INDEX = 4    /* secondary index; INVS_KEYF_UNIQUE if unique */
};

#define INVS_KEYF_UNIQUE 0x01u     /* INVS_KEY_INDEX that is unique */
#define INVS_KEYF_DEFERRABLE 0x02u
#define INVS_KEYF_DEFERRED 0x04u   /* initially deferred */

typedef struct invs_key {
    int32_t kind;                /* enum invs_key_kind */
    uint32_t flags;              /* INVS_KEYF_* */
    const char *name;            /* NULL: engine-generated name */
    size_t ncols;
    const char *const *cols;     /* ncols column names */
    /* INVS_KEY_FOREIGN only: */
    const char *ref_table;
    const char *const *ref_cols; /* ncols names in ref_table */
    const char *on_delete;       /* "NO ACTION", "CASCADE", ... or NULL */
    const char *on_update;
} invs_key;

/* The position of a sequence feeding `column`: the next value the source
 * would hand out is value+1 when is_called, value otherwise. */
typedef struct invs_sequence {
    const char *column;
    const char *name; /* engine's sequence name, NULL if implicit */
    int64_t value;
    int32_t is_called;
    uint32_t reserved;
} invs_sequence;

#define INVS_TBL_WITHOUT_ROWID 0x01u /* SQLite WITHOUT ROWID */
#define INVS_TBL_STRICT 0x02u        /* SQLite STRICT */
/* Since ABI 1.1, a hint the host sets on the table it hands cursor_open:
 * the rows may come in any order (the host digests them, order
 * independently). A driver may skip its ORDER BY, or ignore the flag. */
#define INVS_TBL_ANY_ORDER 0x100u

typedef struct invs_table {
    uint32_t struct_size; /* grows at the end only */
    uint32_t flags;       /* INVS_TBL_* */
    const char *schema;   /* namespace in the source, NULL if none */
    const char *name;     /* exact, case-sensitive */
    const char *engine;   /* engine the schema was read from ("sqlite") */
    const char *source_ddl; /* informational, may be NULL */
    size_t ncols;
    const invs_column *cols;
    size_t nkeys;
    const invs_key *keys;
    size_t nseqs;
    const invs_sequence *seqs;
    int64_t row_count;    /* rows the source reported, -1 unknown */
} invs_table;

/* ------------------------------------------------------------------ URIs */

/* A parsed URI. All members are NUL-terminated strings or NULL. */
typedef struct invs_uri {
    char *scheme;
    char *user;
    char *password;
    char *host;
    char *port;
    char *path;   /* percent-decoded in the //authority form, verbatim otherwise */
    char *query;
    char *fragment;
    int has_authority; /* "scheme://..." */
} invs_uri;

/* ------------------------------------------------------------------ host */

/* One session per open connection; diagnostics are recorded on it. */
typedef struct invs_session invs_session;

enum invs_log_level {
    INVS_LOG_ERROR = 0,
    INVS_LOG_WARN = 1,
    INVS_LOG_INFO = 2,
    INVS_LOG_DEBUG = 3
};

typedef struct invs_host {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size;

    void *(*alloc)(size_t n);
    void *(*realloc)(void *p, size_t n);
    void (*free)(void *p);

    /* Record a diagnostic on the session and return `code`. sqlstate may be
     * NULL; native is the client library's own code (0 if none). The message
     * must name what is wrong and must not contain a password. */
    int (*error)(invs_session *s, int code, const char *sqlstate, long native,
                 const char *fmt, ...) INVS_PRINTF(5, 6);
    void (*log)(invs_session *s, int level, const char *fmt, ...) INVS_PRINTF(3, 4);
    /* Rows done so far for `table`; total -1 when unknown. */
    void (*progress)(invs_session *s, const char *table, int64_t done, int64_t total);
    /* Non-zero once the user asked to stop: return INVS_ECANCELLED. */
    int (*cancelled)(invs_session *s);

    /* The one identifier quoter: `ident` wrapped in `q` with every `q`
     * inside doubled. Allocated with alloc; NULL on out-of-memory. */
    char *(*quote_ident)(const char *ident, char q);
    /* URI parsing and redaction (password replaced by "***"). */
    int (*uri_parse)(invs_uri **out, const char *uri);
    void (*uri_free)(invs_uri *uri);
    char *(*uri_redact)(const char *uri);
    const char *(*canon_name)(int canon);
} invs_host;

/* ------------------------------------------------------------------ driver */

/* Capabilities: each bit promises non-NULL functions, checked at load. */
#define INVS_CAP_PULL 0x01u     /* schema_read, cursor_open/next/close */
#define INVS_CAP_PUSH 0x02u     /* begin, commit, rollback, has_rows,
                                   table_clear, load_begin, writer_*,
                                   load_end, sequences_set */
#define INVS_CAP_CREATE 0x04u   /* table_create, indexes_create */
#define INVS_CAP_SNAPSHOT 0x08u /* pull reads one consistent snapshot */
#define INVS_CAP_TXN_DDL 0x10u  /* DDL is transactional (rolled back too) */

/* open() flags */
#define INVS_OPEN_READ 0x01u
#define INVS_OPEN_WRITE 0x02u
#define INVS_OPEN_CREATE 0x04u /* create the database if missing */

typedef int (*invs_emit_table_fn)(const invs_table *t, void *payload);

typedef struct invs_driver {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size;

    const char *name;        /* module name: "sqlite" for invs_sqlite.so */
    const char *version;
    const char *description;
    const char *const *schemes; /* URI schemes served, NULL-terminated */
    uint64_t caps;              /* INVS_CAP_* */

    /* options: NULL-terminated "key=value" strings the user gave for this
     * driver (e.g. "schema=public"), or NULL. An option the driver does not
     * know is an INVS_EINVAL error naming it. */
    int (*open)(void **out_conn, invs_session *s, const char *uri, unsigned flags,
                const char *const *options);
    void (*close)(void *conn);

    /* -- INVS_CAP_PULL -- */
    /* Call emit once per table, in creation order. A non-zero return from
     * emit stops the walk and is returned. */
    int (*schema_read)(void *conn, invs_emit_table_fn emit, void *payload);
    /* Rows of t (as schema_read described it), columns in t->cols order,
     * in primary-key order where there is one (any order, if the driver
     * likes, with INVS_TBL_ANY_ORDER in t->flags). */
    int (*cursor_open)(void **out_cur, void *conn, const invs_table *t);
    /* INVS_ROW with *out_row = t->ncols values, INVS_DONE, or an error. */
    int (*cursor_next)(void *cur, const invs_value **out_row);
    void (*cursor_close)(void *cur);

    /* -- INVS_CAP_PUSH -- everything between begin and commit is one
     * transaction; rollback must leave the target as it was. */
    int (*begin)(void *conn);
    int (*commit)(void *conn);
    int (*rollback)(void *conn);
    int (*has_rows)(void *conn, const invs_table *t, int *out_has_rows);
    int (*table_clear)(void *conn, const invs_table *t);
    /* Called once, before anything is cleared, created or loaded, with every
     * table of the load in load order (some may not exist in the target
     * yet): relax what stops rows arriving child-first (self-references,
     * cycles) or tables being cleared. load_end must restore it and check
     * that it holds. */
    int (*load_begin)(void *conn, const invs_table *const *ts, size_t n);
    /* Rows arrive as nrows * t->ncols values, row-major, in t->cols order. */
    int (*writer_open)(void **out_w, void *conn, const invs_table *t);
    int (*writer_put)(void *w, const invs_value *rows, size_t nrows);
    /* Flush and free; abort != 0 frees without flushing. */
    int (*writer_close)(void *w, int abort);
    int (*load_end)(void *conn, const invs_table *const *ts, size_t n);
    /* Called for every table after load_end: set t->seqs' positions (and
     * whatever the engine needs for new rows to get fresh keys). */
    int (*sequences_set)(void *conn, const invs_table *t);

    /* -- INVS_CAP_CREATE -- table_create makes the table with its keys;
     * indexes_create adds secondary indexes after the load. */
    int (*table_create)(void *conn, const invs_table *t);
    int (*indexes_create)(void *conn, const invs_table *t);
} invs_driver;

typedef const invs_driver *(*invs_driver_init_fn)(const invs_host *host);

/* What a driver module defines (and the host never does). */
INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host);

#ifdef __cplusplus
}
#endif
#endif /* INVSTAGE_DRIVER_H */

/*
 * invstage/driver.h -- the driver plugin ABI.
 *
 * This is the only header a driver author needs. It is self-contained (C99,
 * <stddef.h>, <stdint.h>, <stdarg.h> only) and a driver links against nothing
 * of invstage's: every host service arrives through the invs_host table.
 * plugins/sqlite/ is a complete driver, tests/mock/mock_driver.c a small one.
 *
 * A driver is a loadable module exporting one symbol, INVS_DRIVER_ENTRY:
 *
 *     const invs_driver *invs_driver_init(const invs_host *host);
 *
 * It returns a pointer to a static table describing the driver, or NULL when
 * it cannot work with this host (a host service it needs is missing, say).
 * Before returning NULL it says why with host->log(NULL, INVS_LOG_ERROR, ...):
 * inside the entry point, and only there, the session may be NULL, and the
 * host shows what was said in its refusal.
 *
 * Versioning: invs_host, invs_driver, invs_table and invs_limits begin with
 * their size (and the first two with abi_major, abi_minor) and only ever
 * grow at the end; each group of members says which ABI minor added it. A
 * different major version is refused by both sides. A member past the
 * other side's struct_size does not exist: use INVS_HAS() before touching a
 * newer member.
 *
 * A pull, as the host drives it:
 *   1. open(INVS_OPEN_READ); with import --schema-from, schema_given, then
 *      row_given with the rows of the tables given_rows names
 *   2. schema_read: emit calls the host once per table
 *   3. per selected table, in emit order: cursor_open_v2 (1.2; else
 *      cursor_open), cursor_next until INVS_DONE or an error, cursor_close;
 *      the last one with INVS_HINT_LAST
 *   4. close
 * A push:
 *   1. open(INVS_OPEN_WRITE | INVS_OPEN_CREATE); row_given with the stage's
 *      rows of the tables given_rows names; table_held on every table
 *   2. with INVS_CAP_TXN_DDL: begin
 *   3. schema_read (what the target holds); has_rows on its tables that the
 *      stage names; a cursor over an application's migration table
 *   4. without INVS_CAP_TXN_DDL: table_create and indexes_create for every
 *      table the target lacks, then begin
 *   5. load_begin with every table of the load, in load order
 *   6. with -c: table_clear on the existing tables, children first
 *   7. with INVS_CAP_TXN_DDL: table_create for the missing tables
 *   8. per table, parents first: writer_open, writer_put (batches of a size
 *      the host chooses), writer_close
 *   9. with INVS_CAP_TXN_DDL: indexes_create on the tables step 7 made
 *  10. load_end, then sequences_set per table
 *  11. the proof: schema_read, and a cursor over every table of the load
 *      (INVS_HINT_ANY_ORDER): what the driver would commit, read back
 *  12. commit. After a failure at any step: rollback, and without
 *      INVS_CAP_TXN_DDL table_drop on every table step 4 created
 *  13. close
 * So a driver that pushes also reads: the loader refuses INVS_CAP_PUSH
 * without the pull functions.
 *
 * Threads: a connection, and the cursors and writers opened on it, are used
 * by one thread at a time (not always the same one). Different connections
 * of one driver may be used by different threads at once, so a driver keeps
 * no per-connection state in globals. host services may be called from any
 * thread.
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
#define INVS_ABI_MINOR 2

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
/* Since ABI 1.2: the source engine hands this key column a fresh value
 * (its largest plus one) when a row arrives without one, though no
 * sequence is declared: SQLite's INTEGER PRIMARY KEY, an alias of the
 * rowid. A target gives the column its own way of doing the same. */
#define INVS_COL_AUTO_KEY 0x20u

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
    uint32_t flags;   /* INVS_SEQ_* (since 1.2; reserved and 0 before) */
} invs_sequence;

/* Since ABI 1.2: the position is where the rows alone would put it (the
 * column's largest value, or nothing handed out in an empty table), so a
 * target that hands out largest-plus-one by itself needs no sequence. */
#define INVS_SEQ_FOLLOWS_ROWS 0x01u
/* Since ABI 1.2: the column uses the sequence (its default calls it) but
 * does not own it (PostgreSQL's OWNED BY): a target that can say so
 * leaves it free, as the source did. */
#define INVS_SEQ_NOT_OWNED 0x02u

/* ---- Since ABI 1.2: the schema beyond columns and keys ----
 *
 * The structs below begin with their size and grow at the end only; an
 * array of them is walked with INVS_AT(type, array, i), by the size its
 * producer gave (the first element's struct_size). A
 * text in them that is SQL (a default, a CHECK, a view's query) is in the
 * dialect of the engine that read it (invs_table.engine, invs_object.engine):
 * a driver writes it only where INVS_HINT_NATIVE says it is its own, and
 * only after checking it (a stage is untrusted input). */
#define INVS_AT(type, arr, i) \
    ((const type *)(const void *)((const char *)(arr) + (size_t)(i) * (arr)->struct_size))

/* A column default as a value any engine can write. The source's driver
 * classifies its own default_expr; INVS_DEF_EXPR is what it cannot say
 * otherwise (default_expr alone holds it, for an engine of the same kind). */
enum invs_default_kind {
    INVS_DEF_NONE = 0,     /* no default */
    INVS_DEF_NULL = 1,     /* DEFAULT NULL */
    INVS_DEF_NUMBER = 2,   /* default_value: -?digits[.digits][e[+-]digits] */
    INVS_DEF_TEXT = 3,     /* default_value: the text itself (UTF-8, unquoted) */
    INVS_DEF_BOOL = 4,     /* default_value: "1" or "0" */
    INVS_DEF_BLOB = 5,     /* default_value: the bytes as hex digits */
    INVS_DEF_NOW = 6,      /* the current date and time */
    INVS_DEF_TODAY = 7,    /* the current date */
    INVS_DEF_TIME_NOW = 8, /* the current time of day */
    INVS_DEF_SEQUENCE = 9, /* the next value of the column's own sequence */
    INVS_DEF_EXPR = 10     /* another expression: default_expr only */
};

#define INVS_IDENT_OPTIONS 0x01u /* the ident_* options below are the source's */
#define INVS_IDENT_CYCLE 0x02u   /* the sequence wraps around */

/* What a column has beyond invs_column (frozen), one per column. */
typedef struct invs_colx {
    uint32_t struct_size;
    int32_t default_kind;      /* enum invs_default_kind */
    const char *default_value; /* see enum invs_default_kind; NULL otherwise */
    /* a type of the source's own (invs_object ENUM or DOMAIN), NULL if none */
    const char *type_name;
    /* the allowed values, in order, of an enum column (a PostgreSQL enum's
     * labels, MySQL's enum('a','b')): another engine keeps them as a CHECK */
    size_t nlabels;
    const char *const *labels;
    /* identity and sequence options, with INVS_COL_IDENTITY or
     * INVS_COL_AUTOINCREMENT */
    uint32_t ident_flags;      /* INVS_IDENT_* */
    uint32_t reserved;
    int64_t ident_start, ident_increment, ident_min, ident_max;
} invs_colx;

/* A CHECK constraint of a table (or of a domain). */
typedef struct invs_check {
    uint32_t struct_size;
    uint32_t flags;     /* none yet */
    const char *name;   /* NULL: unnamed */
    const char *expr;   /* the condition, without CHECK ( ), in the engine's dialect */
} invs_check;

/* An index the columns-only invs_key cannot describe: on expressions,
 * partial, descending, or of another method. */
typedef struct invs_xindex {
    uint32_t struct_size;
    uint32_t flags;            /* INVS_KEYF_UNIQUE */
    const char *name;
    const char *method;        /* "btree", "gin", ...; NULL: the engine's default */
    size_t nparts;
    const char *const *parts;  /* each a column name (quoted as an identifier)
                                  or, where exprs[i], an expression */
    const uint8_t *exprs;      /* nparts: 1 where parts[i] is an expression */
    const uint8_t *desc;       /* nparts: 1 where descending; NULL: none */
    const char *where;         /* a partial index's predicate, NULL if none */
} invs_xindex;

/* Schema objects that are not tables, read by objects_read: types (made
 * before the tables), views (after the data), and what invstage does not
 * copy but names (functions, triggers, sequences no column owns). */
enum invs_object_kind {
    INVS_OBJ_ENUM = 1,     /* labels */
    INVS_OBJ_DOMAIN = 2,   /* base (with its NOT NULL and default), checks */
    INVS_OBJ_VIEW = 3,     /* definition: the query */
    INVS_OBJ_MATVIEW = 4,  /* definition: the query */
    INVS_OBJ_FUNCTION = 5, /* named, not copied */
    INVS_OBJ_TRIGGER = 6,  /* table; named, not copied */
    INVS_OBJ_SEQUENCE = 7, /* a sequence no column owns; named, not copied */
    INVS_OBJ_OTHER = 8     /* anything else worth naming */
};

typedef struct invs_object {
    uint32_t struct_size;
    int32_t kind;              /* enum invs_object_kind */
    const char *schema;        /* namespace in the source, NULL if none */
    const char *name;
    const char *engine;        /* the engine that read it: its dialect */
    const char *definition;    /* VIEW, MATVIEW: the query; others: the
                                  source's DDL, informational, or NULL */
    const char *table;         /* TRIGGER: its table; NULL otherwise */
    size_t nlabels;            /* ENUM: the labels, in order */
    const char *const *labels;
    const invs_column *base;   /* DOMAIN: the base type as a column named
                                  after the domain (NOT NULL, default) */
    const invs_colx *basex;    /* DOMAIN: its default classified, or NULL */
    size_t nchecks;            /* DOMAIN: its CHECKs (VALUE is the value) */
    const invs_check *checks;
} invs_object;

#define INVS_TBL_WITHOUT_ROWID 0x01u /* SQLite WITHOUT ROWID */
#define INVS_TBL_STRICT 0x02u        /* SQLite STRICT */
/* ABI 1.1 only: the host sets it on the table it hands cursor_open of a
 * driver without cursor_open_v2 where it sets INVS_HINT_ANY_ORDER. Since
 * ABI 1.2, hints are arguments (INVS_HINT_*) and never table flags. */
#define INVS_TBL_ANY_ORDER 0x100u

typedef struct invs_table {
    uint32_t struct_size; /* grows at the end only */

    /* -- ABI 1.0 -- */
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

    /* -- ABI 1.2 -- */
    /* Pull: the content digest the source carries for these rows (a file
     * an invstage export wrote), NULL if it carries none; pull checks the
     * rows it read against it. Push: the stage's digest of the rows it
     * sends (NULL when they go into a table the target already has, whose
     * types convert them), for a file format to record. */
    const char *digest;
    /* What the columns and keys above cannot say (see invs_colx and the
     * others): NULL or 0 where the source has none. */
    const invs_colx *colx;     /* ncols of them, or NULL */
    size_t nchecks;
    const invs_check *checks;
    size_t nxindexes;
    const invs_xindex *xindexes;
    /* Partitioning and inheritance (PostgreSQL): a partitioned table's
     * "RANGE (a)"; a partition's parent and its "FOR VALUES ..."; the
     * tables it inherits from. In the engine's dialect. */
    const char *partition_by;
    const char *partition_of;
    const char *partition_bound;
    size_t ninherits;
    const char *const *inherits;
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

/* Since ABI 1.2, the driver's handles are distinct types, each defined by
 * the driver (struct invs_drv_conn { ... } in its own sources) and opaque
 * to the host: a cursor passed where a connection belongs does not compile.
 * Their layout is a driver's own; 1.1 drivers used void * alike. */
typedef struct invs_drv_conn invs_drv_conn;     /* an open database */
typedef struct invs_drv_cursor invs_drv_cursor; /* rows of one table, forward only */
typedef struct invs_drv_writer invs_drv_writer; /* rows going into one table */

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

    /* -- ABI 1.0 -- */

    void *(*alloc)(size_t n);
    void *(*realloc)(void *p, size_t n);
    void (*free)(void *p);

    /* Record a diagnostic on the session and return `code`. sqlstate may be
     * NULL; native is the client library's own code (0 if none). The message
     * must name what is wrong and must not contain a password. s may be
     * NULL inside invs_driver_init only (log too). */
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

    /* -- ABI 1.2 -- */
    /* How long the user lets a driver wait for a lock that another session
     * holds, in milliseconds (push --lock-timeout); -1: no limit. */
    long (*lock_timeout_ms)(invs_session *s);
    /* A fresh name beside path (PATH.invs-tmp-PID) for a file that commit
     * moves into place with publish; temporaries that processes no longer
     * running left beside path are removed first. Allocated with alloc;
     * NULL on out of memory. */
    char *(*temp_name)(invs_session *s, const char *path);
    /* Move the finished file tmp to path, never over an existing one unless
     * replace (INVS_EREFUSED, recorded on s, when path appeared meanwhile). */
    int (*publish)(invs_session *s, const char *tmp, const char *path, int replace);
} invs_host;

/* ------------------------------------------------------------------ limits */

/* Since ABI 1.2: what an engine cannot store, as data its driver hands the
 * host, so that `invstage verify --target DRIVER` can find in the stage what
 * that target would refuse or change, before it is touched. */
#define INVS_LIM_TYPED 0x01u       /* values must fit the column's type (no
                                      SQLite-like affinity): type problems
                                      are errors, not warnings */
#define INVS_LIM_NO_NUL 0x02u      /* text cannot hold a NUL byte */
#define INVS_LIM_ZERO_DATES 0x04u  /* dates may be 0000-00-00 and partial */
#define INVS_LIM_CI_UNIQUE 0x08u   /* unique text keys compare as MySQL's
                                      collations do: _ci ones (and a
                                      charset's default) ignore case and
                                      accents, all but nopad ones trailing
                                      spaces; a table from another engine is
                                      created binary (case kept) */
#define INVS_LIM_NO_BC 0x10u       /* no years before 1 AD */
#define INVS_LIM_NO_INFINITY 0x20u /* no 'infinity' dates */
#define INVS_LIM_CI_NAMES 0x40u    /* names that differ only in case are one name */
#define INVS_LIM_NO_EMPTY_NAME 0x80u /* no table or column may be named "" */
#define INVS_LIM_CI_COLUMNS 0x100u  /* column names that differ only in case, in
                                       any script (É, é), are one name; table
                                       names keep theirs (MySQL's) */
#define INVS_LIM_DECIMAL_BOUNDED 0x200u /* no decimal without a precision: one
                                       is stored as decimal(decimal_max,
                                       decimal_scale_max) (MySQL's 65,30) */
#define INVS_LIM_TIME_OF_DAY 0x400u /* a time is a time of day, 00:00:00 to
                                       24:00:00 (not MySQL's durations) */

#define INVS_UNIT_BYTES 0
#define INVS_UNIT_CHARS 1

typedef struct invs_limits {
    uint32_t struct_size; /* grows at the end only */
    uint32_t flags;       /* INVS_LIM_* */
    const char *engine;   /* the engine's name in messages: "PostgreSQL" */
    uint32_t ident_max;   /* the longest table or column name; 0: no limit */
    uint32_t ident_unit;  /* INVS_UNIT_BYTES or INVS_UNIT_CHARS */
    int32_t year_min;     /* the years a date may have; 0 and 0: any */
    int32_t year_max;
    int32_t decimal_max;  /* the largest decimal precision; 0: no limit */
    uint32_t reserved;
    /* column charsets that hold no character beyond U+FFFF ("utf8mb3"),
     * NULL-terminated; NULL: none */
    const char *const *bmp_charsets;
    /* the largest decimal scale; 0: no limit but decimal_max (use INVS_HAS:
     * a limits struct from an earlier 1.2 driver ends before it) */
    int32_t decimal_scale_max;
} invs_limits;

/* ------------------------------------------------------------------ driver */

/* Capabilities: each bit promises non-NULL functions, checked at load. */
#define INVS_CAP_PULL 0x01u     /* schema_read, cursor_open(_v2), cursor_next,
                                   cursor_close */
#define INVS_CAP_PUSH 0x02u     /* begin, commit, rollback, has_rows,
                                   table_clear, load_begin, writer_*,
                                   load_end, sequences_set; and PULL's
                                   functions, for the read-back */
#define INVS_CAP_CREATE 0x04u   /* table_create(_v2), indexes_create; and,
                                   without INVS_CAP_TXN_DDL, table_drop */
#define INVS_CAP_SNAPSHOT 0x08u /* pull reads one consistent snapshot */
#define INVS_CAP_TXN_DDL 0x10u  /* DDL is transactional (rolled back too) */
/* Since ABI 1.2: a file format. The URI names a file (SCHEME:FILE, or - for
 * standard input or output) that the driver writes whole and reads from its
 * start; `invstage export -f SCHEME` and `import -f SCHEME` take it, and
 * without -f they choose it by the file's name (`suffixes`) or its first
 * bytes (`sniff`). Promises those two members exist (they may be NULL). */
#define INVS_CAP_FILE 0x20u

/* open() flags */
#define INVS_OPEN_READ 0x01u
#define INVS_OPEN_WRITE 0x02u
#define INVS_OPEN_CREATE 0x04u /* create the database if missing */

/* Since ABI 1.2, what the host tells a driver about one call, as an
 * argument. A driver ignores the hints it does not know. */
#define INVS_HINT_ANY_ORDER 0x01u /* cursor_open_v2: the rows may come in any
                                     order (the host digests them, order
                                     independently): skip the ORDER BY */
#define INVS_HINT_NATIVE 0x02u    /* table_create_v2: the table was read by a
                                     driver of this name (t->engine is yours),
                                     so its declarations, defaults and
                                     collations are in your dialect */
#define INVS_HINT_LAST 0x04u      /* cursor_open_v2: no other cursor follows on
                                     this connection before close. A source
                                     that checks itself at its end (a file's
                                     trailer) reads on to it after these rows
                                     and fails cursor_next there, rather than
                                     INVS_DONE, when it is not whole */

typedef int (*invs_emit_table_fn)(const invs_table *t, void *payload);
/* Since ABI 1.2: one schema object (objects_read). */
typedef int (*invs_emit_object_fn)(const invs_object *o, void *payload);
/* One fact about the data as a whole ("source", "created_at", ...). */
typedef int (*invs_emit_meta_fn)(const char *key, const char *value, void *payload);

typedef struct invs_driver {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size;

    /* -- ABI 1.0 -- */
    const char *name;        /* module name: "sqlite" for invs_sqlite.so */
    const char *version;
    const char *description;
    const char *const *schemes; /* URI schemes served, NULL-terminated; the
                                   loader refuses a driver loaded for a
                                   scheme it does not list */
    uint64_t caps;              /* INVS_CAP_* */

    /* options: NULL-terminated "key=value" strings the user gave for this
     * driver (e.g. "schema=public"), or NULL. An option the driver does not
     * know is an INVS_EINVAL error naming it. */
    int (*open)(invs_drv_conn **out_conn, invs_session *s, const char *uri, unsigned flags,
                const char *const *options);
    void (*close)(invs_drv_conn *conn);

    /* -- INVS_CAP_PULL -- */
    /* Call emit once per table, in creation order. A non-zero return from
     * emit stops the walk and is returned. */
    int (*schema_read)(invs_drv_conn *conn, invs_emit_table_fn emit, void *payload);
    /* Rows of t (as schema_read described it), columns in t->cols order,
     * in primary-key order where there is one (any order, if the driver
     * likes, with INVS_TBL_ANY_ORDER in t->flags). Superseded by
     * cursor_open_v2 (1.2); a 1.2 driver may leave it NULL. */
    int (*cursor_open)(invs_drv_cursor **out_cur, invs_drv_conn *conn, const invs_table *t);
    /* INVS_ROW with *out_row = t->ncols values, INVS_DONE, or an error. */
    int (*cursor_next)(invs_drv_cursor *cur, const invs_value **out_row);
    void (*cursor_close)(invs_drv_cursor *cur);

    /* -- INVS_CAP_PUSH -- everything between begin and commit is one
     * transaction; rollback must leave the target as it was. */
    int (*begin)(invs_drv_conn *conn);
    int (*commit)(invs_drv_conn *conn);
    int (*rollback)(invs_drv_conn *conn);
    int (*has_rows)(invs_drv_conn *conn, const invs_table *t, int *out_has_rows);
    int (*table_clear)(invs_drv_conn *conn, const invs_table *t);
    /* Called once, before anything is cleared or loaded (and, with
     * INVS_CAP_TXN_DDL, created), with every table of the load in load
     * order (some may not exist in the target yet): relax what stops rows
     * arriving child-first (self-references, cycles) or tables being
     * cleared. load_end must restore it and check that it holds. */
    int (*load_begin)(invs_drv_conn *conn, const invs_table *const *ts, size_t n);
    /* Rows arrive as nrows * t->ncols values, row-major, in t->cols order. */
    int (*writer_open)(invs_drv_writer **out_w, invs_drv_conn *conn, const invs_table *t);
    int (*writer_put)(invs_drv_writer *w, const invs_value *rows, size_t nrows);
    /* Flush and free; abort != 0 frees without flushing. */
    int (*writer_close)(invs_drv_writer *w, int abort);
    int (*load_end)(invs_drv_conn *conn, const invs_table *const *ts, size_t n);
    /* Called for every table after load_end: set t->seqs' positions (and
     * whatever the engine needs for new rows to get fresh keys). */
    int (*sequences_set)(invs_drv_conn *conn, const invs_table *t);

    /* -- INVS_CAP_CREATE -- table_create makes the table with its keys;
     * indexes_create adds secondary indexes (after the load where DDL is
     * transactional, before it otherwise). table_create is superseded by
     * table_create_v2 (1.2); a 1.2 driver may leave it NULL. */
    int (*table_create)(invs_drv_conn *conn, const invs_table *t);
    int (*indexes_create)(invs_drv_conn *conn, const invs_table *t);

    /* -- ABI 1.1 added INVS_TBL_ANY_ORDER only -- */

    /* -- ABI 1.2 -- */
    /* What the engine cannot store (see invs_limits); NULL: nothing known. */
    const invs_limits *limits;
    /* cursor_open with hints (INVS_HINT_ANY_ORDER). */
    int (*cursor_open_v2)(invs_drv_cursor **out_cur, invs_drv_conn *conn, const invs_table *t,
                          uint32_t hints);
    /* table_create with hints (INVS_HINT_NATIVE). */
    int (*table_create_v2)(invs_drv_conn *conn, const invs_table *t, uint32_t hints);
    /* INVS_CAP_CREATE without INVS_CAP_TXN_DDL: remove a table this push
     * created, outside any transaction, after a failure. */
    int (*table_drop)(invs_drv_conn *conn, const invs_table *t);
    /* Optional. Before load_begin, push hands the driver the facts the stage
     * records about its data, NULL-terminated "key=value" strings, each key
     * once (source, source_driver, created_at, invstage_version, ...; of a
     * stage pulled from a file, what that file said), never the stage's own
     * bookkeeping: a file format writes them down, a database may ignore
     * them. */
    int (*meta_set)(invs_drv_conn *conn, const char *const *kv);
    /* Optional. After schema_read, pull asks for the facts a source carries
     * about its data as a whole (a file's header, a fixture's metadata
     * record): emit once per fact; the stage keeps each as meta
     * "source.KEY". */
    int (*meta_read)(invs_drv_conn *conn, invs_emit_meta_fn emit, void *payload);
    /* Optional. verify --target URI hands the driver, connected to the
     * target, every table of the stage: what this server would refuse of
     * them that its settings decide (a lock table too small for them all
     * in one transaction, rows wider than a page), each emitted as
     * (check, detail); verify records each as a warning. */
    int (*preflight)(invs_drv_conn *conn, const invs_table *const *ts, size_t n,
                     invs_emit_meta_fn emit, void *payload);

    /* -- ABI 1.2, file formats (INVS_CAP_FILE) -- */
    /* The endings of a file's name that say it is in this format, with
     * their dot (".json"), NULL-terminated; export writes the first when it
     * makes a name. NULL: none (the format is named with -f only). */
    const char *const *suffixes;
    /* Optional. How surely a file is in this format, from its first n
     * bytes (at most INVS_SNIFF_MAX; fewer when the file is shorter, or a
     * pipe held fewer yet): 0 not at all, up to 100 certain. Import
     * without -f takes the format that is surest. */
    int (*sniff)(const unsigned char *head, size_t n);

    /* -- ABI 1.2, schema objects -- */
    /* Optional (pull). After schema_read, emit each schema object that is
     * not a table (invs_object: types, views, what is named but not
     * copied), in an order that creates them. */
    int (*objects_read)(invs_drv_conn *conn, invs_emit_object_fn emit, void *payload);
    /* Optional (push, INVS_CAP_CREATE). Create one object: types before the
     * tables, views after the data. hints: INVS_HINT_NATIVE when o was read
     * by a driver of this name. INVS_EUNSUPPORTED: the engine cannot say
     * it; push then warns, naming it, and goes on. */
    int (*object_create)(invs_drv_conn *conn, const invs_object *o, uint32_t hints);

    /* -- ABI 1.2, sources without types -- */
    /* Optional (pull). Before schema_read, `import --schema-from` hands a
     * source that carries no types of its own (a Django fixture) the tables
     * another driver read (the target's schema, after the application made
     * it); the driver reads its records onto them. Valid until close. */
    int (*schema_given)(invs_drv_conn *conn, const invs_table *const *ts, size_t n);

    /* -- ABI 1.2, sources without types: the rows they refer to -- */
    /* Optional (pull, with schema_given): the given tables whose rows the
     * driver needs too, by name, NULL-terminated, in the order wanted (a
     * fixture's natural keys name the content types and permissions the
     * target's `migrate` made, which the file leaves out). After
     * schema_given the host reads each one the given schema has from
     * where it read that schema, and hands the driver every row by
     * row_given: t is the given table, row its t->ncols values, borrowed
     * for the call. Push, right after open, hands over the stage's rows of
     * the tables so named the same way (t: the stage's table), before
     * table_held (a fixture names its models by the stage's content
     * types). Both or neither. */
    const char *const *given_rows;
    int (*row_given)(invs_drv_conn *conn, const invs_table *t, const invs_value *row);

    /* -- ABI 1.2, targets that hold some tables only -- */
    /* Optional (push). Right after open, asked of every table of the
     * stage: 1 the target holds it, 0 it cannot (a Django fixture holds
     * models only, not django_migrations): push then leaves the table out
     * (no rows, no proof), naming it in a warning. A negative code is an
     * error. */
    int (*table_held)(invs_drv_conn *conn, const invs_table *t);
} invs_driver;

/* The most bytes of a file that sniff is shown. */
#define INVS_SNIFF_MAX 4096

typedef const invs_driver *(*invs_driver_init_fn)(const invs_host *host);

/* What a driver module defines (and the host never does). */
INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host);

#ifdef __cplusplus
}
#endif
#endif /* INVSTAGE_DRIVER_H */

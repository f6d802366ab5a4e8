/*
 * Out of memory at every step: pull and push are run again and again, the
 * k-th allocation failing (k = 1, 2, ...) until one run gets through. Every
 * run must fail cleanly: a return code, a message, no crash, no stage or
 * target file left behind, and every allocation freed.
 *
 * malloc, calloc and realloc are interposed here (glibc's __libc_* do the
 * work), so SQLite's and libltdl's allocations fail too. Not built with the
 * sanitizers, which own malloc themselves.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "invstage/invstage.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

/* the project builds with hidden visibility: these must be seen by the
 * shared libraries to replace theirs */
#define INTERPOSE __attribute__((visibility("default")))

static long countdown = -1; /* fail when it reaches 0; -1: never */
static long live;           /* allocations not yet freed */
static int injected;        /* the failure happened in this run */

static long current_k; /* the allocation this run fails (for messages) */
/* where the failure is injected: a breakpoint for gdb */
__attribute__((noinline)) static void injected_here(void) { __asm__ volatile(""); }

static int oom_now(void)
{
    if (countdown < 0 || countdown-- != 0)
        return 0;
    injected = 1;
    injected_here();
    return 1;
}

INTERPOSE void *malloc(size_t n)
{
    void *p = oom_now() ? NULL : __libc_malloc(n);
    live += p != NULL;
    return p;
}

INTERPOSE void *calloc(size_t n, size_t m)
{
    void *p = oom_now() ? NULL : __libc_calloc(n, m);
    live += p != NULL;
    return p;
}

INTERPOSE void *realloc(void *p, size_t n)
{
    void *q;
    if (oom_now())
        return NULL;
    q = __libc_realloc(p, n);
    live += (p == NULL && q != NULL);
    return q;
}

INTERPOSE void free(void *p)
{
    live -= p != NULL;
    __libc_free(p);
}

static char dir[] = "/tmp/invs-test-oom-XXXXXX";
static char src[300], stage[300], target[300], src_uri[320], target_uri[320];
static char pristine[300]; /* migrate's existing target, as it must stay on failure */
static char src2_uri[320];   /* migrate's source: nothing verify would change */

static void make_db(const char *path, const char *sql)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        abort();
    sqlite3_close(db);
}

static void make_source(void)
{
    snprintf(src, sizeof(src), "%s/src.db", dir);
    snprintf(src_uri, sizeof(src_uri), "sqlite:%s", src);
    snprintf(stage, sizeof(stage), "%s/s.stage", dir);
    snprintf(target, sizeof(target), "%s/t.db", dir);
    snprintf(target_uri, sizeof(target_uri), "sqlite:%s", target);
    make_db(src, "CREATE TABLE p (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE);"
                 "CREATE TABLE \"c\"\"q\" (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id),"
                 " v ANY DEFAULT (1 + 1), b BLOB);"
                 "CREATE INDEX ci ON \"c\"\"q\" (p);"
                 "INSERT INTO p (name) VALUES ('a'), ('b'), (CAST(x'63e900' AS TEXT));"
                 "INSERT INTO \"c\"\"q\" VALUES (1, 2, 1.5, x'00ff'), (2, 3, 'x', NULL),"
                 " (3, NULL, NULL, x'');");
    snprintf(src2_uri, sizeof(src2_uri), "sqlite:%s/src2.db", dir);
    make_db(src2_uri + 7, "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE);"
                          "CREATE TABLE \"b\"\"q\" (id INTEGER PRIMARY KEY, a INTEGER REFERENCES a(id),"
                          " v REAL, b BLOB);"
                          "INSERT INTO a (name) VALUES ('x'), ('\xc3\xa9');"
                          "INSERT INTO \"b\"\"q\" VALUES (1, 2, 1.5, x'00ff'), (2, 1, NULL, NULL);");
    snprintf(pristine, sizeof(pristine), "%s/t0.db", dir);
    make_db(pristine, "CREATE TABLE other (a); INSERT INTO other VALUES (1);");
}

/* The whole of file `path` into buf (no allocation: it runs while
 * allocations fail); its length, or -1. */
static long slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    long n;
    if (fd < 0)
        return -1;
    n = (long)read(fd, buf, cap);
    close(fd);
    return n;
}

static char pristine_bytes[1 << 16], target_bytes[1 << 16];

typedef int (*step_fn)(invs_ctx *ctx);

static int do_pull(invs_ctx *ctx)
{
    invs_pull_opts o = {0};
    o.overwrite = 1;
    return invs_pull(ctx, src_uri, stage, &o);
}

static int do_verify(invs_ctx *ctx)
{
    invs_verify_summary sum;
    invs_verify_opts o = {0};
    int rc;
    o.target = "postgres";
    o.strip_nul = 1;
    rc = invs_verify(&sum, ctx, stage, &o);
    return rc == INVS_EVERIFY ? INVS_OK : rc;
}

static int do_push(invs_ctx *ctx)
{
    invs_push_opts o = {0};
    o.force = 1; /* the push, whatever verify said */
    return invs_push(ctx, stage, target_uri, &o);
}

/* migrate into an existing SQLite database: the rows go in beside the
 * pull (verify changes nothing, so that load commits); a failure leaves
 * the target byte for byte as it was. */
static int do_migrate(invs_ctx *ctx)
{
    invs_migrate_opts o;
    char *kept = NULL;
    long n = slurp(pristine, pristine_bytes, sizeof(pristine_bytes));
    int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644), rc;
    if (n <= 0 || fd < 0 || write(fd, pristine_bytes, (size_t)n) != n)
        abort();
    close(fd);
    memset(&o, 0, sizeof(o));
    o.stage = stage;
    o.pull.overwrite = 1;
    rc = invs_migrate(ctx, src2_uri, target_uri, &o, &kept);
    free(kept);
    if (rc != INVS_OK) {
        if (slurp(target, target_bytes, sizeof(target_bytes)) != n)
            fprintf(stderr, "migrate failed (rc %d, allocation %ld) but changed the target: %s\n",
                    rc, current_k, invs_errmsg(ctx));
        CHECK_INT(slurp(target, target_bytes, sizeof(target_bytes)), n);
        CHECK(memcmp(target_bytes, pristine_bytes, (size_t)n) == 0);
    }
    return rc;
}

/* Run `step` with the k-th allocation failing, for k = 0, stride, ... until a
 * run makes fewer than k allocations. A failure SQLite absorbs may still
 * succeed; any other must fail cleanly. `leaves` is the file that must
 * exist only after success. */
static void failures_every(step_fn step, const char *leaves, const char *name, long stride)
{
    long k, base, failures = 0, absorbed = 0;
    invs_ctx *ctx;
    const char *from = getenv("INVS_OOM_FROM"); /* to look at one failure again */
    for (k = from ? atol(from) : 0; k < 1000000; k += stride) {
        int rc;
        if (leaves)
            unlink(leaves);
        if (invs_ctx_new(&ctx) != INVS_OK)
            abort();
        invs_ctx_add_plugin_dir(ctx, PLUGIN_DIR);
        base = live;
        injected = 0;
        countdown = current_k = k;
        rc = step(ctx);
        countdown = -1;
        if (rc == INVS_OK) {
            CHECK(!leaves || access(leaves, F_OK) == 0);
            invs_ctx_free(ctx);
            if (!injected)
                break;
            absorbed++;
            continue;
        }
        failures++;
        if (!injected) { /* a failure no allocation caused: the step is broken */
            fprintf(stderr, "%s: failed with no allocation failing (rc %d): %s\n", name, rc,
                    invs_errmsg(ctx));
            CHECK(injected);
            invs_ctx_free(ctx);
            break;
        }
        if (leaves && access(leaves, F_OK) == 0)
            fprintf(stderr, "%s: allocation %ld failed, rc %d, yet %s exists\n", name, k, rc,
                    leaves);
        CHECK(!leaves || access(leaves, F_OK) != 0);
        if (!*invs_errmsg(ctx))
            fprintf(stderr, "%s: allocation %ld failed with rc %d and no message\n", name, k, rc);
        CHECK(*invs_errmsg(ctx) != '\0');
        if (live != base)
            fprintf(stderr, "%s: allocation %ld failed: %ld allocations not freed\n", name, k,
                    live - base);
        if (getenv("INVS_OOM_ONE")) { /* INVS_OOM_FROM=k INVS_OOM_ONE=1: that one alone */
            invs_ctx_free(ctx);
            break;
        }
        CHECK_INT(live - base, 0);
        invs_ctx_free(ctx);
    }
    printf("%s: %ld allocation failures refused cleanly, %ld absorbed\n", name, failures,
           absorbed);
    CHECK(failures > 50);
}

static void every_failure(step_fn step, const char *leaves, const char *name)
{
    failures_every(step, leaves, name, 1);
}

static void warm_up(void)
{
    /* first use loads the driver module and initialises SQLite: memory
     * that stays for the life of the process */
    invs_ctx *ctx;
    if (invs_ctx_new(&ctx) != INVS_OK)
        abort();
    invs_ctx_add_plugin_dir(ctx, PLUGIN_DIR);
    CHECK_INT(do_pull(ctx), INVS_OK);
    CHECK_INT(do_verify(ctx), INVS_OK); /* loads the target's driver, for its limits */
    CHECK_INT(do_pull(ctx), INVS_OK);
    unlink(target);
    CHECK_INT(do_push(ctx), INVS_OK);
    invs_ctx_free(ctx);
}

static void pull_survives_every_allocation_failure(void)
{
    every_failure(do_pull, stage, "pull");
}

static void verify_survives_every_allocation_failure(void)
{
    every_failure(do_verify, NULL, "verify");
}

static void push_survives_every_allocation_failure(void)
{
    every_failure(do_push, target, "push");
}

static void migrate_survives_every_allocation_failure(void)
{
    invs_ctx *ctx;
    if (invs_ctx_new(&ctx) != INVS_OK)
        abort();
    invs_ctx_add_plugin_dir(ctx, PLUGIN_DIR);
    CHECK_INT(do_migrate(ctx), INVS_OK); /* it works at all, loading beside the pull */
    invs_ctx_free(ctx);
    /* a migrate makes some 20000 allocations, each run a whole migrate:
     * every 17th fails (pull, verify and push alone fail at every one) */
    failures_every(do_migrate, NULL, "migrate", 17);
}

int main(int argc, char **argv)
{
    static const check_test tests[] = {TEST(warm_up), TEST(pull_survives_every_allocation_failure),
                                       TEST(verify_survives_every_allocation_failure),
                                       TEST(push_survives_every_allocation_failure),
                                       TEST(migrate_survives_every_allocation_failure)};
    return check_main_in_tmpdir(tests, sizeof(tests) / sizeof(tests[0]), argc, argv, dir,
                                make_source);
}

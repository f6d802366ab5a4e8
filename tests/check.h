/* A very small test harness: each test is a function; CHECK records a
 * failure with file and line and goes on; main() runs the ones named on the
 * command line (or all) and ends with "N passed, M failed". */
#ifndef INVS_CHECK_H
#define INVS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                     \
        }                                                                         \
    } while (0)

#define CHECK_INT(a, b)                                                            \
    do {                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                      \
        if (va_ != vb_) {                                                          \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, \
                    va_, vb_);                                                     \
            check_failures++;                                                      \
        }                                                                          \
    } while (0)

/* CHECK_INT for an item of a list: msg names which one failed */
#define CHECK_INT_MSG(a, b, msg)                                                   \
    do {                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                      \
        if (va_ != vb_) {                                                          \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld, for \"%s\"\n", __FILE__, \
                    __LINE__, #a, va_, vb_, (msg));                                \
            check_failures++;                                                      \
        }                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                               \
    do {                                                                              \
        const char *sa_ = (a), *sb_ = (b);                                            \
        if (!sa_ || !sb_ ? sa_ != sb_ : strcmp(sa_, sb_) != 0) {                      \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
                    #a, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                  \
            check_failures++;                                                         \
        }                                                                             \
    } while (0)

/* s contains sub */
#define CHECK_HAS(s, sub)                                                              \
    do {                                                                               \
        const char *sa_ = (s), *sb_ = (sub);                                           \
        if (!sa_ || !strstr(sa_, sb_)) {                                               \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
                    sa_ ? sa_ : "(null)", sb_);                                        \
            check_failures++;                                                          \
        }                                                                              \
    } while (0)

typedef struct check_test {
    const char *name;
    void (*fn)(void);
} check_test;

#define TEST(name) {#name, name}

static inline int check_main(const check_test *tests, size_t n, int argc, char **argv)
{
    size_t i, passed = 0, failed = 0;
    for (i = 0; i < n; i++) {
        int before = check_failures, run = argc < 2, a;
        for (a = 1; a < argc; a++)
            run |= strcmp(argv[a], tests[i].name) == 0;
        if (!run)
            continue;
        tests[i].fn();
        if (check_failures == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", tests[i].name);
        }
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* check_main in a fresh scratch directory: `dir` is a mkdtemp template
 * filled in place; setup (may be NULL) runs once it exists. The directory
 * is removed when every test passed and kept for a look otherwise. */
static inline int check_main_in_tmpdir(const check_test *tests, size_t n, int argc, char **argv,
                                       char *dir, void (*setup)(void))
{
    char cmd[512];
    int rc;
    if (!mkdtemp(dir))
        return 2;
    if (setup)
        setup();
    rc = check_main(tests, n, argc, argv);
    if (rc == 0) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 2;
    } else {
        fprintf(stderr, "scratch files kept in %s\n", dir);
    }
    return rc;
}

#define CHECK_MAIN(...)                                                          \
    int main(int argc, char **argv)                                              \
    {                                                                            \
        static const check_test tests_[] = {__VA_ARGS__};                        \
        return check_main(tests_, sizeof(tests_) / sizeof(tests_[0]), argc, argv); \
    }

#endif

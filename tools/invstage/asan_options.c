/*
 * The sanitizer build's default options, compiled into its executables
 * (tools/CMakeLists.txt, tests/CMakeLists.txt) and nowhere else.
 *
 * intercept_tls_get_addr=0: up to GCC 13 (LLVM 16), the runtime's
 * __tls_get_addr interceptor takes a dynamic TLS block whose address is
 * 16 past a page boundary for glibc 2.19's header and reads two words
 * before it as a block's bounds; since glibc 2.25 there is no such header,
 * and LeakSanitizer's tracer then dies at exit ("Tracer caught signal 11",
 * exit 1) after a run that leaked nothing (google/sanitizers#1322). Any
 * process that loads client libraries with thread-local storage (the
 * MariaDB driver's GnuTLS, the PostgreSQL driver's Kerberos) can hit it,
 * and choosing a file format loads every listed driver. Leaks are still
 * found everywhere but in dynamic TLS, which invstage does not use.
 */
#if defined(__SANITIZE_ADDRESS__)
__attribute__((visibility("default"))) const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "intercept_tls_get_addr=0";
}
#endif

/*
 * A test shim, preloaded (LD_PRELOAD) into invstage: the first write into
 * a file being written under a temporary name (".invs-tmp-" in its path:
 * an export before its read-back) whose bytes hold INVS_ALTER_FROM goes
 * out with them replaced by INVS_ALTER_TO, of the same length. The file
 * stays well formed but no longer holds what the stage does, as a failing
 * disk or another program could leave it: the export's read-back proof
 * must find that, and leave no file.
 */
#define _GNU_SOURCE /* RTLD_NEXT, memmem */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* exported whatever the build's default visibility: it must interpose */
__attribute__((visibility("default"))) ssize_t write(int fd, const void *buf, size_t n);

/* fd is a file an export is writing under its temporary name. */
static int alter_is_temporary(int fd)
{
    char link[64], path[4096];
    ssize_t len;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    if ((len = readlink(link, path, sizeof(path) - 1)) < 0)
        return 0;
    path[len] = '\0';
    return strstr(path, ".invs-tmp-") != NULL;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    static int done;
    const char *from = getenv("INVS_ALTER_FROM"), *to = getenv("INVS_ALTER_TO");
    const char *hit;
    char *copy;
    ssize_t rc;

    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "write");
    if (done || !from || !to || !*from || strlen(from) != strlen(to) ||
        !(hit = memmem(buf, n, from, strlen(from))) || !alter_is_temporary(fd) ||
        !(copy = malloc(n)))
        return real(fd, buf, n);
    memcpy(copy, buf, n);
    memcpy(copy + (hit - (const char *)buf), to, strlen(to));
    done = 1;
    rc = real(fd, copy, n);
    free(copy);
    return rc;
}

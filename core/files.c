/*
 * Files that appear whole or not at all: a stage, a new SQLite target, an
 * exported file. Each is written under a temporary name beside its final
 * one (PATH.invs-tmp-PID) and moved into place when complete; a process
 * killed midway leaves its temporary, which the next run writing the same
 * path removes once that process no longer runs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "invs_core.h"

#define TEMP_MARK ".invs-tmp-"

long invs_file_temp_pid(const char *path)
{
    const char *m = strstr(path, TEMP_MARK), *p;
    char *end;
    long pid;
    if (!m)
        return 0;
    p = m + strlen(TEMP_MARK);
    pid = strtol(p, &end, 10);
    return end != p && *end == '\0' && pid > 0 ? pid : 0;
}

/* Split path into its directory ("." for none) and base name. */
static void files_split(const char *path, char *dir, size_t cap, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, cap, ".");
        *base = path;
    } else {
        snprintf(dir, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
        *base = slash + 1;
    }
}

int invs_file_remove_stale(const char *path)
{
    char dir[PATH_MAX], full[PATH_MAX + 300];
    const char *base;
    size_t blen;
    struct dirent *e;
    DIR *d;
    int removed = 0;

    files_split(path, dir, sizeof(dir), &base);
    blen = strlen(base);
    if (!(d = opendir(dir)))
        return 0;
    while ((e = readdir(d))) {
        long pid;
        if (strncmp(e->d_name, base, blen) != 0 || strncmp(e->d_name + blen, TEMP_MARK,
                                                           strlen(TEMP_MARK)) != 0)
            continue;
        if (!(pid = invs_file_temp_pid(e->d_name + blen)) || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* its process still runs (or is not ours to judge) */
        if (snprintf(full, sizeof(full), "%s/%s", dir, e->d_name) >= (int)sizeof(full))
            continue;
        if (unlink(full) == 0)
            removed++;
        if (snprintf(full, sizeof(full), "%s/%s-journal", dir, e->d_name) < (int)sizeof(full))
            unlink(full);
    }
    closedir(d);
    return removed;
}

char *invs_file_temp_name(const char *path)
{
    invs_strbuf sb;
    invs_file_remove_stale(path);
    invs_sb_init_std(&sb);
    invs_sb_printf(&sb, "%s" TEMP_MARK "%ld", path, (long)getpid());
    return invs_sb_take(&sb);
}

int invs_file_open_here(const char *path)
{
    struct stat want, have;
    char fdpath[300];
    DIR *d;
    struct dirent *e;
    int found = 0;
    if (stat(path, &want) != 0 || !(d = opendir("/proc/self/fd")))
        return 0;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%s", e->d_name) >= (int)sizeof(fdpath))
            continue;
        found = stat(fdpath, &have) == 0 && have.st_dev == want.st_dev &&
                have.st_ino == want.st_ino;
    }
    closedir(d);
    return found;
}

static int files_fsync_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *base;
    int fd, rc = 0;
    files_split(path, dir, sizeof(dir), &base);
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
        return -1;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = -1;
    close(fd);
    return rc;
}

int invs_file_publish(invs_diag_rec *err, const char *tmp, const char *path, int replace)
{
    if (replace) {
        if (rename(tmp, path) != 0)
            return invs_diag(err, INVS_EIO, "cannot move %s to %s: %s", tmp, path,
                             strerror(errno));
    } else {
        /* link fails when path exists: nothing is ever moved over a file
         * that appeared meanwhile (another run writing the same path) */
        if (link(tmp, path) != 0)
            return errno == EEXIST
                       ? invs_diag(err, INVS_EREFUSED,
                                   "%s appeared while this run wrote it (another run writing "
                                   "the same file?): it is kept, and what this run wrote is "
                                   "not",
                                   path)
                       : invs_diag(err, INVS_EIO, "cannot create %s: %s", path,
                                   strerror(errno));
        unlink(tmp);
    }
    files_fsync_dir(path); /* make the new name itself durable */
    return INVS_OK;
}

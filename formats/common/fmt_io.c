/* Buffered bytes in and out of a format's file (see fmt_io.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt_io.h"

/* ------------------------------------------------------------ out */

int fmt_out_init(fmt_out *o, int fd, fmt_alloc a)
{
    memset(o, 0, sizeof(*o));
    o->fd = fd;
    o->a = a;
    if (!(o->buf = a.realloc_fn(NULL, FMT_OUT_BUF))) {
        o->err = ENOMEM;
        return -1;
    }
    o->cap = FMT_OUT_BUF;
    return 0;
}

void fmt_out_free(fmt_out *o)
{
    if (o->buf)
        o->a.free_fn(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
}

int fmt_out_flush(fmt_out *o)
{
    size_t done = 0;
    if (o->err)
        return -1;
    while (done < o->len) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            o->err = n < 0 ? errno : EIO;
            return -1;
        }
        done += (size_t)n;
    }
    o->flushed += o->len;
    o->len = 0;
    return 0;
}

unsigned char *fmt_out_room(fmt_out *o, size_t n)
{
    if (o->err)
        return NULL;
    if (o->cap - o->len >= n)
        return o->buf + o->len;
    if (fmt_out_flush(o) != 0)
        return NULL;
    if (o->cap < n) { /* one value larger than the buffer */
        unsigned char *nb = o->a.realloc_fn(o->buf, n);
        if (!nb) {
            o->err = ENOMEM;
            return NULL;
        }
        o->buf = nb;
        o->cap = n;
    }
    return o->buf;
}

void fmt_out_put(fmt_out *o, const void *p, size_t n)
{
    const unsigned char *s = p;
    while (n && !o->err) {
        size_t k = o->cap - o->len;
        if (k == 0) {
            if (fmt_out_flush(o) != 0)
                return;
            continue;
        }
        if (k > n)
            k = n;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
}

/* ------------------------------------------------------------ in */

int fmt_in_init(fmt_in *in, int fd, fmt_alloc a)
{
    memset(in, 0, sizeof(*in));
    in->fd = fd;
    in->a = a;
    if (!(in->buf = a.realloc_fn(NULL, FMT_IN_BUF))) {
        in->err = ENOMEM;
        return -1;
    }
    in->cap = FMT_IN_BUF;
    return 0;
}

void fmt_in_free(fmt_in *in)
{
    if (in->buf)
        in->a.free_fn(in->buf);
    in->buf = NULL;
    in->pos = in->end = in->cap = 0;
}

/* Room to read into: consumed bytes dropped first, the buffer doubled only
 * when it is full of bytes still needed. */
static int in_make_room(fmt_in *in)
{
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, in->end - in->pos);
        in->base += in->pos;
        in->end -= in->pos;
        in->pos = 0;
    }
    if (in->end == in->cap) {
        size_t cap = in->cap * 2;
        unsigned char *nb = cap > in->cap ? in->a.realloc_fn(in->buf, cap) : NULL;
        if (!nb) {
            in->err = ENOMEM;
            return -1;
        }
        in->buf = nb;
        in->cap = cap;
    }
    return 0;
}

int fmt_in_need(fmt_in *in, size_t n)
{
    while (in->end - in->pos < n) {
        ssize_t got;
        if (in->err)
            return -1;
        if (in->eof)
            return 0;
        if ((in->end == in->cap || in->cap - in->end < FMT_IN_BUF / 4) && in_make_room(in) != 0)
            return -1;
        got = read(in->fd, in->buf + in->end, in->cap - in->end);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            in->err = errno;
            return -1;
        }
        if (got == 0)
            in->eof = 1;
        in->end += (size_t)got;
    }
    return 1;
}

int fmt_in_seek(fmt_in *in, uint64_t off)
{
    if (off >= in->base && off <= in->base + in->end) { /* still buffered */
        in->pos = (size_t)(off - in->base);
        return 0;
    }
    if (lseek(in->fd, (off_t)off, SEEK_SET) == (off_t)-1) {
        in->err = errno;
        return -1;
    }
    in->base = off;
    in->pos = in->end = 0;
    in->eof = 0;
    return 0;
}

/* ------------------------------------------------------------ files */

int fmt_file_temp(char **out_tmp, const char *path, fmt_alloc a)
{
    static const char fmt[] = "%s.invs-tmp-%ld-%u";
    size_t cap = strlen(path) + 48;
    char *tmp = a.realloc_fn(NULL, cap);
    unsigned i;
    int fd = -1;
    *out_tmp = NULL;
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    for (i = 0; i < 100 && fd < 0; i++) {
        snprintf(tmp, cap, fmt, path, (long)getpid(), i);
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        a.free_fn(tmp);
        errno = e;
        return -1;
    }
    *out_tmp = tmp;
    return fd;
}

int fmt_file_commit(int fd, const char *tmp, const char *path, fmt_alloc a)
{
    char *dir, *slash;
    size_t n = strlen(path);
    int dfd;
    if (fsync(fd) != 0 || rename(tmp, path) != 0)
        return -1;
    /* the rename is durable once the folder is */
    if (!(dir = a.realloc_fn(NULL, n + 2)))
        return 0;
    memcpy(dir, path, n + 1);
    slash = strrchr(dir, '/');
    if (!slash)
        memcpy(dir, ".", 2);
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(dfd);
        close(dfd);
    }
    a.free_fn(dir);
    return 0;
}

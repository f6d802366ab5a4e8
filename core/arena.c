/* A bump allocator: schema copies and push batches are many small pieces
 * with one lifetime. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

struct invs_arena_block {
    invs_arena_block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

void invs_arena_init(invs_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 4096;
}

void *invs_arena_alloc(invs_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    invs_arena_block *b = a->head;
    size_t off;
    if (b) {
        off = (b->used + align - 1) & ~(align - 1);
        if (off <= b->size && n <= b->size - off) {
            b->used = off + n;
            return b->data + off;
        }
    }
    {
        size_t size = n > a->block_size ? n : a->block_size;
        if (size > (size_t)-1 - sizeof(*b))
            return NULL;
        if (!(b = malloc(sizeof(*b) + size)))
            return NULL;
        b->size = size;
        b->used = n;
        b->next = a->head;
        a->head = b;
        return b->data;
    }
}

void *invs_arena_memdup(invs_arena *a, const void *p, size_t n)
{
    void *d = invs_arena_alloc(a, n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

char *invs_arena_strdup(invs_arena *a, const char *s)
{
    return s ? invs_arena_memdup(a, s, strlen(s) + 1) : NULL;
}

void invs_arena_reset(invs_arena *a)
{
    invs_arena_block *b = a->head, *keep = NULL;
    /* keep the oldest (last) block when it is the standard size */
    while (b) {
        invs_arena_block *next = b->next;
        if (!next && b->size == a->block_size) {
            keep = b;
            keep->used = 0;
        } else {
            free(b);
        }
        b = next;
    }
    a->head = keep;
}

void invs_arena_free(invs_arena *a)
{
    invs_arena_block *b = a->head;
    while (b) {
        invs_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

int invs_arena_copy_row(invs_arena *a, invs_value *dst, const invs_value *src, size_t ncols,
                        size_t *bytes)
{
    size_t i;
    memcpy(dst, src, ncols * sizeof(*dst));
    for (i = 0; i < ncols; i++)
        if ((dst[i].type == INVS_TEXT || dst[i].type == INVS_BLOB) && dst[i].len) {
            if (!(dst[i].ptr = invs_arena_memdup(a, src[i].ptr, src[i].len)))
                return INVS_ENOMEM;
            *bytes += src[i].len;
        }
    return INVS_OK;
}

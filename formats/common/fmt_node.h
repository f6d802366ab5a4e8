/*
 * fmt_node.h -- a small document tree for the parts of a file that are
 * small and read whole (a header, one table's description, a trailer),
 * whatever the container (JSON, msgpack). Rows never become trees: they
 * stream.
 *
 * Nodes live in an invs_pool (freed at once); a parser bounds their number,
 * their bytes and their depth (FMT_NODE_*), so a hostile file cannot make
 * one large. Every node keeps the byte offset it started at, for messages.
 */
#ifndef FMT_NODE_H
#define FMT_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "invstage/pool.h"

enum fmt_node_type {
    FN_NULL = 0,
    FN_BOOL,
    FN_INT,  /* i */
    FN_UINT, /* u: above INT64_MAX only */
    FN_REAL, /* d */
    FN_STR,  /* s, len: NUL-terminated (but may hold NUL bytes) */
    FN_BIN,  /* s, len */
    FN_ARR,  /* n kids */
    FN_MAP   /* n kids, each named keys[i] */
};

typedef struct fmt_node {
    int type;
    uint64_t off;
    int64_t i; /* FN_INT; FN_BOOL: 0 or 1 */
    uint64_t u;
    double d;
    const char *s;
    size_t len;
    size_t n;
    struct fmt_node *kids;
    const char **keys;
} fmt_node;

#define FMT_NODE_DEPTH 32
#define FMT_NODE_MAX (1u << 20)          /* nodes in one tree */
#define FMT_NODE_BYTES (64u * 1024 * 1024) /* string bytes in one tree */

/* What a parser may still spend on one tree. */
typedef struct fmt_node_budget {
    size_t nodes, bytes;
} fmt_node_budget;

static inline void fmt_node_budget_init(fmt_node_budget *b)
{
    b->nodes = FMT_NODE_MAX;
    b->bytes = FMT_NODE_BYTES;
}

/* The member `key` of a map, NULL when absent (or n not a map). */
const fmt_node *fmt_node_get(const fmt_node *map, const char *key);
/* What the type is called in messages ("a string", "an array"). */
const char *fmt_node_what(int type);

#endif

/* The small document tree (see fmt_node.h). */
#include "fmt_node.h"

const fmt_node *fmt_node_get(const fmt_node *map, const char *key)
{
    size_t i;
    if (!map || map->type != FN_MAP)
        return NULL;
    for (i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return &map->kids[i];
    return NULL;
}

const char *fmt_node_what(int type)
{
    switch (type) {
    case FN_NULL: return "null";
    case FN_BOOL: return "a boolean";
    case FN_INT:
    case FN_UINT: return "an integer";
    case FN_REAL: return "a number";
    case FN_STR: return "a string";
    case FN_BIN: return "binary data";
    case FN_ARR: return "an array";
    case FN_MAP: return "a map";
    }
    return "?";
}

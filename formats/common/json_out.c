/* JSON text out (see json_out.h). */
#include "fmt_text.h"
#include "json_out.h"

/* 1 for the bytes a JSON string cannot hold as themselves. */
static const unsigned char json_esc[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, ['"'] = 1, ['\\'] = 1};

static void json_put_escape(fmt_out *o, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char b[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    switch (c) {
    case '"': fmt_out_put(o, "\\\"", 2); return;
    case '\\': fmt_out_put(o, "\\\\", 2); return;
    case '\b': fmt_out_put(o, "\\b", 2); return;
    case '\f': fmt_out_put(o, "\\f", 2); return;
    case '\n': fmt_out_put(o, "\\n", 2); return;
    case '\r': fmt_out_put(o, "\\r", 2); return;
    case '\t': fmt_out_put(o, "\\t", 2); return;
    }
    fmt_out_put(o, b, 6);
}

void json_put_string(fmt_out *o, const unsigned char *s, size_t n)
{
    size_t i = 0;
    fmt_out_byte(o, '"');
    while (i < n) {
        size_t j = i;
        while (j < n && !json_esc[s[j]])
            j++;
        fmt_out_put(o, s + i, j - i);
        if (j == n)
            break;
        json_put_escape(o, s[j]);
        i = j + 1;
    }
    fmt_out_byte(o, '"');
}

void json_put_b64(fmt_out *o, const unsigned char *p, size_t n)
{
    const size_t chunk = 48 * 1024; /* a multiple of 3: no padding inside */
    fmt_out_byte(o, '"');
    while (n) {
        size_t k = n < chunk ? n : chunk;
        unsigned char *room = fmt_out_room(o, fmt_b64_len(k));
        if (!room)
            return;
        o->len += fmt_b64_encode((char *)room, p, k);
        p += k;
        n -= k;
    }
    fmt_out_byte(o, '"');
}

void json_emit_init(json_emit *e, fmt_out *o)
{
    memset(e, 0, sizeof(*e));
    e->o = o;
}

void json_emit_value(json_emit *e)
{
    if (e->after_key) {
        e->after_key = 0;
        return;
    }
    if (e->depth > 0) {
        if (!e->first[e->depth - 1])
            fmt_out_byte(e->o, ',');
        e->first[e->depth - 1] = 0;
    }
}

void json_emit_open(json_emit *e, char open)
{
    json_emit_value(e);
    fmt_out_byte(e->o, (unsigned char)open);
    if (e->depth < JSON_EMIT_DEPTH) {
        e->first[e->depth] = 1;
        e->close[e->depth] = open == '{' ? '}' : ']';
    }
    e->depth++;
}

void json_emit_close(json_emit *e)
{
    if (e->depth <= 0)
        return;
    e->depth--;
    fmt_out_byte(e->o, (unsigned char)(e->depth < JSON_EMIT_DEPTH ? e->close[e->depth] : '}'));
}

void json_emit_key(json_emit *e, const char *k)
{
    json_emit_value(e);
    json_put_string(e->o, (const unsigned char *)k, strlen(k));
    fmt_out_byte(e->o, ':');
    e->after_key = 1;
}

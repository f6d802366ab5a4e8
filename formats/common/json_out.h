/*
 * json_out.h -- JSON text out through fmt_out, for any driver under
 * formats/ that writes JSON (the invstage format, Django fixtures): strings
 * escaped as RFC 8259 requires and no more (UTF-8 is written as itself),
 * base64 in chunks (a large blob never needs a buffer of its size), and a
 * small emitter that puts the commas and colons of nested containers.
 */
#ifndef JSON_OUT_H
#define JSON_OUT_H

#include "fmt_io.h"

/* s[0..n), valid UTF-8 (the caller checked), as a JSON string. */
void json_put_string(fmt_out *o, const unsigned char *s, size_t n);
/* p[0..n) as a JSON string of its base64. */
void json_put_b64(fmt_out *o, const unsigned char *p, size_t n);

/* Commas and colons for nested containers written one call at a time. */
#define JSON_EMIT_DEPTH 16
typedef struct json_emit {
    fmt_out *o;
    int depth;
    int after_key;
    unsigned char first[JSON_EMIT_DEPTH];
    char close[JSON_EMIT_DEPTH];
} json_emit;

void json_emit_init(json_emit *e, fmt_out *o);
/* A value is about to be written: the comma before it, if any. */
void json_emit_value(json_emit *e);
void json_emit_open(json_emit *e, char open); /* '{' or '[' */
void json_emit_close(json_emit *e);
void json_emit_key(json_emit *e, const char *k);

#endif

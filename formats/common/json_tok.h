/*
 * json_tok.h -- a streaming JSON tokenizer (RFC 8259) over fmt_in, and a
 * bounded tree builder on top of it, for any driver under formats/ that
 * reads JSON (the invstage format, Django fixtures).
 *
 * One token at a time, in memory that does not grow with the document:
 * strings are unescaped into a buffer the caller owns (so a caller that
 * keeps several strings of one row appends them and resets per row);
 * integers are exact 64-bit values (signed, or unsigned past INT64_MAX;
 * beyond 64 bits is an error, never a double); other numbers are the
 * correctly rounded double. Every failure names its byte offset.
 */
#ifndef JSON_TOK_H
#define JSON_TOK_H

#include <locale.h>

#include "fmt_io.h"
#include "fmt_node.h"
#include "invstage/strbuf.h"

enum json_tok_type {
    JT_ERROR = -1,
    JT_EOF = 0,
    JT_LBRACE,   /* { */
    JT_RBRACE,   /* } */
    JT_LBRACKET, /* [ */
    JT_RBRACKET, /* ] */
    JT_COLON,
    JT_COMMA,
    JT_STRING, /* sb->p + str_off, str_len bytes (UTF-8, may hold NUL) */
    JT_INT,    /* i */
    JT_UINT,   /* u, above INT64_MAX */
    JT_REAL,   /* d */
    JT_TRUE,
    JT_FALSE,
    JT_NULL
};

/* What went wrong: the file's text, reading it, or memory. */
enum json_err { JE_NONE = 0, JE_SYNTAX, JE_IO, JE_NOMEM };

typedef struct json_tok {
    fmt_in *in;
    locale_t loc; /* "C" numbers for strtod; may be (locale_t)0 */
    int type;     /* of the last token */
    uint64_t off; /* where it starts */
    int64_t i;
    uint64_t u;
    double d;
    size_t str_off, str_len;
    int err;      /* enum json_err, after JT_ERROR */
    int sys_errno;
    uint64_t err_off;
    char msg[160];
} json_tok;

void json_tok_init(json_tok *t, fmt_in *in, locale_t loc);
/* The next token; a string's bytes are appended to sb. Returns t->type. */
int json_next(json_tok *t, invs_strbuf *sb);
/* Record a failure of the caller's own ("expected ':'") at offset off;
 * returns JT_ERROR. */
int json_fail(json_tok *t, uint64_t off, const char *fmt, ...) INVS_PRINTF(3, 4);
/* What a token is called in messages ("a string", "'}'"). */
const char *json_tok_what(int type);

/* The value whose first token was just read (t->type), whole, as a tree in
 * pool: at most FMT_NODE_DEPTH deep and within *budget. sb is scratch.
 * 0, or JT_ERROR with the reason in t. */
int json_node(json_tok *t, invs_strbuf *sb, invs_pool *pool, fmt_node_budget *budget,
              fmt_node *out);

#endif

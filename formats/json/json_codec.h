/* The JSON codec's parts (formats/FORMAT.md, "JSON"): writing in
 * json_write.c, reading in json_read.c, the driver table in json_driver.c. */
#ifndef JSON_CODEC_H
#define JSON_CODEC_H

#include "fmt_driver.h"
#include "json_out.h"
#include "json_tok.h"

/* writing */
int jw_open(fmt_conn *c);
void jw_close(fmt_conn *c);
void jw_header(fmt_conn *c, size_t ntables);
void jw_table(fmt_conn *c, const invs_table *t, size_t i);
void jw_data_begin(fmt_conn *c, size_t i);
int jw_rows(fmt_writer *w, const invs_value *rows, size_t nrows);
void jw_data_end(fmt_conn *c, size_t i);
void jw_trailer(fmt_conn *c);
void jw_map(fmt_conn *c, size_t n);
void jw_arr(fmt_conn *c, size_t n);
void jw_end(fmt_conn *c);
void jw_key(fmt_conn *c, const char *k);
void jw_str(fmt_conn *c, const char *s);
void jw_int(fmt_conn *c, int64_t v);

/* reading */
int jr_open(fmt_conn *c, fmt_reader *r);
void jr_close(fmt_reader *r);
int jr_header(fmt_conn *c, invs_pool *pool, fmt_node *out);
int jr_table(fmt_conn *c, invs_pool *pool, fmt_node *out);
int jr_section(fmt_conn *c, int at_offset, invs_pool *pool, fmt_section *sec);
int jr_row(fmt_conn *c, fmt_rowbuf *rb);

#endif

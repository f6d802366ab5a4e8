/* The msgpack codec's parts (formats/FORMAT.md, "msgpack"): writing in
 * mp_write.c, reading in mp_read.c, the driver table in mp_driver.c. */
#ifndef MP_CODEC_H
#define MP_CODEC_H

#include "fmt_driver.h"

/* writing */
int mw_open(fmt_conn *c);
void mw_close(fmt_conn *c);
void mw_header(fmt_conn *c, size_t ntables);
void mw_table(fmt_conn *c, const invs_table *t, size_t i);
void mw_data_begin(fmt_conn *c, size_t i);
int mw_rows(fmt_writer *w, const invs_value *rows, size_t nrows);
void mw_data_end(fmt_conn *c, size_t i);
void mw_trailer(fmt_conn *c);
void mw_map(fmt_conn *c, size_t n);
void mw_arr(fmt_conn *c, size_t n);
void mw_end(fmt_conn *c);
void mw_key(fmt_conn *c, const char *k);
void mw_str(fmt_conn *c, const char *s);
void mw_int(fmt_conn *c, int64_t v);

/* reading */
int mr_open(fmt_conn *c, fmt_reader *r);
void mr_close(fmt_reader *r);
int mr_header(fmt_conn *c, invs_pool *pool, fmt_node *out);
int mr_table(fmt_conn *c, invs_pool *pool, fmt_node *out);
int mr_section(fmt_conn *c, int at_offset, invs_pool *pool, fmt_section *sec);
int mr_row(fmt_conn *c, fmt_rowbuf *rb);

#endif

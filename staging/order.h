#ifndef INVS_ORDER_H
#define INVS_ORDER_H

#include "invstage/driver.h"

/* out[0..n) = indexes of ts in load order; *out_broken = cycles broken. */
int invs_order_tables(size_t *out, const invs_table *const *ts, size_t n, size_t *out_broken);

#endif

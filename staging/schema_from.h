/* import --schema-from: the tables a typeless source reads onto. */
#ifndef INVS_SCHEMA_FROM_H
#define INVS_SCHEMA_FROM_H

#include "stage.h"

/* Read the schema of `from` (a URI, read through its own driver, or a
 * stage file) into *given and hand it to src's driver (schema_given).
 * *given stays the caller's, alive until src is closed. */
int invs_schema_from(invs_job *j, invs_conn *src, const char *from, invs_schema_list *given);

/* The rows of the stage's table `name` (if it has one) to to's driver by
 * row_given, as table `as` (NULL: the stage's own description). */
int invs_stage_rows_give(invs_job *j, invs_stage *st, const char *name, invs_conn *to,
                         const invs_table *as);
/* Every table of to's driver's given_rows the stage has, so (push) before
 * anything is asked of the target's tables. */
int invs_stage_rows_wanted(invs_job *j, invs_stage *st, invs_conn *to);

#endif

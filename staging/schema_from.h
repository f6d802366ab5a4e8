/* import --schema-from: the tables a typeless source reads onto. */
#ifndef INVS_SCHEMA_FROM_H
#define INVS_SCHEMA_FROM_H

#include "stage.h"

/* Read the schema of `from` (a URI, read through its own driver, or a
 * stage file) into *given and hand it to src's driver (schema_given).
 * *given stays the caller's, alive until src is closed. */
int invs_schema_from(invs_job *j, invs_conn *src, const char *from, invs_schema_list *given);

#endif

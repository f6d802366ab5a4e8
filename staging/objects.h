/* Schema objects beside tables (invs_object) through pull and push:
 * staging/objects.c. */
#ifndef INVS_OBJECTS_H
#define INVS_OBJECTS_H

#include "stage.h"

/* Pull: the source's objects (objects_read, where the driver has it) into
 * the stage; each that invstage does not copy (a function, a trigger, a
 * sequence no column uses) is named in a warning. */
int invs_objects_pull(invs_job *j, invs_conn *src, invs_stage *stage);

/* Push: the stage's types (views = 0: enums, domains; before the tables)
 * or views (views = 1: views, materialized views; after the data), each
 * made by the target's object_create. What the target cannot make, and
 * (with the types) each object that is not copied, is named in a warning. */
int invs_objects_push(invs_job *j, invs_conn *dst, const invs_object_list *objs, int views);

#endif

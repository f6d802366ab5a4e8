#ifndef INVS_VERSION_GUARD_H
#define INVS_VERSION_GUARD_H

#include "stage.h"

/* If st is an application's migration table (django_migrations, Rails
 * schema_migrations, alembic_version, flyway_schema_history) and the target
 * has applied migrations, refuse (INVS_EREFUSED, listing the first
 * differences) unless both name the same migrations. */
int invs_version_guard(invs_job *j, invs_stage *stage, const invs_stage_table *st,
                       invs_conn *target, const invs_table *target_table);

#endif

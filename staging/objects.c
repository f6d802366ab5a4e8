/*
 * Schema objects beside tables, from a source into the stage and from the
 * stage into a target. The objects' SQL is the source engine's: a driver
 * makes an object only when it can say it (INVS_HINT_NATIVE tells it the
 * text is its own), and every object that does not arrive is named, so
 * that a user reading the warnings knows all that the target lacks.
 */

#include "objects.h"

typedef struct objects_sink {
    invs_job *j;
    invs_stage *stage;
} objects_sink;

static int objects_not_copied(int kind)
{
    return kind == INVS_OBJ_FUNCTION || kind == INVS_OBJ_TRIGGER || kind == INVS_OBJ_SEQUENCE ||
           kind == INVS_OBJ_OTHER;
}

static void objects_warn_not_copied(invs_job *j, const invs_object *o)
{
    if (o->kind == INVS_OBJ_TRIGGER && o->table)
        invs_log(j->ctx, INVS_LOG_WARN, "trigger %s on table %s is not copied", o->name,
                 o->table);
    else if (o->kind == INVS_OBJ_OTHER && o->table) /* its name says what it is: "rule r" */
        invs_log(j->ctx, INVS_LOG_WARN, "%s on table %s is not copied", o->name, o->table);
    else
        invs_log(j->ctx, INVS_LOG_WARN, "%s %s is not copied", invs_object_kind_name(o->kind),
                 o->name);
}

static int objects_keep(const invs_object *o, void *payload)
{
    objects_sink *k = payload;
    int rc;
    if (objects_not_copied(o->kind))
        objects_warn_not_copied(k->j, o);
    if ((rc = invs_stage_add_object(k->stage, o)) != INVS_OK)
        invs_stage_err(k->j, k->stage, rc);
    return rc;
}

int invs_objects_pull(invs_job *j, invs_conn *src, invs_stage *stage)
{
    const invs_driver *d = src->drv;
    objects_sink k = {j, stage};
    int rc;
    if (!INVS_HAS(d, invs_driver, objects_read) || !d->objects_read)
        return INVS_OK;
    if ((rc = d->objects_read(src->h, objects_keep, &k)) < 0 && !j->diag.code)
        invs_conn_err(j, src, rc);
    return rc;
}

static int objects_is_view(int kind)
{
    return kind == INVS_OBJ_VIEW || kind == INVS_OBJ_MATVIEW;
}

/* One object into the target; what it cannot make is a warning. */
static int objects_make(invs_job *j, invs_conn *dst, const invs_object *o)
{
    const invs_driver *d = dst->drv;
    uint32_t hints = invs_conn_native(dst, o->engine);
    int rc = INVS_EUNSUPPORTED;
    dst->sess.diag.code = 0;
    if (INVS_HAS(d, invs_driver, object_create) && d->object_create &&
        (d->caps & INVS_CAP_TXN_DDL))
        rc = d->object_create(dst->h, o, hints);
    if (rc != INVS_EUNSUPPORTED) {
        if (rc < 0 && !j->diag.code)
            invs_conn_err(j, dst, rc);
        if (rc < 0)
            invs_diag_prefix(&j->diag, "push: %s %s", invs_object_kind_name(o->kind), o->name);
        return rc;
    }
    invs_log(j->ctx, INVS_LOG_WARN, "%s %s (from %s) is not created in %s%s%s",
             invs_object_kind_name(o->kind), o->name, o->engine ? o->engine : "?",
             dst->redacted, dst->sess.diag.code == INVS_EUNSUPPORTED ? ": " : "",
             dst->sess.diag.code == INVS_EUNSUPPORTED ? dst->sess.diag.msg : "");
    dst->sess.diag.code = 0;
    return INVS_OK;
}

int invs_objects_push(invs_job *j, invs_conn *dst, const invs_object_list *objs, int views)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < objs->n && rc == INVS_OK; i++) {
        const invs_object *o = objs->v[i];
        if (objects_not_copied(o->kind)) {
            if (!views)
                objects_warn_not_copied(j, o);
            continue;
        }
        if (objects_is_view(o->kind) == !!views)
            rc = objects_make(j, dst, o);
    }
    return rc;
}

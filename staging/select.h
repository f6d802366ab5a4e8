/*
 * select.h -- which tables a pull or an export takes: --table and
 * --exclude, glob patterns (fnmatch), one rule for both commands.
 */
#ifndef INVS_SELECT_H
#define INVS_SELECT_H

#include "stage.h"

typedef struct invs_select {
    const char *const *tables; /* only tables matching one of these; none: all */
    size_t ntables;
    const char *const *excludes; /* never tables matching one of these */
    size_t nexcludes;
    unsigned char *used; /* per tables entry: it matched a table */
} invs_select;

/* The patterns are borrowed. INVS_ENOMEM on failure (nothing recorded). */
int invs_select_init(invs_select *s, const char *const *tables, size_t ntables,
                     const char *const *excludes, size_t nexcludes);
void invs_select_free(invs_select *s);
/* Whether table `name` is taken (and the patterns it matched are used). */
int invs_select_has(invs_select *s, const char *name);
/* After every name was asked: INVS_EINVAL naming the first --table pattern
 * that matched nothing in what name ("source", "sqlite:x.db"), or INVS_OK. */
int invs_select_check_used(const invs_select *s, invs_diag_rec *diag, const char *what,
                           const char *name);
/* A warning for each foreign key of ts[0..n) whose parent is not among
 * them: the rows went, their parents stayed behind (`where`: "stage").
 * With drop (pull --drop-dangling-fks), those keys are removed from the
 * tables, which must be the host's own copies, and the warning says so. */
void invs_select_warn_refs(invs_ctx *ctx, invs_table *const *ts, size_t n, int drop,
                           const char *where);
/* Keep only the stage's loaded tables that s takes (an export of some
 * tables); the reason for a failure is in diag. */
int invs_stage_select(invs_stage *st, invs_select *s, invs_diag_rec *diag);
/* The tables the target's driver says it cannot hold (table_held) leave
 * the stage as push sees it, named in one warning. */
int invs_stage_keep_held(invs_stage *st, invs_job *j, invs_conn *target);

#endif

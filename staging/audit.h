/*
 * audit.h -- what verify found and what it changed, kept in the stage.
 *
 *   invs_findings  one row per (check, table, column): severity, how many,
 *                  the first keys, a detail
 *   invs_changes   one row per changed cell: the value as pulled (old),
 *                  the value now (new), why; undo puts every old value back
 */
#ifndef INVS_AUDIT_H
#define INVS_AUDIT_H

#include "stage.h"

#define INVS_SEV_ERROR "error"
#define INVS_SEV_WARNING "warning"

typedef struct invs_finding {
    const char *check;
    const char *severity;
    const char *table;
    const char *column; /* NULL: the whole table */
    int64_t count;
    const char *keys;   /* the first keys, "(id)=(5), (id)=(9)" */
    const char *detail;
} invs_finding;

/* Create the audit tables if this stage has none yet (format 1 stages
 * gain them on their first verify). */
int invs_audit_prepare(invs_stage *st);
int invs_audit_clear_findings(invs_stage *st);
int invs_audit_finding(invs_stage *st, const invs_finding *f);
/* Record that cell (tid, rid, col) becomes `new_value`; its first old value
 * is kept whatever later verifies change. */
int invs_audit_change(invs_stage *st, int64_t tid, int64_t rid, size_t col,
                      const invs_value *old_value, const invs_value *new_value,
                      const char *reason);
/* Write every pending change of table tid into its data. */
int invs_audit_apply(invs_stage *st, const invs_stage_table *t);
/* Put every changed cell back as pulled and forget findings and changes;
 * *restored = cells put back. */
int invs_audit_undo(invs_stage *st, int64_t *restored);

typedef struct invs_change {
    const char *table;
    const char *column;
    int64_t row;
    const char *reason;
    const void *old_value; /* bytes as pulled */
    size_t old_len;
    const void *new_value;
    size_t new_len;
} invs_change;
typedef int (*invs_change_fn)(const invs_change *c, void *payload);
/* Every changed cell, table by table; nothing if the stage has no audit. */
int invs_audit_each_change(invs_stage *st, invs_change_fn fn, void *payload);
/* Error and warning findings; both 0 if the stage has no audit. */
int invs_audit_counts(invs_stage *st, int64_t *errors, int64_t *warnings);

typedef int (*invs_finding_fn)(const invs_finding *f, void *payload);
/* Every finding, errors first; and the number of changed cells. */
int invs_audit_findings(invs_stage *st, invs_finding_fn fn, void *payload);
int64_t invs_audit_changes(invs_stage *st);
/* What verify saw and said, sealed: every table's name, rows and digest and
 * every finding, hashed. Verify records it; push recomputes it, so a stage
 * changed after it was verified (rows, tables or findings) is not trusted. */
int invs_audit_seal(invs_stage *st, char out[INVS_DIGEST_HEX]);
/* Error findings: how many, and the first as "check table.column key". */
int invs_audit_errors(invs_stage *st, int64_t *count, invs_strbuf *first);

#endif

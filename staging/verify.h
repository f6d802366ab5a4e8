/* verify.h -- the passes of invstage verify, between its files. */
#ifndef INVS_VERIFY_H
#define INVS_VERIFY_H

#include "audit.h"

typedef struct invs_verify_run {
    invs_stage *st;
    const invs_verify_opts *o;
    const char *charset; /* for text that is not UTF-8 */
    int typed_target;    /* the target has strict types (PostgreSQL, MySQL) */
    int pg_target;       /* the target is PostgreSQL */
    int mysql_target;    /* the target is MySQL / MariaDB */
    int64_t errors, warnings, changed;
} invs_verify_run;

/* Record a finding (count > 0), counting it as error or warning. */
int invs_verify_report(invs_verify_run *v, const char *check, int error, const char *table,
                       const char *column, int64_t count, const char *keys, const char *detail);
/* "(id)=(5)" for a row of t, or "row N" where t has no primary key. */
void invs_verify_row_key(invs_strbuf *sb, const invs_table *t, const invs_value *row, int64_t rid);

int invs_verify_text(invs_verify_run *v, const invs_stage_table *t);
int invs_verify_keys(invs_verify_run *v, const invs_stage_table *t);

/* Whether UTF-8 bytes are valid (no overlongs, surrogates, or > U+10FFFF). */
int invs_utf8_valid(const unsigned char *p, size_t n);

#endif

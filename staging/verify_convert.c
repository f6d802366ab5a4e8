/*
 * verify --target URI, the conversion pass: every row of a table the
 * target already has (made by the application's migrations) goes through
 * core/convert.c exactly as push will send it, so what push would refuse
 * is a finding now, before anything is written:
 *
 *   not-convertible   a value the target column cannot take (table,
 *                     column, the first keys, why)
 *   decimal-rounded   with --round-decimals: a value with more decimals
 *                     than its decimal(p,s) column keeps, rounded half-even
 *                     in the stage (the value as pulled is kept; --undo
 *                     restores it), so that push sends what fits exactly
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

#define FIRST_KEYS 5

typedef struct conv_tally {
    int64_t refused, rounded;
    const char *why; /* the first refusal's */
    invs_strbuf keys, rkeys;
} conv_tally;

typedef struct conv_pass {
    invs_verify_run *v;
    const invs_stage_table *st;
    const invs_table *t;
    invs_convert strict, rounding;
    conv_tally *tally;
    invs_value *now; /* the row as it will be */
    invs_strbuf enc, reason;
    int64_t changed;
} conv_pass;

static void conv_key(invs_strbuf *keys, int64_t count, const invs_table *t,
                     const invs_value *row, int64_t rid)
{
    if (count > FIRST_KEYS)
        return;
    if (keys->len)
        invs_sb_puts(keys, ", ");
    invs_sb_row_key(keys, t, row, rid);
}

static int conv_open(conv_pass *p, const invs_table *target)
{
    size_t i, n = p->t->ncols;
    invs_sb_init_std(&p->enc);
    invs_sb_init_std(&p->reason);
    if (invs_convert_plan(&p->strict, p->t, target, p->v->tz) != INVS_OK ||
        invs_convert_plan(&p->rounding, p->t, target, p->v->tz) != INVS_OK ||
        !(p->tally = calloc(n + 1, sizeof(*p->tally))) ||
        !(p->now = calloc(n + 1, sizeof(*p->now))))
        return invs_diag_oom(&p->v->st->diag);
    p->rounding.round_decimals = 1;
    for (i = 0; i < n; i++) {
        invs_sb_init_std(&p->tally[i].keys);
        invs_sb_init_std(&p->tally[i].rkeys);
    }
    return INVS_OK;
}

static void conv_close(conv_pass *p)
{
    size_t i;
    for (i = 0; p->tally && i < p->t->ncols; i++) {
        invs_sb_free(&p->tally[i].keys);
        invs_sb_free(&p->tally[i].rkeys);
    }
    free(p->tally);
    free(p->now);
    invs_convert_free(&p->strict);
    invs_convert_free(&p->rounding);
    invs_sb_free(&p->enc);
    invs_sb_free(&p->reason);
}

/* Column i of row rid: as push sends it, or a finding; rounded in the
 * stage where --round-decimals allows and rounding alone would do. */
static int conv_cell(conv_pass *p, const invs_value *row, int64_t rid, size_t i)
{
    conv_tally *c = &p->tally[i];
    const invs_column *to = p->strict.to[i];
    invs_value out;
    const char *why;
    int rc;

    p->now[i] = row[i];
    if ((rc = invs_convert_value(&p->strict, i, &row[i], &out, &why)) != INVS_ETYPE)
        return rc == INVS_ENOMEM ? invs_diag_oom(&p->v->st->diag) : INVS_OK;
    if (p->strict.would_round && p->v->o->round_decimals &&
        (rc = invs_convert_value(&p->rounding, i, &row[i], &out, &why)) == INVS_ENOMEM)
        return invs_diag_oom(&p->v->st->diag);
    if (!p->strict.would_round || !p->v->o->round_decimals || rc != INVS_OK) {
        if (to->canon == INVS_T_BOOL && p->t->cols[i].canon == INVS_T_BOOL)
            return INVS_OK; /* the integrity pass says not-a-boolean already */
        if (!c->refused++)
            c->why = why;
        conv_key(&c->keys, c->refused, p->t, row, rid);
        return INVS_OK;
    }
    invs_sb_reset(&p->reason);
    invs_sb_printf(&p->reason, "rounded half-even into the target's %s (--round-decimals)",
                   to->decl && *to->decl ? to->decl : "decimal");
    if (invs_sb_failed(&p->reason))
        return invs_diag_oom(&p->v->st->diag);
    if ((rc = invs_audit_change(p->v->st, p->st->tid, rid, i, &row[i], &out, p->reason.p)) !=
        INVS_OK)
        return rc;
    conv_key(&c->rkeys, ++c->rounded, p->t, row, rid);
    p->changed++;
    p->now[i] = out; /* valid until the next conversion of this plan: digested first */
    return INVS_OK;
}

static int conv_rows(conv_pass *p, invs_digest *dg)
{
    invs_stage_reader *r = NULL;
    const invs_value *row;
    int64_t rid = 0;
    size_t i;
    int rc;
    if ((rc = invs_stage_reader_open(&r, p->v->st, p->st)) != INVS_OK)
        return rc;
    while ((rc = invs_stage_reader_next(r, &row)) == INVS_ROW) {
        rid++;
        invs_sb_reset(&p->enc);
        for (i = 0; i < p->t->ncols && rc == INVS_ROW; i++) {
            if (p->strict.kind[i] != INVS_CONV_NONE && (rc = conv_cell(p, row, rid, i)) == INVS_OK)
                rc = INVS_ROW;
            else if (p->strict.kind[i] == INVS_CONV_NONE)
                p->now[i] = row[i];
            if (rc == INVS_ROW)
                invs_digest_value(&p->enc, &p->t->cols[i], &p->now[i]);
        }
        if (rc != INVS_ROW)
            break;
        invs_digest_add(dg, p->enc.p ? p->enc.p : "", p->enc.len, NULL, NULL);
    }
    invs_stage_reader_close(r);
    if (rc == INVS_DONE && invs_sb_failed(&p->enc))
        rc = invs_diag_oom(&p->v->st->diag);
    return rc == INVS_DONE ? INVS_OK : rc;
}

static int conv_report(conv_pass *p)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < p->t->ncols && rc == INVS_OK; i++) {
        conv_tally *c = &p->tally[i];
        const invs_column *to = p->strict.to[i];
        char detail[512];
        const char *type = to && to->decl && *to->decl ? to->decl : "its type";
        if (c->refused) {
            snprintf(detail, sizeof(detail), "the value %s, so it cannot go into the target's "
                                             "%s column; push would refuse it",
                     c->why, type);
            rc = invs_verify_report(p->v, "not-convertible", 1, p->t->name, p->t->cols[i].name,
                                    c->refused, c->keys.p, detail);
        }
        if (rc == INVS_OK && c->rounded) {
            snprintf(detail, sizeof(detail),
                     "rounded half-even into the target's %s (--round-decimals; the values as "
                     "pulled are kept, --undo restores them)",
                     type);
            rc = invs_verify_report(p->v, "decimal-rounded", 0, p->t->name, p->t->cols[i].name,
                                    c->rounded, c->rkeys.p, detail);
        }
    }
    return rc;
}

int invs_verify_convert(invs_verify_run *v, const invs_stage_table *st, const invs_table *target)
{
    conv_pass p;
    invs_digest dg;
    char hex[INVS_DIGEST_HEX];
    int rc;

    memset(&p, 0, sizeof(p));
    p.v = v;
    p.st = st;
    p.t = &st->schema->t;
    invs_digest_init(&dg);
    if ((rc = conv_open(&p, target)) == INVS_OK && p.strict.any &&
        (rc = conv_rows(&p, &dg)) == INVS_OK && (rc = conv_report(&p)) == INVS_OK && p.changed) {
        invs_digest_hex(&dg, hex);
        if ((rc = invs_audit_apply(v->st, st)) == INVS_OK)
            rc = invs_stage_set_digest(v->st, st->tid, hex);
        v->changed += p.changed;
    }
    conv_close(&p);
    if (rc != INVS_OK)
        invs_diag_prefix(&v->st->diag, "verify: table %s, into the target's", p.t->name);
    return rc;
}

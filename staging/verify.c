/*
 * invstage verify: the checks that run in the stage, before any target is
 * touched. One write transaction: an interrupted verify leaves the stage as
 * it was. Findings replace the previous verify's; changes accumulate, each
 * cell keeping the bytes it was pulled with, so --undo restores the stage
 * exactly as pulled.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proof.h"
#include "verify.h"

int invs_verify_report(invs_verify_run *v, const char *check, int error, const char *table,
                       const char *column, int64_t count, const char *keys, const char *detail)
{
    invs_finding f = {check, error ? INVS_SEV_ERROR : INVS_SEV_WARNING, table, column, count,
                      keys, detail};
    if (count <= 0)
        return INVS_OK;
    if (error)
        v->errors++;
    else
        v->warnings++;
    return invs_audit_finding(v->st, &f);
}

void invs_verify_row_key(invs_strbuf *sb, const invs_table *t, const invs_value *row, int64_t rid)
{
    const invs_key *pk = invs_schema_primary_key(t);
    size_t k;
    if (!pk) {
        invs_sb_printf(sb, "row %lld", (long long)rid);
        return;
    }
    invs_sb_puts(sb, "(");
    for (k = 0; k < pk->ncols; k++)
        invs_sb_printf(sb, "%s%s", k ? ", " : "", pk->cols[k]);
    invs_sb_puts(sb, ")=(");
    for (k = 0; k < pk->ncols; k++) {
        long c = invs_schema_column(t, pk->cols[k]);
        const invs_value *v = c >= 0 ? &row[c] : NULL;
        if (k)
            invs_sb_puts(sb, ", ");
        if (!v || v->type == INVS_NULL)
            invs_sb_puts(sb, "NULL");
        else if (v->type == INVS_INT)
            invs_sb_printf(sb, "%lld", (long long)v->num.i);
        else if (v->type == INVS_REAL)
            invs_sb_printf(sb, "%.17g", v->num.d);
        else if (v->type == INVS_TEXT)
            invs_sb_printf(sb, "'%.*s'", (int)(v->len > 40 ? 40 : v->len), (const char *)v->ptr);
        else
            invs_sb_printf(sb, "<%zu bytes>", v->len);
    }
    invs_sb_puts(sb, ")");
}

/* invs_is_number(x): whether text is a number an engine can read: decimal
 * digits with sign, point and exponent, or NaN / Infinity. */
static void verify_is_number(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    char *end;
    (void)argc;
    if (!s) {
        sqlite3_result_int(cx, 0);
        return;
    }
    while (*s == ' ')
        s++;
    if (!*s || ((s[0] == '0') && (s[1] == 'x' || s[1] == 'X'))) {
        sqlite3_result_int(cx, 0);
        return;
    }
    strtod(s, &end);
    while (*end == ' ')
        end++;
    sqlite3_result_int(cx, end != s && *end == '\0');
}

static int verify_differs(const invs_stage_table *t, const char *key, const char *why,
                          void *payload)
{
    return invs_verify_report(payload, "target-differs", 1, t->schema->t.name, NULL, 1, key, why);
}

/* verify --against: the target holds exactly the stage's rows? */
static int verify_against(invs_verify_run *v, const char *uri)
{
    invs_conn *target = NULL;
    invs_tz *tz = NULL;
    int64_t differ = 0;
    int rc;
    if ((rc = invs_tz_open_option(v->st->ctx, v->o->assume_tz, &tz)) != INVS_OK)
        return rc;
    if ((rc = sqlite3_exec(v->st->db, "DELETE FROM invs_findings WHERE check_name ="
                                      " 'target-differs'",
                           NULL, NULL, NULL)) != SQLITE_OK)
        rc = invs_stage_sqlerr(v->st, INVS_EIO, "clearing findings");
    else if ((rc = invs_conn_open(&target, v->st->ctx, uri, "target", INVS_CAP_PULL,
                                  INVS_OPEN_READ, v->o->driver_options)) == INVS_OK)
        rc = invs_proof(v->st->ctx, v->st, target, tz, NULL, NULL, verify_differs, v, &differ);
    invs_conn_close(target);
    invs_tz_free(tz);
    return rc;
}

static int verify_days_in(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

/* invs_date_ok(x, with_time, mysql): text that is a real date "Y-MM-DD"
 * (at least 4 year digits, optionally " BC"), then for timestamps
 * " HH:MM..." or "THH:MM..."; 'infinity' passes. 0000-00-00 and 2026-02-30
 * do not, nor for MySQL years outside 1000-9999 or BC. */
static void verify_date_ok(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    int with_time = sqlite3_value_int(argv[1]), mysql = sqlite3_value_int(argv[2]), m, d, n = 0;
    long y;
    char *end;
    (void)argc;
    if (!s || !strcmp(s, "infinity") || !strcmp(s, "-infinity")) {
        sqlite3_result_int(cx, s != NULL && !mysql);
        return;
    }
    y = strtol(s, &end, 10);
    if (end - s < 4 || *s == '-' || *s == '+' || *end != '-' ||
        sscanf(end, "-%2d-%2d%n", &m, &d, &n) != 2 || n != 6 || m < 1 || m > 12 || d < 1 ||
        y < 1 || d > verify_days_in((int)(y % 400), m) || (mysql && (y < 1000 || y > 9999))) {
        sqlite3_result_int(cx, 0);
        return;
    }
    s = end + 6;
    if (!strncmp(s, " BC", 3)) {
        if (mysql) {
            sqlite3_result_int(cx, 0);
            return;
        }
        s += 3;
    }
    if (with_time && (*s == ' ' || *s == 'T')) {
        int h, mi;
        if (sscanf(s + 1, "%2d:%2d", &h, &mi) != 2 || h > 24 || mi > 59) {
            sqlite3_result_int(cx, 0);
            return;
        }
        sqlite3_result_int(cx, 1);
        return;
    }
    sqlite3_result_int(cx, *s == '\0');
}

/* invs_decimal_fit(x, p, s): 0 fits decimal(p,s); 1 too many integer digits
 * (the target refuses it); 2 too many decimals (the target rounds it);
 * NULL when x is not a number. */
static void verify_decimal_fit(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    int p = sqlite3_value_int(argv[1]), sc = sqlite3_value_int(argv[2]);
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    char buf[INVS_DOUBLE_TEXT];
    invs_strbuf sb;
    (void)argc;
    invs_sb_init_std(&sb);
    if (s && sqlite3_value_type(argv[0]) == SQLITE_FLOAT && isfinite(sqlite3_value_double(argv[0]))) {
        invs_double_text(buf, sqlite3_value_double(argv[0]));
        s = buf;
    }
    if (s && invs_decimal_normalize(&sb, s, strlen(s)) != 0)
        s = NULL;
    if (!s || !sb.p || strchr(sb.p, 'E')) {
        if (s && sb.p) /* beyond 400 digits: too big for any precision */
            sqlite3_result_int(cx, 1);
        else
            sqlite3_result_null(cx);
    } else {
        const char *q = sb.p[0] == '-' ? sb.p + 1 : sb.p, *dot = strchr(q, '.');
        long ints = dot ? (long)(dot - q) : (long)strlen(q), frac = dot ? (long)strlen(dot + 1) : 0;
        if (ints == 1 && q[0] == '0')
            ints = 0;
        sqlite3_result_int(cx, ints > p - sc ? 1 : frac > sc ? 2 : 0);
    }
    invs_sb_free(&sb);
}

/* The engine a --target names (a name or a URI), into buf; NULL if none. */
static const char *verify_target_engine(char *buf, size_t cap, const char *target)
{
    invs_uri *u = NULL;
    if (!target)
        return NULL;
    if (strchr(target, ':') && invs_uri_parse(&u, target) == INVS_OK) {
        snprintf(buf, cap, "%s", invs_driver_for_scheme(u->scheme));
        invs_uri_free(u);
        return buf;
    }
    snprintf(buf, cap, "%s", invs_driver_for_scheme(target));
    return buf;
}

int invs_verify(invs_verify_summary *out, invs_ctx *ctx, const char *stage_path,
                const invs_verify_opts *opts)
{
    static const invs_verify_opts no_opts;
    invs_verify_run v;
    invs_stage *st = NULL;
    const char *engine;
    char engine_buf[32];
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&v, 0, sizeof(v));
    invs_diag_clear(ctx);
    ctx->phase = "verify";
    v.o = opts ? opts : &no_opts;
    v.charset = v.o->charset ? v.o->charset : "CP1252";
    engine = verify_target_engine(engine_buf, sizeof(engine_buf), v.o->target);
    if (engine && strcmp(engine, "postgres") && strcmp(engine, "sqlite") && strcmp(engine, "mysql"))
        return invs_diag(ctx, INVS_EINVAL, "unknown target '%s': expected postgres, mysql, "
                                           "sqlite or a URI", v.o->target);
    v.pg_target = engine && !strcmp(engine, "postgres");
    v.mysql_target = engine && !strcmp(engine, "mysql");
    v.typed_target = v.pg_target || v.mysql_target;
    if ((rc = invs_stage_open(&st, ctx, stage_path, INVS_STAGE_WRITE)) != INVS_OK ||
        (rc = invs_stage_load_schema(st)) != INVS_OK || (rc = invs_audit_prepare(st)) != INVS_OK)
        goto out;
    v.st = st;
    if (v.o->undo) {
        rc = invs_audit_undo(st, &out->changes);
        if (rc == INVS_OK)
            rc = invs_stage_meta_set(st, "state", INVS_STATE_PULLED);
        goto commit;
    }
    if (v.o->against) {
        rc = verify_against(&v, v.o->against);
        out->errors = v.errors;
        goto commit;
    }
    if (sqlite3_create_function(st->db, "invs_is_number", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                NULL, verify_is_number, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(st->db, "invs_date_ok", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                NULL, verify_date_ok, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(st->db, "invs_decimal_fit", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                NULL, verify_decimal_fit, NULL, NULL) != SQLITE_OK) {
        rc = invs_stage_sqlerr(st, INVS_ENOMEM, "registering a function");
        goto out;
    }
    if ((rc = invs_audit_clear_findings(st)) != INVS_OK)
        goto out;
    for (i = 0; i < st->ntables && rc == INVS_OK; i++) {
        invs_progress(ctx, st->tables[i].schema->t.name, 0, st->tables[i].rows);
        if ((rc = invs_verify_text(&v, &st->tables[i])) == INVS_OK)
            rc = invs_verify_keys(&v, &st->tables[i]);
        if (ctx->cancel && rc == INVS_OK)
            rc = invs_diag(ctx, INVS_ECANCELLED, "interrupted");
        invs_progress(ctx, st->tables[i].schema->t.name, st->tables[i].rows, st->tables[i].rows);
    }
    if (rc == INVS_OK)
        rc = invs_stage_meta_set(st, "state", INVS_STATE_VERIFIED);
    if (rc == INVS_OK)
        rc = invs_stage_meta_set(st, "verify_target", engine ? engine : "");
    out->errors = v.errors;
    out->warnings = v.warnings;
    out->changes = invs_audit_changes(st);
commit:
    if (rc == INVS_OK)
        rc = invs_stage_commit(st);
out:
    invs_stage_close(st); /* without a commit: everything rolled back */
    if (rc == INVS_OK && out->errors)
        rc = invs_diag(ctx, INVS_EVERIFY, "verify: %lld error(s), %lld warning(s) in %s",
                       (long long)out->errors, (long long)out->warnings, stage_path);
    return rc;
}

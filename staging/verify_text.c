/*
 * verify, the text pass: every TEXT value of a table, streamed.
 *
 * Not UTF-8: transcoded from the column's charset (MySQL latin1 columns) or
 * --charset (default CP1252, what MySQL calls latin1 and Windows tools
 * write); bytes that cannot be decoded even so are an error, never replaced.
 * NUL bytes: removed with --strip-nul, otherwise an error for a target
 * whose driver says it cannot store them (PostgreSQL), a warning for any
 * other. --nfc puts
 * text in Unicode NFC (utf8proc). Every change is recorded with the bytes as
 * pulled. Valid UTF-8 that is really UTF-8 read as the legacy charset and
 * encoded again ("Ã©" for "é") is reported, not changed: only a person can
 * tell it from a genuine "Ã©".
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "profile.h"
#include "verify.h"

#define FIRST_KEYS 5

/* The iconv name of a charset as databases name it (MySQL's latin1 is
 * really CP1252; its utf8, utf8mb3 and utf8mb4 are all UTF-8). */
static const char *text_iconv_name(const char *cs)
{
    static const char *const map[][2] = {
        {"latin1", "CP1252"}, {"utf8", "UTF-8"},     {"utf8mb3", "UTF-8"},
        {"utf8mb4", "UTF-8"}, {"latin2", "ISO-8859-2"}, {"ascii", "ASCII"},
        {"cp1250", "CP1250"}, {"cp1251", "CP1251"}, {"koi8r", "KOI8-R"},
        {"greek", "ISO-8859-7"}, {"hebrew", "ISO-8859-8"}, {"latin5", "ISO-8859-9"},
        {"sjis", "SHIFT_JIS"}, {"ujis", "EUC-JP"}, {"gbk", "GBK"}, {"big5", "BIG5"},
    };
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(cs, map[i][0]))
            return map[i][1];
    return cs;
}

/* Per column: what was found, and the first keys. */
typedef struct col_tally {
    int64_t transcoded, undecodable, nul, stripped, doubled, nfc, zeroed, utc;
    invs_strbuf keys_undecodable, keys_nul, keys_transcoded, keys_doubled;
} col_tally;

/* Whether valid UTF-8 text is UTF-8 encoded twice: back to the legacy
 * charset it goes without loss, and what comes out is UTF-8 with a
 * multi-byte character in it. */
static int text_double_encoded(iconv_t back, const invs_value *v, invs_strbuf *tmp)
{
    const unsigned char *p = v->ptr;
    char *src = (char *)v->ptr, *dst;
    size_t i, inleft = v->len, outleft = v->len + 1;
    int high = 0;
    for (i = 0; i < v->len && !high; i++)
        high = p[i] >= 0xC2;
    if (!high)
        return 0;
    invs_sb_reset(tmp);
    if (invs_sb_reserve(tmp, outleft) != 0)
        return 0;
    dst = tmp->p;
    iconv(back, NULL, NULL, NULL, NULL);
    if (iconv(back, &src, &inleft, &dst, &outleft) == (size_t)-1)
        return 0;
    tmp->len = (size_t)(dst - tmp->p);
    if (!invs_utf8_valid((const unsigned char *)tmp->p, tmp->len))
        return 0;
    for (i = 0; i < tmp->len; i++)
        if ((unsigned char)tmp->p[i] >= 0xC2)
            return 1;
    return 0;
}

/* A zero or partial date ("0000-00-00", "2026-00-10 12:00:00") in a date
 * or timestamp column. */
static int text_zero_date(const invs_column *c, const invs_value *v)
{
    const char *s = v->ptr;
    if ((c->canon != INVS_T_DATE && c->canon != INVS_T_TIMESTAMP &&
         c->canon != INVS_T_TIMESTAMPTZ) ||
        v->len < 10 || s[4] != '-' || s[7] != '-')
        return 0;
    return !memcmp(s, "0000", 4) || !memcmp(s + 5, "00", 2) || !memcmp(s + 8, "00", 2);
}

/* A date and time with a UTC offset other than zero, in a timestamp
 * column without a time zone: the same instant in UTC, without an offset,
 * into out (1), or 0 where there is nothing to rewrite. */
static int text_to_utc(const invs_column *c, const invs_value *v, invs_strbuf *out)
{
    invs_timestamp ts;
    if (c->canon != INVS_T_TIMESTAMP || invs_timestamp_parse(v->ptr, v->len, &ts) != INVS_OK ||
        !ts.has_offset || !ts.offset)
        return 0;
    invs_sb_reset(out);
    invs_timestamp_format(out, ts.secs - ts.offset, ts.frac, ts.nfrac, 0);
    return 1;
}

/* NFC of valid UTF-8 into out; 1 when it differs from the input. */
static int text_nfc(const invs_value *v, invs_strbuf *out)
{
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t n = utf8proc_map(v->ptr, (utf8proc_ssize_t)v->len, &res,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    int differs = 0;
    if (n >= 0 && ((size_t)n != v->len || memcmp(res, v->ptr, v->len) != 0)) {
        invs_sb_reset(out);
        invs_sb_add(out, res, (size_t)n);
        differs = !invs_sb_failed(out);
    }
    free(res);
    return differs;
}

static void tally_key(invs_strbuf *keys, int64_t count, const invs_table *t,
                      const invs_value *row, int64_t rid)
{
    if (count > FIRST_KEYS)
        return;
    if (keys->len)
        invs_sb_puts(keys, ", ");
    invs_sb_row_key(keys, t, row, rid);
}

/* Transcode `in` to UTF-8 into out; 0, or -1 when it cannot be decoded. */
static int text_transcode(iconv_t cd, const invs_value *in, invs_strbuf *out)
{
    char *src = (char *)in->ptr, *dst;
    size_t inleft = in->len, outleft = in->len * 4 + 4;
    invs_sb_reset(out);
    if (invs_sb_reserve(out, outleft) != 0)
        return INVS_EINVAL;
    dst = out->p;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &src, &inleft, &dst, &outleft) == (size_t)-1 ||
        iconv(cd, NULL, NULL, &dst, &outleft) == (size_t)-1)
        return INVS_EINVAL;
    out->len = (size_t)(dst - out->p);
    out->p[out->len] = '\0';
    return 0;
}

static void text_strip_nul(invs_strbuf *out, const unsigned char *p, size_t n)
{
    size_t i;
    invs_sb_reset(out);
    for (i = 0; i < n; i++)
        if (p[i])
            invs_sb_add(out, p + i, 1);
}

/* One table's text pass: per column a decoder, an encoder back (for the
 * double-encoding test) and a tally; buffers for the value being made. */
typedef struct text_pass {
    invs_verify_run *v;
    const invs_stage_table *st;
    const invs_table *t;
    col_tally *tally;
    iconv_t *cds, *backs;
    invs_strbuf conv, stripped, reason, enc, tmp, nfc;
} text_pass;

static const char *text_charset(const text_pass *p, size_t i)
{
    return text_iconv_name(p->t->cols[i].charset ? p->t->cols[i].charset : p->v->charset);
}

static int text_open(text_pass *p)
{
    size_t i, n = p->t->ncols;
    invs_sb_init_std(&p->enc);
    invs_sb_init_std(&p->conv);
    invs_sb_init_std(&p->stripped);
    invs_sb_init_std(&p->reason);
    invs_sb_init_std(&p->tmp);
    invs_sb_init_std(&p->nfc);
    p->tally = calloc(n + 1, sizeof(*p->tally));
    p->cds = calloc(n + 1, sizeof(*p->cds));
    p->backs = calloc(n + 1, sizeof(*p->backs));
    if (!p->tally || !p->cds || !p->backs)
        return invs_diag_oom(&p->v->st->diag);
    for (i = 0; i < n; i++) {
        const char *cs = text_charset(p, i);
        p->cds[i] = iconv_open("UTF-8", cs);
        /* going back to UTF-8 from UTF-8 proves nothing: no double check */
        p->backs[i] = p->cds[i] == (iconv_t)-1 ? (iconv_t)-1
                      : strcmp(cs, "UTF-8")     ? iconv_open(cs, "UTF-8")
                                                : NULL;
        invs_sb_init_std(&p->tally[i].keys_undecodable);
        invs_sb_init_std(&p->tally[i].keys_nul);
        invs_sb_init_std(&p->tally[i].keys_transcoded);
        invs_sb_init_std(&p->tally[i].keys_doubled);
        if ((p->cds[i] == (iconv_t)-1 || p->backs[i] == (iconv_t)-1) && p->t->cols[i].charset)
            return invs_diag(&p->v->st->diag, INVS_EINVAL,
                             "table %s column %s: unknown charset '%s' (the source's)",
                             p->t->name, p->t->cols[i].name, p->t->cols[i].charset);
        if (p->cds[i] == (iconv_t)-1 || p->backs[i] == (iconv_t)-1)
            return invs_diag(&p->v->st->diag, INVS_EINVAL, "--charset: unknown charset '%s'",
                             p->v->charset);
    }
    return INVS_OK;
}

static void text_close(text_pass *p)
{
    size_t i;
    for (i = 0; i < p->t->ncols; i++) {
        if (p->cds && p->cds[i] && p->cds[i] != (iconv_t)-1)
            iconv_close(p->cds[i]);
        if (p->backs && p->backs[i] && p->backs[i] != (iconv_t)-1)
            iconv_close(p->backs[i]);
        if (!p->tally)
            continue;
        invs_sb_free(&p->tally[i].keys_doubled);
        invs_sb_free(&p->tally[i].keys_undecodable);
        invs_sb_free(&p->tally[i].keys_nul);
        invs_sb_free(&p->tally[i].keys_transcoded);
    }
    free(p->tally);
    free(p->cds);
    free(p->backs);
    invs_sb_free(&p->tmp);
    invs_sb_free(&p->nfc);
    invs_sb_free(&p->enc);
    invs_sb_free(&p->conv);
    invs_sb_free(&p->stripped);
    invs_sb_free(&p->reason);
}

/* Text value old of column i, row rid: what it becomes in *now (its
 * reason in p->reason when it changes), tallied. */
static void text_value(text_pass *p, const invs_value *row, int64_t rid, size_t i,
                       invs_value *now)
{
    const invs_value *old = &row[i];
    col_tally *c = &p->tally[i];
    *now = *old;
    invs_sb_reset(&p->reason);
    if (old->type != INVS_TEXT)
        return;
    if (p->v->o->zero_dates && text_zero_date(&p->t->cols[i], old)) {
        memset(now, 0, sizeof(*now)); /* NULL, as the user chose */
        invs_sb_puts(&p->reason, "zero date: NULL (--zero-dates null)");
        c->zeroed++;
        return;
    }
    if (p->v->o->offsets_to_utc && text_to_utc(&p->t->cols[i], old, &p->conv)) {
        now->ptr = p->conv.p ? p->conv.p : "";
        now->len = p->conv.len;
        invs_sb_puts(&p->reason, "UTC offset: the same instant in UTC (--offsets-to-utc)");
        c->utc++;
        return;
    }
    if (!invs_utf8_valid(old->ptr, old->len)) {
        if (text_transcode(p->cds[i], old, &p->conv) != 0) {
            tally_key(&c->keys_undecodable, ++c->undecodable, p->t, row, rid);
            return;
        }
        now->ptr = p->conv.p;
        now->len = p->conv.len;
        invs_sb_printf(&p->reason, "not UTF-8: transcoded from %s", text_charset(p, i));
        tally_key(&c->keys_transcoded, ++c->transcoded, p->t, row, rid);
    } else if (p->backs[i] && text_double_encoded(p->backs[i], old, &p->tmp)) {
        tally_key(&c->keys_doubled, ++c->doubled, p->t, row, rid);
    }
    if (p->v->o->nfc && text_nfc(now, &p->nfc)) {
        now->ptr = p->nfc.p;
        now->len = p->nfc.len;
        invs_sb_printf(&p->reason, "%sUnicode NFC", p->reason.len ? "; " : "");
        c->nfc++;
    }
    if (now->len && memchr(now->ptr, 0, now->len)) {
        if (p->v->o->strip_nul) {
            text_strip_nul(&p->stripped, now->ptr, now->len);
            now->ptr = p->stripped.p ? p->stripped.p : "";
            now->len = p->stripped.len;
            invs_sb_printf(&p->reason, "%sNUL bytes removed", p->reason.len ? "; " : "");
            c->stripped++;
        } else {
            tally_key(&c->keys_nul, ++c->nul, p->t, row, rid);
        }
    }
}

/* Every row: values changed and audited, the new digest computed (dg),
 * and the digest of the rows as they are before this pass (was). */
static int text_rows(text_pass *p, invs_digest *dg, invs_digest *was)
{
    invs_stage_reader *r = NULL;
    const invs_value *row;
    int64_t rid = 0;
    size_t i;
    int rc;
    if ((rc = invs_stage_reader_open(&r, p->v->st, p->st)) != INVS_OK)
        return rc;
    while ((rc = invs_stage_reader_next(r, &row)) == INVS_ROW) {
        int changed = 0;
        rid++;
        invs_sb_reset(&p->enc); /* the row as it will be, for its digest */
        for (i = 0; i < p->t->ncols && rc == INVS_ROW; i++) {
            invs_value now;
            text_value(p, row, rid, i, &now);
            if (invs_sb_failed(&p->conv) || invs_sb_failed(&p->stripped) ||
                invs_sb_failed(&p->reason))
                rc = invs_diag_oom(&p->v->st->diag);
            else if (p->reason.len &&
                     (rc = invs_audit_change(p->v->st, p->st->tid, rid, i, &row[i], &now,
                                             p->reason.p)) == INVS_OK)
                rc = INVS_ROW, p->v->changed++, changed = 1;
            invs_digest_value(&p->enc, &p->t->cols[i], &now);
        }
        if (rc != INVS_ROW)
            break;
        invs_digest_add(dg, p->enc.p ? p->enc.p : "", p->enc.len, NULL, NULL);
        if (changed) /* only then are the two encodings of the row different */
            invs_digest_row(was, &p->tmp, p->t, row, NULL, NULL, NULL);
        else
            invs_digest_add(was, p->enc.p ? p->enc.p : "", p->enc.len, NULL, NULL);
    }
    invs_stage_reader_close(r);
    if (rc == INVS_DONE && invs_sb_failed(&p->enc))
        rc = invs_diag_oom(&p->v->st->diag);
    return rc == INVS_DONE ? INVS_OK : rc;
}

/* Each column's findings. */
static int text_report(text_pass *p)
{
    invs_verify_run *v = p->v;
    const invs_table *t = p->t;
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < t->ncols && rc == INVS_OK; i++) {
        col_tally *c = &p->tally[i];
        const char *name = t->cols[i].name;
        char detail[160];
        if (c->undecodable)
            rc = invs_verify_report(v, "undecodable-text", 1, t->name, name, c->undecodable,
                                    c->keys_undecodable.p,
                                    "not UTF-8 and not decodable from the column's charset; kept "
                                    "as pulled");
        if (rc == INVS_OK && c->nul) {
            snprintf(detail, sizeof(detail),
                     "text holds NUL bytes, which %s cannot store (--strip-nul removes them)",
                     (v->lim->flags & INVS_LIM_NO_NUL) ? invs_verify_engine(v) : "some engines");
            rc = invs_verify_report(v, "nul-in-text", (v->lim->flags & INVS_LIM_NO_NUL) != 0,
                                    t->name, name, c->nul, c->keys_nul.p, detail);
        }
        if (rc == INVS_OK && c->doubled)
            rc = invs_verify_report(v, "double-encoded", 0, t->name, name, c->doubled,
                                    c->keys_doubled.p,
                                    "looks like UTF-8 encoded twice (\"Ã©\" for \"é\"); not changed");
        if (rc == INVS_OK && c->zeroed)
            rc = invs_verify_report(v, "zero-date-nulled", 0, t->name, name, c->zeroed, NULL,
                                    "zero or partial dates made NULL (--zero-dates null; old "
                                    "values kept; --undo restores)");
        if (rc == INVS_OK && c->utc)
            rc = invs_verify_report(v, "offset-to-utc", 0, t->name, name, c->utc, NULL,
                                    "dates and times with a UTC offset rewritten as UTC "
                                    "(--offsets-to-utc; old values kept; --undo restores)");
        if (rc == INVS_OK && c->transcoded) {
            snprintf(detail, sizeof(detail),
                     "not UTF-8: transcoded from %s (old bytes kept; --undo restores)",
                     text_charset(p, i));
            rc = invs_verify_report(v, "transcoded", 0, t->name, name, c->transcoded,
                                    c->keys_transcoded.p, detail);
        }
    }
    return rc;
}

/* A changed cell holds its new value: a special value it had (a flagged
 * zero date) no longer stands in for it. */
static int text_unspecial(invs_verify_run *v, const invs_stage_table *st)
{
    char sql[256];
    if (st->specials <= 0)
        return INVS_OK;
    snprintf(sql, sizeof(sql),
             "DELETE FROM invs_specials WHERE tid = %lld AND EXISTS (SELECT 1 FROM invs_changes"
             " ch WHERE ch.tid = %lld AND ch.rid = invs_specials.rid AND ch.col = invs_specials.col)",
             (long long)st->tid, (long long)st->tid);
    if (sqlite3_exec(v->st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(v->st, INVS_EIO, "writing changes");
    return INVS_OK;
}

static int text_exec(invs_verify_run *v, const char *sql)
{
    if (sqlite3_exec(v->st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(v->st, INVS_EIO, sql);
    return INVS_OK;
}

/* The rows as they are now must be the rows as pulled plus the changes
 * verify recorded, whose digest the stage keeps: anything else is an edit
 * made outside invstage (a damaged file, a hand edit), which verify must
 * not sign as if it had checked the pulled data. Such a table is left as
 * it is, with an error (stage-edited); with --accept-edits its rows as
 * found become the baseline (--undo goes back to them), with a warning. */
static int text_edited(text_pass *p, const invs_digest *was, int *leave)
{
    invs_verify_run *v = p->v;
    char hex[INVS_DIGEST_HEX], detail[320], sql[160];
    int rc = INVS_OK;
    *leave = 0;
    invs_digest_hex(was, hex);
    if (!strcmp(hex, p->st->digest))
        return INVS_OK;
    /* every pull records a digest: one that is missing was removed */
    if (!p->st->digest[0])
        snprintf(detail, sizeof(detail),
                 "the stage records no digest of the table's rows: it was changed outside "
                 "invstage after they were pulled (their digest is %.40s)%s",
                 hex,
                 v->o->accept_edits ? ": accepted (--accept-edits) as the rows as pulled"
                                    : ": pull again, or verify --accept-edits if the edit was "
                                      "meant");
    else
        snprintf(detail, sizeof(detail),
                 "the table's rows were changed outside invstage after they were pulled (their "
                 "digest is %.40s, the stage records %.40s)%s",
                 hex, p->st->digest,
                 v->o->accept_edits ? ": accepted (--accept-edits) as the rows as pulled"
                                    : ": pull again, or verify --accept-edits if the edit was "
                                      "meant");
    if (!v->o->accept_edits) {
        *leave = 1; /* none of this pass's changes, then the finding */
        rc = text_exec(v, "ROLLBACK TO invs_text");
    } else {
        snprintf(sql, sizeof(sql), "UPDATE invs_tables SET source_digest = '%s' WHERE tid = %lld",
                 hex, (long long)p->st->tid);
        rc = text_exec(v, sql);
    }
    if (rc == INVS_OK) /* what pull saw of the rows is not what they are */
        rc = invs_profile_drop(v->st, p->st->tid);
    if (rc == INVS_OK)
        rc = invs_verify_report(v, "stage-edited", !v->o->accept_edits, p->t->name, NULL, 1, NULL,
                                detail);
    return rc;
}

/* Nothing in the table that the text pass could change or find, by what
 * pull recorded of its values (profile.h): its rows need no second read.
 * The options that rewrite values by their meaning always read them. */
static int text_clean(const invs_verify_run *v, const invs_stage_table *st)
{
    const invs_table *t = &st->schema->t;
    size_t i;
    if (!st->profile || v->o->zero_dates || v->o->offsets_to_utc)
        return 0;
    for (i = 0; i < t->ncols; i++) {
        const invs_col_profile *p = &st->profile[i];
        const char *cs = text_iconv_name(t->cols[i].charset ? t->cols[i].charset : v->charset);
        if (p->tinvalid || p->tnul || (v->o->nfc && p->tnonascii))
            return 0;
        /* encoded twice through CP1252 or Latin-1, the text holds a lead
         * byte's character followed by a continuation byte's (tlatin);
         * through another charset, anything beyond ASCII may be */
        if (strcmp(cs, "UTF-8") &&
            (strcmp(cs, "CP1252") && strcmp(cs, "ISO-8859-1") ? p->tnonascii : p->tlatin))
            return 0;
    }
    return 1;
}

int invs_verify_text(invs_verify_run *v, const invs_stage_table *st)
{
    text_pass p;
    invs_digest dg, was;
    char hex[INVS_DIGEST_HEX];
    int rc, leave = 0;

    if (text_clean(v, st))
        return INVS_OK;
    v->rows_read += st->rows;
    memset(&p, 0, sizeof(p));
    p.v = v;
    p.st = st;
    p.t = &st->schema->t;
    invs_digest_init(&dg);
    invs_digest_init(&was);
    /* the table's changes are undone again where its rows turn out edited */
    if ((rc = text_exec(v, "SAVEPOINT invs_text")) != INVS_OK)
        return rc;
    if ((rc = text_open(&p)) == INVS_OK && (rc = text_rows(&p, &dg, &was)) == INVS_OK &&
        (rc = text_edited(&p, &was, &leave)) == INVS_OK && !leave &&
        (rc = invs_audit_apply(v->st, st)) == INVS_OK && (rc = text_unspecial(v, st)) == INVS_OK) {
        invs_digest_hex(&dg, hex);
        if ((rc = invs_stage_set_digest(v->st, st->tid, hex)) == INVS_OK)
            rc = text_report(&p);
    }
    text_close(&p);
    if (rc == INVS_OK)
        rc = text_exec(v, "RELEASE invs_text");
    if (rc != INVS_OK)
        invs_diag_prefix(&v->st->diag, "verify: table %s", p.t->name);
    return rc;
}

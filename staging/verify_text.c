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
    int64_t transcoded, undecodable, nul, stripped, doubled, nfc;
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
        return -1;
    dst = out->p;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &src, &inleft, &dst, &outleft) == (size_t)-1 ||
        iconv(cd, NULL, NULL, &dst, &outleft) == (size_t)-1)
        return -1;
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

int invs_verify_text(invs_verify_run *v, const invs_stage_table *st)
{
    const invs_table *t = &st->schema->t;
    invs_stage_reader *r = NULL;
    col_tally *tally = calloc(t->ncols, sizeof(*tally));
    iconv_t *cds = calloc(t->ncols, sizeof(*cds));
    iconv_t *backs = calloc(t->ncols, sizeof(*backs));
    invs_strbuf conv, stripped, reason, enc, tmp, nfc;
    const invs_value *row;
    int64_t rid = 0;
    invs_digest dg;
    char hex[INVS_DIGEST_HEX];
    size_t i;
    int rc;

    invs_digest_init(&dg);
    invs_sb_init_std(&enc);
    invs_sb_init_std(&conv);
    invs_sb_init_std(&stripped);
    invs_sb_init_std(&reason);
    invs_sb_init_std(&tmp);
    invs_sb_init_std(&nfc);
    if (!tally || !cds || !backs) {
        rc = invs_diag_oom(&v->st->diag);
        goto out;
    }
    for (i = 0; i < t->ncols; i++) {
        const char *cs = text_iconv_name(t->cols[i].charset ? t->cols[i].charset : v->charset);
        cds[i] = iconv_open("UTF-8", cs);
        /* going back to UTF-8 from UTF-8 proves nothing: no double check */
        backs[i] = cds[i] == (iconv_t)-1 ? (iconv_t)-1
                   : strcmp(cs, "UTF-8") ? iconv_open(cs, "UTF-8")
                                         : NULL;
        invs_sb_init_std(&tally[i].keys_undecodable);
        invs_sb_init_std(&tally[i].keys_nul);
        invs_sb_init_std(&tally[i].keys_transcoded);
        invs_sb_init_std(&tally[i].keys_doubled);
        if (cds[i] == (iconv_t)-1 || backs[i] == (iconv_t)-1) {
            rc = invs_diag(&v->st->diag, INVS_EINVAL, "column %s: unknown charset '%s'",
                           t->cols[i].name, cs);
            goto out;
        }
    }
    if ((rc = invs_stage_reader_open(&r, v->st, st)) != INVS_OK)
        goto out;
    while ((rc = invs_stage_reader_next(r, &row)) == INVS_ROW) {
        rid++;
        invs_sb_reset(&enc); /* the row as it will be, for its digest */
        for (i = 0; i < t->ncols; i++) {
            const invs_value *old = &row[i];
            invs_value now = *old;
            col_tally *c = &tally[i];
            invs_sb_reset(&reason);
            if (old->type != INVS_TEXT)
                goto digest;
            if (!invs_utf8_valid(old->ptr, old->len)) {
                if (text_transcode(cds[i], old, &conv) != 0) {
                    tally_key(&c->keys_undecodable, ++c->undecodable, t, row, rid);
                    goto digest;
                }
                now.ptr = conv.p;
                now.len = conv.len;
                invs_sb_printf(&reason, "not UTF-8: transcoded from %s",
                               text_iconv_name(t->cols[i].charset ? t->cols[i].charset
                                                                  : v->charset));
                tally_key(&c->keys_transcoded, ++c->transcoded, t, row, rid);
            } else if (backs[i] && text_double_encoded(backs[i], old, &tmp)) {
                tally_key(&c->keys_doubled, ++c->doubled, t, row, rid);
            }
            if (v->o->nfc && text_nfc(&now, &nfc)) {
                now.ptr = nfc.p;
                now.len = nfc.len;
                invs_sb_printf(&reason, "%sUnicode NFC", reason.len ? "; " : "");
                c->nfc++;
            }
            if (now.len && memchr(now.ptr, 0, now.len)) {
                if (v->o->strip_nul) {
                    text_strip_nul(&stripped, now.ptr, now.len);
                    now.ptr = stripped.p ? stripped.p : "";
                    now.len = stripped.len;
                    invs_sb_printf(&reason, "%sNUL bytes removed", reason.len ? "; " : "");
                    c->stripped++;
                } else {
                    tally_key(&c->keys_nul, ++c->nul, t, row, rid);
                }
            }
            if (invs_sb_failed(&conv) || invs_sb_failed(&stripped) || invs_sb_failed(&reason)) {
                rc = invs_diag_oom(&v->st->diag);
                goto out;
            }
            if (reason.len &&
                (rc = invs_audit_change(v->st, st->tid, rid, i, old, &now, reason.p)) != INVS_OK)
                goto out;
            if (reason.len)
                v->changed++;
        digest:
            invs_digest_value(&enc, &t->cols[i], &now);
        }
        invs_digest_add(&dg, enc.p ? enc.p : "", enc.len, NULL, NULL);
    }
    if (rc != INVS_DONE)
        goto out;
    invs_stage_reader_close(r);
    r = NULL;
    if ((rc = invs_audit_apply(v->st, st)) != INVS_OK)
        goto out;
    if (invs_sb_failed(&enc)) {
        rc = invs_diag_oom(&v->st->diag);
        goto out;
    }
    invs_digest_hex(&dg, hex);
    if ((rc = invs_stage_set_digest(v->st, st->tid, hex)) != INVS_OK)
        goto out;
    for (i = 0; i < t->ncols && rc == INVS_OK; i++) {
        col_tally *c = &tally[i];
        const char *name = t->cols[i].name;
        if (c->undecodable)
            rc = invs_verify_report(v, "undecodable-text", 1, t->name, name, c->undecodable,
                                    c->keys_undecodable.p,
                                    "not UTF-8 and not decodable from the column's charset; kept "
                                    "as pulled");
        if (rc == INVS_OK && c->nul) {
            char detail[160];
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
        if (rc == INVS_OK && c->transcoded) {
            invs_strbuf d;
            invs_sb_init_std(&d);
            invs_sb_printf(&d, "not UTF-8: transcoded from %s (old bytes kept; --undo restores)",
                           text_iconv_name(t->cols[i].charset ? t->cols[i].charset
                                                              : v->charset));
            rc = invs_verify_report(v, "transcoded", 0, t->name, name, c->transcoded,
                                    c->keys_transcoded.p, d.p);
            invs_sb_free(&d);
        }
    }
out:
    invs_stage_reader_close(r);
    for (i = 0; i < t->ncols; i++) {
        if (cds && cds[i] && cds[i] != (iconv_t)-1)
            iconv_close(cds[i]);
        if (backs && backs[i] && backs[i] != (iconv_t)-1)
            iconv_close(backs[i]);
        if (!tally)
            continue;
        invs_sb_free(&tally[i].keys_doubled);
        invs_sb_free(&tally[i].keys_undecodable);
        invs_sb_free(&tally[i].keys_nul);
        invs_sb_free(&tally[i].keys_transcoded);
    }
    free(tally);
    free(cds);
    free(backs);
    invs_sb_free(&tmp);
    invs_sb_free(&nfc);
    invs_sb_free(&enc);
    invs_sb_free(&conv);
    invs_sb_free(&stripped);
    invs_sb_free(&reason);
    if (rc != INVS_OK)
        invs_diag_prefix(&v->st->diag, "verify: table %s", t->name);
    return rc;
}

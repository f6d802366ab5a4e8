/*
 * Timestamps as text, and time zones: what the digest and the conversion
 * into typed targets need to agree on an instant.
 *
 * A zone is UTC, a fixed offset ("+05:30") or an IANA name read from the
 * system's compiled zone files (TZif, RFC 8536; Debian's tzdata). Past a
 * file's last transition (2037 in Debian's files) its last offset holds;
 * the POSIX rule in the footer is not read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"
#include "invstage/calendar.h"

#ifndef INVS_ZONEINFO_DIR
#define INVS_ZONEINFO_DIR "/usr/share/zoneinfo"
#endif

static int ts_num(const char *s, size_t n, size_t *i, int digits, int *out)
{
    int v = 0, k;
    for (k = 0; k < digits; k++, (*i)++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9')
            return INVS_EINVAL;
        v = v * 10 + (s[*i] - '0');
    }
    *out = v;
    return 0;
}

/* An hour of one or two digits ("5:20", as engines read it). */
static int ts_hour(const char *s, size_t n, size_t *i, int *out)
{
    if (*i + 1 < n && s[*i + 1] == ':')
        return ts_num(s, n, i, 1, out);
    return ts_num(s, n, i, 2, out);
}

int invs_timestamp_parse(const char *s, size_t n, invs_timestamp *out)
{
    int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0;
    size_t i = 0;

    memset(out, 0, sizeof(*out));
    if (ts_num(s, n, &i, 4, &y) || i >= n || s[i++] != '-' || ts_num(s, n, &i, 2, &mo) ||
        i >= n || s[i++] != '-' || ts_num(s, n, &i, 2, &d) || i >= n ||
        (s[i] != ' ' && s[i] != 'T') || (++i, ts_hour(s, n, &i, &h)) || i >= n ||
        s[i++] != ':' || ts_num(s, n, &i, 2, &mi))
        return INVS_EINVAL;
    if (i < n && s[i] == ':' && (++i, ts_num(s, n, &i, 2, &sec)))
        return INVS_EINVAL;
    if (i < n && s[i] == '.') {
        out->frac = s + ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        out->nfrac = (size_t)(s + i - out->frac);
        while (out->nfrac && out->frac[out->nfrac - 1] == '0')
            out->nfrac--;
    }
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
        out->has_offset = 1;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        sign = s[i++] == '-' ? -1 : 1;
        if (ts_num(s, n, &i, 2, &oh))
            return INVS_EINVAL;
        if (i < n && s[i] == ':')
            i++;
        if (i < n && ts_num(s, n, &i, 2, &om))
            return INVS_EINVAL;
        out->has_offset = 1;
        out->offset = sign * (oh * 3600 + om * 60);
    }
    if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60)
        return INVS_EINVAL;
    out->secs = invs_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return INVS_OK;
}

void invs_timestamp_format(invs_strbuf *sb, int64_t secs, const char *frac, size_t nfrac,
                           int pad6)
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400), y;
    int m, d;
    secs -= days * 86400;
    invs_civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999) { /* digit by digit: printf cost the digest a quarter of push */
        int h = (int)(secs / 3600), mi = (int)(secs / 60 % 60), se = (int)(secs % 60);
        char b[19] = {(char)('0' + y / 1000), (char)('0' + y / 100 % 10),
                      (char)('0' + y / 10 % 10), (char)('0' + y % 10), '-',
                      (char)('0' + m / 10), (char)('0' + m % 10), '-',
                      (char)('0' + d / 10), (char)('0' + d % 10), ' ',
                      (char)('0' + h / 10), (char)('0' + h % 10), ':',
                      (char)('0' + mi / 10), (char)('0' + mi % 10), ':',
                      (char)('0' + se / 10), (char)('0' + se % 10)};
        invs_sb_add(sb, b, sizeof(b));
    } else {
        invs_sb_printf(sb, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)y, m, d,
                       (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    }
    if (!nfrac)
        return;
    invs_sb_add(sb, ".", 1);
    invs_sb_add(sb, frac, nfrac);
    if (pad6 && nfrac < 6)
        invs_sb_add(sb, "000000", 6 - nfrac);
}

/* ------------------------------------------------------------ zones */

struct invs_tz {
    char *name;
    size_t ntimes, ntypes;
    int64_t *times;   /* transition instants, ascending */
    unsigned char *idx; /* type in force from times[i] */
    int32_t *offs;    /* utoff of each type */
    int32_t first;    /* offset before the first transition */
};

static uint32_t tz_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t tz_be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)tz_be32(p) << 32 | tz_be32(p + 4));
}

/* "+05:30", "-08", "+0100" -> seconds east; -1 if not that shape. */
static int tz_fixed(const char *s, int32_t *out)
{
    size_t i = 1, n = strlen(s);
    int h, m = 0;
    if ((s[0] != '+' && s[0] != '-') || ts_num(s, n, &i, 2, &h))
        return INVS_EINVAL;
    if (i < n && s[i] == ':')
        i++;
    if (i < n && ts_num(s, n, &i, 2, &m))
        return INVS_EINVAL;
    if (i != n || h > 15 || m > 59)
        return INVS_EINVAL;
    *out = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return 0;
}

/* The version 2+ body of a TZif file (64-bit transition times). */
static int tz_read_tzif(invs_tz *z, const unsigned char *b, size_t n)
{
    size_t off = 0, v1, isut, isstd, leap, timecnt, typecnt, charcnt, i;
    if (n < 44 || memcmp(b, "TZif", 4) != 0 || b[4] < '2')
        return INVS_EINVAL;
    v1 = tz_be32(b + 32) * 5 + tz_be32(b + 36) * 6 + tz_be32(b + 40) + tz_be32(b + 28) * 8 +
         tz_be32(b + 24) + tz_be32(b + 20);
    off = 44 + v1;
    if (off + 44 > n || memcmp(b + off, "TZif", 4) != 0)
        return INVS_EINVAL;
    isut = tz_be32(b + off + 20), isstd = tz_be32(b + off + 24), leap = tz_be32(b + off + 28);
    timecnt = tz_be32(b + off + 32), typecnt = tz_be32(b + off + 36),
    charcnt = tz_be32(b + off + 40);
    off += 44;
    (void)isut, (void)isstd, (void)leap, (void)charcnt;
    if (!typecnt || typecnt > 256 || timecnt > 100000 ||
        off + timecnt * 9 + typecnt * 6 > n)
        return INVS_EINVAL;
    z->times = malloc((timecnt + 1) * sizeof(*z->times));
    z->idx = malloc(timecnt + 1);
    z->offs = malloc(typecnt * sizeof(*z->offs));
    if (!z->times || !z->idx || !z->offs)
        return INVS_ENOMEM;
    for (i = 0; i < timecnt; i++)
        z->times[i] = tz_be64(b + off + i * 8);
    off += timecnt * 8;
    for (i = 0; i < timecnt; i++)
        if ((z->idx[i] = b[off + i]) >= typecnt)
            return INVS_EINVAL;
    off += timecnt;
    for (i = 0; i < typecnt; i++)
        z->offs[i] = (int32_t)tz_be32(b + off + i * 6);
    z->ntimes = timecnt;
    z->ntypes = typecnt;
    z->first = z->offs[0];
    return 0;
}

int invs_tz_open(invs_tz **out, const char *name, invs_strbuf *err)
{
    invs_tz *z;
    unsigned char *buf = NULL;
    FILE *f = NULL;
    size_t n = 0;
    int32_t fixed;
    int rc = INVS_OK;

    *out = NULL;
    if (!(z = calloc(1, sizeof(*z))) || !(z->name = strdup(name))) {
        free(z);
        return INVS_ENOMEM;
    }
    if (!strcmp(name, "UTC") || !strcmp(name, "Z") || !strcmp(name, "utc")) {
        *out = z;
        return INVS_OK;
    }
    if (tz_fixed(name, &fixed) == 0) {
        z->first = fixed;
        *out = z;
        return INVS_OK;
    }
    if (!*name || name[0] == '/' || name[0] == '+' || name[0] == '-' || strstr(name, "..")) {
        invs_sb_printf(err, "time zone '%s': not UTC, an offset like +02:00 or a zone name like "
                            "Europe/Berlin", name);
        rc = INVS_EINVAL;
        goto out;
    }
    {
        invs_strbuf path;
        invs_sb_init_std(&path);
        invs_sb_printf(&path, "%s/%s", INVS_ZONEINFO_DIR, name);
        f = invs_sb_failed(&path) ? NULL : fopen(path.p, "rb");
        invs_sb_free(&path);
    }
    if (f && (buf = malloc(1 << 20)))
        n = fread(buf, 1, 1 << 20, f);
    if (!f || !buf || (rc = tz_read_tzif(z, buf, n)) != 0) {
        invs_sb_printf(err, "time zone '%s': %s", name,
                       !f ? "no such zone in " INVS_ZONEINFO_DIR " (is tzdata installed?)"
                       : rc == INVS_ENOMEM || !buf ? "out of memory" : "not a readable zone file");
        rc = !f ? INVS_ENOTFOUND : rc == INVS_ENOMEM || !buf ? INVS_ENOMEM : INVS_EINVAL;
    }
out:
    if (f)
        fclose(f);
    free(buf);
    if (rc != INVS_OK)
        invs_tz_free(z);
    else
        *out = z;
    return rc;
}

void invs_tz_free(invs_tz *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->times);
    free(z->idx);
    free(z->offs);
    free(z);
}

int invs_tz_is_utc(const invs_tz *z) { return !z || (!z->ntimes && z->first == 0); }

/* The offset in force at instant t. */
static int32_t tz_offset_at(const invs_tz *z, int64_t t)
{
    size_t lo = 0, hi = z->ntimes;
    if (!z->ntimes || t < z->times[0])
        return z->first;
    while (hi - lo > 1) { /* times[lo] <= t < times[hi] */
        size_t mid = lo + (hi - lo) / 2;
        if (z->times[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->offs[z->idx[lo]];
}

int invs_tz_local_to_utc(const invs_tz *z, int64_t local, int64_t *utc)
{
    size_t i;
    int found = 0;
    if (!z) {
        *utc = local;
        return INVS_OK;
    }
    if (!z->ntimes) {
        *utc = local - z->first;
        return INVS_OK;
    }
    /* a wall time is valid for offset o when o is in force at local - o;
     * of two (clocks going back) the earlier instant, as Python's fold=0 */
    for (i = 0; i < z->ntypes; i++) {
        int64_t t = local - z->offs[i];
        if (tz_offset_at(z, t) == z->offs[i] && (!found || t < *utc)) {
            *utc = t;
            found = 1;
        }
    }
    return found ? INVS_OK : INVS_EINVAL;
}

int invs_tz_open_option(invs_tz **out, invs_diag_rec *err, const char *name)
{
    invs_strbuf why;
    int rc;
    *out = NULL;
    if (!name)
        return INVS_OK;
    invs_sb_init_std(&why);
    if ((rc = invs_tz_open(out, name, &why)) != INVS_OK) /* a zone that is none: bad usage */
        rc = rc == INVS_ENOMEM || !why.p
                 ? invs_diag_oom(err)
                 : invs_diag(err, INVS_EINVAL, "--assume-tz: %s", why.p);
    invs_sb_free(&why);
    return rc;
}

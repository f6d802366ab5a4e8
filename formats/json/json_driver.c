/*
 * invs_json: the invstage format as one JSON document, a driver over a
 * file URI (json:FILE, json:///ABSOLUTE/PATH, json:- for standard input or
 * output). A push writes the file (invstage export), a pull reads it
 * (invstage import); formats/FORMAT.md describes it. The framing and the
 * values are written and read here by hand (json_write.c, json_read.c):
 * exact 64-bit integers, streamed in both directions.
 */
#include "json_codec.h"
#include "invstage/version.h"

static const fmt_codec json_codec = {
    .scheme = "json",
    .label = "JSON",
    .w_open = jw_open,
    .w_close = jw_close,
    .w_header = jw_header,
    .w_table = jw_table,
    .w_data_begin = jw_data_begin,
    .w_rows = jw_rows,
    .w_data_end = jw_data_end,
    .w_trailer = jw_trailer,
    .e_map = jw_map,
    .e_arr = jw_arr,
    .e_end = jw_end,
    .e_key = jw_key,
    .e_str = jw_str,
    .e_int = jw_int,
    .r_open = jr_open,
    .r_close = jr_close,
    .r_header = jr_header,
    .r_table = jr_table,
    .r_section = jr_section,
    .r_row = jr_row,
};

static int json_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                     const char *const *options)
{
    return fmt_open(out, s, uri, flags, options, &json_codec);
}

/* A JSON object, sure when "invstage" is in view (the format member comes
 * first in what invstage writes, anywhere in what others write). */
static int json_sniff(const unsigned char *head, size_t n)
{
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (i == n || head[i] != '{')
        return 0;
    return fmt_sniff_sure(head, n, "\"invstage\"", 10);
}

static const char *const json_schemes[] = {"json", NULL};
static const char *const json_suffixes[] = {".json", NULL};

static const invs_driver json_driver =
    FMT_DRIVER_TABLE(json_open, "json", INVS_VERSION,
                     "the invstage format as JSON (a file: export and import)", json_schemes,
                     json_suffixes, json_sniff);

INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host)
{
    return fmt_driver_init(host, &json_driver);
}

/*
 * invs_msgpack: the invstage format as a stream of msgpack objects, a
 * driver over a file URI (msgpack:FILE, msgpack:///ABSOLUTE/PATH,
 * msgpack:- for standard input or output). A push writes the file
 * (invstage export), a pull reads it (invstage import); formats/FORMAT.md
 * describes it. Objects are packed and unpacked by msgpack-c, one row at a
 * time (mp_write.c, mp_read.c).
 */
#include "invstage/version.h"
#include "mp_codec.h"

static const fmt_codec mp_codec = {
    .scheme = "msgpack",
    .label = "msgpack",
    .w_open = mw_open,
    .w_close = mw_close,
    .w_header = mw_header,
    .w_table = mw_table,
    .w_data_begin = mw_data_begin,
    .w_rows = mw_rows,
    .w_data_end = mw_data_end,
    .w_trailer = mw_trailer,
    .e_map = mw_map,
    .e_arr = mw_arr,
    .e_end = mw_end,
    .e_key = mw_key,
    .e_str = mw_str,
    .e_int = mw_int,
    .r_open = mr_open,
    .r_close = mr_close,
    .r_header = mr_header,
    .r_table = mr_table,
    .r_section = mr_section,
    .r_row = mr_row,
};

static int mp_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                   const char *const *options)
{
    return fmt_open(out, s, uri, flags, options, &mp_codec);
}

/* A msgpack map (the header), sure when the string "invstage" is in view. */
static int mp_sniff(const unsigned char *head, size_t n)
{
    if (!n || !((head[0] >= 0x80 && head[0] <= 0x8f) || head[0] == 0xde || head[0] == 0xdf))
        return 0;
    return fmt_sniff_sure(head, n, "\xa8invstage", 9);
}

static const char *const mp_schemes[] = {"msgpack", NULL};
static const char *const mp_suffixes[] = {".msgpack", ".mpk", ".mp", NULL};

static const invs_driver mp_driver =
    FMT_DRIVER_TABLE(mp_open, "msgpack", INVS_VERSION,
                     "the invstage format as msgpack (a file: export and import; msgpack-c)",
                     mp_schemes, mp_suffixes, mp_sniff);

INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host)
{
    return fmt_driver_init(host, &mp_driver);
}

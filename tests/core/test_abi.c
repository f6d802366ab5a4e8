/* The ABI's frozen layout: any change here is an ABI break (a new major) or
 * an addition at the end of a versioned struct (a new minor). */
#include <assert.h>
#include <stddef.h>

#include "../check.h"
#include "invstage/driver.h"

#if UINTPTR_MAX == 0xffffffffffffffffu /* LP64 */
static_assert(sizeof(invs_value) == 32, "invs_value is frozen");
static_assert(offsetof(invs_value, type) == 0, "invs_value.type");
static_assert(offsetof(invs_value, flags) == 1, "invs_value.flags");
static_assert(offsetof(invs_value, num) == 8, "invs_value.num");
static_assert(offsetof(invs_value, ptr) == 16, "invs_value.ptr");
static_assert(offsetof(invs_value, len) == 24, "invs_value.len");

static_assert(offsetof(invs_host, abi_major) == 0, "host header");
static_assert(offsetof(invs_host, abi_minor) == 2, "host header");
static_assert(offsetof(invs_host, struct_size) == 4, "host header");
static_assert(offsetof(invs_host, alloc) == 8, "host 1.0");
static_assert(offsetof(invs_host, error) == 32, "host 1.0");
static_assert(offsetof(invs_host, quote_ident) == 64, "host 1.0");
static_assert(offsetof(invs_host, canon_name) == 96, "host 1.0");
static_assert(offsetof(invs_host, lock_timeout_ms) == 104, "host 1.2 begins where 1.0 ended");
static_assert(offsetof(invs_host, publish) == 120, "host 1.2");
static_assert(sizeof(invs_host) == 128, "host 1.2 ends here: grow only at the end");

static_assert(offsetof(invs_driver, abi_major) == 0, "driver header");
static_assert(offsetof(invs_driver, struct_size) == 4, "driver header");
static_assert(offsetof(invs_driver, name) == 8, "driver 1.0");
static_assert(offsetof(invs_driver, caps) == 40, "driver 1.0");
static_assert(offsetof(invs_driver, open) == 48, "driver 1.0");
static_assert(offsetof(invs_driver, schema_read) == 64, "driver 1.0");
static_assert(offsetof(invs_driver, begin) == 96, "driver 1.0");
static_assert(offsetof(invs_driver, writer_put) == 152, "driver 1.0");
static_assert(offsetof(invs_driver, indexes_create) == 192, "driver 1.0");
static_assert(offsetof(invs_driver, limits) == 200, "driver 1.2 begins where 1.0 ended");
static_assert(offsetof(invs_driver, cursor_open_v2) == 208, "driver 1.2");
static_assert(offsetof(invs_driver, table_create_v2) == 216, "driver 1.2");
static_assert(offsetof(invs_driver, table_drop) == 224, "driver 1.2");
static_assert(offsetof(invs_driver, meta_set) == 232, "driver 1.2");
static_assert(offsetof(invs_driver, meta_read) == 240, "driver 1.2");
static_assert(offsetof(invs_driver, preflight) == 248, "driver 1.2");
static_assert(offsetof(invs_driver, suffixes) == 256, "driver 1.2, file formats");
static_assert(offsetof(invs_driver, sniff) == 264, "driver 1.2, file formats");
static_assert(offsetof(invs_driver, objects_read) == 272, "driver 1.2, schema objects");
static_assert(offsetof(invs_driver, object_create) == 280, "driver 1.2, schema objects");
static_assert(offsetof(invs_driver, schema_given) == 288, "driver 1.2, sources without types");
static_assert(offsetof(invs_driver, given_rows) == 296, "driver 1.2, rows of a given schema");
static_assert(offsetof(invs_driver, row_given) == 304, "driver 1.2, rows of a given schema");
static_assert(offsetof(invs_driver, table_held) == 312, "driver 1.2, tables a target holds");
static_assert(sizeof(invs_driver) == 320, "driver 1.2 ends here: grow only at the end");

static_assert(offsetof(invs_limits, struct_size) == 0, "limits header");
static_assert(offsetof(invs_limits, engine) == 8, "limits 1.2");
static_assert(offsetof(invs_limits, decimal_max) == 32, "limits 1.2");
static_assert(offsetof(invs_limits, bmp_charsets) == 40, "limits 1.2");
static_assert(offsetof(invs_limits, decimal_scale_max) == 48, "limits 1.2");
static_assert(sizeof(invs_limits) == 56, "limits 1.2 ends here: grow only at the end");

static_assert(sizeof(invs_column) == 64, "invs_column is frozen");
static_assert(offsetof(invs_column, default_expr) == 40, "invs_column");
static_assert(sizeof(invs_key) == 64, "invs_key is frozen");
static_assert(sizeof(invs_sequence) == 32, "invs_sequence is frozen");
static_assert(offsetof(invs_table, struct_size) == 0, "table header");
static_assert(offsetof(invs_table, row_count) == 88, "table 1.0");
static_assert(offsetof(invs_table, digest) == 96, "table 1.2 begins where 1.0 ended");
static_assert(offsetof(invs_table, colx) == 104, "table 1.2");
static_assert(offsetof(invs_table, partition_by) == 144, "table 1.2");
static_assert(offsetof(invs_table, inherits) == 176, "table 1.2");
static_assert(sizeof(invs_table) == 184, "table 1.2 ends here: grow only at the end");
static_assert(offsetof(invs_sequence, flags) == 28, "invs_sequence.flags was reserved");

static_assert(offsetof(invs_colx, struct_size) == 0, "colx header");
static_assert(offsetof(invs_colx, labels) == 32, "colx 1.2");
static_assert(offsetof(invs_colx, ident_start) == 48, "colx 1.2");
static_assert(sizeof(invs_colx) == 80, "colx 1.2 ends here: grow only at the end");
static_assert(sizeof(invs_check) == 24, "check 1.2 ends here: grow only at the end");
static_assert(offsetof(invs_xindex, parts) == 32, "xindex 1.2");
static_assert(sizeof(invs_xindex) == 64, "xindex 1.2 ends here: grow only at the end");
static_assert(offsetof(invs_object, definition) == 32, "object 1.2");
static_assert(offsetof(invs_object, base) == 64, "object 1.2");
static_assert(sizeof(invs_object) == 96, "object 1.2 ends here: grow only at the end");
#endif

static void return_codes_are_frozen(void)
{
    CHECK_INT(INVS_OK, 0);
    CHECK_INT(INVS_ROW, 1);
    CHECK_INT(INVS_DONE, 2);
    CHECK_INT(INVS_ENOMEM, -1);
    CHECK_INT(INVS_ECORRUPT, -15);
    CHECK_INT(INVS_TEXT, 3);
    CHECK_INT(INVS_UINT, 5);
    CHECK_INT(INVS_T_NUMERIC, 25);
}

static void flags_and_hints_are_frozen(void)
{
    CHECK_INT(INVS_COL_AUTO_KEY, 0x20);
    CHECK_INT(INVS_TBL_ANY_ORDER, 0x100);
    CHECK_INT(INVS_HINT_ANY_ORDER, 0x01);
    CHECK_INT(INVS_HINT_NATIVE, 0x02);
    CHECK_INT(INVS_HINT_LAST, 0x04);
    CHECK_INT(INVS_CAP_TXN_DDL, 0x10);
    CHECK_INT(INVS_CAP_FILE, 0x20);
    CHECK_INT(INVS_SNIFF_MAX, 4096);
    CHECK_INT(INVS_LIM_TYPED, 0x01);
    CHECK_INT(INVS_LIM_NO_INFINITY, 0x20);
    CHECK_INT(INVS_UNIT_CHARS, 1);
}

static void has_detects_members_past_a_producers_size(void)
{
    invs_host h;
    h.struct_size = (uint32_t)offsetof(invs_host, uri_parse);
    CHECK(INVS_HAS(&h, invs_host, quote_ident));
    CHECK(!INVS_HAS(&h, invs_host, uri_parse));
    CHECK(!INVS_HAS(&h, invs_host, canon_name));
}

static void a_1_1_driver_table_lacks_the_1_2_members(void)
{
    invs_driver d;
    d.struct_size = (uint32_t)(offsetof(invs_driver, indexes_create) + sizeof(void *));
    CHECK(INVS_HAS(&d, invs_driver, indexes_create));
    CHECK(!INVS_HAS(&d, invs_driver, limits));
    CHECK(!INVS_HAS(&d, invs_driver, table_drop));
    CHECK(!INVS_HAS(&d, invs_driver, sniff));
}

static void a_driver_of_the_first_1_2_layout_lacks_the_file_members(void)
{
    invs_driver d;
    d.struct_size = (uint32_t)(offsetof(invs_driver, preflight) + sizeof(void *));
    CHECK(INVS_HAS(&d, invs_driver, preflight));
    CHECK(!INVS_HAS(&d, invs_driver, suffixes));
    CHECK(!INVS_HAS(&d, invs_driver, sniff));
}

static void a_driver_that_ends_at_schema_given_takes_no_rows(void)
{
    invs_driver d;
    d.struct_size = (uint32_t)(offsetof(invs_driver, schema_given) + sizeof(void *));
    CHECK(INVS_HAS(&d, invs_driver, schema_given));
    CHECK(!INVS_HAS(&d, invs_driver, given_rows));
    CHECK(!INVS_HAS(&d, invs_driver, row_given));
    CHECK(!INVS_HAS(&d, invs_driver, table_held));
}

CHECK_MAIN(TEST(return_codes_are_frozen), TEST(flags_and_hints_are_frozen),
           TEST(has_detects_members_past_a_producers_size),
           TEST(a_1_1_driver_table_lacks_the_1_2_members),
           TEST(a_driver_of_the_first_1_2_layout_lacks_the_file_members),
           TEST(a_driver_that_ends_at_schema_given_takes_no_rows))

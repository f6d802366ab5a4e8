/* The loader: drivers accepted or refused cleanly, with messages that name
 * both ABI versions. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "invs_core.h"

static invs_ctx *new_ctx(void)
{
    invs_ctx *ctx;
    if (invs_ctx_new(&ctx) != INVS_OK)
        abort();
    invs_ctx_add_plugin_dir(ctx, "/nonexistent/invstage-test-dir");
    invs_ctx_add_plugin_dir(ctx, MOCK_DIR);
    return ctx;
}

static int load(invs_ctx *ctx, const char *file, const invs_driver **d)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.so", MOCK_DIR, file);
    return invs_driver_load(d, ctx, path);
}

static void loads_a_current_driver_by_name(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(invs_driver_load(&d, ctx, "mock"), INVS_OK);
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->name, "mock");
        CHECK_INT(d->abi_major, INVS_ABI_MAJOR);
    }
    invs_ctx_free(ctx);
}

static void refuses_another_major_naming_both_versions(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(load(ctx, "invs_mock_major", &d), INVS_EABI);
    CHECK(d == NULL);
    {
        char theirs[32], ours[32];
        snprintf(theirs, sizeof(theirs), "ABI 2.%d", INVS_ABI_MINOR);
        snprintf(ours, sizeof(ours), "ABI %d.%d", INVS_ABI_MAJOR, INVS_ABI_MINOR);
        CHECK_HAS(invs_errmsg(ctx), theirs);
        CHECK_HAS(invs_errmsg(ctx), ours);
    }
    invs_ctx_free(ctx);
}

static void accepts_a_newer_minor_with_a_grown_table(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(load(ctx, "invs_mock_minor", &d), INVS_OK);
    CHECK(d != NULL && d->abi_minor == INVS_ABI_MINOR + 7);
    CHECK(d != NULL && d->struct_size > sizeof(invs_driver));
    invs_ctx_free(ctx);
}

static void refuses_a_capability_without_its_function(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(load(ctx, "invs_mock_nofn", &d), INVS_EABI);
    CHECK_HAS(invs_errmsg(ctx), "cursor_next");
    invs_ctx_free(ctx);
}

static void refuses_a_module_without_the_entry_point(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(load(ctx, "invs_mock_noentry", &d), INVS_EABI);
    CHECK_HAS(invs_errmsg(ctx), "invs_driver_init");
    invs_ctx_free(ctx);
}

static void refuses_a_driver_that_refuses_the_host(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(load(ctx, "invs_mock_null", &d), INVS_EABI);
    CHECK_HAS(invs_errmsg(ctx), "refused to start");
    invs_ctx_free(ctx);
}

static void refuses_a_driver_whose_name_differs_from_its_file(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(invs_driver_load(&d, ctx, "mock_misnamed"), INVS_EABI);
    CHECK_HAS(invs_errmsg(ctx), "calls itself 'other'");
    invs_ctx_free(ctx);
}

static void missing_driver_lists_where_it_looked(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(invs_driver_load(&d, ctx, "nosuchdriver"), INVS_ENOTFOUND);
    CHECK_HAS(invs_errmsg(ctx), "invs_nosuchdriver.so");
    CHECK_HAS(invs_errmsg(ctx), "/nonexistent/invstage-test-dir");
    CHECK_HAS(invs_errmsg(ctx), "INVSTAGE_PLUGIN_PATH");
    invs_ctx_free(ctx);
}

static void refuses_names_that_could_be_paths(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(invs_driver_load(&d, ctx, "..mock"), INVS_EINVAL);
    CHECK_INT(invs_driver_load(&d, ctx, "Mock"), INVS_EINVAL);
    CHECK_INT(invs_driver_load(&d, ctx, "/no/such/file.so"), INVS_ENOTFOUND);
    invs_ctx_free(ctx);
}

static void never_looks_in_the_current_directory(void)
{
    invs_ctx *ctx;
    const invs_driver *d = NULL;
    CHECK_INT(invs_ctx_new(&ctx), INVS_OK);
    /* MOCK_DIR holds invs_mock.so; with an empty path it must not be found
     * even from there */
    if (chdir(MOCK_DIR) == 0)
        CHECK_INT(invs_driver_load(&d, ctx, "mock"), INVS_ENOTFOUND);
    invs_ctx_free(ctx);
}

/* The driver serving a scheme, found through the plugin folder's manifest
 * and the drivers' own scheme lists. */
static const char *scheme_driver(invs_ctx *ctx, const char *scheme)
{
    const invs_driver *d = NULL;
    return invs_driver_for_scheme(&d, ctx, scheme) == INVS_OK ? d->name : "(none)";
}

static void scheme_aliases_map_to_driver_names(void)
{
    invs_ctx *ctx = new_ctx();
    invs_ctx_add_plugin_dir(ctx, PLUGIN_DIR);
    CHECK_STR(scheme_driver(ctx, "postgresql"), "postgres");
    CHECK_STR(scheme_driver(ctx, "pgsql"), "postgres");
    CHECK_STR(scheme_driver(ctx, "mariadb"), "mysql");
    CHECK_STR(scheme_driver(ctx, "sqlite"), "sqlite");
    CHECK_STR(scheme_driver(ctx, "sqlite3"), "sqlite");
    CHECK_STR(scheme_driver(ctx, "csvdir"), "(none)");
    CHECK_HAS(invs_errmsg(ctx), "invs_csvdir.so");
    invs_ctx_free(ctx);
}

static void a_refusing_entry_point_says_why(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(load(ctx, "invs_mock_says_why", &d), INVS_EABI);
    CHECK_HAS(invs_errmsg(ctx), "refused to start");
    CHECK_HAS(invs_errmsg(ctx), "needs a host service from ABI 1.99");
    invs_ctx_free(ctx);
}

static void refuses_a_push_driver_that_cannot_read_back(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(load(ctx, "invs_mockpush", &d), INVS_EABI);
    CHECK(d == NULL);
    CHECK_HAS(invs_errmsg(ctx), "missing cursor_open");
    CHECK_HAS(invs_errmsg(ctx), "reads back what it wrote");
    invs_ctx_free(ctx);
}

static void refuses_a_driver_that_does_not_serve_its_scheme(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(invs_driver_for_scheme(&d, ctx, "mockunlisted"), INVS_EABI);
    CHECK(d == NULL);
    CHECK_HAS(invs_errmsg(ctx), "does not list");
    CHECK_HAS(invs_errmsg(ctx), "mockunlisted");
    /* by its module name it loads: what it serves is another question */
    CHECK_INT(invs_driver_load(&d, ctx, "mockunlisted"), INVS_OK);
    invs_ctx_free(ctx);
}

static void a_target_without_transactional_ddl_needs_table_drop(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(invs_driver_load(&d, ctx, "mockt"), INVS_OK);
    CHECK(d && !(d->caps & INVS_CAP_TXN_DDL) && d->table_drop != NULL);
    CHECK(d && d->limits && d->limits->ident_max == 8);
    invs_ctx_free(ctx);
}

/* The file format chosen for a name or for first bytes ("(none)"). */
static const char *format_for_name(invs_ctx *ctx, const char *file)
{
    const invs_driver *d = NULL;
    return invs_format_for_name(&d, ctx, file) == INVS_OK ? d->name : "(none)";
}

static const char *format_for_bytes(invs_ctx *ctx, const char *head, size_t n)
{
    const invs_driver *d = NULL;
    return invs_format_for_bytes(&d, ctx, head, n) == INVS_OK ? d->name : "(none)";
}

static int note_format(const invs_driver *d, void *payload)
{
    char *names = payload;
    strcat(strcat(names, d->name), " ");
    return INVS_OK;
}

static void file_formats_are_the_drivers_own_word(void)
{
    static const char mp[] = "\x83\xa6" "format\xa8" "invstage";
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    char names[256] = "";
    int have_mp;
    invs_ctx_add_plugin_dir(ctx, PLUGIN_DIR);
    have_mp = invs_driver_load(&d, ctx, "msgpack") == INVS_OK;
    /* the mock folder's manifest names mockfile, the build's django, json
     * and msgpack: nothing else knows them, and engines are no formats */
    CHECK_INT(invs_format_each(ctx, note_format, names), INVS_OK);
    CHECK_STR(names, have_mp ? "mockfile django json msgpack " : "mockfile django json ");
    CHECK_STR(format_for_name(ctx, "a.json"), "json");
    CHECK_STR(format_for_name(ctx, "/x/A.JSON"), "json");
    CHECK_STR(format_for_name(ctx, "x.mockf"), "mockfile");
    CHECK_STR(format_for_name(ctx, "x.json.txt"), "(none)");
    CHECK_STR(format_for_name(ctx, "json"), "(none)");
    CHECK_STR(format_for_name(ctx, "x.db"), "(none)");
    CHECK_STR(format_for_bytes(ctx, "{\"format\":\"invstage\"", 20), "json");
    CHECK_STR(format_for_bytes(ctx, " \n{", 3), "json");
    CHECK_STR(format_for_bytes(ctx, "MOCKF 3\n", 8), "mockfile");
    CHECK_STR(format_for_bytes(ctx, "MOCK", 4), "(none)");
    CHECK_STR(format_for_bytes(ctx, "[{\"model\":1}]", 14), "django"); /* a fixture */
    CHECK_STR(format_for_bytes(ctx, "[1]", 3), "(none)");
    CHECK_STR(format_for_bytes(ctx, "", 0), "(none)");
    if (have_mp) {
        CHECK_STR(format_for_name(ctx, "x.tar.msgpack"), "msgpack");
        CHECK_STR(format_for_name(ctx, "x.mp"), "msgpack");
        CHECK_STR(format_for_bytes(ctx, mp, sizeof(mp) - 1), "msgpack");
        CHECK_STR(format_for_bytes(ctx, mp, 1), "msgpack");
    }
    invs_ctx_free(ctx);
}

static void refuses_a_file_format_whose_table_lacks_its_members(void)
{
    invs_ctx *ctx = new_ctx();
    const invs_driver *d = NULL;
    CHECK_INT(invs_driver_load(&d, ctx, "mockfile11"), INVS_EABI);
    CHECK_HAS(invs_errmsg(ctx), "says it is a file format");
    CHECK_INT(invs_driver_load(&d, ctx, "mockfile"), INVS_OK);
    CHECK(d && (d->caps & INVS_CAP_FILE) && d->sniff && !strcmp(d->suffixes[0], ".mockf"));
    invs_ctx_free(ctx);
}

CHECK_MAIN(TEST(loads_a_current_driver_by_name), TEST(refuses_another_major_naming_both_versions),
           TEST(accepts_a_newer_minor_with_a_grown_table),
           TEST(refuses_a_capability_without_its_function),
           TEST(refuses_a_module_without_the_entry_point),
           TEST(refuses_a_driver_that_refuses_the_host),
           TEST(refuses_a_driver_whose_name_differs_from_its_file),
           TEST(missing_driver_lists_where_it_looked), TEST(refuses_names_that_could_be_paths),
           TEST(scheme_aliases_map_to_driver_names), TEST(never_looks_in_the_current_directory),
           TEST(a_refusing_entry_point_says_why), TEST(refuses_a_push_driver_that_cannot_read_back),
           TEST(refuses_a_driver_that_does_not_serve_its_scheme),
           TEST(a_target_without_transactional_ddl_needs_table_drop),
           TEST(file_formats_are_the_drivers_own_word),
           TEST(refuses_a_file_format_whose_table_lacks_its_members))

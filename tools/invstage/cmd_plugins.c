/* invstage plugins [NAME|FILE]...: what drivers there are and what they can
 * do; given a file, the ABI verdict on it. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static const char plugins_help[] =
    "Usage: invstage plugins [OPTIONS] [NAME|FILE]...\n"
    "\n"
    "Load each driver and show its name, version, URI schemes, what it can do,\n"
    "and its driver ABI. Without arguments, the drivers invstage knows of\n"
    "(sqlite, postgres, mysql) are looked up in the plugin path:\n"
    "INVSTAGE_PLUGIN_PATH, then plugins/ beside the invstage binary, then\n"
    "../lib/invstage/plugins/ from it, then " INVS_PLUGIN_INSTALL_DIR ".\n"
    "A FILE (any argument with a '/') is loaded from that path: use it to check\n"
    "a driver you built.\n"
    "\n"
    "Options:\n"
    "  -q, --quiet     print nothing but errors\n"
    "  -v, --verbose   more detail\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 when every driver named loaded; 3 otherwise.\n";

static void plugins_print(const invs_driver *d)
{
    static const struct {
        uint64_t bit;
        const char *name;
    } caps[] = {{INVS_CAP_PULL, "pull"},         {INVS_CAP_PUSH, "push"},
                {INVS_CAP_CREATE, "create"},     {INVS_CAP_SNAPSHOT, "snapshot"},
                {INVS_CAP_TXN_DDL, "transactional-ddl"}};
    const char *const *s;
    size_t i;
    int first = 1;

    printf("%-10s %-10s ABI %u.%u  schemes:", d->name, d->version, d->abi_major, d->abi_minor);
    for (s = d->schemes; *s; s++)
        printf(" %s:", *s);
    printf("  can:");
    for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        if (d->caps & caps[i].bit) {
            printf("%s%s", first ? " " : ", ", caps[i].name);
            first = 0;
        }
    printf("\n");
}

int cmd_plugins(cli *c, int argc, char **argv)
{
    static const char *const known[] = {"sqlite", "postgres", "mysql"};
    static const struct option opts[] = {CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    int opt, i, ex = 0;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        if (opt == 'h') {
            fputs(plugins_help, stdout);
            return 0;
        }
        return cli_usage(c, "unknown option");
    }
    if (optind == argc) {
        for (i = 0; i < (int)(sizeof(known) / sizeof(known[0])); i++) {
            const invs_driver *d;
            if (invs_driver_load(&d, c->ctx, known[i]) == INVS_OK)
                plugins_print(d);
            else if (invs_errcode(c->ctx) == INVS_ENOTFOUND)
                printf("%-10s (not installed)\n", known[i]);
            else
                ex = cli_fail(c, invs_errcode(c->ctx));
        }
        return ex;
    }
    for (i = optind; i < argc; i++) {
        const invs_driver *d;
        int rc = invs_driver_load(&d, c->ctx, argv[i]);
        if (rc == INVS_OK) {
            plugins_print(d);
            if (c->verbose)
                printf("  %s: ABI compatible with this host (%d.%d)\n", argv[i],
                       INVS_ABI_MAJOR, INVS_ABI_MINOR);
        } else {
            ex = cli_fail(c, rc) ? EXIT_RUNTIME : 0;
        }
    }
    return ex;
}

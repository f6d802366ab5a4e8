/* invstage plugins [NAME|FILE]...: what drivers there are and what they can
 * do; given a file, the ABI verdict on it. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static const char plugins_help[] =
    "Usage: invstage plugins [OPTIONS] [NAME|FILE]...\n"
    "\n"
    "Load each driver and show its name, version, URI schemes, what it can do,\n"
    "and its driver ABI; for a file format ('file': export and import take it),\n"
    "the endings of its files' names too. Without arguments, every driver that a\n"
    "directory of the plugin path lists in its invs_drivers.list is shown. The\n"
    "plugin path:\n"
    "INVSTAGE_PLUGIN_PATH, then plugins/ beside the invstage binary, then\n"
    "../lib/invstage/plugins/ from it, then " INVS_PLUGIN_INSTALL_DIR ".\n"
    "A NAME is a driver module name (invs_NAME.so in the plugin path).\n"
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
                {INVS_CAP_TXN_DDL, "transactional-ddl"}, {INVS_CAP_FILE, "file"}};
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
    /* a file format: the names of its files (export and import choose it by them) */
    for (s = (d->caps & INVS_CAP_FILE) ? d->suffixes : NULL; s && *s; s++)
        printf("%s*%s", s == d->suffixes ? "  files: " : " ", *s);
    printf("\n");
}

typedef struct plugins_walk {
    cli *c;
    int ex;
    int n;
} plugins_walk;

/* One driver a manifest lists: shown, or why it does not load. */
static int plugins_listed(const char *name, void *payload)
{
    plugins_walk *w = payload;
    const invs_driver *d;
    w->n++;
    if (invs_driver_load(&d, w->c->ctx, name) == INVS_OK)
        plugins_print(d);
    else if (invs_errcode(w->c->ctx) == INVS_ENOTFOUND)
        printf("%-10s (listed, not installed)\n", name);
    else
        w->ex = cli_fail(w->c, invs_errcode(w->c->ctx)) ? EXIT_RUNTIME : 0;
    return 0;
}

int cmd_plugins(cli *c, int argc, char **argv)
{
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
        plugins_walk w = {c, 0, 0};
        int rc = invs_driver_list(c->ctx, plugins_listed, &w);
        if (rc < 0)
            return cli_fail(c, rc);
        if (!w.n && !c->quiet)
            printf("no driver is listed in the plugin path's invs_drivers.list\n");
        return w.ex;
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

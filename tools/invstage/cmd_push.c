/* invstage push STAGE TARGET */
#include <getopt.h>
#include <stdio.h>

#include <stdlib.h>

#include "cli.h"
#include "invs_core.h"

static const char push_help[] =
    "Usage: invstage push [OPTIONS] STAGE TARGET\n"
    "\n"
    "Load every table of STAGE into TARGET in one transaction, parents before\n"
    "children, then restore sequence positions. Missing tables are created\n"
    "from the stage's schema (a missing SQLite file is created). Existing\n"
    "tables must have the stage's columns. A target table that already holds\n"
    "rows is refused before anything is written, unless -c clears it.\n"
    "On any failure the target is left as it was.\n"
    "\n"
    "TARGET is a URI: sqlite:PATH or sqlite:///ABSOLUTE/PATH.\n"
    "\n"
    "Options:\n"
    "  -c, --clear     empty the stage's tables in TARGET before loading\n"
    "  -q, --quiet     print nothing but errors\n"
    "  -v, --verbose   more detail\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 pushed; 1 refused (target not empty, columns differ,\n"
    "data breaks a constraint); 2 bad usage; 3 failure (I/O, connection,\n"
    "corrupt or incomplete stage).\n";

int cmd_push(cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"clear", no_argument, NULL, 'c'}, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    invs_push_opts po = {0};
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "c" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        switch (opt) {
        case 'c': po.clear = 1; break;
        case 'h': fputs(push_help, stdout); return 0;
        default: return cli_usage(c, "unknown option");
        }
    }
    if (argc - optind != 2)
        return cli_usage(c, "expected STAGE and TARGET, got %d argument(s)", argc - optind);
    if ((rc = invs_push(c->ctx, argv[optind], argv[optind + 1], &po)) != INVS_OK)
        return cli_fail(c, rc);
    if (!c->quiet) {
        char *shown = invs_uri_redact(argv[optind + 1]);
        printf("pushed %s into %s in %.2fs: ", argv[optind], shown ? shown : "target",
               cli_now() - c->t0);
        free(shown);
        if ((rc = cli_print_stage(c, argv[optind], 0)) != INVS_OK)
            return cli_fail(c, rc);
    }
    return 0;
}

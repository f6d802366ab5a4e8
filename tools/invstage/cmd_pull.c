/* invstage pull SOURCE -o STAGE */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char pull_help[] =
    "Usage: invstage pull [OPTIONS] SOURCE -o STAGE\n"
    "\n"
    "Read the schema and every row of SOURCE into a new stage file. The stage\n"
    "appears only when the pull is complete; on failure nothing is left.\n"
    "\n"
    "SOURCE is a URI: sqlite:PATH or sqlite:///ABSOLUTE/PATH\n"
    "(other schemes load the driver of that name, see 'invstage plugins').\n"
    "\n"
    "Options:\n"
    "  -o, --output STAGE   the stage file to write (required)\n"
    "  -t, --table T        pull only tables named T (repeatable; glob patterns)\n"
    "  -x, --exclude T      leave out tables named T (repeatable; glob patterns)\n"
    "      --drop-dangling-fks  leave out the foreign keys that reference a table\n"
    "                       left out (otherwise verify finds the rows that need it)\n"
    "  -f, --force          replace STAGE if it exists\n"
    "  -s, --schema NAME    the source schema to read (repeatable; PostgreSQL:\n"
    "                       default public)\n"
    "  -O, --option K=V     a driver option (repeatable)\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        more detail\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 pulled, 2 bad usage, 3 failure (source missing, I/O, ...).\n";

int cmd_pull(cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"table", required_argument, NULL, 't'},
        {"exclude", required_argument, NULL, 'x'}, {"force", no_argument, NULL, 'f'},
        {"schema", required_argument, NULL, 's'}, {"option", required_argument, NULL, 'O'},
        {"drop-dangling-fks", no_argument, NULL, 256}, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    invs_pull_opts po = {0};
    const char **tables = calloc((size_t)argc + 1, sizeof(char *));
    const char **excludes = calloc((size_t)argc + 1, sizeof(char *));
    const char *out = NULL;
    cli_options dopts = {NULL, 0};
    int opt, rc, ex = 0;

    if (!tables || !excludes) {
        ex = EXIT_RUNTIME;
        goto done;
    }
    po.tables = tables;
    po.excludes = excludes;
    while ((opt = getopt_long(argc, argv, "o:t:x:fs:O:" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        switch (opt) {
        case 'o': out = optarg; break;
        case 't': tables[po.ntables++] = optarg; break;
        case 'x': excludes[po.nexcludes++] = optarg; break;
        case 'f': po.overwrite = 1; break;
        case 256: po.drop_dangling_fks = 1; break;
        case 's':
        case 'O':
            if ((ex = cli_driver_option(c, &dopts, opt, optarg)) != 0)
                goto done;
            break;
        case 'h': fputs(pull_help, stdout); goto done;
        default: ex = cli_usage(c, "unknown option"); goto done;
        }
    }
    if (argc - optind != 1) {
        ex = cli_usage(c, "expected one SOURCE, got %d argument(s)", argc - optind);
        goto done;
    }
    if (!out) {
        ex = cli_usage(c, "missing -o STAGE");
        goto done;
    }
    po.driver_options = (const char *const *)dopts.v;
    if ((rc = invs_pull(c->ctx, argv[optind], out, &po)) != INVS_OK) {
        ex = cli_fail(c, rc);
        goto done;
    }
    if (!c->quiet) {
        printf("pulled into %s in %.2fs: ", out, cli_now() - c->t0);
        if ((rc = cli_print_stage(c, out, 0)) != INVS_OK)
            ex = cli_fail(c, rc);
    }
done:
    cli_options_free(&dopts);
    free(tables);
    free(excludes);
    return ex;
}

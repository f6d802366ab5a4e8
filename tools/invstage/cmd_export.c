/* invstage export STAGE [-f FORMAT] [-o FILE|-]: a push into a file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The format of an export that neither -f nor -o's name chooses: the one
 * any language reads. Only a default: which formats there are, their
 * names and endings, the drivers say (cli_format.c). */
#define EXPORT_DEFAULT_FORMAT "json"

static const char export_help[] =
    "Usage: invstage export [OPTIONS] STAGE [-f FORMAT] [-o FILE|-]\n"
    "\n"
    "Write a stage as one portable file (formats/FORMAT.md): its facts, the\n"
    "schema of every table, every row, then a trailer of row counts and content\n"
    "digests. This is a push into FORMAT:FILE (the same as 'invstage push\n"
    "--force STAGE json:FILE'): tables in foreign-key order, written under a\n"
    "temporary name beside FILE and read back through the same driver, every\n"
    "table's digest compared with the stage's, before the file is renamed into\n"
    "place. On any failure no FILE is left. The stage need not be verified:\n"
    "what is exported is what the stage holds.\n"
    "\n"
    "-o - writes to standard output, the one case without the read-back (a\n"
    "reader still finds a cut stream by its missing trailer).\n"
    "\n"
    "Options:\n"
    "  -f, --format F     a file format, below (default: the one FILE's name\n"
    "                     ends in; else " EXPORT_DEFAULT_FORMAT ")\n"
    "  -o, --output FILE  the file to write, or - (default: STAGE without its\n"
    "                     .stage extension, plus the format's ending)\n"
    "  -t, --table T      export only tables named T (repeatable; glob patterns)\n"
    "  -x, --exclude T    leave out tables named T (repeatable; glob patterns)\n"
    "      --natural-foreign  django: references to users, groups, content types and\n"
    "                     permissions the file holds written as natural keys\n"
    "      --force        replace FILE if it exists\n"
    "  -O, --option K=V   a driver option (repeatable)\n"
    "  -q, --quiet        print nothing but errors\n"
    "  -v, --verbose      more detail\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 exported; 1 the file read back does not hold the stage's\n"
    "rows; 2 bad usage (FILE exists); 3 failure (missing or corrupt stage, I/O).\n";

/* STAGE without .stage, plus the format's first suffix (caller frees). */
static char *export_default_output(const char *stage, const invs_driver *d)
{
    size_t n = strlen(stage), k = strlen(".stage");
    const char *suffix = d->suffixes && d->suffixes[0] ? d->suffixes[0] : "";
    char *out;
    if (n > k && !strcmp(stage + n - k, ".stage"))
        n -= k;
    if ((out = malloc(n + strlen(suffix) + strlen(d->schemes[0]) + 2))) {
        if (*suffix)
            sprintf(out, "%.*s%s", (int)n, stage, suffix);
        else
            sprintf(out, "%.*s.%s", (int)n, stage, d->schemes[0]);
    }
    return out;
}

/* The format: -f's, else the one -o's name ends in, else the default;
 * *scheme: what the URI names it. 0, or an exit code. */
static int export_format(cli *c, const char *format, const char *out, const invs_driver **d,
                         const char **scheme)
{
    int ex;
    if (!format && out && strcmp(out, "-") != 0 && invs_format_for_name(d, c->ctx, out) == 0)
        format = (*d)->schemes[0];
    if (!format)
        format = EXPORT_DEFAULT_FORMAT;
    if ((ex = cli_format_named(c, format, INVS_CAP_PUSH, d)) != 0)
        return ex;
    *scheme = format;
    return 0;
}

int cmd_export(cli *c, int argc, char **argv)
{
    enum { OPT_FORCE = 256, OPT_NATURAL };
    static const struct option opts[] = {
        {"natural-foreign", no_argument, NULL, OPT_NATURAL},
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, OPT_FORCE},  {"option", required_argument, NULL, 'O'},
        {"table", required_argument, NULL, 't'},  {"exclude", required_argument, NULL, 'x'},
        CLI_COMMON_LONGOPTS,                      {NULL, 0, NULL, 0}};
    invs_push_opts po = {0};
    const char **tables = calloc((size_t)argc + 1, sizeof(char *));
    const char **excludes = calloc((size_t)argc + 1, sizeof(char *));
    cli_options dopts = {NULL, 0};
    const invs_driver *d = NULL;
    const char *format = NULL, *out = NULL, *scheme = NULL;
    char *made = NULL, *uri = NULL;
    int opt, rc, ex = 0;

    if (!tables || !excludes) {
        ex = EXIT_RUNTIME;
        goto done;
    }
    po.tables = tables;
    po.excludes = excludes;
    while ((opt = getopt_long(argc, argv, "f:o:O:t:x:" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        switch (opt) {
        case 'f': format = optarg; break;
        case 'o': out = optarg; break;
        case 't': tables[po.ntables++] = optarg; break;
        case 'x': excludes[po.nexcludes++] = optarg; break;
        case OPT_FORCE:
            if (cli_option_add(&dopts, "replace", "yes") != 0) {
                ex = EXIT_RUNTIME;
                goto done;
            }
            break;
        case OPT_NATURAL: /* the driver's option: a format that has none refuses it */
            if (cli_option_add(&dopts, "natural_foreign", "yes") != 0) {
                ex = EXIT_RUNTIME;
                goto done;
            }
            break;
        case 'O':
            if ((ex = cli_driver_option(c, &dopts, opt, optarg)) != 0)
                goto done;
            break;
        case 'h':
            fputs(export_help, stdout);
            cli_format_help(c);
            goto done;
        default: ex = cli_usage(c, "unknown option"); goto done;
        }
    }
    if (argc - optind != 1) {
        ex = cli_usage(c, "expected one STAGE, got %d argument(s)", argc - optind);
        goto done;
    }
    if ((ex = export_format(c, format, out, &d, &scheme)) != 0)
        goto done;
    if (!out && !(out = made = export_default_output(argv[optind], d))) {
        ex = EXIT_RUNTIME;
        goto done;
    }
    if (!(uri = cli_file_uri(scheme, out))) {
        ex = EXIT_RUNTIME;
        goto done;
    }
    po.force = 1;                   /* an export takes the stage as it is */
    po.no_check = !strcmp(out, "-"); /* standard output cannot be read back */
    po.driver_options = (const char *const *)dopts.v;
    if ((rc = invs_push(c->ctx, argv[optind], uri, &po)) != INVS_OK) {
        ex = cli_fail(c, rc);
        goto done;
    }
    if (!c->quiet && strcmp(out, "-") != 0 && (po.ntables || po.nexcludes)) {
        printf("exported the tables of %s that --table/--exclude chose to %s in %.2fs\n",
               argv[optind], uri, cli_now() - c->t0);
    } else if (!c->quiet && strcmp(out, "-") != 0) {
        printf("exported %s to %s in %.2fs: ", argv[optind], uri, cli_now() - c->t0);
        if ((rc = cli_print_stage(c, argv[optind], 0)) != INVS_OK)
            ex = cli_fail(c, rc);
    }
done:
    free(tables);
    free(excludes);
    cli_options_free(&dopts);
    free(made);
    free(uri);
    return ex;
}

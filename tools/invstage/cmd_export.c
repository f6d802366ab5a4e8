/* invstage export STAGE -f json|msgpack [-o FILE|-]: a push into a file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char export_help[] =
    "Usage: invstage export [OPTIONS] STAGE [-f json|msgpack] [-o FILE|-]\n"
    "\n"
    "Write a stage as one portable file (formats/FORMAT.md): its facts, the\n"
    "schema of every table, every row, then a trailer of row counts and content\n"
    "digests. This is a push into json:FILE or msgpack:FILE (the same as\n"
    "'invstage push --force STAGE json:FILE'): tables in foreign-key order,\n"
    "written under a temporary name beside FILE and read back through the same\n"
    "driver, every table's digest compared with the stage's, before the file is\n"
    "renamed into place. On any failure no FILE is left. The stage need not be\n"
    "verified: what is exported is what the stage holds.\n"
    "\n"
    "-o - writes to standard output, the one case without the read-back (a\n"
    "reader still finds a cut stream by its missing trailer).\n"
    "\n"
    "Options:\n"
    "  -f, --format F     json or msgpack (default: from FILE's extension\n"
    "                     .json, .msgpack, .mpk or .mp; else json)\n"
    "  -o, --output FILE  the file to write, or - (default: STAGE without its\n"
    "                     .stage extension, plus .json or .msgpack)\n"    "  -t, --table T      export only tables named T (repeatable; glob patterns)\n"
    "  -x, --exclude T    leave out tables named T (repeatable; glob patterns)\n"
    "      --force        replace FILE if it exists\n"
    "  -O, --option K=V   a driver option (repeatable)\n"
    "  -q, --quiet        print nothing but errors\n"
    "  -v, --verbose      more detail\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 exported; 1 the file read back does not hold the stage's\n"
    "rows; 2 bad usage (FILE exists); 3 failure (missing or corrupt stage, I/O).\n";

static int export_ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The format -o FILE's name suggests, or NULL. */
static const char *export_format_of(const char *file)
{
    if (export_ends(file, ".json"))
        return "json";
    if (export_ends(file, ".msgpack") || export_ends(file, ".mpk") || export_ends(file, ".mp"))
        return "msgpack";
    return NULL;
}

/* STAGE without .stage, plus .FORMAT (caller frees). */
static char *export_default_output(const char *stage, const char *format)
{
    size_t n = strlen(stage) - (export_ends(stage, ".stage") ? 6 : 0);
    char *out = malloc(n + strlen(format) + 2);
    if (out)
        sprintf(out, "%.*s.%s", (int)n, stage, format);
    return out;
}

/* FORMAT:FILE, the file's name as it is (a leading // would read as an
 * authority: one slash is the same folder). */
static char *export_uri(const char *format, const char *file)
{
    char *uri = malloc(strlen(format) + strlen(file) + 2);
    while (file[0] == '/' && file[1] == '/')
        file++;
    if (uri)
        sprintf(uri, "%s:%s", format, file);
    return uri;
}

int cmd_export(cli *c, int argc, char **argv)
{
    enum { OPT_FORCE = 256 };
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, OPT_FORCE},  {"option", required_argument, NULL, 'O'},
        {"table", required_argument, NULL, 't'},  {"exclude", required_argument, NULL, 'x'},
        CLI_COMMON_LONGOPTS,                      {NULL, 0, NULL, 0}};
    invs_push_opts po = {0};
    const char **tables = calloc((size_t)argc + 1, sizeof(char *));
    const char **excludes = calloc((size_t)argc + 1, sizeof(char *));
    cli_options dopts = {NULL, 0};
    const char *format = NULL, *out = NULL;
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
        case 'O':
            if ((ex = cli_driver_option(c, &dopts, opt, optarg)) != 0)
                goto done;
            break;
        case 'h': fputs(export_help, stdout); goto done;
        default: ex = cli_usage(c, "unknown option"); goto done;
        }
    }
    if (argc - optind != 1) {
        ex = cli_usage(c, "expected one STAGE, got %d argument(s)", argc - optind);
        goto done;
    }
    if (format && strcmp(format, "json") != 0 && strcmp(format, "msgpack") != 0) {
        ex = cli_usage(c, "-f takes json or msgpack, not '%s'", format);
        goto done;
    }
    if (!format)
        format = (out && export_format_of(out)) ? export_format_of(out) : "json";
    if (!out && !(out = made = export_default_output(argv[optind], format))) {
        ex = EXIT_RUNTIME;
        goto done;
    }
    if (!(uri = export_uri(format, out))) {
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

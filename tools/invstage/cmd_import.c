/* invstage import FILE -o STAGE [-f FORMAT]: a pull from a file. */
#define _GNU_SOURCE /* tee(2): a look at a pipe's first bytes that leaves them there */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char import_help[] =
    "Usage: invstage import [OPTIONS] FILE -o STAGE [-f FORMAT]\n"
    "\n"
    "Read a file that 'invstage export' wrote (or any file of that format,\n"
    "formats/FORMAT.md) into a new stage: a pull from FORMAT:FILE (json:FILE,\n"
    "...). Every table's rows are checked against the content digest\n"
    "and the row count the file carries, and the file must end with its\n"
    "trailer: a file that was cut short, damaged or is not of the format is\n"
    "refused, naming the byte offset and why, and no stage is left. The stage\n"
    "is an ordinary one (info, verify, push); its facts keep the file's as\n"
    "source.KEY. FILE - reads standard input.\n"
    "\n"
    "Options:\n"
    "  -o, --output STAGE   the stage file to write (required)\n"
    "  -f, --format F       a file format, below (default: the one that recognises\n"
    "                       the file's first bytes)\n"
    "  -t, --table T        import only tables named T (repeatable; glob patterns)\n"
    "  -x, --exclude T      leave out tables named T (repeatable; glob patterns)\n"
    "      --schema-from S  read the file onto the tables of S (a URI, read through\n"
    "                       its own driver, or a stage): for a format without types\n"
    "                       of its own (django: the target after its migrate)\n"
    "      --map M=TABLE    django: model app.model is in TABLE (a custom db_table)\n"
    "      --ignore-field F django: leave out field app.model.field on purpose (the\n"
    "                       stage records it); any other field without a column fails\n"
    "      --force          replace STAGE if it exists\n"
    "  -O, --option K=V     a driver option (repeatable)\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        more detail\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 imported; 2 bad usage (STAGE exists); 3 failure (file missing,\n"
    "not of the format, cut short or damaged, I/O).\n";

/* Up to cap first bytes of FILE, or of standard input without consuming
 * them (a regular file: pread; a pipe: tee into a pipe of our own): how
 * many, or -1 (errno) when they cannot be looked at. */
static ssize_t import_peek(const char *file, unsigned char *buf, size_t cap)
{
    struct stat st;
    ssize_t n = -1;
    int fd, p[2];
    if (strcmp(file, "-") != 0) {
        if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
            return -1;
        n = read(fd, buf, cap);
        close(fd);
        return n;
    }
    if (fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t at = lseek(0, 0, SEEK_CUR);
        return pread(0, buf, cap, at < 0 ? 0 : at);
    }
    if (pipe(p) != 0)
        return -1;
    if ((n = tee(0, p[1], cap, 0)) > 0)
        n = read(p[0], buf, (size_t)n);
    close(p[0]);
    close(p[1]);
    return n;
}

/* The file format that recognises FILE's first bytes, into *d and
 * *scheme: 0, or an exit code after saying why. */
static int import_detect(cli *c, const char *file, const invs_driver **d, const char **scheme)
{
    unsigned char head[INVS_SNIFF_MAX];
    ssize_t n = import_peek(file, head, sizeof(head));
    char *names;
    if (n < 0 && !strcmp(file, "-"))
        return cli_usage(c, "cannot look at the first bytes of standard input (%s): give "
                            "-f FORMAT",
                         strerror(errno));
    if (n < 0) {
        fprintf(stderr, "invstage %s: %s: %s\n", c->cmd, file, strerror(errno));
        return EXIT_RUNTIME;
    }
    if (invs_format_for_bytes(d, c->ctx, head, (size_t)n) == 0 && ((*d)->caps & INVS_CAP_PULL)) {
        *scheme = (*d)->schemes[0];
        return 0;
    }
    names = cli_format_names(c, INVS_CAP_PULL);
    fprintf(stderr,
            "invstage %s: %s: byte 0: %s (the formats this invstage reads: %s); give "
            "-f FORMAT to read it as one of them\n",
            c->cmd, file, n ? "no file format recognises its first bytes" : "the file is empty",
            names ? names : "?");
    free(names);
    return EXIT_RUNTIME;
}

static int import_run(cli *c, const char *format, const char *file, const char *out,
                      invs_pull_opts *po)
{
    char *uri = cli_file_uri(format, file);
    int rc;
    if (!uri)
        return EXIT_RUNTIME;
    rc = invs_pull(c->ctx, uri, out, po);
    if (rc == INVS_OK && !c->quiet) {
        printf("imported %s into %s in %.2fs: ", uri, out, cli_now() - c->t0);
        rc = cli_print_stage(c, out, 0);
    }
    free(uri);
    return rc == INVS_OK ? 0 : cli_fail(c, rc);
}

int cmd_import(cli *c, int argc, char **argv)
{
    enum { OPT_FORCE = 256, OPT_SCHEMA_FROM, OPT_MAP, OPT_IGNORE };
    static const struct option opts[] = {
        {"schema-from", required_argument, NULL, OPT_SCHEMA_FROM},
        {"map", required_argument, NULL, OPT_MAP},
        {"ignore-field", required_argument, NULL, OPT_IGNORE},
        {"output", required_argument, NULL, 'o'},  {"format", required_argument, NULL, 'f'},
        {"table", required_argument, NULL, 't'},   {"exclude", required_argument, NULL, 'x'},
        {"force", no_argument, NULL, OPT_FORCE},   {"option", required_argument, NULL, 'O'},
        CLI_COMMON_LONGOPTS,                       {NULL, 0, NULL, 0}};
    invs_pull_opts po = {0};
    const char **tables = calloc((size_t)argc + 1, sizeof(char *));
    const char **excludes = calloc((size_t)argc + 1, sizeof(char *));
    const char *out = NULL, *format = NULL;
    const invs_driver *d = NULL;
    cli_options dopts = {NULL, 0};
    int opt, ex = 0;

    if (!tables || !excludes) {
        ex = EXIT_RUNTIME;
        goto done;
    }
    po.tables = tables;
    po.excludes = excludes;
    while ((opt = getopt_long(argc, argv, "o:f:t:x:O:" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        switch (opt) {
        case 'o': out = optarg; break;
        case 'f': format = optarg; break;
        case 't': tables[po.ntables++] = optarg; break;
        case 'x': excludes[po.nexcludes++] = optarg; break;
        case OPT_FORCE: po.overwrite = 1; break;
        case OPT_SCHEMA_FROM: po.schema_from = optarg; break;
        case OPT_MAP:
        case OPT_IGNORE: /* the driver's options: one that has none refuses them */
            if (cli_option_add(&dopts, opt == OPT_MAP ? "map" : "ignore_field", optarg) != 0) {
                ex = EXIT_RUNTIME;
                goto done;
            }
            break;
        case 'O':
            if ((ex = cli_driver_option(c, &dopts, opt, optarg)) != 0)
                goto done;
            break;
        case 'h':
            fputs(import_help, stdout);
            cli_format_help(c);
            goto done;
        default: ex = cli_usage(c, "unknown option"); goto done;
        }
    }
    if (argc - optind != 1) {
        ex = cli_usage(c, "expected one FILE, got %d argument(s)", argc - optind);
        goto done;
    }
    if (!out) {
        ex = cli_usage(c, "missing -o STAGE");
        goto done;
    }
    ex = format ? cli_format_named(c, format, INVS_CAP_PULL, &d)
                : import_detect(c, argv[optind], &d, &format);
    if (ex != 0)
        goto done;
    po.driver_options = (const char *const *)dopts.v;
    ex = import_run(c, format, argv[optind], out, &po);
done:
    cli_options_free(&dopts);
    free(tables);
    free(excludes);
    return ex;
}

/* invstage import FILE -o STAGE [-f json|msgpack]: a pull from a file. */
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
    "Usage: invstage import [OPTIONS] FILE -o STAGE [-f json|msgpack]\n"
    "\n"
    "Read a file that 'invstage export' wrote (or any file of that format,\n"
    "formats/FORMAT.md) into a new stage: a pull from json:FILE or\n"
    "msgpack:FILE. Every table's rows are checked against the content digest\n"
    "and the row count the file carries, and the file must end with its\n"
    "trailer: a file that was cut short, damaged or is not of the format is\n"
    "refused, naming the byte offset and why, and no stage is left. The stage\n"
    "is an ordinary one (info, verify, push); its facts keep the file's as\n"
    "source.KEY. FILE - reads standard input.\n"
    "\n"
    "Options:\n"
    "  -o, --output STAGE   the stage file to write (required)\n"
    "  -f, --format F       json or msgpack (default: from the file's first byte)\n"
    "  -t, --table T        import only tables named T (repeatable; glob patterns)\n"
    "  -x, --exclude T      leave out tables named T (repeatable; glob patterns)\n"
    "      --force          replace STAGE if it exists\n"
    "  -O, --option K=V     a driver option (repeatable)\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        more detail\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 imported; 2 bad usage (STAGE exists); 3 failure (file missing,\n"
    "not of the format, cut short or damaged, I/O).\n";

/* The first byte of FILE, or of standard input without consuming it
 * (a regular file: pread; a pipe: tee into a pipe of our own). -1 when it
 * cannot be looked at; -2 when there is none. */
static int import_first_byte(const char *file)
{
    unsigned char b;
    struct stat st;
    int fd, p[2], n = -1;
    if (strcmp(file, "-") != 0) {
        if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
            return -2; /* the driver says why */
        n = (int)read(fd, &b, 1);
        close(fd);
        return n == 1 ? b : -2;
    }
    if (fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t at = lseek(0, 0, SEEK_CUR);
        return pread(0, &b, 1, at < 0 ? 0 : at) == 1 ? b : -2;
    }
    if (pipe(p) != 0)
        return -1;
    if (tee(0, p[1], 1, 0) == 1 && read(p[0], &b, 1) == 1)
        n = b;
    close(p[0]);
    close(p[1]);
    return n;
}

/* msgpack files begin with a map; anything else goes to the JSON reader,
 * which says what it found. */
static const char *import_sniff(int b)
{
    return (b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf ? "msgpack" : "json";
}

static int import_run(cli *c, const char *format, const char *file, const char *out,
                      invs_pull_opts *po)
{
    char *uri = malloc(strlen(format) + strlen(file) + 2);
    int rc;
    if (!uri)
        return EXIT_RUNTIME;
    while (file[0] == '/' && file[1] == '/') /* not an authority */
        file++;
    sprintf(uri, "%s:%s", format, file);
    rc = invs_pull(c->ctx, uri, out, po);
    free(uri);
    if (rc != INVS_OK)
        return cli_fail(c, rc);
    if (!c->quiet) {
        printf("imported %s:%s into %s in %.2fs: ", format, file, out, cli_now() - c->t0);
        if ((rc = cli_print_stage(c, out, 0)) != INVS_OK)
            return cli_fail(c, rc);
    }
    return 0;
}

int cmd_import(cli *c, int argc, char **argv)
{
    enum { OPT_FORCE = 256 };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},  {"format", required_argument, NULL, 'f'},
        {"table", required_argument, NULL, 't'},   {"exclude", required_argument, NULL, 'x'},
        {"force", no_argument, NULL, OPT_FORCE},   {"option", required_argument, NULL, 'O'},
        CLI_COMMON_LONGOPTS,                       {NULL, 0, NULL, 0}};
    invs_pull_opts po = {0};
    const char **tables = calloc((size_t)argc + 1, sizeof(char *));
    const char **excludes = calloc((size_t)argc + 1, sizeof(char *));
    const char *out = NULL, *format = NULL;
    cli_options dopts = {NULL, 0};
    int opt, ex = 0, b;

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
        case 'O':
            if ((ex = cli_driver_option(c, &dopts, opt, optarg)) != 0)
                goto done;
            break;
        case 'h': fputs(import_help, stdout); goto done;
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
    if (format && strcmp(format, "json") != 0 && strcmp(format, "msgpack") != 0) {
        ex = cli_usage(c, "-f takes json or msgpack, not '%s'", format);
        goto done;
    }
    if (!format && (b = import_first_byte(argv[optind])) == -1) {
        ex = cli_usage(c, "cannot look at the first byte of standard input (%s): give "
                          "-f json or -f msgpack",
                       strerror(errno));
        goto done;
    }
    if (!format)
        format = import_sniff(b);
    po.driver_options = (const char *const *)dopts.v;
    ex = import_run(c, format, argv[optind], out, &po);
done:
    cli_options_free(&dopts);
    free(tables);
    free(excludes);
    return ex;
}

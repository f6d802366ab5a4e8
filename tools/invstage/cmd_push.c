/* invstage push STAGE TARGET */
#include <getopt.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "invs_core.h"

static const char push_help[] =
    "Usage: invstage push [OPTIONS] STAGE TARGET\n"
    "\n"
    "STAGE must have been verified ('invstage verify') without errors, unless\n"
    "--force. Load every table of STAGE into TARGET in one transaction, parents before\n"
    "children, restore sequence positions, then read every table back and\n"
    "compare it with the stage before committing. Missing tables are created\n"
    "from the stage's schema (a missing SQLite file is created). Existing\n"
    "tables must have the stage's columns. A target table that already holds\n"
    "rows is refused before anything is written, unless -c clears it.\n"
    "On any failure the target is left as it was.\n"
    "\n"
    "Into existing tables, values are converted to the target column's type\n"
    "(booleans, decimals, timestamps; see the README); a value that cannot be\n"
    "converted stops the push, naming table, key and column.\n"
    "\n"
    "TARGET is a URI: sqlite:PATH, sqlite:///ABSOLUTE/PATH, or\n"
    "postgresql://[USER@]HOST[:PORT]/DB (libpq's form; the password from\n"
    "PGPASSWORD or ~/.pgpass).\n"
    "\n"
    "Options:\n"
    "  -c, --clear     empty the stage's tables in TARGET before loading\n"
    "  -f, --force     push a stage that has not been verified, or whose verify\n"
    "                  found errors\n"
    "      --assume-tz ZONE  naive timestamps (no offset) going into a column\n"
    "                  with a time zone are wall-clock times in ZONE: UTC (the\n"
    "                  default), an offset like +02:00, or a name like\n"
    "                  Europe/Berlin\n"
    "      --ignore-version  push even if the target's migration table\n"
    "                  (django_migrations, schema_migrations, alembic_version,\n"
    "                  flyway_schema_history) names other migrations than the\n"
    "                  stage's (checked before anything is cleared)\n"
    "  -s, --schema NAME  the target schema to load into (PostgreSQL: default\n"
    "                  the connection's current schema)\n"
    "  -O, --option K=V   a driver option (repeatable)\n"
    "      --lock-timeout DURATION  how long to wait for a lock another session\n"
    "                  holds on a target table (500ms, 10s, 2m, none; default\n"
    "                  10s): then the push is refused, naming the table and, where\n"
    "                  the engine says, the holder\n"
    "      --no-check     do not read the target back before committing (by\n"
    "                     default every table is, and its content digest must\n"
    "                     equal the stage's, or nothing is committed)\n"
    "  -q, --quiet     print nothing but errors\n"
    "  -v, --verbose   more detail\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 pushed; 1 refused (stage not verified or with errors,\n"
    "target not empty, columns differ, data breaks a constraint, the target\n"
    "does not hold what was sent); 2 bad usage; 3 failure (I/O, connection,\n"
    "corrupt stage).\n";

int cmd_push(cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"clear", no_argument, NULL, 'c'}, {"schema", required_argument, NULL, 's'},
        {"no-check", no_argument, NULL, 'N'}, {"force", no_argument, NULL, 'f'},
        {"ignore-version", no_argument, NULL, 'V'}, {"assume-tz", required_argument, NULL, 'Z'},
        {"option", required_argument, NULL, 'O'}, {"lock-timeout", required_argument, NULL, 'L'},
        CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    invs_push_opts po = {0};
    cli_options dopts = {NULL, 0};
    int opt, rc, ex = 0;

    while ((opt = getopt_long(argc, argv, "cfs:O:" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        switch (opt) {
        case 'c': po.clear = 1; break;
        case 'N': po.no_check = 1; break;
        case 'f': po.force = 1; break;
        case 'V': po.ignore_version = 1; break;
        case 'Z': po.assume_tz = optarg; break;
        case 'L':
            if ((ex = cli_duration_ms(c, "--lock-timeout", optarg, &po.lock_timeout_ms)) != 0)
                goto done;
            break;
        case 's':
        case 'O':
            if ((ex = cli_driver_option(c, &dopts, opt, optarg)) != 0)
                goto done;
            break;
        case 'h': fputs(push_help, stdout); goto done;
        default: ex = cli_usage(c, "unknown option"); goto done;
        }
    }
    if (argc - optind != 2) {
        ex = cli_usage(c, "expected STAGE and TARGET, got %d argument(s)", argc - optind);
        goto done;
    }
    po.driver_options = (const char *const *)dopts.v;
    if ((rc = invs_push(c->ctx, argv[optind], argv[optind + 1], &po)) != INVS_OK) {
        ex = cli_fail(c, rc);
        goto done;
    }
    if (!c->quiet) {
        char *shown = invs_uri_redact(argv[optind + 1]);
        printf("pushed %s into %s in %.2fs: ", argv[optind], shown ? shown : "target",
               cli_now() - c->t0);
        free(shown);
        if ((rc = cli_print_stage(c, argv[optind], 0)) != INVS_OK)
            ex = cli_fail(c, rc);
    }
done:
    cli_options_free(&dopts);
    return ex;
}

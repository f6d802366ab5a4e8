/* invstage migrate SOURCE TARGET: pull, verify and push in one command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "invs_core.h"

static const char migrate_help[] =
    "Usage: invstage migrate [OPTIONS] SOURCE TARGET\n"
    "\n"
    "Pull SOURCE into a stage, verify the stage against TARGET, push it into\n"
    "TARGET: the three commands in one, with the same checks and refusals. A\n"
    "verify error stops it before anything in TARGET changes (unless --force).\n"
    "Into a database that exists and whose DDL is transactional (PostgreSQL,\n"
    "SQLite), the rows go in while SOURCE is still being read, in one transaction\n"
    "that commits only after verify found no error and changed nothing, and the\n"
    "target read back matched the stage; else it is rolled back and the stage\n"
    "pushed as 'invstage push' would. The load's locks on TARGET (with -c, on\n"
    "the tables it empties) are then held while the source is read and verified,\n"
    "not only while it loads: --sequential if others use TARGET meanwhile. The stage\n"
    "is kept where -o says; without -o it is a temporary file in $TMPDIR (or\n"
    "/var/tmp), removed after a successful push and kept, and named, after a\n"
    "refusal or a failure, so that you can look at it and push it again.\n"
    "\n"
    "Options:\n"
    "  -o, --output STAGE   keep the stage here (refused if it exists)\n"
    "  -t, --table T        only tables named T (repeatable; glob patterns)\n"
    "  -x, --exclude T      leave out tables named T (repeatable; glob patterns)\n"
    "      --drop-dangling-fks  leave out foreign keys to tables left out\n"
    "  -c, --clear          empty the stage's tables in TARGET before loading\n"
    "  -f, --force          push even though verify found errors\n"
    "      --charset CS     what non-UTF-8 text is in (verify's; default CP1252)\n"
    "      --strip-nul      remove NUL bytes from text (recorded in the stage)\n"
    "      --nfc            put text in Unicode NFC (recorded in the stage)\n"
    "      --zero-dates null  zero dates become NULL (recorded in the stage)\n"
    "      --round-decimals   round values into the target's decimal(p,s) columns\n"
    "                       that would not fit otherwise (recorded in the stage)\n"
    "      --offsets-to-utc   dates and times with a UTC offset in timestamp columns\n"
    "                       without a time zone become UTC (recorded in the stage)\n"
    "      --assume-tz ZONE what naive timestamps mean going into columns with a\n"
    "                       zone (default UTC)\n"
    "      --ignore-version push even if the application's migrations differ\n"
    "      --lock-timeout DURATION  how long to wait for a lock on a target table\n"
    "      --no-check       do not read the target back before committing\n"
    "      --sequential     load TARGET only after the pull and verify have ended\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        more detail\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 migrated; 1 refused (verify errors, target not empty or of\n"
    "another version, the target does not hold what was sent); 2 bad usage;\n"
    "3 failure (connection, I/O).\n";

int cmd_migrate(cli *c, int argc, char **argv)
{
    enum { OPT_CHARSET = 256, OPT_STRIP_NUL, OPT_NFC, OPT_ZERO, OPT_ROUND, OPT_TZ, OPT_VERSION,
           OPT_LOCK, OPT_NOCHECK, OPT_UTC, OPT_DANGLING, OPT_SEQUENTIAL };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"table", required_argument, NULL, 't'},
        {"exclude", required_argument, NULL, 'x'}, {"clear", no_argument, NULL, 'c'},
        {"force", no_argument, NULL, 'f'}, {"charset", required_argument, NULL, OPT_CHARSET},
        {"strip-nul", no_argument, NULL, OPT_STRIP_NUL}, {"nfc", no_argument, NULL, OPT_NFC},
        {"zero-dates", required_argument, NULL, OPT_ZERO},
        {"round-decimals", no_argument, NULL, OPT_ROUND},
        {"offsets-to-utc", no_argument, NULL, OPT_UTC},
        {"drop-dangling-fks", no_argument, NULL, OPT_DANGLING},
        {"assume-tz", required_argument, NULL, OPT_TZ},
        {"ignore-version", no_argument, NULL, OPT_VERSION},
        {"lock-timeout", required_argument, NULL, OPT_LOCK},
        {"no-check", no_argument, NULL, OPT_NOCHECK},
        {"sequential", no_argument, NULL, OPT_SEQUENTIAL}, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    const char **tables = calloc((size_t)argc + 1, sizeof(char *));
    const char **excludes = calloc((size_t)argc + 1, sizeof(char *));
    invs_migrate_opts mo;
    char *kept = NULL;
    int opt, rc, ex = 0;

    memset(&mo, 0, sizeof(mo));
    if (!tables || !excludes) {
        ex = EXIT_RUNTIME;
        goto done;
    }
    mo.pull.tables = tables;
    mo.pull.excludes = excludes;
    while ((opt = getopt_long(argc, argv, "o:t:x:cf" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        switch (opt) {
        case 'o': mo.stage = optarg; break;
        case 't': tables[mo.pull.ntables++] = optarg; break;
        case 'x': excludes[mo.pull.nexcludes++] = optarg; break;
        case 'c': mo.push.clear = 1; break;
        case 'f': mo.push.force = 1; break;
        case OPT_CHARSET: mo.verify.charset = optarg; break;
        case OPT_STRIP_NUL: mo.verify.strip_nul = 1; break;
        case OPT_NFC: mo.verify.nfc = 1; break;
        case OPT_ZERO: mo.verify.zero_dates = optarg; break;
        case OPT_ROUND: mo.verify.round_decimals = 1; break;
        case OPT_UTC: mo.verify.offsets_to_utc = 1; break;
        case OPT_DANGLING: mo.pull.drop_dangling_fks = 1; break;
        case OPT_TZ: mo.push.assume_tz = optarg; break;
        case OPT_VERSION: mo.push.ignore_version = 1; break;
        case OPT_NOCHECK: mo.push.no_check = 1; break;
        case OPT_SEQUENTIAL: mo.sequential = 1; break;
        case OPT_LOCK:
            if ((ex = cli_duration_ms(c, "--lock-timeout", optarg, &mo.push.lock_timeout_ms)) != 0)
                goto done;
            break;
        case 'h': fputs(migrate_help, stdout); goto done;
        default: ex = cli_usage(c, "unknown option"); goto done;
        }
    }
    if (argc - optind != 2) {
        ex = cli_usage(c, "expected SOURCE and TARGET, got %d argument(s)", argc - optind);
        goto done;
    }
    if ((rc = invs_migrate(c->ctx, argv[optind], argv[optind + 1], &mo, &kept)) != INVS_OK) {
        ex = cli_fail(c, rc);
        if (kept)
            fprintf(stderr,
                    "invstage migrate: the stage is kept at %s: 'invstage info %s' shows what it "
                    "holds and found; 'invstage push %s TARGET' pushes it again\n",
                    kept, kept, kept);
        goto done;
    }
    if (!c->quiet) {
        char *from = invs_uri_redact(argv[optind]), *to = invs_uri_redact(argv[optind + 1]);
        printf("migrated %s into %s in %.2fs\n", from ? from : "source", to ? to : "target",
               cli_now() - c->t0);
        free(from);
        free(to);
    }
done:
    free(kept);
    free(tables);
    free(excludes);
    return ex;
}

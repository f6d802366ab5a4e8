/* invstage verify STAGE: find (and, for text encodings, fix) what would go
 * wrong in a target, before it is touched. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

static const char verify_help[] =
    "Usage: invstage verify [OPTIONS] STAGE\n"
    "\n"
    "Check a stage before it is pushed, and normalise its text:\n"
    "  text that is not UTF-8 is transcoded from the column's charset or\n"
    "  --charset; bytes that cannot be decoded are an error, never replaced;\n"
    "  NUL bytes in text are an error for a PostgreSQL target (--strip-nul\n"
    "  removes them); --nfc composes it (Unicode NFC); text that looks UTF-8\n"
    "  encoded twice (\"Ã©\" for \"é\") is reported. Every changed value is\n"
    "  kept with its bytes as pulled:\n"
    "  --undo restores the stage exactly.\n"
    "Integrity (nothing changed): primary keys (NULL, duplicates), unique keys,\n"
    "foreign-key orphans, NOT NULL, text in numeric columns, integers out of\n"
    "range, text longer than its column, row counts against the source.\n"
    "Findings are recorded in the stage and summarised here.\n"
    "\n"
    "Options:\n"
    "  -t, --target ENGINE|URI  a driver (postgres, mysql, sqlite; 'invstage\n"
    "                           plugins' lists them): what its types cannot hold\n"
    "                           becomes an error (else a warning). A URI: that, and\n"
    "                           every row bound for a table the target already has\n"
    "                           is converted as push will (not-convertible findings)\n"
    "      --round-decimals     with --target URI: a value with more decimals than\n"
    "                           its decimal(p,s) column is rounded half-even in the\n"
    "                           stage (recorded; --undo restores it) instead of an\n"
    "                           error; without it, nothing is ever rounded away\n"
    "      --charset CS         what non-UTF-8 text is in (any iconv name;\n"
    "                           default CP1252, MySQL's latin1)\n"
    "      --strip-nul          remove NUL bytes from text\n"
    "      --nfc                put text in Unicode NFC (composed) form\n"
    "      --json FILE          write the full report as JSON\n"
    "      --undo               put every changed value back as pulled\n"
    "      --against URI        only compare: does the database at URI hold exactly\n"
    "                           the stage's rows? (content digests; the first\n"
    "                           differing key of each table that differs)\n"
    "      --assume-tz ZONE     with --against or --target URI: as push's (what naive\n"
    "                           timestamps mean going into columns with a zone)\n"
    "      --accept-edits       rows changed outside invstage since the pull (a hand\n"
    "                           edit of the stage) are accepted with a warning; by\n"
    "                           default they are an error (stage-edited)\n"
    "      --zero-dates null    zero and partial dates (0000-00-00, 2026-00-10) in\n"
    "                           date and timestamp columns become NULL (recorded;\n"
    "                           --undo restores them)\n"
    "      --offsets-to-utc     a date and time with a UTC offset (+02:00) in a\n"
    "                           timestamp column without a time zone becomes the\n"
    "                           same instant in UTC (recorded; --undo restores it)\n"
    "      --reread             read every value again; by default a stage unchanged\n"
    "                           since invstage last wrote it is read only where\n"
    "                           what pull recorded of a column shows something to\n"
    "                           find (the report's rows_read says how much was read)\n"
    "  -q, --quiet              print nothing but errors\n"
    "  -v, --verbose            more detail\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 no error findings; 1 error findings; 2 bad usage;\n"
    "3 failure (missing or corrupt stage, I/O).\n";

typedef struct verify_print {
    json_t *list;
    int quiet;
} verify_print;

static int verify_each(const invs_finding *f, void *payload)
{
    verify_print *p = payload;
    if (!p->quiet) {
        char where[160];
        snprintf(where, sizeof(where), "%s%s%s", f->table, f->column ? "." : "",
                 f->column ? f->column : "");
        printf("%-8s %-20s %-28s %8lld  %s%s%s\n", f->severity, f->check, where,
               (long long)f->count, f->keys ? f->keys : "", f->keys ? "  " : "",
               f->detail ? f->detail : "");
    }
    if (p->list &&
        json_array_append_new(p->list,
                              json_pack("{s:s, s:s, s:s, s:s?, s:I, s:s?, s:s?}", "check", f->check,
                                        "severity", f->severity, "table", f->table, "column",
                                        f->column, "count", (json_int_t)f->count, "first_keys",
                                        f->keys, "detail", f->detail)) != 0)
        return INVS_ENOMEM;
    return INVS_OK;
}

static int verify_report(cli *c, const char *path, const char *json_path,
                         const invs_verify_summary *sum)
{
    verify_print p = {NULL, c->quiet};
    invs_stage *st = NULL;
    invs_job j;
    int rc;

    invs_job_init(&j, c->ctx);
    if (json_path && !(p.list = json_array()))
        return invs_ctx_report(c->ctx, &j.diag, invs_diag_oom(&j.diag));
    if ((rc = invs_stage_open(&st, c->ctx, &j.diag, path, 0)) == INVS_OK) {
        if (!c->quiet)
            printf("verify %s: %lld error(s), %lld warning(s), %lld value(s) changed\n", path,
                   (long long)sum->errors, (long long)sum->warnings, (long long)sum->changes);
        if ((rc = invs_audit_findings(st, verify_each, &p)) != INVS_OK)
            invs_stage_err(&j, st, rc);
    }
    invs_stage_close(st);
    if (rc == INVS_OK && json_path) {
        json_t *doc = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "stage", path, "errors",
                                (json_int_t)sum->errors, "warnings", (json_int_t)sum->warnings,
                                "changed", (json_int_t)sum->changes, "rows_read",
                                (json_int_t)sum->rows_read, "findings", p.list);
        p.list = NULL;
        if (!doc || json_dump_file(doc, json_path, JSON_INDENT(2)) != 0)
            rc = invs_diag(&j.diag, INVS_EIO, "cannot write %s", json_path);
        json_decref(doc);
    }
    json_decref(p.list);
    return invs_ctx_report(c->ctx, &j.diag, rc);
}

int cmd_verify(cli *c, int argc, char **argv)
{
    enum { OPT_CHARSET = 256, OPT_STRIP_NUL, OPT_JSON, OPT_UNDO, OPT_AGAINST, OPT_NFC, OPT_TZ,
           OPT_ZERO_DATES, OPT_ROUND, OPT_ACCEPT, OPT_UTC, OPT_REREAD };
    static const struct option opts[] = {
        {"target", required_argument, NULL, 't'},
        {"charset", required_argument, NULL, OPT_CHARSET},
        {"strip-nul", no_argument, NULL, OPT_STRIP_NUL},
        {"nfc", no_argument, NULL, OPT_NFC},
        {"json", required_argument, NULL, OPT_JSON},
        {"undo", no_argument, NULL, OPT_UNDO},
        {"against", required_argument, NULL, OPT_AGAINST},
        {"assume-tz", required_argument, NULL, OPT_TZ},
        {"zero-dates", required_argument, NULL, OPT_ZERO_DATES},
        {"round-decimals", no_argument, NULL, OPT_ROUND},
        {"offsets-to-utc", no_argument, NULL, OPT_UTC},
        {"accept-edits", no_argument, NULL, OPT_ACCEPT},
        {"reread", no_argument, NULL, OPT_REREAD},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0}};
    invs_verify_opts vo = {0};
    invs_verify_summary sum;
    const char *json_path = NULL;
    int opt, rc, rrc;

    while ((opt = getopt_long(argc, argv, "t:" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        switch (opt) {
        case 't': vo.target = optarg; break;
        case OPT_CHARSET: vo.charset = optarg; break;
        case OPT_STRIP_NUL: vo.strip_nul = 1; break;
        case OPT_NFC: vo.nfc = 1; break;
        case OPT_JSON: json_path = optarg; break;
        case OPT_UNDO: vo.undo = 1; break;
        case OPT_AGAINST: vo.against = optarg; break;
        case OPT_TZ: vo.assume_tz = optarg; break;
        case OPT_ZERO_DATES: vo.zero_dates = optarg; break;
        case OPT_ROUND: vo.round_decimals = 1; break;
        case OPT_UTC: vo.offsets_to_utc = 1; break;
        case OPT_ACCEPT: vo.accept_edits = 1; break;
        case OPT_REREAD: vo.reread = 1; break;
        case 'h': fputs(verify_help, stdout); return 0;
        default: return cli_usage(c, "unknown option");
        }
    }
    if (argc - optind != 1)
        return cli_usage(c, "expected one STAGE, got %d argument(s)", argc - optind);
    rc = invs_verify(&sum, c->ctx, argv[optind], &vo);
    if (rc != INVS_OK && rc != INVS_EVERIFY)
        return cli_fail(c, rc);
    if (vo.undo) {
        if (!c->quiet)
            printf("verify --undo %s: %lld value(s) restored as pulled\n", argv[optind],
                   (long long)sum.changes);
        return 0;
    }
    if ((rrc = verify_report(c, argv[optind], json_path, &sum)) != INVS_OK)
        return cli_fail(c, rrc);
    return rc == INVS_EVERIFY ? EXIT_REFUSED : 0;
}

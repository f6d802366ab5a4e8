/* invstage info STAGE: what a stage holds. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "invs_core.h"
#include "audit.h"

static const char info_help[] =
    "Usage: invstage info [OPTIONS] STAGE\n"
    "\n"
    "Show where a stage came from, its state, its tables with row counts, the\n"
    "schema objects beside them (types, views; functions and triggers, not copied),\n"
    "and what verify found and changed (-v lists every changed value, before and\n"
    "after).\n"
    "An interrupted stage (state 'pulling') is shown too.\n"
    "\n"
    "Options:\n"
    "  -q, --quiet     print nothing but errors\n"
    "  -v, --verbose   more detail\n"
    "  -h, --help      show this help\n";

/* Bytes as a C-like quoted string: printable ASCII and UTF-8 as they are,
 * anything else as \xHH. */
static void info_quoted(const unsigned char *p, size_t n)
{
    size_t i;
    putchar('"');
    for (i = 0; i < n && i < 80; i++) {
        size_t len = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC0 ? 2 : 1;
        if (p[i] == '"' || p[i] == '\\') {
            printf("\\%c", p[i]);
        } else if (p[i] >= 0x80 && i + len <= n && invs_utf8_valid(p + i, len)) {
            fwrite(p + i, 1, len, stdout); /* a whole UTF-8 character */
            i += len - 1;
        } else if (p[i] >= 0x20 && p[i] < 0x7f) {
            putchar(p[i]);
        } else {
            printf("\\x%02x", p[i]);
        }
    }
    printf(n > 80 ? "\"..." : "\"");
}

static int info_change(const invs_change *ch, void *payload)
{
    (void)payload;
    printf("  %s.%s row %lld: ", ch->table, ch->column, (long long)ch->row);
    info_quoted(ch->old_value, ch->old_len);
    printf(" -> ");
    info_quoted(ch->new_value, ch->new_len);
    printf("  (%s)\n", ch->reason);
    return INVS_OK;
}

/* The schema objects beside the tables, and which of them push names but
 * does not make. */
static void info_objects(const invs_stage *st)
{
    size_t i;
    if (st->objects.n)
        printf("\n%-9s %s\n", "object", "name");
    for (i = 0; i < st->objects.n; i++) {
        const invs_object *o = st->objects.v[i];
        int copied = o->kind >= INVS_OBJ_ENUM && o->kind <= INVS_OBJ_MATVIEW;
        printf("%-9s %s%s%s%s\n", invs_object_kind_name(o->kind), o->name,
               o->table ? " on " : "", o->table ? o->table : "", copied ? "" : " (not copied)");
    }
}

/* The facts a file carried about its data (source.KEY: a fixture's
 * metadata record, a file's header), one line each. */
static int info_source_fact(const char *key, const char *value, void *payload)
{
    (void)payload;
    if (!strncmp(key, "source.", 7))
        printf("%s:%*s%s\n", key, strlen(key) < 17 ? (int)(17 - strlen(key)) : 1, "", value);
    return INVS_OK;
}

int cli_print_stage(cli *c, const char *path, int full)
{
    static const char *const keys[] = {"source", "source_driver", "created_at",
                                       "invstage_version"};
    invs_stage *st = NULL;
    int64_t total = 0;
    size_t i, width = 5;
    invs_job j;
    int rc;

    invs_job_init(&j, c->ctx);
    if ((rc = invs_stage_open(&st, c->ctx, &j.diag, path, INVS_STAGE_INCOMPLETE_OK)) != INVS_OK)
        return invs_ctx_report(c->ctx, &j.diag, rc);
    if ((rc = invs_stage_load_schema(st)) != INVS_OK) {
        invs_stage_err(&j, st, rc);
        invs_stage_close(st);
        return invs_ctx_report(c->ctx, &j.diag, rc);
    }
    for (i = 0; i < st->ntables; i++) {
        size_t n = strlen(st->tables[i].schema->t.name);
        width = n > width ? n : width;
        total += st->tables[i].rows;
    }
    if (full) {
        printf("%-17s %s\n%-17s %d\n%-17s %s\n", "stage:", path, "format:",
               INVS_STAGE_FORMAT, "state:", st->state);
        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            char *v = invs_stage_meta_get(st, keys[i]);
            printf("%s:%*s%s\n", keys[i], (int)(17 - strlen(keys[i])), "", v ? v : "-");
            free(v);
        }
        if ((rc = invs_stage_meta_each(st, info_source_fact, NULL)) != INVS_OK)
            invs_stage_err(&j, st, rc);
        printf("\n%-*s %12s %12s\n", (int)width, "table", "rows", "source rows");
        for (i = 0; i < st->ntables; i++) {
            const invs_stage_table *t = &st->tables[i];
            char src[24] = "-";
            if (t->schema->t.row_count >= 0)
                snprintf(src, sizeof(src), "%lld", (long long)t->schema->t.row_count);
            printf("%-*s %12lld %12s\n", (int)width, t->schema->t.name, (long long)t->rows, src);
        }
        info_objects(st);
    }
    printf("%zu table(s), %lld row(s)\n", st->ntables, (long long)total);
    if (full) {
        int64_t errors, warnings, changes = 0;
        if ((rc = invs_audit_counts(st, &errors, &warnings)) == INVS_OK)
            changes = invs_audit_changes(st);
        if (rc == INVS_OK && (errors || warnings || changes || !strcmp(st->state, "verified")))
            printf("verify: %lld error(s), %lld warning(s), %lld value(s) changed%s\n",
                   (long long)errors, (long long)warnings, (long long)changes,
                   changes && !c->verbose ? " (-v lists them)" : "");
        if (rc == INVS_OK && c->verbose && changes)
            rc = invs_audit_each_change(st, info_change, NULL);
        if (rc != INVS_OK)
            invs_stage_err(&j, st, rc);
    }
    invs_stage_close(st);
    return invs_ctx_report(c->ctx, &j.diag, rc);
}

/* A run's temporary file (PATH.invs-tmp-PID): say what it is. */
static void info_temporary(const char *path)
{
    long pid = invs_file_temp_pid(path);
    const char *mark = strstr(path, ".invs-tmp-");
    if (!pid || !mark)
        return;
    fprintf(stderr,
            "invstage info: %s is the temporary file of a run by process %ld (%s): what it "
            "holds was never finished; the next pull or push to %.*s removes it\n",
            path, pid, kill((pid_t)pid, 0) == 0 || errno != ESRCH ? "still running"
                                                                : "no longer running",
            (int)(mark - path), path);
}

int cmd_info(cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    int opt, rc;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
        if (cli_common_option(c, opt))
            continue;
        if (opt == 'h') {
            fputs(info_help, stdout);
            return 0;
        }
        return cli_usage(c, "unknown option");
    }
    if (argc - optind != 1)
        return cli_usage(c, "expected one STAGE, got %d argument(s)", argc - optind);
    info_temporary(argv[optind]);
    if ((rc = cli_print_stage(c, argv[optind], 1)) != INVS_OK)
        return cli_fail(c, rc);
    return 0;
}

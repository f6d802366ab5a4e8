/* What the invstage subcommands share: set-up, reporting, exit codes. */
#ifndef INVS_CLI_H
#define INVS_CLI_H

#include "invstage/invstage.h"

/* Exit codes (README "Exit codes"). */
#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_RUNTIME 3

typedef struct cli {
    invs_ctx *ctx;
    const char *cmd; /* subcommand name, for messages */
    int quiet;
    int verbose;
    int tty;         /* stderr is a terminal: show progress */
    double t0;
    double last_progress;
    int progress_open; /* a progress line is on screen */
} cli;

/* Driver options collected from -O KEY=VALUE and --schema NAME. */
typedef struct cli_options {
    char **v; /* NULL-terminated */
    size_t n;
} cli_options;
/* Add "key=value" (key NULL: value is already "key=value"); 0 or -1. */
int cli_option_add(cli_options *o, const char *key, const char *value);
void cli_options_free(cli_options *o);
/* A duration (500ms, 10s, 2m; a bare number is seconds; "none": -1) in ms
 * into *out: 0, or the exit code of a usage error naming opt. */
int cli_duration_ms(cli *c, const char *opt, const char *arg, long *out);
/* -s NAME / -O KEY=VALUE into o: 0, or the exit code for a bad one. */
int cli_driver_option(cli *c, cli_options *o, int opt, const char *arg);

int cli_init(cli *c, const char *cmd);
void cli_done(cli *c);
/* Common options every subcommand takes; returns 1 if `opt` was one. */
int cli_common_option(cli *c, int opt);
/* Map a library return code to an exit code. */
int cli_exit_code(int rc);
/* Print the context's error and return the exit code for rc. */
int cli_fail(cli *c, int rc);
/* Print a usage error and return EXIT_USAGE. */
int cli_usage(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double cli_now(void);
/* Print the stage's tables and counts (used by info and after pull/push). */
int cli_print_stage(cli *c, const char *path, int full);

/* File formats (cli_format.c), from the drivers the plugin path lists. */
/* "json, msgpack": the schemes of those that can do cap (INVS_CAP_PULL,
 * INVS_CAP_PUSH), for messages (caller frees; NULL: no memory). */
char *cli_format_names(cli *c, uint64_t cap);
/* Each format and its file name endings, after a command's --help. */
void cli_format_help(cli *c);
/* -f NAME: the file format of that scheme, able to do cap (INVS_CAP_PUSH to
 * export, INVS_CAP_PULL to import), into *out: 0, or a usage error's code. */
int cli_format_named(cli *c, const char *name, uint64_t cap, const invs_driver **out);
/* "SCHEME:FILE" for a file's name as it is (caller frees; NULL: no memory). */
char *cli_file_uri(const char *scheme, const char *file);

int cmd_pull(cli *c, int argc, char **argv);
int cmd_push(cli *c, int argc, char **argv);
int cmd_info(cli *c, int argc, char **argv);
int cmd_plugins(cli *c, int argc, char **argv);
int cmd_verify(cli *c, int argc, char **argv);
int cmd_migrate(cli *c, int argc, char **argv);
int cmd_export(cli *c, int argc, char **argv);
int cmd_import(cli *c, int argc, char **argv);

/* long options every subcommand accepts */
#define CLI_COMMON_LONGOPTS                              \
    {"quiet", no_argument, NULL, 'q'},                   \
        {"verbose", no_argument, NULL, 'v'},             \
    {                                                    \
        "help", no_argument, NULL, 'h'                   \
    }
#define CLI_COMMON_SHORTOPTS "qvh"

#endif

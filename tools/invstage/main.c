/* invstage: move a whole database between installations and engines. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char main_help[] =
    "Usage: invstage COMMAND [OPTIONS] ...\n"
    "\n"
    "Move a whole database between SQLite, PostgreSQL and MySQL/MariaDB through\n"
    "an inspectable SQLite stage file, and prove nothing was lost.\n"
    "\n"
    "Commands:\n"
    "  pull SOURCE -o STAGE    read a database into a new stage\n"
    "  verify STAGE            check and normalise a stage before pushing it\n"
    "  push STAGE TARGET       load a stage into a database\n"
    "  migrate SOURCE TARGET   pull, verify against TARGET and push, in one\n"
    "  export STAGE -o FILE    write a stage as one JSON or msgpack file\n"
    "  import FILE -o STAGE    read such a file into a new stage\n"
    "  info STAGE              show what a stage holds\n"
    "  plugins [NAME|FILE]...  list drivers and what they can do\n"
    "\n"
    "  invstage COMMAND --help   help on one command\n"
    "  invstage --version        print the version\n"
    "\n"
    "URIs: sqlite:PATH, sqlite:///ABSOLUTE/PATH, postgresql://..., mysql://...,\n"
    "json:FILE, msgpack:FILE ('invstage plugins' lists the drivers).\n"
    "Files: json:FILE, msgpack:FILE (- for standard input or output).\n"
    "Exit status: 0 success; 1 refused (data or target); 2 bad usage;\n"
    "3 runtime failure (I/O, connection, corrupt stage).\n";

static const struct {
    const char *name;
    int (*run)(cli *c, int argc, char **argv);
} commands[] = {
    {"pull", cmd_pull},
    {"push", cmd_push},
    {"verify", cmd_verify},
    {"info", cmd_info},
    {"plugins", cmd_plugins},
    {"export", cmd_export},
    {"import", cmd_import},
    {"migrate", cmd_migrate},
};

int main(int argc, char **argv)
{
    cli c;
    size_t i;
    int ex;

    if (argc < 2) {
        fputs(main_help, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(main_help, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("invstage %s (stage format 1, driver ABI %d.%d)\n", INVS_VERSION, INVS_ABI_MAJOR,
               INVS_ABI_MINOR);
        return 0;
    }
    /* SQLite's global allocation statistics take a mutex per allocation;
     * nothing here reads them. Must precede SQLite's initialisation. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (cli_init(&c, commands[i].name) != 0)
            return EXIT_RUNTIME;
        ex = commands[i].run(&c, argc - 1, argv + 1);
        cli_done(&c);
        fflush(stdout);
        return ex;
    }
    fprintf(stderr, "invstage: unknown command '%s'\nTry 'invstage --help'.\n", argv[1]);
    return EXIT_USAGE;
}

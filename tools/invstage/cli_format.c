/*
 * The file formats export and import offer: whatever file drivers
 * (INVS_CAP_FILE) the plugin path lists, asked for their schemes and
 * suffixes. The command names none of them itself, so a new format is a
 * new driver folder and nothing here changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "invstage/strbuf.h"

typedef struct cli_format_list {
    invs_strbuf sb;
    uint64_t cap;
} cli_format_list;

static int cli_format_note(const invs_driver *d, void *payload)
{
    cli_format_list *l = payload;
    if (d->caps & l->cap)
        invs_sb_printf(&l->sb, "%s%s", l->sb.len ? ", " : "", d->schemes[0]);
    return INVS_OK;
}

char *cli_format_names(cli *c, uint64_t cap)
{
    cli_format_list l;
    invs_sb_init(&l.sb, realloc, free);
    l.cap = cap;
    invs_format_each(c->ctx, cli_format_note, &l);
    if (!l.sb.len)
        invs_sb_puts(&l.sb, "none installed");
    return invs_sb_take(&l.sb);
}

static int cli_format_help_line(const invs_driver *d, void *payload)
{
    const char *const *s;
    (void)payload;
    printf("  %-10s", d->schemes[0]);
    for (s = d->suffixes; s && *s; s++)
        printf(" *%s", *s);
    printf("\n");
    return INVS_OK;
}

void cli_format_help(cli *c)
{
    printf("\nFile formats (drivers with the 'file' capability in 'invstage plugins'):\n");
    invs_format_each(c->ctx, cli_format_help_line, NULL);
}

int cli_format_named(cli *c, const char *name, uint64_t cap, const invs_driver **out)
{
    char *names;
    int ex;
    if (invs_driver_for_scheme(out, c->ctx, name) == INVS_OK && ((*out)->caps & INVS_CAP_FILE) &&
        ((*out)->caps & cap))
        return 0;
    *out = NULL;
    names = cli_format_names(c, cap);
    ex = cli_usage(c, "'%s' is not a file format this invstage can %s (it can: %s)", name,
                   cap == INVS_CAP_PUSH ? "write" : "read", names ? names : "?");
    free(names);
    return ex;
}

char *cli_file_uri(const char *scheme, const char *file)
{
    char *uri = malloc(strlen(scheme) + strlen(file) + 2);
    while (file[0] == '/' && file[1] == '/') /* not an authority: one slash is the same */
        file++;
    if (uri)
        sprintf(uri, "%s:%s", scheme, file);
    return uri;
}

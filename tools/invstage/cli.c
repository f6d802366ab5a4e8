/* Set-up shared by every subcommand: plugin path, logging, progress,
 * interruption, error reporting. */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static invs_ctx *cli_signal_ctx;

static void cli_on_signal(int sig)
{
    if (cli_signal_ctx)
        invs_ctx_cancel(cli_signal_ctx);
    signal(sig, SIG_DFL); /* a second one ends the process */
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cli_progress_end(cli *c)
{
    if (c->progress_open) {
        fputs("\r\033[K", stderr);
        c->progress_open = 0;
    }
}

static void cli_log(int level, const char *msg, void *payload)
{
    cli *c = payload;
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > INVS_LOG_WARN + c->verbose || (c->quiet && level > INVS_LOG_ERROR))
        return;
    cli_progress_end(c);
    fprintf(stderr, "invstage: %s: %s\n", names[level < 0 || level > 3 ? 3 : level], msg);
}

static void cli_progress(const char *phase, const char *table, int64_t done, int64_t total,
                         void *payload)
{
    cli *c = payload;
    double now = cli_now();
    if (!c->tty || c->quiet)
        return;
    if (done != total && now - c->last_progress < 0.1)
        return;
    c->last_progress = now;
    if (total >= 0)
        fprintf(stderr, "\r\033[K%s %s: %lld/%lld rows", phase, table, (long long)done,
                (long long)total);
    else
        fprintf(stderr, "\r\033[K%s %s: %lld rows", phase, table, (long long)done);
    c->progress_open = 1;
}

/* The directory holding this executable (Linux: /proc/self/exe). */
static int cli_exe_dir(char *buf, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    char *slash;
    if (n <= 0 || (size_t)n >= cap - 1)
        return -1;
    buf[n] = '\0';
    if (!(slash = strrchr(buf, '/')))
        return -1;
    *slash = '\0';
    return 0;
}

int cli_init(cli *c, const char *cmd)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    const char *env = getenv("INVSTAGE_PLUGIN_PATH");

    memset(c, 0, sizeof(*c));
    c->cmd = cmd;
    c->tty = isatty(2);
    c->t0 = cli_now();
    if (invs_ctx_new(&c->ctx) != INVS_OK) {
        fprintf(stderr, "invstage: out of memory\n");
        return -1;
    }
    invs_ctx_set_log(c->ctx, cli_log, c);
    invs_ctx_set_progress(c->ctx, cli_progress, c);
    /* search order: INVSTAGE_PLUGIN_PATH, beside the binary (build tree),
     * the install's plugin folder relative to the binary, the configured
     * install folder. Never the current directory. */
    if (env && invs_ctx_add_plugin_path(c->ctx, env) != INVS_OK)
        return -1;
    if (cli_exe_dir(dir, sizeof(dir)) == 0) {
        snprintf(path, sizeof(path), "%s/plugins", dir);
        invs_ctx_add_plugin_dir(c->ctx, path);
        snprintf(path, sizeof(path), "%s/../lib/invstage/plugins", dir);
        invs_ctx_add_plugin_dir(c->ctx, path);
    }
    invs_ctx_add_plugin_dir(c->ctx, INVS_PLUGIN_INSTALL_DIR);
    cli_signal_ctx = c->ctx;
    signal(SIGINT, cli_on_signal);
    signal(SIGTERM, cli_on_signal);
    signal(SIGHUP, cli_on_signal); /* a dropped ssh session: stop as cleanly */
    return 0;
}

void cli_done(cli *c)
{
    cli_progress_end(c);
    cli_signal_ctx = NULL;
    invs_ctx_free(c->ctx);
}

int cli_common_option(cli *c, int opt)
{
    switch (opt) {
    case 'q': c->quiet = 1; return 1;
    case 'v': c->verbose++; return 1;
    }
    return 0;
}

int cli_option_add(cli_options *o, const char *key, const char *value)
{
    size_t n = (key ? strlen(key) + 1 : 0) + strlen(value) + 1;
    char **v = realloc(o->v, (o->n + 2) * sizeof(*v));
    char *s = malloc(n);
    if (!v || !s) {
        free(s);
        if (v)
            o->v = v;
        return -1;
    }
    snprintf(s, n, "%s%s%s", key ? key : "", key ? "=" : "", value);
    o->v = v;
    o->v[o->n++] = s;
    o->v[o->n] = NULL;
    return 0;
}

int cli_driver_option(cli *c, cli_options *o, int opt, const char *arg)
{
    if (opt == 'O' && !strchr(arg, '='))
        return cli_usage(c, "-O takes KEY=VALUE, not '%s'", arg);
    if (cli_option_add(o, opt == 's' ? "schema" : NULL, arg) != 0)
        return EXIT_RUNTIME;
    return 0;
}

int cli_duration_ms(cli *c, const char *opt, const char *arg, long *out)
{
    char *end;
    double v;
    if (!strcmp(arg, "none")) {
        *out = -1;
        return 0;
    }
    v = strtod(arg, &end);
    if (end == arg || v < 0)
        return cli_usage(c, "%s takes a duration (500ms, 10s, 2m, none), not '%s'", opt, arg);
    if (!strcmp(end, "ms"))
        ;
    else if (!strcmp(end, "s") || !*end)
        v *= 1000;
    else if (!strcmp(end, "m") || !strcmp(end, "min"))
        v *= 60000;
    else
        return cli_usage(c, "%s takes a duration (500ms, 10s, 2m, none), not '%s'", opt, arg);
    *out = v < 1 ? 1 : (long)v;
    return 0;
}

void cli_options_free(cli_options *o)
{
    size_t i;
    for (i = 0; i < o->n; i++)
        free(o->v[i]);
    free(o->v);
    o->v = NULL;
    o->n = 0;
}

int cli_exit_code(int rc)
{
    switch (rc) {
    case INVS_OK: return 0;
    case INVS_EINVAL: return EXIT_USAGE;
    case INVS_EREFUSED:
    case INVS_ECONSTRAINT:
    case INVS_ETYPE:
    case INVS_EVERIFY: return EXIT_REFUSED;
    }
    return EXIT_RUNTIME;
}

int cli_fail(cli *c, int rc)
{
    const char *msg = invs_errmsg(c->ctx);
    size_t n = strlen(c->cmd);
    cli_progress_end(c);
    /* the library names the step that failed ("push: table t: ..."), which
     * migrate needs; after "invstage push: " it would be said twice */
    if (msg && !strncmp(msg, c->cmd, n) && msg[n] == ':' && msg[n + 1] == ' ')
        msg += n + 2;
    fprintf(stderr, "invstage %s: %s\n", c->cmd, msg && *msg ? msg : invs_rc_name(rc));
    return cli_exit_code(rc);
}

int cli_usage(cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "invstage %s: ", c->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'invstage %s --help'.\n", c->cmd);
    return EXIT_USAGE;
}

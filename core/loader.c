/*
 * The driver loader: the only file that includes <ltdl.h>.
 *
 * Drivers are found by module name in the context's plugin directories (never
 * by scanning a directory, never in the current directory unless the user put
 * it in the path), or by an explicit file path. Loaded modules stay resident
 * for the life of the process, as unixODBC learned to do: client libraries do
 * not survive being unloaded. libltdl keeps process-wide state (its handle
 * list, lt_dlerror), so every call into it holds one mutex.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ltdl.h>

#include "invs_core.h"

#ifndef INVS_MODULE_SUFFIX
#define INVS_MODULE_SUFFIX ".so"
#endif

/* The size of invs_driver in ABI 1.0: a driver must be at least this big. */
#define DRIVER_SIZE_1_0 (offsetof(invs_driver, indexes_create) + sizeof(void *))

static pthread_mutex_t loader_lock = PTHREAD_MUTEX_INITIALIZER;
static int loader_ready;

static const char *const scheme_aliases[][2] = {
    {"postgresql", "postgres"},
    {"pgsql", "postgres"},
    {"mariadb", "mysql"},
    {"sqlite3", "sqlite"},
};

const char *invs_driver_for_scheme(const char *scheme)
{
    size_t i;
    for (i = 0; i < sizeof(scheme_aliases) / sizeof(scheme_aliases[0]); i++)
        if (strcmp(scheme, scheme_aliases[i][0]) == 0)
            return scheme_aliases[i][1];
    return scheme;
}

static int loader_name_ok(const char *name)
{
    const char *p;
    if (!*name)
        return 0;
    for (p = name; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
            return 0;
    return 1;
}

/* Open one module file and call its entry point. Holds loader_lock. */
static int loader_open_file(const invs_driver **out, invs_ctx *ctx, const char *path)
{
    lt_dlhandle h;
    invs_driver_init_fn init;
    const invs_driver *d;
    int rc;

    if (!loader_ready) {
        if (lt_dlinit() != 0)
            return invs_diag(ctx, INVS_EIO, "cannot initialise libltdl: %s", lt_dlerror());
        loader_ready = 1;
    }
    if (!(h = lt_dlopen(path))) {
        const char *why = lt_dlerror();
        return invs_diag(ctx, INVS_EIO, "cannot load driver %s: %s", path,
                         why ? why : "unknown error");
    }
    init = (invs_driver_init_fn)(uintptr_t)lt_dlsym(h, INVS_DRIVER_ENTRY);
    if (!init)
        return invs_diag(ctx, INVS_EABI,
                         "%s is not an invstage driver: it does not export %s", path,
                         INVS_DRIVER_ENTRY);
    if (!(d = init(invs_host_table())))
        return invs_diag(ctx, INVS_EABI,
                         "driver %s refused to start with this host (ABI %d.%d)", path,
                         INVS_ABI_MAJOR, INVS_ABI_MINOR);
    if ((rc = invs_driver_check(ctx, d, path)) != INVS_OK)
        return rc;
    *out = d;
    return INVS_OK;
}

int invs_driver_check(invs_ctx *ctx, const invs_driver *d, const char *what)
{
    static const struct {
        uint64_t cap;
        const char *name;
        size_t off;
    } need[] = {
#define NEED(cap, f) {cap, #f, offsetof(invs_driver, f)}
        NEED(0, open), NEED(0, close),
        NEED(INVS_CAP_PULL, schema_read), NEED(INVS_CAP_PULL, cursor_open),
        NEED(INVS_CAP_PULL, cursor_next), NEED(INVS_CAP_PULL, cursor_close),
        NEED(INVS_CAP_PUSH, begin), NEED(INVS_CAP_PUSH, commit),
        NEED(INVS_CAP_PUSH, rollback), NEED(INVS_CAP_PUSH, has_rows),
        NEED(INVS_CAP_PUSH, table_clear), NEED(INVS_CAP_PUSH, load_begin),
        NEED(INVS_CAP_PUSH, writer_open), NEED(INVS_CAP_PUSH, writer_put),
        NEED(INVS_CAP_PUSH, writer_close), NEED(INVS_CAP_PUSH, load_end),
        NEED(INVS_CAP_PUSH, sequences_set), NEED(INVS_CAP_PUSH, schema_read),
        NEED(INVS_CAP_CREATE, table_create), NEED(INVS_CAP_CREATE, indexes_create),
#undef NEED
    };
    size_t i;

    if (d->abi_major != INVS_ABI_MAJOR)
        return invs_diag(ctx, INVS_EABI,
                         "driver %s was built for driver ABI %u.%u; this invstage "
                         "speaks ABI %d.%d (majors must match)",
                         what, d->abi_major, d->abi_minor, INVS_ABI_MAJOR, INVS_ABI_MINOR);
    if (d->struct_size < DRIVER_SIZE_1_0)
        return invs_diag(ctx, INVS_EABI,
                         "driver %s declares a driver table of %u bytes, smaller than "
                         "ABI %d.0's %zu",
                         what, d->struct_size, INVS_ABI_MAJOR, (size_t)DRIVER_SIZE_1_0);
    if (!d->name || !loader_name_ok(d->name) || !d->schemes || !d->version)
        return invs_diag(ctx, INVS_EABI,
                         "driver %s has no valid name, version or scheme list", what);
    for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        const void *fn;
        if (need[i].cap && !(d->caps & need[i].cap))
            continue;
        memcpy(&fn, (const char *)d + need[i].off, sizeof(fn));
        if (!fn)
            return invs_diag(ctx, INVS_EABI,
                             "driver %s (%s) is missing %s, which its capabilities "
                             "promise",
                             what, d->name, need[i].name);
    }
    if (d->abi_minor > INVS_ABI_MINOR)
        invs_log(ctx, INVS_LOG_DEBUG,
                 "driver %s uses ABI %u.%u, newer than this host's %d.%d: its newer "
                 "functions are ignored",
                 what, d->abi_major, d->abi_minor, INVS_ABI_MAJOR, INVS_ABI_MINOR);
    return INVS_OK;
}

int invs_driver_load(const invs_driver **out, invs_ctx *ctx, const char *name)
{
    invs_strbuf sb, tried;
    size_t i;
    int rc = INVS_ENOTFOUND;

    *out = NULL;
    pthread_mutex_lock(&loader_lock);
    if (strchr(name, '/')) {
        if (access(name, F_OK) != 0)
            rc = invs_diag(ctx, INVS_ENOTFOUND, "driver file %s does not exist", name);
        else
            rc = loader_open_file(out, ctx, name);
        goto out;
    }
    if (!loader_name_ok(name)) {
        rc = invs_diag(ctx, INVS_EINVAL,
                       "'%s' is not a driver name (lower-case letters, digits, _)", name);
        goto out;
    }
    invs_sb_init_std(&sb);
    invs_sb_init_std(&tried);
    for (i = 0; i < ctx->nplugin_dirs; i++) {
        invs_sb_reset(&sb);
        invs_sb_printf(&sb, "%s/invs_%s%s", ctx->plugin_dirs[i], name, INVS_MODULE_SUFFIX);
        if (invs_sb_failed(&sb)) {
            rc = invs_diag(ctx, INVS_ENOMEM, "out of memory");
            break;
        }
        if (access(sb.p, F_OK) == 0) {
            rc = loader_open_file(out, ctx, sb.p);
            if (rc == INVS_OK && strcmp((*out)->name, name) != 0) {
                rc = invs_diag(ctx, INVS_EABI, "%s calls itself '%s', not '%s'", sb.p,
                               (*out)->name, name);
                *out = NULL;
            }
            break;
        }
        invs_sb_printf(&tried, "%s%s", tried.len ? ", " : "", ctx->plugin_dirs[i]);
    }
    if (rc == INVS_ENOTFOUND)
        rc = invs_diag(ctx, INVS_ENOTFOUND,
                       "no driver '%s': invs_%s%s is not in the plugin path (%s); set "
                       "INVSTAGE_PLUGIN_PATH to add a directory",
                       name, name, INVS_MODULE_SUFFIX, tried.len ? tried.p : "empty");
    invs_sb_free(&sb);
    invs_sb_free(&tried);
out:
    pthread_mutex_unlock(&loader_lock);
    return rc;
}

/*
 * The driver loader: the only file that includes <ltdl.h>.
 *
 * Drivers are found by module name in the context's plugin directories (never
 * by scanning a directory, never in the current directory unless the user put
 * it in the path), or by an explicit file path. A URI scheme is served by the
 * module of that name, or else by a driver that a plugin directory's
 * manifest (invs_drivers.list: module names, one per line) lists and whose
 * own `schemes` name it: what a driver serves is the driver's to say.
 * Loaded modules stay resident for the life of the process, as unixODBC
 * learned to do: client libraries do not survive being unloaded. libltdl
 * keeps process-wide state (its handle list, lt_dlerror), so every call
 * into it holds one mutex.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ltdl.h>

#include "invs_core.h"

#ifndef INVS_MODULE_SUFFIX
#define INVS_MODULE_SUFFIX ".so"
#endif

#define LOADER_MANIFEST "invs_drivers.list"

/* The size of invs_driver in ABI 1.0: a driver must be at least this big. */
#define DRIVER_SIZE_1_0 (offsetof(invs_driver, indexes_create) + sizeof(void *))

static pthread_mutex_t loader_lock = PTHREAD_MUTEX_INITIALIZER;
static int loader_ready;

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
static int loader_open_file(const invs_driver **out, invs_job *j, const char *path)
{
    lt_dlhandle h;
    invs_driver_init_fn init;
    const invs_driver *d;
    invs_diag_rec why;
    int rc;

    if (!loader_ready) {
        if (lt_dlinit() != 0)
            return invs_diag(&j->diag, INVS_EIO, "cannot initialise libltdl: %s", lt_dlerror());
        loader_ready = 1;
    }
    if (!(h = lt_dlopen(path))) {
        const char *err = lt_dlerror();
        return invs_diag(&j->diag, INVS_EIO, "cannot load driver %s: %s", path,
                         err ? err : "unknown error");
    }
    init = (invs_driver_init_fn)(uintptr_t)lt_dlsym(h, INVS_DRIVER_ENTRY);
    if (!init)
        return invs_diag(&j->diag, INVS_EABI,
                         "%s is not an invstage driver: it does not export %s", path,
                         INVS_DRIVER_ENTRY);
    invs_host_loading(j->ctx, &why);
    d = init(invs_host_table());
    invs_host_loading(NULL, NULL);
    if (!d)
        return invs_diag(&j->diag, INVS_EABI,
                         "driver %s refused to start with this host (ABI %d.%d)%s%s", path,
                         INVS_ABI_MAJOR, INVS_ABI_MINOR, why.msg[0] ? ": " : "", why.msg);
    if ((rc = invs_driver_check(j, d, path)) != INVS_OK)
        return rc;
    *out = d;
    return INVS_OK;
}

/* The member at `off` of d as its producer compiled it, or NULL. */
static const void *loader_member(const invs_driver *d, size_t off)
{
    const void *fn;
    if (off + sizeof(fn) > d->struct_size)
        return NULL;
    memcpy(&fn, (const char *)d + off, sizeof(fn));
    return fn;
}

int invs_driver_check(invs_job *j, const invs_driver *d, const char *what)
{
    /* what each capability promises; `alt` is a newer member that serves
     * as well (0: none) */
    static const struct {
        uint64_t cap;
        const char *name;
        size_t off, alt;
    } need[] = {
#define NEED(cap, f) {cap, #f, offsetof(invs_driver, f), 0}
#define NEED2(cap, f, g) {cap, #f, offsetof(invs_driver, f), offsetof(invs_driver, g)}
        NEED(0, open), NEED(0, close),
        /* a driver that pushes reads back what it wrote (the proof) */
        NEED(INVS_CAP_PULL | INVS_CAP_PUSH, schema_read),
        NEED2(INVS_CAP_PULL | INVS_CAP_PUSH, cursor_open, cursor_open_v2),
        NEED(INVS_CAP_PULL | INVS_CAP_PUSH, cursor_next),
        NEED(INVS_CAP_PULL | INVS_CAP_PUSH, cursor_close),
        NEED(INVS_CAP_PUSH, begin), NEED(INVS_CAP_PUSH, commit),
        NEED(INVS_CAP_PUSH, rollback), NEED(INVS_CAP_PUSH, has_rows),
        NEED(INVS_CAP_PUSH, table_clear), NEED(INVS_CAP_PUSH, load_begin),
        NEED(INVS_CAP_PUSH, writer_open), NEED(INVS_CAP_PUSH, writer_put),
        NEED(INVS_CAP_PUSH, writer_close), NEED(INVS_CAP_PUSH, load_end),
        NEED(INVS_CAP_PUSH, sequences_set),
        NEED2(INVS_CAP_CREATE, table_create, table_create_v2),
        NEED(INVS_CAP_CREATE, indexes_create),
#undef NEED
#undef NEED2
    };
    const invs_limits *lim;
    size_t i;

    if (d->abi_major != INVS_ABI_MAJOR)
        return invs_diag(&j->diag, INVS_EABI,
                         "driver %s was built for driver ABI %u.%u; this invstage "
                         "speaks ABI %d.%d (majors must match)",
                         what, d->abi_major, d->abi_minor, INVS_ABI_MAJOR, INVS_ABI_MINOR);
    if (d->struct_size < DRIVER_SIZE_1_0)
        return invs_diag(&j->diag, INVS_EABI,
                         "driver %s declares a driver table of %u bytes, smaller than "
                         "ABI %d.0's %zu",
                         what, d->struct_size, INVS_ABI_MAJOR, (size_t)DRIVER_SIZE_1_0);
    if (!d->name || !loader_name_ok(d->name) || !d->schemes || !d->schemes[0] || !d->version)
        return invs_diag(&j->diag, INVS_EABI,
                         "driver %s has no valid name, version or scheme list", what);
    for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        if (need[i].cap && !(d->caps & need[i].cap))
            continue;
        if (!loader_member(d, need[i].off) && !(need[i].alt && loader_member(d, need[i].alt)))
            return invs_diag(&j->diag, INVS_EABI,
                             "driver %s (%s) is missing %s, which its capabilities "
                             "promise%s",
                             what, d->name, need[i].name,
                             (need[i].cap & INVS_CAP_PULL) && !(d->caps & INVS_CAP_PULL)
                                 ? " (a driver that pushes reads back what it wrote)"
                                 : "");
    }
    /* since 1.2: creating tables that a failure cannot roll back needs a
     * way to remove them again (an older driver is refused at push) */
    if ((d->caps & INVS_CAP_CREATE) && !(d->caps & INVS_CAP_TXN_DDL) &&
        INVS_HAS(d, invs_driver, table_drop) && !d->table_drop)
        return invs_diag(&j->diag, INVS_EABI,
                         "driver %s (%s) is missing table_drop, which creating tables "
                         "without transactional DDL promises",
                         what, d->name);
    if ((d->caps & INVS_CAP_FILE) && !INVS_HAS(d, invs_driver, sniff))
        return invs_diag(&j->diag, INVS_EABI,
                         "driver %s (%s) says it is a file format, but its driver table "
                         "ends before suffixes and sniff",
                         what, d->name);
    lim = INVS_HAS(d, invs_driver, limits) ? d->limits : NULL;
    if (lim && (lim->struct_size < offsetof(invs_limits, bmp_charsets) + sizeof(void *) ||
                lim->ident_unit > INVS_UNIT_CHARS))
        return invs_diag(&j->diag, INVS_EABI, "driver %s (%s) describes its limits badly", what,
                         d->name);
    if (d->abi_minor > INVS_ABI_MINOR)
        invs_log(j->ctx, INVS_LOG_DEBUG,
                 "driver %s uses ABI %u.%u, newer than this host's %d.%d: its newer "
                 "functions are ignored",
                 what, d->abi_major, d->abi_minor, INVS_ABI_MAJOR, INVS_ABI_MINOR);
    return INVS_OK;
}

/* invs_driver_find with loader_lock held. */
static int loader_find(const invs_driver **out, invs_job *j, const char *name)
{
    const char *const *dirs;
    size_t ndirs = invs_ctx_plugin_dirs(j->ctx, &dirs), i;
    invs_strbuf sb, tried;
    int rc = INVS_ENOTFOUND;

    *out = NULL;
    if (strchr(name, '/')) {
        if (access(name, F_OK) != 0)
            return invs_diag(&j->diag, INVS_ENOTFOUND, "driver file %s does not exist", name);
        return loader_open_file(out, j, name);
    }
    if (!loader_name_ok(name))
        return invs_diag(&j->diag, INVS_EINVAL,
                         "'%s' is not a driver name (lower-case letters, digits, _)", name);
    invs_sb_init_std(&sb);
    invs_sb_init_std(&tried);
    for (i = 0; i < ndirs; i++) {
        invs_sb_reset(&sb);
        invs_sb_printf(&sb, "%s/invs_%s%s", dirs[i], name, INVS_MODULE_SUFFIX);
        if (invs_sb_failed(&sb)) {
            rc = invs_diag_oom(&j->diag);
            break;
        }
        if (access(sb.p, F_OK) == 0) {
            rc = loader_open_file(out, j, sb.p);
            if (rc == INVS_OK && strcmp((*out)->name, name) != 0) {
                rc = invs_diag(&j->diag, INVS_EABI, "%s calls itself '%s', not '%s'", sb.p,
                               (*out)->name, name);
                *out = NULL;
            }
            break;
        }
        invs_sb_printf(&tried, "%s%s", tried.len ? ", " : "", dirs[i]);
    }
    if (rc == INVS_ENOTFOUND)
        rc = invs_diag(&j->diag, INVS_ENOTFOUND,
                       "no driver '%s': invs_%s%s is not in the plugin path (%s); set "
                       "INVSTAGE_PLUGIN_PATH to add a directory",
                       name, name, INVS_MODULE_SUFFIX, tried.len ? tried.p : "empty");
    invs_sb_free(&sb);
    invs_sb_free(&tried);
    return rc;
}

int invs_driver_find(const invs_driver **out, invs_job *j, const char *name)
{
    int rc;
    pthread_mutex_lock(&loader_lock);
    rc = loader_find(out, j, name);
    pthread_mutex_unlock(&loader_lock);
    return rc;
}

int invs_driver_load(const invs_driver **out, invs_ctx *ctx, const char *name)
{
    invs_job j;
    invs_job_init(&j, ctx);
    return invs_ctx_report(ctx, &j.diag, invs_driver_find(out, &j, name));
}

/* Call fn with each module name the manifests of the plugin path list, the
 * first time it is listed. A non-zero return stops and is returned. */
static int loader_each_listed(invs_job *j, int (*fn)(const char *name, void *payload),
                              void *payload)
{
    const char *const *dirs;
    size_t ndirs = invs_ctx_plugin_dirs(j->ctx, &dirs), i, k;
    char **seen = NULL;
    size_t nseen = 0;
    int rc = INVS_OK;

    for (i = 0; i < ndirs && rc == INVS_OK; i++) {
        char path[4096], line[256];
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s", dirs[i], LOADER_MANIFEST);
        if (!(f = fopen(path, "r")))
            continue;
        while (rc == INVS_OK && fgets(line, sizeof(line), f)) {
            char **nv;
            line[strcspn(line, " \t\r\n#")] = '\0';
            if (!line[0])
                continue;
            if (!loader_name_ok(line)) {
                invs_log(j->ctx, INVS_LOG_DEBUG, "%s: '%s' is not a driver name", path, line);
                continue;
            }
            for (k = 0; k < nseen && strcmp(seen[k], line); k++)
                ;
            if (k < nseen)
                continue;
            if (!(nv = realloc(seen, (nseen + 1) * sizeof(*nv))) ||
                !(nv[nseen] = invs_strdup(line))) {
                if (nv)
                    seen = nv;
                rc = invs_diag_oom(&j->diag);
                break;
            }
            seen = nv;
            rc = fn(seen[nseen++], payload);
        }
        fclose(f);
    }
    for (k = 0; k < nseen; k++)
        free(seen[k]);
    free(seen);
    return rc;
}

int invs_driver_list(invs_ctx *ctx, int (*fn)(const char *name, void *payload), void *payload)
{
    invs_job j;
    invs_job_init(&j, ctx);
    return invs_ctx_report(ctx, &j.diag, loader_each_listed(&j, fn, payload));
}

static int loader_serves(const invs_driver *d, const char *scheme)
{
    const char *const *s;
    for (s = d->schemes; *s; s++)
        if (!strcmp(*s, scheme))
            return 1;
    return 0;
}

typedef struct scheme_search {
    invs_job *j;
    const char *scheme;
    const invs_driver *found;
} scheme_search;

static int loader_try_listed(const char *name, void *payload)
{
    scheme_search *q = payload;
    const invs_driver *d;
    if (!strcmp(name, q->scheme)) /* tried by name already */
        return INVS_OK;
    if (invs_driver_find(&d, q->j, name) != INVS_OK) {
        /* a listed driver that does not load serves nothing */
        invs_log(q->j->ctx, INVS_LOG_DEBUG, "%s", q->j->diag.msg);
        invs_diag_clear(&q->j->diag);
        return INVS_OK;
    }
    if (!loader_serves(d, q->scheme))
        return INVS_OK;
    q->found = d;
    return 1; /* stop */
}

int invs_driver_for_uri(const invs_driver **out, invs_job *j, const char *scheme)
{
    scheme_search q = {j, scheme, NULL};
    invs_diag_rec by_name;
    int rc;

    *out = NULL;
    invs_diag_clear(&by_name);
    if (loader_name_ok(scheme)) {
        if ((rc = invs_driver_find(out, j, scheme)) == INVS_OK) {
            if (loader_serves(*out, scheme))
                return INVS_OK;
            *out = NULL;
            return invs_diag(&j->diag, INVS_EABI,
                             "driver invs_%s was loaded for scheme %s, but it does not list "
                             "that scheme among the schemes it serves",
                             scheme, scheme);
        }
        if (rc != INVS_ENOTFOUND)
            return rc;
        invs_diag_save(&by_name, &j->diag);
        invs_diag_clear(&j->diag); /* not a failure yet: the manifests may name one */
    }
    if ((rc = loader_each_listed(j, loader_try_listed, &q)) < 0)
        return rc;
    if ((*out = q.found))
        return INVS_OK;
    if (by_name.code)
        return invs_diag(&j->diag, INVS_ENOTFOUND,
                         "%s; nor does a driver listed in the plugin path's " LOADER_MANIFEST
                         " serve scheme %s",
                         by_name.msg, scheme);
    return invs_diag(&j->diag, INVS_ENOTFOUND,
                     "no driver serves scheme '%s' (no driver listed in the plugin path's "
                     LOADER_MANIFEST " names it)",
                     scheme);
}

int invs_driver_for_scheme(const invs_driver **out, invs_ctx *ctx, const char *scheme)
{
    invs_job j;
    invs_job_init(&j, ctx);
    return invs_ctx_report(ctx, &j.diag, invs_driver_for_uri(out, &j, scheme));
}

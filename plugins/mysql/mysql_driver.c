/*
 * invs_mysql: the MySQL / MariaDB driver. So far it describes what MySQL
 * cannot store, for `verify --target mysql`; connecting, pull and push
 * arrive with the driver proper (MariaDB Connector/C).
 */
#include <stddef.h>

#include "invstage/driver.h"

static const invs_host *mysql_host;

static const char *const mysql_schemes[] = {"mysql", "mariadb", NULL};

/* utf8 is utf8mb3 in MySQL and MariaDB: characters up to U+FFFF only */
static const char *const mysql_bmp_charsets[] = {"utf8mb3", "utf8", NULL};

static const invs_limits mysql_limits = {
    .struct_size = sizeof(invs_limits),
    .flags = INVS_LIM_TYPED | INVS_LIM_CI_UNIQUE | INVS_LIM_NO_BC | INVS_LIM_NO_INFINITY,
    .engine = "MySQL",
    .ident_max = 64,
    .ident_unit = INVS_UNIT_CHARS,
    .year_min = 1000, /* DATE and DATETIME: 1000-01-01 to 9999-12-31 */
    .year_max = 9999,
    .decimal_max = 65,
    .bmp_charsets = mysql_bmp_charsets,
};

static int mysql_open(invs_drv_conn **out, invs_session *s, const char *uri, unsigned flags,
                      const char *const *options)
{
    (void)uri, (void)flags, (void)options;
    *out = NULL;
    return mysql_host->error(s, INVS_EUNSUPPORTED, NULL, 0,
                             "the mysql driver describes MySQL's limits only: it cannot "
                             "connect yet");
}

static void mysql_close(invs_drv_conn *conn) { (void)conn; }

static const invs_driver mysql_driver = {
    .abi_major = INVS_ABI_MAJOR,
    .abi_minor = INVS_ABI_MINOR,
    .struct_size = sizeof(invs_driver),
    .name = "mysql",
    .version = MYSQL_DRIVER_VERSION,
    .description = "MySQL and MariaDB (limits only)",
    .schemes = mysql_schemes,
    .caps = 0,
    .open = mysql_open,
    .close = mysql_close,
    .limits = &mysql_limits,
};

INVS_EXPORT const invs_driver *invs_driver_init(const invs_host *host)
{
    if (!host || host->abi_major != INVS_ABI_MAJOR)
        return NULL;
    mysql_host = host;
    return &mysql_driver;
}

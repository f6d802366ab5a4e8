/*
 * ?ssl-mode=, as the mysql client means it, on MariaDB Connector/C.
 *
 * The library has two switches, MYSQL_OPT_SSL_ENFORCE ("use TLS") and
 * MYSQL_OPT_SSL_VERIFY_SERVER_CERT (verify the certificate's chain and the
 * host name), and verifies the chain alone whenever a CA is given
 * (OpenSSL, Debian's build); it reads the option files at connect time,
 * after the URI's options. So each mode is what the library can be told,
 * then checked on the connection it made:
 *
 *   (none)           the library's own default, and the option files'
 *   DISABLED         no TLS asked for (ENFORCE and VERIFY off, no CA, cert
 *                    or key passed; an option file may still ask for it)
 *   PREFERRED        TLS when the server offers it (ENFORCE on, VERIFY off)
 *   REQUIRED         as PREFERRED, then refused unless the connection is
 *                    encrypted: Connector/C 3.3 falls back to plain text
 *                    when the server has no TLS, so the refusal comes after
 *                    the login (whose password is scrambled, never sent in
 *                    clear) and before any statement
 *   VERIFY_CA        as REQUIRED, with the URI's ssl-ca or ssl-capath, which
 *                    the library verifies the chain against; the host name
 *                    is not checked
 *   VERIFY_IDENTITY  chain and host name verified (VERIFY on: a server
 *                    without TLS is refused before the login), and refused
 *                    if an option file turned verification off
 */
#include <string.h>

#include "my_driver.h"

static const char *const my_tls_names[] = {"DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA",
                                           "VERIFY_IDENTITY"};

int my_tls_mode(my_conn *c, const char *v)
{
    char up[24];
    size_t i;
    for (i = 0; v[i] && i + 1 < sizeof(up); i++)
        up[i] = v[i] == '-' ? '_' : (v[i] >= 'a' && v[i] <= 'z') ? (char)(v[i] - 32) : v[i];
    up[i] = '\0';
    for (i = 0; i < sizeof(my_tls_names) / sizeof(my_tls_names[0]); i++)
        if (!strcmp(up, my_tls_names[i])) {
            c->to.ssl = (int)i;
            return INVS_OK;
        }
    return my_host->error(c->s, INVS_EINVAL, NULL, 0,
                          "%s: ssl-mode=%s: expected DISABLED, PREFERRED, REQUIRED, VERIFY_CA or "
                          "VERIFY_IDENTITY",
                          c->shown, v);
}

int my_tls_ready(my_conn *c)
{
    if (c->to.ssl == MY_TLS_VERIFY_CA && !c->to.ssl_ca && !c->to.ssl_capath)
        return my_host->error(c->s, INVS_EINVAL, NULL, 0,
                              "%s: ssl-mode=VERIFY_CA needs the CA to verify the server against "
                              "(ssl-ca=FILE or ssl-capath=DIR); VERIFY_IDENTITY also checks the "
                              "host name, against the system's CAs if none is given",
                              c->shown);
    return INVS_OK;
}

void my_tls_options(const my_conn *c, MYSQL *m)
{
    my_bool on = 1, off = 0;
    int mode = c->to.ssl;
    if (mode == MY_TLS_DISABLED) {
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &off);
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
        return;
    }
    if (mode >= MY_TLS_PREFERRED) {
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
                       mode == MY_TLS_VERIFY_IDENTITY ? &on : &off);
    }
    if (c->to.ssl_ca)
        mysql_optionsv(m, MYSQL_OPT_SSL_CA, c->to.ssl_ca);
    if (c->to.ssl_capath)
        mysql_optionsv(m, MYSQL_OPT_SSL_CAPATH, c->to.ssl_capath);
    if (c->to.ssl_cert)
        mysql_optionsv(m, MYSQL_OPT_SSL_CERT, c->to.ssl_cert);
    if (c->to.ssl_key)
        mysql_optionsv(m, MYSQL_OPT_SSL_KEY, c->to.ssl_key);
}

int my_tls_check(my_conn *c, MYSQL *m)
{
    my_bool verify = 0;
    int mode = c->to.ssl;
    if (mode < MY_TLS_REQUIRED)
        return INVS_OK;
    if (!mysql_get_ssl_cipher(m))
        return my_host->error(c->s, INVS_ECONNECT, NULL, 0,
                              "cannot connect to %s: ssl-mode=%s, but the server offers no TLS: "
                              "the connection was closed before any statement",
                              c->shown, my_tls_names[mode]);
    mysql_get_optionv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    if (mode == MY_TLS_VERIFY_IDENTITY && !verify)
        return my_host->error(c->s, INVS_ECONNECT, NULL, 0,
                              "cannot connect to %s: ssl-mode=VERIFY_IDENTITY, but an option "
                              "file turned ssl-verify-server-cert off: the connection was closed "
                              "before any statement",
                              c->shown);
#ifdef MARIADB_TLS_VERIFY_TRUST /* Connector/C 3.4: verification is recorded, not enforced */
    if (mode == MY_TLS_VERIFY_CA) {
        unsigned int status = 0;
        if (mariadb_get_infov(m, MARIADB_TLS_VERIFY_STATUS, &status) != 0 ||
            (status & ~(unsigned)MARIADB_TLS_VERIFY_HOST))
            return my_host->error(c->s, INVS_ECONNECT, NULL, 0,
                                  "cannot connect to %s: ssl-mode=VERIFY_CA: the server's "
                                  "certificate does not verify against the CA",
                                  c->shown);
    }
#endif
    return INVS_OK;
}

/* URI parsing and password redaction. */
#include <stdlib.h>

#include "../check.h"
#include "invs_core.h"

static void parses_sqlite_relative_path_verbatim(void)
{
    invs_uri *u;
    CHECK_INT(invs_uri_parse(&u, "sqlite:data/my db%20.sqlite?x"), INVS_OK);
    CHECK_STR(u->scheme, "sqlite");
    CHECK_STR(u->path, "data/my db%20.sqlite?x");
    CHECK_INT(u->has_authority, 0);
    CHECK(u->query == NULL);
    invs_uri_free(u);
}

static void parses_sqlite_absolute_path_percent_decoded(void)
{
    invs_uri *u;
    CHECK_INT(invs_uri_parse(&u, "SQLite:///tmp/a%20b/c.db"), INVS_OK);
    CHECK_STR(u->scheme, "sqlite");
    CHECK_STR(u->host, "");
    CHECK_STR(u->path, "/tmp/a b/c.db");
    CHECK_INT(u->has_authority, 1);
    invs_uri_free(u);
}

static void parses_full_authority(void)
{
    invs_uri *u;
    CHECK_INT(invs_uri_parse(&u, "postgresql://al%40ice:p%3Ass@db.example:5433/inv?sslmode=require#frag"),
              INVS_OK);
    CHECK_STR(u->scheme, "postgresql");
    CHECK_STR(u->user, "al@ice");
    CHECK_STR(u->password, "p:ss");
    CHECK_STR(u->host, "db.example");
    CHECK_STR(u->port, "5433");
    CHECK_STR(u->path, "/inv");
    CHECK_STR(u->query, "sslmode=require");
    CHECK_STR(u->fragment, "frag");
    invs_uri_free(u);
}

static void parses_ipv6_host(void)
{
    invs_uri *u;
    CHECK_INT(invs_uri_parse(&u, "postgres://bob:se%40cret@[::1]:5432/db"), INVS_OK);
    CHECK_STR(u->user, "bob");
    CHECK_STR(u->password, "se@cret");
    CHECK_STR(u->host, "::1");
    CHECK_STR(u->port, "5432");
    invs_uri_free(u);
}

/* A second unencoded '@' in the authority: which one ends the user
 * information is a guess (libpq takes the first, and then prints part of
 * the password as a host name), so the URI is refused as malformed. An
 * '@' after the authority (in the path or query) is no such guess. */
static void refuses_more_than_one_at_in_the_authority(void)
{
    static const char *const bad[] = {"postgresql://u:p@ss@127.0.0.1:1/db",
                                      "postgres://bob:se@cret@[::1]:5432/db",
                                      "mysql://a@b@host/db", "postgresql://u:p@@host/db",
                                      "postgresql://u:p@ss@host"};
    invs_uri *u;
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        u = (invs_uri *)1;
        CHECK_INT(invs_uri_parse(&u, bad[i]), INVS_EINVAL);
        CHECK(u == NULL);
    }
    CHECK_INT(invs_uri_parse(&u, "postgresql://u:p%40ss@host/db?application_name=a@b"),
              INVS_OK);
    CHECK_STR(u->password, "p@ss");
    CHECK_STR(u->host, "host");
    CHECK_STR(u->query, "application_name=a@b");
    invs_uri_free(u);
}

static void refuses_what_is_not_a_uri(void)
{
    static const char *const bad[] = {"", "nosuchscheme", "/tmp/x.db", "1abc:x",
                                      "pg://h:port/db", "pg://[::1/db", ":x"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        invs_uri *u = (invs_uri *)1;
        CHECK_INT(invs_uri_parse(&u, bad[i]), INVS_EINVAL);
        CHECK(u == NULL);
    }
}

static void redacts_passwords(void)
{
    static const char *const cases[][2] = {
        {"postgresql://alice:s3cret@host/db", "postgresql://alice:***@host/db"},
        {"postgresql://alice:p@ss:w@rd@host:5/db", "postgresql://alice:***@host:5/db"},
        /* unencoded '/' and '@' in the password: a malformed URI, hidden whole */
        {"postgresql://u:p@ss:w/rd%@host/db", "postgresql://u:***@host/db"},
        {"postgresql://u:se/cr?et@host/db", "postgresql://u:***@host/db"},
        {"postgresql://u@host/db", "postgresql://u@host/db"},
        {"sqlite:///tmp/x:y@z.db", "sqlite:///tmp/x:y@z.db"},
        {"postgresql://alice@host/db", "postgresql://alice@host/db"},
        {"postgresql://host/db?user=a&password=xyz&sslmode=on",
         "postgresql://host/db?user=a&password=***&sslmode=on"},
        {"host=h PASSWORD=abc dbname=x", "host=h PASSWORD=*** dbname=x"},
        {"sqlite:/tmp/x:y@z.db", "sqlite:/tmp/x:y@z.db"},
        {"mysql://u:pw@h/db?Password=again", "mysql://u:***@h/db?Password=***"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *r = invs_uri_redact(cases[i][0]);
        CHECK_STR(r, cases[i][1]);
        free(r);
    }
}

CHECK_MAIN(TEST(parses_sqlite_relative_path_verbatim),
           TEST(parses_sqlite_absolute_path_percent_decoded), TEST(parses_full_authority),
           TEST(parses_ipv6_host),
           TEST(refuses_more_than_one_at_in_the_authority), TEST(refuses_what_is_not_a_uri),
           TEST(redacts_passwords))

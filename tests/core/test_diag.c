/* Diagnostics handed from a handle to its caller (invs_diag_take). */
#include "../check.h"
#include "invs_core.h"

static void takes_the_record_of_the_code_returned(void)
{
    invs_diag_rec d, from;
    invs_diag_clear(&d);
    invs_diag_clear(&from);
    invs_diag(&from, INVS_ECONNECT, "db: server closed the connection");
    CHECK_INT(invs_diag_take(&d, &from, INVS_ECONNECT), INVS_ECONNECT);
    CHECK_INT(d.code, INVS_ECONNECT);
    CHECK_STR(d.msg, "db: server closed the connection");
    CHECK_INT(from.code, 0);
}

/* A driver that recorded "cancelled" and returned a mere SQL error: the
 * user hears that the statement was interrupted, not "failed (SQL)". */
static void prefers_the_record_to_a_code_it_does_not_match(void)
{
    invs_diag_rec d, from;
    invs_diag_clear(&d);
    invs_diag_clear(&from);
    invs_diag(&from, INVS_ECANCELLED, "db: setval: interrupted (the server stopped it)");
    CHECK_INT(invs_diag_take(&d, &from, INVS_ESQL), INVS_ECANCELLED);
    CHECK_INT(d.code, INVS_ECANCELLED);
    CHECK_STR(d.msg, "db: setval: interrupted (the server stopped it)");
}

static void names_the_code_when_nothing_was_recorded(void)
{
    invs_diag_rec d, from;
    invs_diag_clear(&d);
    invs_diag_clear(&from);
    CHECK_INT(invs_diag_take(&d, &from, INVS_ESQL), INVS_ESQL);
    CHECK_STR(d.msg, "failed (SQL)");
    CHECK_INT(invs_diag_take(&d, &from, INVS_OK), INVS_OK);
    CHECK_STR(d.msg, "failed (SQL)");
}

CHECK_MAIN(TEST(takes_the_record_of_the_code_returned),
           TEST(prefers_the_record_to_a_code_it_does_not_match),
           TEST(names_the_code_when_nothing_was_recorded))

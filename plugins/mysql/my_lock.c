/*
 * Locks that keep a push's "is this table empty?" true until its commit,
 * and the user's --lock-timeout on every wait.
 *
 * MySQL's DDL is not transactional, so the host asks has_rows outside the
 * data transaction, and LOCK TABLES would commit it: the check is made
 * true in two steps. has_rows first takes an advisory lock on the table's
 * name (GET_LOCK, held until commit or rollback), so a second push of the
 * same table waits for the first and then sees its rows; load_begin, in
 * the transaction, reads each table found empty with a locking read, which
 * waits for an application's uncommitted rows and keeps new ones out (a
 * gap lock on the empty index) until commit. Every wait ends after
 * --lock-timeout (lock_wait_timeout, innodb_lock_wait_timeout), and the
 * refusal names the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "my_driver.h"

long my_lock_ms(const my_conn *c)
{
    if (!INVS_HAS(my_host, invs_host, lock_timeout_ms) || !my_host->lock_timeout_ms)
        return -1;
    return my_host->lock_timeout_ms(c->s);
}

int my_lock_session(my_conn *c)
{
    long ms = my_lock_ms(c), secs = (ms + 999) / 1000;
    char sql[80];
    int rc;
    if (ms < 0)
        return INVS_OK; /* no limit: the server's own */
    if (secs < 1)
        secs = 1; /* whole seconds, and 0 would not wait at all */
    snprintf(sql, sizeof(sql), "SET SESSION lock_wait_timeout = %ld", secs);
    if ((rc = my_exec(c, sql)) != INVS_OK)
        return rc;
    snprintf(sql, sizeof(sql), "SET SESSION innodb_lock_wait_timeout = %ld", secs);
    return my_exec(c, sql);
}

/* The advisory lock's name for table t of this database. */
static void my_lock_name(invs_strbuf *q, const my_conn *c, const invs_table *t)
{
    invs_sb_puts(q, "CONCAT('invstage ', SHA1(CONCAT(");
    my_db_literal(q, c);
    invs_sb_puts(q, ", CHAR(0), ");
    my_literal(q, t->name);
    invs_sb_puts(q, ")))");
}

int my_lock_table_name(my_conn *c, const invs_table *t)
{
    long ms = my_lock_ms(c);
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    MYSQL_ROW row;
    int rc;

    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT GET_LOCK(");
    my_lock_name(&q, c, t);
    if (ms < 0)
        invs_sb_puts(&q, ", -1), IS_USED_LOCK(");
    else
        invs_sb_printf(&q, ", %ld.%03ld), IS_USED_LOCK(", ms / 1000, ms % 1000);
    my_lock_name(&q, c, t);
    invs_sb_puts(&q, ")");
    if ((rc = my_sb_ok(c, &q)) == INVS_OK && !(r = my_query(c, q.p)))
        rc = INVS_ESQL;
    invs_sb_free(&q);
    if (rc != INVS_OK)
        return rc;
    row = mysql_fetch_row(r);
    if (row && row[0] && !strcmp(row[0], "1"))
        c->named_locks = 1;
    else
        rc = my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                            "table %s is being loaded by another push (connection %s) for "
                            "longer than --lock-timeout; nothing was written",
                            t->name, row && row[1] ? row[1] : "?");
    mysql_free_result(r);
    return rc;
}

int my_lock_release(my_conn *c)
{
    MYSQL_RES *r;
    if (!c->named_locks || c->lost)
        return INVS_OK;
    c->named_locks = 0;
    if (!(r = my_query(c, "SELECT RELEASE_ALL_LOCKS()")))
        return INVS_ESQL;
    mysql_free_result(r);
    return INVS_OK;
}

int my_lock_remember_empty(my_conn *c, const invs_table *t)
{
    char **v = my_host->realloc(c->empty, (c->nempty + 1) * sizeof(*v));
    if (!v)
        return my_oom(c);
    c->empty = v;
    if (!(v[c->nempty] = my_strdup(t->name)))
        return my_oom(c);
    c->nempty++;
    return INVS_OK;
}

/* A wait for a lock that ended: the refusal names the table. */
static int my_lock_failed(my_conn *c, const char *name)
{
    unsigned e = mysql_errno(c->my);
    if (e == ER_LOCK_WAIT_TIMEOUT || e == ER_LOCK_DEADLOCK)
        return my_host->error(c->s, INVS_EREFUSED, mysql_sqlstate(c->my), (long)e,
                              "table %s is locked by another session for longer than "
                              "--lock-timeout (%s); nothing was written",
                              name, mysql_error(c->my));
    return my_fail(c, name);
}

/* In the transaction: table `name`, found empty, read with a lock. */
static int my_lock_rows(my_conn *c, const char *name)
{
    invs_strbuf q;
    MYSQL_RES *r = NULL;
    int rc, found;
    my_sb_init(&q);
    invs_sb_puts(&q, "SELECT 1 FROM ");
    invs_sb_ident(&q, name, '`');
    invs_sb_puts(&q, " LIMIT 1 FOR UPDATE");
    if ((rc = my_sb_ok(c, &q)) == INVS_OK &&
        (mysql_real_query(c->my, q.p, (unsigned long)q.len) != 0 ||
         !(r = mysql_store_result(c->my))))
        rc = my_lock_failed(c, name);
    invs_sb_free(&q);
    if (rc != INVS_OK)
        return rc;
    found = mysql_fetch_row(r) != NULL;
    mysql_free_result(r);
    if (found)
        return my_host->error(c->s, INVS_EREFUSED, NULL, 0,
                              "target %s is not empty: table %s received rows from another "
                              "session since push looked; nothing was written",
                              c->shown, name);
    return INVS_OK;
}

int my_lock_empty_tables(my_conn *c)
{
    size_t i;
    int rc = INVS_OK;
    for (i = 0; i < c->nempty && rc == INVS_OK; i++)
        rc = my_lock_rows(c, c->empty[i]);
    return rc;
}

void my_lock_free(my_conn *c)
{
    size_t i;
    for (i = 0; i < c->nempty; i++)
        my_host->free(c->empty[i]);
    my_host->free(c->empty);
    c->empty = NULL;
    c->nempty = 0;
}

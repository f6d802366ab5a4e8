/* The row pipe: every row arrives once, in order, with its bytes copied;
 * the consumer's error reaches the producer; abort drops what is left. */
#include "../check.h"
#include "rowpipe.h"

typedef struct sink {
    int64_t next;    /* the value expected next */
    int64_t fail_at; /* fail on this value; -1 never */
    int bad;
} sink;

static int sink_rows(void *payload, const invs_value *rows, size_t nrows)
{
    sink *k = payload;
    size_t r;
    for (r = 0; r < nrows; r++) {
        const invs_value *v = rows + r * 2;
        char want[32];
        int n = snprintf(want, sizeof(want), "row %lld", (long long)k->next);
        if (v[0].num.i == k->fail_at)
            return INVS_EIO;
        k->bad |= v[0].type != INVS_INT || v[0].num.i != k->next || v[1].type != INVS_TEXT ||
                  v[1].len != (size_t)n || memcmp(v[1].ptr, want, (size_t)n) != 0;
        k->next++;
    }
    return INVS_OK;
}

static int feed(invs_rowpipe *p, int64_t nrows, int64_t *put_fails_at)
{
    char text[32];
    invs_value row[2];
    int64_t i;
    int rc = INVS_OK;
    memset(row, 0, sizeof(row));
    for (i = 0; i < nrows && rc == INVS_OK; i++) {
        row[0].type = INVS_INT;
        row[0].num.i = i;
        row[1].type = INVS_TEXT;
        row[1].len = (size_t)snprintf(text, sizeof(text), "row %lld", (long long)i);
        row[1].ptr = text; /* overwritten next row: the pipe must have copied it */
        rc = invs_rowpipe_put(p, row);
    }
    *put_fails_at = rc == INVS_OK ? -1 : i;
    return rc;
}

static void every_row_once_in_order(void)
{
    sink k = {0, -1, 0};
    invs_rowpipe *p = NULL;
    int64_t at;
    CHECK_INT(invs_rowpipe_open(&p, 2, sink_rows, &k), INVS_OK);
    CHECK_INT(feed(p, 100003, &at), INVS_OK);
    CHECK_INT(invs_rowpipe_close(p, 0), INVS_OK);
    CHECK_INT(k.next, 100003);
    CHECK_INT(k.bad, 0);
}

static void the_consumers_error_reaches_the_producer(void)
{
    sink k = {0, 5000, 0};
    invs_rowpipe *p = NULL;
    int64_t at;
    CHECK_INT(invs_rowpipe_open(&p, 2, sink_rows, &k), INVS_OK);
    CHECK_INT(feed(p, 100000, &at), INVS_EIO);
    CHECK(at > 5000 && at < 7000); /* within a couple of batches */
    CHECK_INT(invs_rowpipe_close(p, 1), INVS_EIO);
    CHECK_INT(k.next, 5000);
}

static void abort_drops_the_rest(void)
{
    sink k = {0, -1, 0};
    invs_rowpipe *p = NULL;
    int64_t at;
    CHECK_INT(invs_rowpipe_open(&p, 2, sink_rows, &k), INVS_OK);
    CHECK_INT(feed(p, 10, &at), INVS_OK); /* less than a batch: never handed over */
    CHECK_INT(invs_rowpipe_close(p, 1), INVS_OK);
    CHECK_INT(k.next, 0);
    CHECK_INT(invs_rowpipe_close(NULL, 0), INVS_OK);
}

CHECK_MAIN(TEST(every_row_once_in_order), TEST(the_consumers_error_reaches_the_producer),
           TEST(abort_drops_the_rest))

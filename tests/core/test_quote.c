/* The one identifier quoter, and the string builder it lives in. */
#include <stdlib.h>

#include "../check.h"
#include "invs_core.h"

static void quotes_plain_and_hostile_identifiers(void)
{
    static const char *const cases[][2] = {
        {"plain", "\"plain\""},
        {"a\"b", "\"a\"\"b\""},
        {"\"", "\"\"\"\""},
        {"x; DROP TABLE y; --", "\"x; DROP TABLE y; --\""},
        {"with space", "\"with space\""},
        {"select", "\"select\""},
        {"表格 Ελληνικά עברית", "\"表格 Ελληνικά עברית\""},
        {"", "\"\""},
        {"back`tick", "\"back`tick\""},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *q = invs_quote_ident(cases[i][0], '"');
        CHECK_STR(q, cases[i][1]);
        free(q);
    }
}

static void quotes_with_backticks_for_mysql(void)
{
    char *q = invs_quote_ident("a`b\"c", '`');
    CHECK_STR(q, "`a``b\"c`");
    free(q);
}

static void literal_doubles_single_quotes(void)
{
    invs_strbuf sb;
    invs_sb_init_std(&sb);
    invs_sb_literal(&sb, "it's");
    CHECK_STR(sb.p, "'it''s'");
    invs_sb_free(&sb);
}

static size_t fail_after;
static void *failing_realloc(void *p, size_t n)
{
    if (fail_after == 0)
        return NULL;
    fail_after--;
    return realloc(p, n);
}

static void strbuf_failure_is_sticky(void)
{
    invs_strbuf sb;
    char big[200];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    fail_after = 1;
    invs_sb_init(&sb, failing_realloc, free);
    invs_sb_puts(&sb, "short");
    CHECK(!invs_sb_failed(&sb));
    invs_sb_puts(&sb, big); /* needs to grow: fails */
    CHECK(invs_sb_failed(&sb));
    invs_sb_puts(&sb, "more");
    CHECK(invs_sb_take(&sb) == NULL);
}

CHECK_MAIN(TEST(quotes_plain_and_hostile_identifiers), TEST(quotes_with_backticks_for_mysql),
           TEST(literal_doubles_single_quotes), TEST(strbuf_failure_is_sticky))

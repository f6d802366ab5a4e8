/*
 * Calendar arithmetic for drivers and the core alike: the proleptic
 * Gregorian calendar with astronomical years (1 BC is year 0), as
 * PostgreSQL, MySQL and SQLite's date functions count. Header only.
 */
#ifndef INVSTAGE_CALENDAR_H
#define INVSTAGE_CALENDAR_H

#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (H. Hinnant's days_from_civil). */
static inline int64_t invs_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

#endif

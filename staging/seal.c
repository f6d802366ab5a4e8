/*
 * Is the stage file as invstage last wrote it? SQLite counts every write
 * transaction it commits in rollback-journal mode in the file's header
 * (offset 24, the file change counter), whoever makes it: the sqlite3
 * shell, a script, another program through the library. After its own
 * last write, invstage commits one more small transaction recording the
 * value that very commit gives the counter; a later open that reads the
 * same value knows nothing was committed since, and verify may trust what
 * pull recorded of the values (profile.h) instead of reading them all
 * again. Anything else (another value, WAL mode, a stage from before
 * this) only means "read everything", never a refusal; and push still
 * digests every row it sends, so bytes changed behind SQLite's back are
 * caught there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"

/* The change counter and whether the file is in rollback-journal mode
 * (header bytes 18 and 19 are 1; WAL commits do not count). */
static int seal_counter(invs_stage *st, unsigned long *counter)
{
    sqlite3_file *f = NULL;
    unsigned char h[28];
    if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods || f->pMethods->xRead(f, h, (int)sizeof(h), 0) != SQLITE_OK)
        return -1;
    if (h[18] != 1 || h[19] != 1)
        return -1;
    *counter = (unsigned long)h[24] << 24 | (unsigned long)h[25] << 16 |
               (unsigned long)h[26] << 8 | (unsigned long)h[27];
    return 0;
}

int invs_stage_seal_file(invs_stage *st)
{
    unsigned long c;
    char v[24];
    int rc;
    /* out of exclusive mode (pull's), which counts one commit per lock */
    if (sqlite3_exec(st->db, "PRAGMA locking_mode = NORMAL; SELECT count(*) FROM invs_meta;"
                             "BEGIN IMMEDIATE",
                     NULL, NULL, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "sealing");
    if (seal_counter(st, &c) != 0)
        snprintf(v, sizeof(v), "none");
    else
        snprintf(v, sizeof(v), "%lu", (c + 1) & 0xffffffffUL); /* what this commit makes it */
    if ((rc = invs_stage_meta_set(st, "file_counter", v)) != INVS_OK) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "sealing");
    return INVS_OK;
}

void invs_stage_check_seal(invs_stage *st)
{
    unsigned long c;
    char now[24], *was = invs_stage_meta_get(st, "file_counter");
    st->untouched = 0;
    if (was && seal_counter(st, &c) == 0) {
        snprintf(now, sizeof(now), "%lu", c);
        st->untouched = strcmp(now, was) == 0;
    }
    free(was);
}

/* The public headers compile alone, in C99 -pedantic -Werror (and as C++
 * from header_alone.cpp). */
#include "invstage/driver.h"
#include "invstage/strbuf.h"
#include "invstage/pool.h"
#include "invstage/invstage.h"

int main(void)
{
    invs_value v = {0};
    return v.type;
}

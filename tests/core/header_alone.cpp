// The public headers compile alone as C++ (-pedantic -Werror).
#include "invstage/driver.h"
#include "invstage/strbuf.h"
#include "invstage/pool.h"
#include "invstage/invstage.h"

int main()
{
    invs_value v = invs_value();
    return v.type;
}

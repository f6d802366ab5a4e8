/* One public header, named by HEADER, compiles alone, in C99 -pedantic
 * -Werror (and as C++ from header_alone.cpp): it includes what it needs. */
#define STR2(x) #x
#define STR(x) STR2(x)
#include STR(HEADER)

int main(void) { return 0; }

// One public header, named by HEADER, compiles alone as C++ (-pedantic -Werror).
#define STR2(x) #x
#define STR(x) STR2(x)
#include STR(HEADER)

int main() { return 0; }

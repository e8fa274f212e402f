/* doorstep-server: placeholder until the server lands. */
#include <stdio.h>

int
main(void)
{
    fputs("doorstep-server: not built yet\n", stderr);
    return 1;
}

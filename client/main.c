/* doorstep: the field worker's client. Placeholder until the CLI lands. */
#include <stdio.h>

int
main(void)
{
    fputs("doorstep: not built yet\n", stderr);
    return 1;
}

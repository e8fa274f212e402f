/* The bridge from the command line to the screens. */
#include "client/commands.h"

#include <stdio.h>

#include "core/i18n.h"

int
client_open_tui(const struct config *cfg)
{
    (void)cfg;
    /* The screens land on their own branch; until then say so plainly. */
    fprintf(stderr, "doorstep: %s\n", _("the screens are not built yet"));
    return CLI_EXIT_FAIL;
}

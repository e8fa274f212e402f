#include "tui/actions.h"

#include <string.h>

static const struct {
    const char *name;
    const char *help;
} actions[ACT_COUNT] = {[ACT_NONE] = {"", ""},
#define ACTION_INFO(c, n, h) [ACT_##c] = {n, h},
                        ACTION_LIST(ACTION_INFO)
#undef ACTION_INFO
};

const char *
action_name(enum action act)
{
    if ((unsigned)act >= ACT_COUNT)
        return "";
    return actions[act].name;
}

enum action
action_from_name(const char *name)
{
    if (!name || !*name)
        return ACT_NONE;
    for (int i = ACT_NONE + 1; i < ACT_COUNT; i++)
        if (strcmp(actions[i].name, name) == 0)
            return (enum action)i;
    return ACT_NONE;
}

const char *
action_help(enum action act)
{
    if ((unsigned)act >= ACT_COUNT)
        return "";
    return actions[act].help;
}

/* Which table holds which record type. */
#include "store/internal.h"

#include <string.h>

const char *
store_table(const struct record_def *def)
{
    static const struct {
        const struct record_def *def;
        const char *table;
    } tables[] = {
        {&schema_household, "households"},
        {&schema_member, "members"},
        {&schema_visit, "visits"},
        {&schema_need, "needs"},
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (def == tables[i].def || (def && strcmp(def->name, tables[i].def->name) == 0))
            return tables[i].table;
    return NULL;
}

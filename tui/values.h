/*
 * A field's canonical value in words, for the screens that show values
 * outside a form (household detail, conflicts, problems): choice labels
 * translated, money in yuan, yes/no, the first line of a note. Pure.
 */
#ifndef DOORSTEP_TUI_VALUES_H
#define DOORSTEP_TUI_VALUES_H

#include <stddef.h>

#include "core/schema.h"

/*
 * `canonical` (core/record.h form, "" = unset) of field `fd` in words into
 * buf (always terminated; "" for unset). A value that is not canonical for
 * its type is shown as it is (cleaned for the terminal by the line layout).
 */
void value_text(const struct field_def *fd, const char *canonical, char *buf, size_t size);

#endif

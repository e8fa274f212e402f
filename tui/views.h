/* The screens, one struct view_ops per file (tui/view_*.c). */
#ifndef DOORSTEP_TUI_VIEWS_H
#define DOORSTEP_TUI_VIEWS_H

#include "tui/view.h"

/* Help generated from the key table; arg: const enum keymap * of the screen it was opened from. */
extern const struct view_ops help_ops;

/* Unlock (or create) the cache; arg: NULL. Replaces itself with the household list. */
extern const struct view_ops unlock_ops;

/* The household list, the home screen; arg: NULL. */
extern const struct view_ops households_ops;

#endif

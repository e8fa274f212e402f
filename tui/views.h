/* The screens, one struct view_ops per file (tui/view_*.c). */
#ifndef DOORSTEP_TUI_VIEWS_H
#define DOORSTEP_TUI_VIEWS_H

#include <stddef.h>

#include "core/schema.h"
#include "tui/view.h"

/* Help generated from the key table; arg: the const struct view_ops * it was opened from. */
extern const struct view_ops help_ops;

/* Unlock (or create) the cache; arg: NULL. Replaces itself with the household list. */
extern const struct view_ops unlock_ops;

/* The household list, the home screen; arg: NULL. */
extern const struct view_ops households_ops;

/* One household: fields, warnings, members, needs, visits; arg: const char * household id. */
extern const struct view_ops household_ops;

/* What a form is for. */
enum form_purpose {
    FORM_EDIT, /* edit (or, with id NULL, add) any record */
    FORM_RISK, /* change a household's risk class, with a reason */
};

/* The argument of form_ops. */
struct form_open {
    const struct record_def *def; /* what kind of record */
    const char *id;               /* the record to edit; NULL: a new one */
    const char *household_id;     /* new members, needs, visits: the household */
    enum form_purpose purpose;
    const char *title; /* the title bar, already translated */
};

/* A form over one record, generated from the schema; arg: const struct form_open *. */
extern const struct view_ops form_ops;

struct form;

/* The argument of pick_ops: the form and the (enum or set) field to choose for. */
struct pick_open {
    struct form *form;
    size_t field;
};

/* A pick list for one form field; arg: const struct pick_open *. */
extern const struct view_ops pick_ops;

#endif

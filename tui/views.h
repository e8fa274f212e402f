/* The screens, one struct view_ops per file (tui/view_*.c). */
#ifndef DOORSTEP_TUI_VIEWS_H
#define DOORSTEP_TUI_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/record.h"
#include "core/schema.h"
#include "tui/view.h"

/* Help generated from the key table; arg: the const struct view_ops * it was opened from. */
extern const struct view_ops help_ops;

/* Unlock (or create) the cache; arg: NULL. Replaces itself with the household list. */
extern const struct view_ops unlock_ops;

/* Log in to the server through the sync worker; arg: NULL. Closes itself once logged in. */
extern const struct view_ops login_ops;

/* Open conflicts with the three values of each field; arg: household id (const char *) or NULL. */
extern const struct view_ops conflicts_ops;

/* Edits the server refused and the last failed syncs; arg: NULL. */
extern const struct view_ops problems_ops;

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
    /* Values to fill in over the record (an edit the server refused, to correct); may be NULL. */
    const struct record *prefill;
    const bool *prefill_set; /* prefill_set[i]: field i of prefill is filled in */
    const char *focus;       /* field to start on (the one at fault), or NULL */
    int64_t rejected_mid;    /* > 0: set this refused edit aside once the form is saved */
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

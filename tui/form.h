/*
 * The model behind a form (no curses): one entry per editable schema field,
 * holding what the worker typed or picked, its validation message, and the
 * way back to a canonical record. Forms are generated from the record
 * schema (core/schema.h), so a field added there shows up here unchanged.
 *
 * Text kinds (text, names, ID numbers, phones, dates, notes, money) are
 * edited as text; money is typed in yuan ("1234.5") and stored in fen.
 * Choice kinds (enum, set, bool) hold their canonical value and are changed
 * by stepping or toggling.
 */
#ifndef DOORSTEP_TUI_FORM_H
#define DOORSTEP_TUI_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/record.h"
#include "core/status.h"
#include "tui/edit.h"

struct form_field {
    const struct field_def *def;
    enum field_type type;         /* def->type, or FT_ENUM for a reference (form_reference) */
    const struct choice *choices; /* def->choices, or the reference's choices */
    int index;                    /* field index in the record */
    struct edit edit;             /* text kinds: what is typed */
    char *value;                  /* choice kinds: canonical value ("" = unset) */
    char error[200];              /* validation message, "" when fine or not checked yet */
    bool user_changed;            /* changed by the worker since the form opened */
};

struct form {
    struct record rec;         /* the record being edited, as loaded or made new */
    struct form_field *fields; /* the editable fields, in schema order */
    size_t nfields;
    bool is_new;      /* not in the cache yet */
    bool changed;     /* anything changed since open (or the last save) */
    bool draft_dirty; /* changed since the draft was last written */
};

/* True for fields edited as text (everything except enum, set and bool). */
bool form_field_is_text(const struct form_field *ff);

/*
 * Build a form over a copy of `rec` (which stays the caller's). `only` is
 * NULL (every field a worker may edit: not hidden, not kept by the server
 * or a supervisor, immutable ones only when `is_new`) or a NULL-terminated
 * list of field names to show, in that order. DP_ENOMEM/DP_EINVAL (unknown
 * name) leave *f safe to form_done().
 */
enum dp_status form_init(struct form *f, const struct record *rec, bool is_new,
                         const char *const *only, struct dp_error *err);

/* Free everything; safe on a zeroed or failed form. */
void form_done(struct form *f);

/*
 * Make an id field (a need's member) a choice among `choices` (token: the
 * id, label: what to show; ends with {NULL, NULL}; borrowed, must outlive
 * the form). The current value is kept. DP_ENOMEM leaves the field as text.
 */
enum dp_status form_reference(struct form *f, size_t i, const struct choice *choices);

/*
 * Offer only `choices` (a subset of an enum field's; borrowed, ends with
 * {NULL, NULL}) in field i, e.g. a worker may set a visit to draft or
 * submitted but not approve it. A current value outside the subset stays
 * until changed. DP_EINVAL when the field is not an enum.
 */
enum dp_status form_restrict(struct form *f, size_t i, const struct choice *choices);

/* Index of the form field for schema field `name`, or -1. */
int form_find(const struct form *f, const char *name);

/*
 * The canonical value of a field from what was entered, malloc'd into *out
 * ("" when empty). Money typed in yuan becomes fen. DP_EINVAL with a
 * message naming the field when it cannot be converted (e.g. "12.345").
 */
enum dp_status form_field_value(const struct form_field *ff, char **out, struct dp_error *err);

/* Replace a field's content with a canonical value (money shown in yuan). */
enum dp_status form_field_set(struct form *f, size_t i, const char *canonical);

/* Validate one field, setting or clearing its error; returns the status. */
enum dp_status form_check_field(struct form *f, size_t i, const struct dp_date *today);

/*
 * Check every field and the record as a whole; on success *out (not
 * initialised by the caller) is the record to save. On failure every
 * field's error is set, *bad is the first field at fault (or nfields when
 * the problem is across fields) and err says what.
 */
enum dp_status form_to_record(struct form *f, const struct dp_date *today, struct record *out,
                              size_t *bad, struct dp_error *err);

/* Step an enum field to the next (dir 1) or previous (-1) choice; unset is a step too. */
void form_choice_step(struct form *f, size_t i, int dir);

/*
 * Choose an enum field's value by the first character of its (translated)
 * label, cycling among the choices that share it; false if none matches.
 */
bool form_choice_letter(struct form *f, size_t i, uint32_t cp);

/* Flip a bool field, or one choice (by index) of a set field. */
void form_toggle(struct form *f, size_t i, int choice);

/* True when a set field holds the choice with index `choice`. */
bool form_set_has(const struct form_field *ff, int choice);

/* Record that field i changed under the worker's hands. */
void form_touch(struct form *f, size_t i);

/*
 * The form's entries as a draft: "name=value" lines, backslash escaping
 * newlines and backslashes. malloc'd, NULL on DP_ENOMEM.
 */
char *form_draft_text(const struct form *f);

/* Apply a draft made by form_draft_text(); unknown names are skipped. */
enum dp_status form_draft_apply(struct form *f, const char *text);

#endif

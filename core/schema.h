/*
 * Record schemas as data: the one description of household, member, visit and
 * need that the client store, the forms, sync and the server all read.
 *
 * Every value travels as a canonical string (see `enum field_type`); the
 * empty string means "not set". Enumerations are stable ASCII tokens; their
 * labels are English source strings for gettext, translated only at display.
 */
#ifndef DOORSTEP_CORE_SCHEMA_H
#define DOORSTEP_CORE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/* Record shape version sent as "schema" on the wire (protocol.md 8.10). */
#define SCHEMA_NAME "hh-1"

/* Canonical text form of each field type. */
enum field_type {
    FT_UUID,      /* 36 chars, lower-case hex with dashes */
    FT_TEXT,      /* one line of UTF-8, no control characters */
    FT_NAME,      /* a person's name: FT_TEXT without digits; may hold a middle dot */
    FT_NOTE,      /* multi-line UTF-8 (LF only, no other control characters) */
    FT_ENUM,      /* exactly one token of `choices` */
    FT_SET,       /* tokens of `choices`, comma-separated, each once, in choice order */
    FT_DATE,      /* YYYY-MM-DD, a real calendar date */
    FT_MONEY,     /* integer fen as decimal digits ("123456" is 1,234.56 yuan) */
    FT_BOOL,      /* "1" true, "0" false */
    FT_ID_NUMBER, /* 18-character resident ID number with a valid check digit */
    FT_PHONE,     /* 11-digit mainland mobile number starting with 1 */
    FT_USER,      /* a login name: [a-z0-9._-], 1-32 chars */
};

/* Who may set a field, and when. */
enum field_flag {
    FF_REQUIRED = 1u << 0,   /* must be non-empty */
    FF_IMMUTABLE = 1u << 1,  /* set when the record is created, never changed after */
    FF_SERVER = 1u << 2,     /* kept by the server (assignment, team); clients never send it */
    FF_SUPERVISOR = 1u << 3, /* only a supervisor may change it (review outcome) */
    FF_HIDDEN = 1u << 4,     /* not shown in forms (ids, bookkeeping) */
};

/* What the server does when two sides changed the same field (protocol.md 8.5). */
enum merge_policy {
    MERGE_MANUAL, /* open a conflict; a person decides */
    MERGE_LWW,    /* newer hybrid-logical-clock wins; loser logged */
    MERGE_APPEND, /* both kept, joined with attribution (notes) */
};

struct choice {
    const char *token; /* stored and sent */
    const char *label; /* English, N_() marked */
};

struct field_def {
    const char *name;  /* column and JSON key */
    const char *label; /* English, N_() marked */
    enum field_type type;
    unsigned flags;               /* enum field_flag bits */
    unsigned max_chars;           /* text cap in characters; 0 for non-text types */
    const struct choice *choices; /* FT_ENUM / FT_SET; ends with a {NULL, NULL} entry */
    enum merge_policy merge;
};

struct record_def {
    const char *name;  /* "household": table name and wire type "t" */
    const char *label; /* English, N_() marked */
    const struct field_def *fields;
    size_t nfields;
    int parent_field; /* index of the parent household_id field, -1 for households */
};

extern const struct record_def schema_household;
extern const struct record_def schema_member;
extern const struct record_def schema_visit;
extern const struct record_def schema_need;

/* All record types, parents first, NULL-terminated. */
extern const struct record_def *const schema_records[];

/* Shared choice lists (also used by rules and the generator). */
extern const struct choice schema_risk_choices[];     /* red, yellow, green */
extern const struct choice schema_category_choices[]; /* support categories */
extern const struct choice schema_need_categories[];  /* the 6 service-need categories */

/* Record type by wire name; NULL when unknown. */
const struct record_def *schema_record(const char *name);

/* Field index by name, or -1. */
int schema_field_index(const struct record_def *def, const char *name);

/* Field by name, or NULL. */
const struct field_def *schema_field(const struct record_def *def, const char *name);

/* Choice by token within a field's list, or NULL. */
const struct choice *schema_choice(const struct choice *choices, const char *token);

/* Position of a token in a choice list, or -1. */
int schema_choice_index(const struct choice *choices, const char *token);

#endif

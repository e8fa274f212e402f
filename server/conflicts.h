/*
 * Stored conflicts (docs/PROTOCOL.md 8.3). A conflict keeps every side's
 * value until a person resolves it; opening, closing and resolving one goes
 * through the change feed (type "conflict") so pulls deliver it to everyone
 * who has its record in scope.
 */
#ifndef DOORSTEP_SERVER_CONFLICTS_H
#define DOORSTEP_SERVER_CONFLICTS_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>
#include <sqlite3.h>

#include "core/status.h"

struct conflict {
    char id[37];
    char t[16];
    char rid[37];
    char household_id[37];
    char kind[24];  /* "field", "delete_vs_edit", "out_of_scope_edit" */
    char state[16]; /* "open", "resolved", "auto_resolved" */
    char *fields;   /* JSON text {"field":{"base":..,"server":..,"yours":..}}; heap */
    char user[40];  /* who sent the mutation that opened it */
    char device[40];
    int64_t mid;
    int64_t v; /* the record's version after that mutation */
    char opened_at[32];
    char resolved_by[64];
    char resolved_at[32];
};

void conflict_done(struct conflict *c);

/*
 * Store a new conflict (id made here, into c->id) and log it in the change
 * feed. `fields` is serialised; the caller keeps it. Inside a write transaction.
 */
enum dp_status conflicts_open(sqlite3 *db, struct conflict *c, const cJSON *fields,
                              struct dp_error *err);

/* Load by id; DP_ENOTFOUND when there is none. c->fields is heap (conflict_done). */
enum dp_status conflicts_load(sqlite3 *db, const char *id, struct conflict *c,
                              struct dp_error *err);

/* Mark resolved by `by` with the resolution JSON (may be NULL), and log it. */
enum dp_status conflicts_resolve(sqlite3 *db, const char *id, const char *by,
                                 const cJSON *resolution, struct dp_error *err);

/* Resolve every open conflict of `kind` on (t, rid); *n (may be NULL) gets how many. */
enum dp_status conflicts_resolve_record(sqlite3 *db, const char *t, const char *rid,
                                        const char *kind, const char *by, const cJSON *resolution,
                                        int *n, struct dp_error *err);

/* Move the feed entries of every conflict of a household to new sequence numbers. */
enum dp_status conflicts_touch_household(sqlite3 *db, const char *household_id, const char *kind,
                                         struct dp_error *err);

/* The pull form of a conflict: {"seq","op":"conflict","conflict_id",...}. NULL on ENOMEM. */
cJSON *conflict_to_change(const struct conflict *c, int64_t seq);

#endif

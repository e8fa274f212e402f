/* Status codes and the error detail every layer returns. */
#ifndef DOORSTEP_CORE_STATUS_H
#define DOORSTEP_CORE_STATUS_H

#include <stddef.h>

/*
 * Every status once, with its English text (translated where shown).
 * Add new codes at the end of a group; the numeric values are not stored
 * anywhere, but keeping order stable keeps diffs small.
 */
#define DP_STATUS_LIST(_)                                                                          \
    _(OK, "success")                                                                               \
    _(EINVAL, "invalid value")                                                                     \
    _(ENOMEM, "out of memory")                                                                     \
    _(EIO, "input/output error")                                                                   \
    _(ENOTFOUND, "not found")                                                                      \
    _(EEXIST, "already exists")                                                                    \
    _(ETOOBIG, "too large")                                                                        \
    _(EPASSPHRASE, "wrong passphrase, or not a Doorstep cache")                                    \
    _(ECORRUPT, "database file is damaged")                                                        \
    _(EFULL, "disk is full")                                                                       \
    _(EREADONLY, "file or disk is read-only")                                                      \
    _(EBUSY, "busy, try again")                                                                    \
    _(EVERSION, "made by a newer Doorstep")                                                        \
    _(ECONFIG, "configuration error")                                                              \
    _(EPERM, "not permitted")                                                                      \
    _(ECONFLICT, "conflicting change")                                                             \
    _(ENETWORK, "network error")                                                                   \
    _(EPROTO, "unexpected answer from the server")                                                 \
    _(EAUTH, "login needed")                                                                       \
    _(ECANCELED, "cancelled")

enum dp_status {
#define DP_STATUS_ENUM(name, text) DP_##name,
    DP_STATUS_LIST(DP_STATUS_ENUM)
#undef DP_STATUS_ENUM
        DP_STATUS_COUNT
};

/*
 * Human-readable detail for a failed call. `field` names the field or
 * setting at fault ("" when none), `msg` says what is wrong in words a worker
 * understands. Neither ever carries a personal value (a name, an ID number,
 * an amount): say which field and which record id, never what was typed.
 */
struct dp_error {
    enum dp_status code;
    char field[48];
    char msg[200];
};

/* English text of a status; never NULL. */
const char *dp_strerror(enum dp_status st);

/* Stable token for a status ("EINVAL"), for logs and the wire. */
const char *dp_status_name(enum dp_status st);

/*
 * Fill *err (which may be NULL) and return `code`, so callers can write
 *     return dp_error_set(err, DP_EINVAL, "phone", "must be 11 digits");
 * `field` may be NULL. The message is cut to fit, never overflows.
 */
enum dp_status dp_error_set(struct dp_error *err, enum dp_status code, const char *field,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Reset *err to DP_OK with empty strings. NULL is allowed. */
void dp_error_clear(struct dp_error *err);

#endif

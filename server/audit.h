/*
 * The audit log: who did what, when, from which device and address. Entries
 * name users, record types and ids, actions and field names; never a value
 * of a record and never a password.
 */
#ifndef DOORSTEP_SERVER_AUDIT_H
#define DOORSTEP_SERVER_AUDIT_H

#include <sqlite3.h>

#include "core/status.h"

struct audit_entry {
    const char *user;    /* login name, or "admin:<unix user>" for the command line */
    const char *device;  /* device id or "" */
    const char *address; /* client address or "" */
    const char *action;  /* "login", "login_failed", "create", "assign", "useradd", ... */
    const char *t;       /* record type or "" */
    const char *rid;     /* record id or "" */
    const char *detail;  /* non-personal detail: field names, statuses; or "" */
};

/* Append one entry, inside the caller's transaction if one is open. NULL strings count as "". */
enum dp_status audit_log(sqlite3 *db, const struct audit_entry *e, struct dp_error *err);

/* The actor name for admin commands: "admin:" + the Unix user running them, into buf. */
void audit_admin_actor(char *buf, size_t bufsize);

#endif

#include "server/assign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/conflicts.h"
#include "server/db.h"

enum dp_status
assign_history_add(sqlite3 *db, const char *household_id, const char *from_user,
                   const char *to_user, const char *from_team, const char *to_team, int64_t seq,
                   const struct change_ctx *ctx, struct dp_error *err)
{
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db,
                                   "INSERT INTO assignment_history(seq, household_id, from_user,"
                                   " to_user, from_team, to_team, at, by_user, device_id)"
                                   " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   &q, err);
    if (st != DP_OK)
        return st;
    char now[32];
    db_now_text(now, sizeof now);
    sqlite3_bind_int64(q, 1, seq);
    sqlite3_bind_text(q, 2, household_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, from_user, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, to_user, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, from_team, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, to_team, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 8, ctx->user ? ctx->user : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 9, ctx->device ? ctx->device : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "assignment_history", err);
}

struct child_list {
    struct {
        const struct record_def *def;
        char id[37];
    } * items;
    size_t n, alloc;
};

static enum dp_status
collect_child(const struct child_ref *c, void *arg)
{
    struct child_list *l = arg;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 16;
        void *p = realloc(l->items, na * sizeof *l->items);
        if (!p)
            return DP_ENOMEM;
        l->items = p;
        l->alloc = na;
    }
    l->items[l->n].def = c->def;
    snprintf(l->items[l->n].id, sizeof l->items[l->n].id, "%s", c->id);
    l->n++;
    return DP_OK;
}

enum dp_status
assign_household(sqlite3 *db, struct srec *hh, const char *to_user, const char *to_team,
                 const struct change_ctx *ctx, struct dp_error *err)
{
    const char *id = record_get(&hh->rec, "id");
    char from_user[40], from_team[64];
    snprintf(from_user, sizeof from_user, "%s", record_get(&hh->rec, "assigned_to"));
    snprintf(from_team, sizeof from_team, "%s", record_get(&hh->rec, "team"));
    if (strcmp(from_user, to_user) == 0 && strcmp(from_team, to_team) == 0)
        return DP_OK;

    int ia = schema_field_index(hh->rec.def, "assigned_to");
    int it = schema_field_index(hh->rec.def, "team");
    hh->rec.v++;
    enum dp_status st = DP_OK;
    if (strcmp(from_user, to_user) != 0) {
        st = record_set_index(&hh->rec, ia, to_user);
        hh->fv[ia] = hh->rec.v;
        hh->fh[ia][0] = '\0';
    }
    if (st == DP_OK && strcmp(from_team, to_team) != 0) {
        st = record_set_index(&hh->rec, it, to_team);
        hh->fv[it] = hh->rec.v;
        hh->fh[it][0] = '\0';
    }
    if (st != DP_OK)
        return dp_error_set(err, st, NULL, NULL);

    struct change_ctx scoped = *ctx;
    scoped.kind = "scope";
    int64_t seq;
    if ((st = srec_write(db, hh, &scoped, &seq, err)) != DP_OK)
        return st;
    if ((st = assign_history_add(db, id, from_user, to_user, from_team, to_team, seq, ctx, err)) !=
        DP_OK)
        return st;

    /* Children after the household, so a new holder's page has parents first. */
    struct child_list l = {0};
    st = records_children(db, id, collect_child, &l, err);
    for (size_t i = 0; i < l.n && st == DP_OK; i++)
        st = changes_touch(db, l.items[i].def->name, l.items[i].id, id, "scope", NULL, err);
    free(l.items);
    if (st == DP_OK)
        st = conflicts_touch_household(db, id, "scope", err);
    return st;
}

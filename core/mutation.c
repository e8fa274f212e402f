/*
 * The in-memory mutation (core/mutation.h): its lifecycle, its value
 * arrays, op names, and folding a later edit into an earlier one for the
 * client's outbox. Checking is in mutation_check.c, the wire form in
 * mutation_parse.c (in) and mutation_wire.c (out, canonical form, hash).
 */
#include "core/mutation.h"

#include <stdlib.h>
#include <string.h>

#include "core/mutation_internal.h"

static const char *const op_names[] = {
    [MUT_CREATE] = "create", [MUT_UPDATE] = "update",
    [MUT_DELETE] = "delete", [MUT_RESOLVE] = "resolve_conflict",
    [MUT_REVIEW] = "review", [MUT_ASSIGN] = "assign",
};

const char *const mutation_review_names[] = {
    [MUT_REVIEW_NONE] = "",
    [MUT_REVIEW_SUBMIT] = "submit",
    [MUT_REVIEW_RETURN] = "return",
    [MUT_REVIEW_APPROVE] = "approve",
};

char **
mutation_part_values(struct mutation *m, enum mutation_part part)
{
    switch (part) {
    case MUT_PART_SET:
        return m->set;
    case MUT_PART_BASE:
        return m->base;
    case MUT_PART_CHOOSE:
        return m->choose;
    }
    return NULL;
}

static char *const *
part_values_c(const struct mutation *m, enum mutation_part part)
{
    return mutation_part_values((struct mutation *)m, part);
}

bool
mutation_part_empty(const struct mutation *m, enum mutation_part part)
{
    char *const *v = part_values_c(m, part);
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++)
        if (v[i])
            return false;
    return true;
}

void
mutation_init(struct mutation *m)
{
    memset(m, 0, sizeof *m);
    m->op = MUT_CREATE;
    m->base_v = -1;
    m->choose_deleted = -1;
}

void
mutation_done(struct mutation *m)
{
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++) {
        free(m->base[i]);
        free(m->set[i]);
        free(m->choose[i]);
    }
    free(m->comment);
    mutation_init(m);
}

enum dp_status
mutation_put(struct mutation *m, enum mutation_part part, int field, const char *value)
{
    char **values = mutation_part_values(m, part);
    if (!values || !m->def || field < 0 || (size_t)field >= m->def->nfields ||
        field >= MUTATION_MAX_FIELDS)
        return DP_EINVAL;
    char *copy = NULL;
    if (value && !(copy = strdup(value)))
        return DP_ENOMEM;
    free(values[field]);
    values[field] = copy;
    return DP_OK;
}

const char *
mutation_op_name(enum mutation_op op)
{
    if ((unsigned)op >= sizeof op_names / sizeof op_names[0])
        return "unknown";
    return op_names[op];
}

bool
mutation_op_parse(const char *s, enum mutation_op *out)
{
    for (size_t i = 0; s && i < sizeof op_names / sizeof op_names[0]; i++) {
        if (strcmp(s, op_names[i]) == 0) {
            *out = (enum mutation_op)i;
            return true;
        }
    }
    return false;
}

/* ---- client outbox coalescing ------------------------------------------------------------ */

enum dp_status
mutation_coalesce(struct mutation *into, const struct mutation *later)
{
    char *set[MUTATION_MAX_FIELDS] = {0}, *base[MUTATION_MAX_FIELDS] = {0};
    enum dp_status st = DP_OK;

    if (!into->def || into->def != later->def || strcmp(into->rid, later->rid) != 0 ||
        later->op != MUT_UPDATE || (into->op != MUT_CREATE && into->op != MUT_UPDATE))
        return DP_EINVAL;
    /* Copy everything first, so running out of memory leaves `into` as it was. */
    for (size_t i = 0; i < into->def->nfields && i < MUTATION_MAX_FIELDS; i++) {
        if (!later->set[i])
            continue;
        if (!(set[i] = strdup(later->set[i]))) {
            st = DP_ENOMEM;
            goto out;
        }
        if (into->op == MUT_UPDATE && !into->set[i] && later->base[i] &&
            !(base[i] = strdup(later->base[i]))) {
            st = DP_ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++) {
        if (set[i]) {
            free(into->set[i]);
            into->set[i] = set[i];
            set[i] = NULL;
        }
        if (base[i]) {
            free(into->base[i]);
            into->base[i] = base[i];
            base[i] = NULL;
        }
    }
    into->hlc = later->hlc;
    into->hash[0] = '\0';
out:
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++) {
        free(set[i]);
        free(base[i]);
    }
    return st;
}

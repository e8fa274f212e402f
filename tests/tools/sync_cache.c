/*
 * sync_cache: what a person would do in the screens, for the sync tests.
 * Opens the client's cache and edits or inspects it through the store API
 * (the same calls the TUI makes), so scripts can make offline edits and
 * check what a sync did.
 *
 *   sync_cache DIR PASSFILE list TYPE            ids of live records, one per line
 *   sync_cache DIR PASSFILE count TYPE           how many live records
 *   sync_cache DIR PASSFILE get TYPE ID FIELD    a field's value ("" when unset)
 *   sync_cache DIR PASSFILE has TYPE ID          exit 0 when the record is held and live
 *   sync_cache DIR PASSFILE set TYPE ID FIELD VALUE [FIELD VALUE]...   one edit
 *   sync_cache DIR PASSFILE bulk-phone N         N edits: household phones, round-robin
 *   sync_cache DIR PASSFILE add-member HOUSEHOLD NAME     prints the new id
 *   sync_cache DIR PASSFILE delete TYPE ID
 *   sync_cache DIR PASSFILE conflicts            "id type rid kind state" per line
 *   sync_cache DIR PASSFILE conflict-fields ID   the conflict's fields JSON
 *   sync_cache DIR PASSFILE resolve ID JSON      the user's choice
 *   sync_cache DIR PASSFILE check                integrity, foreign keys, outbox numbering
 *   sync_cache DIR PASSFILE state                pending/rejected/conflicts/orphans counts
 *   sync_cache DIR PASSFILE cursor               the stored pull cursor
 *   sync_cache DIR PASSFILE device               the device id
 *
 * Exit 0 on success, 1 with a message on stderr otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record.h"
#include "store/store.h"
#include "store/sync_store.h"

static struct dp_error err;

static int
die(const char *what)
{
    fprintf(stderr, "sync_cache: %s: %s%s%s\n", what, err.msg, err.field[0] ? " field " : "",
            err.field);
    return 1;
}

static const struct record_def *
type(const char *name)
{
    const struct record_def *d = schema_record(name);
    if (!d) {
        fprintf(stderr, "sync_cache: unknown type %s\n", name);
        exit(2);
    }
    return d;
}

/* Every live record of a type, through the household list and each household's children. */
static int
list(struct store *st, const struct record_def *def, bool count_only)
{
    struct household_filter f = {0};
    long matched = 0, total = 0, n = 0;
    if (store_household_count(st, &f, &matched, &total, &err) != DP_OK)
        return die("count");
    struct household_row *rows = calloc((size_t)total + 1, sizeof *rows);
    int got = 0;
    if (!rows || store_household_window(st, &f, 0, (int)total, rows, &got, &err) != DP_OK) {
        free(rows);
        return die("list");
    }
    for (int i = 0; i < got; i++) {
        if (def == &schema_household) {
            if (!count_only)
                printf("%s\n", rows[i].id);
            n++;
            continue;
        }
        struct record *recs = NULL;
        size_t k = 0;
        if (store_record_list(st, def, rows[i].id, &recs, &k, &err) != DP_OK) {
            free(rows);
            return die("list children");
        }
        for (size_t j = 0; j < k; j++)
            if (!count_only)
                printf("%s\n", recs[j].values[0]);
        n += (long)k;
        store_record_list_free(recs, k);
    }
    if (count_only)
        printf("%ld\n", n);
    free(rows);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: sync_cache DIR PASSFILE COMMAND [ARGS]\n", stderr);
        return 2;
    }
    char pass[300] = "";
    FILE *pf = fopen(argv[2], "r");
    if (!pf || !fgets(pass, sizeof pass, pf)) {
        fprintf(stderr, "sync_cache: cannot read %s\n", argv[2]);
        return 2;
    }
    fclose(pf);
    pass[strcspn(pass, "\r\n")] = '\0';
    struct store *st = NULL;
    if (store_open(argv[1], pass, &st, &err) != DP_OK)
        return die("open");
    const char *cmd = argv[3];
    int rc = 0;
    struct record r;
    if (strcmp(cmd, "list") == 0 && argc == 5) {
        rc = list(st, type(argv[4]), false);
    } else if (strcmp(cmd, "count") == 0 && argc == 5) {
        rc = list(st, type(argv[4]), true);
    } else if (strcmp(cmd, "get") == 0 && argc == 7) {
        if (store_record_get(st, type(argv[4]), argv[5], &r, &err) != DP_OK) {
            rc = die("get");
        } else {
            const char *v = record_get(&r, argv[6]);
            printf("%s\n", v ? v : "");
            record_done(&r);
        }
    } else if (strcmp(cmd, "has") == 0 && argc == 6) {
        rc = 1;
        if (store_record_get(st, type(argv[4]), argv[5], &r, &err) == DP_OK) {
            rc = r.deleted ? 1 : 0;
            record_done(&r);
        }
    } else if (strcmp(cmd, "set") == 0 && argc >= 8 && argc % 2 == 0) {
        if (store_record_get(st, type(argv[4]), argv[5], &r, &err) != DP_OK) {
            rc = die("get");
        } else {
            for (int i = 6; i + 1 < argc; i += 2)
                record_set(&r, argv[i], argv[i + 1]);
            if (store_record_save(st, &r, &err) != DP_OK)
                rc = die("save");
            record_done(&r);
        }
    } else if (strcmp(cmd, "bulk-phone") == 0 && argc == 5) {
        /* Many offline edits at once (a long time out of range): one outbox entry each. */
        long n = strtol(argv[4], NULL, 10);
        struct household_filter f = {0};
        struct household_row rows[64];
        int got = 0;
        if (store_household_window(st, &f, 0, 64, rows, &got, &err) != DP_OK || got == 0)
            rc = die("list");
        for (long i = 0; rc == 0 && i < n; i++) {
            if (store_record_get(st, &schema_household, rows[i % got].id, &r, &err) != DP_OK) {
                rc = die("get");
                break;
            }
            /* Distinct from earlier runs too, so every save is a real edit. */
            char phone[16];
            snprintf(phone, sizeof phone, "139%08d",
                     (int)(((long)getpid() * 1000 + i) % 100000000));
            record_set(&r, "phone", phone);
            if (store_record_save(st, &r, &err) != DP_OK)
                rc = die("save");
            record_done(&r);
        }
    } else if (strcmp(cmd, "add-member") == 0 && argc == 6) {
        char id[37];
        record_new_id(id, sizeof id);
        record_init(&r, &schema_member);
        record_set(&r, "id", id);
        record_set(&r, "household_id", argv[4]);
        record_set(&r, "name", argv[5]);
        record_set(&r, "relation", "other");
        record_set(&r, "status", "present");
        if (store_record_save(st, &r, &err) != DP_OK)
            rc = die("save");
        else
            printf("%s\n", id);
        record_done(&r);
    } else if (strcmp(cmd, "delete") == 0 && argc == 6) {
        if (store_record_delete(st, type(argv[4]), argv[5], &err) != DP_OK)
            rc = die("delete");
    } else if (strcmp(cmd, "conflicts") == 0 || strcmp(cmd, "conflict-fields") == 0) {
        struct sync_conflict *c = NULL;
        size_t n = 0;
        if (store_sync_conflicts(st, false, &c, &n, &err) != DP_OK) {
            rc = die("conflicts");
        } else {
            for (size_t i = 0; i < n; i++) {
                if (argc == 5 && strcmp(c[i].conflict_id, argv[4]) == 0)
                    printf("%s\n", c[i].fields_json);
                else if (argc == 4)
                    printf("%s %s %s %s %s\n", c[i].conflict_id, c[i].def->name, c[i].rid,
                           c[i].kind, c[i].state);
            }
            store_sync_conflicts_free(c, n);
        }
    } else if (strcmp(cmd, "resolve") == 0 && argc == 6) {
        if (store_sync_conflict_resolve(st, argv[4], argv[5], &err) != DP_OK)
            rc = die("resolve");
    } else if (strcmp(cmd, "check") == 0) {
        if (store_sync_check(st, &err) != DP_OK)
            rc = die("check");
    } else if (strcmp(cmd, "state") == 0) {
        struct sync_status_info i;
        if (store_sync_status(st, &i, &err) != DP_OK)
            rc = die("status");
        else
            printf("pending=%ld rejected=%ld conflicts=%ld resolving=%ld orphans=%ld\n", i.pending,
                   i.rejected, i.conflicts, i.resolving, i.orphans);
    } else if (strcmp(cmd, "cursor") == 0 || strcmp(cmd, "device") == 0) {
        struct sync_identity id;
        if (store_sync_identity(st, &id, &err) != DP_OK)
            rc = die("identity");
        else
            printf("%s\n", strcmp(cmd, "cursor") == 0 ? id.cursor : id.device_id);
    } else {
        fprintf(stderr, "sync_cache: bad command or arguments\n");
        rc = 2;
    }
    store_close(st);
    return rc;
}

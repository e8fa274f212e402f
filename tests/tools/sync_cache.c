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
 *   sync_cache DIR PASSFILE add-visit HOUSEHOLD DATE       a draft visit by the cache's user;
 * prints its id sync_cache DIR PASSFILE delete TYPE ID sync_cache DIR PASSFILE review ACTION
 * COMMENT ID...   submit | return | approve; "-" = no comment sync_cache DIR PASSFILE assign
 * HOUSEHOLD USER        a supervisor's reassignment ("" unassigns) sync_cache DIR PASSFILE forget
 * TYPE ID       lose a record as a damaged cache would (the pull path drops it; the outbox is
 * untouched) sync_cache DIR PASSFILE conflicts "id type rid kind state" per line sync_cache DIR
 * PASSFILE conflict-fields ID   the conflict's fields JSON sync_cache DIR PASSFILE resolve ID JSON
 * the user's choice sync_cache DIR PASSFILE check                integrity, foreign keys, outbox
 * numbering sync_cache DIR PASSFILE state                pending/rejected/conflicts/orphans counts
 *   sync_cache DIR PASSFILE cursor               the stored pull cursor
 *   sync_cache DIR PASSFILE device               the device id
 *   sync_cache DIR PASSFILE acked                the highest mid the server acknowledged
 *
 * With DOORSTEP_LEDGER set, every edit that succeeds appends one line per
 * value it saved to that file, "WHO<TAB>TYPE<TAB>ID<TAB>FIELD<TAB>VALUE"
 * (WHO from DOORSTEP_LEDGER_WHO; FIELD "_deleted" for a delete), so that
 * tests/tools/sync_agree can check at the end that no saved edit was lost.
 *
 * Exit 0 on success, 1 with a message on stderr otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

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

/* One saved value into the ledger (see above); values of tests only, never real data. */
static void
ledger(const char *t, const char *id, const char *field, const char *value)
{
    const char *path = getenv("DOORSTEP_LEDGER"), *who = getenv("DOORSTEP_LEDGER_WHO");
    if (!path || !*path)
        return;
    FILE *f = fopen(path, "a");
    if (!f) {
        fprintf(stderr, "sync_cache: cannot write the ledger %s\n", path);
        exit(2);
    }
    fprintf(f, "%s\t%s\t%s\t%s\t", who ? who : "", t, id, field);
    /* One line per value: escape what would break it. */
    for (const char *c = value; *c; c++) {
        if (*c == '\n' || *c == '\t' || *c == '\\')
            fputc('\\', f);
        fputc(*c == '\n' ? 'n' : *c == '\t' ? 't' : *c, f);
    }
    fputc('\n', f);
    fclose(f);
}

/* Every field that differs between two versions of a record (or is set in a new one) goes into the
 * ledger. */
static void
ledger_changes(const struct record *before, const struct record *after)
{
    for (size_t i = 1; i < after->def->nfields; i++)
        if (before ? strcmp(before->values[i], after->values[i]) != 0 : after->values[i][0] != 0)
            ledger(after->def->name, after->values[0], after->def->fields[i].name,
                   after->values[i]);
}

/* A remove as a pull would bring it, applied with the cursor kept: the record is simply gone. */
static int
forget(struct store *st, const struct record_def *def, const char *id)
{
    struct sync_identity ident;
    struct sync_page page;
    struct sync_page_stats stats;
    if (store_sync_identity(st, &ident, &err) != DP_OK)
        return die("identity");
    if (!ident.cursor[0]) {
        fputs("sync_cache: forget needs a cache that has synced\n", stderr);
        return 1;
    }
    sync_page_init(&page);
    page.changes = calloc(1, sizeof *page.changes);
    if (!page.changes)
        return die("memory");
    page.nchanges = 1;
    snprintf(page.cursor, sizeof page.cursor, "%s", ident.cursor);
    page.last_mid = ident.acked_mid;
    page.changes[0].op = SYNC_REMOVE;
    page.changes[0].def = def;
    page.changes[0].reason = SYNC_REMOVE_OUT_OF_SCOPE;
    page.changes[0].v = -1;
    snprintf(page.changes[0].rid, sizeof page.changes[0].rid, "%s", id);
    int rc = store_sync_apply_page(st, &page, &stats, &err) == DP_OK ? 0 : die("forget");
    sync_page_done(&page);
    return rc;
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

/* The values a resolution chose, as canonical strings, into the ledger. */
static int
ledger_resolution(struct store *st, const char *conflict_id, const char *choose_json)
{
    struct sync_conflict *c = NULL;
    size_t n = 0;
    if (store_sync_conflicts(st, false, &c, &n, &err) != DP_OK)
        return die("conflicts");
    const struct sync_conflict *mine = NULL;
    for (size_t i = 0; i < n && !mine; i++)
        if (strcmp(c[i].conflict_id, conflict_id) == 0)
            mine = &c[i];
    cJSON *choose = cJSON_Parse(choose_json);
    struct record r;
    if (mine && choose && record_init(&r, mine->def) == DP_OK) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(choose, "_deleted");
        if (cJSON_IsTrue(d))
            ledger(mine->def->name, mine->rid, "_deleted", "1");
        cJSON_DeleteItemFromObjectCaseSensitive(choose, "_deleted");
        if (record_from_json(&r, choose, NULL) == DP_OK)
            for (const cJSON *it = choose->child; it; it = it->next)
                ledger(mine->def->name, mine->rid, it->string, record_get(&r, it->string));
        record_done(&r);
    }
    cJSON_Delete(choose);
    store_sync_conflicts_free(c, n);
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
            struct record before = {0};
            bool have_before = record_copy(&before, &r) == DP_OK;
            for (int i = 6; i + 1 < argc; i += 2)
                record_set(&r, argv[i], argv[i + 1]);
            if (store_record_save(st, &r, &err) != DP_OK)
                rc = die("save");
            else
                ledger_changes(have_before ? &before : NULL, &r);
            record_done(&before);
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
            else
                ledger("household", r.values[0], "phone", phone);
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
        if (store_record_save(st, &r, &err) != DP_OK) {
            rc = die("save");
        } else {
            ledger_changes(NULL, &r);
            printf("%s\n", id);
        }
        record_done(&r);
    } else if (strcmp(cmd, "add-visit") == 0 && argc == 6) {
        char id[37];
        struct sync_identity ident;
        record_new_id(id, sizeof id);
        record_init(&r, &schema_visit);
        record_set(&r, "id", id);
        record_set(&r, "household_id", argv[4]);
        if (store_sync_identity(st, &ident, &err) == DP_OK)
            record_set(&r, "worker", ident.user);
        record_set(&r, "date", argv[5]);
        record_set(&r, "kind", "routine");
        record_set(&r, "outcome", "completed");
        record_set(&r, "review_state", "draft");
        if (store_record_save(st, &r, &err) != DP_OK) {
            rc = die("save");
        } else {
            ledger_changes(NULL, &r);
            printf("%s\n", id);
        }
        record_done(&r);
    } else if (strcmp(cmd, "delete") == 0 && argc == 6) {
        if (store_record_delete(st, type(argv[4]), argv[5], &err) != DP_OK)
            rc = die("delete");
        else
            ledger(argv[4], argv[5], "_deleted", "1");
    } else if (strcmp(cmd, "review") == 0 && argc >= 7) {
        static const char *const actions[] = {"submit", "return", "approve"};
        static const char *const states[] = {"submitted", "returned", "approved"};
        int a = 0;
        while (a < 3 && strcmp(argv[4], actions[a]) != 0)
            a++;
        const char *comment = strcmp(argv[5], "-") == 0 ? NULL : argv[5];
        if (a == 3) {
            fprintf(stderr, "sync_cache: review submit|return|approve\n");
            rc = 2;
        } else if (store_visit_review(st, (const char *const *)argv + 6, (size_t)(argc - 6),
                                      (enum store_review_action)a, comment, &err) != DP_OK) {
            rc = die("review");
        } else {
            for (int i = 6; i < argc; i++) {
                ledger("visit", argv[i], "review_state", states[a]);
                if (comment)
                    ledger("visit", argv[i], "review_comment", comment);
            }
        }
    } else if (strcmp(cmd, "assign") == 0 && argc == 6) {
        if (store_household_assign(st, argv[4], argv[5], &err) != DP_OK)
            rc = die("assign");
        else
            ledger("household", argv[4], "assigned_to", argv[5]);
    } else if (strcmp(cmd, "forget") == 0 && argc == 6) {
        rc = forget(st, type(argv[4]), argv[5]);
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
        else
            rc = ledger_resolution(st, argv[4], argv[5]);
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
    } else if (strcmp(cmd, "cursor") == 0 || strcmp(cmd, "device") == 0 ||
               strcmp(cmd, "acked") == 0) {
        struct sync_identity id;
        if (store_sync_identity(st, &id, &err) != DP_OK)
            rc = die("identity");
        else if (strcmp(cmd, "acked") == 0)
            printf("%lld\n", (long long)id.acked_mid);
        else
            printf("%s\n", strcmp(cmd, "cursor") == 0 ? id.cursor : id.device_id);
    } else {
        fprintf(stderr, "sync_cache: bad command or arguments\n");
        rc = 2;
    }
    store_close(st);
    return rc;
}

/*
 * tui_fixture DATA_DIR PASSPHRASE_FILE [--screen] [--generated N]
 *
 * Create the cache the screen tests (tests/tui/) start from, with the
 * passphrase on the file's first line, through the store's public API:
 *   --screen       25 hand-made households chosen for layout tests: CJK
 *                  names of 2-12 characters, a minority name with U+00B7, a
 *                  Latin name, overdue and due-today dates, every risk class
 *                  and category, visits for "last visit";
 *   --generated N  N households from core/gen (seed 7, today 2024-03-01).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gen.h"
#include "core/record.h"
#include "core/rules.h"
#include "store/store.h"

struct fixture_household {
    const char *name, *village, *categories, *risk, *next_due, *last_visit, *phone, *address;
};

/* Sorted by name these come out in code point order; tests rely on the data, not the order. */
static const struct fixture_household screen_set[] = {
    {"张三", "东风村", "dibao", "red", "2024-02-10", "2024-01-10", "13800000001", "东风村1组3号"},
    {"王小明", "东风村", "dibao,tekun_dispersed", "yellow", "2024-05-01", "2024-02-01", "", ""},
    {"阿依古丽·买买提", "红旗村", "temp_assist", "green", "2024-08-01", "2024-02-01", "", ""},
    {"欧阳娜娜娜娜娜娜娜娜娜娜", "向阳村", "relapse_watch", "green", "2024-03-01", "", "", ""},
    {"李四", "红旗村", "tekun_central", "red", "2024-02-29", "", "13900000002", ""},
    {"Li Lei", "向阳村", "dibao_edge", "yellow", "2024-04-01", "2023-12-20", "", ""},
    {"陈建国", "东风村", "dibao", "green", "2024-06-15", "2023-12-15", "", ""},
    {"刘秀英", "东风村", "", "yellow", "2024-03-15", "2023-12-15", "", ""},
    {"杨桂兰", "红旗村", "dibao", "red", "2024-03-20", "2024-02-20", "", ""},
    {"赵德明", "红旗村", "tekun_dispersed", "red", "2024-01-31", "2023-12-31", "", ""},
    {"黄玉梅", "向阳村", "dibao", "green", "2024-07-01", "2024-01-01", "", ""},
    {"周志强", "向阳村", "temp_assist", "yellow", "2024-04-30", "2024-01-30", "", ""},
    {"吴淑珍", "新疆维吾尔自治区喀什地区某某村", "dibao", "yellow", "2024-05-20", "", "", ""},
    {"徐海", "东风村", "dibao_edge", "green", "2024-09-01", "2024-03-01", "", ""},
    {"孙丽", "红旗村", "relapse_watch", "green", "2024-08-15", "2024-02-15", "", ""},
    {"胡文华", "向阳村", "dibao,temp_assist", "red", "2024-02-25", "2024-01-25", "", ""},
    {"朱红", "东风村", "dibao", "yellow", "2024-04-10", "2024-01-10", "", ""},
    {"高国庆", "红旗村", "tekun_central", "red", "2024-03-05", "2024-02-05", "", ""},
    {"林芳", "向阳村", "", "green", "2024-06-30", "2023-12-30", "", ""},
    {"何永福", "东风村", "dibao", "yellow", "2024-03-31", "2023-12-31", "", ""},
    {"郭小红", "红旗村", "temp_assist", "green", "2024-10-01", "2024-02-01", "", ""},
    {"马玉兰", "向阳村", "dibao", "red", "2024-03-10", "2024-02-10", "", ""},
    {"罗建华", "东风村", "dibao_edge", "green", "2024-07-15", "2024-01-15", "", ""},
    {"梁秀兰", "红旗村", "relapse_watch", "yellow", "2024-05-05", "2024-02-05", "", ""},
    {"宋平", "向阳村", "dibao", "green", "2024-08-20", "2024-02-20", "", ""},
};

static int
fail(const char *what, const struct dp_error *err)
{
    fprintf(stderr, "tui_fixture: %s: %s: %s %s\n", what, dp_strerror(err->code), err->field,
            err->msg);
    return 1;
}

/* The list's warning marker is the caller's to keep (store.h): set it as the client does. */
static int
mark_warnings(struct store *st, const char *id)
{
    struct record hh = {0}, *members = NULL, *visits = NULL;
    size_t nm = 0, nv = 0;
    struct dp_error err = {0};
    struct policy pol = policy_defaults();
    struct dp_date today = {2024, 3, 1};
    int rc = 1;
    if (store_record_get(st, &schema_household, id, &hh, &err) == DP_OK &&
        store_record_list(st, &schema_member, id, &members, &nm, &err) == DP_OK &&
        store_record_list(st, &schema_visit, id, &visits, &nv, &err) == DP_OK) {
        size_t n = rules_warnings(&pol, &hh, members, nm, visits, nv, &today, NULL, 0);
        rc = store_household_set_warning(st, id, n > 0, &err) == DP_OK ? 0 : 1;
    }
    if (rc)
        fail("warnings", &err);
    store_record_list_free(members, nm);
    store_record_list_free(visits, nv);
    record_done(&hh);
    return rc;
}

static int
add_screen_set(struct store *st)
{
    struct dp_error err = {0};
    for (size_t i = 0; i < sizeof screen_set / sizeof screen_set[0]; i++) {
        const struct fixture_household *f = &screen_set[i];
        struct record hh, vi;
        char id[37], vid[37];
        record_init(&hh, &schema_household);
        record_new_id(id, sizeof id);
        record_set(&hh, "id", id);
        record_set(&hh, "head_name", f->name);
        record_set(&hh, "village", f->village);
        record_set(&hh, "township", "城关镇");
        record_set(&hh, "county", "示范县");
        record_set(&hh, "categories", f->categories);
        record_set(&hh, "risk", f->risk);
        if (strcmp(f->risk, "green") != 0)
            record_set(&hh, "risk_reason", "入户核实评定");
        record_set(&hh, "status", "active");
        record_set(&hh, "next_visit_due", f->next_due);
        record_set(&hh, "phone", f->phone);
        record_set(&hh, "address", f->address);
        enum dp_status rc = store_record_save(st, &hh, &err);
        record_done(&hh);
        if (rc != DP_OK)
            return fail(f->name, &err);
        if (!f->last_visit[0]) {
            if (mark_warnings(st, id))
                return 1;
            continue;
        }
        record_init(&vi, &schema_visit);
        record_new_id(vid, sizeof vid);
        record_set(&vi, "id", vid);
        record_set(&vi, "household_id", id);
        record_set(&vi, "worker", "tester");
        record_set(&vi, "date", f->last_visit);
        record_set(&vi, "kind", "routine");
        record_set(&vi, "outcome", "completed");
        record_set(&vi, "review_state", "submitted");
        record_set(&vi, "notes", "Met the head of household.");
        rc = store_record_save(st, &vi, &err);
        record_done(&vi);
        if (rc != DP_OK)
            return fail("visit", &err);
        if (mark_warnings(st, id))
            return 1;
    }
    return 0;
}

struct emit_ctx {
    struct store *st;
    struct dp_error err;
};

static enum dp_status
emit(void *ctx, const struct record *r)
{
    struct emit_ctx *c = ctx;
    struct record copy;
    /* What a server keeps (assignment, team) is not the client's to save. */
    if (record_copy(&copy, r) != DP_OK)
        return DP_ENOMEM;
    for (size_t i = 0; i < r->def->nfields; i++)
        if (r->def->fields[i].flags & FF_SERVER)
            record_set_index(&copy, (int)i, "");
    enum dp_status rc = store_record_save(c->st, &copy, &c->err);
    record_done(&copy);
    return rc;
}

static int
add_generated(struct store *st, unsigned long n)
{
    struct gen_options o;
    struct emit_ctx c = {st, {0}};
    gen_options_init(&o);
    o.households = n;
    o.workers = 1;
    o.teams = 1;
    o.seed = 7;
    o.today = (struct dp_date){2024, 3, 1};
    if (gen_run(&o, emit, &c, NULL, &c.err) != DP_OK)
        return fail("generate", &c.err);
    return 0;
}

static int
read_passphrase(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, (int)size, f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

int
main(int argc, char **argv)
{
    char pass[256];
    struct store *st = NULL;
    struct dp_error err = {0};
    int rc = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: tui_fixture DATA_DIR PASSPHRASE_FILE [--screen] [--generated N]\n");
        return 2;
    }
    if (read_passphrase(argv[2], pass, sizeof pass) != 0) {
        fprintf(stderr, "tui_fixture: cannot read the passphrase file\n");
        return 1;
    }
    if (store_open(argv[1], pass, &st, &err) != DP_OK)
        return fail("open", &err);
    for (int i = 3; i < argc && rc == 0; i++) {
        if (strcmp(argv[i], "--screen") == 0) {
            rc = add_screen_set(st);
        } else if (strcmp(argv[i], "--generated") == 0 && i + 1 < argc) {
            char *end;
            unsigned long n = strtoul(argv[++i], &end, 10);
            rc = *end ? 2 : add_generated(st, n);
        } else {
            fprintf(stderr, "tui_fixture: unknown option %s\n", argv[i]);
            rc = 2;
        }
    }
    store_close(st);
    return rc;
}

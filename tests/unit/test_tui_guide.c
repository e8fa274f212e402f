/*
 * docs/USER-GUIDE.md ends with a summary of keys, written by hand for people
 * who read it on paper. This keeps it from drifting: every row's key must do
 * that action on that screen, through the same lookup the main loop uses.
 */
#include "tui/keymap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test.h"

static const struct {
    const char *where;
    enum keymap km;
    bool text; /* the screen takes typed text */
} screens[] = {
    {"everywhere", KM_GENERIC, false},      {"household list", KM_HOUSEHOLDS, false},
    {"one household", KM_HOUSEHOLD, false}, {"forms", KM_FORM, true},
    {"conflicts", KM_CONFLICTS, false},     {"problems", KM_PROBLEMS, false},
};

/* Cell `col` (0-based) of a markdown table row into buf, trimmed, without backticks. */
static bool
cell(const char *row, int col, char *buf, size_t size)
{
    const char *p = row;
    for (int i = 0; i <= col; i++) {
        p = strchr(p, '|');
        if (!p)
            return false;
        p++;
    }
    const char *end = strchr(p, '|');
    if (!end)
        return false;
    while (p < end && (*p == ' ' || *p == '`'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '`'))
        end--;
    snprintf(buf, size, "%.*s", (int)(end - p), p);
    return true;
}

/* Why a row of the guide's table is wrong into buf, or NULL when the key does that action. */
static const char *
row_problem(const char *row, char *buf, size_t size)
{
    char key[64], action[64], where[64];
    if (!cell(row, 0, key, sizeof key) || !cell(row, 1, action, sizeof action) ||
        !cell(row, 2, where, sizeof where)) {
        snprintf(buf, size, "unreadable row: %s", row);
        return buf;
    }
    enum action act = action_from_name(action);
    int code = keymap_key_parse(key);
    if (act == ACT_NONE) {
        snprintf(buf, size, "no action named %s", action);
        return buf;
    }
    if (code < 0) {
        snprintf(buf, size, "no key named %s", key);
        return buf;
    }
    for (size_t i = 0; i < sizeof screens / sizeof screens[0]; i++) {
        if (strcmp(screens[i].where, where) != 0)
            continue;
        if (keymap_lookup(screens[i].km, screens[i].text, code) != act) {
            snprintf(buf, size, "%s does not do %s on %s", key, action, where);
            return buf;
        }
        return NULL;
    }
    snprintf(buf, size, "no screen called %s", where);
    return buf;
}

TEST(the_guide_s_key_table_matches_the_key_table)
{
    FILE *f = fopen("docs/USER-GUIDE.md", "r");
    REQUIRE(f);
    char line[512], why[256];
    bool in = false;
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "<!-- keys", 9) == 0) {
            in = true;
        } else if (strncmp(line, "<!-- /keys", 10) == 0) {
            in = false;
        } else if (in && strncmp(line, "| `", 3) == 0) {
            rows++;
            if (row_problem(line, why, sizeof why))
                TEST_FAIL_("%s", why);
        }
    }
    fclose(f);
    CHECK(rows >= 15);
}

TEST(a_wrong_row_is_caught)
{
    /* The check itself must be able to fail. */
    char why[256];
    CHECK(row_problem("| `m` | keep-mine | conflicts | right |", why, sizeof why) == NULL);
    CHECK(row_problem("| `<Ctrl-s>` | save | forms | right |", why, sizeof why) == NULL);
    CHECK(row_problem("| `m` | keep-theirs | conflicts | wrong |", why, sizeof why) != NULL);
    CHECK(row_problem("| `Z` | sync | everywhere | unbound |", why, sizeof why) != NULL);
    CHECK(row_problem("| `q` | no-such-action | everywhere | x |", why, sizeof why) != NULL);
    CHECK(row_problem("| `q` | back | nowhere | x |", why, sizeof why) != NULL);
    CHECK(row_problem("| `<Nope>` | back | everywhere | x |", why, sizeof why) != NULL);
    CHECK(row_problem("| `q` | back", why, sizeof why) != NULL);
}

int
main(void)
{
    RUN(the_guide_s_key_table_matches_the_key_table);
    RUN(a_wrong_row_is_caught);
    return test_report();
}

/*
 * Every action a user can ask for, declared once: its enum constant, the
 * name used in key tables (and, later, a user's key config), and the help
 * line. Help is generated from this list and the key tables in keymap.c;
 * tests/unit/test_keymap.c checks that every action has a key and a help line.
 *
 * To add an action: add a line here, bind it in keymap.c, handle it in a
 * view's request() (or in tui.c for global ones).
 */
#ifndef DOORSTEP_TUI_ACTIONS_H
#define DOORSTEP_TUI_ACTIONS_H

#include "core/i18n.h"

/* A(CONSTANT, "config-name", help text) */
#define ACTION_LIST(A)                                                                             \
    /* Moving around, in every list */                                                             \
    A(MOVE_DOWN, "move-down", N_("Move down one line"))                                            \
    A(MOVE_UP, "move-up", N_("Move up one line"))                                                  \
    A(PAGE_DOWN, "page-down", N_("Move down one page"))                                            \
    A(PAGE_UP, "page-up", N_("Move up one page"))                                                  \
    A(MOVE_FIRST, "move-first", N_("Go to the first line"))                                        \
    A(MOVE_LAST, "move-last", N_("Go to the last line"))                                           \
    A(ENTER, "enter", N_("Open the selected item"))                                                \
    A(BACK, "back", N_("Close this screen"))                                                       \
    A(QUIT, "quit", N_("Quit Doorstep"))                                                           \
    A(HELP, "help", N_("Show this help"))                                                          \
    A(REDRAW, "redraw", N_("Redraw the screen"))                                                   \
    A(INTERRUPT, "interrupt", N_("Quit, asking first when input is unsaved"))                      \
    A(SUSPEND, "suspend", N_("Suspend to the shell (fg comes back)"))                              \
    /* Sync, from every screen */                                                                  \
    A(SYNC, "sync", N_("Sync now: send edits, receive changes"))                                   \
    A(LOGIN, "login", N_("Log in to the server"))                                                  \
    /* Household list */                                                                           \
    A(SEARCH, "search", N_("Search: name, ID-number tail, phone, address"))                        \
    A(FILTER_RISK, "filter-risk", N_("Show one risk class (red, yellow, green, all)"))             \
    A(FILTER_VILLAGE, "filter-village", N_("Show only the selected household's village"))          \
    A(FILTER_OVERDUE, "filter-overdue", N_("Show only overdue households"))                        \
    A(FILTER_UNSYNCED, "filter-unsynced", N_("Show only households with unsynced edits"))          \
    A(FILTER_CATEGORY, "filter-category", N_("Show one support category (cycles)"))                \
    A(FILTER_CLEAR, "filter-clear", N_("Clear the search and all filters"))                        \
    A(SORT_NEXT, "sort-next", N_("Sort by name, village, risk, due date, last visit"))             \
    A(SORT_REVERSE, "sort-reverse", N_("Reverse the sort order"))                                  \
    A(CONFLICTS, "conflicts", N_("Show the conflicts to resolve"))                                 \
    A(PROBLEMS, "problems", N_("Problems: edits the server refused, failed syncs"))                \
    /* One household */                                                                            \
    A(EDIT, "edit", N_("Edit the selected item"))                                                  \
    A(ADD_MEMBER, "add-member", N_("Add a member"))                                                \
    A(ADD_NEED, "add-need", N_("Add a need"))                                                      \
    A(DELETE, "delete", N_("Remove the selected member or need"))                                  \
    A(NEW_VISIT, "new-visit", N_("Start a visit"))                                                 \
    A(CHANGE_RISK, "change-risk", N_("Change the risk class, with a reason"))                      \
    /* Conflicts and problems */                                                                   \
    A(KEEP_MINE, "keep-mine", N_("Keep my value (or my side of a deletion)"))                      \
    A(KEEP_THEIRS, "keep-theirs", N_("Keep their value (or their side of a deletion)"))            \
    A(NEW_VALUE, "new-value", N_("Type or pick a new value for the field"))                        \
    A(FIX, "fix", N_("Correct the refused edit and save it again"))                                \
    A(DISMISS, "dismiss", N_("Set the refused edit aside"))                                        \
    /* Forms */                                                                                    \
    A(FIELD_NEXT, "field-next", N_("Next field"))                                                  \
    A(FIELD_PREV, "field-prev", N_("Previous field"))                                              \
    A(SAVE, "save", N_("Save"))                                                                    \
    A(CANCEL, "cancel", N_("Leave, asking before discarding changes"))                             \
    A(TOGGLE, "toggle", N_("Tick or untick the choice under the cursor"))                          \
    A(TODAY, "today", N_("Set a date field to today"))                                             \
    /* Editing text, in forms and prompts */                                                       \
    A(CHAR_LEFT, "char-left", N_("Cursor left; in a pick field, the previous choice"))             \
    A(CHAR_RIGHT, "char-right", N_("Cursor right; in a pick field, the next choice"))              \
    A(LINE_START, "line-start", N_("Cursor to the start of the line"))                             \
    A(LINE_END, "line-end", N_("Cursor to the end of the line"))                                   \
    A(DELETE_BACK, "delete-back", N_("Delete the character before the cursor"))                    \
    A(DELETE_CHAR, "delete-char", N_("Delete the character under the cursor"))                     \
    A(KILL_BEFORE, "kill-before", N_("Delete everything before the cursor"))                       \
    A(KILL_AFTER, "kill-after", N_("Delete everything after the cursor"))                          \
    A(ACCEPT, "accept", N_("Accept what was typed"))                                               \
    /* Questions */                                                                                \
    A(YES, "yes", N_("Answer yes"))                                                                \
    A(NO, "no", N_("Answer no"))

enum action {
    ACT_NONE, /* no action: the key is unbound (or consumed) */
#define ACTION_ENUM(c, name, help) ACT_##c,
    ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
        ACT_COUNT
};

/* The config name ("move-down"); "" for ACT_NONE and out-of-range values. */
const char *action_name(enum action act);

/* The action with config name `name`, or ACT_NONE. */
enum action action_from_name(const char *name);

/* The untranslated help line (pass it through _() to show it); "" for ACT_NONE. */
const char *action_help(enum action act);

#endif

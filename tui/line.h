/*
 * One screen line being laid out: display-safe UTF-8 plus style spans,
 * exactly `width` columns once finished. Views describe what a row says
 * (struct line), view.c alone turns it into curses calls, so drawing a row
 * is a pure function of the row's data and the width (unit-testable).
 */
#ifndef DOORSTEP_TUI_LINE_H
#define DOORSTEP_TUI_LINE_H

#include <stddef.h>

#include "tui/text.h"

/* How a piece of text looks; view.c maps these to colours or, without
 * colours (NO_COLOR, monochrome), to bold/underline/reverse. */
enum style {
    STYLE_NORMAL,
    STYLE_TITLE,   /* the title bar */
    STYLE_STATUS,  /* the status line */
    STYLE_HEADER,  /* column headings */
    STYLE_RED,     /* risk class red (also used for errors) */
    STYLE_YELLOW,  /* risk class yellow */
    STYLE_GREEN,   /* risk class green */
    STYLE_OVERDUE, /* a visit date that has passed */
    STYLE_MARKER,  /* unsynced / conflict / warning markers */
    STYLE_ERROR,   /* validation messages, failures */
    STYLE_DIM,     /* hints, unset values */
    STYLE_LABEL,   /* field labels in forms and detail */
    STYLE_INPUT,   /* the field being edited */
    STYLE_KEY,     /* key names in help */
    STYLE_SECTION, /* section headings */
    STYLE_COUNT
};

#define LINE_MAX_BYTES 2048 /* 500 columns of 4-byte characters */
#define LINE_MAX_SPANS 32

struct line_span {
    unsigned short start, len; /* bytes of text */
    unsigned char style;       /* enum style */
};

struct line {
    char text[LINE_MAX_BYTES];
    size_t len; /* bytes used */
    int cols;   /* columns used */
    int width;  /* columns available */
    struct line_span spans[LINE_MAX_SPANS];
    int nspans;
    int highlight_cols; /* when selected, reverse only this many columns (0 = all) */
};

/* Start an empty line of `width` columns. */
void line_init(struct line *l, int width);

/* Columns still free. */
int line_remaining(const struct line *l);

/*
 * Append s as exactly `cols` columns (padded, or cut with TEXT_CUT_MARK),
 * in style st; whatever passes the line's width is clipped (cut with the
 * mark). cols < 0 means "as wide as s".
 */
void line_field(struct line *l, enum style st, const char *s, int cols, enum text_align align);

/* Append s at its natural width (line_field with cols = -1). */
void line_text(struct line *l, enum style st, const char *s);

/* Append n spaces in style st (clipped). */
void line_spaces(struct line *l, enum style st, int n);

/* Pad the rest of the line with spaces in style st. */
void line_fill(struct line *l, enum style st);

#endif

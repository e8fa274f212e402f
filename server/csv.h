/*
 * A strict RFC 4180 CSV reader for the county's household lists: quoted
 * fields (with "" for a quote and line breaks inside quotes), LF or CRLF
 * line ends, an optional UTF-8 byte-order mark. Every field and row has a
 * cap, and every error names the line where the record starts.
 */
#ifndef DOORSTEP_SERVER_CSV_H
#define DOORSTEP_SERVER_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "core/status.h"
#include "server/buf.h"

#define CSV_MAX_FIELDS      64
#define CSV_MAX_FIELD_BYTES 4096

struct csv {
    FILE *f;
    long line;    /* line number of the next character */
    bool started; /* BOM checked */
    int peeked;   /* a character read ahead, or EOF-1 when none */
    int last;     /* the last character consumed */
    struct buf field;
};

struct csv_row {
    long line;                    /* line where the record starts */
    size_t n;                     /* number of fields */
    char *fields[CSV_MAX_FIELDS]; /* heap strings, NUL-terminated, valid UTF-8 */
};

/* Read from f (the caller keeps and closes it). */
void csv_init(struct csv *c, FILE *f);
void csv_done(struct csv *c);

/*
 * Read the next record into *row (csv_row_done it after use). DP_ENOTFOUND at
 * the end of the input; DP_EINVAL for a malformed record, with err->msg
 * "line N: ..." (never the field's text). After DP_EINVAL the reader has
 * skipped to the end of the bad line, so reading can go on.
 */
enum dp_status csv_next(struct csv *c, struct csv_row *row, struct dp_error *err);
void csv_row_done(struct csv_row *row);

#endif

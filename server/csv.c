#include "server/csv.h"

#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define NO_PEEK (EOF - 1)

void
csv_init(struct csv *c, FILE *f)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    c->line = 1;
    c->peeked = NO_PEEK;
    buf_init(&c->field, CSV_MAX_FIELD_BYTES);
}

void
csv_done(struct csv *c)
{
    buf_done(&c->field);
}

void
csv_row_done(struct csv_row *row)
{
    for (size_t i = 0; i < row->n; i++)
        free(row->fields[i]);
    memset(row, 0, sizeof *row);
}

static int
get(struct csv *c)
{
    int ch;
    if (c->peeked != NO_PEEK) {
        ch = c->peeked;
        c->peeked = NO_PEEK;
    } else {
        ch = getc(c->f);
    }
    if (ch == '\n')
        c->line++;
    c->last = ch;
    return ch;
}

static int
peek(struct csv *c)
{
    if (c->peeked == NO_PEEK)
        c->peeked = getc(c->f);
    return c->peeked;
}

/* After an error: drop the rest of the physical line. */
static void
skip_line(struct csv *c)
{
    if (c->last == '\n' || c->last == EOF)
        return;
    int ch;
    while ((ch = get(c)) != EOF && ch != '\n')
        ;
}

static enum dp_status
fail(struct csv *c, struct csv_row *row, struct dp_error *err, long line, size_t col,
     const char *what)
{
    skip_line(c);
    csv_row_done(row);
    row->line = line;
    return dp_error_set(err, DP_EINVAL, NULL, "line %ld, field %zu: %s", line, col, what);
}

static enum dp_status
end_field(struct csv *c, struct csv_row *row, struct dp_error *err, long line)
{
    if (row->n == CSV_MAX_FIELDS)
        return fail(c, row, err, line, row->n + 1, "too many fields");
    if (!utf8_valid(buf_cstr(&c->field), c->field.len) ||
        memchr(buf_cstr(&c->field), '\0', c->field.len))
        return fail(c, row, err, line, row->n + 1, "not valid UTF-8 text");
    char *s = strdup(buf_cstr(&c->field));
    if (!s) {
        csv_row_done(row);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    row->fields[row->n++] = s;
    buf_reset(&c->field);
    return DP_OK;
}

enum dp_status
csv_next(struct csv *c, struct csv_row *row, struct dp_error *err)
{
    memset(row, 0, sizeof *row);
    if (!c->started) {
        c->started = true;
        int b0 = getc(c->f);
        if (b0 == 0xEF) {
            int b1 = getc(c->f), b2 = getc(c->f);
            if (b1 != 0xBB || b2 != 0xBF)
                return fail(c, row, err, 1, 1, "not valid UTF-8 text");
        } else if (b0 != EOF) {
            ungetc(b0, c->f);
        }
    }
    if (peek(c) == EOF)
        return DP_ENOTFOUND;

    long line = c->line;
    row->line = line;
    c->last = 0;
    buf_reset(&c->field);
    for (;;) {
        int ch = get(c);
        if (ch == '"' && c->field.len == 0) {
            /* Quoted field: runs to the closing quote, across line breaks. */
            for (;;) {
                ch = get(c);
                if (ch == EOF)
                    return fail(c, row, err, line, row->n + 1, "quote not closed");
                if (ch == '"') {
                    if (peek(c) == '"') {
                        get(c);
                    } else {
                        break;
                    }
                }
                if (buf_add(&c->field, &(char){(char)ch}, 1) != DP_OK)
                    return fail(c, row, err, line, row->n + 1, "field longer than 4096 bytes");
            }
            ch = get(c);
            if (ch == '\r' && peek(c) == '\n')
                ch = get(c);
            if (ch != ',' && ch != '\n' && ch != EOF)
                return fail(c, row, err, line, row->n + 1, "text after a closing quote");
        } else if (ch == '"') {
            return fail(c, row, err, line, row->n + 1, "quote inside an unquoted field");
        } else if (ch == '\r' && peek(c) == '\n') {
            ch = get(c);
        } else if (ch == '\r') {
            return fail(c, row, err, line, row->n + 1, "carriage return without a line feed");
        } else if (ch != ',' && ch != '\n' && ch != EOF) {
            if (buf_add(&c->field, &(char){(char)ch}, 1) != DP_OK)
                return fail(c, row, err, line, row->n + 1, "field longer than 4096 bytes");
            continue;
        }
        /* ch is now ',', '\n' or EOF: the field ends. */
        enum dp_status st = end_field(c, row, err, line);
        if (st != DP_OK)
            return st;
        if (ch == ',')
            continue;
        return DP_OK;
    }
}

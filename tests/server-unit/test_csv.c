/* The strict CSV reader: quoting, line ends, BOM, caps, errors that name the line. */
#include "server/csv.h"

#include <string.h>

#include "tests/unit/test.h"

/* Parse `text`; returns rows read and fills a summary like "a|b;c|d" and the error lines. */
static int
read_all(const char *text, size_t len, char *summary, size_t ssize, long *err_lines, int *nerr)
{
    FILE *f = fmemopen((void *)text, len, "r");
    if (!f)
        return -1;
    struct csv c;
    csv_init(&c, f);
    int rows = 0;
    summary[0] = '\0';
    *nerr = 0;
    for (;;) {
        struct csv_row row;
        struct dp_error err;
        enum dp_status st = csv_next(&c, &row, &err);
        if (st == DP_ENOTFOUND)
            break;
        if (st != DP_OK) {
            err_lines[(*nerr)++] = row.line;
            continue;
        }
        size_t used = strlen(summary);
        if (rows)
            used += (size_t)snprintf(summary + used, ssize - used, ";");
        for (size_t i = 0; i < row.n; i++)
            used +=
                (size_t)snprintf(summary + used, ssize - used, "%s%s", i ? "|" : "", row.fields[i]);
        csv_row_done(&row);
        rows++;
    }
    csv_done(&c);
    fclose(f);
    return rows;
}

#define READ(text, summary, lines, nerr)                                                           \
    read_all(text, sizeof(text) - 1, summary, sizeof summary, lines, &nerr)

TEST(plain_and_quoted_fields)
{
    char s[256];
    long lines[8];
    int nerr;
    CHECK_INT_EQ(READ("a,b\nc,d\n", s, lines, nerr), 2);
    CHECK_STR_EQ(s, "a|b;c|d");
    CHECK_INT_EQ(READ("a,b\r\nc,d", s, lines, nerr), 2);
    CHECK_STR_EQ(s, "a|b;c|d");
    CHECK_INT_EQ(READ("\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\nz,\n", s, lines, nerr), 2);
    CHECK_STR_EQ(s, "x,y|say \"hi\"|two\nlines;z|");
    CHECK_INT_EQ(nerr, 0);
    CHECK_INT_EQ(READ("\xef\xbb\xbfid,name\n1,\xe5\xbc\xa0\n", s, lines, nerr), 2);
    CHECK_STR_EQ(s, "id|name;1|\xe5\xbc\xa0");
    CHECK_INT_EQ(READ(",,\n", s, lines, nerr), 1);
    CHECK_STR_EQ(s, "||");
    CHECK_INT_EQ(READ("", s, lines, nerr), 0);
}

TEST(errors_name_the_line_and_reading_goes_on)
{
    char s[256];
    long lines[8];
    int nerr;
    CHECK_INT_EQ(READ("a,b\n\"open,c\nd,e\n", s, lines, nerr), 1);
    CHECK_INT_EQ(nerr, 1);
    CHECK_INT_EQ(lines[0], 2);

    CHECK_INT_EQ(READ("h1,h2\nx\"y,z\nok,1\n", s, lines, nerr), 2);
    CHECK_INT_EQ(nerr, 1);
    CHECK_INT_EQ(lines[0], 2);
    CHECK_STR_EQ(s, "h1|h2;ok|1");

    CHECK_INT_EQ(READ("h\n\"q\"x\nok\n", s, lines, nerr), 2);
    CHECK_INT_EQ(lines[0], 2);

    CHECK_INT_EQ(READ("h\nbad\xff,1\n\"two\nline\"\xc3\n", s, lines, nerr), 1);
    CHECK_INT_EQ(nerr, 2);
    CHECK_INT_EQ(lines[0], 2);
    CHECK_INT_EQ(lines[1], 3);

    CHECK_INT_EQ(READ("a\rb\nc\n", s, lines, nerr), 1);
    CHECK_INT_EQ(nerr, 1);
}

TEST(caps_on_fields)
{
    static char big[CSV_MAX_FIELD_BYTES + 64];
    memset(big, 'x', CSV_MAX_FIELD_BYTES + 1);
    memcpy(big + CSV_MAX_FIELD_BYTES + 1, "\nok\n", 5);
    char s[256];
    long lines[8];
    int nerr;
    CHECK_INT_EQ(read_all(big, strlen(big), s, sizeof s, lines, &nerr), 1);
    CHECK_INT_EQ(nerr, 1);
    CHECK_STR_EQ(s, "ok");

    char many[512];
    size_t used = 0;
    for (int i = 0; i < CSV_MAX_FIELDS + 1; i++)
        used += (size_t)snprintf(many + used, sizeof many - used, i ? ",x" : "x");
    snprintf(many + used, sizeof many - used, "\nok\n");
    CHECK_INT_EQ(read_all(many, strlen(many), s, sizeof s, lines, &nerr), 1);
    CHECK_INT_EQ(nerr, 1);
}

int
main(void)
{
    RUN(plain_and_quoted_fields);
    RUN(errors_name_the_line_and_reading_goes_on);
    RUN(caps_on_fields);
    return test_report();
}

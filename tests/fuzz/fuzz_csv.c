/*
 * The CSV reader behind `doorstep-server import-households` (server/csv.h),
 * fed whatever a county office exports. Reading always ends; every record
 * read has at most CSV_MAX_FIELDS fields of valid UTF-8 under the byte cap,
 * and line numbers never go back; errors say "line N, field M" and nothing
 * of the text. The records read, written out again fully quoted (as RFC 4180
 * allows), read back to the same fields.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "core/utf8.h"
#include "server/buf.h"
#include "server/csv.h"

struct rows {
    struct csv_row *v;
    size_t n, alloc;
    size_t errors;
};

static void
rows_done(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        csv_row_done(&r->v[i]);
    free(r->v);
}

/* Read all of data; check each record and error on the way. */
static void
read_all(const uint8_t *data, size_t size, struct rows *out)
{
    memset(out, 0, sizeof *out);
    /* fmemopen refuses a zero size; an empty file reads as nothing at all. */
    FILE *f = fmemopen(size ? (void *)data : (void *)"", size ? size : 1, "r");
    FUZZ_ASSERT(f);
    if (!size)
        getc(f);
    struct csv c;
    csv_init(&c, f);
    long last_line = 0;
    /* Every call consumes at least one byte, so reading must end within size + 1 calls. */
    for (size_t calls = 0;; calls++) {
        FUZZ_ASSERT(calls <= size + 1);
        struct csv_row row;
        struct dp_error err;
        dp_error_clear(&err);
        enum dp_status st = csv_next(&c, &row, &err);
        if (st == DP_ENOTFOUND)
            break;
        FUZZ_ASSERT(row.line >= 1 && row.line > last_line);
        last_line = row.line;
        if (st != DP_OK) {
            FUZZ_ASSERT(st == DP_EINVAL && row.n == 0);
            char prefix[64];
            snprintf(prefix, sizeof prefix, "line %ld, field ", row.line);
            FUZZ_ASSERT(strncmp(err.msg, prefix, strlen(prefix)) == 0);
            /* Digits and fixed words only: no byte of the file gets into the message. */
            for (const char *p = err.msg; *p; p++)
                FUZZ_ASSERT((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
            out->errors++;
            continue;
        }
        FUZZ_ASSERT(row.n >= 1 && row.n <= CSV_MAX_FIELDS);
        for (size_t i = 0; i < row.n; i++) {
            size_t len = strlen(row.fields[i]);
            FUZZ_ASSERT(len <= CSV_MAX_FIELD_BYTES && utf8_valid(row.fields[i], len));
        }
        if (out->n == out->alloc) {
            out->alloc = out->alloc ? 2 * out->alloc : 16;
            struct csv_row *grown = realloc(out->v, out->alloc * sizeof *grown);
            FUZZ_ASSERT(grown);
            out->v = grown;
        }
        out->v[out->n++] = row;
    }
    csv_done(&c);
    fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rows first;
    read_all(data, size, &first);

    /* Write the good records fully quoted and read them again. */
    struct buf w;
    buf_init(&w, (size_t)-1);
    for (size_t r = 0; r < first.n; r++) {
        for (size_t i = 0; i < first.v[r].n; i++) {
            FUZZ_ASSERT(buf_adds(&w, i ? ",\"" : "\"") == DP_OK);
            for (const char *p = first.v[r].fields[i]; *p; p++)
                FUZZ_ASSERT(buf_adds(&w, *p == '"' ? "\"\"" : (char[]){*p, '\0'}) == DP_OK);
            FUZZ_ASSERT(buf_adds(&w, "\"") == DP_OK);
        }
        FUZZ_ASSERT(buf_adds(&w, r % 2 ? "\r\n" : "\n") == DP_OK);
    }
    struct rows second;
    read_all((const uint8_t *)buf_cstr(&w), w.len, &second);
    FUZZ_ASSERT(second.errors == 0 && second.n == first.n);
    for (size_t r = 0; r < first.n; r++) {
        FUZZ_ASSERT(second.v[r].n == first.v[r].n);
        for (size_t i = 0; i < first.v[r].n; i++)
            FUZZ_ASSERT_STR_EQ(second.v[r].fields[i], first.v[r].fields[i]);
    }
    rows_done(&second);
    rows_done(&first);
    buf_done(&w);
    return 0;
}

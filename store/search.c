/*
 * The household list's search, answered from memory between writes.
 *
 * A search text t matches a household when its head name, phone or address
 * holds t, or (t of 4+ bytes) its head's ID number ends with t; ASCII letters
 * in either case. That is what the list's LIKE patterns meant, evaluated here
 * in C (one function call per index entry instead of four LIKEs).
 *
 * Typing narrows: every household whose four searched columns hold t also
 * holds any substring of t. The first search scans the covering index
 * households_search once and keeps candidates (rowid and the four columns)
 * in memory; a later text that holds an earlier one only looks at that
 * earlier text's candidates. The candidates are a superset: the ID number is
 * kept by substring (a tail of the longer text is not a tail of a shorter
 * one), and the exact rule picks the matches from them.
 *
 * The texts form a chain of levels, each a substring of the next; a
 * candidate's depth is how many levels it still matches. Level 0 is the
 * empty text, every live household, as long as their columns fit in
 * POOL_MAX (about 3.5 MiB for 50,000 households): then every text narrows,
 * and only the first search after opening or after a write scans. Past
 * POOL_MAX, level 0 is the first text typed and a text that holds none of
 * the levels scans again. Backspace goes back to a kept level; an edit in the
 * middle narrows from the deepest level the new text still holds.
 *
 * Every list call runs in one read transaction and first compares PRAGMA
 * data_version (commits by any other connection: the sync worker, another
 * process) and sqlite3_total_changes() (writes through this handle) with what
 * the cache was built from; any difference drops the cache. The state hangs
 * on the connection (the destructor of a registered SQL function), so it is
 * freed when the connection closes.
 */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

/* Levels kept in the chain; deeper typing narrows the last level in place. */
#define MAX_LEVELS 32

/* Candidate text kept in memory at most (the four columns of every candidate). */
#define POOL_MAX (8u * 1024u * 1024u)

/* Matches are a bitmap over rowids below this (2 MiB at most), else a sorted array. */
#define BITMAP_RIDS (1 << 24)

/* A candidate's record in the pool runs from its off to the next candidate's (or pool_len). */
struct cand {
    int64_t rid;
    uint32_t off;  /* head name, phone, address, ID number: each NUL-terminated, in pool */
    uint8_t depth; /* levels[0..depth) hold in this candidate's columns */
};

struct needle {
    const char *s;
    size_t len;
    bool fold; /* holds ASCII letters: compare case-insensitively */
};

struct store_search {
    /* What the cache was built from; any change drops it. */
    bool snap_valid;
    int64_t data_version;
    int total_changes;

    bool have_total;
    long total;

    /* The candidates of levels[0], in index order. */
    struct cand *cands;
    size_t ncands, cands_cap;
    char *pool;
    size_t pool_len, pool_cap;
    int nlevels;
    char levels[MAX_LEVELS][STORE_SEARCH_MAX + 1];
    bool all_too_big; /* every household's columns outgrew POOL_MAX since the last write */

    /* The exact matches of hits_text: a bitmap by rowid, or the array sorted. */
    bool hits_valid;
    char hits_text[STORE_SEARCH_MAX + 1];
    int64_t *hits;
    size_t nhits, hits_cap;
    uint64_t *bits;
    size_t nbits_words;

    /* What STORE_SEARCH_SCAN_FN does while the index is scanned, and its failures. */
    struct needle scan_keep; /* candidates: empty for every household */
    struct needle scan;      /* the text searched for */
    bool keep;               /* still keeping candidates (false past POOL_MAX) */
    bool scan_oom;           /* out of memory for the matches */
    long scan_rows;          /* live households seen: the total, for free */

    long scans, narrows; /* for store_search_counts */
};

/* ---- matching ----------------------------------------------------------------------------- */

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void
needle_init(struct needle *n, const char *s, size_t len)
{
    n->s = s;
    n->len = len;
    n->fold = false;
    for (size_t i = 0; i < len; i++)
        if ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))
            n->fold = true;
}

static bool
same_folded(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/*
 * Whether hay[0..hlen) holds the needle. Byte-wise: for valid UTF-8 a byte
 * match is a character match, which is what LIKE compares. A needle never
 * holds NUL, so it is found in a candidate's NUL-separated record exactly
 * when one of its columns holds it.
 */
static bool
holds(const char *hay, size_t hlen, const struct needle *n)
{
    if (n->len == 0)
        return true;
    if (n->len > hlen)
        return false;
    if (!n->fold) {
        /* memchr then memcmp: quicker than memmem's set-up for these short texts. */
        const char *p = hay, *end = hay + hlen - n->len + 1;
        while (p < end && (p = memchr(p, n->s[0], (size_t)(end - p))) != NULL) {
            if (memcmp(p + 1, n->s + 1, n->len - 1) == 0)
                return true;
            p++;
        }
        return false;
    }
    char first = lower(n->s[0]);
    for (size_t i = 0; i + n->len <= hlen; i++)
        if (lower(hay[i]) == first && same_folded(hay + i, n->s, n->len))
            return true;
    return false;
}

static bool
ends_with(const char *hay, size_t hlen, const struct needle *n)
{
    return hlen >= n->len && same_folded(hay + hlen - n->len, n->s, n->len);
}

/* The four searched columns of a candidate, in pool order. */
struct cols {
    const char *s[4];
    size_t len[4];
};

/* A candidate's record: its four columns back to back, each NUL-terminated. */
static const char *
cand_record(const struct store_search *ss, size_t i, size_t *len)
{
    size_t end = i + 1 < ss->ncands ? ss->cands[i + 1].off : ss->pool_len;
    *len = end - ss->cands[i].off;
    return ss->pool + ss->cands[i].off;
}

static void
cols_of(const char *rec, struct cols *out)
{
    for (int i = 0; i < 4; i++) {
        out->s[i] = rec;
        out->len[i] = strlen(rec);
        rec += out->len[i] + 1;
    }
}

/* Any of the four columns holds the needle: candidacy. */
static bool
cand_holds(const struct cols *c, const struct needle *n)
{
    for (int i = 0; i < 4; i++)
        if (holds(c->s[i], c->len[i], n))
            return true;
    return false;
}

/* The list's rule: head name, phone, address by substring; ID number by a 4+ byte tail. */
static bool
cand_matches(const struct cols *c, const struct needle *n)
{
    return holds(c->s[0], c->len[0], n) || holds(c->s[1], c->len[1], n) ||
           holds(c->s[2], c->len[2], n) || (n->len >= 4 && ends_with(c->s[3], c->len[3], n));
}

/* ---- the matches ---------------------------------------------------------------------------- */

static void
drop_cands(struct store_search *ss)
{
    free(ss->cands);
    free(ss->pool);
    ss->cands = NULL;
    ss->pool = NULL;
    ss->ncands = ss->cands_cap = ss->pool_len = ss->pool_cap = 0;
    ss->nlevels = 0;
}

static void
drop_hits(struct store_search *ss)
{
    free(ss->hits);
    free(ss->bits);
    ss->hits = NULL;
    ss->bits = NULL;
    ss->nhits = ss->hits_cap = ss->nbits_words = 0;
    ss->hits_valid = false;
}

static bool
hits_push(struct store_search *ss, int64_t rid)
{
    if (ss->nhits == ss->hits_cap) {
        size_t ncap = ss->hits_cap ? ss->hits_cap * 2 : 256;
        int64_t *bigger = realloc(ss->hits, ncap * sizeof *bigger);
        if (!bigger)
            return false;
        ss->hits = bigger;
        ss->hits_cap = ncap;
    }
    ss->hits[ss->nhits++] = rid;
    return true;
}

static int
cmp_rid(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/*
 * Make the matches answerable by rowid: a bitmap when every rowid is small
 * (as SQLite assigns them), else the array sorted for a binary search.
 */
static bool
hits_index(struct store_search *ss)
{
    int64_t max = -1;
    bool small = true;
    for (size_t i = 0; i < ss->nhits && small; i++) {
        small = ss->hits[i] >= 0 && ss->hits[i] < BITMAP_RIDS;
        if (ss->hits[i] > max)
            max = ss->hits[i];
    }
    free(ss->bits);
    ss->bits = NULL;
    ss->nbits_words = 0;
    if (!small) {
        qsort(ss->hits, ss->nhits, sizeof *ss->hits, cmp_rid);
        return true;
    }
    size_t words = (size_t)(max + 64) / 64;
    ss->bits = calloc(words, sizeof *ss->bits);
    if (!ss->bits)
        return false;
    ss->nbits_words = words;
    for (size_t i = 0; i < ss->nhits; i++)
        ss->bits[ss->hits[i] / 64] |= UINT64_C(1) << (ss->hits[i] % 64);
    return true;
}

static bool
hits_has(const struct store_search *ss, int64_t rid)
{
    if (ss->bits)
        return rid >= 0 && (uint64_t)rid / 64 < ss->nbits_words &&
               (ss->bits[rid / 64] >> (rid % 64) & 1) != 0;
    size_t lo = 0, hi = ss->nhits;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ss->hits[mid] < rid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ss->nhits && ss->hits[lo] == rid;
}

/* Append a candidate; false when memory or POOL_MAX runs out. */
static bool
cand_push(struct store_search *ss, int64_t rid, const struct cols *c)
{
    size_t need = c->len[0] + c->len[1] + c->len[2] + c->len[3] + 4;
    if (ss->pool_len + need > POOL_MAX)
        return false;
    if (ss->pool_len + need > ss->pool_cap) {
        size_t ncap = ss->pool_cap ? ss->pool_cap : 64 * 1024;
        while (ncap < ss->pool_len + need)
            ncap *= 2;
        char *bigger = realloc(ss->pool, ncap);
        if (!bigger)
            return false;
        ss->pool = bigger;
        ss->pool_cap = ncap;
    }
    if (ss->ncands == ss->cands_cap) {
        size_t ncap = ss->cands_cap ? ss->cands_cap * 2 : 1024;
        struct cand *bigger = realloc(ss->cands, ncap * sizeof *bigger);
        if (!bigger)
            return false;
        ss->cands = bigger;
        ss->cands_cap = ncap;
    }
    struct cand *k = &ss->cands[ss->ncands++];
    k->rid = rid;
    k->off = (uint32_t)ss->pool_len;
    k->depth = 1;
    for (int i = 0; i < 4; i++) {
        memcpy(ss->pool + ss->pool_len, c->s[i], c->len[i]);
        ss->pool_len += c->len[i];
        ss->pool[ss->pool_len++] = '\0';
    }
    return true;
}

/* ---- SQL functions -------------------------------------------------------------------------- */

/*
 * STORE_SEARCH_SCAN_FN(rowid, head name, phone, address, ID number), called
 * once per entry of the scan: keeps candidates and matches here rather than
 * stepping every candidate out as a result row. Always false.
 */
static void
fn_scan(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct store_search *ss = sqlite3_user_data(ctx);
    struct cols c;
    if (argc != 5 || !ss->scan.s) {
        sqlite3_result_error(ctx, "not scanning", -1);
        return;
    }
    for (int i = 0; i < 4; i++) {
        const unsigned char *t = sqlite3_value_text(argv[i + 1]);
        c.s[i] = t ? (const char *)t : "";
        c.len[i] = t ? (size_t)sqlite3_value_bytes(argv[i + 1]) : 0;
    }
    sqlite3_result_int(ctx, 0);
    ss->scan_rows++;
    bool holds_text = cand_holds(&c, &ss->scan);
    if (ss->keep && (holds_text || ss->scan_keep.len == 0)) {
        if (cand_push(ss, sqlite3_value_int64(argv[0]), &c)) {
            /* Level 0 is the kept text; with level 0 empty, the text is level 1. */
            if (ss->scan_keep.len == 0 && holds_text)
                ss->cands[ss->ncands - 1].depth = 2;
        } else {
            ss->keep = false;
            drop_cands(ss);
        }
    }
    if (holds_text && cand_matches(&c, &ss->scan) && !hits_push(ss, sqlite3_value_int64(argv[0]))) {
        ss->scan_oom = true;
        sqlite3_result_error_nomem(ctx);
    }
}

static void
fn_hit(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct store_search *ss = sqlite3_user_data(ctx);
    (void)argc;
    sqlite3_result_int(ctx, ss->hits_valid && hits_has(ss, sqlite3_value_int64(argv[0])));
}

/* Destructor of the state, called by SQLite when the connection closes. */
static void
search_free(void *p)
{
    struct store_search *ss = p;
    if (!ss)
        return;
    drop_cands(ss);
    drop_hits(ss);
    free(ss);
}

static enum dp_status
search_state(struct store *st, struct dp_error *err)
{
    if (st->search)
        return DP_OK;
    struct store_search *ss = calloc(1, sizeof *ss);
    if (!ss)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    /* On failure SQLite calls the destructor itself. */
    int rc = sqlite3_create_function_v2(st->db, STORE_SEARCH_SCAN_FN, 5, SQLITE_UTF8, ss, fn_scan,
                                        NULL, NULL, search_free);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "set up the search", err);
    /* From here the connection owns ss. */
    rc = sqlite3_create_function_v2(st->db, STORE_SEARCH_HIT_FN, 1, SQLITE_UTF8, ss, fn_hit, NULL,
                                    NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "set up the search", err); /* again next time */
    st->search = ss;
    return DP_OK;
}

/* ---- the read snapshot ---------------------------------------------------------------------- */

static void
invalidate(struct store_search *ss)
{
    drop_cands(ss);
    drop_hits(ss);
    ss->have_total = false;
    ss->all_too_big = false;
}

enum dp_status
store_list_enter(struct store *st, bool *began, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *began = false;
    enum dp_status s = search_state(st, err);
    if (s != DP_OK)
        return s;
    struct store_search *ss = st->search;
    bool own = sqlite3_get_autocommit(st->db) != 0;
    if (own) {
        s = store_exec(st, "BEGIN", "read the household list", err);
        if (s != DP_OK)
            return s;
        *began = true;
    }
    /* Starts the read transaction: the version of the snapshot every query below sees. */
    s = store_prepare(st, "PRAGMA data_version", &stmt, err);
    if (s == DP_OK) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            int64_t dv = sqlite3_column_int64(stmt, 0);
            int changes = sqlite3_total_changes(st->db);
            if (!ss->snap_valid || dv != ss->data_version || changes != ss->total_changes)
                invalidate(ss);
            ss->data_version = dv;
            ss->total_changes = changes;
            /*
             * Inside the caller's transaction the data may still roll back
             * without moving either counter: use the cache for this call only.
             */
            ss->snap_valid = own;
        } else {
            s = store_fail(st, rc, "read the household list", err);
        }
    }
    sqlite3_finalize(stmt);
    if (s != DP_OK)
        store_list_leave(st, *began);
    return s;
}

void
store_list_leave(struct store *st, bool began)
{
    if (!began)
        return;
    /* Only read: a failed COMMIT can leave nothing behind but the transaction. */
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

bool
store_list_total(struct store *st, long *total)
{
    if (!st->search || !st->search->have_total)
        return false;
    *total = st->search->total;
    return true;
}

void
store_list_set_total(struct store *st, long total)
{
    if (!st->search)
        return;
    st->search->total = total;
    st->search->have_total = true;
}

void
store_search_counts(struct store *st, long *scans, long *narrows)
{
    *scans = st->search ? st->search->scans : 0;
    *narrows = st->search ? st->search->narrows : 0;
}

/* ---- building and narrowing ----------------------------------------------------------------- */

/*
 * Scan households_search once for t: the matches, and the candidates of
 * every live household (level 0 empty, t level 1) or, when those outgrew
 * POOL_MAX since the last write, of t alone (level 0); none if even those do.
 */
static enum dp_status
scan(struct store *st, const char *t, size_t len, struct dp_error *err)
{
    struct store_search *ss = st->search;
    sqlite3_stmt *stmt = NULL;
    drop_cands(ss);
    drop_hits(ss);
    needle_init(&ss->scan, t, len);
    needle_init(&ss->scan_keep, t, ss->all_too_big ? len : 0);
    ss->keep = true;
    ss->scan_oom = false;
    ss->scan_rows = 0;
    ss->scans++;
    enum dp_status s = store_prepare(st,
                                     "SELECT count(*) FROM households INDEXED BY households_search"
                                     " WHERE _deleted = 0 AND " STORE_SEARCH_SCAN_FN
                                     "(rowid, head_name, phone, address, head_id_number)",
                                     &stmt, err);
    if (s == DP_OK) {
        int rc = sqlite3_step(stmt);
        if (ss->scan_oom)
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        else if (rc != SQLITE_ROW)
            s = store_fail(st, rc, "search households", err);
    }
    sqlite3_finalize(stmt);
    ss->scan.s = ss->scan_keep.s = NULL;
    if (s == DP_OK && !hits_index(ss))
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (s != DP_OK) {
        drop_cands(ss);
        drop_hits(ss);
        return s;
    }
    /* Every live household passed through the scan, in this read transaction. */
    ss->total = ss->scan_rows;
    ss->have_total = true;
    if (!ss->keep) {
        ss->all_too_big = true;
        return DP_OK;
    }
    ss->levels[0][0] = '\0';
    ss->nlevels = 1;
    if (!ss->all_too_big)
        ss->nlevels = 2; /* level 0 empty, t level 1 */
    memcpy(ss->levels[ss->nlevels - 1], t, len);
    ss->levels[ss->nlevels - 1][len] = '\0';
    return DP_OK;
}

/* Whether a holds b, ASCII letters in either case (so b's matches include a's). */
static bool
text_holds(const char *a, const char *b)
{
    struct needle n;
    needle_init(&n, b, strlen(b));
    return holds(a, strlen(a), &n);
}

/*
 * Narrow from level j (whose text t holds) to t: levels past j are dropped,
 * t becomes level j + 1 (or replaces level j when the chain is full), and the
 * matches are picked from the candidates of t's level.
 */
static enum dp_status
narrow(struct store *st, int j, const char *t, size_t len, struct dp_error *err)
{
    struct store_search *ss = st->search;
    struct needle n;
    int cur = j; /* t's level */
    bool same = strcmp(ss->levels[j], t) == 0;
    needle_init(&n, t, len);
    ss->narrows++;
    if (!same) {
        if (j + 1 < MAX_LEVELS) {
            cur = j + 1;
            ss->nlevels = j + 2;
        } else {
            ss->nlevels = j + 1; /* t replaces level j: still holds levels[j - 1] */
        }
        memcpy(ss->levels[cur], t, len);
        ss->levels[cur][len] = '\0';
    }
    drop_hits(ss);
    for (size_t i = 0; i < ss->ncands; i++) {
        struct cand *k = &ss->cands[i];
        if (k->depth <= j)
            continue; /* not even at level j: nothing to do */
        size_t rlen;
        const char *rec = cand_record(ss, i, &rlen);
        bool in = k->depth > cur;
        if (!same) {
            /* k held levels[0..j]; whether it holds t decides its depth from here on. */
            in = holds(rec, rlen, &n);
            k->depth = (uint8_t)(in ? cur + 1 : cur);
        }
        if (!in)
            continue;
        struct cols c;
        cols_of(rec, &c);
        if (cand_matches(&c, &n) && !hits_push(ss, k->rid)) {
            invalidate(ss);
            return dp_error_set(err, DP_ENOMEM, NULL, NULL);
        }
    }
    if (!hits_index(ss)) {
        invalidate(ss);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    return DP_OK;
}

enum dp_status
store_search_run(struct store *st, const char *text, size_t len, const int64_t **rowids, size_t *n,
                 struct dp_error *err)
{
    struct store_search *ss = st->search;
    char t[STORE_SEARCH_MAX + 1];
    *rowids = NULL;
    *n = 0;
    if (!ss || len == 0 || len > STORE_SEARCH_MAX)
        return dp_error_set(err, DP_EINVAL, NULL, "store_search_run: bad argument");
    memcpy(t, text, len);
    t[len] = '\0';
    if (ss->hits_valid && strcmp(ss->hits_text, t) == 0)
        goto out;

    int j = ss->nlevels - 1;
    while (j >= 0 && !text_holds(t, ss->levels[j]))
        j--;
    enum dp_status s = j >= 0 ? narrow(st, j, t, len, err) : scan(st, t, len, err);
    if (s != DP_OK)
        return s;
    memcpy(ss->hits_text, t, len + 1);
    ss->hits_valid = true;
out:
    *rowids = ss->hits;
    *n = ss->nhits;
    return DP_OK;
}

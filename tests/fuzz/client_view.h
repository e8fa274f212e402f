/*
 * How the client (sync/proto.h) reads an answer of the reference server, for
 * fuzz_api: whatever the server sends, its own client must accept. Kept in a
 * file of its own because sync/http.h and server/http.h cannot meet in one
 * translation unit.
 */
#ifndef DOORSTEP_TESTS_FUZZ_CLIENT_VIEW_H
#define DOORSTEP_TESTS_FUZZ_CLIENT_VIEW_H

#include <stddef.h>

#include "core/status.h"

/*
 * Parse an answer to POST `path` as the client does: a 200 with the parser
 * of that endpoint (pull with `pull_max` changes asked for), anything else as
 * a problem report, which must be well formed with the body's code. DP_OK
 * when the client takes it; otherwise *err says why.
 */
enum dp_status client_view(const char *path, long status, const char *content_type,
                           const char *body, size_t len, size_t pull_max, struct dp_error *err);

#endif

/* gzip (RFC 1952) for request and response bodies, with a cap on what inflating may produce. */
#ifndef DOORSTEP_SERVER_GZ_H
#define DOORSTEP_SERVER_GZ_H

#include <stddef.h>

#include "core/status.h"
#include "server/buf.h"

/*
 * Decompress one gzip member in[0..n) into out (appended; out's own cap also
 * applies). DP_ETOOBIG as soon as the output would pass `cap` bytes (a
 * decompression bomb stops there, having used at most cap bytes), DP_EINVAL
 * for corrupt, truncated or trailing data, DP_ENOMEM.
 */
enum dp_status gz_inflate(const void *in, size_t n, size_t cap, struct buf *out);

/* Compress in[0..n) as one gzip member, appended to out. */
enum dp_status gz_deflate(const void *in, size_t n, struct buf *out);

#endif

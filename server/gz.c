#include "server/gz.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

enum dp_status
gz_inflate(const void *in, size_t n, size_t cap, struct buf *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    /* 16 + MAX_WBITS: gzip wrapper only, no raw or zlib streams. */
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return DP_ENOMEM;

    enum dp_status st = DP_OK;
    size_t produced = 0;
    unsigned char chunk[16384];
    const unsigned char *src = in;
    size_t left = n;
    int zr = Z_OK;

    while (zr != Z_STREAM_END) {
        if (zs.avail_in == 0) {
            if (left == 0) {
                st = DP_EINVAL; /* truncated */
                goto out;
            }
            uInt take = left > 65536 ? 65536 : (uInt)left;
            zs.next_in = (Bytef *)(uintptr_t)src;
            zs.avail_in = take;
            src += take;
            left -= take;
        }
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        zr = inflate(&zs, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) {
            st = zr == Z_MEM_ERROR ? DP_ENOMEM : DP_EINVAL;
            goto out;
        }
        size_t got = sizeof chunk - zs.avail_out;
        if (got > cap - produced) {
            st = DP_ETOOBIG;
            goto out;
        }
        produced += got;
        st = buf_add(out, chunk, got);
        if (st != DP_OK)
            goto out;
        if (zr == Z_OK && got == 0 && zs.avail_in == 0 && left == 0) {
            st = DP_EINVAL;
            goto out;
        }
    }
    /* Anything after the first member (a second member, junk) is refused. */
    if (zs.avail_in != 0 || left != 0)
        st = DP_EINVAL;
out:
    inflateEnd(&zs);
    return st;
}

enum dp_status
gz_deflate(const void *in, size_t n, struct buf *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return DP_ENOMEM;
    enum dp_status st = DP_OK;
    unsigned char chunk[16384];
    const unsigned char *src = in;
    size_t left = n;
    int zr;
    do {
        uInt take = left > 65536 ? 65536 : (uInt)left;
        zs.next_in = (Bytef *)(uintptr_t)src;
        zs.avail_in = take;
        src += take;
        left -= take;
        int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs.next_out = chunk;
            zs.avail_out = sizeof chunk;
            zr = deflate(&zs, flush);
            if (zr == Z_STREAM_ERROR) {
                st = DP_EIO;
                goto out;
            }
            st = buf_add(out, chunk, sizeof chunk - zs.avail_out);
            if (st != DP_OK)
                goto out;
        } while (zs.avail_out == 0);
    } while (left > 0 || zr != Z_STREAM_END);
out:
    deflateEnd(&zs);
    return st;
}
